//! Account assignments: CreateAccountAssignment, DeleteAccountAssignment (asynchronous),
//! DescribeAccountAssignmentCreationStatus, DescribeAccountAssignmentDeletionStatus,
//! ListAccountAssignmentCreationStatus, ListAccountAssignmentDeletionStatus,
//! ListAccountAssignments, ListAccountAssignmentsForPrincipal.
//!
//! A creation that succeeds adds the assignment and provisions the permission set into the
//! account (an `AWSReservedSSO_…` role); a deletion that succeeds removes it and, with the
//! last assignment of the permission set in that account, deprovisions it there. Both apply
//! when the World settles (`SsoAdminState::settle`).

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::limits;
use super::state::{AccountAssignment, AccountAssignmentOperation, PrincipalType};
use super::validation::{check_account_id, check_enum, check_principal_id, check_request_id};
use super::{
    SsoAdminError, access_denied, check_delegated_reach, check_instance, check_no_overlap,
    find_permission_set,
};
use crate::async_operation::{AsyncOperation, AsyncStatus};
use crate::pagination::{self, PageRequest};
use crate::protocol::aws_json::RequestContext;
use crate::protocol::timestamp::epoch_seconds;
use crate::services::organizations::state::AccountState;
use crate::world::World;

/// `StatusValues` as the filters name them.
pub(super) const STATUS_VALUES: [&str; 3] = ["IN_PROGRESS", "FAILED", "SUCCEEDED"];

/// Parses an `OperationStatusFilter.Status`.
pub(super) fn status_filter(status: Option<&str>) -> Result<Option<AsyncStatus>, SsoAdminError> {
    let Some(status) = status else {
        return Ok(None);
    };
    check_enum("filter.status", status, &STATUS_VALUES)?;
    Ok(Some(match status {
        "IN_PROGRESS" => AsyncStatus::InProgress,
        "FAILED" => AsyncStatus::Failed,
        _ => AsyncStatus::Succeeded,
    }))
}

/// A stable key that orders status records by creation time.
pub(super) fn chronological_key(operation: &AsyncOperation) -> String {
    format!(
        "{:024}/{}",
        operation.started_at.as_nanosecond(),
        operation.request_id
    )
}

/// A fresh request id (UUID) no earlier request used.
pub(super) fn new_request_id(world: &mut World) -> String {
    loop {
        let request_id = world.ids.uuid();
        let state = &world.sso_admin;
        if !state.assignment_creations.contains_key(&request_id)
            && !state.assignment_deletions.contains_key(&request_id)
            && !state.provisioning_requests.contains_key(&request_id)
        {
            return request_id;
        }
    }
}

fn principal_type(value: &str) -> Result<PrincipalType, SsoAdminError> {
    check_enum("principalType", value, &["USER", "GROUP"])?;
    Ok(if value == "USER" {
        PrincipalType::User
    } else {
        PrincipalType::Group
    })
}

/// The wire `AccountAssignmentOperationStatus`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct AccountAssignmentOperationStatus {
    status: AsyncStatus,
    request_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    failure_reason: Option<String>,
    target_id: String,
    target_type: &'static str,
    permission_set_arn: String,
    principal_type: PrincipalType,
    principal_id: String,
    #[serde(serialize_with = "epoch_seconds")]
    created_date: Timestamp,
}

impl AccountAssignmentOperationStatus {
    fn new(record: &AccountAssignmentOperation, now: Timestamp) -> Self {
        let operation = &record.operation;
        Self {
            status: operation.status(now),
            request_id: operation.request_id.clone(),
            failure_reason: operation.failure_reason_at(now).map(str::to_owned),
            target_id: record.assignment.account_id.clone(),
            target_type: "AWS_ACCOUNT",
            permission_set_arn: record.assignment.permission_set_arn.clone(),
            principal_type: record.assignment.principal_type,
            principal_id: record.assignment.principal_id.clone(),
            created_date: operation.started_at,
        }
    }
}

/// The input of Create/DeleteAccountAssignment.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct AccountAssignmentRequest {
    instance_arn: String,
    target_id: String,
    target_type: String,
    permission_set_arn: String,
    principal_type: String,
    principal_id: String,
}

/// Validates the shared input and resolves it into an assignment.
fn check_assignment_request(
    context: &RequestContext,
    world: &World,
    operation: &str,
    input: AccountAssignmentRequest,
) -> Result<AccountAssignment, SsoAdminError> {
    check_account_id("targetId", &input.target_id)?;
    check_enum("targetType", &input.target_type, &["AWS_ACCOUNT"])?;
    let principal_type = principal_type(&input.principal_type)?;
    check_principal_id(&input.principal_id)?;
    find_permission_set(
        context,
        world,
        operation,
        &input.instance_arn,
        &input.permission_set_arn,
    )?;
    check_delegated_reach(
        context,
        world,
        operation,
        Some(&input.permission_set_arn),
        Some(&input.target_id),
    )?;
    Ok(AccountAssignment {
        account_id: input.target_id,
        permission_set_arn: input.permission_set_arn,
        principal_type,
        principal_id: input.principal_id,
    })
}

/// AWS's failure reason when it cannot act in an account that is not `ACTIVE`.
pub(super) fn inactive_account_reason(account_id: &str) -> String {
    format!(
        "AWS SSO is unable to complete your request at this time. Obtaining permissions to manage your AWS account '{account_id}' takes longer than usual. Please try again in a few minutes. If this problem continues, contact AWS Support."
    )
}

/// The target must be an account of the organization (`ResourceNotFoundException`);
/// returns the failure reason the request will end with when it is not `ACTIVE`.
pub(super) fn check_target_account(
    world: &World,
    account_id: &str,
) -> Result<Option<String>, SsoAdminError> {
    let account = world
        .organizations
        .accounts
        .get(account_id)
        .ok_or_else(|| SsoAdminError::ResourceNotFoundException {
            message: format!("Account {account_id} is not a member of the organization."),
            reason: None,
        })?;
    Ok((account.state != AccountState::Active).then(|| inactive_account_reason(account_id)))
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct CreateAccountAssignmentResponse {
    account_assignment_creation_status: AccountAssignmentOperationStatus,
}

/// Starts assigning a principal to an account with a permission set. The principal must
/// exist in the Identity Store and the account in the organization
/// (`ResourceNotFoundException`); an overlapping request on the same permission set and
/// account is `ConflictException`. An assignment that already exists is not duplicated: the
/// request succeeds without change.
pub(super) fn create_account_assignment(
    context: &RequestContext,
    world: &mut World,
    input: AccountAssignmentRequest,
) -> Result<CreateAccountAssignmentResponse, SsoAdminError> {
    let assignment = check_assignment_request(context, world, "CreateAccountAssignment", input)?;
    // The role it provisions needs the permission set's customer managed policies in the
    // account (issue #4).
    let failure_reason = check_target_account(world, &assignment.account_id)?.or_else(|| {
        crate::services::iam::missing_policy_reason(
            world,
            &assignment.account_id,
            &assignment.permission_set_arn,
        )
    });
    let store = &world.identity_store;
    let principal_exists = match assignment.principal_type {
        PrincipalType::User => store.users.contains_key(&assignment.principal_id),
        PrincipalType::Group => store.groups.contains_key(&assignment.principal_id),
    };
    if !principal_exists {
        return Err(SsoAdminError::ResourceNotFoundException {
            message: format!(
                "The {} {} does not exist in the identity store {}.",
                if assignment.principal_type == PrincipalType::User {
                    "user"
                } else {
                    "group"
                },
                assignment.principal_id,
                store.identity_store_id
            ),
            reason: None,
        });
    }
    check_no_overlap(
        context,
        world,
        &assignment.permission_set_arn,
        Some(&assignment.account_id),
    )?;
    limits::check_outstanding_creations(context, world)?;
    limits::check_account_role_update(context, world, &assignment.account_id)?;
    let record = start(
        context,
        world,
        assignment,
        failure_reason,
        context.settings.durations.create_account_assignment,
    );
    let status = AccountAssignmentOperationStatus::new(&record, context.now);
    let request_id = record.operation.request_id.clone();
    world.sso_admin.pending.insert(request_id.clone());
    world
        .sso_admin
        .assignment_creations
        .insert(request_id, record);
    Ok(CreateAccountAssignmentResponse {
        account_assignment_creation_status: status,
    })
}

fn start(
    context: &RequestContext,
    world: &mut World,
    assignment: AccountAssignment,
    failure_reason: Option<String>,
    duration: jiff::SignedDuration,
) -> AccountAssignmentOperation {
    let request_id = new_request_id(world);
    let permission_set_version = world
        .sso_admin
        .permission_sets
        .get(&assignment.permission_set_arn)
        .map_or(0, |permission_set| permission_set.version);
    AccountAssignmentOperation {
        operation: AsyncOperation::start(request_id, context.now, duration, failure_reason),
        assignment,
        permission_set_version,
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct DeleteAccountAssignmentResponse {
    account_assignment_deletion_status: AccountAssignmentOperationStatus,
}

/// Starts removing an assignment. The principal is not looked up, so assignments of deleted
/// users and groups can be removed; an assignment that does not exist is
/// `ResourceNotFoundException`.
pub(super) fn delete_account_assignment(
    context: &RequestContext,
    world: &mut World,
    input: AccountAssignmentRequest,
) -> Result<DeleteAccountAssignmentResponse, SsoAdminError> {
    let assignment = check_assignment_request(context, world, "DeleteAccountAssignment", input)?;
    check_no_overlap(
        context,
        world,
        &assignment.permission_set_arn,
        Some(&assignment.account_id),
    )?;
    if !world.sso_admin.account_assignments.contains(&assignment) {
        return Err(SsoAdminError::ResourceNotFoundException {
            message: format!(
                "Could not find an account assignment of {} in account {} with PermissionSet {}.",
                principal_key(&assignment),
                assignment.account_id,
                assignment.permission_set_arn
            ),
            reason: None,
        });
    }
    limits::check_account_role_update(context, world, &assignment.account_id)?;
    let record = start(
        context,
        world,
        assignment,
        None,
        context.settings.durations.delete_account_assignment,
    );
    let status = AccountAssignmentOperationStatus::new(&record, context.now);
    let request_id = record.operation.request_id.clone();
    world.sso_admin.pending.insert(request_id.clone());
    world
        .sso_admin
        .assignment_deletions
        .insert(request_id, record);
    Ok(DeleteAccountAssignmentResponse {
        account_assignment_deletion_status: status,
    })
}

fn request_not_found(request_id: &str) -> SsoAdminError {
    SsoAdminError::ResourceNotFoundException {
        message: format!("Could not find a request with id {request_id}."),
        reason: None,
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct DescribeCreationStatusRequest {
    instance_arn: String,
    account_assignment_creation_request_id: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct DescribeCreationStatusResponse {
    account_assignment_creation_status: AccountAssignmentOperationStatus,
}

pub(super) fn describe_creation_status(
    context: &RequestContext,
    world: &World,
    input: DescribeCreationStatusRequest,
) -> Result<DescribeCreationStatusResponse, SsoAdminError> {
    let DescribeCreationStatusRequest {
        instance_arn,
        account_assignment_creation_request_id: request_id,
    } = input;
    let request_id = &request_id;
    check_request_id("accountAssignmentCreationRequestId", request_id)?;
    check_instance(
        context,
        world,
        "DescribeAccountAssignmentCreationStatus",
        &instance_arn,
    )?;
    let record = world
        .sso_admin
        .assignment_creations
        .get(request_id)
        .ok_or_else(|| request_not_found(request_id))?;
    Ok(DescribeCreationStatusResponse {
        account_assignment_creation_status: AccountAssignmentOperationStatus::new(
            record,
            context.now,
        ),
    })
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct DescribeDeletionStatusRequest {
    instance_arn: String,
    account_assignment_deletion_request_id: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct DescribeDeletionStatusResponse {
    account_assignment_deletion_status: AccountAssignmentOperationStatus,
}

pub(super) fn describe_deletion_status(
    context: &RequestContext,
    world: &World,
    input: DescribeDeletionStatusRequest,
) -> Result<DescribeDeletionStatusResponse, SsoAdminError> {
    let DescribeDeletionStatusRequest {
        instance_arn,
        account_assignment_deletion_request_id: request_id,
    } = input;
    let request_id = &request_id;
    check_request_id("accountAssignmentDeletionRequestId", request_id)?;
    check_instance(
        context,
        world,
        "DescribeAccountAssignmentDeletionStatus",
        &instance_arn,
    )?;
    let record = world
        .sso_admin
        .assignment_deletions
        .get(request_id)
        .ok_or_else(|| request_not_found(request_id))?;
    Ok(DescribeDeletionStatusResponse {
        account_assignment_deletion_status: AccountAssignmentOperationStatus::new(
            record,
            context.now,
        ),
    })
}

/// `OperationStatusFilter`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct OperationStatusFilter {
    pub(super) status: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct ListStatusRequest {
    instance_arn: String,
    max_results: Option<i32>,
    next_token: Option<String>,
    filter: Option<OperationStatusFilter>,
}

/// `AccountAssignmentOperationStatusMetadata` and `PermissionSetProvisioningStatusMetadata`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct OperationStatusMetadata {
    status: AsyncStatus,
    request_id: String,
    #[serde(serialize_with = "epoch_seconds")]
    created_date: Timestamp,
}

impl OperationStatusMetadata {
    pub(super) fn new(operation: &AsyncOperation, now: Timestamp) -> Self {
        Self {
            status: operation.status(now),
            request_id: operation.request_id.clone(),
            created_date: operation.started_at,
        }
    }
}

/// One page of status records, oldest first, optionally only those with a status.
pub(super) fn list_status_page<'w>(
    context: &RequestContext,
    world: &'w World,
    operation_name: &str,
    request: &ListStatusRequestParts,
    operations: impl Iterator<Item = &'w AsyncOperation>,
) -> Result<(Vec<OperationStatusMetadata>, Option<String>), SsoAdminError> {
    check_instance(context, world, operation_name, &request.instance_arn)?;
    let wanted = status_filter(request.status.as_deref())?;
    let page = pagination::paginate(
        &world.pagination_secret,
        pagination::SSO_ADMIN,
        &PageRequest {
            operation: operation_name,
            scope: request.status.clone().unwrap_or_default(),
            max_results: request.max_results,
            next_token: request.next_token.as_deref(),
        },
        operations.filter(|operation| {
            wanted.is_none_or(|status| operation.status(context.now) == status)
        }),
        |operation| chronological_key(operation),
    )?;
    Ok((
        page.items
            .into_iter()
            .map(|operation| OperationStatusMetadata::new(operation, context.now))
            .collect(),
        page.next_token,
    ))
}

/// The paging inputs of the three List…Status operations.
pub(super) struct ListStatusRequestParts {
    pub(super) instance_arn: String,
    pub(super) max_results: Option<i32>,
    pub(super) next_token: Option<String>,
    pub(super) status: Option<String>,
}

impl From<ListStatusRequest> for ListStatusRequestParts {
    fn from(request: ListStatusRequest) -> Self {
        Self {
            instance_arn: request.instance_arn,
            max_results: request.max_results,
            next_token: request.next_token,
            status: request.filter.and_then(|filter| filter.status),
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct ListCreationStatusResponse {
    account_assignments_creation_status: Vec<OperationStatusMetadata>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
}

pub(super) fn list_creation_status(
    context: &RequestContext,
    world: &World,
    input: ListStatusRequest,
) -> Result<ListCreationStatusResponse, SsoAdminError> {
    let (items, next_token) = list_status_page(
        context,
        world,
        "ListAccountAssignmentCreationStatus",
        &input.into(),
        world
            .sso_admin
            .assignment_creations
            .values()
            .map(|record| &record.operation),
    )?;
    Ok(ListCreationStatusResponse {
        account_assignments_creation_status: items,
        next_token,
    })
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct ListDeletionStatusResponse {
    account_assignments_deletion_status: Vec<OperationStatusMetadata>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
}

pub(super) fn list_deletion_status(
    context: &RequestContext,
    world: &World,
    input: ListStatusRequest,
) -> Result<ListDeletionStatusResponse, SsoAdminError> {
    let (items, next_token) = list_status_page(
        context,
        world,
        "ListAccountAssignmentDeletionStatus",
        &input.into(),
        world
            .sso_admin
            .assignment_deletions
            .values()
            .map(|record| &record.operation),
    )?;
    Ok(ListDeletionStatusResponse {
        account_assignments_deletion_status: items,
        next_token,
    })
}

/// The wire `AccountAssignment` / `AccountAssignmentForPrincipal` (same members).
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct AccountAssignmentOutput {
    account_id: String,
    permission_set_arn: String,
    principal_type: PrincipalType,
    principal_id: String,
}

impl From<&AccountAssignment> for AccountAssignmentOutput {
    fn from(assignment: &AccountAssignment) -> Self {
        Self {
            account_id: assignment.account_id.clone(),
            permission_set_arn: assignment.permission_set_arn.clone(),
            principal_type: assignment.principal_type,
            principal_id: assignment.principal_id.clone(),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct ListAccountAssignmentsRequest {
    instance_arn: String,
    account_id: String,
    permission_set_arn: String,
    max_results: Option<i32>,
    next_token: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct ListAccountAssignmentsResponse {
    account_assignments: Vec<AccountAssignmentOutput>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
}

fn principal_key(assignment: &AccountAssignment) -> String {
    let kind = match assignment.principal_type {
        PrincipalType::User => "USER",
        PrincipalType::Group => "GROUP",
    };
    format!("{kind}/{}", assignment.principal_id)
}

/// The principals assigned to one account with one permission set (including principals
/// deleted since: AWS keeps their assignments).
pub(super) fn list_account_assignments(
    context: &RequestContext,
    world: &World,
    input: ListAccountAssignmentsRequest,
) -> Result<ListAccountAssignmentsResponse, SsoAdminError> {
    let ListAccountAssignmentsRequest {
        instance_arn,
        account_id,
        permission_set_arn,
        max_results,
        next_token,
    } = input;
    check_account_id("accountId", &account_id)?;
    find_permission_set(
        context,
        world,
        "ListAccountAssignments",
        &instance_arn,
        &permission_set_arn,
    )?;
    let page = pagination::paginate(
        &world.pagination_secret,
        pagination::SSO_ADMIN,
        &PageRequest {
            operation: "ListAccountAssignments",
            scope: format!("{account_id}/{permission_set_arn}"),
            max_results,
            next_token: next_token.as_deref(),
        },
        world
            .sso_admin
            .assignments_for(&account_id, &permission_set_arn),
        |assignment| principal_key(assignment),
    )?;
    Ok(ListAccountAssignmentsResponse {
        account_assignments: page
            .items
            .into_iter()
            .map(AccountAssignmentOutput::from)
            .collect(),
        next_token: page.next_token,
    })
}

/// `ListAccountAssignmentsFilter`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct ListAccountAssignmentsFilter {
    account_id: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct ListAccountAssignmentsForPrincipalRequest {
    instance_arn: String,
    principal_id: String,
    principal_type: String,
    filter: Option<ListAccountAssignmentsFilter>,
    next_token: Option<String>,
    max_results: Option<i32>,
}

/// The assignments of one principal across accounts, optionally in one account. The model
/// allows it from the management account only: delegated administrators get
/// `AccessDeniedException`.
pub(super) fn list_account_assignments_for_principal(
    context: &RequestContext,
    world: &World,
    input: ListAccountAssignmentsForPrincipalRequest,
) -> Result<ListAccountAssignmentsResponse, SsoAdminError> {
    let ListAccountAssignmentsForPrincipalRequest {
        instance_arn,
        principal_id,
        principal_type: principal_type_name,
        filter,
        next_token,
        max_results,
    } = input;
    let principal_type = principal_type(&principal_type_name)?;
    check_principal_id(&principal_id)?;
    let account_filter = filter.and_then(|filter| filter.account_id);
    if let Some(account_id) = &account_filter {
        check_account_id("filter.accountId", account_id)?;
    }
    check_instance(
        context,
        world,
        "ListAccountAssignmentsForPrincipal",
        &instance_arn,
    )?;
    if !context.is_management_account(world) {
        return Err(access_denied(context, "ListAccountAssignmentsForPrincipal"));
    }
    let matches = |assignment: &&AccountAssignment| {
        assignment.principal_type == principal_type
            && assignment.principal_id == principal_id
            && account_filter
                .as_ref()
                .is_none_or(|account_id| &assignment.account_id == account_id)
    };
    let page = pagination::paginate(
        &world.pagination_secret,
        pagination::SSO_ADMIN,
        &PageRequest {
            operation: "ListAccountAssignmentsForPrincipal",
            scope: format!(
                "{principal_type_name}/{principal_id}/{}",
                account_filter.clone().unwrap_or_default()
            ),
            max_results,
            next_token: next_token.as_deref(),
        },
        world.sso_admin.account_assignments.iter().filter(matches),
        |assignment| {
            format!(
                "{}/{}",
                assignment.account_id, assignment.permission_set_arn
            )
        },
    )?;
    Ok(ListAccountAssignmentsResponse {
        account_assignments: page
            .items
            .into_iter()
            .map(AccountAssignmentOutput::from)
            .collect(),
        next_token: page.next_token,
    })
}
