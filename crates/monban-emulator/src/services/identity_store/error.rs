//! The exceptions of the Identity Store.
//!
//! Generated once from `identitystore/2020-06-15/service-2.json` (every modeled exception with its
//! modeled members); maintained by hand from here on. Serialized to the wire in exactly one
//! place, `crate::protocol::error`: the variant name becomes `__type` and the
//! `x-amzn-ErrorType` header, the fields keep their model spelling.

use serde::Serialize;

use crate::protocol::error::ServiceError;

/// Every exception the identitystore model declares, named exactly as AWS names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(tag = "__type")]
pub enum IdentityStoreError {
    /// You do not have sufficient access to perform this action.
    #[error("AccessDeniedException: {message}")]
    AccessDeniedException {
        #[serde(rename = "Message")]
        message: String,
        #[serde(rename = "Reason", skip_serializing_if = "Option::is_none")]
        reason: Option<AccessDeniedExceptionReason>,
    },
    /// This request cannot be completed for one of the following reasons: Performing the requested operation would violate an existing uniqueness claim in the identity store.
    #[error("ConflictException: {message}")]
    ConflictException {
        #[serde(rename = "Message")]
        message: String,
        #[serde(rename = "Reason")]
        reason: ConflictExceptionReason,
    },
    /// The request processing has failed because of an unknown error, exception or failure with an internal server.
    #[error("InternalServerException: {message}")]
    InternalServerException {
        #[serde(rename = "Message")]
        message: String,
        #[serde(rename = "RetryAfterSeconds", skip_serializing_if = "Option::is_none")]
        retry_after_seconds: Option<i32>,
    },
    /// Indicates that a requested resource is not found.
    #[error("ResourceNotFoundException: {message}")]
    ResourceNotFoundException {
        #[serde(rename = "ResourceType")]
        resource_type: ResourceType,
        #[serde(rename = "ResourceId", skip_serializing_if = "Option::is_none")]
        resource_id: Option<String>,
        #[serde(rename = "Reason", skip_serializing_if = "Option::is_none")]
        reason: Option<ResourceNotFoundExceptionReason>,
        #[serde(rename = "Message")]
        message: String,
    },
    /// The request would cause the number of users or groups in the identity store to exceed the maximum allowed.
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
        #[serde(rename = "RetryAfterSeconds", skip_serializing_if = "Option::is_none")]
        retry_after_seconds: Option<i32>,
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

impl ServiceError for IdentityStoreError {
    fn is_fault(&self) -> bool {
        matches!(self, Self::InternalServerException { .. })
    }

    fn carries_request_id(&self) -> bool {
        // Every identitystore exception models `RequestId`; the serializer fills it in.
        true
    }
}

/// `identitystore:AccessDeniedExceptionReason` from the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum AccessDeniedExceptionReason {
    #[serde(rename = "KMS_ACCESS_DENIED")]
    KmsAccessDenied,
}

/// `identitystore:ConflictExceptionReason` from the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ConflictExceptionReason {
    #[serde(rename = "UNIQUENESS_CONSTRAINT_VIOLATION")]
    UniquenessConstraintViolation,
    #[serde(rename = "CONCURRENT_MODIFICATION")]
    ConcurrentModification,
}

/// `identitystore:ResourceType` from the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ResourceType {
    #[serde(rename = "GROUP")]
    Group,
    #[serde(rename = "USER")]
    User,
    #[serde(rename = "IDENTITY_STORE")]
    IdentityStore,
    #[serde(rename = "GROUP_MEMBERSHIP")]
    GroupMembership,
    #[serde(rename = "RESOURCE_POLICY")]
    ResourcePolicy,
}

/// `identitystore:ResourceNotFoundExceptionReason` from the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ResourceNotFoundExceptionReason {
    #[serde(rename = "KMS_KEY_NOT_FOUND")]
    KmsKeyNotFound,
}

/// `identitystore:ThrottlingExceptionReason` from the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ThrottlingExceptionReason {
    #[serde(rename = "KMS_THROTTLING")]
    KmsThrottling,
}

/// `identitystore:ValidationExceptionReason` from the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ValidationExceptionReason {
    #[serde(rename = "KMS_INVALID_ARN")]
    KmsInvalidArn,
    #[serde(rename = "KMS_INVALID_KEY_USAGE")]
    KmsInvalidKeyUsage,
    #[serde(rename = "KMS_INVALID_STATE")]
    KmsInvalidState,
    #[serde(rename = "KMS_DISABLED")]
    KmsDisabled,
}
