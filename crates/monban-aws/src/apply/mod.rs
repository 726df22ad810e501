//! The apply engine: executes a [`Plan`]'s changes against the target, in dependency order,
//! as fast as AWS's per-API limits allow, retrying what AWS says to retry, never recording
//! a change as done before AWS does, and journaling every step so a crashed or killed apply
//! resumes without sending anything twice. The rules and their reasons are in
//! `docs/reference/apply.md`.
//!
//! ```ignore
//! let mut journal = monban_aws::Journal::open(&repo.join(".monban/journal").join(clients.target().key()))?;
//! let report = monban_aws::apply(&clients, &plan, &live, &mut journal, &ApplyOptions::default(), &NoObserver).await?;
//! ```
//!
//! Module map: `graph` turns the plan into tasks with dependencies; `run` schedules them
//! (semaphores, per-pair and per-account locks) and owns the retrying call wrapper;
//! `steps` holds one executor per kind of task; `poll` polls asynchronous request
//! statuses in batches; `journal` and `retry` are what their names say.

mod graph;
mod journal;
mod poll;
mod retry;
mod run;
mod steps;

use std::time::Duration;

use monban_model::LiveState;
use monban_plan::{Action, Address, Plan};
use serde::{Deserialize, Serialize};

use crate::stats::ReadStats;
use crate::target::Clients;

pub use journal::{AsyncKind, JOURNAL_FILE, Journal, JournalError, LAST_JOURNAL_FILE};
pub use retry::{RetryCounts, RetryKind, RetryPolicy};

/// How many asynchronous operations may be outstanding at once (AWS's limits,
/// aws-api-facts §4; none is adjustable).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConcurrencyLimits {
    /// Outstanding `CreateAccountAssignment` requests (AWS: 15).
    pub assignment_creations: usize,
    /// Outstanding `DeleteAccountAssignment` requests. AWS publishes no number; the
    /// creation limit is used (docs/reference/apply.md).
    pub assignment_deletions: usize,
    /// Concurrent `ProvisionPermissionSet` requests (AWS: 3).
    pub provisionings: usize,
    /// `CreateAccount` requests in progress (AWS: 5).
    pub account_creations: usize,
}

impl Default for ConcurrencyLimits {
    fn default() -> Self {
        Self {
            assignment_creations: 15,
            assignment_deletions: 15,
            provisionings: 3,
            account_creations: 5,
        }
    }
}

/// How asynchronous statuses are polled. A request is first checked when requests of its
/// kind have typically finished (a moving average of what this apply observed; `initial`
/// until it has seen one), then at intervals doubling from `initial` up to `max`. A check
/// covers every pending request of the kind: with more than `describe_up_to` pending, one
/// `List…Status` (filtered `IN_PROGRESS`) call per page replaces a `Describe…` per request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PollPolicy {
    pub initial: Duration,
    pub max: Duration,
    pub describe_up_to: usize,
    /// Give up waiting for one request after this long; it stays in the journal as in
    /// flight, so the next apply picks it up.
    pub timeout: Duration,
}

impl Default for PollPolicy {
    fn default() -> Self {
        Self {
            initial: Duration::from_millis(500),
            max: Duration::from_secs(5),
            describe_up_to: 2,
            timeout: Duration::from_mins(30),
        }
    }
}

/// Everything an apply can be tuned by.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ApplyOptions {
    pub retry: RetryPolicy,
    pub poll: PollPolicy,
    pub limits: ConcurrencyLimits,
}

/// What happened, as it happens (for a progress bar or log lines).
#[derive(Debug, Clone, PartialEq)]
pub enum ApplyEvent {
    /// The journal of an interrupted apply was found: `in_flight` requests are looked up
    /// (never re-sent) and `completed` steps skipped.
    Resuming { in_flight: usize, completed: usize },
    /// A write request is about to be sent for `address`.
    Started {
        address: Address,
        operation: &'static str,
    },
    /// AWS accepted an asynchronous request; its status is being polled.
    Sent {
        address: Address,
        operation: &'static str,
        request_id: String,
    },
    /// A request failed with a retryable error and is retried after `delay`.
    Retrying {
        /// `None` for a status poll.
        address: Option<Address>,
        operation: String,
        kind: RetryKind,
        attempt: u32,
        delay: Duration,
    },
    /// Every step of a change succeeded.
    ChangeDone { address: Address },
    /// A step of a change failed (the apply goes on with independent work).
    ChangeFailed { address: Address, error: String },
    /// A change was not attempted because a change it depends on failed.
    ChangeSkipped { address: Address, because: Address },
    /// Counts after each change and request.
    Progress(ApplyProgress),
}

/// Where the apply stands.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplyProgress {
    /// Changes in the plan.
    pub total: usize,
    pub done: usize,
    pub failed: usize,
    pub skipped: usize,
    /// Asynchronous requests AWS is working on right now.
    pub in_flight: usize,
    /// Retries so far.
    pub retries: u64,
}

/// Receives [`ApplyEvent`]s; called from the apply's task, so it must return quickly.
pub trait ApplyObserver: Send + Sync {
    fn event(&self, event: &ApplyEvent);
}

/// An observer that ignores everything.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoObserver;

impl ApplyObserver for NoObserver {
    fn event(&self, _event: &ApplyEvent) {}
}

/// A change that failed, with AWS's error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeFailure {
    pub address: Address,
    pub action: Action,
    /// The first error of the change: `service:Operation: Code: message`, or an
    /// asynchronous request's `FailureReason`.
    pub error: String,
}

/// A change that was not attempted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkippedChange {
    pub address: Address,
    pub action: Action,
    /// The failed (or itself skipped) change it needed — or, for work deferred until an
    /// account accepts its invitation, that account.
    pub because: Address,
    /// Why, when it is not a failure (`pending invitation: …`).
    #[serde(default)]
    pub reason: Option<String>,
}

/// The outcome of an apply.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApplyReport {
    /// Changes AWS confirmed, in plan order (including those an interrupted apply had
    /// already completed, per the journal).
    pub done: Vec<Address>,
    /// Of `done`, how many steps the journal said were completed by an earlier apply.
    pub resumed_steps: usize,
    pub failed: Vec<ChangeFailure>,
    pub skipped: Vec<SkippedChange>,
    /// HTTP requests per `service:Operation` (retries included) and throttling answers.
    pub calls: ReadStats,
    pub retries: RetryCounts,
    pub elapsed: Duration,
}

impl ApplyReport {
    /// Whether every change was applied.
    #[must_use]
    pub fn is_success(&self) -> bool {
        self.failed.is_empty() && self.skipped.is_empty()
    }
}

/// Why an apply did not run (or stopped): per-change failures are in the report instead.
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    /// The plan says it must not be applied (blocked changes, errors, mass removal).
    #[error("the plan is not applyable (see its warnings and blocked changes)")]
    NotApplyable,
    /// The plan was made for another organization or Identity Center instance.
    #[error("the plan was made for {planned}, but the live state is {live}")]
    WrongTarget { planned: String, live: String },
    /// The journal could not be written: the apply stops, since going on would leave
    /// requests it could not find again after a crash.
    #[error(transparent)]
    Journal(#[from] JournalError),
}

/// Applies `plan` to the target of `clients`.
///
/// `live` is the state the plan was computed from (its ids — root, OUs, instance — are
/// used; nothing is re-read except where a step must check AWS first). `journal` is this
/// target's journal: an interrupted apply's in-flight requests are looked up before
/// anything else, and its completed steps are skipped; when this apply ends with nothing
/// in flight, the journal is archived. Failures of single changes do not stop the apply:
/// independent work goes on, dependents are skipped, and the [`ApplyReport`] lists all.
pub async fn apply(
    clients: &Clients,
    plan: &Plan,
    live: &LiveState,
    journal: &mut Journal,
    options: &ApplyOptions,
    observer: &dyn ApplyObserver,
) -> Result<ApplyReport, ApplyError> {
    if !plan.applyable {
        return Err(ApplyError::NotApplyable);
    }
    let live_instance = live.instance.as_ref().map(|instance| instance.arn.clone());
    if plan.target.organization_id != live.organization.id
        || plan.target.instance_arn != live_instance
    {
        return Err(ApplyError::WrongTarget {
            planned: format!(
                "organization {} (instance {})",
                plan.target.organization_id,
                plan.target.instance_arn.as_deref().unwrap_or("none")
            ),
            live: format!(
                "organization {} (instance {})",
                live.organization.id,
                live_instance.as_deref().unwrap_or("none")
            ),
        });
    }
    Box::pin(run::execute(
        clients, plan, live, journal, options, observer,
    ))
    .await
}
