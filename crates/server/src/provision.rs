//! Creating tenants, users and API tokens, with their validation. Shared by the REST
//! API, the `confab admin` CLI and the first-start setup, so all three apply the same
//! rules.

use confab_proto::{
    rest::CreateUser,
    rules::{self, Text},
    Policy,
};
use confab_store::{ApiTokenRow, Store, StoreError, TenantRow, UserRow};

use crate::secrets;

/// Why something could not be created.
#[derive(Debug, thiserror::Error)]
pub enum ProvisionError {
    /// A field breaks its rule; `message` says the rule.
    #[error("invalid {field}: {message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    /// The store refused (e.g. the e-mail address exists) or failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Hashing the password failed to run.
    #[error("hashing the password: {0}")]
    Hashing(String),
}

type Result<T> = std::result::Result<T, ProvisionError>;

fn invalid(field: &'static str, message: impl Into<String>) -> ProvisionError {
    ProvisionError::Invalid {
        field,
        message: message.into(),
    }
}

/// Checks `value` against `rule` (as sent, as the OpenAPI document states it).
pub fn check(field: &'static str, rule: Text, value: &str) -> Result<()> {
    rule.check(value).map_err(|needs| invalid(field, needs))
}

/// A line of text that follows `rule`, trimmed.
fn text(field: &'static str, rule: Text, value: &str) -> Result<String> {
    check(field, rule, value)?;
    Ok(value.trim().to_owned())
}

pub async fn create_tenant(
    store: &Store,
    name: &str,
    region: &str,
    policy: Option<Policy>,
) -> Result<TenantRow> {
    let name = text("name", rules::TENANT_NAME, name)?;
    check("region", rules::REGION, region)?;
    let policy = policy.unwrap_or_default();
    if let Some((field, needs)) = confab_core::rights::policy_problem(&policy) {
        return Err(invalid(field, format!("policy: {needs}")));
    }
    Ok(store.create_tenant(&name, region, &policy).await?)
}

/// The form an e-mail address is stored and looked up in (sign-in, presenters, users).
pub fn normalise_email(email: &str) -> String {
    email.trim().to_lowercase()
}

pub async fn create_user(store: &Store, tenant: &TenantRow, req: CreateUser) -> Result<UserRow> {
    check("email", rules::EMAIL, &req.email)?;
    let email = normalise_email(&req.email);
    let name = text("name", rules::USER_NAME, &req.name)?;
    check("password", rules::PASSWORD, &req.password)?;
    let password = req.password;
    let hash = tokio::task::spawn_blocking(move || secrets::hash_password(&password))
        .await
        .map_err(|e| ProvisionError::Hashing(e.to_string()))?;
    Ok(store
        .create_user(tenant.id(), &email, &name, req.role, &hash)
        .await?)
}

/// Longest lifetime an API token may be given, in days (ten years: "until revoked" is
/// what leaving it out means).
pub const MAX_TOKEN_DAYS: u32 = 3650;

/// Creates an API token, valid for `days` or until revoked; the returned secret is shown
/// once and never stored.
pub async fn create_token(
    store: &Store,
    user: &UserRow,
    name: &str,
    days: Option<u32>,
) -> Result<(String, ApiTokenRow)> {
    let name = text("name", rules::TOKEN_NAME, name)?;
    let expires_at = match days {
        None => None,
        Some(d @ 1..=MAX_TOKEN_DAYS) => {
            Some(chrono::Utc::now() + chrono::TimeDelta::days(d.into()))
        }
        Some(_) => {
            return Err(invalid(
                "expires_in_days",
                format!("1 to {MAX_TOKEN_DAYS} days, or leave it out"),
            ))
        }
    };
    let secret = format!("cft_{}", secrets::new_secret());
    let row = store
        .create_api_token(user, &name, &secrets::secret_hash(&secret), expires_at)
        .await?;
    Ok((secret, row))
}
