//! The SCIM 2.0 endpoint's HTTP side: `/{tenant id}/scim/v2[/…]` (any method) in, JSON out.
//! Routed by path in `server.rs` (before the AWS fallback); the resource logic is in
//! `crate::services::scim`, which sees method, path, query, `Authorization` and body.
//!
//! Responses carry `Content-Type: application/json` and `x-amzn-RequestId`, as the SCIM
//! developer guide's examples show; errors the RFC 7644 error body. Every request is in the
//! request log under service `scim` with the guide's operation name.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, Request, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::REQUEST_ID_HEADER;
use crate::engine::{Engine, RequestLogEntry};
use crate::faults::Injected;
use crate::services::scim::error::ScimError;
use crate::services::scim::{self, ScimRequest};

/// Request bodies larger than this are refused (SCIM payloads are small; AWS does not
/// publish a limit).
const MAX_BODY_BYTES: usize = 1024 * 1024;

/// `/{tenant_id}/scim/v2`.
pub(crate) async fn handle_root(
    State(engine): State<Arc<Engine>>,
    Path(tenant_id): Path<String>,
    request: Request<Body>,
) -> Response {
    serve(engine, tenant_id, String::new(), request).await
}

/// `/{tenant_id}/scim/v2/{*rest}`.
pub(crate) async fn handle(
    State(engine): State<Arc<Engine>>,
    Path((tenant_id, rest)): Path<(String, String)>,
    request: Request<Body>,
) -> Response {
    serve(engine, tenant_id, rest, request).await
}

async fn serve(
    engine: Arc<Engine>,
    tenant_id: String,
    path: String,
    request: Request<Body>,
) -> Response {
    let request_id = uuid::Uuid::new_v4().to_string();
    let (parts, body) = request.into_parts();
    let body = match axum::body::to_bytes(body, MAX_BODY_BYTES).await {
        Ok(body) => body,
        Err(error) => {
            return error_response(
                &ScimError::validation(
                    "invalidSyntax",
                    format!("The request body could not be read: {error}"),
                ),
                &request_id,
            );
        }
    };
    let task = tokio::task::spawn_blocking(move || {
        let authorization = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok());
        let host = parts
            .headers
            .get(header::HOST)
            .and_then(|value| value.to_str().ok())
            .unwrap_or("localhost");
        let base_url = format!("http://{host}/{tenant_id}/scim/v2");
        let request = ScimRequest {
            method: &parts.method,
            tenant_id: &tenant_id,
            path: &path,
            query: parts.uri.query(),
            authorization,
            base_url: &base_url,
            body: &body,
        };
        let injected = std::cell::Cell::new(None);
        let admit = |operation: &'static str, write: bool| {
            admit(&engine, &tenant_id, operation, write).map_err(|(why, error)| {
                injected.set(Some(why));
                error
            })
        };
        let mut world = engine.lock_world();
        let now = world.clock.now();
        let mut served = scim::serve(&mut world, now, &request, &admit);
        if served.mutated
            && let Err(error) = engine.persist(&world)
        {
            served.result = Err(ScimError::Internal {
                detail: format!("The sandbox could not save its state: {error}"),
            });
        }
        let error = served.result.as_ref().err();
        engine.log(RequestLogEntry {
            time: now,
            service: "scim".to_owned(),
            operation: served.operation.to_owned(),
            outcome: if error.is_some() { "error" } else { "ok" },
            error_code: error.map(|error| error.exception_name().to_owned()),
            status: match &served.result {
                Ok(reply) => reply.status.as_u16(),
                Err(error) => error.status().as_u16(),
            },
            request_id: request_id.clone(),
            injected: injected.get().map(Injected::label),
        });
        drop(world);
        match served.result {
            Ok(reply) => {
                let mut response = match reply.body {
                    Some(body) => (reply.status, body.to_string()).into_response(),
                    None => reply.status.into_response(),
                };
                if reply.status != StatusCode::NO_CONTENT {
                    response.headers_mut().insert(
                        header::CONTENT_TYPE,
                        HeaderValue::from_static("application/json"),
                    );
                }
                if let Ok(value) = HeaderValue::from_str(&request_id) {
                    response.headers_mut().insert(REQUEST_ID_HEADER, value);
                }
                response
            }
            Err(error) => error_response(&error, &request_id),
        }
    });
    match task.await {
        Ok(response) => response,
        Err(error) => error_response(
            &ScimError::Internal {
                detail: format!("The request handler failed: {error}"),
            },
            &uuid::Uuid::new_v4().to_string(),
        ),
    }
}

fn error_response(error: &ScimError, request_id: &str) -> Response {
    let mut response = (error.status(), error.body().to_string()).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    if let Ok(value) = HeaderValue::from_str(request_id) {
        headers.insert(REQUEST_ID_HEADER, value);
    }
    response
}

/// The realistic profile's SCIM rate limits (per API: 25 TPS writes, 40 TPS reads, per
/// tenant) and the injected faults, as the SCIM errors AWS documents for them: 429
/// ThrottlingException, 500 InternalServerException, 409 ConflictException.
fn admit(
    engine: &Engine,
    tenant_id: &str,
    operation: &'static str,
    write: bool,
) -> Result<(), (Injected, ScimError)> {
    let injected = match engine
        .limiter()
        .map(|limiter| limiter.try_acquire("scim", operation, tenant_id))
    {
        Some(Err(retry_after)) => Some(Injected::RateLimit { retry_after }),
        _ => engine.decide_fault("scim", operation, write),
    };
    let Some(injected) = injected else {
        return Ok(());
    };
    let error = match injected {
        Injected::RateLimit { .. } | Injected::Throttle => ScimError::Throttling {
            detail: "Too many requests exceeded the limits.".into(),
        },
        Injected::ServerError => ScimError::Internal {
            detail: "Service failed to process the request.".into(),
        },
        Injected::Conflict => ScimError::ConcurrentModification {
            detail: "The resource was being concurrently modified by another request.".into(),
        },
    };
    Err((injected, error))
}
