//! Groups: CreateGroup, DescribeGroup, UpdateGroup, DeleteGroup, ListGroups, GetGroupId.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::error::{ConflictExceptionReason, ResourceType};
use super::state::{ExternalId, Group, IdentityStoreState};
use super::users::{
    AlternateIdentifier, AlternateLookup, AttributeOperation, Filter, RESERVED_NAMES, check_update,
    string_value,
};
use super::{IdentityStoreError, check_identity_store, check_revision, validation};
use crate::pagination::{self, PageRequest};
use crate::protocol::aws_json::RequestContext;
use crate::protocol::timestamp::epoch_seconds;
use crate::world::World;

/// The `ResourceNotFoundException` for a group id.
pub(super) fn group_not_found(group_id: &str) -> IdentityStoreError {
    IdentityStoreError::ResourceNotFoundException {
        resource_type: ResourceType::Group,
        resource_id: Some(group_id.to_owned()),
        reason: None,
        message: format!("Group {group_id} does not exist."),
    }
}

/// The wire `Group` (DescribeGroup, ListGroups).
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct GroupOutput {
    identity_store_id: String,
    group_id: String,
    group_arn: String,
    /// A decimal string on the wire.
    revision: String,
    display_name: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    external_ids: Vec<ExternalId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(serialize_with = "epoch_seconds")]
    created_at: Timestamp,
    created_by: String,
    #[serde(serialize_with = "epoch_seconds")]
    updated_at: Timestamp,
    updated_by: String,
}

impl GroupOutput {
    fn new(identity_store_id: &str, group: &Group) -> Self {
        let group = group.clone();
        Self {
            identity_store_id: identity_store_id.to_owned(),
            group_arn: IdentityStoreState::resource_arn("group", &group.group_id),
            group_id: group.group_id,
            revision: group.revision.to_string(),
            display_name: group.display_name,
            external_ids: group.external_ids,
            description: group.description,
            created_at: group.created_at,
            created_by: group.created_by,
            updated_at: group.updated_at,
            updated_by: group.updated_by,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct CreateGroupRequest {
    identity_store_id: String,
    /// Optional in the model; the sandbox requires it (see docs/reference/sandbox.md).
    display_name: Option<String>,
    description: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct CreateGroupResponse {
    identity_store_id: String,
    group_id: String,
    group_arn: String,
    revision: String,
}

/// Creates a group. Display names are unique in the store (case-insensitive) and the
/// reserved names are refused.
pub(super) fn create_group(
    context: &RequestContext,
    world: &mut World,
    input: CreateGroupRequest,
) -> Result<CreateGroupResponse, IdentityStoreError> {
    let CreateGroupRequest {
        identity_store_id,
        display_name,
        description,
    } = input;
    check_identity_store(context, world, &identity_store_id)?;
    let Some(display_name) = display_name else {
        return Err(validation(
            "DisplayName is required when used in IAM Identity Center.".into(),
        ));
    };
    let length = display_name.chars().count();
    if !(1..=1024).contains(&length) || display_name.trim().is_empty() {
        return Err(validation(
            "1 validation error detected: Value at 'displayName' failed to satisfy constraint: Member must have length between 1 and 1024 and not be blank".into(),
        ));
    }
    if description
        .as_ref()
        .is_some_and(|description| !(1..=1024).contains(&description.chars().count()))
    {
        return Err(validation(
            "1 validation error detected: Value at 'description' failed to satisfy constraint: Member must have length between 1 and 1024".into(),
        ));
    }
    if RESERVED_NAMES
        .iter()
        .any(|reserved| reserved.eq_ignore_ascii_case(&display_name))
    {
        return Err(validation(format!(
            "The group name {display_name} is reserved."
        )));
    }
    if world
        .identity_store
        .groups
        .values()
        .any(|group| group.display_name.eq_ignore_ascii_case(&display_name))
    {
        return Err(IdentityStoreError::ConflictException {
            message: format!("Duplicate GroupDisplayName: {display_name}"),
            reason: ConflictExceptionReason::UniquenessConstraintViolation,
        });
    }
    let created_by = context.caller.principal_arn.clone();
    let World {
        identity_store,
        ids,
        ..
    } = world;
    let group_id = identity_store.add_group(
        ids,
        &display_name,
        description.as_deref(),
        &created_by,
        context.now,
    );
    Ok(CreateGroupResponse {
        identity_store_id,
        group_arn: IdentityStoreState::resource_arn("group", &group_id),
        group_id,
        revision: "1".into(),
    })
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct DescribeGroupRequest {
    identity_store_id: String,
    group_id: String,
}

/// Returns one group.
pub(super) fn describe_group(
    context: &RequestContext,
    world: &World,
    input: DescribeGroupRequest,
) -> Result<GroupOutput, IdentityStoreError> {
    let DescribeGroupRequest {
        identity_store_id,
        group_id,
    } = input;
    check_identity_store(context, world, &identity_store_id)?;
    let store = &world.identity_store;
    let group = store
        .groups
        .get(&group_id)
        .ok_or_else(|| group_not_found(&group_id))?;
    Ok(GroupOutput::new(&store.identity_store_id, group))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct DeleteGroupRequest {
    identity_store_id: String,
    group_id: String,
    revision: Option<String>,
}

#[derive(Debug, Serialize)]
pub(super) struct DeleteGroupResponse {}

/// Deletes a group and its memberships. A stale `Revision` is `CONCURRENT_MODIFICATION`.
pub(super) fn delete_group(
    context: &RequestContext,
    world: &mut World,
    input: DeleteGroupRequest,
) -> Result<DeleteGroupResponse, IdentityStoreError> {
    let DeleteGroupRequest {
        identity_store_id,
        group_id,
        revision,
    } = input;
    check_identity_store(context, world, &identity_store_id)?;
    let store = &mut world.identity_store;
    let group = store
        .groups
        .get(&group_id)
        .ok_or_else(|| group_not_found(&group_id))?;
    check_revision(revision.as_deref(), group.revision)?;
    store.groups.remove(&group_id);
    store
        .memberships
        .retain(|_, membership| membership.group_id != group_id);
    Ok(DeleteGroupResponse {})
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct ListGroupsRequest {
    identity_store_id: String,
    max_results: Option<i32>,
    next_token: Option<String>,
    #[serde(default)]
    filters: Vec<Filter>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct ListGroupsResponse {
    groups: Vec<GroupOutput>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
}

/// Lists groups in group-id order; the deprecated `Filters` supports `DisplayName` only.
pub(super) fn list_groups(
    context: &RequestContext,
    world: &World,
    input: ListGroupsRequest,
) -> Result<ListGroupsResponse, IdentityStoreError> {
    let ListGroupsRequest {
        identity_store_id,
        max_results,
        next_token,
        filters,
    } = input;
    check_identity_store(context, world, &identity_store_id)?;
    if filters.len() > 1 {
        return Err(validation(
            "1 validation error detected: Value at 'filters' failed to satisfy constraint: Member must have length less than or equal to 1".into(),
        ));
    }
    let name_filter = match filters.first() {
        None => None,
        Some(filter) if filter.attribute_path == "DisplayName" => {
            Some(filter.attribute_value.as_str())
        }
        Some(filter) => {
            return Err(validation(format!(
                "Filtering on attribute path '{}' is not supported; use DisplayName.",
                filter.attribute_path
            )));
        }
    };
    let store = &world.identity_store;
    let page = pagination::paginate(
        &world.pagination_secret,
        pagination::IDENTITY_STORE,
        &PageRequest {
            operation: "ListGroups",
            scope: name_filter.unwrap_or_default().to_owned(),
            max_results,
            next_token: next_token.as_deref(),
        },
        store.groups.values().filter(|group| {
            name_filter.is_none_or(|name| group.display_name.eq_ignore_ascii_case(name))
        }),
        |group| group.group_id.clone(),
    )?;
    Ok(ListGroupsResponse {
        groups: page
            .items
            .into_iter()
            .map(|group| GroupOutput::new(&store.identity_store_id, group))
            .collect(),
        next_token: page.next_token,
    })
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct GetGroupIdRequest {
    identity_store_id: String,
    alternate_identifier: AlternateIdentifier,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct GetGroupIdResponse {
    identity_store_id: String,
    group_id: String,
    group_arn: String,
}

/// Finds a group by `displayName` or an external id.
pub(super) fn get_group_id(
    context: &RequestContext,
    world: &World,
    input: GetGroupIdRequest,
) -> Result<GetGroupIdResponse, IdentityStoreError> {
    let GetGroupIdRequest {
        identity_store_id,
        alternate_identifier,
    } = input;
    check_identity_store(context, world, &identity_store_id)?;
    let lookup = alternate_identifier.lookup()?;
    let store = &world.identity_store;
    let (found, described) = match &lookup {
        AlternateLookup::External(external_id) => (
            store
                .groups
                .values()
                .find(|group| group.external_ids.contains(external_id)),
            format!("{}:{}", external_id.issuer, external_id.id),
        ),
        AlternateLookup::Attribute { path, value } if path == "displayname" => (
            store
                .groups
                .values()
                .find(|group| group.display_name.eq_ignore_ascii_case(value)),
            (*value).to_owned(),
        ),
        AlternateLookup::Attribute { path, .. } => {
            return Err(validation(format!(
                "Attribute path {path} is not supported; use displayName."
            )));
        }
    };
    let group = found.ok_or_else(|| group_not_found(&described))?;
    Ok(GetGroupIdResponse {
        identity_store_id,
        group_arn: IdentityStoreState::resource_arn("group", &group.group_id),
        group_id: group.group_id.clone(),
    })
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct UpdateGroupRequest {
    identity_store_id: String,
    group_id: String,
    operations: Vec<AttributeOperation>,
    revision: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct UpdateGroupResponse {
    identity_store_id: String,
    group_id: String,
    group_arn: String,
    revision: String,
}

/// Applies attribute operations (`displayName`, `description`) to a group; the display name
/// stays unique and unreserved. The revision goes up by one.
pub(super) fn update_group(
    context: &RequestContext,
    world: &mut World,
    input: UpdateGroupRequest,
) -> Result<UpdateGroupResponse, IdentityStoreError> {
    let UpdateGroupRequest {
        identity_store_id,
        group_id,
        operations,
        revision,
    } = input;
    check_identity_store(context, world, &identity_store_id)?;
    let store = &world.identity_store;
    let current = store
        .groups
        .get(&group_id)
        .ok_or_else(|| group_not_found(&group_id))?;
    check_update(&operations, revision.as_deref(), current.revision)?;
    let mut group = current.clone();
    for operation in &operations {
        let value = string_value(operation)?;
        match operation.attribute_path.as_str() {
            "displayName" => {
                let Some(display_name) = value.filter(|name| !name.trim().is_empty()) else {
                    return Err(validation("displayName cannot be removed or blank.".into()));
                };
                if RESERVED_NAMES
                    .iter()
                    .any(|reserved| reserved.eq_ignore_ascii_case(&display_name))
                {
                    return Err(validation(format!(
                        "The group name {display_name} is reserved."
                    )));
                }
                if store.groups.values().any(|other| {
                    other.group_id != group_id
                        && other.display_name.eq_ignore_ascii_case(&display_name)
                }) {
                    return Err(IdentityStoreError::ConflictException {
                        message: format!("Duplicate GroupDisplayName: {display_name}"),
                        reason: ConflictExceptionReason::UniquenessConstraintViolation,
                    });
                }
                group.display_name = display_name;
            }
            "description" => group.description = value,
            other => {
                return Err(validation(format!(
                    "Attribute path {other} is not supported for update."
                )));
            }
        }
    }
    group.revision += 1;
    group.updated_at = context.now;
    group.updated_by.clone_from(&context.caller.principal_arn);
    let revision = group.revision.to_string();
    world.identity_store.groups.insert(group_id.clone(), group);
    Ok(UpdateGroupResponse {
        identity_store_id,
        group_arn: IdentityStoreState::resource_arn("group", &group_id),
        group_id,
        revision,
    })
}
