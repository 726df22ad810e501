//! restJson1 (SSO OIDC, the SSO portal) and the sandbox's HTML pages (sign-in, `/authorize`,
//! the console-federation stand-in): routed by method and path, not by a header.
//!
//! [`Route::recognize`] is asked first for every request without `X-Amz-Target`, so the
//! awsJson and awsQuery dispatch are untouched: none of these paths is `/`, where SDKs send
//! awsJson and awsQuery requests. Handlers run under the World's lock like every other
//! operation (settle, validate, mutate, persist) and get a [`RestRequest`]; they return a
//! ready [`Response`]. JSON errors are built by [`RestError`] in exactly one place:
//!
//! - SSO OIDC: the model's status, `x-amzn-ErrorType: <Name>:http://internal.amazon.com/coral/com.amazonaws.sso.oidc/`
//!   (as the real service sends it; both SDKs cut at the `:`) and body
//!   `{"error": "<oauth code>", "error_description": "…"}` (aws-api-facts §1.2).
//! - SSO portal: the model's status, `x-amzn-ErrorType: <Name>` and body `{"message": "…"}`.
//!
//! Rate limits and fault injection (`crate::admission`) do not apply to these routes: they
//! exist to exercise the administrative APIs (sandbox decision).

use std::collections::BTreeMap;

use axum::http::request::Parts;
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use serde::Serialize;
use serde_json::{Value, json};

use super::REQUEST_ID_HEADER;
use crate::config::Config;
use crate::engine::{Engine, RequestLogEntry};
use crate::services::{signin, sso_oidc, sso_portal};
use crate::world::World;

/// The content type of restJson responses.
pub const APPLICATION_JSON: &str = "application/json";

/// A restJson operation or an HTML page the sandbox serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// SSO OIDC `POST /client/register`.
    RegisterClient,
    /// SSO OIDC `POST /device_authorization`.
    StartDeviceAuthorization,
    /// SSO OIDC `POST /token`.
    CreateToken,
    /// SSO OIDC `POST /token?aws_iam=t` (not served: answered with an error).
    CreateTokenWithIam,
    /// Portal `GET /assignment/accounts`.
    ListAccounts,
    /// Portal `GET /assignment/roles`.
    ListAccountRoles,
    /// Portal `GET /federation/credentials`.
    GetRoleCredentials,
    /// Portal `POST /logout`.
    Logout,
    /// The device sign-in page, `GET /device`.
    DevicePage,
    /// Its form, `POST /device`.
    DeviceSignIn,
    /// `GET /authorize` (authorization code + PKCE): the sign-in page.
    AuthorizePage,
    /// `POST /authorize`: its form.
    AuthorizeSignIn,
    /// `GET /federation`: the console-federation stand-in.
    Federation,
}

impl Route {
    /// The route for a request line, if it is one of these.
    #[must_use]
    pub fn recognize(method: &Method, path: &str, query: Option<&str>) -> Option<Self> {
        let get = method == Method::GET || method == Method::HEAD;
        let post = method == Method::POST;
        let route = match path {
            "/client/register" if post => Self::RegisterClient,
            "/device_authorization" if post => Self::StartDeviceAuthorization,
            "/token" if post => {
                let with_iam = query.is_some_and(|query| {
                    form_urlencoded::parse(query.as_bytes()).any(|(name, _)| name == "aws_iam")
                });
                if with_iam {
                    Self::CreateTokenWithIam
                } else {
                    Self::CreateToken
                }
            }
            "/assignment/accounts" if get => Self::ListAccounts,
            "/assignment/roles" if get => Self::ListAccountRoles,
            "/federation/credentials" if get => Self::GetRoleCredentials,
            "/logout" if post => Self::Logout,
            "/device" | "/device/" if get => Self::DevicePage,
            "/device" | "/device/" if post => Self::DeviceSignIn,
            "/authorize" if get => Self::AuthorizePage,
            "/authorize" if post => Self::AuthorizeSignIn,
            "/federation" if get => Self::Federation,
            _ => return None,
        };
        Some(route)
    }

    /// The service and operation names in the request log.
    #[must_use]
    pub fn log_names(self) -> (&'static str, &'static str) {
        match self {
            Self::RegisterClient => ("sso-oidc", "RegisterClient"),
            Self::StartDeviceAuthorization => ("sso-oidc", "StartDeviceAuthorization"),
            Self::CreateToken => ("sso-oidc", "CreateToken"),
            Self::CreateTokenWithIam => ("sso-oidc", "CreateTokenWithIAM"),
            Self::ListAccounts => ("sso", "ListAccounts"),
            Self::ListAccountRoles => ("sso", "ListAccountRoles"),
            Self::GetRoleCredentials => ("sso", "GetRoleCredentials"),
            Self::Logout => ("sso", "Logout"),
            Self::DevicePage => ("signin", "DevicePage"),
            Self::DeviceSignIn => ("signin", "DeviceSignIn"),
            Self::AuthorizePage => ("signin", "AuthorizePage"),
            Self::AuthorizeSignIn => ("signin", "AuthorizeSignIn"),
            Self::Federation => ("signin", "Federation"),
        }
    }

    /// Whether serving it may change the World (it is then persisted).
    fn mutates(self) -> bool {
        !matches!(
            self,
            Self::ListAccounts
                | Self::ListAccountRoles
                | Self::DevicePage
                | Self::AuthorizePage
                | Self::CreateTokenWithIam
        )
    }
}

/// One request as a handler sees it.
#[derive(Debug)]
pub struct RestRequest<'a> {
    /// The request line and headers.
    pub parts: &'a Parts,
    /// The body.
    pub body: &'a [u8],
    /// This request's id.
    pub request_id: &'a str,
    /// The sandbox clock's time when the request was taken up.
    pub now: Timestamp,
    /// The server's configuration (the sign-in password).
    pub config: &'a Config,
}

impl RestRequest<'_> {
    /// The query string's parameters (the first of each name).
    #[must_use]
    pub fn query(&self) -> BTreeMap<String, String> {
        parse_pairs(self.parts.uri.query().unwrap_or("").as_bytes())
    }

    /// The form body's fields (`application/x-www-form-urlencoded`).
    #[must_use]
    pub fn form(&self) -> BTreeMap<String, String> {
        parse_pairs(self.body)
    }

    /// A header's value, if present and text.
    #[must_use]
    pub fn header(&self, name: &str) -> Option<&str> {
        self.parts
            .headers
            .get(name)
            .and_then(|value| value.to_str().ok())
    }

    /// The endpoint as the client addressed it (`http://<Host>`), for URLs the sandbox
    /// hands out (the verification URI).
    #[must_use]
    pub fn endpoint(&self) -> String {
        let host = self
            .header("host")
            .or_else(|| {
                self.parts
                    .uri
                    .authority()
                    .map(axum::http::uri::Authority::as_str)
            })
            .unwrap_or("127.0.0.1");
        format!("http://{host}")
    }
}

fn parse_pairs(encoded: &[u8]) -> BTreeMap<String, String> {
    let mut pairs = BTreeMap::new();
    for (name, value) in form_urlencoded::parse(encoded) {
        pairs
            .entry(name.into_owned())
            .or_insert_with(|| value.into_owned());
    }
    pairs
}

/// Which restJson service an error belongs to (they spell errors differently).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RestService {
    /// SSO OIDC: `error`/`error_description`, namespaced `x-amzn-ErrorType`.
    SsoOidc,
    /// The SSO portal: `message`.
    SsoPortal,
}

/// A restJson error ready for the wire.
#[derive(Debug, Clone, PartialEq)]
pub struct RestError {
    /// The exception name, e.g. `AuthorizationPendingException`.
    pub type_name: &'static str,
    /// The HTTP status (the model's `httpStatusCode`).
    pub status: StatusCode,
    /// The body.
    pub body: Value,
    service: RestService,
}

impl RestError {
    /// An SSO OIDC exception: `error` is the OAuth error code (`authorization_pending`).
    #[must_use]
    pub fn oidc(
        type_name: &'static str,
        status: StatusCode,
        error: &str,
        description: impl Into<String>,
    ) -> Self {
        Self {
            type_name,
            status,
            body: json!({ "error": error, "error_description": description.into() }),
            service: RestService::SsoOidc,
        }
    }

    /// An SSO portal exception.
    #[must_use]
    pub fn portal(type_name: &'static str, status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            type_name,
            status,
            body: json!({ "message": message.into() }),
            service: RestService::SsoPortal,
        }
    }

    /// The HTTP response.
    #[must_use]
    pub fn into_response(self, request_id: &str) -> Response {
        let error_type = match self.service {
            RestService::SsoOidc => format!(
                "{}:http://internal.amazon.com/coral/com.amazonaws.sso.oidc/",
                self.type_name
            ),
            RestService::SsoPortal => self.type_name.to_owned(),
        };
        let mut response = json_response(self.status, &self.body, request_id);
        if let Ok(value) = HeaderValue::from_str(&error_type) {
            response.headers_mut().insert("x-amzn-ErrorType", value);
        }
        response
    }
}

/// A JSON response with the request id header.
#[must_use]
pub fn json_response<T: Serialize>(status: StatusCode, body: &T, request_id: &str) -> Response {
    // Serializing the handlers' plain structs cannot fail; an empty object is the safe
    // fallback.
    let body = serde_json::to_string(body).unwrap_or_else(|_| "{}".into());
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(APPLICATION_JSON),
    );
    if let Ok(value) = HeaderValue::from_str(request_id) {
        headers.insert(REQUEST_ID_HEADER, value);
    }
    response
}

/// Serves one request of `route` (synchronously, on a blocking thread).
pub(crate) fn handle(
    engine: &Engine,
    parts: &Parts,
    body: &[u8],
    request_id: &str,
    route: Route,
) -> Response {
    let mut world = engine.lock_world();
    let now = world.clock.now();
    // Assignments that completed meanwhile count for the portal.
    let settled = world.settle(now);
    let request = RestRequest {
        parts,
        body,
        request_id,
        now,
        config: engine.config(),
    };
    let mut response = dispatch(route, &request, &mut world);
    if (settled || route.mutates())
        && let Err(error) = engine.persist(&world)
    {
        response = json_response(
            StatusCode::INTERNAL_SERVER_ERROR,
            &json!({ "message": format!("The sandbox could not save its state: {error}") }),
            request_id,
        );
    }
    let (service, operation) = route.log_names();
    let status = response.status();
    let error_code = status.is_client_error() || status.is_server_error();
    engine.log(RequestLogEntry {
        time: now,
        service: service.to_owned(),
        operation: operation.to_owned(),
        outcome: if error_code { "error" } else { "ok" },
        error_code: error_code.then(|| {
            response
                .headers()
                .get("x-amzn-ErrorType")
                .and_then(|value| value.to_str().ok())
                .map_or_else(
                    || status.as_u16().to_string(),
                    |value| value.split(':').next().unwrap_or(value).to_owned(),
                )
        }),
        status: status.as_u16(),
        request_id: request_id.to_owned(),
        injected: None,
    });
    drop(world);
    response
}

fn dispatch(route: Route, request: &RestRequest<'_>, world: &mut World) -> Response {
    let result = match route {
        Route::RegisterClient => sso_oidc::register_client(request, world),
        Route::StartDeviceAuthorization => sso_oidc::start_device_authorization(request, world),
        Route::CreateToken => sso_oidc::create_token(request, world),
        Route::CreateTokenWithIam => Err(RestError::oidc(
            "InvalidRequestException",
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "The sandbox does not serve CreateTokenWithIAM (trusted identity propagation).",
        )),
        Route::ListAccounts => sso_portal::list_accounts(request, world),
        Route::ListAccountRoles => sso_portal::list_account_roles(request, world),
        Route::GetRoleCredentials => sso_portal::get_role_credentials(request, world),
        Route::Logout => sso_portal::logout(request, world),
        Route::DevicePage => return signin::device_page(request, world),
        Route::DeviceSignIn => return signin::device_sign_in(request, world),
        Route::AuthorizePage => return signin::authorize_page(request, world),
        Route::AuthorizeSignIn => return signin::authorize_sign_in(request, world),
        Route::Federation => return signin::federation(request, world),
    };
    result.unwrap_or_else(|error| error.into_response(request.request_id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_are_recognized_by_method_and_path_only() {
        assert_eq!(
            Route::recognize(&Method::POST, "/token", None),
            Some(Route::CreateToken)
        );
        assert_eq!(
            Route::recognize(&Method::POST, "/token", Some("aws_iam=t")),
            Some(Route::CreateTokenWithIam)
        );
        assert_eq!(
            Route::recognize(&Method::GET, "/federation/credentials", Some("role_name=x")),
            Some(Route::GetRoleCredentials)
        );
        assert_eq!(
            Route::recognize(&Method::GET, "/federation", Some("Action=login")),
            Some(Route::Federation)
        );
        // awsJson and awsQuery requests go to `/`.
        assert_eq!(Route::recognize(&Method::POST, "/", None), None);
        assert_eq!(Route::recognize(&Method::GET, "/token", None), None);
    }
}
