//! The reusable pattern for AWS's asynchronous operations (CreateAccount,
//! Create/DeleteAccountAssignment, ProvisionPermissionSet …).
//!
//! A start operation stores an [`AsyncOperation`] in the World: its request id, when it
//! started, when it completes (`started_at` + the configured duration), and the outcome
//! decided at start (success, or a failure reason such as `EMAIL_ALREADY_EXISTS`). Nothing
//! runs in the background: a read compares `completes_at` with the sandbox clock
//! ([`AsyncOperation::status`]), so an `IN_PROGRESS` survives a restart and a test can finish
//! it by advancing the clock. Side effects that must happen at completion (the account
//! appearing, the role being provisioned) are applied by the service's `settle` function,
//! which the core calls under the World lock before every request; [`AsyncOperation::settle`]
//! returns `true` exactly once per operation, when it is due.

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

/// Where an asynchronous operation stands, as the `Status`/`State` members spell it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AsyncStatus {
    /// Not complete yet.
    InProgress,
    /// Completed successfully.
    Succeeded,
    /// Completed with a failure reason.
    Failed,
}

/// One asynchronous operation's timing and outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AsyncOperation {
    /// The id the start operation returned (`car-…` or a UUID).
    pub request_id: String,
    /// When the start operation was served.
    pub started_at: Timestamp,
    /// When it completes.
    pub completes_at: Timestamp,
    /// The failure reason it will complete with, or `None` for success. Decided at start,
    /// when the request's validity is known.
    pub failure_reason: Option<String>,
    /// Whether the completion side effects have been applied (by the service's settle).
    #[serde(default)]
    pub settled: bool,
}

impl AsyncOperation {
    /// Starts an operation at `now` that completes after `duration`.
    #[must_use]
    pub fn start(
        request_id: String,
        now: Timestamp,
        duration: SignedDuration,
        failure_reason: Option<String>,
    ) -> Self {
        Self {
            request_id,
            started_at: now,
            completes_at: now.checked_add(duration).unwrap_or(Timestamp::MAX),
            failure_reason,
            settled: false,
        }
    }

    /// The status at `now`, computed from the stored timestamps.
    #[must_use]
    pub fn status(&self, now: Timestamp) -> AsyncStatus {
        if now < self.completes_at {
            AsyncStatus::InProgress
        } else if self.failure_reason.is_some() {
            AsyncStatus::Failed
        } else {
            AsyncStatus::Succeeded
        }
    }

    /// When it completed, if it has by `now` (`CompletedTimestamp`).
    #[must_use]
    pub fn completed_at(&self, now: Timestamp) -> Option<Timestamp> {
        (now >= self.completes_at).then_some(self.completes_at)
    }

    /// The failure reason, once failed at `now`.
    #[must_use]
    pub fn failure_reason_at(&self, now: Timestamp) -> Option<&str> {
        match self.status(now) {
            AsyncStatus::Failed => self.failure_reason.as_deref(),
            _ => None,
        }
    }

    /// `true` exactly once: the first time it is called at or after `completes_at`. The
    /// caller then applies the completion side effects (only when it succeeded).
    pub fn settle(&mut self, now: Timestamp) -> bool {
        if self.settled || now < self.completes_at {
            return false;
        }
        self.settled = true;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn in_progress_until_completes_at_then_settles_once() {
        let start = Timestamp::from_second(1_800_000_000).unwrap();
        let mut operation = AsyncOperation::start(
            "car-abc12345".into(),
            start,
            SignedDuration::from_millis(300),
            None,
        );
        assert_eq!(operation.status(start), AsyncStatus::InProgress);
        assert!(!operation.settle(start));
        let later = start + SignedDuration::from_secs(1);
        assert_eq!(operation.status(later), AsyncStatus::Succeeded);
        assert_eq!(operation.completed_at(later), Some(operation.completes_at));
        assert!(operation.settle(later));
        assert!(!operation.settle(later));
    }

    #[test]
    fn a_failure_is_reported_only_once_complete() {
        let start = Timestamp::from_second(1_800_000_000).unwrap();
        let operation = AsyncOperation::start(
            "car-abc12345".into(),
            start,
            SignedDuration::from_secs(5),
            Some("EMAIL_ALREADY_EXISTS".into()),
        );
        assert_eq!(operation.failure_reason_at(start), None);
        let later = start + SignedDuration::from_secs(5);
        assert_eq!(operation.status(later), AsyncStatus::Failed);
        assert_eq!(
            operation.failure_reason_at(later),
            Some("EMAIL_ALREADY_EXISTS")
        );
    }
}
