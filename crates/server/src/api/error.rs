//! Errors of the HTTP API, rendered as `application/problem+json` (RFC 9457).
//! This is the one place where error kinds become statuses and stable `type` URIs.

use axum::{
    extract::rejection::{JsonRejection, PathRejection, QueryRejection},
    http::{header, StatusCode},
    response::{IntoResponse, Response},
};
use confab_proto::rest::{Problem, ProblemType};

/// An error a REST handler returns; the client sees its kind, never internals.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("Sign in first")]
    Unauthenticated,
    #[error("Wrong e-mail address or password")]
    InvalidCredentials,
    #[error("You may not do this")]
    Forbidden(&'static str),
    #[error("Cross-site request refused")]
    CrossSite,
    #[error("Not found")]
    NotFound(&'static str),
    #[error("This method is not allowed here (the Allow header lists those that are)")]
    MethodNotAllowed,
    #[error("This link is not valid (it may have been replaced by a new one)")]
    UnknownLink,
    #[error("This link has expired")]
    LinkExpired,
    #[error("This meeting was cancelled")]
    MeetingCancelled,
    #[error("This meeting has ended")]
    MeetingEnded,
    #[error("Wrong passcode")]
    WrongPasscode,
    #[error("Sign in to join this meeting")]
    SignInRequired,
    #[error("Invalid {field}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    #[error("Malformed request")]
    Malformed(String),
    #[error("Request too large")]
    TooLarge,
    #[error("Already exists")]
    Conflict(String),
    #[error("Too many attempts; wait a little and try again")]
    TooManyAttempts(std::time::Duration),
    #[error("This file cannot be shown")]
    BadDocument { code: &'static str, message: String },
    #[error("This meeting has no room for more files")]
    QuotaExceeded,
    #[error("Busy; try again shortly")]
    Busy,
    /// The tenant's region cannot store or serve files now; nothing went elsewhere.
    #[error("This organisation's storage region is unavailable; nothing was stored")]
    RegionUnavailable(String),
    #[error("Internal error")]
    Internal(String),
}

impl ApiError {
    fn parts(&self) -> (StatusCode, ProblemType, Option<String>) {
        use ApiError::*;
        use ProblemType as P;
        match self {
            Unauthenticated => (StatusCode::UNAUTHORIZED, P::Unauthenticated, None),
            InvalidCredentials => (StatusCode::UNAUTHORIZED, P::InvalidCredentials, None),
            Forbidden(why) => (StatusCode::FORBIDDEN, P::Forbidden, Some((*why).to_owned())),
            CrossSite => (StatusCode::FORBIDDEN, P::CrossSite, None),
            NotFound(what) => (
                StatusCode::NOT_FOUND,
                P::NotFound,
                Some(format!("no such {what}")),
            ),
            MethodNotAllowed => (StatusCode::METHOD_NOT_ALLOWED, P::MethodNotAllowed, None),
            UnknownLink => (StatusCode::NOT_FOUND, P::UnknownLink, None),
            LinkExpired => (StatusCode::GONE, P::LinkExpired, None),
            MeetingCancelled => (StatusCode::GONE, P::MeetingCancelled, None),
            MeetingEnded => (StatusCode::GONE, P::MeetingEnded, None),
            WrongPasscode => (StatusCode::FORBIDDEN, P::WrongPasscode, None),
            SignInRequired => (
                StatusCode::FORBIDDEN,
                P::SignInRequired,
                Some("guests without an account may not join this meeting".into()),
            ),
            Invalid { field, message } => (
                StatusCode::UNPROCESSABLE_ENTITY,
                P::InvalidInput,
                Some(format!("{field}: {message}")),
            ),
            Malformed(why) => (
                StatusCode::BAD_REQUEST,
                P::MalformedRequest,
                Some(why.clone()),
            ),
            TooLarge => (StatusCode::PAYLOAD_TOO_LARGE, P::TooLarge, None),
            Conflict(what) => (
                StatusCode::CONFLICT,
                P::Conflict,
                Some(format!("{what} already exists")),
            ),
            TooManyAttempts(_) => (StatusCode::TOO_MANY_REQUESTS, P::TooManyAttempts, None),
            BadDocument { code, message } => (
                StatusCode::UNPROCESSABLE_ENTITY,
                P::BadDocument,
                Some(format!("{message} ({code})")),
            ),
            QuotaExceeded => (StatusCode::PAYLOAD_TOO_LARGE, P::MeetingQuota, None),
            Busy => (StatusCode::SERVICE_UNAVAILABLE, P::Busy, None),
            RegionUnavailable(region) => (
                StatusCode::SERVICE_UNAVAILABLE,
                P::RegionUnavailable,
                Some(format!(
                    "the storage of region {region} cannot be reached; try again later"
                )),
            ),
            Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, P::Internal, None),
        }
    }

    pub fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        ApiError::Invalid {
            field,
            message: message.into(),
        }
    }

    /// The problem document for this error.
    pub fn problem(&self) -> Problem {
        let (status, kind, detail) = self.parts();
        Problem {
            kind: kind.uri(),
            title: self.to_string(),
            status: status.as_u16(),
            detail,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::Internal(why) = &self {
            tracing::error!(%why, "internal error");
        }
        let problem = self.problem();
        let status = StatusCode::from_u16(problem.status).expect("statuses above are valid");
        let body = serde_json::to_vec(&problem).expect("problem serializes");
        let mut response = (
            status,
            [(header::CONTENT_TYPE, "application/problem+json")],
            body,
        )
            .into_response();
        // When to try again (RFC 9110): after the budget refills; soon, when busy.
        let retry_after = match &self {
            ApiError::TooManyAttempts(wait) => Some(wait.as_secs().max(1)),
            ApiError::Busy => Some(1),
            _ => None,
        };
        if let Some(secs) = retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, secs.into());
        }
        response
    }
}

impl From<confab_store::StoreError> for ApiError {
    fn from(e: confab_store::StoreError) -> Self {
        match e {
            confab_store::StoreError::Conflict(what) => ApiError::Conflict(what.to_owned()),
            other => ApiError::Internal(other.to_string()),
        }
    }
}

impl From<JsonRejection> for ApiError {
    fn from(r: JsonRejection) -> Self {
        if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
            return ApiError::TooLarge;
        }
        ApiError::Malformed(r.body_text())
    }
}

impl From<PathRejection> for ApiError {
    fn from(_: PathRejection) -> Self {
        ApiError::NotFound("resource")
    }
}

impl From<QueryRejection> for ApiError {
    fn from(r: QueryRejection) -> Self {
        ApiError::Malformed(r.body_text())
    }
}

impl From<confab_core::schedule::ScheduleError> for ApiError {
    fn from(e: confab_core::schedule::ScheduleError) -> Self {
        ApiError::Invalid {
            field: e.field,
            message: e.message,
        }
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// `axum::Json`, but its rejections are problem+json, and a body must be a JSON object:
/// serde would also read a struct from an array of its fields (`[]` for a body whose
/// fields are all optional), which no operation's document allows.
pub struct Json<T>(pub T);

impl<S, T> axum::extract::FromRequest<S> for Json<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, ApiError> {
        type Object = serde_json::Map<String, serde_json::Value>;
        let axum::Json(object) = axum::Json::<Object>::from_request(req, state).await?;
        T::deserialize(serde_json::Value::Object(object))
            .map(Json)
            .map_err(|e| ApiError::Malformed(format!("the JSON body does not fit: {e}")))
    }
}

impl<T: serde::Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

/// `axum::extract::Path` with problem+json rejections.
#[derive(axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct Path<T>(pub T);

/// `axum::extract::Query` with problem+json rejections.
#[derive(axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct Query<T>(pub T);

impl From<confab_convert::ConvertError> for ApiError {
    fn from(e: confab_convert::ConvertError) -> Self {
        use confab_convert::ConvertError as E;
        match e {
            E::TooLarge { .. } => ApiError::TooLarge,
            E::QueueFull => ApiError::Busy,
            e if e.is_internal() => ApiError::Internal(e.to_string()),
            e => ApiError::BadDocument {
                code: e.code(),
                message: e.to_string(),
            },
        }
    }
}

impl From<confab_store::BlobError> for ApiError {
    fn from(e: confab_store::BlobError) -> Self {
        use confab_store::BlobError as E;
        match e {
            // The cause goes to the log (it names the endpoint, never a credential).
            E::Store { region, source } => {
                tracing::warn!(%region, error = %source, "region storage failed");
                ApiError::RegionUnavailable(region)
            }
            E::UnknownRegion(region) => {
                tracing::error!(%region, "a tenant's region is not configured");
                ApiError::RegionUnavailable(region)
            }
            E::Io(e) => ApiError::Internal(e.to_string()),
        }
    }
}

impl From<confab_store::residency::ResidencyError> for ApiError {
    fn from(e: confab_store::residency::ResidencyError) -> Self {
        use confab_store::residency::ResidencyError as E;
        match e {
            E::Store(e) => e.into(),
            E::Blob(e) => e.into(),
        }
    }
}

impl From<crate::provision::ProvisionError> for ApiError {
    fn from(e: crate::provision::ProvisionError) -> Self {
        use crate::provision::ProvisionError as E;
        match e {
            E::Invalid { field, message } => ApiError::Invalid { field, message },
            E::Store(e) => e.into(),
            E::Hashing(why) => ApiError::Internal(why),
        }
    }
}

impl From<crate::runtime::conversion::ConversionError> for ApiError {
    fn from(e: crate::runtime::conversion::ConversionError) -> Self {
        use crate::runtime::conversion::ConversionError as E;
        match e {
            E::Convert(e) => e.into(),
            E::Store(e) => e.into(),
            E::Blob(e) => e.into(),
            E::Io(e) => ApiError::Internal(e.to_string()),
        }
    }
}
