//! `/Groups`: CreateGroup (POST), GetGroup, ListGroups, PatchGroup, DeleteGroup, on the
//! Identity Store's own groups and memberships.
//!
//! Identity Center's documented limits (SCIM developer guide: CreateGroup, GetGroup,
//! ListGroups, PatchGroup): `displayName` required; at most 100 members added by a create
//! and 100 membership changes by a patch; PATCH only on `displayName`, `members`,
//! `externalId`; no `replace` of members and no removal of all members in one request (400);
//! GetGroup and ListGroups show no members — membership is asked with the `members.value`
//! or `id` + `members` filter. There is no PutGroup. displayName and externalId are unique (409).

use jiff::Timestamp;
use serde_json::{Map, Value, json};

use super::error::ScimError;
use super::filter;
use super::list::{self, ListQuery};
use super::{EXTERNAL_ID_ISSUER, SCIM_ACTOR, meta, patch_operations};
use crate::services::identity_store::state::{ExternalId, Group, IdentityStoreState};
use crate::world::World;

/// The core Group schema.
pub const GROUP_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
/// Membership changes one request may make.
const MAX_MEMBERSHIP_CHANGES: usize = 100;

/// The SCIM representation of `group` as CreateGroup and GetGroup answer it: no `members` at
/// all, as the guide's examples of both show (ListGroups' example has `"members": []`).
#[must_use]
pub fn render_without_members(group: &Group) -> Value {
    let mut body = render(group);
    if let Some(object) = body.as_object_mut() {
        object.remove("members");
    }
    body
}

/// The SCIM representation of `group` in a list (members always empty, as Identity Center
/// returns it).
#[must_use]
pub fn render(group: &Group) -> Value {
    let mut body = json!({
        "schemas": [GROUP_SCHEMA],
        "id": group.group_id,
        "meta": meta("Group", group.created_at, group.updated_at),
        "displayName": group.display_name,
        "members": [],
    });
    if let Some(external_id) = group.external_ids.first() {
        body["externalId"] = Value::from(external_id.id.clone());
    }
    body
}

fn display_name(value: &Value) -> Result<String, ScimError> {
    match value {
        Value::String(name) if !name.is_empty() && name.chars().count() <= 1024 => {
            if ["Administrator", "AWSAdministrators"]
                .iter()
                .any(|reserved| reserved.eq_ignore_ascii_case(name))
            {
                return Err(ScimError::invalid_value(format!(
                    "The group name {name} is reserved."
                )));
            }
            Ok(name.clone())
        }
        _ => Err(ScimError::invalid_value(
            "displayName is required and must be a string of 1 to 1024 characters.",
        )),
    }
}

fn external_ids(value: &Value) -> Result<Vec<ExternalId>, ScimError> {
    match value {
        Value::Null => Ok(Vec::new()),
        Value::String(id) if !id.is_empty() && id.chars().count() <= 256 => Ok(vec![ExternalId {
            issuer: EXTERNAL_ID_ISSUER.to_owned(),
            id: id.clone(),
        }]),
        _ => Err(ScimError::invalid_value(
            "externalId must be a string of 1 to 256 characters.",
        )),
    }
}

/// The user ids of a `members` value (`[{"value": "<user id>"}, …]`), each an existing user.
fn member_ids(store: &IdentityStoreState, value: &Value) -> Result<Vec<String>, ScimError> {
    let items = match value {
        Value::Null => return Ok(Vec::new()),
        Value::Array(items) => items,
        _ => return Err(ScimError::invalid_value("members must be a list.")),
    };
    items
        .iter()
        .map(|item| {
            let Some(Value::String(user_id)) = item.get("value") else {
                return Err(ScimError::invalid_value(
                    "Each member needs a value (a user id).",
                ));
            };
            if !store.users.contains_key(user_id) {
                return Err(ScimError::invalid_value(format!(
                    "Member {user_id} is not a user of this identity store."
                )));
            }
            Ok(user_id.clone())
        })
        .collect()
}

/// No other group with the same displayName (case-insensitive) or externalId.
fn check_unique(store: &IdentityStoreState, group: &Group) -> Result<(), ScimError> {
    for other in store.groups.values() {
        if other.group_id == group.group_id {
            continue;
        }
        if other.display_name.eq_ignore_ascii_case(&group.display_name) {
            return Err(ScimError::duplicate(format!(
                "Duplicate displayName: {}",
                group.display_name
            )));
        }
        if let Some(external_id) = group
            .external_ids
            .iter()
            .find(|external_id| other.external_ids.contains(external_id))
        {
            return Err(ScimError::duplicate(format!(
                "Duplicate externalId: {}",
                external_id.id
            )));
        }
    }
    Ok(())
}

fn add_members(world: &mut World, group_id: &str, user_ids: &[String], now: Timestamp) {
    let World {
        identity_store,
        ids,
        ..
    } = world;
    for user_id in user_ids {
        let already = identity_store.memberships.values().any(|membership| {
            membership.group_id == group_id && membership.member_user_id == *user_id
        });
        if !already {
            identity_store.add_membership(ids, group_id, user_id, SCIM_ACTOR, now);
        }
    }
}

/// POST /Groups → 201 and the group.
pub fn create(
    world: &mut World,
    now: Timestamp,
    body: &Map<String, Value>,
) -> Result<Value, ScimError> {
    let store = &world.identity_store;
    let name = display_name(body.get("displayName").unwrap_or(&Value::Null))?;
    let external = external_ids(body.get("externalId").unwrap_or(&Value::Null))?;
    let members = member_ids(store, body.get("members").unwrap_or(&Value::Null))?;
    if members.len() > MAX_MEMBERSHIP_CHANGES {
        return Err(ScimError::validation(
            "tooMany",
            format!(
                "A maximum of {MAX_MEMBERSHIP_CHANGES} members can be added in a single request."
            ),
        ));
    }
    let mut group = Group {
        group_id: String::new(),
        display_name: name,
        external_ids: external,
        description: None,
        created_at: now,
        created_by: SCIM_ACTOR.to_owned(),
        updated_at: now,
        updated_by: SCIM_ACTOR.to_owned(),
        revision: 1,
    };
    check_unique(store, &group).map_err(ScimError::on_create)?;
    group.group_id = store.new_resource_id(&mut world.ids);
    let group_id = group.group_id.clone();
    let rendered = render_without_members(&group);
    world.identity_store.groups.insert(group_id.clone(), group);
    add_members(world, &group_id, &members, now);
    Ok(rendered)
}

/// GET /Groups/{id}.
pub fn get(world: &World, group_id: &str) -> Result<Value, ScimError> {
    world
        .identity_store
        .groups
        .get(group_id)
        .map(render_without_members)
        .ok_or_else(|| ScimError::not_found("Group", group_id))
}

/// DELETE /Groups/{id}: the group and its memberships go; account assignments naming it
/// stay, orphaned.
pub fn delete(world: &mut World, group_id: &str) -> Result<(), ScimError> {
    let store = &mut world.identity_store;
    if store.groups.remove(group_id).is_none() {
        return Err(ScimError::not_found("Group", group_id));
    }
    store
        .memberships
        .retain(|_, membership| membership.group_id != group_id);
    Ok(())
}

/// GET /Groups?filter=…: (displayName), (externalId), (members.value), (id), (id and
/// member[s]).
pub fn list(world: &World, query: &ListQuery) -> Result<Value, ScimError> {
    let store = &world.identity_store;
    let filter = query.filter.as_deref().map(filter::parse).transpose()?;
    let ids: Vec<String> = match &filter {
        None => store.groups.keys().cloned().collect(),
        Some(filter) => {
            let attributes: Vec<String> = filter
                .attribute_set()
                .into_iter()
                .map(|attribute| match attribute.as_str() {
                    "member" => "members".to_owned(),
                    _ => attribute,
                })
                .collect();
            let value = |name: &str| -> String {
                filter
                    .comparisons
                    .iter()
                    .find(|comparison| {
                        let attribute = comparison.attribute.to_ascii_lowercase();
                        attribute == name || (name == "members" && attribute == "member")
                    })
                    .map(|comparison| comparison.value.clone())
                    .unwrap_or_default()
            };
            let names: Vec<&str> = attributes.iter().map(String::as_str).collect();
            // Asking for the groups of a member that does not exist is a 404 (ListGroups
            // errors: "When filter querying with a nonexisting member").
            for member_attribute in ["members", "members.value"] {
                if names.contains(&member_attribute) {
                    let member = value(member_attribute);
                    if !store.users.contains_key(&member) {
                        return Err(ScimError::not_found("User", &member));
                    }
                }
            }
            let matches: Box<dyn Fn(&Group) -> bool> = match names.as_slice() {
                ["displayname"] => {
                    let wanted = value("displayname");
                    Box::new(move |group| group.display_name.eq_ignore_ascii_case(&wanted))
                }
                ["externalid"] => {
                    let wanted = value("externalid");
                    Box::new(move |group| group.external_ids.iter().any(|id| id.id == wanted))
                }
                ["id"] => {
                    let wanted = value("id");
                    Box::new(move |group| group.group_id == wanted)
                }
                ["members.value"] => {
                    let member = value("members.value");
                    Box::new(move |group| {
                        store.memberships.values().any(|membership| {
                            membership.group_id == group.group_id
                                && membership.member_user_id == member
                        })
                    })
                }
                ["id", "members"] => {
                    let (wanted, member) = (value("id"), value("members"));
                    Box::new(move |group| {
                        group.group_id == wanted
                            && store.memberships.values().any(|membership| {
                                membership.group_id == group.group_id
                                    && membership.member_user_id == member
                            })
                    })
                }
                _ => {
                    return Err(ScimError::validation(
                        "invalidFilter",
                        format!(
                            "Unsupported filter attributes ({}): ListGroups supports displayName, externalId, members.value, id, or id and members.",
                            names.join(", ")
                        ),
                    ));
                }
            };
            store
                .groups
                .values()
                .filter(|group| matches(group))
                .map(|group| group.group_id.clone())
                .collect()
        }
    };
    list::page(query, &ids, |id| render(&store.groups[id]))
}

/// PATCH /Groups/{id} → 204.
pub fn patch(
    world: &mut World,
    now: Timestamp,
    group_id: &str,
    body: &Map<String, Value>,
) -> Result<(), ScimError> {
    let store = &world.identity_store;
    let mut group = store
        .groups
        .get(group_id)
        .cloned()
        .ok_or_else(|| ScimError::not_found("Group", group_id))?;
    let operations = patch_operations(body)?;
    let mut added: Vec<String> = Vec::new();
    let mut removed: Vec<String> = Vec::new();
    for operation in &operations {
        // Without a path the value is an object of attributes, each handled as its path.
        let targets: Vec<(String, Option<Value>)> = match (&operation.path, &operation.value) {
            (Some(path), value) => vec![(path.clone(), value.clone())],
            (None, Some(Value::Object(values))) if operation.op != "remove" => values
                .iter()
                .map(|(key, value)| (key.clone(), Some(value.clone())))
                .collect(),
            (None, _) if operation.op == "remove" => {
                return Err(ScimError::validation(
                    "noTarget",
                    "The path is required for a remove operation.",
                ));
            }
            (None, _) => {
                return Err(ScimError::invalid_value(
                    "An add or replace without a path needs an object value.",
                ));
            }
        };
        for (path, value) in targets {
            let lower = path.to_ascii_lowercase();
            // Okta's group push repeats the group's own id in a path-less replace.
            if lower == "id" && value.as_ref().and_then(Value::as_str) == Some(group_id) {
                continue;
            }
            if lower == "members" {
                match (operation.op.as_str(), &value) {
                    ("add", Some(value)) => added.extend(member_ids(store, value)?),
                    ("remove", Some(value)) if !value.is_null() => {
                        removed.extend(member_values(value)?);
                    }
                    ("remove", _) => {
                        return Err(ScimError::invalid_value(
                            "Removing all group memberships in one request is not supported.",
                        ));
                    }
                    ("replace", _) => {
                        return Err(ScimError::invalid_value(
                            "Replacing group memberships is not supported; add and remove members instead.",
                        ));
                    }
                    _ => {
                        return Err(ScimError::invalid_value("A value is required for add."));
                    }
                }
            } else if let Some(filter_text) = lower
                .strip_prefix("members[")
                .and_then(|rest| rest.strip_suffix(']'))
            {
                let original = &path["members[".len()..path.len() - 1];
                let filter = filter::parse(original)?;
                let (Some(user_id), true) = (
                    filter.value_of("value"),
                    filter.comparisons.len() == 1 && filter_text.starts_with("value"),
                ) else {
                    return Err(ScimError::validation(
                        "invalidPath",
                        format!("Unsupported members filter: {original}"),
                    ));
                };
                if operation.op != "remove" {
                    return Err(ScimError::invalid_value(format!(
                        "Only remove is supported on {path}."
                    )));
                }
                removed.push(user_id.to_owned());
            } else if lower == "displayname" {
                if operation.op == "remove" {
                    return Err(ScimError::invalid_value("displayName cannot be removed."));
                }
                group.display_name = display_name(value.as_ref().unwrap_or(&Value::Null))?;
            } else if lower == "externalid" {
                group.external_ids = if operation.op == "remove" {
                    Vec::new()
                } else {
                    external_ids(value.as_ref().unwrap_or(&Value::Null))?
                };
            } else {
                return Err(ScimError::validation(
                    "invalidPath",
                    format!(
                        "{path} cannot be modified: only displayName, members and externalId can."
                    ),
                ));
            }
        }
    }
    if added.len() + removed.len() > MAX_MEMBERSHIP_CHANGES {
        return Err(ScimError::validation(
            "tooMany",
            format!(
                "A maximum of {MAX_MEMBERSHIP_CHANGES} membership changes are allowed in a single request."
            ),
        ));
    }
    check_unique(store, &group)?;
    group.revision += 1;
    group.updated_at = now;
    SCIM_ACTOR.clone_into(&mut group.updated_by);
    world
        .identity_store
        .groups
        .insert(group_id.to_owned(), group);
    add_members(world, group_id, &added, now);
    world.identity_store.memberships.retain(|_, membership| {
        membership.group_id != group_id || !removed.contains(&membership.member_user_id)
    });
    Ok(())
}

/// The ids named by a `members` remove value (users need not exist any more).
fn member_values(value: &Value) -> Result<Vec<String>, ScimError> {
    let Value::Array(items) = value else {
        return Err(ScimError::invalid_value("members must be a list."));
    };
    items
        .iter()
        .map(|item| match item.get("value") {
            Some(Value::String(user_id)) => Ok(user_id.clone()),
            _ => Err(ScimError::invalid_value(
                "Each member needs a value (a user id).",
            )),
        })
        .collect()
}
