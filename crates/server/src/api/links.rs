//! Join links: what a link leads to, and joining through it (passcode, guest name),
//! which yields the join token that opens the room channel.
//!
//! Guests are throttled per address (each join makes a seat), and get a device cookie
//! that their seat records: barring a guest bars that browser from joining the meeting
//! again through any link. What that proves is only "this browser profile": a guest who
//! clears cookies or opens a private window is a new device, and then only the join
//! throttle and the lobby stand in the way. Passcode guesses are throttled per meeting and
//! address, and a browser that entered the passcode before is trusted for that meeting.

use axum::{
    extract::State,
    http::{header, HeaderMap, HeaderValue},
};
use chrono::{TimeDelta, Utc};
use confab_core::throttle::Outcome;
use confab_proto::{
    rest::{JoinRequest, JoinResponse, LinkInfo, MeetingStatus, Problem},
    rules, MeetingRole, ParticipantId,
};
use confab_store::{MeetingRow, NewSeat};

use super::{
    auth::MaybeAuth,
    error::{ApiError, ApiResult, Json, Path},
    guesses::{Device, Peer},
    AppState,
};
use crate::secrets;

/// The meeting behind a key, if the link still works.
async fn open_link(state: &AppState, key: &str) -> ApiResult<(MeetingRow, bool)> {
    let (m, presenter_key) = state
        .store
        .meeting_by_key(key)
        .await?
        .ok_or(ApiError::UnknownLink)?;
    match m.status()? {
        MeetingStatus::Scheduled => {}
        MeetingStatus::Cancelled => return Err(ApiError::MeetingCancelled),
        MeetingStatus::Ended => return Err(ApiError::MeetingEnded),
    }
    let grace = TimeDelta::hours(state.config.limits.link_grace_hours as i64);
    if Utc::now() > m.ends_at + grace {
        return Err(ApiError::LinkExpired);
    }
    Ok((m, presenter_key))
}

/// The role a link grants this caller: the organizer is always organizer, and
/// named presenters present whichever link they use.
fn role_for(m: &MeetingRow, presenter_key: bool, auth: &MaybeAuth) -> MeetingRole {
    match &auth.0 {
        Some(a) if a.user.id == m.organizer_id => MeetingRole::Organizer,
        _ if presenter_key => MeetingRole::Presenter,
        Some(a)
            if a.user.tenant_id == m.tenant_id
                && m.presenters().unwrap_or_default().contains(&a.user.email) =>
        {
            MeetingRole::Presenter
        }
        _ => MeetingRole::Attendee,
    }
}

async fn guests_allowed(state: &AppState, m: &MeetingRow) -> ApiResult<bool> {
    let tenant = state
        .store
        .tenant(m.tenant())
        .await?
        .ok_or(ApiError::UnknownLink)?;
    Ok(m.allow_guests && tenant.policy()?.anonymous_participants)
}

/// What a join link leads to, for the join page.
#[utoipa::path(get, path = "/api/v1/links/{key}", tag = "joining",
    params(("key" = String, Path, description = "the key at the end of a join link")),
    security((), ("session" = []), ("api_token" = [])),
    responses((status = 200, body = LinkInfo), (status = 404, response = Problem),
              (status = 410, response = Problem)))]
pub async fn info(
    State(state): State<AppState>,
    auth: MaybeAuth,
    Path(key): Path<String>,
) -> ApiResult<Json<LinkInfo>> {
    let (m, presenter_key) = open_link(&state, &key).await?;
    let role = role_for(&m, presenter_key, &auth);
    let organizer = state.store.user(m.organizer()).await?;
    Ok(Json(LinkInfo {
        meeting: m.id(),
        title: m.title.clone(),
        organizer_name: organizer.map(|u| u.name).unwrap_or_default(),
        role,
        starts_at: m.starts_at,
        time_zone: m.time_zone.clone(),
        needs_passcode: m.passcode.is_some() && role != MeetingRole::Organizer,
        allow_guests: guests_allowed(&state, &m).await?,
        signed_in_as: auth.0.map(|a| a.user.name),
    }))
}

/// Joins through a link: checks passcode and guest rules, and issues a join token.
#[utoipa::path(post, path = "/api/v1/links/{key}/join", tag = "joining", request_body = JoinRequest,
    params(("key" = String, Path, description = "the key at the end of a join link")),
    security((), ("session" = []), ("api_token" = [])),
    responses((status = 200, body = JoinResponse), (status = 403, response = Problem),
              (status = 404, response = Problem), (status = 410, response = Problem),
              (status = 422, response = Problem), (status = 429, response = Problem)))]
pub async fn join(
    State(state): State<AppState>,
    auth: MaybeAuth,
    peer: Peer,
    device: Device,
    Path(key): Path<String>,
    Json(req): Json<JoinRequest>,
) -> ApiResult<(HeaderMap, Json<JoinResponse>)> {
    // The body follows its rules whoever sends it (a signed-in user's name is ignored).
    let rule = |field, rule: rules::Text, value: Option<&str>| {
        value.map_or(Ok(()), |v| {
            rule.check(v)
                .map_err(|needs| ApiError::invalid(field, needs))
        })
    };
    rule(
        "display_name",
        rules::DISPLAY_NAME,
        req.display_name.as_deref(),
    )?;
    rule("passcode", rules::PASSCODE, req.passcode.as_deref())?;
    let guest = auth.0.is_none();
    if guest {
        state.joins.spend(peer)?;
    }
    let (m, presenter_key) = open_link(&state, &key).await?;
    let role = role_for(&m, presenter_key, &auth);
    let name = match &auth.0 {
        Some(a) => a.user.name.clone(),
        None => {
            if !guests_allowed(&state, &m).await? {
                return Err(ApiError::SignInRequired);
            }
            match req.display_name.as_deref() {
                Some(name) => name.trim().to_owned(),
                None => {
                    return Err(ApiError::invalid(
                        "display_name",
                        format!(
                            "enter your name, 1 to {} characters",
                            rules::DISPLAY_NAME.max
                        ),
                    ))
                }
            }
        }
    };
    let (device, device_cookie) = device.or_new(state.config.https());
    let device_hash = device.hash().filter(|_| guest);
    if let Some(hash) = &device_hash {
        if state.store.device_barred(m.tenant(), m.id(), hash).await? {
            return Err(ApiError::Forbidden("you were removed from this meeting"));
        }
    }
    if let (Some(expected), true) = (&m.passcode, role != MeetingRole::Organizer) {
        let reservation = state.passcodes.reserve(&m.id(), peer, &device)?;
        if !secrets::ct_eq(req.passcode.as_deref().unwrap_or("").trim(), expected) {
            state.passcodes.settle(reservation, Outcome::Wrong);
            return Err(ApiError::WrongPasscode);
        }
        let device_id = device.id();
        state.passcodes.settle(
            reservation,
            Outcome::Right {
                device: device_id.as_deref(),
            },
        );
    }
    let token = secrets::new_secret();
    let expires_at = Utc::now() + TimeDelta::hours(state.config.limits.join_token_ttl_hours as i64);
    state
        .store
        .create_seat(
            &secrets::secret_hash(&token),
            &NewSeat {
                tenant: m.tenant(),
                meeting: m.id(),
                participant: ParticipantId::new(),
                name: &name,
                role,
                user: auth.0.as_ref().map(|a| a.user.id()),
                expires_at,
                device_hash: device_hash.as_ref().map(|h| &h[..]),
            },
        )
        .await?;
    let mut headers = HeaderMap::new();
    if let Some(v) = device_cookie.and_then(|c| HeaderValue::try_from(c).ok()) {
        headers.insert(header::SET_COOKIE, v);
    }
    let body = JoinResponse {
        token,
        meeting: m.id(),
        role,
        expires_at,
    };
    Ok((headers, Json(body)))
}
