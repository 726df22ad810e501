//! Tags on permission sets and on the instance: TagResource, UntagResource,
//! ListTagsForResource (and the tag checks CreatePermissionSet shares).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::validation::{
    check_instance_arn, check_length, check_list_length, check_tag_key, check_tag_value,
    is_instance_arn, is_permission_set_arn, validation,
};
use super::{SsoAdminError, check_caller, check_delegated_reach, permission_set_not_found};
use crate::pagination::{self, PageRequest};
use crate::protocol::aws_json::RequestContext;
use crate::world::World;

/// How many tags one resource may carry (AWS's tagging limit; a request may name up to 75,
/// the model's `TagList` bound).
pub(crate) const TAGS_PER_RESOURCE: usize = 50;

/// `Tag`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct Tag {
    pub(crate) key: String,
    pub(crate) value: String,
}

/// Validates `tags` (list 0..75, key and value patterns, no key twice) and returns
/// `existing` with them applied; more than [`TAGS_PER_RESOURCE`] is
/// `ServiceQuotaExceededException`.
pub(super) fn check_tags(
    tags: &[Tag],
    existing: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, String>, SsoAdminError> {
    check_list_length("tags", tags.len(), 0, 75)?;
    let mut merged = existing.clone();
    let mut seen = std::collections::BTreeSet::new();
    for (index, tag) in tags.iter().enumerate() {
        let position = index + 1;
        check_tag_key(&format!("tags.{position}.member.key"), &tag.key)?;
        check_tag_value(&format!("tags.{position}.member.value"), &tag.value)?;
        if !seen.insert(tag.key.as_str()) {
            return Err(validation(format!(
                "Duplicate tag key {} in the request.",
                tag.key
            )));
        }
        merged.insert(tag.key.clone(), tag.value.clone());
    }
    if merged.len() > TAGS_PER_RESOURCE {
        return Err(SsoAdminError::ServiceQuotaExceededException {
            message: format!(
                "A resource can have at most {TAGS_PER_RESOURCE} tags; this request would leave {}.",
                merged.len()
            ),
        });
    }
    Ok(merged)
}

/// What a `ResourceArn` names.
enum Taggable {
    Instance,
    PermissionSet(String),
}

const TAGGABLE_PATTERN: &str = "arn:aws(-[a-z]{1,5}){0,3}:sso::((:instance/(sso)?ins-[a-zA-Z0-9-.]{16})|(:permissionSet/(sso)?ins-[a-zA-Z0-9-.]{16}/ps-[a-zA-Z0-9-./]{16})|(\\d{12}:application/(sso)?ins-[a-zA-Z0-9-.]{16}/apl-[a-zA-Z0-9]{16})|(\\d{12}:trustedTokenIssuer/(sso)?ins-[a-zA-Z0-9-.]{16}/tti-[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}))";

/// Checks the caller, `InstanceArn` (optional in the model) and `ResourceArn`: an instance
/// or permission set ARN of the sandbox's instance. Applications and trusted token issuers
/// are not modelled: their ARNs are `ResourceNotFoundException`.
fn resolve(
    context: &RequestContext,
    world: &World,
    operation: &str,
    instance_arn: Option<&str>,
    resource_arn: &str,
) -> Result<Taggable, SsoAdminError> {
    check_length("resourceArn", resource_arn, 10, 2048)?;
    if let Some(instance_arn) = instance_arn {
        check_instance_arn("instanceArn", instance_arn)?;
    }
    let looks_modelled = is_instance_arn(resource_arn) || is_permission_set_arn(resource_arn);
    let looks_other = resource_arn.starts_with("arn:aws")
        && (resource_arn.contains(":application/")
            || resource_arn.contains(":trustedTokenIssuer/"));
    if !looks_modelled && !looks_other {
        return Err(validation(format!(
            "1 validation error detected: Value '{resource_arn}' at 'resourceArn' failed to satisfy constraint: Member must satisfy regular expression pattern: {TAGGABLE_PATTERN}"
        )));
    }
    check_caller(context, world, operation)?;
    let state = &world.sso_admin;
    if instance_arn.is_some_and(|arn| arn != state.instance.arn) {
        return Err(SsoAdminError::ResourceNotFoundException {
            message: format!(
                "Could not find Instance with ARN {}.",
                instance_arn.unwrap_or_default()
            ),
            reason: None,
        });
    }
    if resource_arn == state.instance.arn {
        return Ok(Taggable::Instance);
    }
    if state.permission_sets.contains_key(resource_arn) {
        return Ok(Taggable::PermissionSet(resource_arn.to_owned()));
    }
    Err(if is_permission_set_arn(resource_arn) {
        permission_set_not_found(resource_arn)
    } else {
        SsoAdminError::ResourceNotFoundException {
            message: format!("Could not find resource with ARN {resource_arn}."),
            reason: None,
        }
    })
}

fn tags_of<'w>(world: &'w World, resource: &Taggable) -> &'w BTreeMap<String, String> {
    match resource {
        Taggable::Instance => &world.sso_admin.instance_tags,
        Taggable::PermissionSet(arn) => &world.sso_admin.permission_sets[arn].tags,
    }
}

fn tags_of_mut<'w>(world: &'w mut World, resource: &Taggable) -> &'w mut BTreeMap<String, String> {
    match resource {
        Taggable::Instance => &mut world.sso_admin.instance_tags,
        Taggable::PermissionSet(arn) => {
            &mut world
                .sso_admin
                .permission_sets
                .get_mut(arn)
                .expect("resolve found it under the same lock")
                .tags
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct TagResourceRequest {
    instance_arn: Option<String>,
    resource_arn: String,
    tags: Vec<Tag>,
}

#[derive(Debug, Serialize)]
pub(super) struct EmptyResponse {}

/// Adds or overwrites tags; tags never mark a permission set for re-provisioning.
pub(super) fn tag_resource(
    context: &RequestContext,
    world: &mut World,
    input: TagResourceRequest,
) -> Result<EmptyResponse, SsoAdminError> {
    let TagResourceRequest {
        instance_arn,
        resource_arn,
        tags,
    } = input;
    let resource = resolve(
        context,
        world,
        "TagResource",
        instance_arn.as_deref(),
        &resource_arn,
    )?;
    if let Taggable::PermissionSet(arn) = &resource {
        check_delegated_reach(context, world, "TagResource", Some(arn), None)?;
    }
    let merged = check_tags(&tags, tags_of(world, &resource))?;
    *tags_of_mut(world, &resource) = merged;
    Ok(EmptyResponse {})
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct UntagResourceRequest {
    instance_arn: Option<String>,
    resource_arn: String,
    tag_keys: Vec<String>,
}

/// Removes tags by key; keys the resource does not carry are ignored.
pub(super) fn untag_resource(
    context: &RequestContext,
    world: &mut World,
    input: UntagResourceRequest,
) -> Result<EmptyResponse, SsoAdminError> {
    let UntagResourceRequest {
        instance_arn,
        resource_arn,
        tag_keys,
    } = input;
    let resource = resolve(
        context,
        world,
        "UntagResource",
        instance_arn.as_deref(),
        &resource_arn,
    )?;
    check_list_length("tagKeys", tag_keys.len(), 1, 75)?;
    for (index, key) in tag_keys.iter().enumerate() {
        check_tag_key(&format!("tagKeys.{}.member", index + 1), key)?;
    }
    if let Taggable::PermissionSet(arn) = &resource {
        check_delegated_reach(context, world, "UntagResource", Some(arn), None)?;
    }
    let tags = tags_of_mut(world, &resource);
    for key in &tag_keys {
        tags.remove(key);
    }
    Ok(EmptyResponse {})
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct ListTagsForResourceRequest {
    instance_arn: Option<String>,
    resource_arn: String,
    next_token: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct ListTagsForResourceResponse {
    tags: Vec<Tag>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
}

/// Lists a resource's tags in key order (one page: a resource has at most 50).
pub(super) fn list_tags_for_resource(
    context: &RequestContext,
    world: &World,
    input: ListTagsForResourceRequest,
) -> Result<ListTagsForResourceResponse, SsoAdminError> {
    let ListTagsForResourceRequest {
        instance_arn,
        resource_arn,
        next_token,
    } = input;
    let resource = resolve(
        context,
        world,
        "ListTagsForResource",
        instance_arn.as_deref(),
        &resource_arn,
    )?;
    let page = pagination::paginate(
        &world.pagination_secret,
        pagination::SSO_ADMIN,
        &PageRequest {
            operation: "ListTagsForResource",
            scope: resource_arn,
            max_results: None,
            next_token: next_token.as_deref(),
        },
        tags_of(world, &resource).iter(),
        |(key, _)| (*key).clone(),
    )?;
    Ok(ListTagsForResourceResponse {
        tags: page
            .items
            .into_iter()
            .map(|(key, value)| Tag {
                key: key.clone(),
                value: value.clone(),
            })
            .collect(),
        next_token: page.next_token,
    })
}
