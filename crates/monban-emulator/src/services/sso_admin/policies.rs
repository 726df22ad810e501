//! What a permission set grants: its inline policy, attached AWS managed policies, customer
//! managed policy references and permissions boundary (Put/Get/Delete, Attach/Detach/List).
//!
//! Every real change increments the permission set's version, so its provisioned copies
//! report `LATEST_PERMISSION_SET_NOT_PROVISIONED` until ProvisionPermissionSet (AWS: "you
//! will need to call ProvisionPermissionSet after this action").

use serde::{Deserialize, Serialize};

use super::state::{
    AttachedManagedPolicy, CustomerManagedPolicyReference, PermissionSet, PermissionsBoundary,
};
use super::validation::{
    INLINE_POLICY_NON_WHITESPACE_LIMIT, check_inline_policy, check_managed_policy_arn,
    check_managed_policy_name, check_managed_policy_path, validation,
};
use super::{
    SsoAdminError, check_delegated_reach, find_permission_set, validation_message_for_missing,
};
use crate::pagination::{self, PageRequest};
use crate::protocol::aws_json::RequestContext;
use crate::world::World;

/// How many AWS managed and customer managed policies together one permission set may have
/// attached (IAM Identity Center quota, not adjustable).
pub(crate) const MANAGED_POLICIES_PER_PERMISSION_SET: usize = 25;

/// The input every operation here shares.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct PermissionSetRequest {
    instance_arn: String,
    permission_set_arn: String,
}

#[derive(Debug, Serialize)]
pub(super) struct EmptyResponse {}

/// Finds the permission set for a write: checks as `find_permission_set`, then the
/// delegated administrator's reach; returns it mutably.
fn for_change<'w>(
    context: &RequestContext,
    world: &'w mut World,
    operation: &str,
    target: PermissionSetRequest,
) -> Result<&'w mut PermissionSet, SsoAdminError> {
    let PermissionSetRequest {
        instance_arn,
        permission_set_arn,
    } = target;
    find_permission_set(
        context,
        world,
        operation,
        &instance_arn,
        &permission_set_arn,
    )?;
    check_delegated_reach(context, world, operation, Some(&permission_set_arn), None)?;
    Ok(world
        .sso_admin
        .permission_sets
        .get_mut(&permission_set_arn)
        .expect("find_permission_set found it under the same lock"))
}

fn quota_check(permission_set: &PermissionSet) -> Result<(), SsoAdminError> {
    if permission_set.attached_policy_count() >= MANAGED_POLICIES_PER_PERMISSION_SET {
        return Err(SsoAdminError::ServiceQuotaExceededException {
            message: format!(
                "A permission set can have at most {MANAGED_POLICIES_PER_PERMISSION_SET} AWS managed and customer managed policies attached."
            ),
        });
    }
    Ok(())
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct PutInlinePolicyRequest {
    #[serde(flatten)]
    target: PermissionSetRequest,
    inline_policy: String,
}

/// Sets (replaces) the inline policy. More than 10,240 non-whitespace characters is
/// `ServiceQuotaExceededException`.
pub(super) fn put_inline_policy(
    context: &RequestContext,
    world: &mut World,
    input: PutInlinePolicyRequest,
) -> Result<EmptyResponse, SsoAdminError> {
    let PutInlinePolicyRequest {
        target,
        inline_policy,
    } = input;
    check_inline_policy(&inline_policy)?;
    let permission_set = for_change(context, world, "PutInlinePolicyToPermissionSet", target)?;
    let significant = inline_policy.chars().filter(|c| !c.is_whitespace()).count();
    if significant > INLINE_POLICY_NON_WHITESPACE_LIMIT {
        return Err(SsoAdminError::ServiceQuotaExceededException {
            message: format!(
                "The inline policy has {significant} non-whitespace characters; the maximum is {INLINE_POLICY_NON_WHITESPACE_LIMIT}."
            ),
        });
    }
    if permission_set.inline_policy.as_deref() != Some(inline_policy.as_str()) {
        permission_set.inline_policy = Some(inline_policy);
        permission_set.version += 1;
    }
    Ok(EmptyResponse {})
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct GetInlinePolicyResponse {
    #[serde(skip_serializing_if = "Option::is_none")]
    inline_policy: Option<String>,
}

/// The inline policy; no `InlinePolicy` member when there is none.
pub(super) fn get_inline_policy(
    context: &RequestContext,
    world: &World,
    input: PermissionSetRequest,
) -> Result<GetInlinePolicyResponse, SsoAdminError> {
    let PermissionSetRequest {
        instance_arn,
        permission_set_arn,
    } = input;
    let permission_set = find_permission_set(
        context,
        world,
        "GetInlinePolicyForPermissionSet",
        &instance_arn,
        &permission_set_arn,
    )?;
    Ok(GetInlinePolicyResponse {
        inline_policy: permission_set.inline_policy.clone(),
    })
}

/// Removes the inline policy (nothing to remove is not an error).
pub(super) fn delete_inline_policy(
    context: &RequestContext,
    world: &mut World,
    input: PermissionSetRequest,
) -> Result<EmptyResponse, SsoAdminError> {
    let permission_set = for_change(context, world, "DeleteInlinePolicyFromPermissionSet", input)?;
    if permission_set.inline_policy.take().is_some() {
        permission_set.version += 1;
    }
    Ok(EmptyResponse {})
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct ManagedPolicyRequest {
    #[serde(flatten)]
    target: PermissionSetRequest,
    managed_policy_arn: String,
}

/// Attaches an AWS managed policy (`arn:aws:iam::aws:policy/…`). Attaching one twice is
/// `ConflictException`; the quota counts customer managed references too.
pub(super) fn attach_managed_policy(
    context: &RequestContext,
    world: &mut World,
    input: ManagedPolicyRequest,
) -> Result<EmptyResponse, SsoAdminError> {
    let ManagedPolicyRequest {
        target,
        managed_policy_arn,
    } = input;
    let name = check_managed_policy_arn("managedPolicyArn", &managed_policy_arn)?.to_owned();
    let permission_set = for_change(context, world, "AttachManagedPolicyToPermissionSet", target)?;
    if permission_set
        .managed_policies
        .contains_key(&managed_policy_arn)
    {
        return Err(SsoAdminError::ConflictException {
            message: format!(
                "Managed policy {managed_policy_arn} is already attached to the permission set."
            ),
        });
    }
    quota_check(permission_set)?;
    permission_set.managed_policies.insert(
        managed_policy_arn.clone(),
        AttachedManagedPolicy {
            name,
            arn: managed_policy_arn,
        },
    );
    permission_set.version += 1;
    Ok(EmptyResponse {})
}

/// Detaches an AWS managed policy; one that is not attached is `ResourceNotFoundException`.
pub(super) fn detach_managed_policy(
    context: &RequestContext,
    world: &mut World,
    input: ManagedPolicyRequest,
) -> Result<EmptyResponse, SsoAdminError> {
    let ManagedPolicyRequest {
        target,
        managed_policy_arn,
    } = input;
    check_managed_policy_arn("managedPolicyArn", &managed_policy_arn)?;
    let permission_set = for_change(
        context,
        world,
        "DetachManagedPolicyFromPermissionSet",
        target,
    )?;
    if permission_set
        .managed_policies
        .remove(&managed_policy_arn)
        .is_none()
    {
        return Err(SsoAdminError::ResourceNotFoundException {
            message: format!(
                "Managed policy {managed_policy_arn} is not attached to the permission set."
            ),
            reason: None,
        });
    }
    permission_set.version += 1;
    Ok(EmptyResponse {})
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct ListPoliciesRequest {
    #[serde(flatten)]
    target: PermissionSetRequest,
    max_results: Option<i32>,
    next_token: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct ListManagedPoliciesResponse {
    attached_managed_policies: Vec<AttachedManagedPolicy>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
}

/// Lists the attached AWS managed policies in ARN order.
pub(super) fn list_managed_policies(
    context: &RequestContext,
    world: &World,
    input: ListPoliciesRequest,
) -> Result<ListManagedPoliciesResponse, SsoAdminError> {
    let ListPoliciesRequest {
        target,
        max_results,
        next_token,
    } = input;
    let permission_set = find_permission_set(
        context,
        world,
        "ListManagedPoliciesInPermissionSet",
        &target.instance_arn,
        &target.permission_set_arn,
    )?;
    let page = pagination::paginate(
        &world.pagination_secret,
        pagination::SSO_ADMIN,
        &PageRequest {
            operation: "ListManagedPoliciesInPermissionSet",
            scope: target.permission_set_arn.clone(),
            max_results,
            next_token: next_token.as_deref(),
        },
        permission_set.managed_policies.values(),
        |policy| policy.arn.clone(),
    )?;
    Ok(ListManagedPoliciesResponse {
        attached_managed_policies: page.items.into_iter().cloned().collect(),
        next_token: page.next_token,
    })
}

/// A `CustomerManagedPolicyReference` as a request gives it (`Name` is required; checked
/// here so the error names the full member path).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct ReferenceInput {
    name: Option<String>,
    path: Option<String>,
}

/// Validates a `CustomerManagedPolicyReference` at `member` and fills in the default path
/// `/`.
fn check_reference(
    member: &str,
    reference: ReferenceInput,
) -> Result<CustomerManagedPolicyReference, SsoAdminError> {
    let Some(name) = reference.name else {
        return Err(validation(validation_message_for_missing(&format!(
            "{member}.name"
        ))));
    };
    check_managed_policy_name(&format!("{member}.name"), &name)?;
    let path = reference.path.unwrap_or_else(|| "/".into());
    check_managed_policy_path(&format!("{member}.path"), &path)?;
    Ok(CustomerManagedPolicyReference {
        name,
        path: Some(path),
    })
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct CustomerManagedPolicyRequest {
    #[serde(flatten)]
    target: PermissionSetRequest,
    customer_managed_policy_reference: ReferenceInput,
}

/// Attaches a reference to a customer managed policy by name and path (the policy must
/// exist in each account the permission set is provisioned to; the sandbox does not model
/// IAM in member accounts). Attaching one twice is `ConflictException`.
pub(super) fn attach_customer_managed_policy(
    context: &RequestContext,
    world: &mut World,
    input: CustomerManagedPolicyRequest,
) -> Result<EmptyResponse, SsoAdminError> {
    let CustomerManagedPolicyRequest {
        target,
        customer_managed_policy_reference,
    } = input;
    let reference = check_reference(
        "customerManagedPolicyReference",
        customer_managed_policy_reference,
    )?;
    let permission_set = for_change(
        context,
        world,
        "AttachCustomerManagedPolicyReferenceToPermissionSet",
        target,
    )?;
    if permission_set
        .customer_managed_policies
        .contains(&reference)
    {
        return Err(SsoAdminError::ConflictException {
            message: format!(
                "Customer managed policy reference {}{} is already attached to the permission set.",
                reference.path.as_deref().unwrap_or("/"),
                reference.name
            ),
        });
    }
    quota_check(permission_set)?;
    permission_set.customer_managed_policies.insert(reference);
    permission_set.version += 1;
    Ok(EmptyResponse {})
}

/// Detaches a customer managed policy reference; one that is not attached is
/// `ResourceNotFoundException`.
pub(super) fn detach_customer_managed_policy(
    context: &RequestContext,
    world: &mut World,
    input: CustomerManagedPolicyRequest,
) -> Result<EmptyResponse, SsoAdminError> {
    let CustomerManagedPolicyRequest {
        target,
        customer_managed_policy_reference,
    } = input;
    let reference = check_reference(
        "customerManagedPolicyReference",
        customer_managed_policy_reference,
    )?;
    let permission_set = for_change(
        context,
        world,
        "DetachCustomerManagedPolicyReferenceFromPermissionSet",
        target,
    )?;
    if !permission_set.customer_managed_policies.remove(&reference) {
        return Err(SsoAdminError::ResourceNotFoundException {
            message: format!(
                "Customer managed policy reference {}{} is not attached to the permission set.",
                reference.path.as_deref().unwrap_or("/"),
                reference.name
            ),
            reason: None,
        });
    }
    permission_set.version += 1;
    Ok(EmptyResponse {})
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct ListCustomerManagedPoliciesResponse {
    customer_managed_policy_references: Vec<CustomerManagedPolicyReference>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
}

/// Lists the customer managed policy references in (path, name) order.
pub(super) fn list_customer_managed_policies(
    context: &RequestContext,
    world: &World,
    input: ListPoliciesRequest,
) -> Result<ListCustomerManagedPoliciesResponse, SsoAdminError> {
    let ListPoliciesRequest {
        target,
        max_results,
        next_token,
    } = input;
    let permission_set = find_permission_set(
        context,
        world,
        "ListCustomerManagedPolicyReferencesInPermissionSet",
        &target.instance_arn,
        &target.permission_set_arn,
    )?;
    let page = pagination::paginate(
        &world.pagination_secret,
        pagination::SSO_ADMIN,
        &PageRequest {
            operation: "ListCustomerManagedPolicyReferencesInPermissionSet",
            scope: target.permission_set_arn.clone(),
            max_results,
            next_token: next_token.as_deref(),
        },
        permission_set.customer_managed_policies.iter(),
        |reference| {
            format!(
                "{}{}",
                reference.path.as_deref().unwrap_or("/"),
                reference.name
            )
        },
    )?;
    Ok(ListCustomerManagedPoliciesResponse {
        customer_managed_policy_references: page.items.into_iter().cloned().collect(),
        next_token: page.next_token,
    })
}

/// A `PermissionsBoundary` as a request gives it.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct BoundaryInput {
    customer_managed_policy_reference: Option<ReferenceInput>,
    managed_policy_arn: Option<String>,
}

impl BoundaryInput {
    /// A boundary given as its parts (the control API's seed builds one).
    pub(crate) fn new(
        customer_managed_policy: Option<(String, Option<String>)>,
        managed_policy_arn: Option<String>,
    ) -> Self {
        Self {
            customer_managed_policy_reference: customer_managed_policy.map(|(name, path)| {
                ReferenceInput {
                    name: Some(name),
                    path,
                }
            }),
            managed_policy_arn,
        }
    }
}

/// Validates a `PermissionsBoundary`: exactly one of its two members, each per the model.
pub(crate) fn check_boundary(
    boundary: BoundaryInput,
) -> Result<PermissionsBoundary, SsoAdminError> {
    match (
        boundary.customer_managed_policy_reference,
        boundary.managed_policy_arn,
    ) {
        (Some(reference), None) => Ok(PermissionsBoundary {
            customer_managed_policy_reference: Some(check_reference(
                "permissionsBoundary.customerManagedPolicyReference",
                reference,
            )?),
            managed_policy_arn: None,
        }),
        (None, Some(arn)) => {
            check_managed_policy_arn("permissionsBoundary.managedPolicyArn", &arn)?;
            Ok(PermissionsBoundary {
                customer_managed_policy_reference: None,
                managed_policy_arn: Some(arn),
            })
        }
        _ => Err(validation(
            "A permissions boundary must specify exactly one of CustomerManagedPolicyReference and ManagedPolicyArn.".into(),
        )),
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct PutPermissionsBoundaryRequest {
    #[serde(flatten)]
    target: PermissionSetRequest,
    permissions_boundary: BoundaryInput,
}

/// Sets (replaces) the permissions boundary.
pub(super) fn put_permissions_boundary(
    context: &RequestContext,
    world: &mut World,
    input: PutPermissionsBoundaryRequest,
) -> Result<EmptyResponse, SsoAdminError> {
    let PutPermissionsBoundaryRequest {
        target,
        permissions_boundary,
    } = input;
    let boundary = check_boundary(permissions_boundary)?;
    let permission_set = for_change(
        context,
        world,
        "PutPermissionsBoundaryToPermissionSet",
        target,
    )?;
    if permission_set.permissions_boundary.as_ref() != Some(&boundary) {
        permission_set.permissions_boundary = Some(boundary);
        permission_set.version += 1;
    }
    Ok(EmptyResponse {})
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct GetPermissionsBoundaryResponse {
    permissions_boundary: PermissionsBoundary,
}

/// The permissions boundary; none set is `ResourceNotFoundException`.
pub(super) fn get_permissions_boundary(
    context: &RequestContext,
    world: &World,
    input: PermissionSetRequest,
) -> Result<GetPermissionsBoundaryResponse, SsoAdminError> {
    let PermissionSetRequest {
        instance_arn,
        permission_set_arn,
    } = input;
    let permission_set = find_permission_set(
        context,
        world,
        "GetPermissionsBoundaryForPermissionSet",
        &instance_arn,
        &permission_set_arn,
    )?;
    let boundary = permission_set.permissions_boundary.clone().ok_or_else(|| {
        SsoAdminError::ResourceNotFoundException {
            message: format!(
                "The permission set {permission_set_arn} has no permissions boundary."
            ),
            reason: None,
        }
    })?;
    Ok(GetPermissionsBoundaryResponse {
        permissions_boundary: boundary,
    })
}

/// Removes the permissions boundary (nothing to remove is not an error).
pub(super) fn delete_permissions_boundary(
    context: &RequestContext,
    world: &mut World,
    input: PermissionSetRequest,
) -> Result<EmptyResponse, SsoAdminError> {
    let permission_set = for_change(
        context,
        world,
        "DeletePermissionsBoundaryFromPermissionSet",
        input,
    )?;
    if permission_set.permissions_boundary.take().is_some() {
        permission_set.version += 1;
    }
    Ok(EmptyResponse {})
}
