//! Group memberships: CreateGroupMembership, DescribeGroupMembership, DeleteGroupMembership,
//! GetGroupMembershipId, ListGroupMemberships, ListGroupMembershipsForMember,
//! IsMemberInGroups.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::error::{ConflictExceptionReason, ResourceType};
use super::groups::group_not_found;
use super::state::{GroupMembership, IdentityStoreState};
use super::users::user_not_found;
use super::{IdentityStoreError, check_identity_store, validation};
use crate::pagination::{self, PageRequest};
use crate::protocol::aws_json::RequestContext;
use crate::protocol::timestamp::epoch_seconds;
use crate::world::World;

/// `MemberId`, a union whose only member is `UserId`.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct MemberId {
    user_id: Option<String>,
}

impl MemberId {
    fn user_id(&self) -> Result<&str, IdentityStoreError> {
        self.user_id
            .as_deref()
            .ok_or_else(|| validation("MemberId must have UserId set.".into()))
    }

    fn of(user_id: &str) -> Self {
        Self {
            user_id: Some(user_id.to_owned()),
        }
    }
}

fn membership_not_found(membership_id: &str) -> IdentityStoreError {
    IdentityStoreError::ResourceNotFoundException {
        resource_type: ResourceType::GroupMembership,
        resource_id: Some(membership_id.to_owned()),
        reason: None,
        message: format!("GroupMembership {membership_id} does not exist."),
    }
}

/// The wire `GroupMembership` (DescribeGroupMembership and the lists).
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct MembershipOutput {
    identity_store_id: String,
    membership_id: String,
    membership_arn: String,
    group_id: String,
    member_id: MemberId,
    #[serde(serialize_with = "epoch_seconds")]
    created_at: Timestamp,
    created_by: String,
    #[serde(serialize_with = "epoch_seconds")]
    updated_at: Timestamp,
    updated_by: String,
}

impl MembershipOutput {
    fn new(identity_store_id: &str, membership: &GroupMembership) -> Self {
        Self {
            identity_store_id: identity_store_id.to_owned(),
            membership_id: membership.membership_id.clone(),
            membership_arn: IdentityStoreState::resource_arn(
                "membership",
                &membership.membership_id,
            ),
            group_id: membership.group_id.clone(),
            member_id: MemberId::of(&membership.member_user_id),
            created_at: membership.created_at,
            created_by: membership.created_by.clone(),
            updated_at: membership.updated_at,
            updated_by: membership.updated_by.clone(),
        }
    }
}

/// The reference answer of CreateGroupMembership and GetGroupMembershipId.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct MembershipReference {
    identity_store_id: String,
    membership_id: String,
    membership_arn: String,
}

impl MembershipReference {
    fn new(identity_store_id: String, membership_id: String) -> Self {
        Self {
            identity_store_id,
            membership_arn: IdentityStoreState::resource_arn("membership", &membership_id),
            membership_id,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[expect(
    clippy::struct_field_names,
    reason = "the members are named as the model names them"
)]
pub(super) struct GroupAndMemberRequest {
    identity_store_id: String,
    group_id: String,
    member_id: MemberId,
}

/// The membership of `user_id` in `group_id`, if any.
fn find_membership<'world>(
    store: &'world IdentityStoreState,
    group_id: &str,
    user_id: &str,
) -> Option<&'world GroupMembership> {
    store
        .memberships
        .values()
        .find(|membership| membership.group_id == group_id && membership.member_user_id == user_id)
}

/// Adds a user to a group; a second membership of the same pair is a uniqueness conflict.
pub(super) fn create_group_membership(
    context: &RequestContext,
    world: &mut World,
    input: GroupAndMemberRequest,
) -> Result<MembershipReference, IdentityStoreError> {
    let GroupAndMemberRequest {
        identity_store_id,
        group_id,
        member_id,
    } = input;
    check_identity_store(context, world, &identity_store_id)?;
    let user_id = member_id.user_id()?;
    let store = &world.identity_store;
    if !store.groups.contains_key(&group_id) {
        return Err(group_not_found(&group_id));
    }
    if !store.users.contains_key(user_id) {
        return Err(user_not_found(user_id));
    }
    if find_membership(store, &group_id, user_id).is_some() {
        return Err(IdentityStoreError::ConflictException {
            message: format!("Member {user_id} is already in group {group_id}."),
            reason: ConflictExceptionReason::UniquenessConstraintViolation,
        });
    }
    let created_by = context.caller.principal_arn.clone();
    let World {
        identity_store,
        ids,
        ..
    } = world;
    let membership_id =
        identity_store.add_membership(ids, &group_id, user_id, &created_by, context.now);
    Ok(MembershipReference::new(identity_store_id, membership_id))
}

/// Finds the membership id of a user in a group.
pub(super) fn get_group_membership_id(
    context: &RequestContext,
    world: &World,
    input: GroupAndMemberRequest,
) -> Result<MembershipReference, IdentityStoreError> {
    let GroupAndMemberRequest {
        identity_store_id,
        group_id,
        member_id,
    } = input;
    check_identity_store(context, world, &identity_store_id)?;
    let user_id = member_id.user_id()?;
    let membership = find_membership(&world.identity_store, &group_id, user_id)
        .ok_or_else(|| membership_not_found(&format!("{group_id}/{user_id}")))?;
    Ok(MembershipReference::new(
        identity_store_id,
        membership.membership_id.clone(),
    ))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct MembershipRequest {
    identity_store_id: String,
    membership_id: String,
}

/// Returns one membership.
pub(super) fn describe_group_membership(
    context: &RequestContext,
    world: &World,
    input: MembershipRequest,
) -> Result<MembershipOutput, IdentityStoreError> {
    let MembershipRequest {
        identity_store_id,
        membership_id,
    } = input;
    check_identity_store(context, world, &identity_store_id)?;
    let store = &world.identity_store;
    let membership = store
        .memberships
        .get(&membership_id)
        .ok_or_else(|| membership_not_found(&membership_id))?;
    Ok(MembershipOutput::new(&store.identity_store_id, membership))
}

#[derive(Debug, Serialize)]
pub(super) struct DeleteGroupMembershipResponse {}

/// Removes a membership.
pub(super) fn delete_group_membership(
    context: &RequestContext,
    world: &mut World,
    input: MembershipRequest,
) -> Result<DeleteGroupMembershipResponse, IdentityStoreError> {
    let MembershipRequest {
        identity_store_id,
        membership_id,
    } = input;
    check_identity_store(context, world, &identity_store_id)?;
    world
        .identity_store
        .memberships
        .remove(&membership_id)
        .ok_or_else(|| membership_not_found(&membership_id))?;
    Ok(DeleteGroupMembershipResponse {})
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct ListGroupMembershipsRequest {
    identity_store_id: String,
    group_id: String,
    max_results: Option<i32>,
    next_token: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct ListGroupMembershipsResponse {
    group_memberships: Vec<MembershipOutput>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
}

/// Lists a group's memberships in membership-id order.
pub(super) fn list_group_memberships(
    context: &RequestContext,
    world: &World,
    input: ListGroupMembershipsRequest,
) -> Result<ListGroupMembershipsResponse, IdentityStoreError> {
    let ListGroupMembershipsRequest {
        identity_store_id,
        group_id,
        max_results,
        next_token,
    } = input;
    check_identity_store(context, world, &identity_store_id)?;
    let store = &world.identity_store;
    if !store.groups.contains_key(&group_id) {
        return Err(group_not_found(&group_id));
    }
    let page = pagination::paginate(
        &world.pagination_secret,
        pagination::IDENTITY_STORE,
        &PageRequest {
            operation: "ListGroupMemberships",
            scope: group_id.clone(),
            max_results,
            next_token: next_token.as_deref(),
        },
        store
            .memberships
            .values()
            .filter(|membership| membership.group_id == group_id),
        |membership| membership.membership_id.clone(),
    )?;
    Ok(ListGroupMembershipsResponse {
        group_memberships: page
            .items
            .into_iter()
            .map(|membership| MembershipOutput::new(&store.identity_store_id, membership))
            .collect(),
        next_token: page.next_token,
    })
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct ListGroupMembershipsForMemberRequest {
    identity_store_id: String,
    member_id: MemberId,
    max_results: Option<i32>,
    next_token: Option<String>,
}

/// Lists a user's memberships in membership-id order.
pub(super) fn list_group_memberships_for_member(
    context: &RequestContext,
    world: &World,
    input: ListGroupMembershipsForMemberRequest,
) -> Result<ListGroupMembershipsResponse, IdentityStoreError> {
    let ListGroupMembershipsForMemberRequest {
        identity_store_id,
        member_id,
        max_results,
        next_token,
    } = input;
    check_identity_store(context, world, &identity_store_id)?;
    let user_id = member_id.user_id()?;
    let store = &world.identity_store;
    if !store.users.contains_key(user_id) {
        return Err(user_not_found(user_id));
    }
    let page = pagination::paginate(
        &world.pagination_secret,
        pagination::IDENTITY_STORE,
        &PageRequest {
            operation: "ListGroupMembershipsForMember",
            scope: user_id.to_owned(),
            max_results,
            next_token: next_token.as_deref(),
        },
        store
            .memberships
            .values()
            .filter(|membership| membership.member_user_id == user_id),
        |membership| membership.membership_id.clone(),
    )?;
    Ok(ListGroupMembershipsResponse {
        group_memberships: page
            .items
            .into_iter()
            .map(|membership| MembershipOutput::new(&store.identity_store_id, membership))
            .collect(),
        next_token: page.next_token,
    })
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct IsMemberInGroupsRequest {
    identity_store_id: String,
    member_id: MemberId,
    group_ids: Vec<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct MembershipExistence {
    group_id: String,
    member_id: MemberId,
    membership_exists: bool,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct IsMemberInGroupsResponse {
    results: Vec<MembershipExistence>,
}

/// For each of 1..100 group ids, whether the user is a member.
pub(super) fn is_member_in_groups(
    context: &RequestContext,
    world: &World,
    input: IsMemberInGroupsRequest,
) -> Result<IsMemberInGroupsResponse, IdentityStoreError> {
    let IsMemberInGroupsRequest {
        identity_store_id,
        member_id,
        group_ids,
    } = input;
    check_identity_store(context, world, &identity_store_id)?;
    if !(1..=100).contains(&group_ids.len()) {
        return Err(validation(
            "1 validation error detected: Value at 'groupIds' failed to satisfy constraint: Member must have length between 1 and 100".into(),
        ));
    }
    let user_id = member_id.user_id()?;
    let store = &world.identity_store;
    if !store.users.contains_key(user_id) {
        return Err(user_not_found(user_id));
    }
    Ok(IsMemberInGroupsResponse {
        results: group_ids
            .into_iter()
            .map(|group_id| MembershipExistence {
                membership_exists: find_membership(store, &group_id, user_id).is_some(),
                member_id: MemberId::of(user_id),
                group_id,
            })
            .collect(),
    })
}
