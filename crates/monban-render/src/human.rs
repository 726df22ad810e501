//! The human view: what `monban plan` prints on a terminal.
//!
//! Order is what a reviewer needs first: the target, then who gains or loses which
//! access, then the resource changes grouped by what they belong to (OUs, permission
//! sets, each account), then what the repo does not manage, the warnings (errors first),
//! whether the plan is complete and applyable, and last the one-line summary
//! (`Plan: N to add, N to change, N to remove.`), as Terraform ends its plans.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use monban_plan::{
    AccessChange, AccountState, Action, Address, BoundaryState, Change, PermissionSetState,
    PersonAccess, Plan, Resource, Severity,
};
use owo_colors::{OwoColorize as _, Style};

use crate::text::{self, DiffLine, FieldView};

/// How the human view is laid out.
///
/// Construct it with `..Default::default()` so that fields added later do not break the
/// caller.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HumanOptions {
    /// ANSI colours. The caller decides (a terminal, and no `NO_COLOR`); `false` gives
    /// plain text without a single escape sequence.
    pub colour: bool,
    /// The terminal's width: prose (warnings, notes) is wrapped to it. `None` keeps
    /// every message on one line (for pipes, files and tests).
    pub width: Option<usize>,
    /// How to name the endpoint in the first line (`Target: <label> — organization …`),
    /// e.g. the sandbox's state directory or the `--endpoint-url`. `None` names it from
    /// the plan's own [`monban_plan::TargetEndpoint`].
    pub target_label: Option<String>,
}

/// The plan as terminal text, ending with a newline.
#[must_use]
pub fn render_human(plan: &Plan, options: &HumanOptions) -> String {
    let paint = Paint {
        colour: options.colour,
    };
    let mut out = String::new();
    line(
        &mut out,
        &paint.bold(&text::target_line(
            &plan.target,
            options.target_label.as_deref(),
        )),
    );
    line(
        &mut out,
        &paint.dim(&format!(
            "Live state read at {}; `until` dates evaluated on {} (UTC).",
            plan.read_at, plan.evaluated_on
        )),
    );

    if !plan.risks.is_empty() {
        out.push('\n');
        line(&mut out, &paint.bold("Look at these first:"));
        for risk in &plan.risks {
            line(
                &mut out,
                &format!(
                    "  {} {}",
                    paint.warning(&format!("! {}:", text::risk_kind(risk.kind))),
                    risk.message
                ),
            );
        }
    }
    if plan.has_changes() || !plan.access.is_empty() {
        out.push('\n');
        write_access(&mut out, plan, &paint);
    }
    if !plan.expiring.is_empty() {
        out.push('\n');
        line(&mut out, &paint.bold("Access that ends soon:"));
        for grant in &plan.expiring {
            let mut text = format!(
                "  {} · {} on {} · last day {}",
                text::principal(&grant.principal),
                grant.permission_set,
                grant.account,
                text::ends(grant)
            );
            if !grant.owners.is_empty() {
                let _ = write!(text, " · owners {}", grant.owners.join(", "));
            }
            if let Some(reason) = &grant.reason {
                let _ = write!(text, " · reason: {reason}");
            }
            line(&mut out, &text);
        }
    }
    if plan.has_changes() {
        out.push('\n');
        write_changes(&mut out, plan, &paint);
    }
    if !plan.unmanaged.is_empty() {
        out.push('\n');
        write_unmanaged(&mut out, plan, &paint);
    }
    if !plan.warnings.is_empty() {
        out.push('\n');
        write_warnings(&mut out, plan, &paint, options.width);
    }
    let status = status_notes(plan);
    if !status.is_empty() {
        out.push('\n');
        for note in status {
            line(
                &mut out,
                &paint.error(&text::wrap(&note, options.width, "  ")),
            );
        }
    }

    out.push('\n');
    if plan.has_changes() {
        let summary = plan.summary();
        line(
            &mut out,
            &paint.bold(&format!(
                "Plan: {} to add, {} to change, {} to remove.",
                summary.add, summary.change, summary.remove
            )),
        );
    } else {
        line(&mut out, &paint.bold(text::no_changes(plan)));
    }
    out
}

/// The per-person access diff.
fn write_access(out: &mut String, plan: &Plan, paint: &Paint) {
    if plan.access.is_empty() {
        line(out, &paint.bold("No one gains or loses access."));
        return;
    }
    let summary = plan.summary();
    line(
        out,
        &paint.bold(&format!(
            "Access changes: {}, {}.",
            text::access_count(summary.people_gaining, "gains"),
            text::access_count(summary.people_losing, "loses")
        )),
    );
    for person in &plan.access {
        out.push('\n');
        line(out, &format!("  {}", person_heading(person, paint)));
        for gain in &person.gains {
            line(out, &access_line(gain, Action::Create, paint));
        }
        for loss in &person.losses {
            line(out, &access_line(loss, Action::Delete, paint));
        }
    }
}

/// `alice@example.com (Alice Liddell)`, marked when the user is disabled.
fn person_heading(person: &PersonAccess, paint: &Paint) -> String {
    let mut heading = paint.bold(&person.user_name);
    if let Some(display_name) = &person.display_name {
        let _ = write!(heading, " ({display_name})");
    }
    if !person.enabled {
        let _ = write!(heading, "  {}", paint.warning("[disabled: cannot sign in]"));
    }
    heading
}

/// `    + payments-prod / ReadOnly  (via group engineers — accounts/payments-prod.yaml)`.
fn access_line(change: &AccessChange, action: Action, paint: &Paint) -> String {
    format!(
        "    {} {} / {}  {}",
        paint.action(action, text::symbol(action)),
        text::account(&change.account),
        change.permission_set,
        paint.dim(&format!("({})", text::access_paths(&change.via)))
    )
}

/// The resource changes, grouped: OUs, permission sets, then each account by name;
/// within a group in the plan's (apply) order.
fn write_changes(out: &mut String, plan: &Plan, paint: &Paint) {
    line(out, &paint.bold("Resource changes. Symbols:"));
    for action in text::ACTIONS {
        if plan.changes.iter().any(|change| change.action == action) {
            line(
                out,
                &format!(
                    "  {} {}",
                    paint.action(action, &format!("{:>3}", text::symbol(action))),
                    text::legend(action)
                ),
            );
        }
    }
    for group in groups(plan) {
        out.push('\n');
        line(out, &format!("  {}", paint.bold(&group.heading)));
        for change in group.changes {
            write_change(out, change, paint);
        }
    }
}

/// A heading and the changes under it.
pub(crate) struct Group<'a> {
    pub(crate) heading: String,
    pub(crate) changes: Vec<&'a Change>,
}

/// The plan's changes grouped for display: OUs, permission sets, then one group per
/// account (sorted by name).
pub(crate) fn groups(plan: &Plan) -> Vec<Group<'_>> {
    let mut ous = Vec::new();
    let mut permission_sets = Vec::new();
    let mut accounts: BTreeMap<&str, (Option<&str>, Vec<&Change>)> = BTreeMap::new();
    for change in &plan.changes {
        match &change.address {
            Address::Ou { .. } => ous.push(change),
            Address::PermissionSet { .. } => permission_sets.push(change),
            Address::Account { account } | Address::Assignment { account, .. } => {
                let entry = accounts.entry(account).or_default();
                if entry.0.is_none() {
                    entry.0 = account_id(change);
                }
                entry.1.push(change);
            }
        }
    }
    let mut groups = Vec::new();
    if !ous.is_empty() {
        groups.push(Group {
            heading: "Organizational units".to_owned(),
            changes: ous,
        });
    }
    if !permission_sets.is_empty() {
        groups.push(Group {
            heading: "Permission sets".to_owned(),
            changes: permission_sets,
        });
    }
    for (name, (id, changes)) in accounts {
        // An account whose invitation is pending has no id in its changes, and is not new.
        let pending = id.is_none() && plan.warnings.iter().any(|warning| {
            warning.code == monban_plan::WarningCode::InvitationPending
                && matches!(&warning.address, Some(Address::Account { account }) if account == name)
        });
        groups.push(Group {
            heading: if pending {
                format!("Account {name} (invitation pending)")
            } else {
                text::account_heading(name, id)
            },
            changes,
        });
    }
    groups
}

/// The live id of the account a change belongs to, as its resources state it.
fn account_id(change: &Change) -> Option<&str> {
    [&change.before, &change.after]
        .into_iter()
        .flatten()
        .find_map(|resource| match resource {
            Resource::Account(account) => account.id.as_deref(),
            Resource::Assignment(assignment) => assignment.account.id.as_deref(),
            Resource::Ou(_) | Resource::PermissionSet(_) => None,
        })
}

/// What a change is called inside its group.
pub(crate) fn change_title(change: &Change) -> String {
    match &change.address {
        Address::Ou { path } => path.clone(),
        Address::Account { account } => format!("account {account}"),
        Address::PermissionSet { permission_set } => permission_set.clone(),
        Address::Assignment {
            permission_set,
            principal,
            ..
        } => format!("{permission_set} → {}", text::principal(principal)),
    }
}

/// The lines under a change's title: what it sets or changes, where it is provisioned,
/// why, and what blocks it. Without symbols' colour, for reuse in the Markdown view.
pub(crate) fn change_details(change: &Change) -> Vec<(Option<char>, String)> {
    let mut details: Vec<(Option<char>, String)> = Vec::new();
    // A created resource shows what it will be; other actions show their field changes
    // (a deletion needs no more than its title).
    if change.action == Action::Create
        && let Some(after) = &change.after
    {
        resource_details(after, &mut details);
    }
    for field in &change.fields {
        match text::field_view(field) {
            FieldView::Inline { before, after } => {
                details.push((None, format!("{}: {before} → {after}", field.field)));
            }
            FieldView::Lines(lines) => {
                details.push((None, format!("{}:", field.field)));
                push_diff_lines(&mut details, lines);
            }
        }
    }
    if !change.provision.is_empty() {
        details.push((
            None,
            format!(
                "provisioned into {}",
                text::name_list(
                    change.provision.iter().map(|account| account.name.as_str()),
                    PROVISION_SHOWN
                )
            ),
        ));
    }
    // A created assignment already shows where it is declared (with its `until` and
    // `reason`); the plan's reason for it says the same in fewer words, so it is left out.
    let declared_shown = change.action == Action::Create
        && matches!(&change.after, Some(Resource::Assignment(assignment)) if !assignment.origins.is_empty())
        && change.reason.starts_with("declared in ");
    if !change.reason.is_empty()
        && !declared_shown
        && !details
            .iter()
            .any(|(tag, detail)| tag.is_none() && *detail == change.reason)
    {
        details.push((Some('#'), change.reason.clone()));
    }
    for blocker in &change.blocked_by {
        details.push((Some('!'), format!("blocked: {}", text::blocker(blocker))));
    }
    details
}

/// Accounts listed by name under a provisioning change before `and N more`.
const PROVISION_SHOWN: usize = 10;

fn push_diff_lines(details: &mut Vec<(Option<char>, String)>, lines: Vec<DiffLine>) {
    for diff_line in lines {
        details.push((Some(diff_line.tag), diff_line.text));
    }
}

/// The attributes a created resource will have.
fn resource_details(resource: &Resource, details: &mut Vec<(Option<char>, String)>) {
    match resource {
        Resource::Ou(_) => {}
        Resource::Account(account) => account_details(account, details),
        Resource::PermissionSet(permission_set) => {
            permission_set_details(permission_set, details);
        }
        Resource::Assignment(assignment) => {
            if !assignment.origins.is_empty() {
                details.push((
                    None,
                    format!(
                        "declared in {}",
                        assignment
                            .origins
                            .iter()
                            .map(text::origin)
                            .collect::<Vec<_>>()
                            .join("; ")
                    ),
                ));
            }
        }
    }
}

fn account_details(account: &AccountState, details: &mut Vec<(Option<char>, String)>) {
    if let Some(email) = &account.email {
        details.push((None, format!("email: {email}")));
    }
    details.push((
        None,
        format!("ou: {}", account.ou.as_deref().unwrap_or("(root)")),
    ));
    if !account.tags.is_empty() {
        details.push((None, format!("tags: {}", json_inline(&account.tags))));
    }
}

fn permission_set_details(
    permission_set: &PermissionSetState,
    details: &mut Vec<(Option<char>, String)>,
) {
    let optional = [
        ("description", &permission_set.description),
        ("session_duration", &permission_set.session_duration),
        ("relay_state", &permission_set.relay_state),
    ];
    for (field, value) in optional {
        if let Some(value) = value {
            details.push((None, format!("{field}: {}", json_inline(value))));
        }
    }
    if !permission_set.managed_policies.is_empty() {
        details.push((
            None,
            format!(
                "managed_policies: {}",
                permission_set.managed_policies.join(", ")
            ),
        ));
    }
    if !permission_set.customer_managed_policies.is_empty() {
        let policies: Vec<String> = permission_set
            .customer_managed_policies
            .iter()
            .map(|policy| format!("{}{}", policy.path, policy.name))
            .collect();
        details.push((
            None,
            format!("customer_managed_policies: {}", policies.join(", ")),
        ));
    }
    if let Some(boundary) = &permission_set.permissions_boundary {
        let boundary = match boundary {
            BoundaryState::ManagedPolicy { arn } => arn.clone(),
            BoundaryState::CustomerManagedPolicy { name, path } => {
                format!("customer-managed policy {path}{name}")
            }
        };
        details.push((None, format!("permissions_boundary: {boundary}")));
    }
    if !permission_set.tags.is_empty() {
        details.push((None, format!("tags: {}", json_inline(&permission_set.tags))));
    }
    if let Some(policy) = &permission_set.inline_policy {
        details.push((None, "inline_policy:".to_owned()));
        push_diff_lines(
            details,
            text::value_lines(&serde_json::Value::String(policy.clone()), '+'),
        );
    }
}

/// One-line JSON of a plain value.
fn json_inline(value: &impl serde::Serialize) -> String {
    serde_json::to_string(value)
        .expect("plain plan data (strings, string-keyed maps, lists) always serializes")
}

fn write_change(out: &mut String, change: &Change, paint: &Paint) {
    line(
        out,
        &format!(
            "  {} {}",
            paint.action(
                change.action,
                &format!("{:>3}", text::symbol(change.action))
            ),
            change_title(change)
        ),
    );
    for (tag, detail) in change_details(change) {
        let rendered = match tag {
            None => detail,
            Some('#') => paint.dim(&format!("# {detail}")),
            Some('!') => paint.error(&detail),
            Some('+') => paint.action(Action::Create, &format!("+ {detail}")),
            Some('-') => paint.action(Action::Delete, &format!("- {detail}")),
            Some('…') => paint.dim(&format!("… {detail}")),
            Some(other) => format!("{other} {detail}"),
        };
        line(out, &format!("        {rendered}"));
    }
}

/// What the live state holds outside the repo.
fn write_unmanaged(out: &mut String, plan: &Plan, paint: &Paint) {
    let unmanaged = &plan.unmanaged;
    line(
        out,
        &paint.bold("Not managed by this repo (reported, left alone):"),
    );
    if !unmanaged.accounts.is_empty() {
        line(out, "  accounts without an account file:");
        for account in &unmanaged.accounts {
            line(
                out,
                &format!(
                    "    {} ({}, {}, OU {}, {})",
                    account.name,
                    account.id,
                    account.status,
                    account.ou.as_deref().unwrap_or("(root)"),
                    account.email
                ),
            );
        }
    }
    if !unmanaged.ous.is_empty() {
        line(
            out,
            &format!(
                "  OUs not in organization.ous: {}",
                unmanaged.ous.join(", ")
            ),
        );
    }
    if !unmanaged.permission_sets.is_empty() {
        line(out, "  permission sets without a file:");
        for permission_set in &unmanaged.permission_sets {
            line(
                out,
                &format!(
                    "    {} ({})",
                    permission_set.name,
                    text::kept_permission_set(permission_set.kept_because)
                ),
            );
        }
    }
    if !unmanaged.assignments.is_empty() {
        line(out, "  assignments not in the repo:");
        for assignment in &unmanaged.assignments {
            let orphaned = if assignment.orphaned {
                ", principal deleted"
            } else {
                ""
            };
            line(
                out,
                &format!(
                    "    {} / {} → {} ({}{orphaned})",
                    assignment.account.name,
                    assignment.permission_set,
                    text::principal(&assignment.principal),
                    text::kept_assignment(assignment.kept_because)
                ),
            );
        }
    }
}

/// Warnings, errors first.
fn write_warnings(out: &mut String, plan: &Plan, paint: &Paint, width: Option<usize>) {
    for severity in [Severity::Error, Severity::Warning, Severity::Info] {
        for warning in plan
            .warnings
            .iter()
            .filter(|warning| warning.severity == severity)
        {
            let label = format!("{}:", text::severity(severity));
            let mut message = format!("{label} {}", warning.message);
            if let Some(address) = &warning.address {
                let _ = write!(message, " [{address}]");
            }
            // Wrapped with its label, then the label coloured: escape sequences must not
            // count towards the width.
            let wrapped = text::wrap(&message, width, "  ");
            let rest = &wrapped[label.len()..];
            let label = match severity {
                Severity::Error => paint.error(&label),
                Severity::Warning => paint.warning(&label),
                Severity::Info => paint.bold(&label),
            };
            line(out, &format!("{label}{rest}"));
        }
    }
}

/// Sentences saying, when it is so, that the plan is incomplete or cannot be applied.
pub(crate) fn status_notes(plan: &Plan) -> Vec<String> {
    let mut notes = Vec::new();
    if !plan.complete {
        notes.push(
            "This plan is incomplete: applying it would not bring the organization to the \
             repo's state (see the errors)."
                .to_owned(),
        );
    }
    if !plan.applyable {
        let blocked = plan
            .changes
            .iter()
            .filter(|change| !change.is_applyable())
            .count();
        let errors = plan.warnings_at_least(Severity::Error).count();
        let mut reasons = Vec::new();
        if blocked > 0 {
            reasons.push(format!("{} blocked", text::plural(blocked, "change")));
        }
        if errors > 0 {
            reasons.push(text::plural(errors, "error"));
        }
        let because = if reasons.is_empty() {
            String::new()
        } else {
            format!(" ({})", reasons.join(", "))
        };
        notes.push(format!(
            "This plan cannot be applied{because}: `monban apply` will refuse it."
        ));
    }
    notes
}

fn line(out: &mut String, text: &str) {
    // Writing to a String cannot fail.
    let _ = writeln!(out, "{text}");
}

/// Colour, or none at all.
struct Paint {
    colour: bool,
}

impl Paint {
    fn style(&self, text: &str, style: Style) -> String {
        if self.colour {
            text.style(style).to_string()
        } else {
            text.to_owned()
        }
    }

    fn bold(&self, text: &str) -> String {
        self.style(text, Style::new().bold())
    }

    fn dim(&self, text: &str) -> String {
        self.style(text, Style::new().dimmed())
    }

    fn error(&self, text: &str) -> String {
        self.style(text, Style::new().red().bold())
    }

    fn warning(&self, text: &str) -> String {
        self.style(text, Style::new().yellow().bold())
    }

    fn action(&self, action: Action, text: &str) -> String {
        let style = match action {
            Action::Create => Style::new().green(),
            Action::Update => Style::new().yellow(),
            Action::Replace => Style::new().magenta(),
            Action::Provision => Style::new().cyan(),
            Action::Delete => Style::new().red(),
            Action::Close => Style::new().red().bold(),
            Action::Invite => Style::new().green().italic(),
        };
        self.style(text, style)
    }
}
