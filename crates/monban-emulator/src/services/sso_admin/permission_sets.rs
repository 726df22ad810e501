//! Permission sets: CreatePermissionSet, DescribePermissionSet, UpdatePermissionSet,
//! DeletePermissionSet, ListPermissionSets.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::state::PermissionSet;
use super::tags::{Tag, check_tags};
use super::validation::{
    check_description, check_permission_set_name, check_relay_state, check_session_duration,
};
use super::{
    SsoAdminError, check_delegated_reach, check_instance, check_no_overlap, find_permission_set,
};
use crate::pagination::{self, PageRequest};
use crate::protocol::aws_json::RequestContext;
use crate::protocol::timestamp::epoch_seconds;
use crate::world::World;

/// How many permission sets an instance may hold (IAM Identity Center quota, default).
pub(super) const PERMISSION_SET_QUOTA: usize = 3500;

/// The wire `PermissionSet`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct PermissionSetOutput {
    name: String,
    permission_set_arn: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(serialize_with = "epoch_seconds")]
    created_date: Timestamp,
    session_duration: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    relay_state: Option<String>,
}

impl From<&PermissionSet> for PermissionSetOutput {
    fn from(permission_set: &PermissionSet) -> Self {
        Self {
            name: permission_set.name.clone(),
            permission_set_arn: permission_set.arn.clone(),
            description: permission_set.description.clone(),
            created_date: permission_set.created_date,
            session_duration: permission_set.session_duration.clone(),
            relay_state: permission_set.relay_state.clone(),
        }
    }
}

/// Whether another permission set already has `name` (compared case-insensitively, as IAM
/// compares the role names built from it).
pub(crate) fn name_taken(world: &World, name: &str) -> bool {
    world
        .sso_admin
        .permission_sets
        .values()
        .any(|permission_set| permission_set.name.eq_ignore_ascii_case(name))
}

/// The ConflictException for a duplicate name (AWS's wording).
pub(super) fn name_conflict(name: &str) -> SsoAdminError {
    SsoAdminError::ConflictException {
        message: format!("PermissionSet with name {name} already exists."),
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct CreatePermissionSetRequest {
    name: String,
    instance_arn: String,
    description: Option<String>,
    session_duration: Option<String>,
    relay_state: Option<String>,
    #[serde(default)]
    tags: Vec<Tag>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct CreatePermissionSetResponse {
    permission_set: PermissionSetOutput,
}

/// Creates a permission set (session duration `PT1H` unless given). Names are unique in
/// the instance; at most [`PERMISSION_SET_QUOTA`] permission sets.
pub(super) fn create_permission_set(
    context: &RequestContext,
    world: &mut World,
    input: CreatePermissionSetRequest,
) -> Result<CreatePermissionSetResponse, SsoAdminError> {
    let CreatePermissionSetRequest {
        name,
        instance_arn,
        description,
        session_duration,
        relay_state,
        tags,
    } = input;
    check_permission_set_name(&name)?;
    if let Some(description) = &description {
        check_description(description)?;
    }
    if let Some(duration) = &session_duration {
        check_session_duration(duration)?;
    }
    if let Some(relay_state) = &relay_state {
        check_relay_state(relay_state)?;
    }
    let tags = check_tags(&tags, &BTreeMap::new())?;
    check_instance(context, world, "CreatePermissionSet", &instance_arn)?;
    if name_taken(world, &name) {
        return Err(name_conflict(&name));
    }
    if world.sso_admin.permission_sets.len() >= PERMISSION_SET_QUOTA {
        return Err(SsoAdminError::ServiceQuotaExceededException {
            message: format!(
                "The instance already has the maximum of {PERMISSION_SET_QUOTA} permission sets."
            ),
        });
    }
    let World { sso_admin, ids, .. } = world;
    let arn = sso_admin.add_permission_set(ids, &name, context.now);
    let permission_set = sso_admin
        .permission_sets
        .get_mut(&arn)
        .expect("add_permission_set just inserted this ARN");
    permission_set.description = description;
    if let Some(duration) = session_duration {
        permission_set.session_duration = duration;
    }
    permission_set.relay_state = relay_state;
    permission_set.tags = tags;
    Ok(CreatePermissionSetResponse {
        permission_set: PermissionSetOutput::from(&*permission_set),
    })
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct DescribePermissionSetRequest {
    instance_arn: String,
    permission_set_arn: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct DescribePermissionSetResponse {
    permission_set: PermissionSetOutput,
}

pub(super) fn describe_permission_set(
    context: &RequestContext,
    world: &World,
    input: DescribePermissionSetRequest,
) -> Result<DescribePermissionSetResponse, SsoAdminError> {
    let DescribePermissionSetRequest {
        instance_arn,
        permission_set_arn,
    } = input;
    let permission_set = find_permission_set(
        context,
        world,
        "DescribePermissionSet",
        &instance_arn,
        &permission_set_arn,
    )?;
    Ok(DescribePermissionSetResponse {
        permission_set: PermissionSetOutput::from(permission_set),
    })
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct UpdatePermissionSetRequest {
    instance_arn: String,
    permission_set_arn: String,
    description: Option<String>,
    session_duration: Option<String>,
    relay_state: Option<String>,
}

#[derive(Debug, Serialize)]
pub(super) struct EmptyResponse {}

/// Changes the given attributes. A real change marks the permission set's provisioned
/// copies `LATEST_PERMISSION_SET_NOT_PROVISIONED` until ProvisionPermissionSet.
pub(super) fn update_permission_set(
    context: &RequestContext,
    world: &mut World,
    input: UpdatePermissionSetRequest,
) -> Result<EmptyResponse, SsoAdminError> {
    let UpdatePermissionSetRequest {
        instance_arn,
        permission_set_arn,
        description,
        session_duration,
        relay_state,
    } = input;
    if let Some(description) = &description {
        check_description(description)?;
    }
    if let Some(duration) = &session_duration {
        check_session_duration(duration)?;
    }
    if let Some(relay_state) = &relay_state {
        check_relay_state(relay_state)?;
    }
    find_permission_set(
        context,
        world,
        "UpdatePermissionSet",
        &instance_arn,
        &permission_set_arn,
    )?;
    check_delegated_reach(
        context,
        world,
        "UpdatePermissionSet",
        Some(&permission_set_arn),
        None,
    )?;
    let permission_set = world
        .sso_admin
        .permission_sets
        .get_mut(&permission_set_arn)
        .expect("find_permission_set found it under the same lock");
    let mut changed = false;
    if description.is_some() && description != permission_set.description {
        permission_set.description = description;
        changed = true;
    }
    if let Some(duration) = session_duration
        && duration != permission_set.session_duration
    {
        permission_set.session_duration = duration;
        changed = true;
    }
    if relay_state.is_some() && relay_state != permission_set.relay_state {
        permission_set.relay_state = relay_state;
        changed = true;
    }
    if changed {
        permission_set.version += 1;
    }
    Ok(EmptyResponse {})
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct DeletePermissionSetRequest {
    instance_arn: String,
    permission_set_arn: String,
}

/// Deletes a permission set that is neither assigned nor provisioned in any account, and
/// has no request in progress (`ConflictException` otherwise).
pub(super) fn delete_permission_set(
    context: &RequestContext,
    world: &mut World,
    input: DeletePermissionSetRequest,
) -> Result<EmptyResponse, SsoAdminError> {
    let DeletePermissionSetRequest {
        instance_arn,
        permission_set_arn,
    } = input;
    find_permission_set(
        context,
        world,
        "DeletePermissionSet",
        &instance_arn,
        &permission_set_arn,
    )?;
    check_delegated_reach(
        context,
        world,
        "DeletePermissionSet",
        Some(&permission_set_arn),
        None,
    )?;
    check_no_overlap(context, world, &permission_set_arn, None)?;
    let state = &world.sso_admin;
    let provisioned = state
        .accounts_provisioned_with(&permission_set_arn)
        .next()
        .is_some();
    let assigned = state
        .account_assignments
        .iter()
        .any(|assignment| assignment.permission_set_arn == permission_set_arn);
    if provisioned || assigned {
        return Err(SsoAdminError::ConflictException {
            message: format!(
                "Could not delete because PermissionSet {permission_set_arn} is provisioned to or assigned in one or more accounts. Delete its account assignments and wait for them to complete first."
            ),
        });
    }
    world.sso_admin.permission_sets.remove(&permission_set_arn);
    Ok(EmptyResponse {})
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct ListPermissionSetsRequest {
    instance_arn: String,
    next_token: Option<String>,
    max_results: Option<i32>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct ListPermissionSetsResponse {
    permission_sets: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
}

/// Lists permission-set ARNs in ARN order.
pub(super) fn list_permission_sets(
    context: &RequestContext,
    world: &World,
    input: ListPermissionSetsRequest,
) -> Result<ListPermissionSetsResponse, SsoAdminError> {
    let ListPermissionSetsRequest {
        instance_arn,
        next_token,
        max_results,
    } = input;
    check_instance(context, world, "ListPermissionSets", &instance_arn)?;
    let page = pagination::paginate(
        &world.pagination_secret,
        pagination::SSO_ADMIN,
        &PageRequest {
            operation: "ListPermissionSets",
            scope: instance_arn,
            max_results,
            next_token: next_token.as_deref(),
        },
        world.sso_admin.permission_sets.keys(),
        |arn| (*arn).clone(),
    )?;
    Ok(ListPermissionSetsResponse {
        permission_sets: page.items.into_iter().cloned().collect(),
        next_token: page.next_token,
    })
}
