//! Seats: what a join token grants (meeting, participant id, name, role).

use chrono::{DateTime, Utc};
use confab_proto::{MeetingId, MeetingRole, ParticipantId, TenantId, UserId};
use sqlx::FromRow;
use uuid::Uuid;

use crate::{Result, Store, StoreError};

#[derive(Clone, Debug, FromRow)]
pub struct SeatRow {
    pub tenant_id: Uuid,
    pub meeting_id: Uuid,
    pub participant_id: Uuid,
    pub name: String,
    pub role: String,
    pub user_id: Option<Uuid>,
    pub expires_at: DateTime<Utc>,
}

impl SeatRow {
    pub fn meeting(&self) -> MeetingId {
        MeetingId(self.meeting_id)
    }

    pub fn participant(&self) -> ParticipantId {
        ParticipantId(self.participant_id)
    }

    pub fn user(&self) -> Option<UserId> {
        self.user_id.map(UserId)
    }

    pub fn role(&self) -> Result<MeetingRole> {
        MeetingRole::parse(&self.role).ok_or(StoreError::Corrupt("seat role"))
    }
}

impl Store {
    #[allow(clippy::too_many_arguments)]
    pub async fn create_seat(
        &self,
        token_hash: &[u8],
        tenant: TenantId,
        meeting: MeetingId,
        participant: ParticipantId,
        name: &str,
        role: MeetingRole,
        user: Option<UserId>,
        expires_at: DateTime<Utc>,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO seats (token_hash, tenant_id, meeting_id, participant_id, name, role, user_id, expires_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(token_hash)
        .bind(tenant.0)
        .bind(meeting.0)
        .bind(participant.0)
        .bind(name)
        .bind(role.as_str())
        .bind(user.map(|u| u.0))
        .bind(expires_at)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    /// The seat of an unexpired join token.
    pub async fn seat(&self, token_hash: &[u8], now: DateTime<Utc>) -> Result<Option<SeatRow>> {
        Ok(sqlx::query_as(
            "SELECT tenant_id, meeting_id, participant_id, name, role, user_id, expires_at
             FROM seats WHERE token_hash = ? AND expires_at > ?",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&self.read)
        .await?)
    }
}
