//! `permission-sets/<Name>.yaml` and its optional `<Name>.policy.json`.

use std::collections::HashSet;

use monban_model::{
    CustomerManagedPolicy, CustomerManagedPolicyName, CustomerManagedPolicyPath, InlinePolicy,
    MAX_PERMISSION_SET_TAGS, ManagedPolicyArn, PermissionSet, PermissionSetDescription,
    PermissionSetName, PermissionsBoundary, PolicyCount, RelayState, SessionDuration,
    check_policy_count,
};

use crate::diagnostics::Code;
use crate::keys;
use crate::node::{Node, Position};
use crate::tags::tags;
use crate::walk::FileContext;

pub(crate) fn permission_set(
    context: &mut FileContext<'_>,
    name: PermissionSetName,
    node: &Node,
) -> PermissionSet {
    let mut permission_set = PermissionSet::new(name);
    let Some(fields) = context.fields(node, keys::PERMISSION_SET, "a permission set file") else {
        return permission_set;
    };
    permission_set.description = fields
        .get("description")
        .and_then(|node| context.parse(node, PermissionSetDescription::parse));
    if let Some(duration) = fields
        .get("session_duration")
        .and_then(|node| context.parse(node, SessionDuration::parse))
    {
        permission_set.session_duration = duration;
    }
    permission_set.relay_state = fields
        .get("relay_state")
        .and_then(|node| context.parse(node, RelayState::parse));
    if let Some(node) = fields.get("managed_policies") {
        let mut seen = HashSet::new();
        for item in context.sequence(node).unwrap_or_default() {
            let Some(arn) = context.parse(item, ManagedPolicyArn::parse) else {
                continue;
            };
            if seen.insert(arn.clone()) {
                permission_set.managed_policies.push(arn);
            } else {
                context.report(
                    Code::DuplicateEntry,
                    item.position,
                    format!("`{arn}` is listed more than once"),
                );
            }
        }
    }
    if let Some(node) = fields.get("customer_managed_policies") {
        let mut seen = HashSet::new();
        for item in context.sequence(node).unwrap_or_default() {
            let Some(policy) = customer_managed_policy(context, item, "a customer-managed policy")
            else {
                continue;
            };
            if seen.insert(policy.clone()) {
                permission_set.customer_managed_policies.push(policy);
            } else {
                context.report(
                    Code::DuplicateEntry,
                    item.position,
                    format!(
                        "customer-managed policy `{}{}` is listed more than once",
                        policy.path, policy.name
                    ),
                );
            }
        }
    }
    let count =
        permission_set.managed_policies.len() + permission_set.customer_managed_policies.len();
    let count_position = fields
        .key("managed_policies")
        .or_else(|| fields.key("customer_managed_policies"))
        .map_or(fields.position, |key| key.position);
    match check_policy_count(count) {
        Ok(PolicyCount::WithinIamDefault) => {}
        Ok(PolicyCount::AboveIamDefault) => context.report_with_hint(
            Code::ManyPolicies,
            count_position,
            format!(
                "{count} managed and customer-managed policies; IAM allows 10 per role by default"
            ),
            Some(
                "raise the IAM quota \"Managed policies attached to an IAM role\" in every \
                 target account, or combine policies"
                    .to_owned(),
            ),
        ),
        Err(error) => context.constraint(&error, count_position),
    }
    if let Some(node) = fields.get("permissions_boundary") {
        permission_set.permissions_boundary = permissions_boundary(context, node);
    }
    if let Some(node) = fields.get("tags") {
        permission_set.tags = tags(context, node, MAX_PERMISSION_SET_TAGS);
    }
    permission_set
}

fn customer_managed_policy(
    context: &mut FileContext<'_>,
    node: &Node,
    what: &str,
) -> Option<CustomerManagedPolicy> {
    let fields = context.fields(node, keys::CUSTOMER_MANAGED_POLICY, what)?;
    let name = fields
        .require(context, "name", what)
        .and_then(|node| context.parse(node, CustomerManagedPolicyName::parse));
    let path = match fields.get("path") {
        Some(node) => Some(context.parse(node, CustomerManagedPolicyPath::parse)?),
        None => None,
    };
    Some(CustomerManagedPolicy {
        name: name?,
        path: path.unwrap_or_default(),
    })
}

fn permissions_boundary(context: &mut FileContext<'_>, node: &Node) -> Option<PermissionsBoundary> {
    let what = "`permissions_boundary`";
    let fields = context.fields(node, keys::PERMISSIONS_BOUNDARY, what)?;
    match (
        fields.get("managed_policy"),
        fields.get("customer_managed_policy"),
    ) {
        (Some(managed), None) => context
            .parse(managed, ManagedPolicyArn::parse)
            .map(PermissionsBoundary::ManagedPolicy),
        (None, Some(customer)) => customer_managed_policy(
            context,
            customer,
            "`permissions_boundary.customer_managed_policy`",
        )
        .map(PermissionsBoundary::CustomerManagedPolicy),
        (Some(_), Some(_)) => {
            let position = fields
                .key("customer_managed_policy")
                .map_or(fields.position, |key| key.position);
            context.report_with_hint(
                Code::ConflictingKeys,
                position,
                "a permissions boundary is either a managed policy or a customer-managed policy, not both",
                Some("keep one of `managed_policy` and `customer_managed_policy`".to_owned()),
            );
            None
        }
        (None, None) => {
            context.report_with_hint(
                Code::MissingKey,
                fields.position,
                "`permissions_boundary` names no policy",
                Some(
                    "add `managed_policy: ARN` or `customer_managed_policy: { name: … }`"
                        .to_owned(),
                ),
            );
            None
        }
    }
}

/// Checks `<Name>.policy.json`: valid JSON (with the parser's position on failure), a JSON
/// object, and within AWS's size and character limits.
pub(crate) fn inline_policy(context: &mut FileContext<'_>) -> Option<InlinePolicy> {
    let text = context.source;
    let start = Position {
        line: 1,
        column: 1,
        start: 0,
        end: text.len().min(1),
    };
    match serde_json::from_str::<serde_json::Value>(text) {
        Err(error) => {
            let position = json_error_position(text, &error);
            context.report_with_hint(
                Code::InvalidPolicyJson,
                position,
                format!("the inline policy is not valid JSON: {}", json_message(&error)),
                Some("an IAM policy is a JSON object: {\"Version\": \"2012-10-17\", \"Statement\": [...]}".to_owned()),
            );
            return None;
        }
        Ok(serde_json::Value::Object(_)) => {}
        Ok(other) => {
            let kind = match other {
                serde_json::Value::Array(_) => "an array",
                serde_json::Value::String(_) => "a string",
                serde_json::Value::Number(_) => "a number",
                serde_json::Value::Bool(_) => "a boolean",
                _ => "null",
            };
            context.report_with_hint(
                Code::InvalidPolicyJson,
                start,
                format!("the inline policy is {kind}, not a JSON object"),
                Some("an IAM policy is a JSON object: {\"Version\": \"2012-10-17\", \"Statement\": [...]}".to_owned()),
            );
            return None;
        }
    }
    match InlinePolicy::parse(text) {
        Ok(policy) => Some(policy),
        Err(error) => {
            context.constraint(&error, start);
            None
        }
    }
}

/// `serde_json`'s message without its " at line L column C" suffix.
fn json_message(error: &serde_json::Error) -> String {
    let text = error.to_string();
    match text.rfind(" at line ") {
        Some(index) => text[..index].to_owned(),
        None => text,
    }
}

/// The position `serde_json` reports (1-based line; 1-based column of the byte it stopped
/// at, or 0 at a line start), as a one-character span.
fn json_error_position(text: &str, error: &serde_json::Error) -> Position {
    let line = error.line().max(1);
    let column = error.column().max(1);
    let line_start = text
        .split_inclusive('\n')
        .take(line - 1)
        .map(str::len)
        .sum::<usize>();
    let line_text = text[line_start.min(text.len())..]
        .split('\n')
        .next()
        .unwrap_or("");
    let mut offset = line_start + (column - 1).min(line_text.len());
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let end = text[offset..]
        .chars()
        .next()
        .map_or(offset, |character| offset + character.len_utf8());
    let character_column = text[line_start..offset].chars().count() + 1;
    Position {
        line: u32::try_from(line).unwrap_or(u32::MAX),
        column: u32::try_from(character_column).unwrap_or(u32::MAX),
        start: offset,
        end,
    }
}
