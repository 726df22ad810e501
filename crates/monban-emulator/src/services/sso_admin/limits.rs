//! AWS's concurrency limits on SSO Admin's asynchronous operations, enforced in the
//! realistic profile only (`Settings::concurrency_limits`; docs/reference/sandbox.md,
//! "Profiles, limits and faults"):
//!
//! - at most 15 outstanding (`IN_PROGRESS`) CreateAccountAssignment requests per instance
//!   (IAM Identity Center quotas: "maximum of 15 outstanding asynchronous calls", not
//!   adjustable);
//! - at most 3 concurrent ProvisionPermissionSet requests;
//! - one permission-set role update per account at a time: while a Create/Delete
//!   AccountAssignment or ProvisionPermissionSet is in progress in an account, another one
//!   touching that account is refused.
//!
//! The errors are what AWS is seen to send when too much is in flight: `ThrottlingException`
//! "There are too many requests processing. Please try again later." (HTTP 400,
//! aws-samples/aws-iam-identity-center-extensions#87, #111) for the two counts, and
//! `ConflictException` "There is a conflicting operation in process." (#111,
//! aws-samples/assignment-automation-4-aws-sso#8) for a second role update in an account.

use super::error::SsoAdminError;
use super::propagation_conflict;
use crate::async_operation::AsyncStatus;
use crate::protocol::aws_json::RequestContext;
use crate::world::World;

/// Outstanding CreateAccountAssignment requests allowed per instance.
pub(super) const MAX_OUTSTANDING_ASSIGNMENT_CREATIONS: usize = 15;
/// Concurrent ProvisionPermissionSet requests allowed.
pub(super) const MAX_CONCURRENT_PROVISIONING: usize = 3;

fn too_many_requests() -> SsoAdminError {
    SsoAdminError::ThrottlingException {
        message: "There are too many requests processing. Please try again later.".into(),
        reason: None,
    }
}

/// Refuses a 16th outstanding CreateAccountAssignment.
pub(super) fn check_outstanding_creations(
    context: &RequestContext,
    world: &World,
) -> Result<(), SsoAdminError> {
    if !context.settings.concurrency_limits {
        return Ok(());
    }
    let state = &world.sso_admin;
    let outstanding = state
        .pending
        .iter()
        .filter_map(|request_id| state.assignment_creations.get(request_id))
        .filter(|record| record.operation.status(context.now) == AsyncStatus::InProgress)
        .count();
    if outstanding >= MAX_OUTSTANDING_ASSIGNMENT_CREATIONS {
        return Err(too_many_requests());
    }
    Ok(())
}

/// Refuses a 4th concurrent ProvisionPermissionSet.
pub(super) fn check_concurrent_provisioning(
    context: &RequestContext,
    world: &World,
) -> Result<(), SsoAdminError> {
    if !context.settings.concurrency_limits {
        return Ok(());
    }
    let state = &world.sso_admin;
    let running = state
        .pending
        .iter()
        .filter_map(|request_id| state.provisioning_requests.get(request_id))
        .filter(|record| record.operation.status(context.now) == AsyncStatus::InProgress)
        .count();
    if running >= MAX_CONCURRENT_PROVISIONING {
        return Err(too_many_requests());
    }
    Ok(())
}

/// The accounts an unsettled request updates roles in: its account, or for
/// `ALL_PROVISIONED_ACCOUNTS` every account its permission set is provisioned to.
fn accounts_touched<'w>(world: &'w World, request_id: &str) -> Vec<&'w str> {
    let state = &world.sso_admin;
    match state.pending_target(request_id) {
        Some(target) => match target.account_id {
            Some(account_id) => vec![account_id],
            None => state
                .accounts_provisioned_with(target.permission_set_arn)
                .map(|provisioned| provisioned.account_id.as_str())
                .collect(),
        },
        None => Vec::new(),
    }
}

fn is_in_progress(world: &World, request_id: &str, context: &RequestContext) -> bool {
    let state = &world.sso_admin;
    state
        .assignment_creations
        .get(request_id)
        .or_else(|| state.assignment_deletions.get(request_id))
        .map(|record| &record.operation)
        .or_else(|| {
            state
                .provisioning_requests
                .get(request_id)
                .map(|record| &record.operation)
        })
        .is_some_and(|operation| operation.status(context.now) == AsyncStatus::InProgress)
}

/// Refuses a role update in `account_id` while another request updates a role there.
pub(super) fn check_account_role_update(
    context: &RequestContext,
    world: &World,
    account_id: &str,
) -> Result<(), SsoAdminError> {
    check_role_updates(context, world, &[account_id])
}

/// [`check_account_role_update`] for a ProvisionPermissionSet of `permission_set_arn` into
/// `account_id`, or into all its provisioned accounts when `None`.
pub(super) fn check_provisioning_role_updates(
    context: &RequestContext,
    world: &World,
    permission_set_arn: &str,
    account_id: Option<&str>,
) -> Result<(), SsoAdminError> {
    let accounts = match account_id {
        Some(account_id) => vec![account_id],
        None => world
            .sso_admin
            .accounts_provisioned_with(permission_set_arn)
            .map(|provisioned| provisioned.account_id.as_str())
            .collect(),
    };
    check_role_updates(context, world, &accounts)
}

fn check_role_updates(
    context: &RequestContext,
    world: &World,
    accounts: &[&str],
) -> Result<(), SsoAdminError> {
    if !context.settings.concurrency_limits || accounts.is_empty() {
        return Ok(());
    }
    let busy = world.sso_admin.pending.iter().any(|request_id| {
        is_in_progress(world, request_id, context)
            && accounts_touched(world, request_id)
                .iter()
                .any(|touched| accounts.contains(touched))
    });
    if busy {
        return Err(propagation_conflict());
    }
    Ok(())
}
