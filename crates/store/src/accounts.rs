//! Users, their sign-in sessions and their API tokens.

use chrono::{DateTime, Utc};
use confab_proto::{
    rest::{ApiTokenView, UserView},
    AccountRole, ApiTokenId, TenantId, UserId,
};
use sqlx::FromRow;
use uuid::Uuid;

use crate::{conflict, Result, Store, StoreError};

#[derive(Clone, Debug, FromRow)]
pub struct UserRow {
    pub id: Uuid,
    pub tenant_id: Uuid,
    pub email: String,
    pub name: String,
    pub role: String,
    pub password_hash: String,
    pub created_at: DateTime<Utc>,
}

impl UserRow {
    pub fn id(&self) -> UserId {
        UserId(self.id)
    }

    pub fn tenant(&self) -> TenantId {
        TenantId(self.tenant_id)
    }

    pub fn role(&self) -> Result<AccountRole> {
        AccountRole::parse(&self.role).ok_or(StoreError::Corrupt("user role"))
    }

    pub fn view(&self) -> Result<UserView> {
        Ok(UserView {
            id: self.id(),
            tenant: self.tenant(),
            email: self.email.clone(),
            name: self.name.clone(),
            role: self.role()?,
            created_at: self.created_at,
        })
    }
}

#[derive(Clone, Debug, FromRow)]
pub struct ApiTokenRow {
    pub id: Uuid,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
}

impl ApiTokenRow {
    pub fn view(&self) -> ApiTokenView {
        ApiTokenView {
            id: ApiTokenId(self.id),
            name: self.name.clone(),
            created_at: self.created_at,
            last_used_at: self.last_used_at,
            expires_at: self.expires_at,
        }
    }
}

impl Store {
    /// Creates a user; `email` must already be normalised (trimmed, lower-case).
    pub async fn create_user(
        &self,
        tenant: TenantId,
        email: &str,
        name: &str,
        role: AccountRole,
        password_hash: &str,
    ) -> Result<UserRow> {
        let row = UserRow {
            id: UserId::new().0,
            tenant_id: tenant.0,
            email: email.to_owned(),
            name: name.to_owned(),
            role: role.as_str().to_owned(),
            password_hash: password_hash.to_owned(),
            created_at: Utc::now(),
        };
        sqlx::query(
            "INSERT INTO users (id, tenant_id, email, name, role, password_hash, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(row.id)
        .bind(row.tenant_id)
        .bind(&row.email)
        .bind(&row.name)
        .bind(&row.role)
        .bind(&row.password_hash)
        .bind(row.created_at)
        .execute(&self.write)
        .await
        .map_err(conflict(
            "a user with this e-mail address in this organisation",
        ))?;
        Ok(row)
    }

    pub async fn user(&self, id: UserId) -> Result<Option<UserRow>> {
        Ok(sqlx::query_as("SELECT * FROM users WHERE id = ?")
            .bind(id.0)
            .fetch_optional(&self.read)
            .await?)
    }

    /// The users with this (normalised) address, one per organisation that has it, oldest
    /// first. Sign-in has no organisation to go by, so it tries each.
    pub async fn users_by_email(&self, email: &str) -> Result<Vec<UserRow>> {
        Ok(
            sqlx::query_as("SELECT * FROM users WHERE email = ? ORDER BY created_at, id")
                .bind(email)
                .fetch_all(&self.read)
                .await?,
        )
    }

    pub async fn users(&self, tenant: TenantId) -> Result<Vec<UserRow>> {
        Ok(
            sqlx::query_as("SELECT * FROM users WHERE tenant_id = ? ORDER BY email")
                .bind(tenant.0)
                .fetch_all(&self.read)
                .await?,
        )
    }

    pub async fn create_session(
        &self,
        token_hash: &[u8],
        user: &UserRow,
        expires_at: DateTime<Utc>,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO sessions (token_hash, tenant_id, user_id, expires_at) VALUES (?, ?, ?, ?)",
        )
        .bind(token_hash)
        .bind(user.tenant_id)
        .bind(user.id)
        .bind(expires_at)
        .execute(&self.write)
        .await?;
        Ok(())
    }

    /// The user of an unexpired session.
    pub async fn session_user(
        &self,
        token_hash: &[u8],
        now: DateTime<Utc>,
    ) -> Result<Option<UserRow>> {
        Ok(sqlx::query_as(
            "SELECT u.* FROM sessions s JOIN users u ON u.id = s.user_id
             WHERE s.token_hash = ? AND s.expires_at > ?",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&self.read)
        .await?)
    }

    /// Ends every session of `user` except `keep` (the one changing the password).
    pub async fn end_other_sessions(&self, user: UserId, keep: Option<&[u8]>) -> Result<u64> {
        let r = sqlx::query("DELETE FROM sessions WHERE user_id = ? AND token_hash IS NOT ?")
            .bind(user.0)
            .bind(keep)
            .execute(&self.write)
            .await?;
        Ok(r.rows_affected())
    }

    pub async fn delete_session(&self, token_hash: &[u8]) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = ?")
            .bind(token_hash)
            .execute(&self.write)
            .await?;
        Ok(())
    }

    pub async fn create_api_token(
        &self,
        user: &UserRow,
        name: &str,
        token_hash: &[u8],
        expires_at: Option<DateTime<Utc>>,
    ) -> Result<ApiTokenRow> {
        let row = ApiTokenRow {
            id: ApiTokenId::new().0,
            name: name.to_owned(),
            created_at: Utc::now(),
            last_used_at: None,
            expires_at,
        };
        sqlx::query(
            "INSERT INTO api_tokens (id, tenant_id, user_id, name, token_hash, created_at, expires_at)
             VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(row.id)
        .bind(user.tenant_id)
        .bind(user.id)
        .bind(&row.name)
        .bind(token_hash)
        .bind(row.created_at)
        .bind(row.expires_at)
        .execute(&self.write)
        .await?;
        Ok(row)
    }

    /// The user an unexpired API token belongs to; records its use.
    pub async fn api_token_user(
        &self,
        token_hash: &[u8],
        now: DateTime<Utc>,
    ) -> Result<Option<UserRow>> {
        let user: Option<UserRow> = sqlx::query_as(
            "SELECT u.* FROM api_tokens t JOIN users u ON u.id = t.user_id
             WHERE t.token_hash = ? AND (t.expires_at IS NULL OR t.expires_at > ?)",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&self.read)
        .await?;
        if user.is_some() {
            sqlx::query("UPDATE api_tokens SET last_used_at = ? WHERE token_hash = ?")
                .bind(now)
                .bind(token_hash)
                .execute(&self.write)
                .await?;
        }
        Ok(user)
    }

    pub async fn api_tokens(&self, user: UserId) -> Result<Vec<ApiTokenRow>> {
        Ok(sqlx::query_as(
            "SELECT id, name, created_at, last_used_at, expires_at FROM api_tokens WHERE user_id = ?
             ORDER BY created_at",
        )
        .bind(user.0)
        .fetch_all(&self.read)
        .await?)
    }

    /// Revokes one of `user`'s tokens; false if there was no such token.
    pub async fn delete_api_token(&self, user: UserId, id: ApiTokenId) -> Result<bool> {
        let r = sqlx::query("DELETE FROM api_tokens WHERE id = ? AND user_id = ?")
            .bind(id.0)
            .bind(user.0)
            .execute(&self.write)
            .await?;
        Ok(r.rows_affected() == 1)
    }
}

impl Store {
    /// Replaces a user's password hash.
    pub async fn set_password(&self, user: UserId, password_hash: &str) -> Result<()> {
        sqlx::query("UPDATE users SET password_hash = ? WHERE id = ?")
            .bind(password_hash)
            .bind(user.0)
            .execute(&self.write)
            .await?;
        Ok(())
    }
}
