//! The protocol layer: HTTP in, HTTP out. Handlers never see it.
//!
//! Every request that is not under `/_sandbox/` arrives at [`handle_aws_request`], which
//! classifies it by protocol and hands it on:
//!
//! - **awsJson1_1** (Organizations, SSO Admin, Identity Store): `POST` on any path with
//!   `X-Amz-Target: <prefix>.<Operation>` → [`aws_json`], which authenticates, finds the
//!   service by prefix (`crate::services::AWS_JSON_SERVICES`) and calls its dispatch table.
//! - **awsQuery** (STS, IAM): `POST` with a form-encoded `Action=…&Version=…` body and no
//!   `X-Amz-Target` → [`aws_query`], which routes by the SigV4 credential scope's service.
//! - **restJson1** (SSO OIDC, the SSO portal) and the sandbox's sign-in pages: no
//!   `X-Amz-Target`, routed by method + path ([`rest_json::Route`]), recognized before the
//!   awsQuery test (the sign-in forms are form-encoded too, but never posted to `/`).
//!
//! Anything unrecognized gets a well-formed AWS error (`UnknownOperationException`), never
//! a bare 404 or an HTML page.

pub mod aws_json;
pub mod aws_query;
pub mod error;
pub mod rest_json;
pub mod scim;
pub mod timestamp;

use std::sync::Arc;

use axum::body::Body;
use axum::extract::State;
use axum::http::Request;
use axum::http::request::Parts;
use axum::response::Response;

use crate::engine::Engine;
use error::{ProtocolError, WireError};

/// The awsJson1_1 content type, for requests and responses.
pub const AWS_JSON_1_1: &str = "application/x-amz-json-1.1";
/// The response header carrying the request id.
pub const REQUEST_ID_HEADER: &str = "x-amzn-RequestId";
/// Request bodies larger than this are refused (AWS's JSON APIs allow far less than this
/// for the operations served here; 10 MiB leaves room for big policy documents).
const MAX_BODY_BYTES: usize = 10 * 1024 * 1024;

/// The wire protocol a request speaks.
enum Protocol {
    /// awsJson1_1 with this `X-Amz-Target` value.
    AwsJson { target: String },
    /// awsQuery: a form-encoded body (STS, IAM).
    AwsQuery,
    /// restJson1 or a sign-in page, by method and path.
    Rest(rest_json::Route),
}

/// Recognizes the protocol from the request line and headers.
fn classify(parts: &Parts) -> Option<Protocol> {
    let Some(target) = parts.headers.get("x-amz-target") else {
        if let Some(route) =
            rest_json::Route::recognize(&parts.method, parts.uri.path(), parts.uri.query())
        {
            return Some(Protocol::Rest(route));
        }
        let form = parts
            .headers
            .get(axum::http::header::CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .is_some_and(|value| value.starts_with("application/x-www-form-urlencoded"));
        return form.then_some(Protocol::AwsQuery);
    };
    let target = target.to_str().ok()?;
    Some(Protocol::AwsJson {
        target: target.to_owned(),
    })
}

/// The axum fallback: every AWS request enters here.
pub(crate) async fn handle_aws_request(
    State(engine): State<Arc<Engine>>,
    request: Request<Body>,
) -> Response {
    let request_id = uuid::Uuid::new_v4().to_string();
    let (parts, body) = request.into_parts();
    let body = match axum::body::to_bytes(body, MAX_BODY_BYTES).await {
        Ok(body) => body,
        Err(error) => {
            return WireError::from(ProtocolError::SerializationException {
                message: format!("The request body could not be read: {error}"),
            })
            .into_response(&request_id);
        }
    };
    match classify(&parts) {
        Some(Protocol::AwsJson { target }) => {
            // Handlers run synchronously under the World's lock (and may write the state
            // file), so keep them off the async workers.
            let task = tokio::task::spawn_blocking(move || {
                aws_json::handle(&engine, &parts, &body, &request_id, &target)
            });
            match task.await {
                Ok(response) => response,
                Err(error) => WireError::from(ProtocolError::InternalFailure {
                    message: format!("The request handler failed: {error}"),
                })
                .into_response(&uuid::Uuid::new_v4().to_string()),
            }
        }
        Some(Protocol::AwsQuery) => {
            let task = tokio::task::spawn_blocking(move || {
                aws_query::handle(&engine, &parts, &body, &request_id)
            });
            match task.await {
                Ok(response) => response,
                Err(error) => WireError::from(ProtocolError::InternalFailure {
                    message: format!("The request handler failed: {error}"),
                })
                .into_response(&uuid::Uuid::new_v4().to_string()),
            }
        }
        Some(Protocol::Rest(route)) => {
            let task = tokio::task::spawn_blocking(move || {
                rest_json::handle(&engine, &parts, &body, &request_id, route)
            });
            match task.await {
                Ok(response) => response,
                Err(error) => WireError::from(ProtocolError::InternalFailure {
                    message: format!("The request handler failed: {error}"),
                })
                .into_response(&uuid::Uuid::new_v4().to_string()),
            }
        }
        None => WireError::from(ProtocolError::UnknownOperationException {
            message: format!(
                "No AWS operation is served at {} {} without an X-Amz-Target header.",
                parts.method,
                parts.uri.path()
            ),
        })
        .into_response(&request_id),
    }
}
