//! awsJson1_1: `X-Amz-Target` routing, authentication, typed (de)serialization around the
//! handlers, the response envelope and the request log entry.
//!
//! A service registers an [`AwsJsonService`] (target prefix, signing name, dispatch table).
//! Its dispatch table maps each operation name to a handler through [`Call::read`] (the
//! handler gets `&World`) or [`Call::write`] (`&mut World`; the World is persisted after
//! it). Handlers are plain functions:
//!
//! ```ignore
//! fn list_roots(context: &RequestContext, world: &World, input: ListRootsRequest)
//!     -> Result<ListRootsResponse, OrganizationsError>
//! ```
//!
//! Everything runs under the World's lock: settle due async operations, admission (the
//! realistic profile's rate limits and injected faults, `crate::admission`, decided before
//! the input is read), validate, mutate, persist — no other request can interleave.

use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use jiff::Timestamp;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::error::{ProtocolError, ServiceError, WireError};
use super::{AWS_JSON_1_1, REQUEST_ID_HEADER};
use crate::admission;
use crate::auth::{self, Caller};
use crate::config::Settings;
use crate::engine::{Engine, RequestLogEntry};
use crate::faults::Injected;
use crate::services;
use crate::world::World;

/// A service spoken over awsJson1_1.
#[derive(Debug)]
pub struct AwsJsonService {
    /// The service's short name in logs and the request log (`organizations`, `sso-admin`,
    /// `identitystore`: botocore's service directory name).
    pub name: &'static str,
    /// The `X-Amz-Target` prefix, e.g. `AWSOrganizationsV20161128`.
    pub target_prefix: &'static str,
    /// The SigV4 signing name that must appear in the credential scope.
    pub signing_name: &'static str,
    /// The service's dispatch table.
    pub dispatch: fn(&mut Call<'_>) -> Result<Vec<u8>, WireError>,
    /// The service's error for a missing required input member (its name as on the wire):
    /// Organizations says `InvalidInputException`, the others `ValidationException`.
    pub missing_member: fn(&str) -> WireError,
}

/// What a handler knows about the request besides its input.
#[derive(Debug, Clone)]
pub struct RequestContext {
    /// This request's id (also in the `x-amzn-RequestId` header).
    pub request_id: String,
    /// The sandbox clock's time when the request was taken up; use it for every timestamp
    /// the request writes and every async status it reads.
    pub now: Timestamp,
    /// Who signed the request.
    pub caller: Caller,
    /// Server settings (async duration, quotas, home region).
    pub settings: Settings,
}

impl RequestContext {
    /// Whether the caller is the organization's management account.
    #[must_use]
    pub fn is_management_account(&self, world: &World) -> bool {
        self.caller.account_id == world.management_account_id()
    }
}

/// One operation call: the operation name, its raw input and the World, while the lock is
/// held. Handed to the service's dispatch table.
#[derive(Debug)]
pub struct Call<'a> {
    operation: &'a str,
    body: &'a [u8],
    context: &'a RequestContext,
    world: &'a mut World,
    service: &'static AwsJsonService,
    mutated: bool,
    engine: &'a Engine,
    /// Set when admission refused the request (for the request log).
    injected: Option<Injected>,
}

impl Call<'_> {
    /// The operation name from `X-Amz-Target`.
    #[must_use]
    pub fn operation(&self) -> &str {
        self.operation
    }

    /// Runs a handler that only reads the World.
    pub fn read<I, O, E>(
        &mut self,
        handler: impl FnOnce(&RequestContext, &World, I) -> Result<O, E>,
    ) -> Result<Vec<u8>, WireError>
    where
        I: DeserializeOwned,
        O: Serialize,
        E: ServiceError,
    {
        self.admit(false)?;
        let input = self.decode()?;
        let output = handler(self.context, self.world, input)
            .map_err(|error| WireError::from_service(&error))?;
        encode(&output)
    }

    /// Runs a handler that may change the World; the World is persisted afterwards (also
    /// when the handler fails, so memory and disk never diverge — but handlers validate
    /// before they mutate).
    pub fn write<I, O, E>(
        &mut self,
        handler: impl FnOnce(&RequestContext, &mut World, I) -> Result<O, E>,
    ) -> Result<Vec<u8>, WireError>
    where
        I: DeserializeOwned,
        O: Serialize,
        E: ServiceError,
    {
        self.admit(true)?;
        let input = self.decode()?;
        self.mutated = true;
        let output = handler(self.context, self.world, input)
            .map_err(|error| WireError::from_service(&error))?;
        encode(&output)
    }

    /// The error for an operation the service does not serve (yet).
    #[must_use]
    pub fn unknown_operation(&self) -> WireError {
        ProtocolError::UnknownOperationException {
            message: format!(
                "The sandbox's {} service does not implement the operation {}.",
                self.service.name, self.operation
            ),
        }
        .into()
    }

    /// Rate limits and injected faults, before anything else about the operation
    /// (`crate::admission`).
    fn admit(&mut self, write: bool) -> Result<(), WireError> {
        admission::admit(
            self.engine,
            self.service.name,
            self.operation,
            &self.context.caller.account_id,
            write,
        )
        .map_err(|(injected, error)| {
            self.injected = Some(injected);
            error
        })
    }

    fn decode<I: DeserializeOwned>(&self) -> Result<I, WireError> {
        // botocore and the Rust SDK send `{}` for an empty input; accept an empty body too.
        let body: &[u8] = if self.body.iter().all(u8::is_ascii_whitespace) {
            b"{}"
        } else {
            self.body
        };
        serde_json::from_slice(body).map_err(|error| {
            let text = error.to_string();
            if error.is_data()
                && let Some(member) = text
                    .strip_prefix("missing field `")
                    .and_then(|rest| rest.split('`').next())
            {
                return (self.service.missing_member)(member);
            }
            ProtocolError::SerializationException {
                message: format!(
                    "The request body is not a valid {} input: {text}",
                    self.operation
                ),
            }
            .into()
        })
    }
}

fn encode<O: Serialize>(output: &O) -> Result<Vec<u8>, WireError> {
    serde_json::to_vec(output).map_err(|error| {
        ProtocolError::InternalFailure {
            message: format!("The response could not be serialized: {error}"),
        }
        .into()
    })
}

/// Serves one awsJson request (synchronously, on a blocking thread).
pub(crate) fn handle(
    engine: &Engine,
    parts: &Parts,
    body: &[u8],
    request_id: &str,
    target: &str,
) -> Response {
    let (prefix, operation) = target.split_once('.').unwrap_or((target, ""));
    let service = services::by_target_prefix(prefix);
    if let Some(service) = service {
        // Injected latency is served before taking the World's lock, so it delays only
        // this request.
        let latency = engine.fault_latency(service.name, operation);
        if !latency.is_zero() {
            std::thread::sleep(latency);
        }
    }
    let mut world = engine.lock_world();
    let now = world.clock.now();
    let mut injected = None;
    let result = serve(
        engine,
        &mut world,
        service,
        parts,
        body,
        request_id,
        operation,
        now,
        &mut injected,
    );
    engine.log(
        RequestLogEntry::new(
            now,
            service.map_or("unknown", |service| service.name),
            operation,
            request_id,
            result.as_ref().err(),
        )
        .with_injected(injected),
    );
    drop(world);
    match result {
        Ok(bytes) => {
            let mut response = (StatusCode::OK, bytes).into_response();
            let headers = response.headers_mut();
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(AWS_JSON_1_1));
            if let Ok(value) = HeaderValue::from_str(request_id) {
                headers.insert(REQUEST_ID_HEADER, value);
            }
            response
        }
        Err(error) => error.into_response(request_id),
    }
}

#[expect(
    clippy::too_many_arguments,
    reason = "one internal call site, all distinct inputs"
)]
fn serve(
    engine: &Engine,
    world: &mut World,
    service: Option<&'static AwsJsonService>,
    parts: &Parts,
    body: &[u8],
    request_id: &str,
    operation: &str,
    now: Timestamp,
    injected: &mut Option<Injected>,
) -> Result<Vec<u8>, WireError> {
    let Some(service) = service else {
        return Err(ProtocolError::UnknownOperationException {
            message: "The X-Amz-Target header names no service this endpoint serves.".into(),
        }
        .into());
    };
    let caller = auth::authenticate(
        parts,
        body,
        service.signing_name,
        &world.credentials,
        Timestamp::now(),
        now,
    )?;
    // The key was used: IAM's GetAccessKeyLastUsed reports it. Saved with the next write.
    world.iam.record_key_use(
        &caller.access_key_id,
        service.signing_name,
        &caller.signing_region,
        now,
    );
    let settled = world.settle(now);
    let context = RequestContext {
        request_id: request_id.to_owned(),
        now,
        caller,
        settings: engine.settings().clone(),
    };
    let mut call = Call {
        operation,
        body,
        context: &context,
        world,
        service,
        mutated: false,
        engine,
        injected: None,
    };
    let result = (service.dispatch)(&mut call);
    *injected = call.injected;
    if settled || call.mutated {
        engine.persist(world).map_err(|error| {
            WireError::from(ProtocolError::InternalFailure {
                message: format!("The sandbox could not save its state: {error}"),
            })
        })?;
    }
    result
}
