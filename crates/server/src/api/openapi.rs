//! The OpenAPI document of the REST API, served at `/api/openapi.json`: the contract
//! `scripts/contract` holds the running server to.
//!
//! Each handler's `#[utoipa::path]` states its success responses, its security when it
//! differs from the default (a session cookie or an API token), and the errors of what
//! it does (`(status = 403, response = Problem)`). [`Shared`] adds what follows from how
//! an operation is called rather than what it does, once for all: the security schemes,
//! 400 for a body or query that does not parse, 413 for a body over the limit, 401 for
//! a missing or bad credential, 403 for a cookie-authenticated state change from another
//! site, 404 for a path naming nothing. Every error is `application/problem+json`.

use axum::Json;
use confab_proto::rest::{Problem, ProblemType};
use utoipa::{
    openapi::{
        path::{HttpMethod, Operation, ParameterIn},
        schema::{ObjectBuilder, Schema, Type},
        security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme},
        ContentBuilder, OpenApi as Document, Ref, RefOr, Response, ResponseBuilder,
    },
    Modify, OpenApi,
};

use super::{
    admin, auth::SESSION_COOKIE, documents, export, health, links, meetings, residency, session,
};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Confab API",
        description = "REST API of Confab. Errors are application/problem+json with a stable `type` \
            (urn:confab:problem:<slug>). Sign in with a session cookie (POST /api/v1/auth/login) or \
            send `Authorization: Bearer <api token>`; content of a meeting takes the join token \
            instead. The room channel is a WebSocket at /api/v1/room (see docs/protocol.md)."
    ),
    paths(
        health::alive, health::ready,
        session::login, session::logout, session::me, session::change_password,
        meetings::list, meetings::create, meetings::meet_now, meetings::get, meetings::update,
        meetings::cancel, meetings::rotate_links, meetings::invitation, meetings::chat_export,
        links::info, links::join,
        documents::upload, documents::page, documents::notes, export::export,
        admin::list_tenants, admin::create_tenant, admin::get_policy, admin::set_policy,
        admin::list_users, admin::create_user, admin::update_user, admin::list_tokens, admin::create_token, admin::delete_token,
        residency::report,
    ),
    components(schemas(Problem), responses(Problem)),
    security(("session" = []), ("api_token" = [])),
    modifiers(&Shared),
    tags(
        (name = "session", description = "Signing in and out"),
        (name = "meetings", description = "Scheduling and managing meetings"),
        (name = "joining", description = "Join links"),
        (name = "content", description = "Documents shown in meetings (join-token authenticated)"),
        (name = "admin", description = "Organisations, users, policy and API tokens"),
        (name = "health", description = "Probes"),
    )
)]
pub struct ApiDoc;

/// Security scheme names, as operations' `security(...)` spell them: a session cookie, an
/// API token, a participant's join token.
const SESSION: &str = "session";
const API_TOKEN: &str = "api_token";
const JOIN_TOKEN: &str = "join_token";

const PROBLEM_JSON: &str = "application/problem+json";

/// Adds the security schemes and the errors every operation of a kind can answer.
struct Shared;

impl Modify for Shared {
    fn modify(&self, doc: &mut Document) {
        let components = doc.components.get_or_insert_with(Default::default);
        // What handlers name with `response = Problem`: the same shape, by reference.
        components.responses.insert(
            "Problem".into(),
            RefOr::T(problem("An error (RFC 9457); its `type` says which")),
        );
        // A problem's `type` is one of the server's, each named once in `ProblemType`.
        if let Some(RefOr::T(Schema::Object(problem))) = components.schemas.get_mut("Problem") {
            let types = ProblemType::ALL.map(ProblemType::uri);
            problem.properties.insert(
                "type".into(),
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .description(Some("Which error; match on it, not on `title`."))
                    .enum_values(Some(types))
                    .into(),
            );
        }
        components.add_security_scheme(
            SESSION,
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                SESSION_COOKIE,
                "Set by POST /api/v1/auth/login",
            ))),
        );
        components.add_security_scheme(API_TOKEN, bearer("An API token (POST /api/v1/tokens)"));
        components.add_security_scheme(
            JOIN_TOKEN,
            bearer("A join token (POST /api/v1/links/{key}/join)"),
        );
        let default_security = doc.security.clone().unwrap_or_default();
        for item in doc.paths.paths.values_mut() {
            for (method, op) in operations(item) {
                let security = op.security.as_ref().unwrap_or(&default_security);
                // `SecurityRequirement` keeps its schemes private; its JSON names them.
                let schemes: Vec<String> = security
                    .iter()
                    .filter_map(|r| serde_json::to_value(r).ok())
                    .filter_map(|v| v.as_object().map(|o| o.keys().cloned().collect::<Vec<_>>()))
                    .flatten()
                    .collect();
                let (has_body, has_query, has_path) = (
                    op.request_body.is_some(),
                    has_parameter(op, ParameterIn::Query),
                    has_parameter(op, ParameterIn::Path),
                );
                let mut add = |status: u16, when: &str| {
                    op.responses
                        .responses
                        .entry(status.to_string())
                        .or_insert_with(|| RefOr::T(problem(when)));
                };
                if has_body || has_query {
                    add(
                        400,
                        "The body or query string does not parse (malformed-request)",
                    );
                }
                if has_body {
                    add(413, "The body is over the limit (too-large)");
                }
                if !schemes.is_empty() {
                    add(
                        401,
                        "Missing, unknown or expired credentials (unauthenticated)",
                    );
                }
                if schemes.iter().any(|s| s == SESSION) && method != HttpMethod::Get {
                    add(
                        403,
                        "A state change with a session cookie from another site (cross-site)",
                    );
                }
                if has_path {
                    add(404, "Nothing by that name for you (not-found)");
                }
            }
        }
    }
}

fn bearer(description: &str) -> SecurityScheme {
    SecurityScheme::Http(
        HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .description(Some(description))
            .build(),
    )
}

/// The problem+json response, described for one cause.
fn problem(description: &str) -> Response {
    ResponseBuilder::new()
        .description(description)
        .content(
            PROBLEM_JSON,
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("Problem")))
                .build(),
        )
        .build()
}

fn operations(
    item: &mut utoipa::openapi::PathItem,
) -> impl Iterator<Item = (HttpMethod, &mut Operation)> {
    [
        (HttpMethod::Get, item.get.as_mut()),
        (HttpMethod::Put, item.put.as_mut()),
        (HttpMethod::Post, item.post.as_mut()),
        (HttpMethod::Delete, item.delete.as_mut()),
        (HttpMethod::Patch, item.patch.as_mut()),
    ]
    .into_iter()
    .filter_map(|(m, op)| op.map(|op| (m, op)))
}

fn has_parameter(op: &Operation, place: ParameterIn) -> bool {
    op.parameters
        .iter()
        .flatten()
        .any(|p| p.parameter_in == place)
}

pub async fn serve() -> Json<Document> {
    Json(ApiDoc::openapi())
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;

    fn document() -> Value {
        serde_json::to_value(ApiDoc::openapi()).unwrap()
    }

    fn operations(doc: &Value) -> Vec<(String, String, &Value)> {
        let mut out = Vec::new();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                out.push((method.to_uppercase(), path.clone(), op));
            }
        }
        out
    }

    /// Every `$ref` in the document points at something it defines (a parameter once
    /// referred to an `ExportFormat` schema that was not there).
    #[test]
    fn every_reference_resolves() {
        let doc = document();
        fn walk(v: &Value, doc: &Value, at: &str) {
            match v {
                Value::Object(o) => {
                    if let Some(Value::String(r)) = o.get("$ref") {
                        let pointer = r.trim_start_matches('#');
                        assert!(doc.pointer(pointer).is_some(), "{at}: {r} is not defined");
                    }
                    for (k, v) in o {
                        walk(v, doc, &format!("{at}/{k}"));
                    }
                }
                Value::Array(a) => a.iter().for_each(|v| walk(v, doc, at)),
                _ => {}
            }
        }
        walk(&doc, &doc, "");
    }

    /// The server answers every error as problem+json; so must the document.
    #[test]
    fn every_error_is_problem_json() {
        let doc = document();
        for (method, path, op) in operations(&doc) {
            for (status, response) in op["responses"].as_object().unwrap() {
                if status.starts_with('2') || path == "/readyz" {
                    continue;
                }
                let response = match response["$ref"].as_str() {
                    Some(r) => doc.pointer(r.trim_start_matches('#')).unwrap(),
                    None => response,
                };
                let content = response["content"].as_object();
                let types: Vec<_> = content.into_iter().flat_map(|c| c.keys()).collect();
                assert_eq!(
                    types,
                    ["application/problem+json"],
                    "{method} {path} {status}"
                );
                assert_eq!(
                    response["content"]["application/problem+json"]["schema"]["$ref"],
                    "#/components/schemas/Problem",
                    "{method} {path} {status}"
                );
            }
        }
    }

    /// What follows from how an operation is called is documented wherever it applies.
    #[test]
    fn credentials_bodies_and_paths_bring_their_errors() {
        let doc = document();
        for (method, path, op) in operations(&doc) {
            let responses = &op["responses"];
            let public = op["security"]
                .as_array()
                .is_some_and(|s| s.iter().all(|r| r.as_object().unwrap().is_empty()));
            assert_eq!(
                responses.get("401").is_some(),
                !public || path.ends_with("/auth/login"),
                "{method} {path}: 401"
            );
            if op.get("requestBody").is_some() {
                for status in ["400", "413"] {
                    assert!(responses.get(status).is_some(), "{method} {path}: {status}");
                }
            }
            if path.contains('{') {
                assert!(responses.get("404").is_some(), "{method} {path}: 404");
            }
        }
    }

    /// The rules the server checks are the ones the document states.
    #[test]
    fn field_rules_come_from_the_checks() {
        use confab_proto::rules;
        let doc = document();
        let schemas = &doc["components"]["schemas"];
        assert_eq!(
            schemas["CreateUser"]["properties"]["password"]["minLength"],
            rules::PASSWORD.min
        );
        assert_eq!(
            schemas["ChangePassword"]["properties"]["new"]["minLength"],
            rules::PASSWORD.min
        );
        assert_eq!(
            schemas["Policy"]["properties"]["max_meeting_size"]["maximum"],
            rules::MEETING_SIZE.max
        );
        assert_eq!(
            schemas["MeetingInput"]["properties"]["title"]["maxLength"],
            rules::TITLE.max
        );
        let types = schemas["Problem"]["properties"]["type"]["enum"]
            .as_array()
            .unwrap();
        assert_eq!(types.len(), ProblemType::ALL.len());
        assert!(types.contains(&"urn:confab:problem:cross-site".into()));
    }
}
