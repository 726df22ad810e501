//! Waiting for asynchronous operations: one poller per kind (account creations, assignment
//! creations, assignment deletions, provisionings) that every waiting step registers its
//! request id with. Each round, a poller with few pending requests describes each one;
//! with more, it lists the kind's `IN_PROGRESS` requests (one call per page of 100, or 20
//! for Organizations) and describes only those that left the list — so the calls follow
//! the number of requests that finish, not the number pending × the number of rounds. A
//! request is finished only when AWS says `SUCCEEDED` or `FAILED`; absence from the
//! in-progress list is never taken for success.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use aws_sdk_organizations::types::CreateAccountState;
use aws_sdk_ssoadmin::types::{OperationStatusFilter, StatusValues};
use futures::future::join_all;
use tokio::sync::{Notify, oneshot};

use super::journal::AsyncKind;
use super::retry::StepError;
use super::run::Context;
use crate::limits::Service;

/// The final (or current) state of one request, with what the step needs from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Status {
    /// `None` while in progress; then `Some(true)` for `SUCCEEDED`.
    pub(crate) succeeded: Option<bool>,
    pub(crate) failure_reason: Option<String>,
    /// The account created (account creations), or the target account.
    pub(crate) account_id: Option<String>,
    pub(crate) permission_set_arn: Option<String>,
    pub(crate) principal_id: Option<String>,
    /// The account name (account creations).
    pub(crate) account_name: Option<String>,
}

/// One request being waited for.
#[derive(Debug)]
struct Pending {
    senders: Vec<oneshot::Sender<Result<Status, StepError>>>,
    registered: Instant,
    /// Checks that found it still in progress, and when the last one was.
    checks: u32,
    last_check: Instant,
}

type Waiters = HashMap<String, Pending>;

#[derive(Debug, Default)]
struct Poller {
    pending: Mutex<Waiters>,
    notify: Notify,
    /// How long this kind of request typically takes (a moving average of what was
    /// observed), so the first check of a request comes when it is likely done.
    typical: Mutex<Option<Duration>>,
}

impl Poller {
    fn with<T>(&self, work: impl FnOnce(&mut Waiters) -> T) -> T {
        // Plain maps of channels: a panic elsewhere leaves them usable.
        work(&mut self.pending.lock().unwrap_or_else(PoisonError::into_inner))
    }

    fn typical(&self) -> Option<Duration> {
        *self.typical.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn observe(&self, took: Duration) {
        let mut typical = self.typical.lock().unwrap_or_else(PoisonError::into_inner);
        *typical = Some(match *typical {
            None => took,
            // Exponential moving average, weight 1/5 on the newest observation.
            Some(previous) => (previous * 4 + took) / 5,
        });
    }
}

/// The four pollers.
#[derive(Debug, Default)]
pub(crate) struct Pollers {
    account_creations: Poller,
    assignment_creations: Poller,
    assignment_deletions: Poller,
    provisionings: Poller,
}

impl Pollers {
    fn poller(&self, kind: AsyncKind) -> &Poller {
        match kind {
            AsyncKind::AccountCreation => &self.account_creations,
            AsyncKind::AssignmentCreation => &self.assignment_creations,
            AsyncKind::AssignmentDeletion => &self.assignment_deletions,
            AsyncKind::Provisioning => &self.provisionings,
        }
    }

    /// Waits until AWS reports request `request_id` of `kind` finished (or `timeout`).
    pub(crate) async fn wait(
        &self,
        kind: AsyncKind,
        request_id: &str,
        timeout: Duration,
    ) -> Result<Status, StepError> {
        let (sender, receiver) = oneshot::channel();
        let poller = self.poller(kind);
        poller.with(|pending| {
            let now = Instant::now();
            pending
                .entry(request_id.to_owned())
                .or_insert_with(|| Pending {
                    senders: Vec::new(),
                    registered: now,
                    checks: 0,
                    last_check: now,
                })
                .senders
                .push(sender);
        });
        poller.notify.notify_one();
        match tokio::time::timeout(timeout, receiver).await {
            Ok(Ok(result)) => result,
            Ok(Err(_)) => Err(StepError::other(
                kind_operation(kind),
                "the status poller stopped",
            )),
            Err(_) => Err(StepError::other(
                kind_operation(kind),
                format!(
                    "request {request_id} is still IN_PROGRESS after {}s; it stays in the \
                     journal and the next apply picks it up",
                    timeout.as_secs()
                ),
            )),
        }
    }

    /// Runs the four pollers; never returns (the apply drops it when its work is done).
    pub(crate) async fn run(&self, context: &Context<'_>) {
        tokio::join!(
            run_poller(context, &self.account_creations, AsyncKind::AccountCreation),
            run_poller(
                context,
                &self.assignment_creations,
                AsyncKind::AssignmentCreation
            ),
            run_poller(
                context,
                &self.assignment_deletions,
                AsyncKind::AssignmentDeletion
            ),
            run_poller(context, &self.provisionings, AsyncKind::Provisioning),
        );
    }
}

/// The operation that starts a request of `kind`, for messages.
pub(crate) fn kind_operation(kind: AsyncKind) -> &'static str {
    match kind {
        AsyncKind::AccountCreation => "organizations:CreateAccount",
        AsyncKind::AssignmentCreation => "sso-admin:CreateAccountAssignment",
        AsyncKind::AssignmentDeletion => "sso-admin:DeleteAccountAssignment",
        AsyncKind::Provisioning => "sso-admin:ProvisionPermissionSet",
    }
}

/// When a pending request should be checked next: its first check when requests of its
/// kind typically finish (`PollPolicy::initial` until one was seen), then at intervals
/// doubling from `initial` up to `max`.
fn next_check(request: &Pending, typical: Duration, policy: &super::PollPolicy) -> Instant {
    if request.checks == 0 {
        // A little early: a request found still in progress costs one more check, one
        // found late costs a slot for the whole delay.
        request.registered + typical.mul_f64(0.9).max(policy.initial)
    } else {
        let exponent = (request.checks - 1).min(16);
        request.last_check + (policy.initial * (1_u32 << exponent)).min(policy.max)
    }
}

async fn run_poller(context: &Context<'_>, poller: &Poller, kind: AsyncKind) {
    let policy = context.options.poll;
    loop {
        let typical = poller.typical().unwrap_or(policy.initial);
        let due = poller.with(|pending| {
            pending.retain(|_, request| {
                request.senders.retain(|sender| !sender.is_closed());
                !request.senders.is_empty()
            });
            pending
                .values()
                .map(|request| next_check(request, typical, &policy))
                .min()
        });
        let Some(due) = due else {
            poller.notify.notified().await;
            continue;
        };
        // A request registered meanwhile may be due sooner: recompute when one arrives.
        tokio::select! {
            () = tokio::time::sleep_until(due.into()) => {}
            () = poller.notify.notified() => continue,
        }
        // Every pending request is checked: the batch list covers them all at once.
        let ids: Vec<String> = poller.with(|pending| pending.keys().cloned().collect());
        let finished = check(context, kind, &ids).await;
        let now = Instant::now();
        poller.with(|pending| {
            for (id, result) in finished {
                if let Some(request) = pending.remove(&id) {
                    if result.is_ok() {
                        poller.observe(now - request.registered);
                    }
                    for sender in request.senders {
                        // A waiter that timed out or was dropped no longer listens.
                        let _ = sender.send(result.clone());
                    }
                }
            }
            for id in &ids {
                if let Some(request) = pending.get_mut(id) {
                    request.checks += 1;
                    request.last_check = now;
                }
            }
        });
    }
}

/// One round: the requests of `ids` that finished (or whose status could not be read).
async fn check(
    context: &Context<'_>,
    kind: AsyncKind,
    ids: &[String],
) -> Vec<(String, Result<Status, StepError>)> {
    let to_describe: Vec<&String> = if ids.len() <= context.options.poll.describe_up_to {
        ids.iter().collect()
    } else {
        match list_in_progress(context, kind).await {
            Ok(in_progress) => ids.iter().filter(|id| !in_progress.contains(*id)).collect(),
            // The list failed after its retries: describe each instead this round.
            Err(_) => ids.iter().collect(),
        }
    };
    join_all(
        to_describe
            .into_iter()
            .map(|id| async move { (id.clone(), describe(context, kind, id).await) }),
    )
    .await
    .into_iter()
    .filter(|(_, result)| match result {
        Ok(status) => status.succeeded.is_some(),
        Err(_) => true,
    })
    .collect()
}

fn succeeded(status: Option<&StatusValues>) -> Option<bool> {
    match status {
        Some(StatusValues::Succeeded) => Some(true),
        Some(StatusValues::Failed) => Some(false),
        _ => None,
    }
}

/// The status of one request.
pub(crate) async fn describe(
    context: &Context<'_>,
    kind: AsyncKind,
    request_id: &str,
) -> Result<Status, StepError> {
    let instance_arn = context.instance_arn();
    let sso_admin = &context.sso_admin;
    match kind {
        AsyncKind::AccountCreation => {
            let output = context
                .call(
                    None,
                    Service::Organizations,
                    "DescribeCreateAccountStatus",
                    || {
                        context
                            .organizations
                            .describe_create_account_status()
                            .create_account_request_id(request_id)
                            .send()
                    },
                )
                .await?;
            let status = output.create_account_status.unwrap_or_else(|| {
                aws_sdk_organizations::types::CreateAccountStatus::builder().build()
            });
            Ok(Status {
                succeeded: match status.state {
                    Some(CreateAccountState::Succeeded) => Some(true),
                    Some(CreateAccountState::Failed) => Some(false),
                    _ => None,
                },
                failure_reason: status
                    .failure_reason
                    .map(|reason| reason.as_str().to_owned()),
                account_id: status.account_id,
                permission_set_arn: None,
                principal_id: None,
                account_name: status.account_name,
            })
        }
        AsyncKind::AssignmentCreation => {
            let output = context
                .call(
                    None,
                    Service::SsoAdmin,
                    "DescribeAccountAssignmentCreationStatus",
                    || {
                        sso_admin
                            .describe_account_assignment_creation_status()
                            .instance_arn(instance_arn)
                            .account_assignment_creation_request_id(request_id)
                            .send()
                    },
                )
                .await?;
            Ok(assignment_status(
                output
                    .account_assignment_creation_status
                    .unwrap_or_else(|| {
                        aws_sdk_ssoadmin::types::AccountAssignmentOperationStatus::builder().build()
                    }),
            ))
        }
        AsyncKind::AssignmentDeletion => {
            let output = context
                .call(
                    None,
                    Service::SsoAdmin,
                    "DescribeAccountAssignmentDeletionStatus",
                    || {
                        sso_admin
                            .describe_account_assignment_deletion_status()
                            .instance_arn(instance_arn)
                            .account_assignment_deletion_request_id(request_id)
                            .send()
                    },
                )
                .await?;
            Ok(assignment_status(
                output
                    .account_assignment_deletion_status
                    .unwrap_or_else(|| {
                        aws_sdk_ssoadmin::types::AccountAssignmentOperationStatus::builder().build()
                    }),
            ))
        }
        AsyncKind::Provisioning => {
            let output = context
                .call(
                    None,
                    Service::SsoAdmin,
                    "DescribePermissionSetProvisioningStatus",
                    || {
                        sso_admin
                            .describe_permission_set_provisioning_status()
                            .instance_arn(instance_arn)
                            .provision_permission_set_request_id(request_id)
                            .send()
                    },
                )
                .await?;
            let status = output
                .permission_set_provisioning_status
                .unwrap_or_else(|| {
                    aws_sdk_ssoadmin::types::PermissionSetProvisioningStatus::builder().build()
                });
            Ok(Status {
                succeeded: succeeded(status.status.as_ref()),
                failure_reason: status.failure_reason,
                account_id: status.account_id,
                permission_set_arn: status.permission_set_arn,
                principal_id: None,
                account_name: None,
            })
        }
    }
}

fn assignment_status(status: aws_sdk_ssoadmin::types::AccountAssignmentOperationStatus) -> Status {
    Status {
        succeeded: succeeded(status.status.as_ref()),
        failure_reason: status.failure_reason,
        account_id: status.target_id,
        permission_set_arn: status.permission_set_arn,
        principal_id: status.principal_id,
        account_name: None,
    }
}

/// The request ids of `kind` AWS reports `IN_PROGRESS` (every page).
pub(crate) async fn list_in_progress(
    context: &Context<'_>,
    kind: AsyncKind,
) -> Result<BTreeSet<String>, StepError> {
    let instance_arn = context.instance_arn();
    let sso_admin = &context.sso_admin;
    let filter = || {
        OperationStatusFilter::builder()
            .status(StatusValues::InProgress)
            .build()
    };
    let mut ids = BTreeSet::new();
    let mut token: Option<String> = None;
    loop {
        let (page, next): (Vec<String>, Option<String>) = match kind {
            AsyncKind::AccountCreation => {
                let output = context
                    .call(
                        None,
                        Service::Organizations,
                        "ListCreateAccountStatus",
                        || {
                            context
                                .organizations
                                .list_create_account_status()
                                .states(CreateAccountState::InProgress)
                                .max_results(20)
                                .set_next_token(token.clone())
                                .send()
                        },
                    )
                    .await?;
                (
                    output
                        .create_account_statuses
                        .unwrap_or_default()
                        .into_iter()
                        .filter_map(|status| status.id)
                        .collect(),
                    output.next_token,
                )
            }
            AsyncKind::AssignmentCreation => {
                let output = context
                    .call(
                        None,
                        Service::SsoAdmin,
                        "ListAccountAssignmentCreationStatus",
                        || {
                            sso_admin
                                .list_account_assignment_creation_status()
                                .instance_arn(instance_arn)
                                .filter(filter())
                                .max_results(100)
                                .set_next_token(token.clone())
                                .send()
                        },
                    )
                    .await?;
                (
                    output
                        .account_assignments_creation_status
                        .unwrap_or_default()
                        .into_iter()
                        .filter_map(|status| status.request_id)
                        .collect(),
                    output.next_token,
                )
            }
            AsyncKind::AssignmentDeletion => {
                let output = context
                    .call(
                        None,
                        Service::SsoAdmin,
                        "ListAccountAssignmentDeletionStatus",
                        || {
                            sso_admin
                                .list_account_assignment_deletion_status()
                                .instance_arn(instance_arn)
                                .filter(filter())
                                .max_results(100)
                                .set_next_token(token.clone())
                                .send()
                        },
                    )
                    .await?;
                (
                    output
                        .account_assignments_deletion_status
                        .unwrap_or_default()
                        .into_iter()
                        .filter_map(|status| status.request_id)
                        .collect(),
                    output.next_token,
                )
            }
            AsyncKind::Provisioning => {
                let output = context
                    .call(
                        None,
                        Service::SsoAdmin,
                        "ListPermissionSetProvisioningStatus",
                        || {
                            sso_admin
                                .list_permission_set_provisioning_status()
                                .instance_arn(instance_arn)
                                .filter(filter())
                                .max_results(100)
                                .set_next_token(token.clone())
                                .send()
                        },
                    )
                    .await?;
                (
                    output
                        .permission_sets_provisioning_status
                        .unwrap_or_default()
                        .into_iter()
                        .filter_map(|status| status.request_id)
                        .collect(),
                    output.next_token,
                )
            }
        };
        ids.extend(page);
        match next.filter(|next| !next.is_empty()) {
            Some(next) if token.as_ref() != Some(&next) => token = Some(next),
            _ => return Ok(ids),
        }
    }
}
