//! IAM Identity Center's admin API, SSO Admin (`X-Amz-Target: SWBExternalService.<Operation>`,
//! signing name `sso`).
//!
//! Layout: `mod.rs` (this file) holds the service descriptor, the dispatch table and the
//! access checks; one file per topic holds its operations' input/output structs and handlers
//! (`instances.rs`: ListInstances, DescribeInstance); `error.rs` the modeled exceptions;
//! `state.rs` the service's part of the World.

pub mod error;
mod instances;
pub mod state;

pub use error::SsoAdminError;

use crate::pagination::PaginationError;
use crate::protocol::aws_json::{AwsJsonService, Call, RequestContext};
use crate::protocol::error::WireError;
use crate::world::World;

/// The service principal delegated administrators of Identity Center register for.
pub const SERVICE_PRINCIPAL: &str = "sso.amazonaws.com";

/// The service descriptor the central router finds by target prefix.
pub static SERVICE: AwsJsonService = AwsJsonService {
    name: "sso-admin",
    target_prefix: "SWBExternalService",
    signing_name: "sso",
    dispatch,
    missing_member,
};

/// The dispatch table: operation name → handler. Add new operations here.
fn dispatch(call: &mut Call<'_>) -> Result<Vec<u8>, WireError> {
    match call.operation() {
        "ListInstances" => call.read(instances::list_instances),
        "DescribeInstance" => call.read(instances::describe_instance),
        _ => Err(call.unknown_operation()),
    }
}

/// AWS's JSON services report a missing required member in Coral's words, naming the
/// member in camelCase.
fn missing_member(member: &str) -> WireError {
    WireError::from_service(&SsoAdminError::ValidationException {
        message: validation_message_for_missing(member),
        reason: None,
    })
}

/// `1 validation error detected: Value null at 'instanceArn' failed to satisfy constraint:
/// Member must not be null` (shared with the Identity Store).
pub(crate) fn validation_message_for_missing(member: &str) -> String {
    let mut chars = member.chars();
    let camel = chars
        .next()
        .map(|first| first.to_lowercase().chain(chars).collect::<String>())
        .unwrap_or_default();
    format!(
        "1 validation error detected: Value null at '{camel}' failed to satisfy constraint: Member must not be null"
    )
}

impl From<PaginationError> for SsoAdminError {
    fn from(error: PaginationError) -> Self {
        Self::ValidationException {
            message: error.to_string(),
            reason: None,
        }
    }
}

/// Whether the caller may administer the instance: its owner (the management account) or a
/// delegated administrator for `sso.amazonaws.com`.
fn may_administer(context: &RequestContext, world: &World) -> bool {
    context.caller.account_id == world.sso_admin.instance.owner_account_id
        || world.is_delegated_administrator(&context.caller.account_id, SERVICE_PRINCIPAL)
}

fn access_denied(context: &RequestContext, operation: &str) -> SsoAdminError {
    SsoAdminError::AccessDeniedException {
        message: format!(
            "User: {} is not authorized to perform: sso:{operation} on this instance",
            context.caller.principal_arn
        ),
        reason: None,
    }
}
