//! IAM over awsQuery: users, access keys, MFA devices, customer managed policies and the
//! roles AWS creates (OrganizationAccountAccessRole, AWSReservedSSO_…), in every account.
//!
//! IAM is global: any region in the signature. Every operation acts in the caller's own
//! account (the account of the signing key, or of the assumed role) — IAM has no
//! cross-account calls; a policy ARN of another account is `AccessDenied`. Every
//! authenticated principal may use IAM in its account (the sandbox has no IAM policy
//! evaluation).

pub mod policies;
pub mod roles;
pub mod seed;
pub mod state;
pub mod users;

use crate::pagination::{self, PageLimits, PageRequest, PaginationError};
use crate::protocol::aws_query::{QueryCall, QueryError, QueryInput, QueryService, XmlWriter};
use crate::world::World;

/// IAM's descriptor.
pub static SERVICE: QueryService = QueryService {
    name: "iam",
    signing_name: "iam",
    version: "2010-05-08",
    xml_namespace: "https://iam.amazonaws.com/doc/2010-05-08/",
    dispatch,
};

fn dispatch(call: &mut QueryCall<'_>) -> Result<XmlWriter, QueryError> {
    match call.action() {
        "ListUsers" => call.read(users::list_users),
        "GetUser" => call.read(users::get_user),
        "CreateUser" => call.write(users::create_user),
        "DeleteUser" => call.write(users::delete_user),
        "ListAccessKeys" => call.read(users::list_access_keys),
        "CreateAccessKey" => call.write(users::create_access_key),
        "DeleteAccessKey" => call.write(users::delete_access_key),
        "GetAccessKeyLastUsed" => call.read(users::get_access_key_last_used),
        "ListMFADevices" => call.read(users::list_mfa_devices),
        "CreatePolicy" => call.write(policies::create_policy),
        "GetPolicy" => call.read(policies::get_policy),
        "GetPolicyVersion" => call.read(policies::get_policy_version),
        "ListPolicies" => call.read(policies::list_policies),
        "DeletePolicy" => call.write(policies::delete_policy),
        "ListRoles" => call.read(roles::list_roles),
        "GetRole" => call.read(roles::get_role),
        _ => Err(call.unknown_action()),
    }
}

/// IAM's MaxItems bounds (1..1000, default 100).
const PAGE_LIMITS: PageLimits = PageLimits {
    min: 1,
    max: 1000,
    default: 100,
};

/// One page of an IAM list: the items and the marker of the next page.
pub(crate) struct IamPage<T> {
    items: Vec<T>,
    marker: Option<String>,
}

/// Cuts a page with `Marker`/`MaxItems` (the shared opaque-token pagination).
fn paginate<T>(
    world: &World,
    input: &QueryInput,
    operation: &str,
    scope: String,
    items: impl IntoIterator<Item = T>,
    key: impl Fn(&T) -> String,
) -> Result<IamPage<T>, QueryError> {
    let max_items = input
        .integer("MaxItems")?
        .map(|value| i32::try_from(value).unwrap_or(i32::MAX));
    let page = pagination::paginate(
        &world.pagination_secret,
        PAGE_LIMITS,
        &PageRequest {
            operation,
            scope,
            max_results: max_items,
            next_token: input.get("Marker"),
        },
        items,
        key,
    )
    .map_err(|error| match error {
        PaginationError::InvalidToken => QueryError::ValidationError("Invalid Marker.".into()),
        PaginationError::MaxResultsTooSmall { given, min } => QueryError::ValidationError(
            format!(
                "1 validation error detected: Value '{given}' at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to {min}"
            ),
        ),
        PaginationError::MaxResultsTooLarge { given, max } => QueryError::ValidationError(
            format!(
                "1 validation error detected: Value '{given}' at 'maxItems' failed to satisfy constraint: Member must have value less than or equal to {max}"
            ),
        ),
    })?;
    Ok(IamPage {
        items: page.items,
        marker: page.next_token,
    })
}

/// AWS's wording for a value outside a model constraint.
fn constraint(value: &str, member: &str, rule: &str) -> QueryError {
    QueryError::ValidationError(format!(
        "1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: {rule}"
    ))
}

/// IAM names (`[\w+=,.@-]+`, `min..=max` characters).
pub(crate) fn check_name(value: &str, member: &str, max: usize) -> Result<(), QueryError> {
    if value.is_empty() || value.chars().count() > max {
        return Err(constraint(
            value,
            member,
            &format!("Member must have length less than or equal to {max}"),
        ));
    }
    let allowed = |c: char| c.is_alphanumeric() || "_+=,.@-".contains(c);
    if !value.chars().all(allowed) {
        return Err(constraint(
            value,
            member,
            "Member must satisfy regular expression pattern: [\\w+=,.@-]+",
        ));
    }
    Ok(())
}

/// A user or role path: `/` or `/…/` of printable ASCII, at most 512 characters.
fn check_path(value: &str, member: &str) -> Result<(), QueryError> {
    let printable = value.bytes().all(|b| (0x21..=0x7e).contains(&b));
    let shaped =
        value == "/" || (value.len() > 1 && value.starts_with('/') && value.ends_with('/'));
    if !printable || !shaped || value.len() > 512 {
        return Err(constraint(
            value,
            member,
            "Member must satisfy regular expression pattern: (\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)",
        ));
    }
    Ok(())
}

/// A `PathPrefix` filter: starts with `/`, at most 512 characters.
fn path_prefix(input: &QueryInput) -> Result<String, QueryError> {
    let prefix = input.get("PathPrefix").unwrap_or("/");
    if !prefix.starts_with('/') || prefix.len() > 512 {
        return Err(constraint(
            prefix,
            "pathPrefix",
            "Member must satisfy regular expression pattern: \\u002F[\\u0021-\\u007F]*",
        ));
    }
    Ok(prefix.to_owned())
}

/// `Tags.member.N.Key/Value`: at most 50, keys 1..128 and values 0..256 characters.
fn tags(input: &QueryInput) -> Result<Vec<(String, String)>, QueryError> {
    let tags = input.structure_list("Tags");
    if tags.len() > 50 {
        return Err(constraint(
            &tags.len().to_string(),
            "tags",
            "Member must have length less than or equal to 50",
        ));
    }
    tags.into_iter()
        .map(|mut fields| {
            let key = fields.remove("Key").unwrap_or_default();
            let value = fields.remove("Value").unwrap_or_default();
            if key.is_empty() || key.chars().count() > 128 || value.chars().count() > 256 {
                return Err(constraint(
                    &key,
                    "tags.member.key",
                    "Member must have length between 1 and 128",
                ));
            }
            Ok((key, value))
        })
        .collect()
}

fn write_tags(xml: &mut XmlWriter, tags: &[(String, String)]) {
    if !tags.is_empty() {
        xml.list("Tags", tags, |xml, (key, value)| {
            xml.element("Key", key).element("Value", value);
        });
    }
}

/// Why provisioning `permission_set_arn` into `account_id` fails, if it does: a customer
/// managed policy or permissions boundary it references does not exist in the account's
/// IAM. AWS reports this as the request's `FailureReason`; the wording's start
/// ("Received a 404 status error: Not supported policy", followed by the policy) is what
/// terraform-provider-aws's acceptance test `TestAccSSOAdminAccountAssignment_MissingPolicy`
/// (`internal/service/ssoadmin/account_assignment_test.go`) expects from AWS; the rest
/// (the policy's ARN) is the sandbox's.
#[must_use]
pub fn missing_policy_reason(
    world: &World,
    account_id: &str,
    permission_set_arn: &str,
) -> Option<String> {
    let permission_set = world.sso_admin.permission_sets.get(permission_set_arn)?;
    let account = world.iam.account(account_id);
    let boundary = permission_set
        .permissions_boundary
        .as_ref()
        .and_then(|boundary| boundary.customer_managed_policy_reference.as_ref());
    let missing = permission_set
        .customer_managed_policies
        .iter()
        .chain(boundary)
        .find(|reference| {
            let path = reference.path.as_deref().unwrap_or("/");
            account
                .and_then(|account| account.policy_by_path_and_name(path, &reference.name))
                .is_none()
        })?;
    Some(format!(
        "Received a 404 status error: Not supported policy arn:aws:iam::{account_id}:policy{}{}.",
        missing.path.as_deref().unwrap_or("/"),
        missing.name
    ))
}
