//! Delegated administrators and trusted service access: RegisterDelegatedAdministrator,
//! ListDelegatedAdministrators, EnableAWSServiceAccess, ListAWSServiceAccessForOrganization.

use serde::{Deserialize, Serialize};

use super::error::{ConstraintViolationExceptionReason, InvalidInputExceptionReason};
use super::organizational_units::EmptyResponse;
use super::state::{AccountState, AccountStatus, DelegatedAdministrator, JoinedMethod};
use super::{OrganizationsError, access_denied, require_management_or_delegated_administrator};
use crate::pagination::{self, PageRequest};
use crate::protocol::aws_json::RequestContext;
use crate::world::World;

/// The sandbox recognizes AWS service principals by their `.amazonaws.com` suffix.
fn validate_service_principal(service_principal: &str) -> Result<(), OrganizationsError> {
    let well_formed = (1..=128).contains(&service_principal.len())
        && service_principal
            .bytes()
            .all(|byte| byte.is_ascii_alphanumeric() || b"_+=,.@-".contains(&byte));
    if !well_formed {
        return Err(OrganizationsError::InvalidInputException {
            message: format!("ServicePrincipal {service_principal:?} is malformed."),
            reason: InvalidInputExceptionReason::InvalidPattern,
        });
    }
    if service_principal.ends_with(".amazonaws.com") && service_principal.len() > 14 {
        Ok(())
    } else {
        Err(OrganizationsError::InvalidInputException {
            message: format!("{service_principal} is not a recognized service principal."),
            reason: InvalidInputExceptionReason::UnrecognizedServicePrincipal,
        })
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct RegisterDelegatedAdministratorRequest {
    account_id: String,
    service_principal: String,
}

/// Needs trusted access for the service first (EnableAWSServiceAccess), as AWS documents.
pub(super) fn register_delegated_administrator(
    context: &RequestContext,
    world: &mut World,
    input: RegisterDelegatedAdministratorRequest,
) -> Result<EmptyResponse, OrganizationsError> {
    let RegisterDelegatedAdministratorRequest {
        account_id,
        service_principal,
    } = input;
    if !context.is_management_account(world) {
        return Err(access_denied(context));
    }
    validate_service_principal(&service_principal)?;
    if account_id.len() != 12 || !account_id.bytes().all(|byte| byte.is_ascii_digit()) {
        return Err(OrganizationsError::InvalidInputException {
            message: format!("AccountId {account_id:?} must be 12 digits."),
            reason: InvalidInputExceptionReason::InvalidPattern,
        });
    }
    let organizations = &world.organizations;
    let Some(account) = organizations.accounts.get(&account_id) else {
        return Err(OrganizationsError::AccountNotFoundException {
            message: format!("You specified an account that doesn't exist: {account_id}"),
        });
    };
    if account_id == world.management_account_id() {
        return Err(OrganizationsError::ConstraintViolationException {
            message: "The management account can't be a delegated administrator.".into(),
            reason:
                ConstraintViolationExceptionReason::CannotRegisterMasterAsDelegatedAdministrator,
        });
    }
    if account.state != AccountState::Active {
        return Err(OrganizationsError::ConstraintViolationException {
            message: format!("The account {account_id} is not active."),
            reason: ConstraintViolationExceptionReason::CannotRegisterSuspendedAccountAsDelegatedAdministrator,
        });
    }
    if !organizations
        .enabled_service_principals
        .contains_key(&service_principal)
    {
        return Err(OrganizationsError::ConstraintViolationException {
            message: format!("Trusted access is not enabled for {service_principal}."),
            reason: ConstraintViolationExceptionReason::ServiceAccessNotEnabled,
        });
    }
    if organizations
        .delegated_administrators
        .iter()
        .any(|admin| admin.account_id == account_id && admin.service_principal == service_principal)
    {
        return Err(OrganizationsError::AccountAlreadyRegisteredException {
            message: format!(
                "The account {account_id} is already a delegated administrator for {service_principal}."
            ),
        });
    }
    world
        .organizations
        .delegated_administrators
        .push(DelegatedAdministrator {
            account_id,
            service_principal,
            delegation_enabled_date: context.now,
        });
    Ok(EmptyResponse {})
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct ListDelegatedAdministratorsRequest {
    service_principal: Option<String>,
    next_token: Option<String>,
    max_results: Option<i32>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
struct DelegatedAdministratorOutput {
    id: String,
    arn: String,
    email: String,
    name: String,
    status: AccountStatus,
    state: AccountState,
    joined_method: JoinedMethod,
    #[serde(serialize_with = "crate::protocol::timestamp::epoch_seconds")]
    joined_timestamp: jiff::Timestamp,
    #[serde(serialize_with = "crate::protocol::timestamp::epoch_seconds")]
    delegation_enabled_date: jiff::Timestamp,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct ListDelegatedAdministratorsResponse {
    delegated_administrators: Vec<DelegatedAdministratorOutput>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
}

/// One entry per account: with several services, the earliest delegation date.
pub(super) fn list_delegated_administrators(
    context: &RequestContext,
    world: &World,
    input: ListDelegatedAdministratorsRequest,
) -> Result<ListDelegatedAdministratorsResponse, OrganizationsError> {
    let ListDelegatedAdministratorsRequest {
        service_principal,
        next_token,
        max_results,
    } = input;
    require_management_or_delegated_administrator(context, world)?;
    if let Some(principal) = &service_principal {
        validate_service_principal(principal)?;
    }
    let organizations = &world.organizations;
    let mut by_account: std::collections::BTreeMap<&str, jiff::Timestamp> =
        std::collections::BTreeMap::new();
    for admin in &organizations.delegated_administrators {
        if service_principal
            .as_deref()
            .is_some_and(|principal| principal != admin.service_principal)
        {
            continue;
        }
        let date = by_account
            .entry(admin.account_id.as_str())
            .or_insert(admin.delegation_enabled_date);
        *date = (*date).min(admin.delegation_enabled_date);
    }
    let entries: Vec<DelegatedAdministratorOutput> = by_account
        .into_iter()
        .filter_map(|(account_id, date)| {
            organizations
                .accounts
                .get(account_id)
                .map(|account| DelegatedAdministratorOutput {
                    id: account.id.clone(),
                    arn: account.arn.clone(),
                    email: account.email.clone(),
                    name: account.name.clone(),
                    status: account.status,
                    state: account.state,
                    joined_method: account.joined_method,
                    joined_timestamp: account.joined_timestamp,
                    delegation_enabled_date: date,
                })
        })
        .collect();
    let page = pagination::paginate(
        &world.pagination_secret,
        pagination::ORGANIZATIONS,
        &PageRequest {
            operation: "ListDelegatedAdministrators",
            scope: service_principal.clone().unwrap_or_default(),
            max_results,
            next_token: next_token.as_deref(),
        },
        entries,
        |entry| entry.id.clone(),
    )?;
    Ok(ListDelegatedAdministratorsResponse {
        delegated_administrators: page.items,
        next_token: page.next_token,
    })
}

#[derive(Debug, Deserialize)]
pub(super) struct EnableAwsServiceAccessRequest {
    #[serde(rename = "ServicePrincipal")]
    service_principal: String,
}

/// Enabling an already enabled service keeps its original date.
pub(super) fn enable_aws_service_access(
    context: &RequestContext,
    world: &mut World,
    input: EnableAwsServiceAccessRequest,
) -> Result<EmptyResponse, OrganizationsError> {
    let EnableAwsServiceAccessRequest { service_principal } = input;
    if !context.is_management_account(world) {
        return Err(access_denied(context));
    }
    validate_service_principal(&service_principal)?;
    world
        .organizations
        .enabled_service_principals
        .entry(service_principal)
        .or_insert(context.now);
    Ok(EmptyResponse {})
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct ListAwsServiceAccessRequest {
    next_token: Option<String>,
    max_results: Option<i32>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
struct EnabledServicePrincipalOutput {
    service_principal: String,
    #[serde(serialize_with = "crate::protocol::timestamp::epoch_seconds")]
    date_enabled: jiff::Timestamp,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct ListAwsServiceAccessResponse {
    enabled_service_principals: Vec<EnabledServicePrincipalOutput>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
}

pub(super) fn list_aws_service_access_for_organization(
    context: &RequestContext,
    world: &World,
    input: ListAwsServiceAccessRequest,
) -> Result<ListAwsServiceAccessResponse, OrganizationsError> {
    let ListAwsServiceAccessRequest {
        next_token,
        max_results,
    } = input;
    require_management_or_delegated_administrator(context, world)?;
    let page = pagination::paginate(
        &world.pagination_secret,
        pagination::ORGANIZATIONS,
        &PageRequest {
            operation: "ListAWSServiceAccessForOrganization",
            scope: String::new(),
            max_results,
            next_token: next_token.as_deref(),
        },
        world.organizations.enabled_service_principals.iter(),
        |(principal, _)| (*principal).clone(),
    )?;
    Ok(ListAwsServiceAccessResponse {
        enabled_service_principals: page
            .items
            .into_iter()
            .map(|(principal, date)| EnabledServicePrincipalOutput {
                service_principal: principal.clone(),
                date_enabled: *date,
            })
            .collect(),
        next_token: page.next_token,
    })
}
