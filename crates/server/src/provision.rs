//! Creating tenants, users and API tokens, with their validation. Shared by the REST
//! API, the `confab admin` CLI and the first-start setup, so all three apply the same
//! rules.

use confab_proto::{rest::CreateUser, Policy};
use confab_store::{ApiTokenRow, Blobs, Store, StoreError, TenantRow, UserRow};

use crate::secrets;

/// The shortest password accepted (sign-up, admin-created users, password changes).
pub const MIN_PASSWORD_CHARS: usize = 10;

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

fn text(field: &'static str, value: &str, max: usize) -> Result<String> {
    let v = value.trim();
    if v.is_empty() || v.chars().count() > max || v.chars().any(char::is_control) {
        return Err(invalid(field, format!("1 to {max} characters")));
    }
    Ok(v.to_owned())
}

/// Creates a tenant pinned to `region`, which must be one of `blobs`' declared regions.
pub async fn create_tenant(
    store: &Store,
    blobs: &Blobs,
    name: &str,
    region: &str,
    policy: Option<Policy>,
) -> Result<TenantRow> {
    let name = text("name", name, 200)?;
    let region = text("region", region, 64)?;
    if !region
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-')
    {
        return Err(invalid(
            "region",
            "letters, digits and dashes, e.g. eu-central",
        ));
    }
    if blobs.region(&region).is_err() {
        let known: Vec<_> = blobs.regions().map(|r| r.name.as_str()).collect();
        return Err(invalid(
            "region",
            format!(
                "no region {region:?} is configured (configured: {})",
                known.join(", ")
            ),
        ));
    }
    let policy = policy.unwrap_or_default();
    if let Some((field, needs)) = confab_core::rights::policy_problem(&policy) {
        return Err(invalid(field, format!("policy: {needs}")));
    }
    Ok(store.create_tenant(&name, &region, &policy).await?)
}

pub async fn create_user(store: &Store, tenant: &TenantRow, req: CreateUser) -> Result<UserRow> {
    let email = req.email.trim().to_lowercase();
    if !email.contains('@') || email.len() > 254 || email.chars().any(char::is_whitespace) {
        return Err(invalid("email", "not an e-mail address"));
    }
    let name = text("name", &req.name, 100)?;
    if req.password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(invalid(
            "password",
            format!("at least {MIN_PASSWORD_CHARS} characters"),
        ));
    }
    let password = req.password;
    let hash = tokio::task::spawn_blocking(move || secrets::hash_password(&password))
        .await
        .map_err(|e| ProvisionError::Hashing(e.to_string()))?;
    Ok(store
        .create_user(tenant.id(), &email, &name, req.role, &hash)
        .await?)
}

/// Creates an API token; the returned secret is shown once and never stored.
pub async fn create_token(
    store: &Store,
    user: &UserRow,
    name: &str,
) -> Result<(String, ApiTokenRow)> {
    let name = text("name", name, 100)?;
    let secret = format!("cft_{}", secrets::new_secret());
    let row = store
        .create_api_token(user, &name, &secrets::secret_hash(&secret))
        .await?;
    Ok((secret, row))
}
