//! The Identity Store (`X-Amz-Target: AWSIdentityStore.<Operation>`, signing name
//! `identitystore`).
//!
//! Layout: `mod.rs` (this file) holds the service descriptor, the dispatch table and the
//! shared checks; one file per topic holds its operations' input/output structs and handlers
//! (`users.rs`: CreateUser, DescribeUser, DeleteUser, ListUsers, GetUserId; `groups.rs`:
//! CreateGroup, DescribeGroup, DeleteGroup, ListGroups, GetGroupId; `memberships.rs`: the seven
//! membership operations); `error.rs` the modeled exceptions (every one carries the
//! `RequestId`, filled in by the serializer); `state.rs` the service's part of the World.

pub mod error;
mod groups;
mod memberships;
pub mod state;
mod users;

pub use error::IdentityStoreError;

use crate::pagination::PaginationError;
use crate::protocol::aws_json::{AwsJsonService, Call, RequestContext};
use crate::protocol::error::WireError;
use crate::services::sso_admin::{SERVICE_PRINCIPAL, validation_message_for_missing};
use crate::world::World;
use error::ResourceType;

/// The service descriptor the central router finds by target prefix.
pub static SERVICE: AwsJsonService = AwsJsonService {
    name: "identitystore",
    target_prefix: "AWSIdentityStore",
    signing_name: "identitystore",
    dispatch,
    missing_member,
};

/// The dispatch table: operation name → handler. Add new operations here.
fn dispatch(call: &mut Call<'_>) -> Result<Vec<u8>, WireError> {
    match call.operation() {
        "CreateUser" => call.write(users::create_user),
        "DescribeUser" => call.read(users::describe_user),
        "DeleteUser" => call.write(users::delete_user),
        "UpdateUser" => call.write(users::update_user),
        "ListUsers" => call.read(users::list_users),
        "GetUserId" => call.read(users::get_user_id),
        "CreateGroup" => call.write(groups::create_group),
        "DescribeGroup" => call.read(groups::describe_group),
        "DeleteGroup" => call.write(groups::delete_group),
        "UpdateGroup" => call.write(groups::update_group),
        "ListGroups" => call.read(groups::list_groups),
        "GetGroupId" => call.read(groups::get_group_id),
        "CreateGroupMembership" => call.write(memberships::create_group_membership),
        "DescribeGroupMembership" => call.read(memberships::describe_group_membership),
        "DeleteGroupMembership" => call.write(memberships::delete_group_membership),
        "GetGroupMembershipId" => call.read(memberships::get_group_membership_id),
        "ListGroupMemberships" => call.read(memberships::list_group_memberships),
        "ListGroupMembershipsForMember" => {
            call.read(memberships::list_group_memberships_for_member)
        }
        "IsMemberInGroups" => call.read(memberships::is_member_in_groups),
        _ => Err(call.unknown_operation()),
    }
}

fn missing_member(member: &str) -> WireError {
    WireError::from_service(&validation(validation_message_for_missing(member)))
}

/// A `ValidationException` without a KMS reason.
fn validation(message: String) -> IdentityStoreError {
    IdentityStoreError::ValidationException {
        message,
        reason: None,
    }
}

impl From<PaginationError> for IdentityStoreError {
    fn from(error: PaginationError) -> Self {
        validation(error.to_string())
    }
}

/// Checks the request's `IdentityStoreId` (a `d-…` id, or the store's ARN) against the
/// World's store, and that the caller may use it (its owner or a delegated administrator of
/// Identity Center).
fn check_identity_store(
    context: &RequestContext,
    world: &World,
    identity_store_id: &str,
) -> Result<(), IdentityStoreError> {
    let id = identity_store_id
        .rsplit_once(":identitystore/")
        .map_or(identity_store_id, |(_, id)| id);
    if id != world.identity_store.identity_store_id {
        return Err(IdentityStoreError::ResourceNotFoundException {
            resource_type: ResourceType::IdentityStore,
            resource_id: Some(identity_store_id.to_owned()),
            reason: None,
            message: format!("Identity store {identity_store_id} does not exist."),
        });
    }
    let owner = &world.sso_admin.instance.owner_account_id;
    if &context.caller.account_id != owner
        && !world.is_delegated_administrator(&context.caller.account_id, SERVICE_PRINCIPAL)
    {
        return Err(IdentityStoreError::AccessDeniedException {
            message: format!(
                "User: {} is not authorized to access identity store {identity_store_id}",
                context.caller.principal_arn
            ),
            reason: None,
        });
    }
    Ok(())
}

/// Optimistic concurrency of Update/Delete User/Group: a given `Revision` that is not the
/// current one is a `ConflictException` (`CONCURRENT_MODIFICATION`); none is unconditional.
fn check_revision(revision: Option<&str>, current: u64) -> Result<(), IdentityStoreError> {
    match revision {
        Some(revision) if revision != current.to_string() => {
            Err(IdentityStoreError::ConflictException {
                message: format!(
                    "Revision {revision} does not match the current revision {current}."
                ),
                reason: error::ConflictExceptionReason::ConcurrentModification,
            })
        }
        _ => Ok(()),
    }
}
