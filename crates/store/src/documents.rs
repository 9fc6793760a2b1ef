//! Documents shared in meetings (their metadata; pages live in the blob store).

use chrono::Utc;
use confab_proto::{
    content::{DocumentInfo, Stage},
    DocumentId, MeetingId, TenantId,
};

use crate::{from_json, json, Result, Store};

impl Store {
    /// Saves a document's current state (insert, or update as conversion progresses).
    pub async fn save_document(
        &self,
        tenant: TenantId,
        meeting: MeetingId,
        doc: &DocumentInfo,
        bytes: u64,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO documents (id, tenant_id, meeting_id, info, bytes, created_at) VALUES (?, ?, ?, ?, ?, ?)
             ON CONFLICT (id) DO UPDATE SET info = excluded.info",
        )
        .bind(doc.id.0)
        .bind(tenant.0)
        .bind(meeting.0)
        .bind(json(doc))
        .bind(bytes as i64)
        .bind(Utc::now())
        .execute(&self.write)
        .await?;
        Ok(())
    }

    /// A meeting's documents, in upload order.
    pub async fn documents(
        &self,
        tenant: TenantId,
        meeting: MeetingId,
    ) -> Result<Vec<DocumentInfo>> {
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT info FROM documents WHERE tenant_id = ? AND meeting_id = ?
             ORDER BY created_at, id",
        )
        .bind(tenant.0)
        .bind(meeting.0)
        .fetch_all(&self.read)
        .await?;
        rows.iter().map(|(i,)| from_json(i, "document")).collect()
    }

    pub async fn delete_document(
        &self,
        tenant: TenantId,
        meeting: MeetingId,
        id: DocumentId,
    ) -> Result<()> {
        sqlx::query("DELETE FROM documents WHERE tenant_id = ? AND meeting_id = ? AND id = ?")
            .bind(tenant.0)
            .bind(meeting.0)
            .bind(id.0)
            .execute(&self.write)
            .await?;
        Ok(())
    }

    /// Bytes uploaded to a meeting so far (documents still present).
    pub async fn uploaded_bytes(&self, tenant: TenantId, meeting: MeetingId) -> Result<u64> {
        let sum: Option<i64> = sqlx::query_scalar(
            "SELECT SUM(bytes) FROM documents WHERE tenant_id = ? AND meeting_id = ?",
        )
        .bind(tenant.0)
        .bind(meeting.0)
        .fetch_one(&self.read)
        .await?;
        Ok(sum.unwrap_or(0).max(0) as u64)
    }

    /// Saves one page's speaker notes.
    pub async fn save_notes(
        &self,
        tenant: TenantId,
        doc: DocumentId,
        page: u32,
        notes: &str,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO document_notes (document_id, page, tenant_id, notes) VALUES (?, ?, ?, ?)
             ON CONFLICT (document_id, page) DO UPDATE SET notes = excluded.notes",
        )
        .bind(doc.0)
        .bind(page)
        .bind(tenant.0)
        .bind(notes)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    /// Speaker notes by page index of a document of this meeting (none for a document of
    /// any other meeting or tenant: the id alone opens nothing).
    pub async fn notes(
        &self,
        tenant: TenantId,
        meeting: MeetingId,
        doc: DocumentId,
    ) -> Result<Vec<(u32, String)>> {
        Ok(sqlx::query_as(
            "SELECT n.page, n.notes FROM document_notes n
               JOIN documents d ON d.id = n.document_id
             WHERE n.document_id = ? AND d.meeting_id = ? AND d.tenant_id = ? AND n.tenant_id = ?
             ORDER BY n.page",
        )
        .bind(doc.0)
        .bind(meeting.0)
        .bind(tenant.0)
        .bind(tenant.0)
        .fetch_all(&self.read)
        .await?)
    }

    pub async fn save_stage(
        &self,
        tenant: TenantId,
        meeting: MeetingId,
        stage: Option<Stage>,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO room_state (meeting_id, tenant_id, stage) VALUES (?, ?, ?)
             ON CONFLICT (meeting_id) DO UPDATE SET stage = excluded.stage",
        )
        .bind(meeting.0)
        .bind(tenant.0)
        .bind(stage.map(|s| json(&s)))
        .execute(&self.write)
        .await?;
        Ok(())
    }
}
