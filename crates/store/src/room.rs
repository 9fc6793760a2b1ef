//! What a live meeting keeps across restarts: chat, lock, attendee permissions, bans.

use confab_proto::{
    room::ChatMessage, AttendeePermissions, MeetingId, ParticipantId, TenantId, UserId,
};
use uuid::Uuid;

use crate::{from_json, json, Result, Store};

/// The durable part of a live meeting's state.
#[derive(Clone, Debug, Default)]
pub struct RoomState {
    pub permissions: Option<AttendeePermissions>,
    pub locked: bool,
    pub barred_seats: Vec<ParticipantId>,
    pub barred_users: Vec<UserId>,
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
    pub async fn chat(&self, meeting: MeetingId, limit: u32) -> Result<Vec<ChatMessage>> {
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT message FROM (SELECT id, message FROM chat_messages WHERE meeting_id = ?
               ORDER BY id DESC LIMIT ?) ORDER BY id",
        )
        .bind(meeting.0)
        .bind(limit)
        .fetch_all(&self.read)
        .await?;
        rows.iter()
            .map(|(m,)| from_json(m, "chat message"))
            .collect()
    }

    pub async fn room_state(&self, meeting: MeetingId) -> Result<RoomState> {
        let row: Option<(Option<String>, bool)> =
            sqlx::query_as("SELECT permissions, locked FROM room_state WHERE meeting_id = ?")
                .bind(meeting.0)
                .fetch_optional(&self.read)
                .await?;
        let (permissions, locked) = match row {
            Some((p, locked)) => (
                p.map(|p| from_json(&p, "room permissions")).transpose()?,
                locked,
            ),
            None => (None, false),
        };
        let bans: Vec<(Uuid, Option<Uuid>)> =
            sqlx::query_as("SELECT participant_id, user_id FROM bans WHERE meeting_id = ?")
                .bind(meeting.0)
                .fetch_all(&self.read)
                .await?;
        Ok(RoomState {
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
        sqlx::query(
            "INSERT OR IGNORE INTO bans (meeting_id, tenant_id, participant_id, user_id) VALUES (?, ?, ?, ?)",
        )
        .bind(meeting.0)
        .bind(tenant.0)
        .bind(seat.0)
        .bind(user.map(|u| u.0))
        .execute(&self.write)
        .await?;
        Ok(())
    }

    /// Unlocks a meeting whose live session ended, so its next session can be joined.
    /// Chat history and bans stay.
    pub async fn clear_room_state(&self, meeting: MeetingId) -> Result<()> {
        sqlx::query("UPDATE room_state SET locked = 0 WHERE meeting_id = ?")
            .bind(meeting.0)
            .execute(&self.write)
            .await?;
        Ok(())
    }
}
