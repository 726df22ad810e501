//! The sandbox's sign-in pages (HTML, not an AWS API): the device-authorization page at the
//! verification URI, the `/authorize` page of the authorization-code flow, and a
//! console-federation stand-in at `/federation`.
//!
//! # How to drive it
//!
//! - `GET /device?user_code=XXXX-XXXX` (the `verificationUriComplete`) serves one form with
//!   the user code filled in and the fields `user_name` and `password`. `POST /device`
//!   (`application/x-www-form-urlencoded`: `user_code`, `user_name`, `password`, and
//!   optionally `action=deny`) approves the device: HTTP 200 "Request approved". A refused
//!   sign-in (unknown user, wrong password, a `DISABLED` or deleted Identity Store user) is
//!   HTTP 403; an unknown, used or expired user code HTTP 400. `GET /device` without a code
//!   asks for it.
//! - `GET /authorize?response_type=code&client_id&redirect_uri&state&code_challenge&
//!   code_challenge_method=S256[&scopes]` serves the same sign-in form (the request rides in
//!   hidden fields); `POST /authorize` answers 302 to `redirect_uri?code=…&state=…` (or
//!   `?error=access_denied&state=…` for `action=deny`), 403 for a refused sign-in, 400 for a
//!   bad request (never redirecting to an unverified URI). Redirect URIs must be `http`
//!   loopback URIs.
//! - The password is the same for every user: `monban-sandbox`, or the server's
//!   `--sign-in-password`. Users sign in with their Identity Store `UserName` (any case).
//! - `GET /federation?Action=getSigninToken&Session={"sessionId","sessionKey","sessionToken"}`
//!   answers `{"SigninToken": "…"}` for role keys the portal issued (valid 15 minutes,
//!   single use); `GET /federation?Action=login&Issuer=…&Destination=…&SigninToken=…`
//!   answers an HTML page saying who is signed in to which account and role. AWS's own
//!   endpoint is `https://signin.aws.amazon.com/federation`; the sandbox has no console, so
//!   this is a stand-in (sandbox decision).

pub mod html;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use serde::Deserialize;
use serde_json::json;

use crate::protocol::rest_json::{RestRequest, json_response};
use crate::services::identity_store::state::UserStatus;
use crate::services::sso_oidc::state::{
    AUTHORIZATION_CODE_LIFETIME, AuthorizationCode, CONSOLE_SIGN_IN_TOKEN_LIFETIME,
    ConsoleSignInToken, DeviceAuthorizationState, GRANT_AUTHORIZATION_CODE, new_token,
};
use crate::services::sso_oidc::{open_session, redirect_allowed};
use crate::world::World;
use html::escape;

/// Why a sign-in was refused. The page says only "incorrect user name or password" or
/// "disabled", as sign-in pages do, not which part was wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// No such user, or the wrong password.
    BadCredentials,
    /// The user's `UserStatus` is `DISABLED`.
    Disabled,
}

/// Checks a user name and password; returns the Identity Store user id.
pub fn sign_in(
    world: &World,
    user_name: &str,
    password: &str,
    expected_password: &str,
) -> Result<String, Refusal> {
    let user = world
        .identity_store
        .users
        .values()
        .find(|user| user.user_name.eq_ignore_ascii_case(user_name.trim()))
        .ok_or(Refusal::BadCredentials)?;
    if password != expected_password {
        return Err(Refusal::BadCredentials);
    }
    if user.user_status == UserStatus::Disabled {
        return Err(Refusal::Disabled);
    }
    Ok(user.user_id.clone())
}

fn refused(refusal: Refusal) -> Response {
    let text = match refusal {
        Refusal::BadCredentials => "Incorrect user name or password. Nothing was approved.",
        Refusal::Disabled => {
            "This user is disabled in the identity store and cannot sign in. Nothing was approved."
        }
    };
    html::message(
        StatusCode::FORBIDDEN,
        "Sign-in refused",
        "refused",
        &format!("<p>{text}</p>"),
    )
}

fn bad_request_boxed(text: &str) -> Box<Response> {
    Box::new(bad_request(text))
}

fn bad_request(text: &str) -> Response {
    html::message(
        StatusCode::BAD_REQUEST,
        "Request not valid",
        "refused",
        &format!("<p>{}</p>", escape(text)),
    )
}

/// The sign-in fields and the approve/deny buttons; `hidden` is extra hidden inputs.
fn sign_in_form(action: &str, intro_html: &str, code_field_html: &str, hidden: &str) -> String {
    format!(
        "<h1>Sign in</h1>{intro_html}<form method=\"post\" action=\"{action}\">{hidden}{code_field_html}\
<label for=\"user_name\">Username</label>\
<input type=\"text\" id=\"user_name\" name=\"user_name\" autocomplete=\"username\" autofocus required>\
<label for=\"password\">Password</label>\
<input type=\"password\" id=\"password\" name=\"password\" autocomplete=\"current-password\" required>\
<div class=\"buttons\"><button type=\"submit\" name=\"action\" value=\"approve\">Sign in and allow</button>\
<button type=\"submit\" name=\"action\" value=\"deny\" class=\"secondary\" formnovalidate>Deny</button></div>\
</form><p class=\"note\">Sign in as an Identity Store user. Every user's sandbox password is the \
one the sandbox was started with (<code>monban-sandbox</code> unless <code>--sign-in-password</code> \
was given).</p>",
        action = escape(action),
    )
}

/// `GET /device[?user_code=…]`: the device-approval form.
pub fn device_page(request: &RestRequest<'_>, world: &mut World) -> Response {
    let query = request.query();
    let user_code = query.get("user_code").map_or("", String::as_str);
    let (intro, code_field) = if user_code.is_empty() {
        (
            "<p>Enter the code your command line shows, then sign in to allow it access.</p>"
                .to_owned(),
            "<label for=\"user_code\">Code</label>\
<input type=\"text\" id=\"user_code\" name=\"user_code\" placeholder=\"XXXX-XXXX\" required>"
                .to_owned(),
        )
    } else {
        let known = world
            .sso_oidc
            .by_user_code(user_code)
            .filter(|authorization| {
                authorization.state == DeviceAuthorizationState::Pending
                    && authorization.expires_at > request.now
            });
        if known.is_none() {
            return bad_request(
                "This code is not valid: it was already used, has expired, or was never issued. Start the sign-in again from your command line.",
            );
        }
        (
            "<p>A command line asks for access to your AWS accounts. Check that it shows this code, then sign in to allow it.</p>".to_owned(),
            format!(
                "<label for=\"user_code\">Code</label>\
<input type=\"text\" id=\"user_code\" name=\"user_code\" value=\"{}\" readonly>",
                escape(user_code)
            ),
        )
    };
    html::response(
        StatusCode::OK,
        html::page("Sign in", &sign_in_form("/device", &intro, &code_field, "")),
    )
}

/// `POST /device`: signs in and approves (or denies) the device authorization.
pub fn device_sign_in(request: &RestRequest<'_>, world: &mut World) -> Response {
    let form = request.form();
    let field = |name: &str| form.get(name).map_or("", String::as_str);
    let now = request.now;
    let Some(authorization) =
        world
            .sso_oidc
            .by_user_code(field("user_code"))
            .filter(|authorization| {
                authorization.state == DeviceAuthorizationState::Pending
                    && authorization.expires_at > now
            })
    else {
        return bad_request(
            "This code is not valid: it was already used, has expired, or was never issued. Start the sign-in again from your command line.",
        );
    };
    let device_code = authorization.device_code.clone();
    let client_id = authorization.client_id.clone();
    let user_id = match sign_in(
        world,
        field("user_name"),
        field("password"),
        &request.config.sign_in_password,
    ) {
        Ok(user_id) => user_id,
        Err(refusal) => return refused(refusal),
    };
    let deny = field("action") == "deny";
    let state = if deny {
        DeviceAuthorizationState::Denied
    } else {
        DeviceAuthorizationState::Approved {
            session_id: open_session(world, &user_id, &client_id, now),
        }
    };
    if let Some(authorization) = world.sso_oidc.device_authorizations.get_mut(&device_code) {
        authorization.state = state;
    }
    if deny {
        html::message(
            StatusCode::OK,
            "Request denied",
            "refused",
            "<p>The command line was not given access. You can close this window.</p>",
        )
    } else {
        let user_name = world
            .identity_store
            .users
            .get(&user_id)
            .map(|user| user.user_name.clone())
            .unwrap_or_default();
        html::message(
            StatusCode::OK,
            "Request approved",
            "ok",
            &format!(
                "<p>Signed in as <b>{}</b>. The command line now has access to your AWS accounts; you can close this window and return to it.</p>",
                escape(&user_name)
            ),
        )
    }
}

/// The `/authorize` request, from the query (GET) or the hidden form fields (POST).
#[derive(Debug, Deserialize)]
struct AuthorizeRequest {
    response_type: Option<String>,
    client_id: Option<String>,
    redirect_uri: Option<String>,
    state: Option<String>,
    code_challenge: Option<String>,
    code_challenge_method: Option<String>,
    scopes: Option<String>,
}

/// A checked `/authorize` request.
struct ValidAuthorize {
    client_id: String,
    redirect_uri: String,
    state: Option<String>,
    code_challenge: String,
    scopes: Option<String>,
}

fn authorize_request(pairs: &std::collections::BTreeMap<String, String>) -> AuthorizeRequest {
    let get = |name: &str| pairs.get(name).cloned();
    AuthorizeRequest {
        response_type: get("response_type"),
        client_id: get("client_id"),
        redirect_uri: get("redirect_uri"),
        state: get("state"),
        code_challenge: get("code_challenge"),
        code_challenge_method: get("code_challenge_method"),
        scopes: get("scopes"),
    }
}

fn validate_authorize(
    world: &World,
    input: AuthorizeRequest,
    now: Timestamp,
) -> Result<ValidAuthorize, Box<Response>> {
    if input.response_type.as_deref() != Some("code") {
        return Err(bad_request_boxed("response_type must be code."));
    }
    let client_id = input
        .client_id
        .ok_or_else(|| bad_request_boxed("client_id is required."))?;
    let client = world
        .sso_oidc
        .clients
        .get(&client_id)
        .filter(|client| client.expires_at > now)
        .ok_or_else(|| {
            bad_request_boxed("The client is not registered, or its registration expired.")
        })?;
    if !client.allows_grant(GRANT_AUTHORIZATION_CODE) {
        return Err(bad_request_boxed(
            "The client is not registered for the authorization_code grant.",
        ));
    }
    let redirect_uri = input
        .redirect_uri
        .ok_or_else(|| bad_request_boxed("redirect_uri is required."))?;
    if !redirect_allowed(client, &redirect_uri) {
        return Err(bad_request_boxed(
            "redirect_uri must be an http loopback URI the client registered (any port).",
        ));
    }
    let code_challenge = input
        .code_challenge
        .filter(|challenge| !challenge.is_empty())
        .ok_or_else(|| bad_request_boxed("code_challenge is required (PKCE)."))?;
    if input.code_challenge_method.as_deref() != Some("S256") {
        return Err(bad_request_boxed("code_challenge_method must be S256."));
    }
    Ok(ValidAuthorize {
        client_id,
        redirect_uri,
        state: input.state,
        code_challenge,
        scopes: input.scopes,
    })
}

fn hidden(name: &str, value: &str) -> String {
    format!(
        "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
        escape(name),
        escape(value)
    )
}

/// `GET /authorize`: the sign-in form for the authorization-code flow.
pub fn authorize_page(request: &RestRequest<'_>, world: &mut World) -> Response {
    let valid = match validate_authorize(world, authorize_request(&request.query()), request.now) {
        Ok(valid) => valid,
        Err(response) => return *response,
    };
    let mut fields = hidden("response_type", "code")
        + &hidden("client_id", &valid.client_id)
        + &hidden("redirect_uri", &valid.redirect_uri)
        + &hidden("code_challenge", &valid.code_challenge)
        + &hidden("code_challenge_method", "S256");
    if let Some(state) = &valid.state {
        fields += &hidden("state", state);
    }
    if let Some(scopes) = &valid.scopes {
        fields += &hidden("scopes", scopes);
    }
    html::response(
        StatusCode::OK,
        html::page(
            "Sign in",
            &sign_in_form(
                "/authorize",
                "<p>An application on this computer asks for access to your AWS accounts. Sign in to allow it.</p>",
                "",
                &fields,
            ),
        ),
    )
}

fn redirect(location: &str) -> Response {
    let mut response = StatusCode::FOUND.into_response();
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

fn with_query(uri: &str, pairs: &[(&str, &str)]) -> String {
    let mut serializer = form_urlencoded::Serializer::new(String::new());
    for (name, value) in pairs {
        serializer.append_pair(name, value);
    }
    let separator = if uri.contains('?') { '&' } else { '?' };
    format!("{uri}{separator}{}", serializer.finish())
}

/// `POST /authorize`: signs in and redirects with a code.
pub fn authorize_sign_in(request: &RestRequest<'_>, world: &mut World) -> Response {
    let form = request.form();
    let valid = match validate_authorize(world, authorize_request(&form), request.now) {
        Ok(valid) => valid,
        Err(response) => return *response,
    };
    let field = |name: &str| form.get(name).map_or("", String::as_str);
    let user_id = match sign_in(
        world,
        field("user_name"),
        field("password"),
        &request.config.sign_in_password,
    ) {
        Ok(user_id) => user_id,
        Err(refusal) => return refused(refusal),
    };
    let state = valid.state.as_deref().unwrap_or("");
    let state_pair: &[(&str, &str)] = if valid.state.is_some() {
        &[("state", state)]
    } else {
        &[]
    };
    if field("action") == "deny" {
        let mut pairs = vec![("error", "access_denied")];
        pairs.extend_from_slice(state_pair);
        return redirect(&with_query(&valid.redirect_uri, &pairs));
    }
    let now = request.now;
    let session_id = open_session(world, &user_id, &valid.client_id, now);
    let code = new_token(&mut world.ids, "", 2);
    world.sso_oidc.authorization_codes.insert(
        code.clone(),
        AuthorizationCode {
            client_id: valid.client_id,
            redirect_uri: valid.redirect_uri.clone(),
            code_challenge: valid.code_challenge,
            session_id,
            expires_at: now + AUTHORIZATION_CODE_LIFETIME,
            used: false,
        },
    );
    let mut pairs = vec![("code", code.as_str())];
    pairs.extend_from_slice(state_pair);
    redirect(&with_query(&valid.redirect_uri, &pairs))
}

/// The `Session` parameter of `getSigninToken`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
#[expect(
    clippy::struct_field_names,
    reason = "the federation endpoint's own member names"
)]
struct FederationSession {
    session_id: String,
    session_key: String,
    session_token: String,
}

fn federation_error(request: &RestRequest<'_>, status: StatusCode, message: &str) -> Response {
    json_response(status, &json!({ "message": message }), request.request_id)
}

/// `GET /federation`: the console-federation stand-in (`getSigninToken`, `login`).
pub fn federation(request: &RestRequest<'_>, world: &mut World) -> Response {
    let query = request.query();
    let now = request.now;
    match query.get("Action").map(String::as_str) {
        Some("getSigninToken") => {
            let Some(session) = query
                .get("Session")
                .and_then(|text| serde_json::from_str::<FederationSession>(text).ok())
            else {
                return federation_error(
                    request,
                    StatusCode::BAD_REQUEST,
                    "Session must be JSON with sessionId, sessionKey and sessionToken",
                );
            };
            let issued_by_portal = world
                .sso_oidc
                .role_sessions
                .contains_key(&session.session_id);
            let valid = world
                .credentials
                .get(&session.session_id)
                .is_some_and(|record| {
                    record.secret_access_key == session.session_key
                        && record.session_token.as_deref() == Some(session.session_token.as_str())
                        && record.expires_at.is_some_and(|expiry| expiry > now)
                });
            if !(issued_by_portal && valid) {
                return federation_error(
                    request,
                    StatusCode::FORBIDDEN,
                    "The session credentials are not valid: only unexpired role credentials from the SSO portal (GetRoleCredentials) can be exchanged",
                );
            }
            let token = new_token(&mut world.ids, "", 4);
            world.sso_oidc.console_sign_in_tokens.insert(
                token.clone(),
                ConsoleSignInToken {
                    access_key_id: session.session_id,
                    expires_at: now + CONSOLE_SIGN_IN_TOKEN_LIFETIME,
                    used: false,
                },
            );
            json_response(
                StatusCode::OK,
                &json!({ "SigninToken": token }),
                request.request_id,
            )
        }
        Some("login") => console_login(&query, world, now),
        _ => federation_error(
            request,
            StatusCode::BAD_REQUEST,
            "Action must be getSigninToken or login",
        ),
    }
}

fn console_login(
    query: &std::collections::BTreeMap<String, String>,
    world: &mut World,
    now: Timestamp,
) -> Response {
    let refused_page = |text: &str| {
        html::message(
            StatusCode::FORBIDDEN,
            "Console sign-in refused",
            "refused",
            &format!("<p>{}</p>", escape(text)),
        )
    };
    let Some(token) = query
        .get("SigninToken")
        .and_then(|token| world.sso_oidc.console_sign_in_tokens.get_mut(token))
    else {
        return refused_page("The sign-in token is not valid.");
    };
    if token.used || token.expires_at <= now {
        return refused_page("The sign-in token was already used or has expired (15 minutes).");
    }
    token.used = true;
    let access_key_id = token.access_key_id.clone();
    let Some(session) = world
        .sso_oidc
        .role_sessions
        .get(&access_key_id)
        .filter(|session| session.expires_at > now)
    else {
        return refused_page("The role session behind this token has expired.");
    };
    let account_name = world
        .organizations
        .accounts
        .get(&session.account_id)
        .map(|account| account.name.clone())
        .unwrap_or_default();
    let destination = query
        .get("Destination")
        .map_or("https://console.aws.amazon.com/", String::as_str);
    let issuer = query.get("Issuer").map_or("", String::as_str);
    let expires = session
        .expires_at
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
    let body = format!(
        "<p>This sandbox has no AWS console; in AWS you would now be signed in to it as:</p><dl>\
<dt>User</dt><dd>{user}</dd>\
<dt>Account</dt><dd>{account_id} ({account_name})</dd>\
<dt>Role</dt><dd>{permission_set}</dd>\
<dt>IAM role</dt><dd>{role}</dd>\
<dt>Session until</dt><dd>{expires}</dd>\
<dt>Destination</dt><dd>{destination}</dd>\
<dt>Issuer</dt><dd>{issuer}</dd></dl>",
        user = escape(&session.user_name),
        account_id = escape(&session.account_id),
        account_name = escape(&account_name),
        permission_set = escape(&session.permission_set_name),
        role = escape(&session.role_name),
        destination = escape(destination),
        issuer = escape(issuer),
    );
    html::message(StatusCode::OK, "Signed in to the AWS console", "ok", &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirect_queries_are_appended_and_encoded() {
        assert_eq!(
            with_query(
                "http://127.0.0.1:5/cb",
                &[("code", "a b"), ("state", "s&t")]
            ),
            "http://127.0.0.1:5/cb?code=a+b&state=s%26t"
        );
        assert_eq!(
            with_query("http://127.0.0.1:5/cb?x=1", &[("code", "c")]),
            "http://127.0.0.1:5/cb?x=1&code=c"
        );
    }
}
