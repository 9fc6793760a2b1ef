//! Meetings: schedule, settings, join-link keys and status.

use chrono::{DateTime, Utc};
use confab_core::schedule::{self, Schedule};
use confab_proto::{rest::MeetingStatus, MeetingId, TenantId, UserId};
use sqlx::FromRow;
use uuid::Uuid;

use crate::{from_json, json, Result, Store, StoreError};

#[derive(Clone, Debug, FromRow)]
pub struct MeetingRow {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub organizer_id: Uuid,
    pub title: String,
    pub description: String,
    pub start_local: String,
    pub end_local: String,
    pub time_zone: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub passcode: Option<String>,
    pub lobby: bool,
    pub allow_guests: bool,
    pub wait_for_presenter: bool,
    pub presenters: String,
    pub instant: bool,
    pub status: String,
    pub presenter_key: String,
    pub attendee_key: String,
    pub sequence: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl MeetingRow {
    pub fn id(&self) -> MeetingId {
        MeetingId(self.id)
    }

    pub fn tenant(&self) -> TenantId {
        TenantId(self.tenant_id)
    }

    pub fn organizer(&self) -> UserId {
        UserId(self.organizer_id)
    }

    pub fn presenters(&self) -> Result<Vec<String>> {
        from_json(&self.presenters, "meeting presenters")
    }

    pub fn status(&self) -> Result<MeetingStatus> {
        Ok(match self.status.as_str() {
            "scheduled" => MeetingStatus::Scheduled,
            "ended" => MeetingStatus::Ended,
            "cancelled" => MeetingStatus::Cancelled,
            _ => return Err(StoreError::Corrupt("meeting status")),
        })
    }
}

type Query<'q> = sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments<'q>>;

/// Binds a meeting's schedule and settings, in the column order both statements use.
fn bind_schedule<'q>(q: Query<'q>, m: &'q Schedule) -> Query<'q> {
    q.bind(&m.title)
        .bind(&m.description)
        .bind(schedule::format_local(m.start_local))
        .bind(schedule::format_local(m.end_local))
        .bind(m.time_zone.name())
        .bind(m.starts_at)
        .bind(m.ends_at)
        .bind(&m.passcode)
        .bind(m.lobby)
        .bind(m.allow_guests)
        .bind(m.wait_for_presenter)
        .bind(json(&m.presenters))
}

fn status_str(s: MeetingStatus) -> &'static str {
    match s {
        MeetingStatus::Scheduled => "scheduled",
        MeetingStatus::Ended => "ended",
        MeetingStatus::Cancelled => "cancelled",
    }
}

impl Store {
    /// Saves a new meeting with the given link keys.
    pub async fn create_meeting(
        &self,
        tenant: TenantId,
        organizer: UserId,
        m: &Schedule,
        instant: bool,
        keys: (&str, &str),
    ) -> Result<MeetingRow> {
        let id = MeetingId::new();
        let now = Utc::now();
        let q = sqlx::query(
            "INSERT INTO meetings (title, description, start_local, end_local, time_zone, starts_at,
               ends_at, passcode, lobby, allow_guests, wait_for_presenter, presenters,
               id, tenant_id, organizer_id, instant, status, presenter_key, attendee_key, sequence,
               created_at, updated_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'scheduled', ?, ?, 0, ?, ?)",
        );
        bind_schedule(q, m)
            .bind(id.0)
            .bind(tenant.0)
            .bind(organizer.0)
            .bind(instant)
            .bind(keys.0)
            .bind(keys.1)
            .bind(now)
            .bind(now)
            .execute(&self.write)
            .await?;
        self.meeting(id)
            .await?
            .ok_or(StoreError::Corrupt("meeting just inserted"))
    }

    /// A meeting by id alone: for callers that authorise against the row's tenant next
    /// (REST management, where provider admins act across tenants). Everything reached
    /// through a join token uses [`Store::meeting_in`].
    pub async fn meeting(&self, id: MeetingId) -> Result<Option<MeetingRow>> {
        Ok(sqlx::query_as("SELECT * FROM meetings WHERE id = ?")
            .bind(id.0)
            .fetch_optional(&self.read)
            .await?)
    }

    /// A meeting of `tenant`.
    pub async fn meeting_in(&self, tenant: TenantId, id: MeetingId) -> Result<Option<MeetingRow>> {
        Ok(
            sqlx::query_as("SELECT * FROM meetings WHERE id = ? AND tenant_id = ?")
                .bind(id.0)
                .bind(tenant.0)
                .fetch_optional(&self.read)
                .await?,
        )
    }

    /// The meeting a join-link key opens, and whether it is the presenter key.
    pub async fn meeting_by_key(&self, key: &str) -> Result<Option<(MeetingRow, bool)>> {
        let row: Option<MeetingRow> =
            sqlx::query_as("SELECT * FROM meetings WHERE presenter_key = ? OR attendee_key = ?")
                .bind(key)
                .bind(key)
                .fetch_optional(&self.read)
                .await?;
        Ok(row.map(|m| {
            let presenter = m.presenter_key == key;
            (m, presenter)
        }))
    }

    /// Meetings `user` organizes or is a named presenter of, latest start first.
    pub async fn meetings_for(
        &self,
        tenant: TenantId,
        user: UserId,
        email: &str,
    ) -> Result<Vec<MeetingRow>> {
        Ok(sqlx::query_as(
            "SELECT * FROM meetings m WHERE m.tenant_id = ? AND (m.organizer_id = ?
               OR EXISTS (SELECT 1 FROM json_each(m.presenters) WHERE value = ?))
             ORDER BY m.starts_at DESC LIMIT 500",
        )
        .bind(tenant.0)
        .bind(user.0)
        .bind(email)
        .fetch_all(&self.read)
        .await?)
    }

    /// Replaces a meeting's schedule and settings; bumps its iCalendar sequence.
    pub async fn update_meeting(
        &self,
        tenant: TenantId,
        id: MeetingId,
        m: &Schedule,
    ) -> Result<Option<MeetingRow>> {
        let q = sqlx::query(
            "UPDATE meetings SET title = ?, description = ?, start_local = ?, end_local = ?, time_zone = ?,
               starts_at = ?, ends_at = ?, passcode = ?, lobby = ?, allow_guests = ?, wait_for_presenter = ?,
               presenters = ?, sequence = sequence + 1, updated_at = ?
             WHERE id = ? AND tenant_id = ?",
        );
        bind_schedule(q, m)
            .bind(Utc::now())
            .bind(id.0)
            .bind(tenant.0)
            .execute(&self.write)
            .await?;
        self.meeting_in(tenant, id).await
    }

    /// Sets the status; bumps the sequence so calendars pick up a cancellation.
    pub async fn set_meeting_status(
        &self,
        tenant: TenantId,
        id: MeetingId,
        status: MeetingStatus,
    ) -> Result<Option<MeetingRow>> {
        sqlx::query(
            "UPDATE meetings SET status = ?, sequence = sequence + 1, updated_at = ?
             WHERE id = ? AND tenant_id = ?",
        )
        .bind(status_str(status))
        .bind(Utc::now())
        .bind(id.0)
        .bind(tenant.0)
        .execute(&self.write)
        .await?;
        self.meeting_in(tenant, id).await
    }

    /// Marks a meeting ended unless it was already cancelled or ended.
    pub async fn mark_ended(&self, tenant: TenantId, id: MeetingId) -> Result<()> {
        sqlx::query(
            "UPDATE meetings SET status = 'ended', sequence = sequence + 1, updated_at = ?
             WHERE id = ? AND tenant_id = ? AND status = 'scheduled'",
        )
        .bind(Utc::now())
        .bind(id.0)
        .bind(tenant.0)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    /// Replaces both link keys: the old links stop working at once.
    pub async fn rotate_keys(
        &self,
        tenant: TenantId,
        id: MeetingId,
        keys: (&str, &str),
    ) -> Result<Option<MeetingRow>> {
        sqlx::query(
            "UPDATE meetings SET presenter_key = ?, attendee_key = ?, sequence = sequence + 1, updated_at = ?
             WHERE id = ? AND tenant_id = ?",
        )
        .bind(keys.0)
        .bind(keys.1)
        .bind(Utc::now())
        .bind(id.0)
        .bind(tenant.0)
        .execute(&self.write)
        .await?;
        self.meeting_in(tenant, id).await
    }
}
