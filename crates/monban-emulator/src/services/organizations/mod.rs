//! AWS Organizations (`X-Amz-Target: AWSOrganizationsV20161128.<Operation>`, signing name
//! `organizations`).
//!
//! Layout: `mod.rs` (this file) holds the service descriptor, the dispatch table and the
//! access checks; one file per topic holds its operations' input/output structs and handlers
//! (`organization.rs`: DescribeOrganization, ListRoots; `organizational_units.rs`: OUs and the
//! tree; `accounts.rs`: accounts and CreateAccount; `tags.rs`: tags, CloseAccount,
//! RemoveAccountFromOrganization; `delegation.rs`: delegated administrators and trusted
//! access; `handshakes.rs`: invitations and the handshake operations; `standalone.rs`:
//! accounts outside the organization and the control API's answers for their owners);
//! `error.rs` the modeled exceptions;
//! `state.rs` the service's part of the World.

mod accounts;
mod delegation;
pub mod error;
mod handshakes;
mod organization;
mod organizational_units;
pub mod standalone;
pub mod state;
mod tags;

pub use error::OrganizationsError;

use crate::pagination::PaginationError;
use crate::protocol::aws_json::{AwsJsonService, Call, RequestContext};
use crate::protocol::error::WireError;
use crate::world::World;
use error::InvalidInputExceptionReason;

/// The service descriptor the central router finds by target prefix.
pub static SERVICE: AwsJsonService = AwsJsonService {
    name: "organizations",
    target_prefix: "AWSOrganizationsV20161128",
    signing_name: "organizations",
    dispatch,
    missing_member,
};

/// The dispatch table: operation name → handler. Add new operations here.
fn dispatch(call: &mut Call<'_>) -> Result<Vec<u8>, WireError> {
    match call.operation() {
        "DescribeOrganization" => call.read(organization::describe_organization),
        "ListRoots" => call.read(organization::list_roots),
        "CreateOrganizationalUnit" => call.write(organizational_units::create_organizational_unit),
        "DescribeOrganizationalUnit" => {
            call.read(organizational_units::describe_organizational_unit)
        }
        "UpdateOrganizationalUnit" => call.write(organizational_units::update_organizational_unit),
        "DeleteOrganizationalUnit" => call.write(organizational_units::delete_organizational_unit),
        "ListOrganizationalUnitsForParent" => {
            call.read(organizational_units::list_organizational_units_for_parent)
        }
        "ListChildren" => call.read(organizational_units::list_children),
        "ListParents" => call.read(organizational_units::list_parents),
        "ListAccounts" => call.read(accounts::list_accounts),
        "ListAccountsForParent" => call.read(accounts::list_accounts_for_parent),
        "DescribeAccount" => call.read(accounts::describe_account),
        "MoveAccount" => call.write(accounts::move_account),
        "CreateAccount" => call.write(accounts::create_account),
        "DescribeCreateAccountStatus" => call.read(accounts::describe_create_account_status),
        "ListCreateAccountStatus" => call.read(accounts::list_create_account_status),
        "TagResource" => call.write(tags::tag_resource),
        "RegisterDelegatedAdministrator" => {
            call.write(delegation::register_delegated_administrator)
        }
        "ListDelegatedAdministrators" => call.read(delegation::list_delegated_administrators),
        "EnableAWSServiceAccess" => call.write(delegation::enable_aws_service_access),
        "ListAWSServiceAccessForOrganization" => {
            call.read(delegation::list_aws_service_access_for_organization)
        }
        "UntagResource" => call.write(tags::untag_resource),
        "ListTagsForResource" => call.read(tags::list_tags_for_resource),
        "CloseAccount" => call.write(tags::close_account),
        "RemoveAccountFromOrganization" => call.write(tags::remove_account_from_organization),
        "InviteAccountToOrganization" => call.write(handshakes::invite_account_to_organization),
        "AcceptHandshake" => call.write(handshakes::accept_handshake),
        "DeclineHandshake" => call.write(handshakes::decline_handshake),
        "CancelHandshake" => call.write(handshakes::cancel_handshake),
        "DescribeHandshake" => call.read(handshakes::describe_handshake),
        "ListHandshakesForOrganization" => call.read(handshakes::list_handshakes_for_organization),
        "ListHandshakesForAccount" => call.read(handshakes::list_handshakes_for_account),
        _ => Err(call.unknown_operation()),
    }
}

fn missing_member(member: &str) -> WireError {
    WireError::from_service(&OrganizationsError::InvalidInputException {
        message: format!("You must specify a value for {member}."),
        reason: InvalidInputExceptionReason::InputRequired,
    })
}

impl From<PaginationError> for OrganizationsError {
    fn from(error: PaginationError) -> Self {
        let reason = match error {
            PaginationError::InvalidToken => InvalidInputExceptionReason::InvalidNextToken,
            PaginationError::MaxResultsTooSmall { .. } => {
                InvalidInputExceptionReason::MinValueExceeded
            }
            PaginationError::MaxResultsTooLarge { .. } => {
                InvalidInputExceptionReason::MaxValueExceeded
            }
        };
        Self::InvalidInputException {
            message: error.to_string(),
            reason,
        }
    }
}

/// The caller's account must belong to the organization.
fn require_member(context: &RequestContext, world: &World) -> Result<(), OrganizationsError> {
    if world
        .organizations
        .accounts
        .contains_key(&context.caller.account_id)
    {
        Ok(())
    } else {
        Err(OrganizationsError::AWSOrganizationsNotInUseException {
            message: "Your account is not a member of an organization.".into(),
        })
    }
}

/// Read operations "can be called only from the organization's management account or by a
/// member account that is a delegated administrator" (model docs).
fn require_management_or_delegated_administrator(
    context: &RequestContext,
    world: &World,
) -> Result<(), OrganizationsError> {
    require_member(context, world)?;
    let delegated = world
        .organizations
        .delegated_administrators
        .iter()
        .any(|admin| admin.account_id == context.caller.account_id);
    if context.is_management_account(world) || delegated {
        Ok(())
    } else {
        Err(access_denied(context))
    }
}

/// The error for a caller lacking the management account's rights. Write operations check
/// `context.is_management_account(world)` and return this.
fn access_denied(context: &RequestContext) -> OrganizationsError {
    OrganizationsError::AccessDeniedException {
        message: format!(
            "You don't have permissions to access this resource. {} is not the management account or a delegated administrator.",
            context.caller.principal_arn
        ),
    }
}
