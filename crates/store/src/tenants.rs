//! Tenants (organisations), each in one region, with its conferencing policy.

use chrono::{DateTime, Utc};
use confab_proto::{rest::TenantView, Policy, TenantId};
use sqlx::FromRow;
use uuid::Uuid;

use crate::{from_json, json, Result, Store};

#[derive(Clone, Debug, FromRow)]
pub struct TenantRow {
    pub id: Uuid,
    pub name: String,
    pub region: String,
    pub policy: String,
    pub created_at: DateTime<Utc>,
}

impl TenantRow {
    pub fn id(&self) -> TenantId {
        TenantId(self.id)
    }

    pub fn policy(&self) -> Result<Policy> {
        from_json(&self.policy, "tenant policy")
    }

    pub fn view(&self) -> Result<TenantView> {
        Ok(TenantView {
            id: self.id(),
            name: self.name.clone(),
            region: self.region.clone(),
            policy: self.policy()?,
            created_at: self.created_at,
        })
    }
}

impl Store {
    pub async fn create_tenant(
        &self,
        name: &str,
        region: &str,
        policy: &Policy,
    ) -> Result<TenantRow> {
        let row = TenantRow {
            id: TenantId::new().0,
            name: name.to_owned(),
            region: region.to_owned(),
            policy: json(policy),
            created_at: Utc::now(),
        };
        sqlx::query(
            "INSERT INTO tenants (id, name, region, policy, created_at) VALUES (?, ?, ?, ?, ?)",
        )
        .bind(row.id)
        .bind(&row.name)
        .bind(&row.region)
        .bind(&row.policy)
        .bind(row.created_at)
        .execute(&self.write)
        .await?;
        Ok(row)
    }

    pub async fn tenant(&self, id: TenantId) -> Result<Option<TenantRow>> {
        Ok(sqlx::query_as("SELECT * FROM tenants WHERE id = ?")
            .bind(id.0)
            .fetch_optional(&self.read)
            .await?)
    }

    pub async fn tenants(&self) -> Result<Vec<TenantRow>> {
        Ok(sqlx::query_as("SELECT * FROM tenants ORDER BY created_at")
            .fetch_all(&self.read)
            .await?)
    }

    pub async fn tenant_count(&self) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM tenants")
            .fetch_one(&self.read)
            .await?)
    }

    pub async fn set_policy(&self, id: TenantId, policy: &Policy) -> Result<bool> {
        let r = sqlx::query("UPDATE tenants SET policy = ? WHERE id = ?")
            .bind(json(policy))
            .bind(id.0)
            .execute(&self.write)
            .await?;
        Ok(r.rows_affected() == 1)
    }
}
