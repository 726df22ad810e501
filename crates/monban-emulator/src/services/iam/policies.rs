//! Customer managed policies: CreatePolicy, GetPolicy, GetPolicyVersion, ListPolicies,
//! DeletePolicy.
//!
//! A policy has one version, `v1`. Its attachments are the roles IAM Identity Center
//! provisioned into the account from permission sets that reference it (by path and name)
//! as a customer managed policy or as the permissions boundary — the only roles that can
//! use a customer policy in the sandbox — so `AttachmentCount`,
//! `PermissionsBoundaryUsageCount`, `OnlyAttached` and DeletePolicy's `DeleteConflict`
//! follow SSO Admin's provisioning.

use std::fmt::Write as _;

use super::state::ManagedPolicy;
use super::{check_name, paginate, tags, write_tags};
use crate::protocol::aws_json::RequestContext;
use crate::protocol::aws_query::{QueryError, QueryInput, XmlWriter};
use crate::services::sso_admin::state::CustomerManagedPolicyReference;
use crate::world::World;

/// AWS's default quota of customer managed policies per account.
pub(crate) const POLICIES_PER_ACCOUNT: usize = 1500;
/// A managed policy document's size limit, whitespace not counted.
const POLICY_SIZE: usize = 6144;

fn not_found(arn: &str) -> QueryError {
    QueryError::NoSuchEntity(format!("Policy {arn} was not found."))
}

/// Validates a policy document as IAM does for identity-based policies: JSON with a
/// `Statement`, each with an `Effect` and no `Principal`.
///
/// # Errors
/// `MalformedPolicyDocument`, or `LimitExceeded` when over 6,144 characters.
pub fn check_policy_document(document: &str) -> Result<(), QueryError> {
    let size = document.chars().filter(|c| !c.is_whitespace()).count();
    if size > POLICY_SIZE {
        return Err(QueryError::LimitExceeded(format!(
            "Cannot exceed quota for PolicySize: {POLICY_SIZE}"
        )));
    }
    let syntax = || QueryError::MalformedPolicyDocument("Syntax errors in policy.".into());
    let value: serde_json::Value = serde_json::from_str(document).map_err(|_| syntax())?;
    let object = value.as_object().ok_or_else(syntax)?;
    if let Some(version) = object.get("Version")
        && version != "2012-10-17"
        && version != "2008-10-17"
    {
        return Err(QueryError::MalformedPolicyDocument(
            "The policy failed legacy parsing".into(),
        ));
    }
    let statements = match object.get("Statement") {
        Some(serde_json::Value::Array(statements)) => statements.clone(),
        Some(statement @ serde_json::Value::Object(_)) => vec![statement.clone()],
        Some(_) => return Err(syntax()),
        None => {
            return Err(QueryError::MalformedPolicyDocument(
                "Missing required field Statement".into(),
            ));
        }
    };
    for statement in &statements {
        let statement = statement.as_object().ok_or_else(syntax)?;
        if statement.contains_key("Principal") || statement.contains_key("NotPrincipal") {
            return Err(QueryError::MalformedPolicyDocument(
                "Policy document should not specify a principal.".into(),
            ));
        }
        match statement.get("Effect").and_then(serde_json::Value::as_str) {
            Some("Allow" | "Deny") => {}
            Some(_) => {
                return Err(QueryError::MalformedPolicyDocument(
                    "Invalid effect.".into(),
                ));
            }
            None => {
                return Err(QueryError::MalformedPolicyDocument(
                    "Missing required field Effect".into(),
                ));
            }
        }
        if !statement.contains_key("Action") && !statement.contains_key("NotAction") {
            return Err(QueryError::MalformedPolicyDocument(
                "Policy statement must contain actions.".into(),
            ));
        }
    }
    Ok(())
}

/// A policy path: `/`, or `/segment/…/` of `[A-Za-z0-9.,+@=_-]`.
pub(crate) fn check_policy_path(path: &str) -> Result<(), QueryError> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || ".,+@=_-".contains(c);
    let inner = if path == "/" {
        Some("")
    } else {
        path.strip_prefix('/')
            .and_then(|rest| rest.strip_suffix('/'))
            .filter(|inner| !inner.is_empty())
    };
    let valid = path.len() <= 512
        && inner.is_some_and(|inner| {
            inner.is_empty()
                || inner
                    .split('/')
                    .all(|segment| !segment.is_empty() && segment.chars().all(allowed))
        });
    if valid {
        Ok(())
    } else {
        Err(super::constraint(
            path,
            "path",
            "Member must satisfy regular expression pattern: ((/[A-Za-z0-9\\.,\\+@=_-]+)*)/",
        ))
    }
}

/// How many provisioned roles of the account use the policy as a permissions policy and
/// as a permissions boundary.
fn attachment_counts(world: &World, account_id: &str, policy: &ManagedPolicy) -> (usize, usize) {
    let matches = |reference: &CustomerManagedPolicyReference| {
        reference.name == policy.policy_name
            && reference.path.as_deref().unwrap_or("/") == policy.path
    };
    let mut attached = 0;
    let mut boundary = 0;
    for provisioned in world
        .sso_admin
        .provisioned
        .get(account_id)
        .into_iter()
        .flat_map(|by_arn| by_arn.values())
    {
        let Some(permission_set) = world
            .sso_admin
            .permission_sets
            .get(&provisioned.permission_set_arn)
        else {
            continue;
        };
        if permission_set.customer_managed_policies.iter().any(matches) {
            attached += 1;
        }
        if permission_set
            .permissions_boundary
            .as_ref()
            .and_then(|boundary| boundary.customer_managed_policy_reference.as_ref())
            .is_some_and(matches)
        {
            boundary += 1;
        }
    }
    (attached, boundary)
}

fn write_policy(xml: &mut XmlWriter, world: &World, account_id: &str, policy: &ManagedPolicy) {
    let (attached, boundary) = attachment_counts(world, account_id, policy);
    xml.element("PolicyName", &policy.policy_name)
        .element("PolicyId", &policy.policy_id)
        .element("Arn", &policy.arn)
        .element("Path", &policy.path)
        .element("DefaultVersionId", "v1")
        .integer(
            "AttachmentCount",
            i64::try_from(attached).unwrap_or(i64::MAX),
        )
        .integer(
            "PermissionsBoundaryUsageCount",
            i64::try_from(boundary).unwrap_or(i64::MAX),
        )
        .boolean("IsAttachable", true)
        .optional("Description", policy.description.as_deref())
        .timestamp("CreateDate", policy.create_date)
        .timestamp("UpdateDate", policy.create_date);
}

/// The caller's policy with ARN `arn` (`AccessDenied` for another account's).
fn find<'w>(
    context: &RequestContext,
    world: &'w World,
    action: &str,
    arn: &str,
) -> Result<&'w ManagedPolicy, QueryError> {
    let account_id = &context.caller.account_id;
    let owner = arn.split(':').nth(4).unwrap_or_default();
    if !arn.starts_with("arn:aws:iam::") || !arn.contains(":policy/") {
        return Err(QueryError::InvalidInput(format!("ARN {arn} is not valid.")));
    }
    if owner != account_id && owner != "aws" {
        return Err(QueryError::AccessDenied(format!(
            "User: {} is not authorized to perform: iam:{action} on resource: policy {arn}",
            context.caller.principal_arn
        )));
    }
    world
        .iam
        .account(account_id)
        .and_then(|account| account.policies.get(arn))
        .ok_or_else(|| not_found(arn))
}

/// CreatePolicy: a customer managed policy in the caller's account.
pub(super) fn create_policy(
    context: &RequestContext,
    world: &mut World,
    input: &QueryInput,
) -> Result<XmlWriter, QueryError> {
    let name = input.required("PolicyName")?;
    check_name(name, "policyName", 128)?;
    let document = input.required("PolicyDocument")?;
    let path = input.get("Path").unwrap_or("/");
    check_policy_path(path)?;
    let description = input.get("Description").map(str::to_owned);
    if description
        .as_ref()
        .is_some_and(|description| description.chars().count() > 1000)
    {
        return Err(super::constraint(
            "…",
            "description",
            "Member must have length less than or equal to 1000",
        ));
    }
    let tags = tags(input)?;
    check_policy_document(document)?;
    let account_id = context.caller.account_id.clone();
    if let Some(account) = world.iam.account(&account_id) {
        if account
            .policies
            .values()
            .any(|policy| policy.policy_name.eq_ignore_ascii_case(name))
        {
            return Err(QueryError::EntityAlreadyExists(format!(
                "A policy called {name} already exists. Duplicate names are not allowed."
            )));
        }
        if account.policies.len() >= POLICIES_PER_ACCOUNT {
            return Err(QueryError::LimitExceeded(format!(
                "Cannot exceed quota for PoliciesPerAccount: {POLICIES_PER_ACCOUNT}"
            )));
        }
    }
    let policy = world.iam.add_policy(
        &mut world.ids,
        &account_id,
        name,
        path,
        document,
        description,
        tags,
        context.now,
    );
    let mut xml = XmlWriter::default();
    xml.open("Policy");
    write_policy(&mut xml, world, &account_id, &policy);
    write_tags(&mut xml, &policy.tags);
    xml.close("Policy");
    Ok(xml)
}

/// GetPolicy.
pub(super) fn get_policy(
    context: &RequestContext,
    world: &World,
    input: &QueryInput,
) -> Result<XmlWriter, QueryError> {
    let arn = input.required("PolicyArn")?;
    let policy = find(context, world, "GetPolicy", arn)?;
    let mut xml = XmlWriter::default();
    xml.open("Policy");
    write_policy(&mut xml, world, &context.caller.account_id, policy);
    write_tags(&mut xml, &policy.tags);
    xml.close("Policy");
    Ok(xml)
}

/// RFC 3986 percent-encoding, as IAM returns policy documents.
pub(super) fn url_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            // Writing to a String cannot fail.
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

/// GetPolicyVersion: `v1`, its document URL-encoded (RFC 3986) as IAM returns it.
pub(super) fn get_policy_version(
    context: &RequestContext,
    world: &World,
    input: &QueryInput,
) -> Result<XmlWriter, QueryError> {
    let arn = input.required("PolicyArn")?;
    let version_id = input.required("VersionId")?;
    let policy = find(context, world, "GetPolicyVersion", arn)?;
    if version_id != "v1" {
        return Err(QueryError::NoSuchEntity(format!(
            "Policy {arn} version {version_id} does not exist or is not attachable."
        )));
    }
    let mut xml = XmlWriter::default();
    xml.open("PolicyVersion")
        .element("Document", &url_encode(&policy.document))
        .element("VersionId", "v1")
        .boolean("IsDefaultVersion", true)
        .timestamp("CreateDate", policy.create_date)
        .close("PolicyVersion");
    Ok(xml)
}

/// ListPolicies: the account's customer managed policies (`Scope` `Local` or `All`; the
/// sandbox has no catalogue of AWS managed policies, so `AWS` lists none), filtered by
/// `PathPrefix`, `OnlyAttached` and `PolicyUsageFilter`.
pub(super) fn list_policies(
    context: &RequestContext,
    world: &World,
    input: &QueryInput,
) -> Result<XmlWriter, QueryError> {
    let scope = input.get("Scope").unwrap_or("All");
    if !["All", "AWS", "Local"].contains(&scope) {
        return Err(super::constraint(
            scope,
            "scope",
            "Member must satisfy enum value set: [All, AWS, Local]",
        ));
    }
    let usage = input.get("PolicyUsageFilter");
    if let Some(usage) = usage
        && !["PermissionsPolicy", "PermissionsBoundary"].contains(&usage)
    {
        return Err(super::constraint(
            usage,
            "policyUsageFilter",
            "Member must satisfy enum value set: [PermissionsPolicy, PermissionsBoundary]",
        ));
    }
    let only_attached = input.boolean("OnlyAttached")?.unwrap_or(false);
    let prefix = input.get("PathPrefix").unwrap_or("/");
    check_policy_path(prefix)?;
    let account_id = &context.caller.account_id;
    let policies = world
        .iam
        .account(account_id)
        .filter(|_| scope != "AWS")
        .into_iter()
        .flat_map(|account| account.policies.values())
        .filter(|policy| policy.path.starts_with(prefix))
        .filter(|policy| {
            let (attached, boundary) = attachment_counts(world, account_id, policy);
            let used = match usage {
                Some("PermissionsPolicy") => attached > 0,
                Some(_) => boundary > 0,
                None => attached + boundary > 0,
            };
            (!only_attached && usage.is_none()) || used
        });
    let page = paginate(
        world,
        input,
        "ListPolicies",
        format!(
            "{account_id}|{scope}|{only_attached}|{prefix}|{}",
            usage.unwrap_or_default()
        ),
        policies,
        |policy| policy.policy_name.to_lowercase(),
    )?;
    let mut xml = XmlWriter::default();
    xml.list("Policies", page.items, |xml, policy| {
        write_policy(xml, world, account_id, policy);
    });
    xml.page_end(page.marker.as_deref());
    Ok(xml)
}

/// DeletePolicy: only when no role uses it (`DeleteConflict`).
pub(super) fn delete_policy(
    context: &RequestContext,
    world: &mut World,
    input: &QueryInput,
) -> Result<XmlWriter, QueryError> {
    let arn = input.required("PolicyArn")?;
    let policy = find(context, world, "DeletePolicy", arn)?;
    let (attached, boundary) = attachment_counts(world, &context.caller.account_id, policy);
    if attached + boundary > 0 {
        return Err(QueryError::DeleteConflict(
            "Cannot delete a policy attached to entities.".into(),
        ));
    }
    world
        .iam
        .account_mut(&context.caller.account_id)
        .policies
        .remove(arn);
    Ok(XmlWriter::default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_documents_are_checked_like_iam() {
        let valid = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#;
        assert!(check_policy_document(valid).is_ok());
        for (document, code) in [
            ("not json", "MalformedPolicyDocument"),
            (r#"{"Version":"2012-10-17"}"#, "MalformedPolicyDocument"),
            (
                r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*"}]}"#,
                "MalformedPolicyDocument",
            ),
            (r#"{"Statement":{"Action":"*"}}"#, "MalformedPolicyDocument"),
        ] {
            assert_eq!(
                check_policy_document(document).unwrap_err().code(),
                code,
                "{document}"
            );
        }
        let big = format!(
            r#"{{"Statement":[{{"Effect":"Allow","Action":"*","Resource":"{}"}}]}}"#,
            "x".repeat(7000)
        );
        assert_eq!(
            check_policy_document(&big).unwrap_err().code(),
            "LimitExceeded"
        );
    }

    #[test]
    fn policy_paths_follow_the_model_pattern() {
        assert!(check_policy_path("/").is_ok());
        assert!(check_policy_path("/team/a-b/").is_ok());
        assert!(check_policy_path("team/").is_err());
        assert!(check_policy_path("/team").is_err());
        assert!(check_policy_path("//").is_err());
    }

    #[test]
    fn documents_are_rfc3986_encoded() {
        assert_eq!(url_encode(r#"{"a": "b~"}"#), "%7B%22a%22%3A%20%22b~%22%7D");
    }
}
