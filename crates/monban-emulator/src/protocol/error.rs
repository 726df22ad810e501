//! The one place where an AWS error becomes an HTTP response.
//!
//! Every error the emulator sends — a service's modeled exception or a protocol-level one
//! (unknown operation, bad JSON, failed authentication) — is a `Serialize` enum tagged with
//! `__type` whose variant names are AWS's exception names. [`WireError::from_service`] turns
//! one into the awsJson1_1 wire format: HTTP status (400 client, 500 fault, or the status a
//! protocol error documents), header `x-amzn-ErrorType: <Name>` (the Rust SDK reads it first)
//! AND body `{"__type": "<Name>", "Message": …, <modeled members>}` (botocore reads only
//! the body). No string `code` key is ever put in a body: the Rust SDK would prefer it over
//! `__type` (aws-api-facts §1.2).

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::{Map, Value};

use super::{AWS_JSON_1_1, REQUEST_ID_HEADER};

/// A service's exception enum (or [`ProtocolError`]): variants are AWS exception names,
/// serialized with `#[serde(tag = "__type")]`, fields renamed to their model spelling.
pub trait ServiceError: Serialize + std::fmt::Debug {
    /// Whether the model marks this exception `fault: true` (a 5xx server error).
    fn is_fault(&self) -> bool;

    /// The HTTP status. The three awsJson models declare no `httpStatusCode`, so client
    /// errors are 400 and faults 500 (sandbox decision, aws-api-facts §1.2).
    fn http_status(&self) -> StatusCode {
        if self.is_fault() {
            StatusCode::INTERNAL_SERVER_ERROR
        } else {
            StatusCode::BAD_REQUEST
        }
    }

    /// Whether the exception models a `RequestId` member (every Identity Store exception),
    /// which the serializer fills with the request's id.
    fn carries_request_id(&self) -> bool {
        false
    }
}

/// An error ready for the wire: name, status and the JSON body members.
#[derive(Debug, Clone, PartialEq)]
pub struct WireError {
    /// The exception name, e.g. `ConflictException`.
    pub type_name: String,
    /// The HTTP status code.
    pub status: StatusCode,
    /// The body: `__type`, `Message` and the modeled members.
    body: Map<String, Value>,
    carries_request_id: bool,
}

impl WireError {
    /// Converts a service's exception into its wire form.
    pub fn from_service<E: ServiceError>(error: &E) -> Self {
        let body = match serde_json::to_value(error) {
            Ok(Value::Object(body)) => body,
            // A `#[serde(tag = "__type")]` enum of struct variants always serializes to an
            // object; anything else is a bug in an error enum, reported as such on the wire.
            other => {
                let mut body = Map::new();
                body.insert("__type".into(), Value::from("InternalFailure"));
                body.insert(
                    "Message".into(),
                    Value::from(format!(
                        "emulator bug: error {error:?} serialized as {other:?}"
                    )),
                );
                return Self {
                    type_name: "InternalFailure".into(),
                    status: StatusCode::INTERNAL_SERVER_ERROR,
                    body,
                    carries_request_id: false,
                };
            }
        };
        let type_name = body
            .get("__type")
            .and_then(Value::as_str)
            .unwrap_or("InternalFailure")
            .to_owned();
        Self {
            type_name,
            status: error.http_status(),
            body,
            carries_request_id: error.carries_request_id(),
        }
    }

    /// The human message, for logs and tests.
    #[must_use]
    pub fn message(&self) -> &str {
        self.body
            .get("Message")
            .and_then(Value::as_str)
            .unwrap_or("")
    }

    /// The HTTP response for this error, answering request `request_id`.
    #[must_use]
    pub fn into_response(mut self, request_id: &str) -> Response {
        if self.carries_request_id {
            self.body
                .insert("RequestId".into(), Value::from(request_id.to_owned()));
        }
        let body = Value::Object(self.body).to_string();
        let mut response = (self.status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(
            axum::http::header::CONTENT_TYPE,
            HeaderValue::from_static(AWS_JSON_1_1),
        );
        if let Ok(value) = HeaderValue::from_str(&self.type_name) {
            headers.insert("x-amzn-ErrorType", value);
        }
        if let Ok(value) = HeaderValue::from_str(request_id) {
            headers.insert(REQUEST_ID_HEADER, value);
        }
        response
    }
}

/// Errors raised by the protocol layer before or around a service's handler. These are
/// AWS's common errors (not in any service model); names and statuses follow AWS's
/// "Common Errors" pages and what awsJson services are seen to send (sandbox decisions in
/// `docs/reference/sandbox.md`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(tag = "__type")]
pub enum ProtocolError {
    /// The `X-Amz-Target` names no service or no operation this endpoint serves.
    #[error("UnknownOperationException: {message}")]
    UnknownOperationException {
        #[serde(rename = "Message")]
        message: String,
    },
    /// The body is not JSON, or a member has the wrong JSON type.
    #[error("SerializationException: {message}")]
    SerializationException {
        #[serde(rename = "Message")]
        message: String,
    },
    /// No `Authorization` header on a signed protocol.
    #[error("MissingAuthenticationTokenException: {message}")]
    MissingAuthenticationTokenException {
        #[serde(rename = "Message")]
        message: String,
    },
    /// The `Authorization` header is not a well-formed SigV4 header.
    #[error("IncompleteSignatureException: {message}")]
    IncompleteSignatureException {
        #[serde(rename = "Message")]
        message: String,
    },
    /// The access key id (or its session token) is unknown.
    #[error("UnrecognizedClientException: {message}")]
    UnrecognizedClientException {
        #[serde(rename = "Message")]
        message: String,
    },
    /// A temporary key past its expiry.
    #[error("ExpiredTokenException: {message}")]
    ExpiredTokenException {
        #[serde(rename = "Message")]
        message: String,
    },
    /// The signature does not match, is for another service, or has expired.
    #[error("InvalidSignatureException: {message}")]
    InvalidSignatureException {
        #[serde(rename = "Message")]
        message: String,
    },
    /// An emulator bug (e.g. a state file that cannot be written).
    #[error("InternalFailure: {message}")]
    InternalFailure {
        #[serde(rename = "Message")]
        message: String,
    },
}

impl ServiceError for ProtocolError {
    fn is_fault(&self) -> bool {
        matches!(self, Self::InternalFailure { .. })
    }

    fn http_status(&self) -> StatusCode {
        match self {
            Self::MissingAuthenticationTokenException { .. } => StatusCode::FORBIDDEN,
            Self::InternalFailure { .. } => StatusCode::INTERNAL_SERVER_ERROR,
            _ => StatusCode::BAD_REQUEST,
        }
    }
}

impl From<ProtocolError> for WireError {
    fn from(error: ProtocolError) -> Self {
        Self::from_service(&error)
    }
}
