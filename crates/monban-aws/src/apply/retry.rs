//! Which AWS errors an apply retries, how long it waits, and for how long it keeps trying.
//!
//! The apply's SDK clients have the SDK's own retries switched off: every retry is decided
//! here, so each is counted by kind, reported to the observer, bounded by one policy, and
//! never hidden inside the SDK's retry quota (terraform-provider-aws#35646: "retry quota
//! exceeded"). A request AWS rejected for throttling, a propagation conflict, a concurrent
//! modification or a server error is retried with exponential backoff and full jitter; a
//! duplicate-name `ConflictException` ("… already exists") is an error at once — the loops
//! that retried it for an hour are the field survey's worst apply story.

use std::time::Duration;

use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use rand::Rng;
use serde::{Deserialize, Serialize};

/// Why a request was retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RetryKind {
    /// `ThrottlingException`, `TooManyRequestsException`, HTTP 429.
    Throttling,
    /// SSO Admin's propagation `ConflictException` ("conflicting operation in process",
    /// a permission set still provisioned while its deprovisioning finishes, …).
    Conflict,
    /// Organizations' `ConcurrentModificationException`.
    ConcurrentModification,
    /// A 5xx: `InternalServerException`, `ServiceException`, …
    ServerError,
    /// No answer: a timeout or a connection failure.
    Network,
}

/// Retries of one apply, by kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetryCounts {
    pub throttling: u64,
    pub conflict: u64,
    pub concurrent_modification: u64,
    pub server_error: u64,
    pub network: u64,
}

impl RetryCounts {
    /// Every retry.
    #[must_use]
    pub fn total(&self) -> u64 {
        self.throttling
            + self.conflict
            + self.concurrent_modification
            + self.server_error
            + self.network
    }

    pub(crate) fn add(&mut self, kind: RetryKind) {
        let counter = match kind {
            RetryKind::Throttling => &mut self.throttling,
            RetryKind::Conflict => &mut self.conflict,
            RetryKind::ConcurrentModification => &mut self.concurrent_modification,
            RetryKind::ServerError => &mut self.server_error,
            RetryKind::Network => &mut self.network,
        };
        *counter += 1;
    }
}

/// How retryable errors are retried: attempt `n` (from 1) waits a random time in
/// `[0, min(max_delay, base_delay × 2ⁿ⁻¹)]` (full jitter), and a request is given up after
/// `max_attempts` attempts or once `budget` has passed since its first attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    pub base_delay: Duration,
    pub max_delay: Duration,
    pub max_attempts: u32,
    pub budget: Duration,
}

impl Default for RetryPolicy {
    /// 0.2 s doubling to 20 s (the SDKs' cap), at most 12 attempts within 5 minutes.
    fn default() -> Self {
        Self {
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(20),
            max_attempts: 12,
            budget: Duration::from_mins(5),
        }
    }
}

impl RetryPolicy {
    /// The jittered wait before attempt `attempt + 1` (after `attempt` failures).
    pub(crate) fn delay(&self, attempt: u32) -> Duration {
        let exponent = attempt.saturating_sub(1).min(20);
        let ceiling = self
            .base_delay
            .saturating_mul(1_u32 << exponent)
            .min(self.max_delay);
        let millis = u64::try_from(ceiling.as_millis()).unwrap_or(u64::MAX);
        Duration::from_millis(rand::rng().random_range(0..=millis))
    }
}

/// What to do about an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Class {
    /// Retry (counted under this kind).
    Retry(RetryKind),
    /// A name or resource that already exists: never retried.
    AlreadyExists,
    /// Anything else: the step fails.
    Fatal,
}

/// A failed AWS request, as the report shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StepError {
    /// `sso-admin:CreatePermissionSet`, …
    pub(crate) operation: String,
    /// The AWS error code, when AWS answered.
    pub(crate) code: Option<String>,
    pub(crate) message: String,
    pub(crate) class: Class,
}

impl StepError {
    /// An error that is not an AWS answer (an async operation's `FAILED`, a missing id).
    pub(crate) fn other(operation: &str, message: impl Into<String>) -> Self {
        Self {
            operation: operation.to_owned(),
            code: None,
            message: message.into(),
            class: Class::Fatal,
        }
    }

    pub(crate) fn is_code(&self, code: &str) -> bool {
        self.code.as_deref() == Some(code)
    }
}

impl std::fmt::Display for StepError {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.code {
            Some(code) => write!(formatter, "{}: {code}: {}", self.operation, self.message),
            None => write!(formatter, "{}: {}", self.operation, self.message),
        }
    }
}

/// Throttling codes (the SDKs' list, aws-api-facts §1.3).
const THROTTLING_CODES: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "RequestLimitExceeded",
    "SlowDown",
    "RequestThrottled",
    "PriorRequestNotComplete",
];

const SERVER_ERROR_CODES: &[&str] = &[
    "InternalServerException",
    "ServiceException",
    "InternalFailure",
    "InternalServerError",
    "ServiceUnavailable",
    "ServiceUnavailableException",
];

/// Classifies an error by its code, message and HTTP status.
pub(crate) fn classify_parts(code: Option<&str>, message: &str, status: Option<u16>) -> Class {
    match code {
        Some(code) if THROTTLING_CODES.contains(&code) => Class::Retry(RetryKind::Throttling),
        Some("ConflictException") => {
            // One exception, two meanings (aws-api-facts §5.1.1): only the propagation
            // conflict is worth waiting out.
            if message.contains("already exists") || message.contains("already attached") {
                Class::AlreadyExists
            } else {
                Class::Retry(RetryKind::Conflict)
            }
        }
        Some("ConcurrentModificationException") => Class::Retry(RetryKind::ConcurrentModification),
        Some(code) if SERVER_ERROR_CODES.contains(&code) => Class::Retry(RetryKind::ServerError),
        _ if status == Some(429) => Class::Retry(RetryKind::Throttling),
        _ if status.is_some_and(|status| status >= 500) => Class::Retry(RetryKind::ServerError),
        _ => Class::Fatal,
    }
}

/// Turns an SDK error into a [`StepError`] with its class.
pub(crate) fn classify<E>(operation: &str, error: &SdkError<E, HttpResponse>) -> StepError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let status = error
        .raw_response()
        .map(|response| response.status().as_u16());
    match error {
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) => StepError {
            operation: operation.to_owned(),
            code: None,
            message: aws_smithy_types::error::display::DisplayErrorContext(error).to_string(),
            class: Class::Retry(RetryKind::Network),
        },
        _ => {
            let code = error.code().map(str::to_owned);
            let message = error.message().map_or_else(
                || aws_smithy_types::error::display::DisplayErrorContext(error).to_string(),
                str::to_owned,
            );
            let class = classify_parts(code.as_deref(), &message, status);
            StepError {
                operation: operation.to_owned(),
                code,
                message,
                class,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_two_conflicts_are_told_apart() {
        assert_eq!(
            classify_parts(
                Some("ConflictException"),
                "PermissionSet with name Admin already exists.",
                Some(400)
            ),
            Class::AlreadyExists
        );
        assert_eq!(
            classify_parts(
                Some("ConflictException"),
                "There is a conflicting operation in process.",
                Some(400)
            ),
            Class::Retry(RetryKind::Conflict)
        );
    }

    #[test]
    fn throttling_modification_and_server_errors_are_retried() {
        assert_eq!(
            classify_parts(Some("TooManyRequestsException"), "", Some(400)),
            Class::Retry(RetryKind::Throttling)
        );
        assert_eq!(
            classify_parts(Some("ConcurrentModificationException"), "", Some(400)),
            Class::Retry(RetryKind::ConcurrentModification)
        );
        assert_eq!(
            classify_parts(Some("InternalServerException"), "", Some(500)),
            Class::Retry(RetryKind::ServerError)
        );
        assert_eq!(
            classify_parts(None, "", Some(503)),
            Class::Retry(RetryKind::ServerError)
        );
        assert_eq!(
            classify_parts(Some("ValidationException"), "bad", Some(400)),
            Class::Fatal
        );
    }

    #[test]
    fn delays_are_jittered_below_an_exponential_ceiling() {
        let policy = RetryPolicy {
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(1),
            max_attempts: 10,
            budget: Duration::from_mins(1),
        };
        for _ in 0..200 {
            assert!(policy.delay(1) <= Duration::from_millis(100));
            assert!(policy.delay(3) <= Duration::from_millis(400));
            assert!(policy.delay(30) <= Duration::from_secs(1));
        }
        let delays: std::collections::BTreeSet<Duration> =
            (0..50).map(|_| policy.delay(5)).collect();
        assert!(delays.len() > 1, "jittered, not fixed");
    }
}
