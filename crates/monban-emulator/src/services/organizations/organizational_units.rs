//! Organizational units and the tree: CreateOrganizationalUnit, DescribeOrganizationalUnit,
//! UpdateOrganizationalUnit, DeleteOrganizationalUnit, ListOrganizationalUnitsForParent,
//! ListChildren, ListParents.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::error::{ConstraintViolationExceptionReason, InvalidInputExceptionReason};
use super::state::OrganizationalUnit;
use super::{OrganizationsError, access_denied, require_management_or_delegated_administrator};
use crate::pagination::{self, PageRequest};
use crate::protocol::aws_json::RequestContext;
use crate::world::World;

/// AWS allows OUs nested five levels deep under the root (Organizations quotas).
const MAX_OU_DEPTH: usize = 5;

/// `Tag` input member.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct TagInput {
    key: String,
    value: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct OrganizationalUnitOutput {
    id: String,
    arn: String,
    name: String,
}

impl From<&OrganizationalUnit> for OrganizationalUnitOutput {
    fn from(unit: &OrganizationalUnit) -> Self {
        Self {
            id: unit.id.clone(),
            arn: unit.arn.clone(),
            name: unit.name.clone(),
        }
    }
}

/// `organizations:OrganizationalUnitName`: 1..128 characters.
fn validate_name(name: &str) -> Result<(), OrganizationsError> {
    let length = name.chars().count();
    if length == 0 {
        return Err(OrganizationsError::InvalidInputException {
            message: "Name must be at least 1 character long.".into(),
            reason: InvalidInputExceptionReason::MinLengthExceeded,
        });
    }
    if length > 128 {
        return Err(OrganizationsError::InvalidInputException {
            message: "Name must be at most 128 characters long.".into(),
            reason: InvalidInputExceptionReason::MaxLengthExceeded,
        });
    }
    Ok(())
}

/// Whether `id` matches `^(r-[0-9a-z]{4,32})|(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$`.
pub(super) fn is_parent_id_syntax(id: &str) -> bool {
    let is_segment = |segment: &str, min: usize| {
        (min..=32).contains(&segment.len())
            && segment
                .bytes()
                .all(|byte| byte.is_ascii_digit() || byte.is_ascii_lowercase())
    };
    if let Some(rest) = id.strip_prefix("r-") {
        return is_segment(rest, 4);
    }
    if let Some(rest) = id.strip_prefix("ou-") {
        return rest
            .split_once('-')
            .is_some_and(|(first, second)| is_segment(first, 4) && is_segment(second, 8));
    }
    false
}

/// Whether `id` matches the OU id pattern.
fn is_ou_id_syntax(id: &str) -> bool {
    id.starts_with("ou-") && is_parent_id_syntax(id)
}

fn invalid_pattern(member: &str, value: &str) -> OrganizationsError {
    OrganizationsError::InvalidInputException {
        message: format!("{member} {value:?} does not match the required pattern."),
        reason: InvalidInputExceptionReason::InvalidPattern,
    }
}

/// Validates a parent id's syntax and existence (ParentNotFoundException).
pub(super) fn require_parent(world: &World, parent_id: &str) -> Result<(), OrganizationsError> {
    if !is_parent_id_syntax(parent_id) {
        return Err(invalid_pattern("ParentId", parent_id));
    }
    if world.organizations.is_parent(parent_id) {
        Ok(())
    } else {
        Err(OrganizationsError::ParentNotFoundException {
            message: format!("We can't find a root or OU with the ParentId {parent_id}."),
        })
    }
}

fn find_unit<'w>(
    world: &'w World,
    organizational_unit_id: &str,
) -> Result<&'w OrganizationalUnit, OrganizationsError> {
    if !is_ou_id_syntax(organizational_unit_id) {
        return Err(invalid_pattern(
            "OrganizationalUnitId",
            organizational_unit_id,
        ));
    }
    world
        .organizations
        .organizational_units
        .get(organizational_unit_id)
        .ok_or_else(|| OrganizationsError::OrganizationalUnitNotFoundException {
            message: format!("We can't find an OU with the id {organizational_unit_id}."),
        })
}

/// How many OUs deep `parent_id` is (the root is 0).
fn depth(world: &World, parent_id: &str) -> usize {
    let mut depth = 0;
    let mut current = parent_id;
    while let Some(unit) = world.organizations.organizational_units.get(current) {
        depth += 1;
        current = &unit.parent_id;
    }
    depth
}

fn require_unique_sibling_name(
    world: &World,
    parent_id: &str,
    name: &str,
    except_id: Option<&str>,
) -> Result<(), OrganizationsError> {
    let taken = world
        .organizations
        .organizational_units
        .values()
        .any(|unit| {
            unit.parent_id == parent_id && unit.name == name && Some(unit.id.as_str()) != except_id
        });
    if taken {
        Err(OrganizationsError::DuplicateOrganizationalUnitException {
            message: format!("An OU with the name {name:?} already exists in {parent_id}."),
        })
    } else {
        Ok(())
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct CreateOrganizationalUnitRequest {
    parent_id: String,
    name: String,
    #[serde(default)]
    tags: Vec<TagInput>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct OrganizationalUnitResponse {
    organizational_unit: OrganizationalUnitOutput,
}

/// Validates tag input (1..128-character keys, 0..256-character values, no duplicate keys)
/// and returns them as a map.
pub(super) fn tags_to_map(
    tags: Vec<TagInput>,
) -> Result<BTreeMap<String, String>, OrganizationsError> {
    let mut map = BTreeMap::new();
    for tag in tags {
        let key_length = tag.key.chars().count();
        if key_length == 0 || key_length > 128 || tag.value.chars().count() > 256 {
            return Err(OrganizationsError::InvalidInputException {
                message: "Tag keys must be 1..128 characters, values 0..256.".into(),
                reason: if key_length == 0 {
                    InvalidInputExceptionReason::MinLengthExceeded
                } else {
                    InvalidInputExceptionReason::MaxLengthExceeded
                },
            });
        }
        if map.insert(tag.key.clone(), tag.value).is_some() {
            return Err(OrganizationsError::InvalidInputException {
                message: format!("Duplicate tag key {:?}.", tag.key),
                reason: InvalidInputExceptionReason::DuplicateTagKey,
            });
        }
    }
    Ok(map)
}

pub(super) fn create_organizational_unit(
    context: &RequestContext,
    world: &mut World,
    input: CreateOrganizationalUnitRequest,
) -> Result<OrganizationalUnitResponse, OrganizationsError> {
    let CreateOrganizationalUnitRequest {
        parent_id,
        name,
        tags,
    } = input;
    if !context.is_management_account(world) {
        return Err(access_denied(context));
    }
    validate_name(&name)?;
    let tags = tags_to_map(tags)?;
    require_parent(world, &parent_id)?;
    if depth(world, &parent_id) >= MAX_OU_DEPTH {
        return Err(OrganizationsError::ConstraintViolationException {
            message: format!("OUs can be nested at most {MAX_OU_DEPTH} levels deep."),
            reason: ConstraintViolationExceptionReason::OuDepthLimitExceeded,
        });
    }
    require_unique_sibling_name(world, &parent_id, &name, None)?;
    let World {
        organizations, ids, ..
    } = world;
    let id = organizations.add_organizational_unit(ids, &parent_id, &name);
    if !tags.is_empty() {
        organizations.tags.insert(id.clone(), tags);
    }
    Ok(OrganizationalUnitResponse {
        organizational_unit: OrganizationalUnitOutput::from(
            &organizations.organizational_units[&id],
        ),
    })
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct DescribeOrganizationalUnitRequest {
    organizational_unit_id: String,
}

pub(super) fn describe_organizational_unit(
    context: &RequestContext,
    world: &World,
    input: DescribeOrganizationalUnitRequest,
) -> Result<OrganizationalUnitResponse, OrganizationsError> {
    let DescribeOrganizationalUnitRequest {
        organizational_unit_id,
    } = input;
    require_management_or_delegated_administrator(context, world)?;
    let unit = find_unit(world, &organizational_unit_id)?;
    Ok(OrganizationalUnitResponse {
        organizational_unit: OrganizationalUnitOutput::from(unit),
    })
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct UpdateOrganizationalUnitRequest {
    organizational_unit_id: String,
    name: Option<String>,
}

/// Without `Name` nothing changes and the OU is returned as it is.
pub(super) fn update_organizational_unit(
    context: &RequestContext,
    world: &mut World,
    input: UpdateOrganizationalUnitRequest,
) -> Result<OrganizationalUnitResponse, OrganizationsError> {
    if !context.is_management_account(world) {
        return Err(access_denied(context));
    }
    let unit = find_unit(world, &input.organizational_unit_id)?.clone();
    if let Some(name) = &input.name {
        validate_name(name)?;
        require_unique_sibling_name(world, &unit.parent_id, name, Some(&unit.id))?;
    }
    let stored = world
        .organizations
        .organizational_units
        .get_mut(&unit.id)
        .ok_or_else(|| OrganizationsError::OrganizationalUnitNotFoundException {
            message: format!("We can't find an OU with the id {}.", unit.id),
        })?;
    if let Some(name) = input.name {
        stored.name = name;
    }
    Ok(OrganizationalUnitResponse {
        organizational_unit: OrganizationalUnitOutput::from(&*stored),
    })
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct DeleteOrganizationalUnitRequest {
    organizational_unit_id: String,
}

#[derive(Debug, Serialize)]
pub(super) struct EmptyResponse {}

pub(super) fn delete_organizational_unit(
    context: &RequestContext,
    world: &mut World,
    input: DeleteOrganizationalUnitRequest,
) -> Result<EmptyResponse, OrganizationsError> {
    let DeleteOrganizationalUnitRequest {
        organizational_unit_id,
    } = input;
    if !context.is_management_account(world) {
        return Err(access_denied(context));
    }
    let id = find_unit(world, &organizational_unit_id)?.id.clone();
    let organizations = &world.organizations;
    let has_children = organizations
        .organizational_units
        .values()
        .any(|unit| unit.parent_id == id)
        || organizations
            .accounts
            .values()
            .any(|account| account.parent_id == id);
    if has_children {
        return Err(OrganizationsError::OrganizationalUnitNotEmptyException {
            message: format!("The OU {id} still contains accounts or OUs."),
        });
    }
    world.organizations.organizational_units.remove(&id);
    world.organizations.tags.remove(&id);
    Ok(EmptyResponse {})
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct ListOrganizationalUnitsForParentRequest {
    parent_id: String,
    next_token: Option<String>,
    max_results: Option<i32>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct ListOrganizationalUnitsForParentResponse {
    organizational_units: Vec<OrganizationalUnitOutput>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
}

pub(super) fn list_organizational_units_for_parent(
    context: &RequestContext,
    world: &World,
    input: ListOrganizationalUnitsForParentRequest,
) -> Result<ListOrganizationalUnitsForParentResponse, OrganizationsError> {
    let ListOrganizationalUnitsForParentRequest {
        parent_id,
        next_token,
        max_results,
    } = input;
    require_management_or_delegated_administrator(context, world)?;
    require_parent(world, &parent_id)?;
    let page = pagination::paginate(
        &world.pagination_secret,
        pagination::ORGANIZATIONS,
        &PageRequest {
            operation: "ListOrganizationalUnitsForParent",
            scope: parent_id.clone(),
            max_results,
            next_token: next_token.as_deref(),
        },
        world
            .organizations
            .organizational_units
            .values()
            .filter(|unit| unit.parent_id == parent_id),
        |unit| unit.id.clone(),
    )?;
    Ok(ListOrganizationalUnitsForParentResponse {
        organizational_units: page
            .items
            .into_iter()
            .map(OrganizationalUnitOutput::from)
            .collect(),
        next_token: page.next_token,
    })
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct ListChildrenRequest {
    parent_id: String,
    child_type: String,
    next_token: Option<String>,
    max_results: Option<i32>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
struct ChildOutput {
    id: String,
    r#type: &'static str,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct ListChildrenResponse {
    children: Vec<ChildOutput>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
}

pub(super) fn list_children(
    context: &RequestContext,
    world: &World,
    input: ListChildrenRequest,
) -> Result<ListChildrenResponse, OrganizationsError> {
    let ListChildrenRequest {
        parent_id,
        child_type,
        next_token,
        max_results,
    } = input;
    require_management_or_delegated_administrator(context, world)?;
    let child_type: &'static str = match child_type.as_str() {
        "ACCOUNT" => "ACCOUNT",
        "ORGANIZATIONAL_UNIT" => "ORGANIZATIONAL_UNIT",
        other => {
            return Err(OrganizationsError::InvalidInputException {
                message: format!("ChildType {other:?} is not one of ACCOUNT, ORGANIZATIONAL_UNIT."),
                reason: InvalidInputExceptionReason::InvalidEnum,
            });
        }
    };
    require_parent(world, &parent_id)?;
    let organizations = &world.organizations;
    let ids: Vec<String> = if child_type == "ACCOUNT" {
        organizations
            .accounts
            .values()
            .filter(|account| account.parent_id == parent_id)
            .map(|account| account.id.clone())
            .collect()
    } else {
        organizations
            .organizational_units
            .values()
            .filter(|unit| unit.parent_id == parent_id)
            .map(|unit| unit.id.clone())
            .collect()
    };
    let page = pagination::paginate(
        &world.pagination_secret,
        pagination::ORGANIZATIONS,
        &PageRequest {
            operation: "ListChildren",
            scope: format!("{parent_id}/{child_type}"),
            max_results,
            next_token: next_token.as_deref(),
        },
        ids.iter(),
        |id| (*id).clone(),
    )?;
    Ok(ListChildrenResponse {
        children: page
            .items
            .into_iter()
            .map(|id| ChildOutput {
                id: id.clone(),
                r#type: child_type,
            })
            .collect(),
        next_token: page.next_token,
    })
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct ListParentsRequest {
    child_id: String,
    next_token: Option<String>,
    max_results: Option<i32>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
struct ParentOutput {
    id: String,
    r#type: &'static str,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct ListParentsResponse {
    parents: Vec<ParentOutput>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
}

/// A child has exactly one parent, so there is at most one page.
pub(super) fn list_parents(
    context: &RequestContext,
    world: &World,
    input: ListParentsRequest,
) -> Result<ListParentsResponse, OrganizationsError> {
    let ListParentsRequest {
        child_id,
        next_token,
        max_results,
    } = input;
    require_management_or_delegated_administrator(context, world)?;
    let organizations = &world.organizations;
    let parent_id = organizations
        .accounts
        .get(&child_id)
        .map(|account| account.parent_id.clone())
        .or_else(|| {
            organizations
                .organizational_units
                .get(&child_id)
                .map(|unit| unit.parent_id.clone())
        })
        .ok_or_else(|| OrganizationsError::ChildNotFoundException {
            message: format!("We can't find an account or OU with the id {child_id}."),
        })?;
    let parents = [parent_id];
    let page = pagination::paginate(
        &world.pagination_secret,
        pagination::ORGANIZATIONS,
        &PageRequest {
            operation: "ListParents",
            scope: child_id.clone(),
            max_results,
            next_token: next_token.as_deref(),
        },
        parents.iter(),
        |id| (*id).clone(),
    )?;
    Ok(ListParentsResponse {
        parents: page
            .items
            .into_iter()
            .map(|id| ParentOutput {
                id: id.clone(),
                r#type: if id.starts_with("ou-") {
                    "ORGANIZATIONAL_UNIT"
                } else {
                    "ROOT"
                },
            })
            .collect(),
        next_token: page.next_token,
    })
}
