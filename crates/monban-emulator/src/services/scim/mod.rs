//! IAM Identity Center's SCIM 2.0 endpoint, as an IdP (Okta, Entra ID, …) provisions users
//! and groups into it: `<endpoint>/<tenant id>/scim/v2/…` with the access token as bearer
//! (the shape of AWS's `https://scim.<region>.amazonaws.com/<tenant id>/scim/v2/`).
//!
//! Not an awsJson service: plain JSON over REST, routed here by `crate::protocol::scim`.
//! It reads and writes the Identity Store's users, groups and memberships directly, so the
//! Identity Store API sees every SCIM change at once (same ids, same externalId, `active`
//! as `UserStatus`). Ground truth is AWS's "IAM Identity Center SCIM Implementation
//! Developer Guide"; each limitation enforced is listed in `docs/reference/sandbox.md`.
//!
//! Layout: `mod.rs` (this file) authenticates and routes; `users.rs` and `groups.rs` hold
//! the resource operations; `filter.rs` the `eq`/`and` filter; `list.rs` list pages;
//! `discovery.rs` ServiceProviderConfig, Schemas, ResourceTypes; `error.rs` the SCIM error
//! body; `state.rs` the tenant id and token in the World.

mod discovery;
pub mod error;
mod filter;
mod groups;
mod list;
pub mod state;
mod users;

use axum::http::{Method, StatusCode};
use jiff::Timestamp;
use serde_json::{Map, Value, json};

use crate::world::World;
use error::ScimError;
use list::ListQuery;

/// The enterprise User extension schema.
pub const ENTERPRISE_SCHEMA: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
/// The Identity Store `ExternalId.Issuer` of an externalId set through SCIM (sandbox
/// decision: AWS does not document the issuer it records).
pub const EXTERNAL_ID_ISSUER: &str = "SCIM";
/// `CreatedBy`/`UpdatedBy` of what SCIM writes (sandbox decision).
pub const SCIM_ACTOR: &str = "SCIM";
/// The PATCH message schema.
const PATCH_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

/// One SCIM request, as the protocol layer hands it over.
#[derive(Debug)]
pub struct ScimRequest<'request> {
    pub method: &'request Method,
    /// The tenant id from the URL.
    pub tenant_id: &'request str,
    /// The path after `/scim/v2`, e.g. `/Users/<id>` (may be empty).
    pub path: &'request str,
    pub query: Option<&'request str>,
    /// The `Authorization` header, if any.
    pub authorization: Option<&'request str>,
    /// The endpoint's base URL as the client reached it (`http://<host>/<tenant>/scim/v2`),
    /// for absolute `meta.location`s.
    pub base_url: &'request str,
    pub body: &'request [u8],
}

/// A successful answer: the status and the JSON body (none for 204).
#[derive(Debug)]
pub struct ScimReply {
    pub status: StatusCode,
    pub body: Option<Value>,
}

/// What serving a request did.
#[derive(Debug)]
pub struct Served {
    /// The SCIM developer guide's operation name (`CreateUser`, …), for the request log.
    pub operation: &'static str,
    pub result: Result<ScimReply, ScimError>,
    /// Whether the World may have changed (it is then persisted).
    pub mutated: bool,
}

/// `meta` of a resource.
fn meta(resource_type: &str, created: Timestamp, last_modified: Timestamp) -> Value {
    json!({
        "resourceType": resource_type,
        "created": whole_seconds(created),
        "lastModified": whole_seconds(last_modified),
    })
}

/// `2020-07-22T22:32:58Z`: RFC 3339 in UTC without fractions, as the guide's examples show.
fn whole_seconds(timestamp: Timestamp) -> String {
    timestamp.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// One PATCH operation, `op` lower-cased (IdPs send `Replace`, `Add`, …).
#[derive(Debug)]
struct PatchOperation {
    op: String,
    path: Option<String>,
    value: Option<Value>,
}

impl PatchOperation {
    /// Whether the operation changes `attribute` (by path, or as a key of a path-less value).
    fn touches(&self, attribute: &str) -> bool {
        match &self.path {
            Some(path) => path.eq_ignore_ascii_case(attribute),
            None => self
                .value
                .as_ref()
                .and_then(Value::as_object)
                .is_some_and(|values| values.keys().any(|key| key.eq_ignore_ascii_case(attribute))),
        }
    }
}

/// The `Operations` of a PATCH body: at least one; `op` add, replace or remove.
fn patch_operations(body: &Map<String, Value>) -> Result<Vec<PatchOperation>, ScimError> {
    if let Some(schemas) = body.get("schemas")
        && !schemas
            .as_array()
            .is_some_and(|schemas| schemas.iter().any(|schema| schema == PATCH_SCHEMA))
    {
        return Err(ScimError::validation(
            "invalidSyntax",
            format!("schemas must contain {PATCH_SCHEMA}."),
        ));
    }
    let operations = body
        .get("Operations")
        .or_else(|| body.get("operations"))
        .and_then(Value::as_array)
        .filter(|operations| !operations.is_empty())
        .ok_or_else(|| {
            ScimError::validation("invalidSyntax", "Operations must be a non-empty list.")
        })?;
    operations
        .iter()
        .map(|operation| {
            let Some(op) = operation.get("op").and_then(Value::as_str) else {
                return Err(ScimError::validation(
                    "invalidSyntax",
                    "The operation must be specified (op).",
                ));
            };
            let op = op.to_ascii_lowercase();
            if !matches!(op.as_str(), "add" | "replace" | "remove") {
                return Err(ScimError::validation(
                    "invalidSyntax",
                    format!("Unsupported operation {op}: use add, replace or remove."),
                ));
            }
            let path = match operation.get("path") {
                None | Some(Value::Null) => None,
                Some(Value::String(path)) if !path.is_empty() => Some(path.clone()),
                Some(_) => {
                    return Err(ScimError::validation(
                        "invalidPath",
                        "path must be a non-empty string.",
                    ));
                }
            };
            let value = operation
                .get("value")
                .filter(|value| !value.is_null())
                .cloned();
            Ok(PatchOperation { op, path, value })
        })
        .collect()
}

fn json_body(body: &[u8]) -> Result<Map<String, Value>, ScimError> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(object)) => Ok(object),
        Ok(_) => Err(ScimError::validation(
            "invalidSyntax",
            "The request body must be a JSON object.",
        )),
        Err(error) => Err(ScimError::validation(
            "invalidSyntax",
            format!("The request body is not valid JSON: {error}"),
        )),
    }
}

fn ok(body: Value) -> ScimReply {
    ScimReply {
        status: StatusCode::OK,
        body: Some(body),
    }
}

fn created(body: Value) -> ScimReply {
    ScimReply {
        status: StatusCode::CREATED,
        body: Some(body),
    }
}

fn no_content() -> ScimReply {
    ScimReply {
        status: StatusCode::NO_CONTENT,
        body: None,
    }
}

fn unsupported(what: &str) -> ScimError {
    ScimError::invalid_value(format!(
        "{what} is not supported by the IAM Identity Center SCIM implementation."
    ))
}

/// Authenticates and serves one SCIM request under the World's lock. `admit(operation,
/// write)` is asked after authentication and before anything is read or changed: the
/// realistic profile's rate limits and injected faults (an error refuses the request).
pub fn serve(
    world: &mut World,
    now: Timestamp,
    request: &ScimRequest<'_>,
    admit: &dyn Fn(&'static str, bool) -> Result<(), ScimError>,
) -> Served {
    let segments: Vec<&str> = request
        .path
        .split('/')
        .filter(|segment| !segment.is_empty())
        .collect();
    let method = request.method;
    let operation = operation_name(method, &segments);
    let bearer = request.authorization.and_then(|header| {
        let (scheme, token) = header.trim().split_once(' ')?;
        scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
    });
    if !bearer.is_some_and(|token| world.scim.authorizes(request.tenant_id, token, now)) {
        return Served {
            operation,
            result: Err(ScimError::Unauthorized {
                detail:
                    "The Authorization header is invalid or missing, or the tenant id is incorrect."
                        .into(),
            }),
            mutated: false,
        };
    }
    let mutated = matches!(
        *method,
        Method::POST | Method::PUT | Method::PATCH | Method::DELETE
    );
    if let Err(error) = admit(operation, mutated) {
        return Served {
            operation,
            result: Err(error),
            mutated: false,
        };
    }
    let result = route(world, now, request, method, &segments);
    Served {
        operation,
        result,
        mutated,
    }
}

fn route(
    world: &mut World,
    now: Timestamp,
    request: &ScimRequest<'_>,
    method: &Method,
    segments: &[&str],
) -> Result<ScimReply, ScimError> {
    let query = || ListQuery::parse(request.query);
    match (method.as_str(), segments) {
        ("GET", ["ServiceProviderConfig"]) => Ok(ok(discovery::service_provider_config())),
        ("GET", ["Schemas"]) => Ok(ok(discovery::list_schemas(request.base_url))),
        ("GET", ["Schemas", id]) => Ok(ok(discovery::get_schema(request.base_url, id)?)),
        ("GET", ["ResourceTypes"]) => Ok(ok(discovery::list_resource_types(request.base_url))),
        ("GET", ["Users"]) => Ok(ok(users::list(world, &query())?)),
        ("POST", ["Users"]) => Ok(created(users::create(
            world,
            now,
            &json_body(request.body)?,
        )?)),
        ("GET", ["Users", id]) => Ok(ok(users::get(world, id)?)),
        ("PUT", ["Users", id]) => Ok(ok(users::replace(
            world,
            now,
            id,
            &json_body(request.body)?,
        )?)),
        ("PATCH", ["Users", id]) => {
            Ok(ok(users::patch(world, now, id, &json_body(request.body)?)?))
        }
        ("DELETE", ["Users", id]) => {
            users::delete(world, id)?;
            Ok(no_content())
        }
        ("GET", ["Groups"]) => Ok(ok(groups::list(world, &query())?)),
        ("POST", ["Groups"]) => Ok(created(groups::create(
            world,
            now,
            &json_body(request.body)?,
        )?)),
        ("GET", ["Groups", id]) => Ok(ok(groups::get(world, id)?)),
        ("PATCH", ["Groups", id]) => {
            groups::patch(world, now, id, &json_body(request.body)?)?;
            Ok(no_content())
        }
        ("DELETE", ["Groups", id]) => {
            groups::delete(world, id)?;
            Ok(no_content())
        }
        (_, ["Me" | "Bulk" | ".search", ..] | [_, ".search"]) => {
            Err(unsupported(&format!("/{}", segments.join("/"))))
        }
        (_, ["ResourceTypes", _]) => Err(unsupported("GET /ResourceTypes/{name}")),
        (
            _,
            [
                "Users" | "Groups" | "ServiceProviderConfig" | "Schemas" | "ResourceTypes",
                ..,
            ],
        ) => Err(unsupported(&format!("{method} /{}", segments.join("/")))),
        _ => Err(ScimError::NotFound {
            detail: format!("No SCIM endpoint at /{}.", segments.join("/")),
        }),
    }
}

/// The operation's name in the SCIM developer guide (`Unsupported` for anything else).
fn operation_name(method: &Method, segments: &[&str]) -> &'static str {
    match (method.as_str(), segments) {
        ("GET", ["ServiceProviderConfig"]) => "ServiceProviderConfig",
        ("GET", ["Schemas"]) => "ListSchemas",
        ("GET", ["Schemas", _]) => "GetSchema",
        ("GET", ["ResourceTypes"]) => "ListResourceTypes",
        ("GET", ["Users"]) => "ListUsers",
        ("POST", ["Users"]) => "CreateUser",
        ("GET", ["Users", _]) => "GetUser",
        ("PUT", ["Users", _]) => "PutUser",
        ("PATCH", ["Users", _]) => "PatchUser",
        ("DELETE", ["Users", _]) => "DeleteUser",
        ("GET", ["Groups"]) => "ListGroups",
        ("POST", ["Groups"]) => "CreateGroup",
        ("GET", ["Groups", _]) => "GetGroup",
        ("PATCH", ["Groups", _]) => "PatchGroup",
        ("DELETE", ["Groups", _]) => "DeleteGroup",
        _ => "Unsupported",
    }
}
