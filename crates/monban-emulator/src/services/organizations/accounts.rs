//! Accounts: ListAccounts, ListAccountsForParent, DescribeAccount, MoveAccount,
//! CreateAccount, DescribeCreateAccountStatus, ListCreateAccountStatus.

use serde::{Deserialize, Serialize};

use super::error::{ConstraintViolationExceptionReason, InvalidInputExceptionReason};
use super::organizational_units::{
    EmptyResponse, TagInput, is_parent_id_syntax, require_parent, tags_to_map,
};
use super::state::{
    Account, AccountState, AccountStatus, CreateAccountRequest as CreateAccountRecord, JoinedMethod,
};
use super::{OrganizationsError, access_denied, require_management_or_delegated_administrator};
use crate::async_operation::{AsyncOperation, AsyncStatus};
use crate::pagination::{self, PageRequest};
use crate::protocol::aws_json::RequestContext;
use crate::world::World;

/// AWS lets at most five CreateAccount requests be in progress at once (model docs of
/// `ACCOUNT_CREATION_RATE_LIMIT_EXCEEDED`; the number from the Organizations quotas).
const MAX_CREATE_ACCOUNT_IN_PROGRESS: usize = 5;

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
struct AccountOutput {
    id: String,
    arn: String,
    email: String,
    name: String,
    status: AccountStatus,
    state: AccountState,
    joined_method: JoinedMethod,
    #[serde(serialize_with = "crate::protocol::timestamp::epoch_seconds")]
    joined_timestamp: jiff::Timestamp,
}

impl From<&Account> for AccountOutput {
    fn from(account: &Account) -> Self {
        Self {
            id: account.id.clone(),
            arn: account.arn.clone(),
            email: account.email.clone(),
            name: account.name.clone(),
            status: account.status,
            state: account.state,
            joined_method: account.joined_method,
            joined_timestamp: account.joined_timestamp,
        }
    }
}

fn find_account<'w>(world: &'w World, account_id: &str) -> Result<&'w Account, OrganizationsError> {
    if account_id.len() != 12 || !account_id.bytes().all(|byte| byte.is_ascii_digit()) {
        return Err(OrganizationsError::InvalidInputException {
            message: format!("AccountId {account_id:?} must be 12 digits."),
            reason: InvalidInputExceptionReason::InvalidPattern,
        });
    }
    world.organizations.accounts.get(account_id).ok_or_else(|| {
        OrganizationsError::AccountNotFoundException {
            message: format!("You specified an account that doesn't exist: {account_id}"),
        }
    })
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct ListAccountsRequest {
    next_token: Option<String>,
    max_results: Option<i32>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct ListAccountsResponse {
    accounts: Vec<AccountOutput>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
}

pub(super) fn list_accounts(
    context: &RequestContext,
    world: &World,
    input: ListAccountsRequest,
) -> Result<ListAccountsResponse, OrganizationsError> {
    let ListAccountsRequest {
        next_token,
        max_results,
    } = input;
    require_management_or_delegated_administrator(context, world)?;
    let page = pagination::paginate(
        &world.pagination_secret,
        pagination::ORGANIZATIONS,
        &PageRequest {
            operation: "ListAccounts",
            scope: String::new(),
            max_results,
            next_token: next_token.as_deref(),
        },
        world.organizations.accounts.values(),
        |account| account.id.clone(),
    )?;
    Ok(ListAccountsResponse {
        accounts: page.items.into_iter().map(AccountOutput::from).collect(),
        next_token: page.next_token,
    })
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct ListAccountsForParentRequest {
    parent_id: String,
    next_token: Option<String>,
    max_results: Option<i32>,
}

pub(super) fn list_accounts_for_parent(
    context: &RequestContext,
    world: &World,
    input: ListAccountsForParentRequest,
) -> Result<ListAccountsResponse, OrganizationsError> {
    let ListAccountsForParentRequest {
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
            operation: "ListAccountsForParent",
            scope: parent_id.clone(),
            max_results,
            next_token: next_token.as_deref(),
        },
        world
            .organizations
            .accounts
            .values()
            .filter(|account| account.parent_id == parent_id),
        |account| account.id.clone(),
    )?;
    Ok(ListAccountsResponse {
        accounts: page.items.into_iter().map(AccountOutput::from).collect(),
        next_token: page.next_token,
    })
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct DescribeAccountRequest {
    account_id: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct DescribeAccountResponse {
    account: AccountOutput,
}

pub(super) fn describe_account(
    context: &RequestContext,
    world: &World,
    input: DescribeAccountRequest,
) -> Result<DescribeAccountResponse, OrganizationsError> {
    let DescribeAccountRequest { account_id } = input;
    require_management_or_delegated_administrator(context, world)?;
    Ok(DescribeAccountResponse {
        account: AccountOutput::from(find_account(world, &account_id)?),
    })
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
#[expect(clippy::struct_field_names, reason = "member names are the model's")]
pub(super) struct MoveAccountRequest {
    account_id: String,
    source_parent_id: String,
    destination_parent_id: String,
}

pub(super) fn move_account(
    context: &RequestContext,
    world: &mut World,
    input: MoveAccountRequest,
) -> Result<EmptyResponse, OrganizationsError> {
    let MoveAccountRequest {
        account_id,
        source_parent_id,
        destination_parent_id,
    } = input;
    if !context.is_management_account(world) {
        return Err(access_denied(context));
    }
    for (member, value) in [
        ("SourceParentId", &source_parent_id),
        ("DestinationParentId", &destination_parent_id),
    ] {
        if !is_parent_id_syntax(value) {
            return Err(OrganizationsError::InvalidInputException {
                message: format!("{member} {value:?} does not match the required pattern."),
                reason: InvalidInputExceptionReason::InvalidPattern,
            });
        }
    }
    let account = find_account(world, &account_id)?;
    if !world.organizations.is_parent(&source_parent_id) {
        return Err(OrganizationsError::SourceParentNotFoundException {
            message: format!("We can't find a root or OU with the id {source_parent_id}."),
        });
    }
    if !world.organizations.is_parent(&destination_parent_id) {
        return Err(OrganizationsError::DestinationParentNotFoundException {
            message: format!("We can't find a root or OU with the id {destination_parent_id}."),
        });
    }
    if account.parent_id != source_parent_id {
        return Err(OrganizationsError::AccountNotFoundException {
            message: format!("The account {account_id} is not in {source_parent_id}."),
        });
    }
    if source_parent_id == destination_parent_id {
        return Err(OrganizationsError::DuplicateAccountException {
            message: format!("The account {account_id} is already in {destination_parent_id}."),
        });
    }
    if let Some(account) = world.organizations.accounts.get_mut(&account_id) {
        account.parent_id = destination_parent_id;
    }
    Ok(EmptyResponse {})
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct CreateAccountInput {
    email: String,
    account_name: String,
    #[serde(default)]
    tags: Vec<TagInput>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
struct CreateAccountStatusOutput {
    id: String,
    account_name: String,
    state: AsyncStatus,
    #[serde(serialize_with = "crate::protocol::timestamp::epoch_seconds")]
    requested_timestamp: jiff::Timestamp,
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "crate::protocol::timestamp::optional_epoch_seconds"
    )]
    completed_timestamp: Option<jiff::Timestamp>,
    #[serde(skip_serializing_if = "Option::is_none")]
    account_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    failure_reason: Option<String>,
}

impl CreateAccountStatusOutput {
    fn of(record: &CreateAccountRecord, now: jiff::Timestamp) -> Self {
        let state = record.operation.status(now);
        Self {
            id: record.operation.request_id.clone(),
            account_name: record.account_name.clone(),
            state,
            requested_timestamp: record.operation.started_at,
            completed_timestamp: record.operation.completed_at(now),
            account_id: (state == AsyncStatus::Succeeded).then(|| record.account_id.clone()),
            failure_reason: record.operation.failure_reason_at(now).map(str::to_owned),
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct CreateAccountResponse {
    create_account_status: CreateAccountStatusOutput,
}

/// Whether `email` matches the model's `[^\s@]+@[^\s@]+\.[^\s@]+` and 6..64 characters.
pub(super) fn is_email_syntax(email: &str) -> bool {
    let well_formed = email.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty()
            && !domain.contains('@')
            && domain
                .rsplit_once('.')
                .is_some_and(|(name, top)| !name.is_empty() && !top.is_empty())
    });
    well_formed && !email.chars().any(char::is_whitespace) && (6..=64).contains(&email.len())
}

pub(super) fn create_account(
    context: &RequestContext,
    world: &mut World,
    input: CreateAccountInput,
) -> Result<CreateAccountResponse, OrganizationsError> {
    let CreateAccountInput {
        email,
        account_name,
        tags,
    } = input;
    if !context.is_management_account(world) {
        return Err(access_denied(context));
    }
    if !is_email_syntax(&email) {
        return Err(OrganizationsError::InvalidInputException {
            message: format!("Email {email:?} is not a valid e-mail address."),
            reason: InvalidInputExceptionReason::InvalidPattern,
        });
    }
    let name_length = account_name.chars().count();
    if name_length == 0 || name_length > 50 {
        return Err(OrganizationsError::InvalidInputException {
            message: "AccountName must be 1..50 characters.".into(),
            reason: if name_length == 0 {
                InvalidInputExceptionReason::MinLengthExceeded
            } else {
                InvalidInputExceptionReason::MaxLengthExceeded
            },
        });
    }
    let tags = tags_to_map(tags)?;
    let organizations = &world.organizations;
    let in_progress: Vec<&CreateAccountRecord> = organizations
        .create_account_requests
        .values()
        .filter(|record| record.operation.status(context.now) == AsyncStatus::InProgress)
        .collect();
    if in_progress.len() >= MAX_CREATE_ACCOUNT_IN_PROGRESS {
        return Err(OrganizationsError::ConstraintViolationException {
            message: format!(
                "At most {MAX_CREATE_ACCOUNT_IN_PROGRESS} account creations can be in progress at a time."
            ),
            reason: ConstraintViolationExceptionReason::AccountCreationRateLimitExceeded,
        });
    }
    // E-mails are unique across all of AWS: standalone accounts hold theirs too.
    let email_taken = organizations.email_in_use(&email)
        || in_progress.iter().any(|record| {
            record.operation.failure_reason.is_none() && record.email.eq_ignore_ascii_case(&email)
        });
    let will_succeed = in_progress
        .iter()
        .filter(|record| record.operation.failure_reason.is_none())
        .count();
    let quota = usize::try_from(context.settings.account_quota).unwrap_or(usize::MAX);
    let failure_reason = if is_undeliverable(&email) {
        // Sandbox decision: AWS checks deliverability after accepting the request; the
        // sandbox treats the RFC 2606 reserved `.invalid` domains as undeliverable.
        Some("INVALID_EMAIL")
    } else if email_taken {
        Some("EMAIL_ALREADY_EXISTS")
    } else if organizations.accounts.len() + will_succeed >= quota {
        Some("ACCOUNT_LIMIT_EXCEEDED")
    } else {
        None
    };
    let request_id = format!("car-{}", world.ids.lowercase_alphanumeric(8));
    let account_id = world.ids.account_id();
    let record = CreateAccountRecord {
        operation: AsyncOperation::start(
            request_id.clone(),
            context.now,
            context.settings.durations.create_account,
            failure_reason.map(str::to_owned),
        ),
        account_name,
        email,
        account_id,
        tags,
    };
    let output = CreateAccountStatusOutput::of(&record, context.now);
    world
        .organizations
        .create_account_requests
        .insert(request_id, record);
    Ok(CreateAccountResponse {
        create_account_status: output,
    })
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct DescribeCreateAccountStatusRequest {
    create_account_request_id: String,
}

pub(super) fn describe_create_account_status(
    context: &RequestContext,
    world: &World,
    input: DescribeCreateAccountStatusRequest,
) -> Result<CreateAccountResponse, OrganizationsError> {
    let DescribeCreateAccountStatusRequest {
        create_account_request_id,
    } = input;
    require_management_or_delegated_administrator(context, world)?;
    let record = world
        .organizations
        .create_account_requests
        .get(&create_account_request_id)
        .ok_or_else(|| OrganizationsError::CreateAccountStatusNotFoundException {
            message: format!(
                "We can't find a create account request with the id {create_account_request_id}."
            ),
        })?;
    Ok(CreateAccountResponse {
        create_account_status: CreateAccountStatusOutput::of(record, context.now),
    })
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct ListCreateAccountStatusRequest {
    #[serde(default)]
    states: Vec<String>,
    next_token: Option<String>,
    max_results: Option<i32>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct ListCreateAccountStatusResponse {
    create_account_statuses: Vec<CreateAccountStatusOutput>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
}

pub(super) fn list_create_account_status(
    context: &RequestContext,
    world: &World,
    input: ListCreateAccountStatusRequest,
) -> Result<ListCreateAccountStatusResponse, OrganizationsError> {
    let ListCreateAccountStatusRequest {
        states,
        next_token,
        max_results,
    } = input;
    require_management_or_delegated_administrator(context, world)?;
    let mut wanted = Vec::new();
    for state in &states {
        wanted.push(match state.as_str() {
            "IN_PROGRESS" => AsyncStatus::InProgress,
            "SUCCEEDED" => AsyncStatus::Succeeded,
            "FAILED" => AsyncStatus::Failed,
            other => {
                return Err(OrganizationsError::InvalidInputException {
                    message: format!(
                        "States member {other:?} is not IN_PROGRESS, SUCCEEDED or FAILED."
                    ),
                    reason: InvalidInputExceptionReason::InvalidEnum,
                });
            }
        });
    }
    let mut scope_states = states.clone();
    scope_states.sort();
    let page = pagination::paginate(
        &world.pagination_secret,
        pagination::ORGANIZATIONS,
        &PageRequest {
            operation: "ListCreateAccountStatus",
            scope: scope_states.join(","),
            max_results,
            next_token: next_token.as_deref(),
        },
        world
            .organizations
            .create_account_requests
            .values()
            .filter(|record| {
                wanted.is_empty() || wanted.contains(&record.operation.status(context.now))
            }),
        |record| record.operation.request_id.clone(),
    )?;
    Ok(ListCreateAccountStatusResponse {
        create_account_statuses: page
            .items
            .into_iter()
            .map(|record| CreateAccountStatusOutput::of(record, context.now))
            .collect(),
        next_token: page.next_token,
    })
}

/// Whether the sandbox treats `email` as undeliverable: its domain is, or ends in, the RFC 2606
/// reserved top-level domain `invalid` (`someone@example.invalid`).
fn is_undeliverable(email: &str) -> bool {
    email.rsplit_once('@').is_some_and(|(_, domain)| {
        let domain = domain.trim_end_matches('.').to_ascii_lowercase();
        domain == "invalid" || domain.ends_with(".invalid")
    })
}
