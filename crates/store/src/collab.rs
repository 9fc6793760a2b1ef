//! Shared documents' persistence ([`confab_collab::DocStore`]) over SQLite: the update
//! log (`collab_updates`) and the snapshot that replaces it (`collab_snapshots`).
//!
//! The collab crate calls these one at a time per document (one persister per room),
//! so `compact` may simply drop the whole log: every update in it is in the snapshot.

use confab_collab::{DocKey, DocName, DocStore, Stored};
use confab_proto::{MeetingId, TenantId};

use crate::{Store, StoreError};

impl Store {
    /// Deletes shared documents for good (their page or document was removed).
    pub async fn delete_shared_docs(
        &self,
        tenant: TenantId,
        meeting: MeetingId,
        names: &[DocName],
    ) -> Result<(), StoreError> {
        let mut tx = self.write.begin().await?;
        for &name in names {
            let key = DocKey {
                tenant,
                meeting,
                name,
            }
            .storage_key();
            for table in ["collab_updates", "collab_snapshots"] {
                sqlx::query(&format!(
                    "DELETE FROM {table} WHERE tenant_id = ? AND doc_key = ?"
                ))
                .bind(tenant.0)
                .bind(&key)
                .execute(&mut *tx)
                .await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }
}

impl DocStore for Store {
    type Error = StoreError;

    async fn load(&self, doc: &DocKey) -> Result<Stored, StoreError> {
        let key = doc.storage_key();
        let snapshot: Option<Vec<u8>> = sqlx::query_scalar(
            "SELECT state FROM collab_snapshots WHERE tenant_id = ? AND doc_key = ?",
        )
        .bind(doc.tenant.0)
        .bind(&key)
        .fetch_optional(&self.read)
        .await?;
        let updates: Vec<Vec<u8>> = sqlx::query_scalar(
            r#"SELECT "update" FROM collab_updates WHERE tenant_id = ? AND doc_key = ? ORDER BY seq"#,
        )
        .bind(doc.tenant.0)
        .bind(&key)
        .fetch_all(&self.read)
        .await?;
        Ok(Stored { snapshot, updates })
    }

    async fn append(&self, doc: &DocKey, update: &[u8]) -> Result<(), StoreError> {
        // One writer connection: reading the next seq and inserting cannot interleave.
        sqlx::query(
            r#"INSERT INTO collab_updates (tenant_id, doc_key, seq, "update")
               SELECT ?1, ?2, COALESCE(MAX(seq), 0) + 1, ?3 FROM collab_updates
               WHERE tenant_id = ?1 AND doc_key = ?2"#,
        )
        .bind(doc.tenant.0)
        .bind(doc.storage_key())
        .bind(update)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    async fn compact(&self, doc: &DocKey, snapshot: &[u8]) -> Result<(), StoreError> {
        let key = doc.storage_key();
        let mut tx = self.write.begin().await?;
        sqlx::query(
            "INSERT INTO collab_snapshots (tenant_id, doc_key, state) VALUES (?, ?, ?)
             ON CONFLICT (tenant_id, doc_key) DO UPDATE SET state = excluded.state",
        )
        .bind(doc.tenant.0)
        .bind(&key)
        .bind(snapshot)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM collab_updates WHERE tenant_id = ? AND doc_key = ?")
            .bind(doc.tenant.0)
            .bind(&key)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use confab_proto::Policy;

    use super::*;

    #[tokio::test]
    async fn the_log_and_snapshot_survive_reopening_and_stay_per_document() {
        let dir = std::env::temp_dir().join(format!("confab-collab-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("confab.db");
        let s = Store::open_sqlite(&path).await.unwrap();
        let t = s
            .create_tenant("Acme", "eu", &Policy::default())
            .await
            .unwrap();
        let key = |name| DocKey {
            tenant: t.id(),
            meeting: MeetingId::new(),
            name,
        };
        let (a, b) = (
            key(DocName::Board(uuid::Uuid::now_v7())),
            key(DocName::Text(uuid::Uuid::now_v7())),
        );
        assert_eq!(s.load(&a).await.unwrap(), Stored::default());
        s.append(&a, b"one").await.unwrap();
        s.append(&a, b"two").await.unwrap();
        s.append(&b, b"other").await.unwrap();
        s.compact(&a, b"snap").await.unwrap();
        s.append(&a, b"three").await.unwrap();
        s.close().await;

        let s = Store::open_sqlite(&path).await.unwrap();
        assert_eq!(
            s.load(&a).await.unwrap(),
            Stored {
                snapshot: Some(b"snap".to_vec()),
                updates: vec![b"three".to_vec()],
            }
        );
        assert_eq!(s.load(&b).await.unwrap().updates, vec![b"other".to_vec()]);
        s.compact(&a, b"snap2").await.unwrap();
        assert_eq!(
            s.load(&a).await.unwrap().snapshot.as_deref(),
            Some(&b"snap2"[..])
        );
        s.append(&a, b"four").await.unwrap();
        // Deleting one document (log and snapshot) leaves the other alone.
        s.delete_shared_docs(a.tenant, a.meeting, &[a.name])
            .await
            .unwrap();
        assert_eq!(s.load(&a).await.unwrap(), Stored::default());
        assert_eq!(s.load(&b).await.unwrap().updates, vec![b"other".to_vec()]);
        s.close().await;
        let _ = std::fs::remove_dir_all(dir);
    }
}
