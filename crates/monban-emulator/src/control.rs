//! The control API under `/_sandbox/`: outside AWS's surface, unauthenticated (the server
//! only listens on loopback), JSON in and out. Documented in `docs/reference/sandbox.md`.
//!
//! - `GET  /_sandbox/health` — liveness plus the clock and the fresh-state ids.
//! - `POST /_sandbox/clock/advance` `{"seconds": n}` — move the sandbox clock forward.
//! - `POST /_sandbox/reset` — a fresh World (and an empty request log).
//! - `POST /_sandbox/seed` — bulk-create OUs, accounts, users, groups, memberships, access
//!   keys, permission sets and account assignments (see [`SeedRequest`]); all or nothing.
//! - `GET  /_sandbox/requests` — the request log: every AWS operation served.
//! - `GET|POST|DELETE /_sandbox/faults`, `GET /_sandbox/profile` — fault injection and the
//!   profile's limits (`control/faults.rs`).
//! - `POST /_sandbox/standalone-accounts` — an AWS account outside the organization, with
//!   its owner's access key (rules in `services::organizations::standalone`).
//! - `POST /_sandbox/handshakes/{id}/accept|decline` — answer an invitation as the invited
//!   account's owner would.
//! - `GET|POST /_sandbox/account-baseline` — the customer managed policies every member
//!   account has (`control/baseline.rs`).
//! - `GET|POST /_sandbox/scim-token` — the SCIM endpoint's path and access token (created
//!   on first use), as the console shows them an admin; `POST /_sandbox/scim-token/rotate`
//!   issues a new one (the previous one keeps working: two at most).

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::auth::CredentialRecord;
use crate::engine::Engine;
use crate::services::identity_store::state::{Name, TypedValue, UserStatus};
use crate::services::organizations::standalone::{self, NewStandaloneAccount, StandaloneError};
use crate::services::organizations::state::JoinedMethod;
use crate::services::sso_admin::seed::{self as sso_admin_seed, SeedAssignment, SeedPermissionSet};
use crate::world::World;

mod baseline;
mod faults;

pub(crate) fn router() -> Router<Arc<Engine>> {
    Router::new()
        .route("/health", get(health))
        .route("/clock/advance", post(advance_clock))
        .route("/reset", post(reset))
        .route("/seed", post(seed))
        .route("/requests", get(requests))
        .route(
            "/faults",
            get(faults::get_faults)
                .post(faults::set_faults)
                .delete(faults::clear_faults),
        )
        .route("/profile", get(faults::profile))
        .route(
            "/account-baseline",
            get(baseline::get_baseline).post(baseline::set_baseline),
        )
        .route("/standalone-accounts", post(create_standalone_account))
        .route("/scim-token", get(scim_token).post(scim_token))
        .route("/scim-token/rotate", post(rotate_scim_token))
        .route(
            "/handshakes/{handshake_id}/{answer}",
            post(answer_handshake),
        )
        .fallback(not_found)
}

/// A control API error: `{"error": "<code>", "message": "..."}` with a 4xx/5xx status.
fn control_error(status: StatusCode, code: &str, message: impl Into<String>) -> Response {
    (
        status,
        Json(json!({ "error": code, "message": message.into() })),
    )
        .into_response()
}

async fn not_found() -> Response {
    control_error(
        StatusCode::NOT_FOUND,
        "NotFound",
        "no such control endpoint; see docs/reference/sandbox.md",
    )
}

/// Runs `work` on a blocking thread (it takes the World's lock and may write the state).
async fn blocking(work: impl FnOnce() -> Response + Send + 'static) -> Response {
    tokio::task::spawn_blocking(work)
        .await
        .unwrap_or_else(|error| {
            control_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "InternalFailure",
                error.to_string(),
            )
        })
}

fn saved(engine: &Engine, world: &World, body: serde_json::Value) -> Response {
    match engine.persist(world) {
        Ok(()) => Json(body).into_response(),
        Err(error) => control_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalFailure",
            format!("the state could not be saved: {error}"),
        ),
    }
}

async fn health(State(engine): State<Arc<Engine>>) -> Response {
    blocking(move || {
        let world = engine.lock_world();
        Json(json!({
            "status": "ok",
            "now": world.clock.now(),
            "clock_offset_seconds": world.clock.offset().as_secs_f64(),
            "region": engine.settings().region,
            "management_account_id": world.management_account_id(),
            "organization_id": world.organizations.organization.id,
            "root_id": world.organizations.root().id,
            "instance_arn": world.sso_admin.instance.arn,
            "identity_store_id": world.identity_store.identity_store_id,
        }))
        .into_response()
    })
    .await
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct AdvanceClock {
    seconds: f64,
}

async fn advance_clock(
    State(engine): State<Arc<Engine>>,
    body: Result<Json<AdvanceClock>, JsonRejection>,
) -> Response {
    let Json(body) = match body {
        Ok(body) => body,
        Err(rejection) => {
            return control_error(
                StatusCode::BAD_REQUEST,
                "InvalidRequest",
                rejection.body_text(),
            );
        }
    };
    blocking(move || {
        let Ok(by) = SignedDuration::try_from_secs_f64(body.seconds) else {
            return control_error(
                StatusCode::BAD_REQUEST,
                "InvalidRequest",
                "seconds is out of range",
            );
        };
        let mut world = engine.lock_world();
        if let Err(error) = world.clock.advance(by) {
            return control_error(StatusCode::BAD_REQUEST, "InvalidRequest", error.to_string());
        }
        let now = world.clock.now();
        // Completing what is now due right away keeps the state file in step with the clock.
        world.settle(now);
        saved(
            &engine,
            &world,
            json!({ "now": now, "clock_offset_seconds": world.clock.offset().as_secs_f64() }),
        )
    })
    .await
}

async fn reset(State(engine): State<Arc<Engine>>) -> Response {
    blocking(move || match engine.reset() {
        Ok(()) => Json(json!({ "status": "reset" })).into_response(),
        Err(error) => control_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalFailure",
            format!("the state could not be saved: {error}"),
        ),
    })
    .await
}

async fn requests(State(engine): State<Arc<Engine>>) -> Response {
    Json(json!({ "requests": engine.request_log() })).into_response()
}

fn standalone_error(error: &StandaloneError) -> Response {
    control_error(StatusCode::BAD_REQUEST, &error.code(), error.to_string())
}

async fn create_standalone_account(
    State(engine): State<Arc<Engine>>,
    body: Result<Json<NewStandaloneAccount>, JsonRejection>,
) -> Response {
    let Json(request) = match body {
        Ok(body) => body,
        Err(rejection) => {
            return control_error(
                StatusCode::BAD_REQUEST,
                "InvalidRequest",
                rejection.body_text(),
            );
        }
    };
    blocking(move || {
        let mut world = engine.lock_world();
        let now = world.clock.now();
        match standalone::create_standalone_account(&mut world, now, request) {
            Ok(created) => saved(&engine, &world, json!(created)),
            Err(error) => standalone_error(&error),
        }
    })
    .await
}

async fn answer_handshake(
    State(engine): State<Arc<Engine>>,
    Path((handshake_id, answer)): Path<(String, String)>,
) -> Response {
    let accept = match answer.as_str() {
        "accept" => true,
        "decline" => false,
        _ => return not_found().await,
    };
    blocking(move || {
        let mut world = engine.lock_world();
        let now = world.clock.now();
        // Expire what is due first, as before every AWS request.
        world.settle(now);
        let account_quota = engine.settings().account_quota;
        match standalone::answer_as_owner(&mut world, now, account_quota, &handshake_id, accept) {
            Ok(handshake) => saved(&engine, &world, handshake),
            Err(error) => standalone_error(&error),
        }
    })
    .await
}

/// The body of `POST /_sandbox/seed`. Every list is optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedRequest {
    /// OU paths such as `Products/Payments` (parents are implied; existing OUs are reused).
    #[serde(default)]
    pub organizational_units: Vec<String>,
    /// Member accounts, joined as if created.
    #[serde(default)]
    pub accounts: Vec<SeedAccount>,
    /// Identity Store users.
    #[serde(default)]
    pub users: Vec<SeedUser>,
    /// Identity Store groups with their members.
    #[serde(default)]
    pub groups: Vec<SeedGroup>,
    /// Extra access keys (e.g. for a member account).
    #[serde(default)]
    pub credentials: Vec<SeedCredential>,
    /// SSO Admin permission sets with their policies and tags.
    #[serde(default)]
    pub permission_sets: Vec<SeedPermissionSet>,
    /// SSO Admin account assignments, applied as completed and provisioned.
    #[serde(default)]
    pub assignments: Vec<SeedAssignment>,
    /// IAM users (with access keys and MFA devices) and customer managed policies, per
    /// account (`services::iam::seed`).
    #[serde(default)]
    pub iam: Vec<crate::services::iam::seed::SeedIamAccount>,
}

/// An account to seed.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedAccount {
    /// The account name.
    pub name: String,
    /// Its root e-mail (unique).
    pub email: String,
    /// A 12-digit id; generated when absent.
    #[serde(default)]
    pub id: Option<String>,
    /// The OU path it sits in; the root when absent.
    #[serde(default)]
    pub ou: Option<String>,
    /// Tags.
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
}

/// A user to seed.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedUser {
    /// `UserName` (unique).
    pub user_name: String,
    /// `DisplayName`.
    #[serde(default)]
    pub display_name: Option<String>,
    /// `Name.GivenName`.
    #[serde(default)]
    pub given_name: Option<String>,
    /// `Name.FamilyName`.
    #[serde(default)]
    pub family_name: Option<String>,
    /// The primary work e-mail.
    #[serde(default)]
    pub email: Option<String>,
    /// `false` seeds a `DISABLED` user.
    #[serde(default = "enabled")]
    pub active: bool,
}

fn enabled() -> bool {
    true
}

/// A group to seed.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedGroup {
    /// `DisplayName` (unique).
    pub display_name: String,
    /// `Description`.
    #[serde(default)]
    pub description: Option<String>,
    /// Members by user name (seeded in the same request or already present).
    #[serde(default)]
    pub members: Vec<String>,
}

/// An access key to seed.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedCredential {
    /// The access key id.
    pub access_key_id: String,
    /// The secret.
    pub secret_access_key: String,
    /// The session token a temporary key must present.
    #[serde(default)]
    pub session_token: Option<String>,
    /// The account (must exist in the organization after this seed).
    pub account_id: String,
    /// The principal ARN; `arn:aws:iam::<account>:root` when absent.
    #[serde(default)]
    pub principal_arn: Option<String>,
}

/// What `POST /_sandbox/seed` created: name → id for each kind.
#[derive(Debug, Default, Serialize)]
pub struct SeedResult {
    /// OU path → OU id.
    pub organizational_units: BTreeMap<String, String>,
    /// Account name → account id.
    pub accounts: BTreeMap<String, String>,
    /// User name → user id.
    pub users: BTreeMap<String, String>,
    /// Group display name → group id.
    pub groups: BTreeMap<String, String>,
    /// How many memberships were created.
    pub memberships: usize,
    /// Permission set name → ARN.
    pub permission_sets: BTreeMap<String, String>,
    /// How many account assignments were created.
    pub assignments: usize,
}

async fn seed(
    State(engine): State<Arc<Engine>>,
    body: Result<Json<SeedRequest>, JsonRejection>,
) -> Response {
    let Json(request) = match body {
        Ok(body) => body,
        Err(rejection) => {
            return control_error(
                StatusCode::BAD_REQUEST,
                "InvalidRequest",
                rejection.body_text(),
            );
        }
    };
    blocking(move || {
        let mut world = engine.lock_world();
        // All or nothing: seed a copy and swap it in only when everything applied.
        let mut candidate = world.clone();
        match apply_seed(&mut candidate, request) {
            Ok(result) => {
                *world = candidate;
                saved(&engine, &world, json!(result))
            }
            Err(message) => control_error(StatusCode::BAD_REQUEST, "InvalidSeed", message),
        }
    })
    .await
}

/// Finds or creates the OU at `path` (segments separated by `/`) and returns its id.
fn ensure_ou_path(world: &mut World, path: &str) -> Result<String, String> {
    let mut parent = world.organizations.root().id.clone();
    for name in path.split('/') {
        if name.is_empty() || name.len() > 128 {
            return Err(format!(
                "OU path '{path}' has an empty or over-long segment"
            ));
        }
        let existing = world
            .organizations
            .organizational_units
            .values()
            .find(|unit| unit.parent_id == parent && unit.name == name)
            .map(|unit| unit.id.clone());
        parent = match existing {
            Some(id) => id,
            None => world
                .organizations
                .add_organizational_unit(&mut world.ids, &parent, name),
        };
    }
    Ok(parent)
}

fn find_ou_path(world: &World, path: &str) -> Option<String> {
    let mut parent = world.organizations.root().id.clone();
    for name in path.split('/') {
        parent = world
            .organizations
            .organizational_units
            .values()
            .find(|unit| unit.parent_id == parent && unit.name == name)?
            .id
            .clone();
    }
    Some(parent)
}

fn apply_seed(world: &mut World, request: SeedRequest) -> Result<SeedResult, String> {
    let now: Timestamp = world.clock.now();
    let mut result = SeedResult::default();
    for path in &request.organizational_units {
        let id = ensure_ou_path(world, path)?;
        result.organizational_units.insert(path.clone(), id);
    }
    for account in request.accounts {
        let parent = match &account.ou {
            Some(path) => find_ou_path(world, path).ok_or_else(|| {
                format!(
                    "account '{}': OU '{path}' does not exist; list it in organizational_units",
                    account.name
                )
            })?,
            None => world.organizations.root().id.clone(),
        };
        let id = match account.id {
            Some(id) if id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit()) => id,
            Some(id) => {
                return Err(format!(
                    "account '{}': id '{id}' is not 12 digits",
                    account.name
                ));
            }
            None => loop {
                let id = world.ids.account_id();
                if !world.organizations.accounts.contains_key(&id) {
                    break id;
                }
            },
        };
        if world.organizations.accounts.contains_key(&id) {
            return Err(format!(
                "account '{}': id {id} already exists",
                account.name
            ));
        }
        if world
            .organizations
            .accounts
            .values()
            .any(|existing| existing.email.eq_ignore_ascii_case(&account.email))
        {
            return Err(format!(
                "account '{}': e-mail {} is already used",
                account.name, account.email
            ));
        }
        world.organizations.add_account(
            &id,
            &account.name,
            &account.email,
            &parent,
            JoinedMethod::Created,
            now,
        );
        if !account.tags.is_empty() {
            world.organizations.tags.insert(id.clone(), account.tags);
        }
        result.accounts.insert(account.name, id);
    }
    let seeded_by = format!("arn:aws:iam::{}:root", world.management_account_id());
    for user in request.users {
        if world
            .identity_store
            .users
            .values()
            .any(|existing| existing.user_name.eq_ignore_ascii_case(&user.user_name))
        {
            return Err(format!("user '{}' already exists", user.user_name));
        }
        let id = world
            .identity_store
            .add_user(&mut world.ids, &user.user_name, &seeded_by, now);
        let stored = world
            .identity_store
            .users
            .get_mut(&id)
            .ok_or("a user just added is missing")?;
        stored.display_name = user.display_name;
        if user.given_name.is_some() || user.family_name.is_some() {
            stored.name = Some(Name {
                given_name: user.given_name,
                family_name: user.family_name,
                ..Name::default()
            });
        }
        if let Some(email) = user.email {
            stored.emails = vec![TypedValue {
                value: Some(email),
                r#type: Some("work".into()),
                primary: Some(true),
            }];
        }
        if !user.active {
            stored.user_status = UserStatus::Disabled;
        }
        result.users.insert(user.user_name, id);
    }
    for group in request.groups {
        if world.identity_store.groups.values().any(|existing| {
            existing
                .display_name
                .eq_ignore_ascii_case(&group.display_name)
        }) {
            return Err(format!("group '{}' already exists", group.display_name));
        }
        let group_id = world.identity_store.add_group(
            &mut world.ids,
            &group.display_name,
            group.description.as_deref(),
            &seeded_by,
            now,
        );
        for member in &group.members {
            let user_id = world
                .identity_store
                .users
                .values()
                .find(|user| &user.user_name == member)
                .map(|user| user.user_id.clone())
                .ok_or_else(|| {
                    format!(
                        "group '{}': member '{member}' is not a user",
                        group.display_name
                    )
                })?;
            let already = world.identity_store.memberships.values().any(|membership| {
                membership.group_id == group_id && membership.member_user_id == user_id
            });
            if already {
                return Err(format!(
                    "group '{}': member '{member}' is listed twice",
                    group.display_name
                ));
            }
            world.identity_store.add_membership(
                &mut world.ids,
                &group_id,
                &user_id,
                &seeded_by,
                now,
            );
            result.memberships += 1;
        }
        result.groups.insert(group.display_name, group_id);
    }
    // IAM first: provisioning seeded assignments may need the accounts' policies.
    crate::services::iam::seed::apply(world, request.iam)?;
    // Then the account baseline for the seeded accounts (after the IAM seed, so a policy
    // seeded by name is the account's and the baseline leaves it alone).
    let seeded_accounts: Vec<String> = result.accounts.values().cloned().collect();
    for account_id in &seeded_accounts {
        crate::baseline::apply_to_account(world, account_id, now);
    }
    let sso_admin = sso_admin_seed::apply(world, request.permission_sets, request.assignments)?;
    result.permission_sets = sso_admin.permission_sets;
    result.assignments = sso_admin.assignments;
    for credential in request.credentials {
        if !world
            .organizations
            .accounts
            .contains_key(&credential.account_id)
        {
            return Err(format!(
                "access key {}: account {} is not in the organization",
                credential.access_key_id, credential.account_id
            ));
        }
        world.credentials.insert(CredentialRecord {
            principal_arn: credential
                .principal_arn
                .unwrap_or_else(|| format!("arn:aws:iam::{}:root", credential.account_id)),
            access_key_id: credential.access_key_id,
            secret_access_key: credential.secret_access_key,
            session_token: credential.session_token,
            expires_at: None,
            account_id: credential.account_id,
        });
    }
    Ok(result)
}

/// The SCIM endpoint and token as JSON: `scim_path` (`/<tenant id>/scim/v2`), `scim_endpoint`
/// (the same under the `Host` the request came to), `tenant_id`, `access_token`, and the
/// token's `created_at`/`expires_at` (sandbox clock).
fn scim_token_body(world: &World, host: Option<&str>) -> serde_json::Value {
    let tenant_id = world.scim.tenant_id.clone().unwrap_or_default();
    let scim_path = format!("/{tenant_id}/scim/v2");
    let token = world.scim.current_token(world.clock.now());
    json!({
        "tenant_id": tenant_id,
        "scim_path": scim_path,
        "scim_endpoint": host.map(|host| format!("http://{host}{scim_path}")),
        "access_token": token.map(|token| token.token.clone()),
        "created_at": token.map(|token| token.created_at),
        "expires_at": token.map(|token| token.expires_at),
        "live_tokens": world.scim.tokens.len(),
    })
}

fn host_header(headers: &axum::http::HeaderMap) -> Option<String> {
    headers
        .get(axum::http::header::HOST)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned)
}

async fn scim_token(State(engine): State<Arc<Engine>>, headers: axum::http::HeaderMap) -> Response {
    let host = host_header(&headers);
    blocking(move || {
        let mut world = engine.lock_world();
        let now = world.clock.now();
        let World { scim, ids, .. } = &mut *world;
        if scim.ensure_token(ids, now) {
            return saved(&engine, &world, scim_token_body(&world, host.as_deref()));
        }
        Json(scim_token_body(&world, host.as_deref())).into_response()
    })
    .await
}

async fn rotate_scim_token(
    State(engine): State<Arc<Engine>>,
    headers: axum::http::HeaderMap,
) -> Response {
    let host = host_header(&headers);
    blocking(move || {
        let mut world = engine.lock_world();
        let now = world.clock.now();
        let World { scim, ids, .. } = &mut *world;
        scim.rotate(ids, now);
        saved(&engine, &world, scim_token_body(&world, host.as_deref()))
    })
    .await
}
