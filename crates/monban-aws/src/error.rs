//! The one error type of this crate: every failure names what was being done (the target,
//! the AWS operation, the snapshot file) and keeps the cause in `#[source]`.

use std::path::PathBuf;

/// A boxed cause (SDK errors are generic per operation; boxing keeps this enum small).
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// What can go wrong talking to a target or handling its snapshots.
#[derive(Debug, thiserror::Error)]
pub enum AwsError {
    /// The standard credential chain found nothing for an AWS target. Never falls back to
    /// the sandbox (design §4).
    #[error(
        "no AWS credentials found for {target}; sign in (`aws sso login{profile_hint}`) or set AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY"
    )]
    MissingCredentials {
        /// The target's one-line description.
        target: String,
        /// ` --profile NAME` when a profile was named, else empty.
        profile_hint: String,
        #[source]
        source: BoxError,
    },

    /// An AWS target with no region anywhere (neither given nor in the profile/environment).
    #[error("no region for {target}; set `region` in monban.yaml's target, or AWS_REGION")]
    MissingRegion {
        /// The target's one-line description.
        target: String,
    },

    /// The caller's account could not be determined (STS `GetCallerIdentity` failed on a
    /// real AWS target).
    #[error("could not determine the calling account on {target}")]
    CallerUnknown {
        /// The target's one-line description.
        target: String,
        #[source]
        source: BoxError,
    },

    /// An AWS API call failed (after the SDK's own retries).
    #[error("{service} {operation} failed: {message}")]
    Call {
        /// `organizations`, `sso-admin`, `identitystore`, `sts`.
        service: &'static str,
        /// The operation, as AWS names it.
        operation: &'static str,
        /// The error with its whole chain, flattened for the message.
        message: String,
        #[source]
        source: BoxError,
    },

    /// AWS answered with something the model says cannot happen (a missing required field,
    /// a repeated pagination token).
    #[error("{service} {operation} returned an unexpected response: {detail}")]
    UnexpectedResponse {
        /// The service.
        service: &'static str,
        /// The operation.
        operation: &'static str,
        /// What was wrong.
        detail: String,
    },

    /// An operation needs the Identity Center instance (e.g. the IdP push needs the
    /// Identity Store id) and the target has none.
    #[error("the target has no IAM Identity Center instance (ListInstances returned none)")]
    NoInstance,

    /// Reading or writing a snapshot file failed.
    #[error("snapshot {path}: {action} failed")]
    Snapshot {
        /// The file or directory.
        path: PathBuf,
        /// `create directory`, `write`, `read`, `rename`.
        action: &'static str,
        #[source]
        source: std::io::Error,
    },

    /// A snapshot file is not valid JSON of the expected shape.
    #[error("snapshot {path} is not a valid monban snapshot")]
    SnapshotFormat {
        /// The file.
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },

    /// A sandbox-only operation was asked of a real AWS target (design §1: on AWS the IdP
    /// owns users and groups; monban never writes them).
    #[error("{operation} only works on a sandbox or an endpoint, not on {target}")]
    SandboxOnly {
        /// What was refused.
        operation: &'static str,
        /// The target's description.
        target: String,
    },

    /// A directory snapshot names a member that is not one of its users (the loader in
    /// `monban-config` reports this first; this guards callers that build a `Directory` by
    /// hand).
    #[error("directory group `{group}` lists `{member}`, who is not a user of the directory")]
    UnknownMember {
        /// The group's display name.
        group: String,
        /// The member's user name.
        member: String,
    },
}

impl AwsError {
    /// Wraps an SDK error of `service`'s `operation`, keeping the full cause chain in the
    /// message (the SDK's own `Display` says only "service error").
    pub(crate) fn call<E>(service: &'static str, operation: &'static str, error: E) -> Self
    where
        E: std::error::Error + Send + Sync + 'static,
    {
        Self::Call {
            service,
            operation,
            message: aws_smithy_types::error::display::DisplayErrorContext(&error).to_string(),
            source: Box::new(error),
        }
    }

    /// A required field was missing from a response.
    pub(crate) fn missing(service: &'static str, operation: &'static str, field: &str) -> Self {
        Self::UnexpectedResponse {
            service,
            operation,
            detail: format!("`{field}` is missing"),
        }
    }
}
