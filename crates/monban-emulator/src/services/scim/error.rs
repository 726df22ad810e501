//! SCIM errors as IAM Identity Center sends them: the RFC 7644 §3.12 error body
//! (`schemas: [urn:ietf:params:scim:api:messages:2.0:Error]`, `status` as a string, an
//! optional `scimType`, `detail`) with the HTTP status of the AWS exception the SCIM
//! developer guide lists for the condition (ValidationException 400, UnauthorizedException
//! 401, ResourceNotFoundException 404, ConflictException 409, InternalServerException 500).

use axum::http::StatusCode;
use serde_json::{Value, json};

/// The SCIM error message schema.
pub const ERROR_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:Error";

/// One SCIM error. Variants are named after the AWS exception the developer guide lists.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScimError {
    /// 400: the request cannot be parsed, violates the schema, or asks for something the
    /// implementation does not support. `scim_type` is RFC 7644's detail keyword
    /// (`invalidValue`, `invalidFilter`, `invalidSyntax`, `noTarget`, `mutability`,
    /// `tooMany`, `invalidPath`).
    #[error("ValidationException: {detail}")]
    Validation {
        scim_type: &'static str,
        detail: String,
    },
    /// 401: the `Authorization` header is missing or wrong, or the tenant id is not ours.
    #[error("UnauthorizedException: {detail}")]
    Unauthorized { detail: String },
    /// 404: no such user or group (or no such endpoint).
    #[error("ResourceNotFoundException: {detail}")]
    NotFound { detail: String },
    /// 409: a uniqueness claim (userName, externalId, email; group displayName, externalId).
    #[error("ConflictException: {detail}")]
    Conflict { detail: String },
    /// 409 without `uniqueness`: an injected concurrent-modification fault.
    #[error("ConflictException: {detail}")]
    ConcurrentModification { detail: String },
    /// 429: the realistic profile's rate limit, or an injected throttle.
    #[error("ThrottlingException: {detail}")]
    Throttling { detail: String },
    /// 500: the sandbox failed (its state could not be saved), or an injected fault.
    #[error("InternalServerException: {detail}")]
    Internal { detail: String },
}

impl ScimError {
    /// A 400 `invalidValue`.
    #[must_use]
    pub fn invalid_value(detail: impl Into<String>) -> Self {
        Self::Validation {
            scim_type: "invalidValue",
            detail: detail.into(),
        }
    }

    /// A 400 with another RFC 7644 `scimType`.
    #[must_use]
    pub fn validation(scim_type: &'static str, detail: impl Into<String>) -> Self {
        Self::Validation {
            scim_type,
            detail: detail.into(),
        }
    }

    /// A 404 for a user or group id.
    #[must_use]
    pub fn not_found(kind: &str, id: &str) -> Self {
        Self::NotFound {
            detail: format!("{kind} {id} does not exist."),
        }
    }

    /// A 409 `uniqueness`.
    #[must_use]
    pub fn duplicate(detail: impl Into<String>) -> Self {
        Self::Conflict {
            detail: detail.into(),
        }
    }

    /// A create's conflict, worded as IdPs report Identity Center's answer ("Refused to
    /// create a new, duplicate resource", AWS re:Post knowledge-center article
    /// iam-identity-center-provision), followed by what collided.
    #[must_use]
    pub fn on_create(self) -> Self {
        match self {
            Self::Conflict { detail } => Self::Conflict {
                detail: format!("Refused to create a new, duplicate resource. {detail}"),
            },
            other => other,
        }
    }

    /// The AWS exception name (for the request log).
    #[must_use]
    pub fn exception_name(&self) -> &'static str {
        match self {
            Self::Validation { .. } => "ValidationException",
            Self::Unauthorized { .. } => "UnauthorizedException",
            Self::NotFound { .. } => "ResourceNotFoundException",
            Self::Conflict { .. } | Self::ConcurrentModification { .. } => "ConflictException",
            Self::Throttling { .. } => "ThrottlingException",
            Self::Internal { .. } => "InternalServerException",
        }
    }

    /// The HTTP status.
    #[must_use]
    pub fn status(&self) -> StatusCode {
        match self {
            Self::Validation { .. } => StatusCode::BAD_REQUEST,
            Self::Unauthorized { .. } => StatusCode::UNAUTHORIZED,
            Self::NotFound { .. } => StatusCode::NOT_FOUND,
            Self::Conflict { .. } | Self::ConcurrentModification { .. } => StatusCode::CONFLICT,
            Self::Throttling { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Internal { .. } => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The RFC 7644 error body.
    #[must_use]
    pub fn body(&self) -> Value {
        let (scim_type, detail) = match self {
            Self::Validation { scim_type, detail } => (Some(*scim_type), detail),
            Self::Conflict { detail } => (Some("uniqueness"), detail),
            Self::Unauthorized { detail }
            | Self::NotFound { detail }
            | Self::ConcurrentModification { detail }
            | Self::Throttling { detail }
            | Self::Internal { detail } => (None, detail),
        };
        let mut body = json!({
            "schemas": [ERROR_SCHEMA],
            "status": self.status().as_u16().to_string(),
            "detail": detail,
        });
        if let Some(scim_type) = scim_type {
            body["scimType"] = Value::from(scim_type);
        }
        body
    }
}
