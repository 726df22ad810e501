//! The SSO access portal (restJson1, unsigned; the bearer token in `x-amz-sso_bearer_token`):
//! ListAccounts, ListAccountRoles, GetRoleCredentials and Logout.
//!
//! # How to drive it
//!
//! With an access token from SSO OIDC (`services::sso_oidc`):
//! `GET /assignment/accounts[?max_result=N&next_token=T]`,
//! `GET /assignment/roles?account_id=ID[&max_result&next_token]`,
//! `GET /federation/credentials?account_id=ID&role_name=PERMISSION_SET`, `POST /logout`.
//!
//! What a person holds is computed live from the World: an account assignment to the user,
//! or to a group the user is a member of, whose permission set is provisioned in the
//! account (its `AWSReservedSSO_…` role exists), in an `ACTIVE` account. GetRoleCredentials
//! issues an `ASIA…` key in the World's credential store that authenticates as
//! `arn:aws:sts::<account>:assumed-role/<the provisioned role's name>/<UserName>` until the
//! permission set's `SessionDuration` has passed on the sandbox clock (then
//! `ExpiredToken`). Errors: `UnauthorizedException` (401) for an unknown, expired or logged
//! out token or a user disabled or deleted since sign-in; `ForbiddenException` (403, "No
//! access") for a role the user does not hold — what the real portal sends, although the
//! model does not list it; `InvalidRequestException` (400) for bad inputs.

use std::collections::BTreeMap;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use jiff::{SignedDuration, Timestamp};
use serde::Serialize;

use crate::auth::CredentialRecord;
use crate::pagination::{self, PageLimits, PageRequest};
use crate::protocol::REQUEST_ID_HEADER;
use crate::protocol::rest_json::{RestError, RestRequest, json_response};
use crate::services::iam::state::{new_secret, new_session_token, uppercase_id, whole_seconds};
use crate::services::organizations::state::AccountState;
use crate::services::sso_admin::state::PrincipalType;
use crate::services::sso_oidc::state::{RoleSession, SignInSession};
use crate::services::sso_oidc::user_is_active;
use crate::world::World;

/// The bearer-token header.
pub const BEARER_HEADER: &str = "x-amz-sso_bearer_token";

/// The portal's `max_result` bounds (the model: 1..100).
const PORTAL_PAGES: PageLimits = PageLimits {
    min: 1,
    max: 100,
    default: 100,
};

fn unauthorized() -> RestError {
    RestError::portal(
        "UnauthorizedException",
        StatusCode::UNAUTHORIZED,
        "Session token not found or invalid",
    )
}

fn invalid_request(message: impl Into<String>) -> RestError {
    RestError::portal("InvalidRequestException", StatusCode::BAD_REQUEST, message)
}

/// The live session and its user's `UserName` behind the request's bearer token. A user
/// disabled or deleted since sign-in is refused at once.
fn authenticate(
    request: &RestRequest<'_>,
    world: &World,
) -> Result<(SignInSession, String), RestError> {
    let token = request.header(BEARER_HEADER).ok_or_else(unauthorized)?;
    let session = world
        .sso_oidc
        .live_session(token, request.now)
        .ok_or_else(unauthorized)?;
    if !user_is_active(world, &session.user_id) {
        return Err(unauthorized());
    }
    let user_name = world
        .identity_store
        .users
        .get(&session.user_id)
        .map(|user| user.user_name.clone())
        .ok_or_else(unauthorized)?;
    Ok((session.clone(), user_name))
}

/// A role a user holds in an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldRole {
    /// The permission set's name (the portal's `roleName`).
    pub permission_set_name: String,
    /// The provisioned IAM role's name, `AWSReservedSSO_<name>_<16 hex>`.
    pub role_name: String,
    /// The permission set's `SessionDuration` (ISO-8601).
    pub session_duration: String,
}

/// Every (account → permission set name → role) `user_id` holds, directly or through a
/// group, counting only assignments whose permission set is provisioned in an active
/// account.
#[must_use]
pub fn held_roles(world: &World, user_id: &str) -> BTreeMap<String, BTreeMap<String, HeldRole>> {
    let groups: Vec<&str> = world
        .identity_store
        .memberships
        .values()
        .filter(|membership| membership.member_user_id == user_id)
        .map(|membership| membership.group_id.as_str())
        .collect();
    let mut held: BTreeMap<String, BTreeMap<String, HeldRole>> = BTreeMap::new();
    for assignment in &world.sso_admin.account_assignments {
        let holds = match assignment.principal_type {
            PrincipalType::User => assignment.principal_id == user_id,
            PrincipalType::Group => groups.contains(&assignment.principal_id.as_str()),
        };
        if !holds {
            continue;
        }
        let active = world
            .organizations
            .accounts
            .get(&assignment.account_id)
            .is_some_and(|account| account.state == AccountState::Active);
        let provisioned = world
            .sso_admin
            .provisioned
            .get(&assignment.account_id)
            .and_then(|permission_sets| permission_sets.get(&assignment.permission_set_arn));
        let permission_set = world
            .sso_admin
            .permission_sets
            .get(&assignment.permission_set_arn);
        if let (true, Some(provisioned), Some(permission_set)) =
            (active, provisioned, permission_set)
        {
            held.entry(assignment.account_id.clone())
                .or_default()
                .insert(
                    permission_set.name.clone(),
                    HeldRole {
                        permission_set_name: permission_set.name.clone(),
                        role_name: provisioned.role_name.clone(),
                        session_duration: permission_set.session_duration.clone(),
                    },
                );
        }
    }
    held
}

fn page_request<'a>(
    operation: &'a str,
    scope: String,
    query: &'a BTreeMap<String, String>,
) -> Result<PageRequest<'a>, RestError> {
    let max_results = query
        .get("max_result")
        .map(|value| {
            value
                .parse::<i32>()
                .map_err(|_| invalid_request(format!("max_result '{value}' is not an integer")))
        })
        .transpose()?;
    Ok(PageRequest {
        operation,
        scope,
        max_results,
        next_token: query.get("next_token").map(String::as_str),
    })
}

fn pagination_error(error: &pagination::PaginationError) -> RestError {
    invalid_request(error.to_string())
}

fn account_id_input(query: &BTreeMap<String, String>) -> Result<&str, RestError> {
    let account_id = query
        .get("account_id")
        .ok_or_else(|| invalid_request("account_id is required"))?;
    if account_id.len() == 12 && account_id.bytes().all(|byte| byte.is_ascii_digit()) {
        Ok(account_id)
    } else {
        Err(invalid_request(format!(
            "account_id '{account_id}' is not a 12-digit account id"
        )))
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AccountInfo {
    account_id: String,
    account_name: String,
    email_address: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ListAccountsResponse {
    account_list: Vec<AccountInfo>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
}

/// ListAccounts: the accounts where the user holds at least one role, by account id.
pub fn list_accounts(request: &RestRequest<'_>, world: &mut World) -> Result<Response, RestError> {
    let (session, _) = authenticate(request, world)?;
    let query = request.query();
    let page_request = page_request("ListAccounts", session.user_id.clone(), &query)?;
    let held = held_roles(world, &session.user_id);
    let page = pagination::paginate(
        &world.pagination_secret,
        PORTAL_PAGES,
        &page_request,
        held.keys().cloned(),
        Clone::clone,
    )
    .map_err(|error| pagination_error(&error))?;
    let account_list = page
        .items
        .into_iter()
        .filter_map(|account_id| {
            let account = world.organizations.accounts.get(&account_id)?;
            Some(AccountInfo {
                account_id,
                account_name: account.name.clone(),
                email_address: account.email.clone(),
            })
        })
        .collect();
    Ok(json_response(
        StatusCode::OK,
        &ListAccountsResponse {
            account_list,
            next_token: page.next_token,
        },
        request.request_id,
    ))
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RoleInfo {
    role_name: String,
    account_id: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ListAccountRolesResponse {
    role_list: Vec<RoleInfo>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
}

/// ListAccountRoles: the permission sets the user holds in one account (an empty list for
/// an account where they hold none).
pub fn list_account_roles(
    request: &RestRequest<'_>,
    world: &mut World,
) -> Result<Response, RestError> {
    let (session, _) = authenticate(request, world)?;
    let query = request.query();
    let account_id = account_id_input(&query)?.to_owned();
    let page_request = page_request(
        "ListAccountRoles",
        format!("{}/{account_id}", session.user_id),
        &query,
    )?;
    let held = held_roles(world, &session.user_id);
    let names = held
        .get(&account_id)
        .map(|roles| roles.keys().cloned().collect::<Vec<_>>())
        .unwrap_or_default();
    let page = pagination::paginate(
        &world.pagination_secret,
        PORTAL_PAGES,
        &page_request,
        names,
        Clone::clone,
    )
    .map_err(|error| pagination_error(&error))?;
    let role_list = page
        .items
        .into_iter()
        .map(|role_name| RoleInfo {
            role_name,
            account_id: account_id.clone(),
        })
        .collect();
    Ok(json_response(
        StatusCode::OK,
        &ListAccountRolesResponse {
            role_list,
            next_token: page.next_token,
        },
        request.request_id,
    ))
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RoleCredentials {
    access_key_id: String,
    secret_access_key: String,
    session_token: String,
    /// Epoch milliseconds.
    expiration: i64,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct GetRoleCredentialsResponse {
    role_credentials: RoleCredentials,
}

/// The session length a permission set grants (`PT1H` when unreadable, the default).
fn session_length(session_duration: &str) -> SignedDuration {
    session_duration
        .parse::<SignedDuration>()
        .unwrap_or(SignedDuration::from_hours(1))
}

/// GetRoleCredentials: keys for a role the user holds, for the permission set's session
/// duration.
pub fn get_role_credentials(
    request: &RestRequest<'_>,
    world: &mut World,
) -> Result<Response, RestError> {
    let (session, user_name) = authenticate(request, world)?;
    let query = request.query();
    let account_id = account_id_input(&query)?.to_owned();
    let permission_set_name = query
        .get("role_name")
        .ok_or_else(|| invalid_request("role_name is required"))?
        .clone();
    let held = held_roles(world, &session.user_id)
        .remove(&account_id)
        .and_then(|mut roles| roles.remove(&permission_set_name))
        .ok_or_else(|| {
            RestError::portal("ForbiddenException", StatusCode::FORBIDDEN, "No access")
        })?;
    let now: Timestamp = whole_seconds(request.now);
    let expires_at = now + session_length(&held.session_duration);
    let access_key_id = loop {
        let id = format!("ASIA{}", uppercase_id(&mut world.ids, 16));
        if world.credentials.get(&id).is_none() {
            break id;
        }
    };
    let secret_access_key = new_secret(&mut world.ids);
    let session_token = new_session_token(&mut world.ids);
    world.credentials.insert(CredentialRecord {
        access_key_id: access_key_id.clone(),
        secret_access_key: secret_access_key.clone(),
        session_token: Some(session_token.clone()),
        expires_at: Some(expires_at),
        account_id: account_id.clone(),
        principal_arn: format!(
            "arn:aws:sts::{account_id}:assumed-role/{}/{user_name}",
            held.role_name
        ),
    });
    world.sso_oidc.prune(request.now);
    world.sso_oidc.role_sessions.insert(
        access_key_id.clone(),
        RoleSession {
            user_id: session.user_id.clone(),
            user_name,
            account_id,
            permission_set_name,
            role_name: held.role_name,
            expires_at,
        },
    );
    Ok(json_response(
        StatusCode::OK,
        &GetRoleCredentialsResponse {
            role_credentials: RoleCredentials {
                access_key_id,
                secret_access_key,
                session_token,
                expiration: expires_at.as_millisecond(),
            },
        },
        request.request_id,
    ))
}

/// Logout: ends the sign-in session behind the token; its access and refresh tokens stop
/// working at once. Role keys already issued keep working until they expire, as in AWS.
pub fn logout(request: &RestRequest<'_>, world: &mut World) -> Result<Response, RestError> {
    let token = request.header(BEARER_HEADER).ok_or_else(unauthorized)?;
    let session_id = world
        .sso_oidc
        .access_tokens
        .get(token)
        .filter(|_| world.sso_oidc.live_session(token, request.now).is_some())
        .map(|token| token.session_id.clone())
        .ok_or_else(unauthorized)?;
    if let Some(session) = world.sso_oidc.sessions.get_mut(&session_id) {
        session.revoked = true;
    }
    let mut response = StatusCode::OK.into_response();
    if let Ok(value) = axum::http::HeaderValue::from_str(request.request_id) {
        response.headers_mut().insert(REQUEST_ID_HEADER, value);
    }
    Ok(response)
}
