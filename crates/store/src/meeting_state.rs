//! What a live meeting keeps across restarts: chat, lock, attendee permissions, bans,
//! admissions and the stage (in the table `room_state`, as the first schema named it).

use confab_proto::{
    content::Stage, room::ChatMessage, AttendeePermissions, MeetingId, MeetingRole, ParticipantId,
    TenantId, UserId,
};
use uuid::Uuid;

use crate::{from_json, json, Result, Store, StoreError};

/// The durable part of a live meeting's state.
#[derive(Clone, Debug, Default)]
pub struct MeetingState {
    pub permissions: Option<AttendeePermissions>,
    pub locked: bool,
    pub barred_seats: Vec<ParticipantId>,
    pub barred_users: Vec<UserId>,
    /// Seats let in, with their current role.
    pub admitted: Vec<(ParticipantId, MeetingRole)>,
    pub stage: Option<Stage>,
}

impl Store {
    /// Appends chat messages in one transaction (the meeting actor batches them).
    pub async fn append_chat(
        &self,
        tenant: TenantId,
        meeting: MeetingId,
        msgs: &[ChatMessage],
    ) -> Result<()> {
        let mut tx = self.write.begin().await?;
        for m in msgs {
            sqlx::query(
                "INSERT OR IGNORE INTO chat_messages (tenant_id, meeting_id, id, message, sent_at)
                 VALUES (?, ?, ?, ?, ?)",
            )
            .bind(tenant.0)
            .bind(meeting.0)
            .bind(m.id as i64)
            .bind(json(m))
            .bind(m.sent_at)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The latest `limit` messages of a meeting, oldest first.
    pub async fn chat(
        &self,
        tenant: TenantId,
        meeting: MeetingId,
        limit: u32,
    ) -> Result<Vec<ChatMessage>> {
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT message FROM (SELECT id, message FROM chat_messages
               WHERE tenant_id = ? AND meeting_id = ? ORDER BY id DESC LIMIT ?) ORDER BY id",
        )
        .bind(tenant.0)
        .bind(meeting.0)
        .bind(limit)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|(m,)| from_json(m, "chat message"))
            .collect()
    }

    pub async fn meeting_state(
        &self,
        tenant: TenantId,
        meeting: MeetingId,
    ) -> Result<MeetingState> {
        let row: Option<(Option<String>, bool, Option<String>)> = sqlx::query_as(
            "SELECT permissions, locked, stage FROM room_state WHERE tenant_id = ? AND meeting_id = ?",
        )
        .bind(tenant.0)
        .bind(meeting.0)
        .fetch_optional(&self.read)
        .await?;
        let (permissions, locked, stage) = match row {
            Some((p, locked, stage)) => (
                p.map(|p| from_json(&p, "room permissions")).transpose()?,
                locked,
                stage.map(|s| from_json(&s, "stage")).transpose()?,
            ),
            None => (None, false, None),
        };
        let bans: Vec<(Uuid, Option<Uuid>)> = sqlx::query_as(
            "SELECT participant_id, user_id FROM bans WHERE tenant_id = ? AND meeting_id = ?",
        )
        .bind(tenant.0)
        .bind(meeting.0)
        .fetch_all(&self.read)
        .await?;
        let admitted: Vec<(Uuid, Option<String>)> = sqlx::query_as(
            "SELECT participant_id, live_role FROM seats
             WHERE tenant_id = ? AND meeting_id = ? AND admitted = 1",
        )
        .bind(tenant.0)
        .bind(meeting.0)
        .fetch_all(&self.read)
        .await?;
        let admitted = admitted
            .into_iter()
            .map(|(p, role)| {
                let role = role.as_deref().and_then(MeetingRole::parse);
                role.map(|r| (ParticipantId(p), r))
                    .ok_or(StoreError::Corrupt("seat role"))
            })
            .collect::<Result<_>>()?;
        Ok(MeetingState {
            admitted,
            stage,
            permissions,
            locked,
            barred_seats: bans.iter().map(|(p, _)| ParticipantId(*p)).collect(),
            barred_users: bans.iter().filter_map(|(_, u)| u.map(UserId)).collect(),
        })
    }

    pub async fn save_permissions(
        &self,
        tenant: TenantId,
        meeting: MeetingId,
        p: &AttendeePermissions,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO room_state (meeting_id, tenant_id, permissions) VALUES (?, ?, ?)
             ON CONFLICT (meeting_id) DO UPDATE SET permissions = excluded.permissions",
        )
        .bind(meeting.0)
        .bind(tenant.0)
        .bind(json(p))
        .execute(&self.write)
        .await?;
        Ok(())
    }

    pub async fn save_locked(
        &self,
        tenant: TenantId,
        meeting: MeetingId,
        locked: bool,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO room_state (meeting_id, tenant_id, locked) VALUES (?, ?, ?)
             ON CONFLICT (meeting_id) DO UPDATE SET locked = excluded.locked",
        )
        .bind(meeting.0)
        .bind(tenant.0)
        .bind(locked)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    pub async fn add_ban(
        &self,
        tenant: TenantId,
        meeting: MeetingId,
        seat: ParticipantId,
        user: Option<UserId>,
    ) -> Result<()> {
        // The seat's device (a guest's browser) is barred with it. Its join token stays
        // valid so that using it says "barred" (the meeting refuses it) rather than
        // "unknown token".
        sqlx::query(
            "INSERT OR IGNORE INTO bans (meeting_id, tenant_id, participant_id, user_id, device_hash)
             VALUES (?1, ?2, ?3, ?4, (SELECT device_hash FROM seats
                                      WHERE participant_id = ?3 AND meeting_id = ?1 AND tenant_id = ?2))",
        )
        .bind(meeting.0)
        .bind(tenant.0)
        .bind(seat.0)
        .bind(user.map(|u| u.0))
        .execute(&self.write)
        .await?;
        Ok(())
    }

    /// Whether a guest's device was barred from this meeting.
    pub async fn device_barred(
        &self,
        tenant: TenantId,
        meeting: MeetingId,
        device_hash: &[u8],
    ) -> Result<bool> {
        Ok(sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM bans WHERE tenant_id = ? AND meeting_id = ? AND device_hash = ?",
        )
        .bind(tenant.0)
        .bind(meeting.0)
        .bind(device_hash)
        .fetch_one(&self.read)
        .await?
            > 0)
    }

    /// Records whether a seat is let in, and with which role. The role is also what its join
    /// token grants from now on: a presenter made attendee does not present again by
    /// reconnecting after the meeting restarts.
    pub async fn set_seat_admission(
        &self,
        tenant: TenantId,
        meeting: MeetingId,
        seat: ParticipantId,
        role: MeetingRole,
        admitted: bool,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE seats SET admitted = ?1, live_role = ?2, role = ?2
             WHERE participant_id = ?3 AND meeting_id = ?4 AND tenant_id = ?5",
        )
        .bind(admitted)
        .bind(role.as_str())
        .bind(seat.0)
        .bind(meeting.0)
        .bind(tenant.0)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    /// Resets a meeting whose live session ended, so its next session starts afresh:
    /// unlocked, nobody let in. Chat history and bans stay.
    pub async fn clear_meeting_state(&self, tenant: TenantId, meeting: MeetingId) -> Result<()> {
        sqlx::query("UPDATE room_state SET locked = 0 WHERE tenant_id = ? AND meeting_id = ?")
            .bind(tenant.0)
            .bind(meeting.0)
            .execute(&self.write)
            .await?;
        sqlx::query("UPDATE seats SET admitted = 0 WHERE tenant_id = ? AND meeting_id = ?")
            .bind(tenant.0)
            .bind(meeting.0)
            .execute(&self.write)
            .await?;
        Ok(())
    }
}
