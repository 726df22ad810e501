//! Tags and account life cycle: TagResource, UntagResource, ListTagsForResource,
//! CloseAccount, RemoveAccountFromOrganization.

use serde::{Deserialize, Serialize};

use super::error::{ConstraintViolationExceptionReason, InvalidInputExceptionReason};
use super::organizational_units::{EmptyResponse, TagInput, tags_to_map};
use super::state::{AccountState, AccountStatus};
use super::{OrganizationsError, access_denied, require_management_or_delegated_administrator};
use crate::pagination::{self, PageRequest};
use crate::protocol::aws_json::RequestContext;
use crate::world::World;

/// AWS allows 50 user tags per resource (Organizations quotas).
const MAX_TAGS_PER_RESOURCE: usize = 50;

/// The resource must be an account, OU or root of the organization (policies are not
/// modelled by the sandbox yet).
fn require_taggable(world: &World, resource_id: &str) -> Result<(), OrganizationsError> {
    let organizations = &world.organizations;
    if organizations.accounts.contains_key(resource_id) || organizations.is_parent(resource_id) {
        Ok(())
    } else {
        Err(OrganizationsError::TargetNotFoundException {
            message: format!("We can't find a resource with the id {resource_id}."),
        })
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct TagResourceRequest {
    resource_id: String,
    tags: Vec<TagInput>,
}

pub(super) fn tag_resource(
    context: &RequestContext,
    world: &mut World,
    input: TagResourceRequest,
) -> Result<EmptyResponse, OrganizationsError> {
    let TagResourceRequest { resource_id, tags } = input;
    if !context.is_management_account(world) {
        return Err(access_denied(context));
    }
    let tags = tags_to_map(tags)?;
    require_taggable(world, &resource_id)?;
    let mut merged = world
        .organizations
        .tags
        .get(&resource_id)
        .cloned()
        .unwrap_or_default();
    merged.extend(tags);
    if merged.len() > MAX_TAGS_PER_RESOURCE {
        return Err(OrganizationsError::ConstraintViolationException {
            message: format!("A resource can have at most {MAX_TAGS_PER_RESOURCE} tags."),
            reason: ConstraintViolationExceptionReason::MaxTagLimitExceeded,
        });
    }
    world.organizations.tags.insert(resource_id, merged);
    Ok(EmptyResponse {})
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct UntagResourceRequest {
    resource_id: String,
    tag_keys: Vec<String>,
}

pub(super) fn untag_resource(
    context: &RequestContext,
    world: &mut World,
    input: UntagResourceRequest,
) -> Result<EmptyResponse, OrganizationsError> {
    let UntagResourceRequest {
        resource_id,
        tag_keys,
    } = input;
    if !context.is_management_account(world) {
        return Err(access_denied(context));
    }
    require_taggable(world, &resource_id)?;
    if let Some(tags) = world.organizations.tags.get_mut(&resource_id) {
        for key in &tag_keys {
            tags.remove(key);
        }
        if tags.is_empty() {
            world.organizations.tags.remove(&resource_id);
        }
    }
    Ok(EmptyResponse {})
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct ListTagsForResourceRequest {
    resource_id: String,
    next_token: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
struct TagOutput {
    key: String,
    value: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct ListTagsForResourceResponse {
    tags: Vec<TagOutput>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
}

pub(super) fn list_tags_for_resource(
    context: &RequestContext,
    world: &World,
    input: ListTagsForResourceRequest,
) -> Result<ListTagsForResourceResponse, OrganizationsError> {
    let ListTagsForResourceRequest {
        resource_id,
        next_token,
    } = input;
    require_management_or_delegated_administrator(context, world)?;
    require_taggable(world, &resource_id)?;
    let tags: Vec<(&String, &String)> = world
        .organizations
        .tags
        .get(&resource_id)
        .map(|tags| tags.iter().collect())
        .unwrap_or_default();
    let page = pagination::paginate(
        &world.pagination_secret,
        pagination::ORGANIZATIONS,
        &PageRequest {
            operation: "ListTagsForResource",
            scope: resource_id.clone(),
            max_results: None,
            next_token: next_token.as_deref(),
        },
        tags.iter(),
        |(key, _)| (*key).clone(),
    )?;
    Ok(ListTagsForResourceResponse {
        tags: page
            .items
            .into_iter()
            .map(|(key, value)| TagOutput {
                key: (*key).clone(),
                value: (*value).clone(),
            })
            .collect(),
        next_token: page.next_token,
    })
}

fn require_account_id_syntax(account_id: &str) -> Result<(), OrganizationsError> {
    if account_id.len() == 12 && account_id.bytes().all(|byte| byte.is_ascii_digit()) {
        Ok(())
    } else {
        Err(OrganizationsError::InvalidInputException {
            message: format!("AccountId {account_id:?} must be 12 digits."),
            reason: InvalidInputExceptionReason::InvalidPattern,
        })
    }
}

fn account_not_found(account_id: &str) -> OrganizationsError {
    OrganizationsError::AccountNotFoundException {
        message: format!("You specified an account that doesn't exist: {account_id}"),
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct AccountIdRequest {
    account_id: String,
}

/// Accounts that may be closing at once (Organizations quotas: 3 concurrent closures).
const MAX_CONCURRENT_CLOSURES: usize = 3;

/// The account becomes `PENDING_CLOSURE`, then `CLOSED` (status `SUSPENDED`) when the
/// sandbox's async duration has passed; it stays listed (AWS keeps closed accounts visible
/// for 90 days; the sandbox never drops them). Closing it again is
/// `AccountAlreadyClosedException`; a fourth closure while three are pending is
/// `ConstraintViolationException` `CLOSE_ACCOUNT_REQUESTS_LIMIT_EXCEEDED` (realistic profile).
pub(super) fn close_account(
    context: &RequestContext,
    world: &mut World,
    input: AccountIdRequest,
) -> Result<EmptyResponse, OrganizationsError> {
    let AccountIdRequest { account_id } = input;
    if !context.is_management_account(world) {
        return Err(access_denied(context));
    }
    require_account_id_syntax(&account_id)?;
    if account_id == world.management_account_id() {
        return Err(OrganizationsError::ConstraintViolationException {
            message: "You can't close the management account with CloseAccount.".into(),
            reason: ConstraintViolationExceptionReason::CannotCloseManagementAccount,
        });
    }
    // The realistic profile enforces AWS's "3 concurrent closures" (Organizations quotas).
    let closing = world
        .organizations
        .accounts
        .values()
        .filter(|account| account.state == AccountState::PendingClosure)
        .count();
    let account = world
        .organizations
        .accounts
        .get_mut(&account_id)
        .ok_or_else(|| account_not_found(&account_id))?;
    if account.state != AccountState::Active {
        return Err(OrganizationsError::AccountAlreadyClosedException {
            message: format!("The account {account_id} is already closed or closing."),
        });
    }
    if context.settings.concurrency_limits && closing >= MAX_CONCURRENT_CLOSURES {
        return Err(OrganizationsError::ConstraintViolationException {
            message: "You attempted to exceed the number of accounts that you can close at a time."
                .into(),
            reason: ConstraintViolationExceptionReason::CloseAccountRequestsLimitExceeded,
        });
    }
    account.state = AccountState::PendingClosure;
    account.status = AccountStatus::PendingClosure;
    account.closes_at = Some(
        context
            .now
            .checked_add(context.settings.durations.close_account)
            .unwrap_or(context.now),
    );
    Ok(EmptyResponse {})
}

/// Removes the account with its tags and delegated administrator registrations.
pub(super) fn remove_account_from_organization(
    context: &RequestContext,
    world: &mut World,
    input: AccountIdRequest,
) -> Result<EmptyResponse, OrganizationsError> {
    let AccountIdRequest { account_id } = input;
    if !context.is_management_account(world) {
        return Err(access_denied(context));
    }
    require_account_id_syntax(&account_id)?;
    if account_id == world.management_account_id() {
        return Err(OrganizationsError::MasterCannotLeaveOrganizationException {
            message: "The management account can't leave the organization.".into(),
        });
    }
    let organizations = &mut world.organizations;
    let Some(account) = organizations.accounts.remove(&account_id) else {
        return Err(account_not_found(&account_id));
    };
    // The account lives on outside the organization (AWS: it becomes standalone), so its
    // key keeps working and it can be invited again.
    organizations.add_standalone_account(&account.id, &account.name, &account.email, context.now);
    organizations.tags.remove(&account_id);
    organizations
        .delegated_administrators
        .retain(|admin| admin.account_id != account_id);
    Ok(EmptyResponse {})
}
