//! Scheduling, instant meetings, editing, cancelling, link rotation, invitations and
//! chat export.

use super::{
    auth::Auth,
    error::{ApiError, ApiResult, Json, Path, Query},
    AppState,
};
use crate::secrets::new_link_key;
use axum::{
    extract::State,
    http::{header, StatusCode},
    response::IntoResponse,
};
use chrono::{TimeDelta, Utc};
use confab_core::{
    invitation::{self, Invitation},
    schedule,
};
use confab_proto::{
    rest::{MeetNow, MeetingInput, MeetingStatus, MeetingView, PersonRef, Problem},
    room::{ByeReason, ChatMessage, ChatTo},
    AccountRole, MeetingId,
};
use confab_store::{MeetingRow, UserRow};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

/// Whether `user` may change the meeting: its organizer, or an admin of its tenant.
fn may_manage(user: &UserRow, m: &MeetingRow) -> bool {
    let role = user.role().unwrap_or(AccountRole::Member);
    user.id == m.organizer_id
        || role == AccountRole::ProviderAdmin
        || (role == AccountRole::TenantAdmin && user.tenant_id == m.tenant_id)
}

/// Whether `user` may see the meeting with its links: managers and named presenters.
fn may_view(user: &UserRow, m: &MeetingRow) -> bool {
    may_manage(user, m)
        || (user.tenant_id == m.tenant_id
            && m.presenters().unwrap_or_default().contains(&user.email))
}

async fn load(state: &AppState, id: MeetingId) -> ApiResult<MeetingRow> {
    state
        .store
        .meeting(id)
        .await?
        .ok_or(ApiError::NotFound("meeting"))
}

/// A meeting the caller may view (404 otherwise, so ids do not leak).
async fn viewable(state: &AppState, auth: &Auth, id: MeetingId) -> ApiResult<MeetingRow> {
    let m = load(state, id).await?;
    if may_view(&auth.user, &m) {
        Ok(m)
    } else {
        Err(ApiError::NotFound("meeting"))
    }
}

async fn manageable(state: &AppState, auth: &Auth, id: MeetingId) -> ApiResult<MeetingRow> {
    let m = viewable(state, auth, id).await?;
    if may_manage(&auth.user, &m) {
        Ok(m)
    } else {
        Err(ApiError::Forbidden(
            "only the organizer may change this meeting",
        ))
    }
}

pub(crate) fn link(state: &AppState, key: &str) -> String {
    format!("{}/j/{key}", state.config.public_url())
}

pub(crate) async fn view(state: &AppState, m: &MeetingRow) -> ApiResult<MeetingView> {
    let organizer = state
        .store
        .user(m.organizer())
        .await?
        .ok_or_else(|| ApiError::Internal("meeting without organizer".into()))?;
    Ok(MeetingView {
        id: m.id(),
        title: m.title.clone(),
        description: m.description.clone(),
        status: m.status()?,
        instant: m.instant,
        start: m.start_local.clone(),
        end: m.end_local.clone(),
        time_zone: m.time_zone.clone(),
        starts_at: m.starts_at,
        ends_at: m.ends_at,
        lobby: m.lobby,
        allow_guests: m.allow_guests,
        wait_for_presenter: m.wait_for_presenter,
        presenters: m.presenters()?,
        organizer: PersonRef {
            id: organizer.id(),
            name: organizer.name.clone(),
            email: organizer.email.clone(),
        },
        passcode: m.passcode.clone(),
        presenter_link: Some(link(state, &m.presenter_key)),
        attendee_link: Some(link(state, &m.attendee_key)),
        sequence: m.sequence as u32,
        live_participants: state.meetings.live_participants(m.id()).await,
        created_at: m.created_at,
        updated_at: m.updated_at,
    })
}

/// Saves a new meeting with fresh link keys and answers 201 with its view.
async fn insert(
    state: &AppState,
    auth: &Auth,
    input: &MeetingInput,
    instant: bool,
) -> ApiResult<(StatusCode, Json<MeetingView>)> {
    let m = schedule::validate(input)?;
    let keys = (new_link_key(), new_link_key());
    let row = state
        .store
        .create_meeting(
            auth.user.tenant(),
            auth.user.id(),
            &m,
            instant,
            (&keys.0, &keys.1),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(view(state, &row).await?)))
}

fn require_scheduler(auth: &Auth) -> ApiResult<()> {
    if auth.user.role()?.may_schedule() {
        Ok(())
    } else {
        Err(ApiError::Forbidden(
            "your account may not schedule meetings",
        ))
    }
}

/// Meetings you organize or present, latest start first.
#[utoipa::path(get, path = "/api/v1/meetings", tag = "meetings",
    responses((status = 200, body = [MeetingView])))]
pub async fn list(State(state): State<AppState>, auth: Auth) -> ApiResult<Json<Vec<MeetingView>>> {
    let rows = state
        .store
        .meetings_for(auth.user.tenant(), auth.user.id(), &auth.user.email)
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for m in &rows {
        out.push(view(&state, m).await?);
    }
    Ok(Json(out))
}

/// Schedules a meeting.
#[utoipa::path(post, path = "/api/v1/meetings", tag = "meetings", request_body = MeetingInput,
    responses((status = 201, body = MeetingView), (status = 403, response = Problem),
              (status = 422, response = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    auth: Auth,
    Json(input): Json<MeetingInput>,
) -> ApiResult<(StatusCode, Json<MeetingView>)> {
    require_scheduler(&auth)?;
    insert(&state, &auth, &input, false).await
}

/// Starts a meeting now: no lobby, open for an hour; join it through its presenter link.
#[utoipa::path(post, path = "/api/v1/meetings/now", tag = "meetings", request_body = MeetNow,
    responses((status = 201, body = MeetingView), (status = 403, response = Problem),
              (status = 422, response = Problem)))]
pub async fn meet_now(
    State(state): State<AppState>,
    auth: Auth,
    Json(req): Json<MeetNow>,
) -> ApiResult<(StatusCode, Json<MeetingView>)> {
    require_scheduler(&auth)?;
    let now = Utc::now().naive_utc();
    // A title given is checked like any other; none gives a default.
    let title = req
        .title
        .unwrap_or_else(|| format!("{}'s meeting", auth.user.name));
    let input = MeetingInput {
        title,
        description: String::new(),
        start: schedule::format_local(now),
        end: schedule::format_local(now + TimeDelta::hours(1)),
        time_zone: "UTC".into(),
        passcode: None,
        lobby: false,
        allow_guests: true,
        wait_for_presenter: false,
        presenters: Vec::new(),
    };
    insert(&state, &auth, &input, true).await
}

/// One meeting.
#[utoipa::path(get, path = "/api/v1/meetings/{id}", tag = "meetings",
    params(("id" = Uuid, Path, description = "meeting id")),
    responses((status = 200, body = MeetingView)))]
pub async fn get(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<MeetingId>,
) -> ApiResult<Json<MeetingView>> {
    let m = viewable(&state, &auth, id).await?;
    Ok(Json(view(&state, &m).await?))
}

/// Changes a scheduled meeting; its invitation's SEQUENCE goes up.
#[utoipa::path(put, path = "/api/v1/meetings/{id}", tag = "meetings", request_body = MeetingInput,
    params(("id" = Uuid, Path, description = "meeting id")),
    responses((status = 200, body = MeetingView), (status = 403, response = Problem),
              (status = 410, response = Problem), (status = 422, response = Problem)))]
pub async fn update(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<MeetingId>,
    Json(input): Json<MeetingInput>,
) -> ApiResult<Json<MeetingView>> {
    let m = manageable(&state, &auth, id).await?;
    // Input that breaks the document is refused as such, whatever the meeting's state.
    let new = schedule::validate(&input)?;
    match m.status()? {
        MeetingStatus::Scheduled => {}
        MeetingStatus::Cancelled => return Err(ApiError::MeetingCancelled),
        MeetingStatus::Ended => return Err(ApiError::MeetingEnded),
    }
    let row = state
        .store
        .update_meeting(m.tenant(), id, &new)
        .await?
        .ok_or(ApiError::NotFound("meeting"))?;
    Ok(Json(view(&state, &row).await?))
}

/// Cancels a meeting: anyone in it is told, its links stop working, and its invitation
/// becomes a CANCEL.
#[utoipa::path(post, path = "/api/v1/meetings/{id}/cancel", tag = "meetings",
    params(("id" = Uuid, Path, description = "meeting id")),
    responses((status = 200, body = MeetingView), (status = 403, response = Problem)))]
pub async fn cancel(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<MeetingId>,
) -> ApiResult<Json<MeetingView>> {
    let m = manageable(&state, &auth, id).await?;
    if m.status()? == MeetingStatus::Cancelled {
        return Ok(Json(view(&state, &m).await?));
    }
    let row = state
        .store
        .set_meeting_status(m.tenant(), id, MeetingStatus::Cancelled)
        .await?
        .ok_or(ApiError::NotFound("meeting"))?;
    state.meetings.end(id, ByeReason::MeetingCancelled).await;
    Ok(Json(view(&state, &row).await?))
}

/// Replaces both join links; the old ones stop working at once, and so does every join
/// token they gave (except the organizer's): whoever joined through them is out.
#[utoipa::path(post, path = "/api/v1/meetings/{id}/rotate-links", tag = "meetings",
    params(("id" = Uuid, Path, description = "meeting id")),
    responses((status = 200, body = MeetingView), (status = 403, response = Problem)))]
pub async fn rotate_links(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<MeetingId>,
) -> ApiResult<Json<MeetingView>> {
    let m = manageable(&state, &auth, id).await?;
    let keys = (new_link_key(), new_link_key());
    let row = state
        .store
        .rotate_keys(m.tenant(), id, (&keys.0, &keys.1))
        .await?
        .ok_or(ApiError::NotFound("meeting"))?;
    let revoked = state
        .store
        .revoke_seats(m.tenant(), id, m.organizer())
        .await?;
    state.meetings.revoke(id, revoked).await;
    Ok(Json(view(&state, &row).await?))
}

/// The meeting's iCalendar invitation (METHOD:CANCEL once cancelled).
#[utoipa::path(get, path = "/api/v1/meetings/{id}/invite.ics", tag = "meetings",
    params(("id" = Uuid, Path, description = "meeting id")),
    responses((status = 200, content_type = "text/calendar", body = String)))]
pub async fn invitation(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<MeetingId>,
) -> ApiResult<impl IntoResponse> {
    let m = viewable(&state, &auth, id).await?;
    let v = view(&state, &m).await?;
    let tz = schedule::parse_time_zone(&m.time_zone)?;
    let host = state.config.public_url();
    let host = host.split_once("://").map_or(host.as_str(), |(_, h)| h);
    let uid = format!("{}@{host}", m.id());
    let url = link(&state, &m.attendee_key);
    let ics = invitation::to_ics(&Invitation {
        uid: &uid,
        sequence: v.sequence,
        title: &m.title,
        description: &m.description,
        start_local: schedule::parse_local("start", &m.start_local)?,
        end_local: schedule::parse_local("end", &m.end_local)?,
        time_zone: tz,
        organizer_name: &v.organizer.name,
        organizer_email: &v.organizer.email,
        url: &url,
        passcode: m.passcode.as_deref(),
        cancelled: v.status == MeetingStatus::Cancelled,
        stamp: m.updated_at,
    });
    let disposition = format!("attachment; filename=\"meeting-{}.ics\"", m.id());
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "text/calendar; charset=utf-8".to_owned(),
            ),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        ics,
    ))
}

#[derive(Debug, Default, Deserialize, ToSchema, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    #[default]
    Json,
    Text,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct ExportQuery {
    #[serde(default)]
    #[param(inline)]
    pub format: ExportFormat,
}

/// The meeting's chat, for its organizer: public messages and those sent to presenters.
/// Private messages between participants are not exported.
#[utoipa::path(get, path = "/api/v1/meetings/{id}/chat", tag = "meetings",
    params(("id" = Uuid, Path, description = "meeting id"), ExportQuery),
    responses((status = 200, description = "The messages: JSON (`format=json`) or text (`format=text`)",
               content(([ChatMessage] = "application/json"), (String = "text/plain"))),
              (status = 403, response = Problem)))]
pub async fn chat_export(
    State(state): State<AppState>,
    auth: Auth,
    Path(id): Path<MeetingId>,
    Query(q): Query<ExportQuery>,
) -> ApiResult<axum::response::Response> {
    let m = manageable(&state, &auth, id).await?;
    let messages: Vec<_> = state
        .store
        .chat(m.tenant(), m.id(), u32::MAX)
        .await?
        .into_iter()
        .filter(|c| !matches!(c.to, ChatTo::Participant { .. }))
        .collect();
    let name = format!("chat-{}", m.id());
    Ok(match q.format {
        ExportFormat::Json => (
            [(
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}.json\""),
            )],
            Json(messages),
        )
            .into_response(),
        ExportFormat::Text => {
            let mut text = format!("Chat of \"{}\"\n\n", one_line(&m.title));
            for c in &messages {
                let to = if matches!(c.to, ChatTo::Presenters) {
                    " (to presenters)"
                } else {
                    ""
                };
                text.push_str(&format!(
                    "[{}] {}{}: {}\n",
                    c.sent_at.format("%Y-%m-%d %H:%M:%S UTC"),
                    one_line(&c.from_name),
                    to,
                    continued(&c.text)
                ));
            }
            (
                [
                    (header::CONTENT_TYPE, "text/plain; charset=utf-8".to_owned()),
                    (
                        header::CONTENT_DISPOSITION,
                        format!("attachment; filename=\"{name}.txt\""),
                    ),
                ],
                text,
            )
                .into_response()
        }
    })
}

/// A name on one line: a line break in it cannot start a line of its own.
fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// A message in the text export: its own line breaks become indented continuation lines,
/// so no line of a message can look like the start of another message. Other control
/// characters become spaces. (Unicode line and paragraph separators count as breaks.)
fn continued(text: &str) -> String {
    text.split(['\n', '\u{2028}', '\u{2029}'])
        .map(|line| one_line(line.trim_end_matches('\r')))
        .collect::<Vec<_>>()
        .join("\n    ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_cannot_forge_a_line_of_the_text_export() {
        let forged = "hi\n[2026-12-01 10:00:00 UTC] Boss: pay the invoice\r\nok\u{2028}x\u{7}";
        assert_eq!(
            continued(forged),
            "hi\n    [2026-12-01 10:00:00 UTC] Boss: pay the invoice\n    ok\n    x "
        );
        assert_eq!(one_line("Eve\n[x] Boss"), "Eve [x] Boss");
    }
}
