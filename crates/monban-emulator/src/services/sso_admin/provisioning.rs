//! Provisioning permission sets into accounts: ProvisionPermissionSet (asynchronous),
//! DescribePermissionSetProvisioningStatus, ListPermissionSetProvisioningStatus,
//! ListPermissionSetsProvisionedToAccount, ListAccountsForProvisionedPermissionSet.
//!
//! A provisioned copy records the permission-set version it was provisioned from; it is
//! `LATEST_PERMISSION_SET_NOT_PROVISIONED` once the permission set changed since.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::assignments::{
    ListStatusRequestParts, OperationStatusFilter, OperationStatusMetadata, check_target_account,
    list_status_page, new_request_id,
};
use super::limits;
use super::state::{PermissionSetProvisioningOperation, ProvisioningStatus};
use super::validation::{check_account_id, check_enum, check_request_id, validation};
use super::{
    SsoAdminError, check_delegated_reach, check_instance, check_no_overlap, find_permission_set,
};
use crate::async_operation::{AsyncOperation, AsyncStatus};
use crate::pagination::{self, PageRequest};
use crate::protocol::aws_json::RequestContext;
use crate::protocol::timestamp::epoch_seconds;
use crate::world::World;

/// The wire `PermissionSetProvisioningStatus`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct PermissionSetProvisioningStatus {
    status: AsyncStatus,
    request_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    account_id: Option<String>,
    permission_set_arn: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    failure_reason: Option<String>,
    #[serde(serialize_with = "epoch_seconds")]
    created_date: Timestamp,
}

impl PermissionSetProvisioningStatus {
    fn new(record: &PermissionSetProvisioningOperation, now: Timestamp) -> Self {
        Self {
            status: record.operation.status(now),
            request_id: record.operation.request_id.clone(),
            account_id: record.account_id.clone(),
            permission_set_arn: record.permission_set_arn.clone(),
            failure_reason: record.operation.failure_reason_at(now).map(str::to_owned),
            created_date: record.operation.started_at,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct ProvisionPermissionSetRequest {
    instance_arn: String,
    permission_set_arn: String,
    target_id: Option<String>,
    target_type: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct ProvisionPermissionSetResponse {
    permission_set_provisioning_status: PermissionSetProvisioningStatus,
}

/// Starts provisioning the permission set's current version into one account
/// (`AWS_ACCOUNT`, `TargetId` required; creates the role if the account has none) or into
/// every account it is provisioned to (`ALL_PROVISIONED_ACCOUNTS`, no `TargetId`; with no
/// such account it succeeds without effect). An overlapping request on the same permission
/// set and account is `ConflictException`.
pub(super) fn provision_permission_set(
    context: &RequestContext,
    world: &mut World,
    input: ProvisionPermissionSetRequest,
) -> Result<ProvisionPermissionSetResponse, SsoAdminError> {
    let ProvisionPermissionSetRequest {
        instance_arn,
        permission_set_arn,
        target_id,
        target_type,
    } = input;
    check_enum(
        "targetType",
        &target_type,
        &["AWS_ACCOUNT", "ALL_PROVISIONED_ACCOUNTS"],
    )?;
    if let Some(target_id) = &target_id {
        check_account_id("targetId", target_id)?;
    }
    let account_id = match (target_type.as_str(), target_id) {
        ("AWS_ACCOUNT", Some(target_id)) => Some(target_id),
        ("AWS_ACCOUNT", None) => {
            return Err(validation(
                "TargetId is required when TargetType is AWS_ACCOUNT.".into(),
            ));
        }
        (_, None) => None,
        (_, Some(_)) => {
            return Err(validation(
                "TargetId must not be given when TargetType is ALL_PROVISIONED_ACCOUNTS.".into(),
            ));
        }
    };
    let permission_set = find_permission_set(
        context,
        world,
        "ProvisionPermissionSet",
        &instance_arn,
        &permission_set_arn,
    )?;
    let version = permission_set.version;
    check_delegated_reach(
        context,
        world,
        "ProvisionPermissionSet",
        Some(&permission_set_arn),
        account_id.as_deref(),
    )?;
    // The account must be reachable and hold the customer managed policies the permission
    // set references (issue #4); for ALL_PROVISIONED_ACCOUNTS, every account it is in.
    let failure_reason = match &account_id {
        Some(account_id) => check_target_account(world, account_id)?.or_else(|| {
            crate::services::iam::missing_policy_reason(world, account_id, &permission_set_arn)
        }),
        None => world
            .sso_admin
            .accounts_provisioned_with(&permission_set_arn)
            .find_map(|provisioned| {
                check_target_account(world, &provisioned.account_id)
                    .ok()
                    .flatten()
                    .or_else(|| {
                        crate::services::iam::missing_policy_reason(
                            world,
                            &provisioned.account_id,
                            &permission_set_arn,
                        )
                    })
            }),
    };
    check_no_overlap(context, world, &permission_set_arn, account_id.as_deref())?;
    limits::check_concurrent_provisioning(context, world)?;
    limits::check_provisioning_role_updates(
        context,
        world,
        &permission_set_arn,
        account_id.as_deref(),
    )?;
    let request_id = new_request_id(world);
    let record = PermissionSetProvisioningOperation {
        operation: AsyncOperation::start(
            request_id.clone(),
            context.now,
            context.settings.durations.provision_permission_set,
            failure_reason,
        ),
        permission_set_arn,
        account_id,
        permission_set_version: version,
    };
    let status = PermissionSetProvisioningStatus::new(&record, context.now);
    world.sso_admin.pending.insert(request_id.clone());
    world
        .sso_admin
        .provisioning_requests
        .insert(request_id, record);
    Ok(ProvisionPermissionSetResponse {
        permission_set_provisioning_status: status,
    })
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct DescribeProvisioningStatusRequest {
    instance_arn: String,
    provision_permission_set_request_id: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct DescribeProvisioningStatusResponse {
    permission_set_provisioning_status: PermissionSetProvisioningStatus,
}

pub(super) fn describe_provisioning_status(
    context: &RequestContext,
    world: &World,
    input: DescribeProvisioningStatusRequest,
) -> Result<DescribeProvisioningStatusResponse, SsoAdminError> {
    let DescribeProvisioningStatusRequest {
        instance_arn,
        provision_permission_set_request_id: request_id,
    } = input;
    let request_id = &request_id;
    check_request_id("provisionPermissionSetRequestId", request_id)?;
    check_instance(
        context,
        world,
        "DescribePermissionSetProvisioningStatus",
        &instance_arn,
    )?;
    let record = world
        .sso_admin
        .provisioning_requests
        .get(request_id)
        .ok_or_else(|| SsoAdminError::ResourceNotFoundException {
            message: format!("Could not find a request with id {request_id}."),
            reason: None,
        })?;
    Ok(DescribeProvisioningStatusResponse {
        permission_set_provisioning_status: PermissionSetProvisioningStatus::new(
            record,
            context.now,
        ),
    })
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct ListProvisioningStatusRequest {
    instance_arn: String,
    max_results: Option<i32>,
    next_token: Option<String>,
    filter: Option<OperationStatusFilter>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct ListProvisioningStatusResponse {
    permission_sets_provisioning_status: Vec<OperationStatusMetadata>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
}

pub(super) fn list_provisioning_status(
    context: &RequestContext,
    world: &World,
    input: ListProvisioningStatusRequest,
) -> Result<ListProvisioningStatusResponse, SsoAdminError> {
    let parts = ListStatusRequestParts {
        instance_arn: input.instance_arn,
        max_results: input.max_results,
        next_token: input.next_token,
        status: input.filter.and_then(|filter| filter.status),
    };
    let (items, next_token) = list_status_page(
        context,
        world,
        "ListPermissionSetProvisioningStatus",
        &parts,
        world
            .sso_admin
            .provisioning_requests
            .values()
            .map(|record| &record.operation),
    )?;
    Ok(ListProvisioningStatusResponse {
        permission_sets_provisioning_status: items,
        next_token,
    })
}

/// Parses an optional `ProvisioningStatus` filter.
fn provisioning_filter(value: Option<&str>) -> Result<Option<ProvisioningStatus>, SsoAdminError> {
    let Some(value) = value else {
        return Ok(None);
    };
    check_enum(
        "provisioningStatus",
        value,
        &[
            "LATEST_PERMISSION_SET_PROVISIONED",
            "LATEST_PERMISSION_SET_NOT_PROVISIONED",
        ],
    )?;
    Ok(Some(if value == "LATEST_PERMISSION_SET_PROVISIONED" {
        ProvisioningStatus::LatestPermissionSetProvisioned
    } else {
        ProvisioningStatus::LatestPermissionSetNotProvisioned
    }))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct ListPermissionSetsProvisionedToAccountRequest {
    instance_arn: String,
    account_id: String,
    provisioning_status: Option<String>,
    max_results: Option<i32>,
    next_token: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct ListPermissionSetsProvisionedToAccountResponse {
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
    permission_sets: Vec<String>,
}

/// The permission sets provisioned to one account, optionally only those (not) at their
/// latest version.
pub(super) fn list_permission_sets_provisioned_to_account(
    context: &RequestContext,
    world: &World,
    input: ListPermissionSetsProvisionedToAccountRequest,
) -> Result<ListPermissionSetsProvisionedToAccountResponse, SsoAdminError> {
    let ListPermissionSetsProvisionedToAccountRequest {
        instance_arn,
        account_id,
        provisioning_status,
        max_results,
        next_token,
    } = input;
    check_account_id("accountId", &account_id)?;
    let wanted = provisioning_filter(provisioning_status.as_deref())?;
    check_instance(
        context,
        world,
        "ListPermissionSetsProvisionedToAccount",
        &instance_arn,
    )?;
    let state = &world.sso_admin;
    let provisioned = state
        .provisioned
        .get(&account_id)
        .into_iter()
        .flat_map(|by_arn| by_arn.values())
        .filter(|provisioned| {
            wanted.is_none_or(|status| state.provisioning_status(provisioned) == status)
        });
    let page = pagination::paginate(
        &world.pagination_secret,
        pagination::SSO_ADMIN,
        &PageRequest {
            operation: "ListPermissionSetsProvisionedToAccount",
            scope: format!("{account_id}/{}", provisioning_status.unwrap_or_default()),
            max_results,
            next_token: next_token.as_deref(),
        },
        provisioned,
        |provisioned| provisioned.permission_set_arn.clone(),
    )?;
    Ok(ListPermissionSetsProvisionedToAccountResponse {
        permission_sets: page
            .items
            .into_iter()
            .map(|provisioned| provisioned.permission_set_arn.clone())
            .collect(),
        next_token: page.next_token,
    })
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct ListAccountsForProvisionedPermissionSetRequest {
    instance_arn: String,
    permission_set_arn: String,
    provisioning_status: Option<String>,
    max_results: Option<i32>,
    next_token: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct ListAccountsForProvisionedPermissionSetResponse {
    account_ids: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
}

/// The accounts a permission set is provisioned to, optionally only those (not) at its
/// latest version — how a tool finds accounts that need ProvisionPermissionSet.
pub(super) fn list_accounts_for_provisioned_permission_set(
    context: &RequestContext,
    world: &World,
    input: ListAccountsForProvisionedPermissionSetRequest,
) -> Result<ListAccountsForProvisionedPermissionSetResponse, SsoAdminError> {
    let ListAccountsForProvisionedPermissionSetRequest {
        instance_arn,
        permission_set_arn,
        provisioning_status,
        max_results,
        next_token,
    } = input;
    let wanted = provisioning_filter(provisioning_status.as_deref())?;
    find_permission_set(
        context,
        world,
        "ListAccountsForProvisionedPermissionSet",
        &instance_arn,
        &permission_set_arn,
    )?;
    let state = &world.sso_admin;
    let page = pagination::paginate(
        &world.pagination_secret,
        pagination::SSO_ADMIN,
        &PageRequest {
            operation: "ListAccountsForProvisionedPermissionSet",
            scope: format!(
                "{permission_set_arn}/{}",
                provisioning_status.unwrap_or_default()
            ),
            max_results,
            next_token: next_token.as_deref(),
        },
        state
            .accounts_provisioned_with(&permission_set_arn)
            .filter(|provisioned| {
                wanted.is_none_or(|status| state.provisioning_status(provisioned) == status)
            }),
        |provisioned| provisioned.account_id.clone(),
    )?;
    Ok(ListAccountsForProvisionedPermissionSetResponse {
        account_ids: page
            .items
            .into_iter()
            .map(|provisioned| provisioned.account_id.clone())
            .collect(),
        next_token: page.next_token,
    })
}
