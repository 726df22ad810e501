//! ListRoles and GetRole over the roles AWS creates in an account (see `state::roles_in`):
//! `OrganizationAccountAccessRole` and the `AWSReservedSSO_…` roles of provisioned
//! permission sets.

use super::policies::url_encode;
use super::state::{IamRole, roles_in};
use super::{check_name, paginate, path_prefix};
use crate::protocol::aws_json::RequestContext;
use crate::protocol::aws_query::{QueryError, QueryInput, XmlWriter};
use crate::world::World;

fn write_role(xml: &mut XmlWriter, role: &IamRole, with_details: bool) {
    xml.element("Path", &role.path)
        .element("RoleName", &role.role_name)
        .element("RoleId", &role.role_id)
        .element("Arn", &role.arn)
        .timestamp("CreateDate", role.create_date)
        // IAM returns the trust policy URL-encoded (RFC 3986), as policy documents.
        .element(
            "AssumeRolePolicyDocument",
            &url_encode(&role.assume_role_policy_document),
        )
        .optional("Description", role.description.as_deref())
        .integer("MaxSessionDuration", role.max_session_duration);
    if with_details {
        xml.open("RoleLastUsed").close("RoleLastUsed");
    }
}

/// ListRoles: the account's roles under `PathPrefix`, by name.
pub(super) fn list_roles(
    context: &RequestContext,
    world: &World,
    input: &QueryInput,
) -> Result<XmlWriter, QueryError> {
    let prefix = path_prefix(input)?;
    let roles = roles_in(world, &context.caller.account_id);
    let page = paginate(
        world,
        input,
        "ListRoles",
        format!("{}|{prefix}", context.caller.account_id),
        roles.values().filter(|role| role.path.starts_with(&prefix)),
        |role| role.role_name.to_lowercase(),
    )?;
    let mut xml = XmlWriter::default();
    xml.list("Roles", page.items, |xml, role| {
        write_role(xml, role, false);
    });
    xml.page_end(page.marker.as_deref());
    Ok(xml)
}

/// GetRole.
pub(super) fn get_role(
    context: &RequestContext,
    world: &World,
    input: &QueryInput,
) -> Result<XmlWriter, QueryError> {
    let name = input.required("RoleName")?;
    check_name(name, "roleName", 64)?;
    let roles = roles_in(world, &context.caller.account_id);
    let role = roles
        .values()
        .find(|role| role.role_name.eq_ignore_ascii_case(name))
        .ok_or_else(|| {
            QueryError::NoSuchEntity(format!("The role with name {name} cannot be found."))
        })?;
    let mut xml = XmlWriter::default();
    xml.open("Role");
    write_role(&mut xml, role, true);
    xml.close("Role");
    Ok(xml)
}
