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
    pub fn tenant(&self) -> TenantId {
        TenantId(self.tenant_id)
    }

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

/// What a new seat is: who joined, as what, until when, from which device.
#[derive(Clone, Debug)]
pub struct NewSeat<'a> {
    pub tenant: TenantId,
    pub meeting: MeetingId,
    pub participant: ParticipantId,
    pub name: &'a str,
    pub role: MeetingRole,
    pub user: Option<UserId>,
    pub expires_at: DateTime<Utc>,
    /// SHA-256 of the joining browser's device cookie (guests), for bars.
    pub device_hash: Option<&'a [u8]>,
}

impl Store {
    pub async fn create_seat(&self, token_hash: &[u8], seat: &NewSeat<'_>) -> Result<()> {
        sqlx::query(
            "INSERT INTO seats (token_hash, tenant_id, meeting_id, participant_id, name, role, user_id,
               expires_at, device_hash)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(token_hash)
        .bind(seat.tenant.0)
        .bind(seat.meeting.0)
        .bind(seat.participant.0)
        .bind(seat.name)
        .bind(seat.role.as_str())
        .bind(seat.user.map(|u| u.0))
        .bind(seat.expires_at)
        .bind(seat.device_hash)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    /// Ends every join token of a meeting except those of `keep` (the organizer, whose
    /// right does not come from a link); returns the seats whose tokens ended, so that
    /// their open connections can be closed too. Used when the links are replaced.
    pub async fn revoke_seats(
        &self,
        tenant: TenantId,
        meeting: MeetingId,
        keep: UserId,
    ) -> Result<Vec<ParticipantId>> {
        let ended: Vec<(Uuid,)> = sqlx::query_as(
            "UPDATE seats SET expires_at = ?, admitted = 0
             WHERE tenant_id = ? AND meeting_id = ? AND user_id IS NOT ? AND expires_at > ?
             RETURNING participant_id",
        )
        .bind(DateTime::<Utc>::UNIX_EPOCH)
        .bind(tenant.0)
        .bind(meeting.0)
        .bind(keep.0)
        .bind(DateTime::<Utc>::UNIX_EPOCH)
        .fetch_all(&self.write)
        .await?;
        Ok(ended.into_iter().map(|(p,)| ParticipantId(p)).collect())
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
