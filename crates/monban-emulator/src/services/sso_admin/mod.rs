//! IAM Identity Center's admin API, SSO Admin (`X-Amz-Target: SWBExternalService.<Operation>`,
//! signing name `sso`).
//!
//! Layout: `mod.rs` (this file) holds the service descriptor, the dispatch table and the
//! checks every topic shares (caller, instance, permission set, overlapping requests); one
//! file per topic holds its operations' input/output structs and handlers:
//! `instances.rs` (ListInstances, DescribeInstance), `permission_sets.rs` (Create, Describe,
//! Update, Delete, ListPermissionSets), `policies.rs` (inline, AWS managed and customer
//! managed policies, permissions boundary), `assignments.rs` (Create/DeleteAccountAssignment,
//! their status operations, ListAccountAssignments[ForPrincipal]), `provisioning.rs`
//! (ProvisionPermissionSet, its status operations, the two provisioned-lists), `tags.rs`
//! (Tag/Untag/ListTagsForResource); `validation.rs` the model's input constraints;
//! `error.rs` the modeled exceptions; `state.rs` the service's part of the World.

mod assignments;
pub mod error;
mod instances;
mod limits;
mod permission_sets;
mod policies;
mod provisioning;
pub mod seed;
pub mod state;
mod tags;
mod validation;

pub use error::SsoAdminError;

use crate::pagination::PaginationError;
use crate::protocol::aws_json::{AwsJsonService, Call, RequestContext};
use crate::protocol::error::WireError;
use crate::world::World;
use state::PermissionSet;

/// The service principal delegated administrators of Identity Center register for.
pub const SERVICE_PRINCIPAL: &str = "sso.amazonaws.com";

/// The service descriptor the central router finds by target prefix.
pub static SERVICE: AwsJsonService = AwsJsonService {
    name: "sso-admin",
    target_prefix: "SWBExternalService",
    signing_name: "sso",
    dispatch,
    missing_member,
};

/// The dispatch table: operation name → handler. Add new operations here.
fn dispatch(call: &mut Call<'_>) -> Result<Vec<u8>, WireError> {
    match call.operation() {
        "ListInstances" => call.read(instances::list_instances),
        "DescribeInstance" => call.read(instances::describe_instance),
        "CreatePermissionSet" => call.write(permission_sets::create_permission_set),
        "DescribePermissionSet" => call.read(permission_sets::describe_permission_set),
        "UpdatePermissionSet" => call.write(permission_sets::update_permission_set),
        "DeletePermissionSet" => call.write(permission_sets::delete_permission_set),
        "ListPermissionSets" => call.read(permission_sets::list_permission_sets),
        "PutInlinePolicyToPermissionSet" => call.write(policies::put_inline_policy),
        "GetInlinePolicyForPermissionSet" => call.read(policies::get_inline_policy),
        "DeleteInlinePolicyFromPermissionSet" => call.write(policies::delete_inline_policy),
        "AttachManagedPolicyToPermissionSet" => call.write(policies::attach_managed_policy),
        "DetachManagedPolicyFromPermissionSet" => call.write(policies::detach_managed_policy),
        "ListManagedPoliciesInPermissionSet" => call.read(policies::list_managed_policies),
        "AttachCustomerManagedPolicyReferenceToPermissionSet" => {
            call.write(policies::attach_customer_managed_policy)
        }
        "DetachCustomerManagedPolicyReferenceFromPermissionSet" => {
            call.write(policies::detach_customer_managed_policy)
        }
        "ListCustomerManagedPolicyReferencesInPermissionSet" => {
            call.read(policies::list_customer_managed_policies)
        }
        "PutPermissionsBoundaryToPermissionSet" => call.write(policies::put_permissions_boundary),
        "GetPermissionsBoundaryForPermissionSet" => call.read(policies::get_permissions_boundary),
        "DeletePermissionsBoundaryFromPermissionSet" => {
            call.write(policies::delete_permissions_boundary)
        }
        "CreateAccountAssignment" => call.write(assignments::create_account_assignment),
        "DeleteAccountAssignment" => call.write(assignments::delete_account_assignment),
        "DescribeAccountAssignmentCreationStatus" => {
            call.read(assignments::describe_creation_status)
        }
        "DescribeAccountAssignmentDeletionStatus" => {
            call.read(assignments::describe_deletion_status)
        }
        "ListAccountAssignmentCreationStatus" => call.read(assignments::list_creation_status),
        "ListAccountAssignmentDeletionStatus" => call.read(assignments::list_deletion_status),
        "ListAccountAssignments" => call.read(assignments::list_account_assignments),
        "ListAccountAssignmentsForPrincipal" => {
            call.read(assignments::list_account_assignments_for_principal)
        }
        "ProvisionPermissionSet" => call.write(provisioning::provision_permission_set),
        "DescribePermissionSetProvisioningStatus" => {
            call.read(provisioning::describe_provisioning_status)
        }
        "ListPermissionSetProvisioningStatus" => call.read(provisioning::list_provisioning_status),
        "ListPermissionSetsProvisionedToAccount" => {
            call.read(provisioning::list_permission_sets_provisioned_to_account)
        }
        "ListAccountsForProvisionedPermissionSet" => {
            call.read(provisioning::list_accounts_for_provisioned_permission_set)
        }
        "TagResource" => call.write(tags::tag_resource),
        "UntagResource" => call.write(tags::untag_resource),
        "ListTagsForResource" => call.read(tags::list_tags_for_resource),
        _ => Err(call.unknown_operation()),
    }
}

/// AWS's JSON services report a missing required member in Coral's words, naming the
/// member in camelCase.
fn missing_member(member: &str) -> WireError {
    WireError::from_service(&SsoAdminError::ValidationException {
        message: validation_message_for_missing(member),
        reason: None,
    })
}

/// `1 validation error detected: Value null at 'instanceArn' failed to satisfy constraint:
/// Member must not be null` (shared with the Identity Store).
pub(crate) fn validation_message_for_missing(member: &str) -> String {
    let mut chars = member.chars();
    let camel = chars
        .next()
        .map(|first| first.to_lowercase().chain(chars).collect::<String>())
        .unwrap_or_default();
    format!(
        "1 validation error detected: Value null at '{camel}' failed to satisfy constraint: Member must not be null"
    )
}

impl From<PaginationError> for SsoAdminError {
    fn from(error: PaginationError) -> Self {
        Self::ValidationException {
            message: error.to_string(),
            reason: None,
        }
    }
}

/// Whether the caller may administer the instance: its owner (the management account) or a
/// delegated administrator for `sso.amazonaws.com`.
fn may_administer(context: &RequestContext, world: &World) -> bool {
    context.caller.account_id == world.sso_admin.instance.owner_account_id
        || world.is_delegated_administrator(&context.caller.account_id, SERVICE_PRINCIPAL)
}

fn access_denied(context: &RequestContext, operation: &str) -> SsoAdminError {
    SsoAdminError::AccessDeniedException {
        message: format!(
            "User: {} is not authorized to perform: sso:{operation} on this instance",
            context.caller.principal_arn
        ),
        reason: None,
    }
}

/// The caller may administer the instance (see [`may_administer`]), else
/// `AccessDeniedException` naming the operation.
fn check_caller(
    context: &RequestContext,
    world: &World,
    operation: &str,
) -> Result<(), SsoAdminError> {
    if may_administer(context, world) {
        Ok(())
    } else {
        Err(access_denied(context, operation))
    }
}

/// Checks a request's `InstanceArn`: the model's pattern (`ValidationException`), the caller
/// (`AccessDeniedException`), then that it is the sandbox's instance
/// (`ResourceNotFoundException`).
fn check_instance(
    context: &RequestContext,
    world: &World,
    operation: &str,
    instance_arn: &str,
) -> Result<(), SsoAdminError> {
    validation::check_instance_arn("instanceArn", instance_arn)?;
    check_caller(context, world, operation)?;
    if instance_arn != world.sso_admin.instance.arn {
        return Err(SsoAdminError::ResourceNotFoundException {
            message: format!("Could not find Instance with ARN {instance_arn}."),
            reason: None,
        });
    }
    Ok(())
}

/// The `ResourceNotFoundException` for a permission set.
fn permission_set_not_found(permission_set_arn: &str) -> SsoAdminError {
    SsoAdminError::ResourceNotFoundException {
        message: format!("Could not find PermissionSet with ARN {permission_set_arn}."),
        reason: None,
    }
}

/// Checks `InstanceArn` (as [`check_instance`]) and `PermissionSetArn` (pattern, then
/// existence in that instance) and returns the permission set.
fn find_permission_set<'w>(
    context: &RequestContext,
    world: &'w World,
    operation: &str,
    instance_arn: &str,
    permission_set_arn: &str,
) -> Result<&'w PermissionSet, SsoAdminError> {
    validation::check_permission_set_arn("permissionSetArn", permission_set_arn)?;
    check_instance(context, world, operation, instance_arn)?;
    world
        .sso_admin
        .permission_sets
        .get(permission_set_arn)
        .ok_or_else(|| permission_set_not_found(permission_set_arn))
}

/// A delegated administrator may not manage the management account's access: it may not
/// target the management account, nor change a permission set provisioned there
/// (`AccessDeniedException`, as AWS answers delegated administrators; see
/// docs/reference/sandbox.md).
fn check_delegated_reach(
    context: &RequestContext,
    world: &World,
    operation: &str,
    permission_set_arn: Option<&str>,
    account_id: Option<&str>,
) -> Result<(), SsoAdminError> {
    let management = world.management_account_id();
    if context.caller.account_id == management {
        return Ok(());
    }
    let targets_management = account_id == Some(management);
    let provisioned_in_management = permission_set_arn.is_some_and(|arn| {
        world.sso_admin.provisioned_in(management, arn).is_some()
            || world
                .sso_admin
                .assignments_for(management, arn)
                .next()
                .is_some()
    });
    if targets_management || provisioned_in_management {
        return Err(SsoAdminError::AccessDeniedException {
            message: format!(
                "User: {} is not authorized to perform: sso:{operation}: a delegated administrator cannot manage access to the management account {management} or permission sets provisioned in it",
                context.caller.principal_arn
            ),
            reason: None,
        });
    }
    Ok(())
}

/// The ConflictException AWS returns while an earlier write on the same permission set and
/// account is still being applied (distinct from the "already exists" conflict).
fn propagation_conflict() -> SsoAdminError {
    SsoAdminError::ConflictException {
        message: "There is a conflicting operation in process.".into(),
    }
}

/// Fails with [`propagation_conflict`] while a Create/DeleteAccountAssignment or
/// ProvisionPermissionSet touching `permission_set_arn` in `account_id` (`None`: in any
/// account) is `IN_PROGRESS`.
fn check_no_overlap(
    context: &RequestContext,
    world: &World,
    permission_set_arn: &str,
    account_id: Option<&str>,
) -> Result<(), SsoAdminError> {
    if world
        .sso_admin
        .has_overlapping_request(context.now, permission_set_arn, account_id)
    {
        return Err(propagation_conflict());
    }
    Ok(())
}
