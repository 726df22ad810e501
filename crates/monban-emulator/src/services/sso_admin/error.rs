//! The exceptions of IAM Identity Center's admin API (SSO Admin).
//!
//! Generated once from `sso-admin/2020-07-20/service-2.json` (every modeled exception with its
//! modeled members); maintained by hand from here on. Serialized to the wire in exactly one
//! place, `crate::protocol::error`: the variant name becomes `__type` and the
//! `x-amzn-ErrorType` header, the fields keep their model spelling.

use serde::Serialize;

use crate::protocol::error::ServiceError;

/// Every exception the sso-admin model declares, named exactly as AWS names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(tag = "__type")]
pub enum SsoAdminError {
    /// You do not have sufficient access to perform this action.
    #[error("AccessDeniedException: {message}")]
    AccessDeniedException {
        #[serde(rename = "Message")]
        message: String,
        #[serde(rename = "Reason", skip_serializing_if = "Option::is_none")]
        reason: Option<AccessDeniedExceptionReason>,
    },
    /// Occurs when a conflict with a previous successful write is detected.
    #[error("ConflictException: {message}")]
    ConflictException {
        #[serde(rename = "Message")]
        message: String,
    },
    /// The request processing has failed because of an unknown error, exception, or failure with an internal server.
    #[error("InternalServerException: {message}")]
    InternalServerException {
        #[serde(rename = "Message")]
        message: String,
    },
    /// Indicates that a requested resource is not found.
    #[error("ResourceNotFoundException: {message}")]
    ResourceNotFoundException {
        #[serde(rename = "Message")]
        message: String,
        #[serde(rename = "Reason", skip_serializing_if = "Option::is_none")]
        reason: Option<ResourceNotFoundExceptionReason>,
    },
    /// Indicates that the principal has crossed the permitted number of resources that can be created.
    #[error("ServiceQuotaExceededException: {message}")]
    ServiceQuotaExceededException {
        #[serde(rename = "Message")]
        message: String,
    },
    /// Indicates that the principal has crossed the throttling limits of the API operations.
    #[error("ThrottlingException: {message}")]
    ThrottlingException {
        #[serde(rename = "Message")]
        message: String,
        #[serde(rename = "Reason", skip_serializing_if = "Option::is_none")]
        reason: Option<ThrottlingExceptionReason>,
    },
    /// The request failed because it contains a syntax error.
    #[error("ValidationException: {message}")]
    ValidationException {
        #[serde(rename = "Message")]
        message: String,
        #[serde(rename = "Reason", skip_serializing_if = "Option::is_none")]
        reason: Option<ValidationExceptionReason>,
    },
}

impl ServiceError for SsoAdminError {
    fn is_fault(&self) -> bool {
        matches!(self, Self::InternalServerException { .. })
    }
}

/// `sso-admin:AccessDeniedExceptionReason` from the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum AccessDeniedExceptionReason {
    #[serde(rename = "KMS_AccessDeniedException")]
    KmsAccessdeniedexception,
}

/// `sso-admin:ResourceNotFoundExceptionReason` from the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ResourceNotFoundExceptionReason {
    #[serde(rename = "KMS_NotFoundException")]
    KmsNotfoundexception,
}

/// `sso-admin:ThrottlingExceptionReason` from the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ThrottlingExceptionReason {
    #[serde(rename = "KMS_ThrottlingException")]
    KmsThrottlingexception,
}

/// `sso-admin:ValidationExceptionReason` from the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ValidationExceptionReason {
    #[serde(rename = "KMS_InvalidKeyUsageException")]
    KmsInvalidkeyusageexception,
    #[serde(rename = "KMS_InvalidStateException")]
    KmsInvalidstateexception,
    #[serde(rename = "KMS_DisabledException")]
    KmsDisabledexception,
}
