//! The AWS operations monban calls, each with the IAM action that authorizes it — one
//! table, so the least-privilege policies `monban iam-policy --for plan|apply` prints are
//! derived from what the code does rather than written by hand beside it. A test runs a
//! plan and an apply against the sandbox and checks that every operation in its request
//! log is in this table, under the right job.
//!
//! IAM action names follow the Service Authorization Reference: Organizations' operations
//! are `organizations:<Operation>`, the Identity Store's `identitystore:<Operation>`, and
//! the SSO Admin API's (service id `sso-admin`) are `sso:<Operation>` — IAM Identity
//! Center's service prefix is `sso` ("Actions, resources, and condition keys for AWS IAM
//! Identity Center"). STS `GetCallerIdentity` needs no permission: IAM cannot deny it.

use std::collections::BTreeSet;

use serde::Serialize;

/// Which part of monban calls an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Caller {
    /// The live-state reader (`plan`, and `apply` before it changes anything): `read`,
    /// `refresh`, and the target's identity check.
    Reader,
    /// The apply engine: its writes, the look-ups it makes before a non-idempotent write,
    /// and the status polls of asynchronous operations.
    Applier,
    /// `monban sandbox provision-idp`: what an IdP's SCIM push does (never a CI job's).
    IdpPush,
    /// The audit's IAM-user scan, with the job's own credentials: assuming the access
    /// role in each member account (`iam_scan.rs`).
    AuditScan,
    /// The audit's IAM-user scan inside a member account, with the assumed role's
    /// credentials (so the member role needs these, not the job's role).
    AuditMemberAccount,
}

/// One AWS operation monban calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Operation {
    /// `service:Operation` as the call counter ([`crate::ReadStats`]) names it: botocore's
    /// service directory name and the API operation.
    pub operation: &'static str,
    /// The IAM action that authorizes it; `None` when IAM needs none.
    pub action: Option<&'static str>,
    pub caller: Caller,
}

const fn op(operation: &'static str, action: &'static str, caller: Caller) -> Operation {
    Operation {
        operation,
        action: Some(action),
        caller,
    }
}

use Caller::{Applier, AuditMemberAccount, AuditScan, IdpPush, Reader};

/// Every AWS operation monban's reader, applier and IdP push call (developer sign-in and the
/// audit's IAM scan use the caller's own credentials and are not part of these jobs).
pub const OPERATIONS: &[Operation] = &[
    // The target's identity (target.rs): who is calling, in which organization.
    Operation {
        operation: "sts:GetCallerIdentity",
        action: None,
        caller: Reader,
    },
    // Organizations, read (read.rs, refresh.rs).
    op(
        "organizations:DescribeOrganization",
        "organizations:DescribeOrganization",
        Reader,
    ),
    op("organizations:ListRoots", "organizations:ListRoots", Reader),
    op(
        "organizations:ListOrganizationalUnitsForParent",
        "organizations:ListOrganizationalUnitsForParent",
        Reader,
    ),
    op(
        "organizations:ListAccountsForParent",
        "organizations:ListAccountsForParent",
        Reader,
    ),
    op(
        "organizations:ListCreateAccountStatus",
        "organizations:ListCreateAccountStatus",
        Reader,
    ),
    op(
        "organizations:ListHandshakesForOrganization",
        "organizations:ListHandshakesForOrganization",
        Reader,
    ),
    op(
        "organizations:ListTagsForResource",
        "organizations:ListTagsForResource",
        Reader,
    ),
    op(
        "organizations:DescribeAccount",
        "organizations:DescribeAccount",
        Reader,
    ),
    op(
        "organizations:ListParents",
        "organizations:ListParents",
        Reader,
    ),
    // IAM Identity Center (SSO Admin), read.
    op("sso-admin:ListInstances", "sso:ListInstances", Reader),
    op(
        "sso-admin:ListPermissionSets",
        "sso:ListPermissionSets",
        Reader,
    ),
    op(
        "sso-admin:DescribePermissionSet",
        "sso:DescribePermissionSet",
        Reader,
    ),
    op(
        "sso-admin:GetInlinePolicyForPermissionSet",
        "sso:GetInlinePolicyForPermissionSet",
        Reader,
    ),
    op(
        "sso-admin:GetPermissionsBoundaryForPermissionSet",
        "sso:GetPermissionsBoundaryForPermissionSet",
        Reader,
    ),
    op(
        "sso-admin:ListManagedPoliciesInPermissionSet",
        "sso:ListManagedPoliciesInPermissionSet",
        Reader,
    ),
    op(
        "sso-admin:ListCustomerManagedPolicyReferencesInPermissionSet",
        "sso:ListCustomerManagedPolicyReferencesInPermissionSet",
        Reader,
    ),
    op(
        "sso-admin:ListTagsForResource",
        "sso:ListTagsForResource",
        Reader,
    ),
    op(
        "sso-admin:ListAccountAssignments",
        "sso:ListAccountAssignments",
        Reader,
    ),
    op(
        "sso-admin:ListAccountsForProvisionedPermissionSet",
        "sso:ListAccountsForProvisionedPermissionSet",
        Reader,
    ),
    op(
        "sso-admin:ListPermissionSetsProvisionedToAccount",
        "sso:ListPermissionSetsProvisionedToAccount",
        Reader,
    ),
    // Identity Store, read.
    op("identitystore:ListUsers", "identitystore:ListUsers", Reader),
    op(
        "identitystore:ListGroups",
        "identitystore:ListGroups",
        Reader,
    ),
    op(
        "identitystore:ListGroupMemberships",
        "identitystore:ListGroupMemberships",
        Reader,
    ),
    op(
        "identitystore:DescribeUser",
        "identitystore:DescribeUser",
        Reader,
    ),
    op(
        "identitystore:DescribeGroup",
        "identitystore:DescribeGroup",
        Reader,
    ),
    op(
        "identitystore:GetGroupId",
        "identitystore:GetGroupId",
        Reader,
    ),
    // Organizations, apply (apply/steps.rs, apply/poll.rs).
    op(
        "organizations:ListAccounts",
        "organizations:ListAccounts",
        Applier,
    ),
    op(
        "organizations:DescribeCreateAccountStatus",
        "organizations:DescribeCreateAccountStatus",
        Applier,
    ),
    op(
        "organizations:CreateOrganizationalUnit",
        "organizations:CreateOrganizationalUnit",
        Applier,
    ),
    op(
        "organizations:DeleteOrganizationalUnit",
        "organizations:DeleteOrganizationalUnit",
        Applier,
    ),
    op(
        "organizations:CreateAccount",
        "organizations:CreateAccount",
        Applier,
    ),
    op(
        "organizations:CloseAccount",
        "organizations:CloseAccount",
        Applier,
    ),
    op(
        "organizations:MoveAccount",
        "organizations:MoveAccount",
        Applier,
    ),
    op(
        "organizations:InviteAccountToOrganization",
        "organizations:InviteAccountToOrganization",
        Applier,
    ),
    op(
        "organizations:TagResource",
        "organizations:TagResource",
        Applier,
    ),
    op(
        "organizations:UntagResource",
        "organizations:UntagResource",
        Applier,
    ),
    // IAM Identity Center (SSO Admin), apply.
    op(
        "sso-admin:CreatePermissionSet",
        "sso:CreatePermissionSet",
        Applier,
    ),
    op(
        "sso-admin:UpdatePermissionSet",
        "sso:UpdatePermissionSet",
        Applier,
    ),
    op(
        "sso-admin:DeletePermissionSet",
        "sso:DeletePermissionSet",
        Applier,
    ),
    op(
        "sso-admin:AttachManagedPolicyToPermissionSet",
        "sso:AttachManagedPolicyToPermissionSet",
        Applier,
    ),
    op(
        "sso-admin:DetachManagedPolicyFromPermissionSet",
        "sso:DetachManagedPolicyFromPermissionSet",
        Applier,
    ),
    op(
        "sso-admin:AttachCustomerManagedPolicyReferenceToPermissionSet",
        "sso:AttachCustomerManagedPolicyReferenceToPermissionSet",
        Applier,
    ),
    op(
        "sso-admin:DetachCustomerManagedPolicyReferenceFromPermissionSet",
        "sso:DetachCustomerManagedPolicyReferenceFromPermissionSet",
        Applier,
    ),
    op(
        "sso-admin:PutInlinePolicyToPermissionSet",
        "sso:PutInlinePolicyToPermissionSet",
        Applier,
    ),
    op(
        "sso-admin:DeleteInlinePolicyFromPermissionSet",
        "sso:DeleteInlinePolicyFromPermissionSet",
        Applier,
    ),
    op(
        "sso-admin:PutPermissionsBoundaryToPermissionSet",
        "sso:PutPermissionsBoundaryToPermissionSet",
        Applier,
    ),
    op(
        "sso-admin:DeletePermissionsBoundaryFromPermissionSet",
        "sso:DeletePermissionsBoundaryFromPermissionSet",
        Applier,
    ),
    op("sso-admin:TagResource", "sso:TagResource", Applier),
    op("sso-admin:UntagResource", "sso:UntagResource", Applier),
    op(
        "sso-admin:ProvisionPermissionSet",
        "sso:ProvisionPermissionSet",
        Applier,
    ),
    op(
        "sso-admin:CreateAccountAssignment",
        "sso:CreateAccountAssignment",
        Applier,
    ),
    op(
        "sso-admin:DeleteAccountAssignment",
        "sso:DeleteAccountAssignment",
        Applier,
    ),
    op(
        "sso-admin:DescribeAccountAssignmentCreationStatus",
        "sso:DescribeAccountAssignmentCreationStatus",
        Applier,
    ),
    op(
        "sso-admin:DescribeAccountAssignmentDeletionStatus",
        "sso:DescribeAccountAssignmentDeletionStatus",
        Applier,
    ),
    op(
        "sso-admin:DescribePermissionSetProvisioningStatus",
        "sso:DescribePermissionSetProvisioningStatus",
        Applier,
    ),
    op(
        "sso-admin:ListAccountAssignmentCreationStatus",
        "sso:ListAccountAssignmentCreationStatus",
        Applier,
    ),
    op(
        "sso-admin:ListAccountAssignmentDeletionStatus",
        "sso:ListAccountAssignmentDeletionStatus",
        Applier,
    ),
    op(
        "sso-admin:ListPermissionSetProvisioningStatus",
        "sso:ListPermissionSetProvisioningStatus",
        Applier,
    ),
    // Identity Store, the IdP push (idp.rs) — what SCIM does in a real organization.
    op(
        "identitystore:CreateUser",
        "identitystore:CreateUser",
        IdpPush,
    ),
    op(
        "identitystore:UpdateUser",
        "identitystore:UpdateUser",
        IdpPush,
    ),
    op(
        "identitystore:DeleteUser",
        "identitystore:DeleteUser",
        IdpPush,
    ),
    op(
        "identitystore:CreateGroup",
        "identitystore:CreateGroup",
        IdpPush,
    ),
    op(
        "identitystore:UpdateGroup",
        "identitystore:UpdateGroup",
        IdpPush,
    ),
    op(
        "identitystore:DeleteGroup",
        "identitystore:DeleteGroup",
        IdpPush,
    ),
    op(
        "identitystore:CreateGroupMembership",
        "identitystore:CreateGroupMembership",
        IdpPush,
    ),
    op(
        "identitystore:DeleteGroupMembership",
        "identitystore:DeleteGroupMembership",
        IdpPush,
    ),
    // The audit's IAM-user scan (iam_scan.rs).
    op("sts:AssumeRole", "sts:AssumeRole", AuditScan),
    op("iam:ListUsers", "iam:ListUsers", AuditMemberAccount),
    op(
        "iam:ListAccessKeys",
        "iam:ListAccessKeys",
        AuditMemberAccount,
    ),
    op(
        "iam:GetAccessKeyLastUsed",
        "iam:GetAccessKeyLastUsed",
        AuditMemberAccount,
    ),
    op(
        "iam:ListMFADevices",
        "iam:ListMFADevices",
        AuditMemberAccount,
    ),
    // The customer managed policies the audit judges (iam_scan.rs).
    op("iam:GetPolicy", "iam:GetPolicy", AuditMemberAccount),
    op(
        "iam:GetPolicyVersion",
        "iam:GetPolicyVersion",
        AuditMemberAccount,
    ),
];

/// The IAM role actions IAM Identity Center performs with the *caller's* permissions when
/// it provisions a permission set into the management account (in member accounts its
/// service-linked role does it): create, update and delete the `AWSReservedSSO_*` roles
/// under `aws-reserved/sso.amazonaws.com/` and read the `AWSSSO_*` SAML provider. The same
/// list and resources as AWS's `AWSSSOMasterAccountAdministrator` managed policy grants.
pub const MANAGEMENT_ACCOUNT_ROLE_ACTIONS: &[&str] = &[
    "iam:AttachRolePolicy",
    "iam:CreateRole",
    "iam:DeleteRole",
    "iam:DeleteRolePolicy",
    "iam:DetachRolePolicy",
    "iam:GetRole",
    "iam:ListAttachedRolePolicies",
    "iam:ListRolePolicies",
    "iam:PutRolePolicy",
    "iam:UpdateRole",
    "iam:UpdateRoleDescription",
];

/// The verbs of read-only actions: a plan job's policy holds no action without one.
pub const READ_ONLY_VERBS: &[&str] = &["Describe", "List", "Get"];

/// Whether an IAM action (`service:Verb…`) only reads.
#[must_use]
pub fn is_read_only(action: &str) -> bool {
    action
        .split_once(':')
        .is_some_and(|(_, name)| READ_ONLY_VERBS.iter().any(|verb| name.starts_with(verb)))
}

/// The CI jobs a policy is printed for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Job {
    /// `plan` on a pull request: reads only.
    Plan,
    /// `apply` on merge and on a schedule: reads, then writes.
    Apply,
    /// `audit`: the plan's reads, and assuming the access role in member accounts for the
    /// IAM-user scan.
    Audit,
    /// The nightly job: `apply --only-expired`, `audit` and the drift plan together.
    Schedule,
}

impl Job {
    /// Whether the job's own credentials make the calls of `caller`.
    fn makes(self, caller: Caller) -> bool {
        match self {
            Self::Plan => caller == Reader,
            Self::Apply => matches!(caller, Reader | Applier),
            Self::Audit => matches!(caller, Reader | AuditScan),
            Self::Schedule => matches!(caller, Reader | Applier | AuditScan),
        }
    }
}

/// The IAM actions a job needs, sorted: the reader's for a plan; the reader's and the
/// applier's for an apply.
#[must_use]
pub fn actions(job: Job) -> BTreeSet<&'static str> {
    OPERATIONS
        .iter()
        .filter(|operation| job.makes(operation.caller))
        .filter_map(|operation| operation.action)
        .collect()
}

/// The operations (`service:Operation`) a job may call.
#[must_use]
pub fn operations(job: Job) -> BTreeSet<&'static str> {
    OPERATIONS
        .iter()
        .filter(|operation| job.makes(operation.caller))
        .map(|operation| operation.operation)
        .collect()
}

/// An IAM policy document, serialized with its keys in the order AWS's documentation and
/// console write them (`Version` before `Statement`; `Sid`, `Effect`, `Action`, `Resource`),
/// which a `serde_json::Value` (keys sorted) cannot keep.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PolicyDocument {
    pub version: &'static str,
    pub statement: Vec<PolicyStatement>,
}

/// One `Allow` statement of a [`PolicyDocument`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct PolicyStatement {
    pub sid: &'static str,
    pub effect: &'static str,
    pub action: Vec<String>,
    pub resource: String,
}

impl PolicyStatement {
    fn allow<'a>(
        sid: &'static str,
        actions: impl IntoIterator<Item = &'a str>,
        resource: impl Into<String>,
    ) -> Self {
        Self {
            sid,
            effect: "Allow",
            action: actions.into_iter().map(str::to_owned).collect(),
            resource: resource.into(),
        }
    }
}

/// The IAM policy document of a job. Identity Center and Organizations actions take
/// `"Resource": "*"`: their resources are instance-, permission-set- and account-scoped
/// ARNs the repo does not know before the read, and most of the List/Describe actions
/// support no resource-level permissions at all.
#[must_use]
pub fn policy(job: Job) -> PolicyDocument {
    let (read, write): (Vec<&str>, Vec<&str>) = actions(job)
        .into_iter()
        .filter(|action| *action != "sts:AssumeRole")
        .partition(|action| is_read_only(action));
    let mut statements = vec![PolicyStatement::allow(
        "MonbanReadOrganizationAndIdentityCenter",
        read,
        "*",
    )];
    if matches!(job, Job::Audit | Job::Schedule) {
        // Only the access role the IAM-user scan assumes (`OrganizationAccountAccessRole`
        // unless `monban audit` is told another); that role, in each member account,
        // needs the scan's `iam:List*`/`iam:Get*` reads (it has them by default).
        statements.push(PolicyStatement::allow(
            "MonbanAuditAssumeMemberAccessRole",
            ["sts:AssumeRole"],
            format!(
                "arn:aws:iam::*:role/{}",
                crate::iam_scan::DEFAULT_AUDIT_ROLE
            ),
        ));
    }
    if matches!(job, Job::Apply | Job::Schedule) {
        statements.push(PolicyStatement::allow("MonbanApplyChanges", write, "*"));
        statements.push(PolicyStatement::allow(
            "IdentityCenterRolesInTheManagementAccount",
            MANAGEMENT_ACCOUNT_ROLE_ACTIONS.iter().copied(),
            "arn:aws:iam::*:role/aws-reserved/sso.amazonaws.com/*",
        ));
        statements.push(PolicyStatement::allow(
            "IdentityCenterSamlProvider",
            ["iam:GetSAMLProvider"],
            "arn:aws:iam::*:saml-provider/AWSSSO_*_DO_NOT_DELETE",
        ));
    }
    PolicyDocument {
        version: "2012-10-17",
        statement: statements,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_is_listed_once_with_its_services_prefix() {
        let mut seen = BTreeSet::new();
        for operation in OPERATIONS {
            assert!(
                seen.insert(operation.operation),
                "{} is listed twice",
                operation.operation
            );
            let (service, name) = operation
                .operation
                .split_once(':')
                .expect("service:Operation");
            if let Some(action) = operation.action {
                let prefix = match service {
                    "sso-admin" => "sso",
                    other => other,
                };
                assert_eq!(
                    action,
                    format!("{prefix}:{name}"),
                    "{}",
                    operation.operation
                );
            }
        }
    }

    #[test]
    fn the_plan_policy_only_reads_and_the_apply_policy_writes() {
        let plan = actions(Job::Plan);
        assert!(plan.iter().all(|action| is_read_only(action)), "{plan:?}");
        assert!(plan.contains("sso:ListAccountAssignments"));
        assert!(plan.contains("identitystore:ListUsers"));
        assert!(plan.contains("organizations:ListAccountsForParent"));
        let apply = actions(Job::Apply);
        assert!(apply.is_superset(&plan));
        assert!(apply.contains("sso:CreateAccountAssignment"));
        assert!(
            !apply.contains("identitystore:CreateUser"),
            "SCIM's job, not apply's"
        );
        let document = policy(Job::Plan);
        assert_eq!(document.statement.len(), 1);
        let printed = serde_json::to_string(&document).expect("a policy serializes");
        assert!(
            printed.starts_with(r#"{"Version":"2012-10-17","Statement":[{"Sid":"#),
            "{printed}"
        );
    }
}
