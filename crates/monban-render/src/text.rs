//! The words and symbols every view shares: how an action, a cause, a path to access, a
//! blocker, a target or a changed field reads — so the terminal and the PR comment never
//! describe the same plan differently.

use std::fmt::Write as _;

use monban_plan::{
    AccessPath, AccountRef, Action, Blocker, Cause, ExpiringGrant, FieldChange, KeptBecause,
    Origin, Plan, PlanTarget, Principal, PrincipalKind, RiskKind, Severity, Summary,
    TargetEndpoint, UnmanagedBecause,
};
use similar::{ChangeTag, TextDiff};

/// Every action in the order the legend lists them.
pub(crate) const ACTIONS: [Action; 7] = [
    Action::Create,
    Action::Invite,
    Action::Update,
    Action::Replace,
    Action::Provision,
    Action::Delete,
    Action::Close,
];

/// The symbol of an action. ASCII only, so it survives any terminal, log collector or
/// e-mail; Terraform's where Terraform has one.
pub(crate) fn symbol(action: Action) -> &'static str {
    match action {
        Action::Create => "+",
        Action::Update => "~",
        Action::Replace => "-/+",
        Action::Provision => ">",
        Action::Delete => "-",
        Action::Close => "x",
        Action::Invite => "?+",
    }
}

/// The legend's words for an action.
pub(crate) fn legend(action: Action) -> &'static str {
    match action {
        Action::Create => "create",
        Action::Update => "update in place",
        Action::Replace => "replace (delete, then create: new role ARNs in every account)",
        Action::Provision => "provision (push the permission set's roles to accounts again)",
        Action::Delete => "delete",
        Action::Close => "close the account",
        Action::Invite => {
            "invite into the organization (pending until the account's owner accepts)"
        }
    }
}

/// How the endpoint of a target reads when the caller gives no label of its own.
#[must_use]
pub fn describe_endpoint(endpoint: &TargetEndpoint) -> String {
    match endpoint {
        TargetEndpoint::EmbeddedSandbox => "the embedded sandbox".to_owned(),
        TargetEndpoint::Aws {
            profile: Some(profile),
            region,
        } => format!("AWS (profile {profile}, region {region})"),
        TargetEndpoint::Aws {
            profile: None,
            region,
        } => format!("AWS (default credentials, region {region})"),
        TargetEndpoint::EndpointUrl { url, region } => format!("{url} (region {region})"),
    }
}

/// `Target: <label> — organization o-…, management account …`, plus the caller when it
/// is a delegated administrator.
pub(crate) fn target_line(target: &PlanTarget, label: Option<&str>) -> String {
    let endpoint = label.map_or_else(|| describe_endpoint(&target.endpoint), str::to_owned);
    let mut line = format!(
        "Target: {endpoint} — organization {}, management account {}",
        target.organization_id, target.management_account_id
    );
    if target.delegated_admin {
        let _ = write!(
            line,
            ", read as delegated administrator {}",
            target.caller_account_id
        );
    }
    line
}

/// `group engineers`, `user alice@example.com`, `user <deleted 9067…>`.
pub(crate) fn principal(principal: &Principal) -> String {
    let kind = principal.kind.as_str();
    match (&principal.name, &principal.id) {
        (Some(name), _) => format!("{kind} {name}"),
        (None, Some(id)) => format!("{kind} <deleted {id}>"),
        (None, None) => format!("{kind} <unknown>"),
    }
}

/// An account by name, with `(new)` for one the plan creates.
pub(crate) fn account(account: &AccountRef) -> String {
    if account.id.is_some() {
        account.name.clone()
    } else {
        format!("{} (new)", account.name)
    }
}

/// An account group's heading: name and id, or that it is new.
pub(crate) fn account_heading(name: &str, id: Option<&str>) -> String {
    match id {
        Some(id) => format!("Account {name} ({id})"),
        None => format!("Account {name} (new)"),
    }
}

/// Where the repo declares an assignment: `accounts/payments-prod.yaml, until 2026-12-31,
/// reason: INC-4211` or `rules/security-audit.yaml#1`.
pub(crate) fn origin(origin: &Origin) -> String {
    match origin {
        Origin::Account {
            account,
            until,
            reason,
        } => {
            let mut text = format!("accounts/{account}.yaml");
            if let Some(until) = until {
                let _ = write!(text, ", until {until}");
            }
            if let Some(reason) = reason {
                let _ = write!(text, ", reason: {reason}");
            }
            text
        }
        Origin::Rule { file, entry } => format!("{file}#{entry}"),
    }
}

/// Why something goes (or, for `Declared`/`Outdated`, is changed), in a few words.
pub(crate) fn cause(cause: &Cause) -> String {
    match cause {
        Cause::Declared => "declared in the repo".to_owned(),
        Cause::Expired { until } => format!("expired on {until}"),
        Cause::Orphaned => "the principal no longer exists in the Identity Store".to_owned(),
        Cause::Undeclared => "not in the repo, exclusive is on".to_owned(),
        Cause::Renamed { from } => format!("renamed from {from}"),
        Cause::Replaced { by } => format!("permission set replaced by {by}"),
        Cause::Outdated => "roles outdated in some accounts".to_owned(),
        Cause::Closed => "account closed".to_owned(),
    }
}

/// One path to access: `via group engineers — accounts/payments-prod.yaml` for a gain,
/// `direct — expired on 2026-10-31` for a loss.
pub(crate) fn access_path(path: &AccessPath) -> String {
    let mut text = match path.principal.kind {
        PrincipalKind::User => "direct".to_owned(),
        PrincipalKind::Group => format!("via {}", principal(&path.principal)),
    };
    let mut details: Vec<String> = path.origins.iter().map(origin).collect();
    if let Some(removal) = &path.removal {
        details.push(cause(removal));
    }
    if !details.is_empty() {
        text.push_str(" — ");
        text.push_str(&details.join("; "));
    }
    text
}

/// Every path of one access change, joined.
pub(crate) fn access_paths(paths: &[AccessPath]) -> String {
    paths.iter().map(access_path).collect::<Vec<_>>().join("; ")
}

/// Why a change cannot be applied.
pub(crate) fn blocker(blocker: &Blocker) -> String {
    match blocker {
        Blocker::PrincipalNotFound { principal: who } => format!(
            "{} is not in the Identity Store (not pushed by the identity provider yet, or misspelled)",
            principal(who)
        ),
        Blocker::ManagementAccountFromDelegatedAdmin => {
            "a delegated administrator cannot change access to the management account".to_owned()
        }
        Blocker::CloseManagementAccount => "the management account cannot be closed".to_owned(),
        Blocker::AccountNotFound { id } => {
            format!("the organization has no account {id}")
        }
        Blocker::NoIdentityCenterInstance => {
            "the organization has no IAM Identity Center instance".to_owned()
        }
        Blocker::ProtectedAssignment {
            permission_set,
            principal: who,
        } => format!(
            "closing it would remove the protected assignment {permission_set} → {}",
            principal(who)
        ),
        Blocker::PermissionSetNameClash { permission_set } => format!(
            "its name differs from {permission_set}'s only in case, and permission-set names are unique regardless of case"
        ),
    }
}

/// `error`, `warning`, `note`.
pub(crate) fn severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// Why a live permission set outside the repo is kept.
pub(crate) fn kept_permission_set(because: KeptBecause) -> &'static str {
    match because {
        KeptBecause::NotExclusive => "kept: exclusive is off",
        KeptBecause::StillAssigned => "kept: still assigned",
        KeptBecause::StillProvisioned => "kept: still provisioned",
    }
}

/// Why a live assignment outside the repo is kept.
pub(crate) fn kept_assignment(because: UnmanagedBecause) -> &'static str {
    match because {
        UnmanagedBecause::UndeclaredAccount => "kept: account not in the repo",
        UnmanagedBecause::NotExclusive => "kept: exclusive is off",
        UnmanagedBecause::Protected => "kept: protected",
    }
}

/// A list of names, the first `shown` of them, then `and N more`.
pub(crate) fn name_list<'a>(names: impl ExactSizeIterator<Item = &'a str>, shown: usize) -> String {
    let total = names.len();
    let mut text = names.take(shown).collect::<Vec<_>>().join(", ");
    if total > shown {
        let _ = write!(text, " and {} more", total - shown);
    }
    text
}

/// `1 person` / `3 people`.
pub(crate) fn people(count: usize) -> String {
    if count == 1 {
        "1 person".to_owned()
    } else {
        format!("{count} people")
    }
}

/// The summary of a plan without changes. An incomplete plan cannot promise that the
/// live state matches the repo: what it could not compute may still differ.
pub(crate) fn no_changes(plan: &Plan) -> &'static str {
    if plan.complete {
        "No changes. The live state matches the repo."
    } else {
        "No changes planned, but the plan is incomplete: the live state may still differ from the repo."
    }
}

/// `1 person gains access` / `3 people gain access` (`verb` in its singular form,
/// `gains` or `loses`).
pub(crate) fn access_count(count: usize, verb: &str) -> String {
    if count == 1 {
        format!("1 person {verb} access")
    } else {
        format!("{count} people {} access", verb.trim_end_matches('s'))
    }
}

/// The one-line summary a reviewer reads first: `3 people gain access, 1 loses access, 2
/// accounts change`.
pub(crate) fn headline(summary: &Summary) -> String {
    let gaining = match summary.people_gaining {
        0 => "no one gains access".to_owned(),
        count => access_count(count, "gains"),
    };
    let losing = match summary.people_losing {
        0 => "no one loses access".to_owned(),
        1 => "1 loses access".to_owned(),
        count => format!("{count} lose access"),
    };
    let accounts = match summary.accounts_changing {
        0 => "no account changes".to_owned(),
        1 => "1 account changes".to_owned(),
        count => format!("{count} accounts change"),
    };
    format!("{gaining}, {losing}, {accounts}")
}

/// The label of a risk.
pub(crate) fn risk_kind(kind: RiskKind) -> &'static str {
    match kind {
        RiskKind::AdministratorAccess => "administrator access",
        RiskKind::ProtectedEntry => "protected entry",
        RiskKind::MassRemoval => "mass removal",
        RiskKind::RoleArnsChange => "role ARNs change",
    }
}

/// When an expiring grant ends: `2026-11-30 (today)`, `(tomorrow)`, `(in 9 days)`.
pub(crate) fn ends(grant: &ExpiringGrant) -> String {
    match grant.days_left {
        0 => format!("{} (today)", grant.until),
        1 => format!("{} (tomorrow)", grant.until),
        days => format!("{} (in {days} days)", grant.until),
    }
}

/// `1 change` / `3 changes` for any regular noun.
pub(crate) fn plural(count: usize, noun: &str) -> String {
    if count == 1 {
        format!("1 {noun}")
    } else {
        format!("{count} {noun}s")
    }
}

/// `1 more warning` / `3 more warnings`.
pub(crate) fn more(count: usize, noun: &str) -> String {
    if count == 1 {
        format!("1 more {noun}")
    } else {
        format!("{count} more {noun}s")
    }
}

/// How one changed field is shown.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum FieldView {
    /// Short values: `field: before → after`.
    Inline { before: String, after: String },
    /// Structured or long values (an inline policy, tags): a line diff of their pretty
    /// JSON, with unchanged lines as context.
    Lines(Vec<DiffLine>),
}

/// One line of a field's line diff.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct DiffLine {
    /// `+`, `-`, or ` ` for context; `…` for a run of unchanged lines left out.
    pub(crate) tag: char,
    pub(crate) text: String,
}

/// Values whose one-line form is at most this long are shown inline.
const INLINE_LIMIT: usize = 80;
/// Unchanged lines kept around each change in a line diff.
const CONTEXT_LINES: usize = 3;

/// How a field change is shown: inline when both sides are short scalars or short
/// one-line values, a line diff of pretty JSON otherwise (an inline policy always).
pub(crate) fn field_view(change: &FieldChange) -> FieldView {
    let before = displayable(&change.before);
    let after = displayable(&change.after);
    let structured = before.is_object() || after.is_object() || change.field == "inline_policy";
    let before_inline = inline_value(&before);
    let after_inline = inline_value(&after);
    if !structured && before_inline.len() <= INLINE_LIMIT && after_inline.len() <= INLINE_LIMIT {
        return FieldView::Inline {
            before: before_inline,
            after: after_inline,
        };
    }
    FieldView::Lines(line_diff(&block_value(&before), &block_value(&after)))
}

/// The lines of a whole new (or removed) value, all tagged alike.
pub(crate) fn value_lines(value: &serde_json::Value, tag: char) -> Vec<DiffLine> {
    block_value(&displayable(value))
        .lines()
        .map(|line| DiffLine {
            tag,
            text: line.to_owned(),
        })
        .collect()
}

/// A string holding a JSON document (an inline policy AWS returned as text) is shown as
/// the document, so both sides of a policy diff line up however they were spaced.
fn displayable(value: &serde_json::Value) -> serde_json::Value {
    if let serde_json::Value::String(text) = value
        && let Ok(parsed @ serde_json::Value::Object(_)) = serde_json::from_str(text)
    {
        return parsed;
    }
    value.clone()
}

/// The one-line form of a value: `(none)` for null, JSON otherwise (strings quoted, so an
/// empty string and a missing value read differently).
pub(crate) fn inline_value(value: &serde_json::Value) -> String {
    if value.is_null() {
        "(none)".to_owned()
    } else {
        value.to_string()
    }
}

/// The multi-line form of a value: pretty JSON, or the text itself for a string.
fn block_value(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::Null => String::new(),
        serde_json::Value::String(text) => text.clone(),
        other => serde_json::to_string_pretty(other)
            .expect("a serde_json::Value always serializes: its map keys are strings"),
    }
}

/// A line diff with [`CONTEXT_LINES`] of context around each change; longer unchanged
/// runs become one `…` line saying how many lines were left out.
fn line_diff(before: &str, after: &str) -> Vec<DiffLine> {
    let diff = TextDiff::from_lines(before, after);
    let groups = diff.grouped_ops(CONTEXT_LINES);
    let mut lines = Vec::new();
    for (group_index, group) in groups.iter().enumerate() {
        let first_line = group
            .first()
            .map_or(0, |operation| operation.old_range().start);
        if group_index == 0 && first_line > 0 {
            lines.push(skipped(first_line));
        }
        for operation in group {
            for change in diff.iter_changes(operation) {
                let tag = match change.tag() {
                    ChangeTag::Delete => '-',
                    ChangeTag::Insert => '+',
                    ChangeTag::Equal => ' ',
                };
                lines.push(DiffLine {
                    tag,
                    text: change.value().trim_end_matches(['\n', '\r']).to_owned(),
                });
            }
        }
        let end = group
            .last()
            .map_or(0, |operation| operation.old_range().end);
        let next_start = groups
            .get(group_index + 1)
            .and_then(|next| next.first())
            .map_or(diff.old_slices().len(), |operation| {
                operation.old_range().start
            });
        if next_start > end {
            lines.push(skipped(next_start - end));
        }
    }
    lines
}

fn skipped(count: usize) -> DiffLine {
    DiffLine {
        tag: '…',
        text: format!("({} unchanged)", plural(count, "line")),
    }
}

/// Wraps prose at `width` columns (counted in chars), continuation lines indented by
/// `indent`; words longer than the width stay whole. `None` leaves the text on one line.
pub(crate) fn wrap(text: &str, width: Option<usize>, indent: &str) -> String {
    let Some(width) = width else {
        return text.to_owned();
    };
    let mut out = String::new();
    let mut column = 0;
    for word in text.split(' ').filter(|word| !word.is_empty()) {
        let length = word.chars().count();
        if column > 0 && column + 1 + length > width {
            out.push('\n');
            out.push_str(indent);
            column = indent.chars().count();
        } else if column > 0 {
            out.push(' ');
            column += 1;
        }
        out.push_str(word);
        column += length;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_scalars_are_inline() {
        let change = FieldChange {
            field: "ou".to_owned(),
            before: serde_json::Value::Null,
            after: serde_json::json!("Products"),
        };
        assert_eq!(
            field_view(&change),
            FieldView::Inline {
                before: "(none)".to_owned(),
                after: "\"Products\"".to_owned()
            }
        );
    }

    #[test]
    fn a_policy_text_and_a_policy_document_diff_by_content_not_spacing() {
        let change = FieldChange {
            field: "inline_policy".to_owned(),
            before: serde_json::json!("{\"Version\":\"2012-10-17\",\"Statement\":[]}"),
            after: serde_json::json!({"Version": "2012-10-17", "Statement": [{"Effect": "Deny"}]}),
        };
        let FieldView::Lines(lines) = field_view(&change) else {
            panic!("a policy is shown as lines");
        };
        let changed: Vec<_> = lines.iter().filter(|line| line.tag != ' ').collect();
        assert!(changed.iter().all(|line| !line.text.contains("Version")));
        assert!(changed.iter().any(|line| line.text.contains("Deny")));
    }

    #[test]
    fn long_unchanged_runs_are_summarized() {
        let before: String =
            (0..20).fold(String::new(), |text, line| text + &format!("line {line}\n"));
        let after = before.replace("line 10\n", "line ten\n");
        let lines = line_diff(&before, &after);
        assert_eq!(lines.first().map(|line| line.tag), Some('…'));
        assert_eq!(lines.last().map(|line| line.tag), Some('…'));
        assert_eq!(lines.len(), 1 + 3 + 2 + 3 + 1);
    }

    #[test]
    fn wrap_breaks_between_words() {
        assert_eq!(
            wrap("one two three four", Some(9), "  "),
            "one two\n  three\n  four"
        );
        assert_eq!(wrap("one two", None, "  "), "one two");
    }
}
