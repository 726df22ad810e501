//! The Markdown view: the plan as a pull-request comment.
//!
//! A hidden marker first (so a CI job can find and update its own comment), a one-line
//! summary (counts and people affected), whether the plan can be applied, then the
//! per-person table (what a reviewer reads first), the warnings, the resource changes by
//! account in collapsed `<details>` sections, and what the repo does not manage.
//!
//! GitHub refuses comments over 65,536 characters. A plan that would exceed
//! [`MarkdownOptions::max_length`] is summarized, least important first: the resource
//! listing becomes counts per account, then one sentence; the unmanaged listing becomes
//! counts; then the warnings and the person table are cut with "… and N more". The
//! summary line is always kept, and a closing note says what was left out.
//!
//! Every name (people, accounts, permission sets, reasons) is escaped, so a `|` cannot
//! break the table and a `<` cannot open HTML; text inside code blocks is fenced with
//! more backticks than it contains.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use monban_plan::{AccessChange, Action, Plan, Severity};

use crate::human::{change_details, change_title, groups, status_notes};
use crate::text;

/// The first line of every plan comment, so CI can find and update its own comment.
pub const MARKDOWN_MARKER: &str = "<!-- monban-plan -->";

/// GitHub's limit on the body of an issue or pull-request comment, in characters.
pub const GITHUB_COMMENT_LIMIT: usize = 65_536;

/// The default budget: GitHub's limit less room for a CI job to add a line or two
/// (a link to the run, a timestamp) without going over.
const DEFAULT_MAX_LENGTH: usize = GITHUB_COMMENT_LIMIT - 1_536;

/// Risks listed in the head, which is never cut: more would crowd out the rest (a first
/// adoption grants administrator access on every account at once).
const HEAD_RISKS: usize = 20;

/// Grants ending soon listed in the comment (soonest first); the rest are counted.
const EXPIRING_ROWS: usize = 50;

/// Rows above which the person table is collapsed into `<details>`.
const OPEN_TABLE_ROWS: usize = 50;

/// How the Markdown view is laid out.
///
/// Construct it with `..Default::default()` so that fields added later do not break the
/// caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarkdownOptions {
    /// How to name the endpoint in the target line; `None` names it from the plan's own
    /// [`monban_plan::TargetEndpoint`].
    pub target_label: Option<String>,
    /// The longest comment to produce, in bytes (never fewer than its characters).
    /// Defaults to 64,000: under [`GITHUB_COMMENT_LIMIT`] with room to spare.
    pub max_length: usize,
}

impl Default for MarkdownOptions {
    fn default() -> Self {
        Self {
            target_label: None,
            max_length: DEFAULT_MAX_LENGTH,
        }
    }
}

/// The plan as a GitHub-flavoured Markdown comment, ending with a newline, at most
/// [`MarkdownOptions::max_length`] bytes unless even the summary alone is longer.
#[must_use]
pub fn render_markdown(plan: &Plan, options: &MarkdownOptions) -> String {
    let head = head(plan, options);
    let warnings = warning_items(plan);
    let rows = access_rows(plan);
    let unmanaged_detail = unmanaged_detail(plan);
    let unmanaged_compact = unmanaged_compact(plan);

    // Summarizing levels, least important detail dropped first.
    let resource_views = [
        resources_detail(plan),
        resources_compact(plan),
        resources_sentence(plan),
    ];
    for (level, resources) in resource_views.iter().enumerate() {
        let unmanaged = if level == 0 {
            &unmanaged_detail
        } else {
            &unmanaged_compact
        };
        let mut left_out = Vec::new();
        if level >= 1 && !plan.changes.is_empty() {
            left_out.push("the field-by-field resource changes".to_owned());
        }
        if level >= 1 && unmanaged_detail != unmanaged_compact {
            left_out.push("the list of things this repo does not manage".to_owned());
        }
        let comment = assemble(
            &head,
            &Cut::whole(&warnings),
            &Cut::whole(&rows),
            plan,
            resources,
            unmanaged,
            &left_out,
        );
        if comment.len() <= options.max_length {
            return comment;
        }
    }

    // Still too long: cut the warnings and the person table, keeping as much of both as
    // fits. Warnings may take at most a quarter of what is left (errors come first).
    let resources = &resource_views[2];
    let mut left_out = vec!["the resource changes".to_owned()];
    if unmanaged_detail != unmanaged_compact {
        left_out.push("the list of things this repo does not manage".to_owned());
    }
    let fixed = assemble(
        &head,
        &Cut::none(&warnings),
        &Cut::none(&rows),
        plan,
        resources,
        &unmanaged_compact,
        &left_out,
    )
    .len();
    let mut budget = options
        .max_length
        .saturating_sub(fixed + CUT_NOTE_ALLOWANCE);
    loop {
        let warning_cut = Cut::fitting(&warnings, budget / 4);
        let row_cut = Cut::fitting(&rows, budget.saturating_sub(warning_cut.length()));
        let mut cut_out = left_out.clone();
        if warning_cut.left_out() > 0 {
            cut_out.push(text::plural(warning_cut.left_out(), "warning"));
        }
        if row_cut.left_out() > 0 {
            cut_out.push(format!(
                "{} of the {} access changes (of {})",
                row_cut.left_out(),
                rows.len(),
                text::people(row_cut.people_left())
            ));
        }
        let comment = assemble(
            &head,
            &warning_cut,
            &row_cut,
            plan,
            resources,
            &unmanaged_compact,
            &cut_out,
        );
        // The allowance for the "… and N more" lines is an estimate; should it fall
        // short, cut further by the overshoot. Nothing left to cut ends the loop (the
        // head alone is then over the budget, which no summarizing can fix).
        let overshoot = comment.len().saturating_sub(options.max_length);
        if overshoot == 0 || budget == 0 {
            return comment;
        }
        budget = budget.saturating_sub(overshoot);
    }
}

/// Room for the "… and N more" lines a cut adds, which the first estimate lacks.
const CUT_NOTE_ALLOWANCE: usize = 600;

/// One item of a list that may be cut (a warning, a table row).
struct Item {
    /// Which person a table row belongs to (0 for warnings).
    person: usize,
    text: String,
}

/// How much of a list is shown.
struct Cut<'a> {
    items: &'a [Item],
    shown: usize,
}

impl<'a> Cut<'a> {
    fn whole(items: &'a [Item]) -> Self {
        Self {
            items,
            shown: items.len(),
        }
    }

    fn none(items: &'a [Item]) -> Self {
        Self { items, shown: 0 }
    }

    /// As many leading items as fit in `budget` bytes.
    fn fitting(items: &'a [Item], budget: usize) -> Self {
        let mut used = 0;
        let mut shown = 0;
        for item in items {
            used += item.text.len();
            if used > budget {
                break;
            }
            shown += 1;
        }
        Self { items, shown }
    }

    fn shown(&self) -> &'a [Item] {
        &self.items[..self.shown]
    }

    fn left_out(&self) -> usize {
        self.items.len() - self.shown
    }

    /// How many people have at least one row left out.
    fn people_left(&self) -> usize {
        self.items[self.shown..]
            .iter()
            .map(|item| item.person)
            .collect::<BTreeSet<_>>()
            .len()
    }

    fn length(&self) -> usize {
        self.shown().iter().map(|item| item.text.len()).sum()
    }
}

/// The marker, the summary line, the target and the status: never cut.
fn head(plan: &Plan, options: &MarkdownOptions) -> String {
    let mut out = String::new();
    line(&mut out, MARKDOWN_MARKER);
    let summary = plan.summary();
    if plan.has_changes() {
        line(
            &mut out,
            &format!("### monban plan: {}", text::headline(&summary)),
        );
    } else {
        line(
            &mut out,
            &format!("### monban plan: {}", text::no_changes(plan)),
        );
    }
    out.push('\n');
    line(
        &mut out,
        &format!(
            "{}  ",
            escape(&text::target_line(
                &plan.target,
                options.target_label.as_deref()
            ))
        ),
    );
    line(
        &mut out,
        &format!(
            "Live state read at {}; `until` dates evaluated on {} (UTC).",
            plan.read_at, plan.evaluated_on
        ),
    );
    if plan.has_changes() {
        out.push('\n');
        line(
            &mut out,
            &format!(
                "**Plan:** {} to add, {} to change, {} to remove.",
                summary.add, summary.change, summary.remove
            ),
        );
    }
    if !plan.risks.is_empty() {
        out.push('\n');
        line(&mut out, "> [!WARNING]");
        line(&mut out, "> **Look at these first:**");
        for risk in plan.risks.iter().take(HEAD_RISKS) {
            line(
                &mut out,
                &format!(
                    "> - **{}:** {}",
                    text::risk_kind(risk.kind),
                    escape(&risk.message)
                ),
            );
        }
        if plan.risks.len() > HEAD_RISKS {
            line(
                &mut out,
                &format!(
                    "> - … and {} (`monban plan` lists them all)",
                    text::more(plan.risks.len() - HEAD_RISKS, "risk")
                ),
            );
        }
    }
    let notes = status_notes(plan);
    if !notes.is_empty() {
        out.push('\n');
        line(&mut out, "> [!CAUTION]");
        for note in notes {
            // Our own sentences, with `code` meant as Markdown: not escaped.
            line(&mut out, &format!("> {note}  "));
        }
    }
    out
}

fn warning_items(plan: &Plan) -> Vec<Item> {
    let mut items = Vec::new();
    for severity in [Severity::Error, Severity::Warning, Severity::Info] {
        for warning in plan
            .warnings
            .iter()
            .filter(|warning| warning.severity == severity)
        {
            let mut text = format!(
                "- **{}:** {}",
                text::severity(severity),
                escape(&warning.message)
            );
            if let Some(address) = &warning.address {
                let _ = write!(text, " — {}", escape(&address.to_string()));
            }
            text.push('\n');
            items.push(Item { person: 0, text });
        }
    }
    items
}

/// One table row per (person, account, permission set) gained or lost; the person's
/// name only on their first row, so each person reads as one block.
fn access_rows(plan: &Plan) -> Vec<Item> {
    let mut rows = Vec::new();
    for (index, person) in plan.access.iter().enumerate() {
        let mut name = escape(&person.user_name);
        if let Some(display_name) = &person.display_name {
            let _ = write!(name, " ({})", escape(display_name));
        }
        if !person.enabled {
            name.push_str(" **disabled**");
        }
        let changes = person
            .gains
            .iter()
            .map(|gain| (gain, Action::Create))
            .chain(person.losses.iter().map(|loss| (loss, Action::Delete)));
        for (position, (change, action)) in changes.enumerate() {
            let person_cell = if position == 0 { name.as_str() } else { "" };
            rows.push(Item {
                person: index,
                text: access_row(person_cell, change, action),
            });
        }
    }
    rows
}

fn access_row(person: &str, change: &AccessChange, action: Action) -> String {
    let verb = if action == Action::Create {
        "**+ gains**"
    } else {
        "**− loses**"
    };
    format!(
        "| {person} | {} | {} | {verb} | {} |\n",
        escape(&text::account(&change.account)),
        escape(&change.permission_set),
        escape(&text::access_paths(&change.via))
    )
}

/// Every change, field by field, one collapsed section per group.
fn resources_detail(plan: &Plan) -> String {
    if plan.changes.is_empty() {
        return String::new();
    }
    let mut out = String::new();
    line(&mut out, "#### Resource changes");
    out.push('\n');
    line(&mut out, &legend(plan));
    for group in groups(plan) {
        let mut block = String::new();
        for change in &group.changes {
            line(
                &mut block,
                &format!(
                    "{:<3} {}",
                    text::symbol(change.action),
                    change_title(change)
                ),
            );
            for (tag, detail) in change_details(change) {
                // Diff lines keep their +/- in the first column, so GitHub's `diff`
                // highlighting colours them.
                let rendered = match tag {
                    None => format!("      {detail}"),
                    Some('#') => format!("      # {detail}"),
                    Some('!') => format!("!     {detail}"),
                    Some(tag) => format!("{tag}       {detail}"),
                };
                line(&mut block, &rendered);
            }
        }
        out.push('\n');
        line(
            &mut out,
            &format!(
                "<details><summary>{}: {}</summary>",
                // An HTML block: Markdown escapes would show as backslashes here.
                escape_html(&group.heading),
                counts(&group.changes)
            ),
        );
        out.push('\n');
        let fence = fence_for(&block);
        line(&mut out, &format!("{fence}diff"));
        out.push_str(&block);
        line(&mut out, &fence);
        out.push('\n');
        line(&mut out, "</details>");
    }
    out
}

/// One line per group with its counts.
fn resources_compact(plan: &Plan) -> String {
    if plan.changes.is_empty() {
        return String::new();
    }
    let mut out = String::new();
    line(&mut out, "#### Resource changes");
    out.push('\n');
    for group in groups(plan) {
        line(
            &mut out,
            &format!("- {}: {}", escape(&group.heading), counts(&group.changes)),
        );
    }
    out
}

/// One sentence.
fn resources_sentence(plan: &Plan) -> String {
    if plan.changes.is_empty() {
        return String::new();
    }
    let mut out = String::new();
    line(&mut out, "#### Resource changes");
    out.push('\n');
    line(
        &mut out,
        &format!(
            "{} in {} (listing left out for length).",
            text::plural(plan.changes.len(), "resource change"),
            text::plural(groups(plan).len(), "group")
        ),
    );
    out
}

/// `2 to add, 1 to change` for some changes (the summary's rule: a replacement is one
/// add and one remove).
fn counts(changes: &[&monban_plan::Change]) -> String {
    let add = changes.iter().filter(|change| change.action.adds()).count();
    let remove = changes
        .iter()
        .filter(|change| change.action.removes())
        .count();
    let change = changes
        .iter()
        .filter(|change| !change.action.adds() && !change.action.removes())
        .count();
    let mut parts = Vec::new();
    if add > 0 {
        parts.push(format!("{add} to add"));
    }
    if change > 0 {
        parts.push(format!("{change} to change"));
    }
    if remove > 0 {
        parts.push(format!("{remove} to remove"));
    }
    parts.join(", ")
}

/// `Symbols: + create, ~ update in place` — only the symbols the plan uses.
fn legend(plan: &Plan) -> String {
    let used: Vec<String> = text::ACTIONS
        .into_iter()
        .filter(|action| plan.changes.iter().any(|change| change.action == *action))
        .map(|action| {
            format!(
                "`{}` {}",
                text::symbol(action),
                escape(text::legend(action))
            )
        })
        .collect();
    format!("Symbols: {}.", used.join(" · "))
}

fn unmanaged_detail(plan: &Plan) -> String {
    let unmanaged = &plan.unmanaged;
    if unmanaged.is_empty() {
        return String::new();
    }
    let mut list = String::new();
    for account in &unmanaged.accounts {
        line(
            &mut list,
            &format!(
                "- account {} ({}, {}, OU {})",
                escape(&account.name),
                escape(&account.id),
                escape(&account.status),
                escape(account.ou.as_deref().unwrap_or("(root)"))
            ),
        );
    }
    for ou in &unmanaged.ous {
        line(&mut list, &format!("- OU {}", escape(ou)));
    }
    for permission_set in &unmanaged.permission_sets {
        line(
            &mut list,
            &format!(
                "- permission set {} ({})",
                escape(&permission_set.name),
                text::kept_permission_set(permission_set.kept_because)
            ),
        );
    }
    for assignment in &unmanaged.assignments {
        let orphaned = if assignment.orphaned {
            ", principal deleted"
        } else {
            ""
        };
        line(
            &mut list,
            &format!(
                "- assignment {} / {} → {} ({}{orphaned})",
                escape(&assignment.account.name),
                escape(&assignment.permission_set),
                escape(&text::principal(&assignment.principal)),
                text::kept_assignment(assignment.kept_because)
            ),
        );
    }
    let mut out = String::new();
    line(&mut out, "#### Not managed by this repo");
    out.push('\n');
    line(
        &mut out,
        &format!(
            "<details><summary>{} (reported, left alone)</summary>",
            unmanaged_counts(plan)
        ),
    );
    out.push('\n');
    out.push_str(&list);
    out.push('\n');
    line(&mut out, "</details>");
    out
}

fn unmanaged_compact(plan: &Plan) -> String {
    if plan.unmanaged.is_empty() {
        return String::new();
    }
    let mut out = String::new();
    line(&mut out, "#### Not managed by this repo");
    out.push('\n');
    line(
        &mut out,
        &format!("{} (reported, left alone).", unmanaged_counts(plan)),
    );
    out
}

fn unmanaged_counts(plan: &Plan) -> String {
    let unmanaged = &plan.unmanaged;
    [
        (unmanaged.accounts.len(), "account"),
        (unmanaged.ous.len(), "OU"),
        (unmanaged.permission_sets.len(), "permission set"),
        (unmanaged.assignments.len(), "assignment"),
    ]
    .into_iter()
    .filter(|(count, _)| *count > 0)
    .map(|(count, noun)| text::plural(count, noun))
    .collect::<Vec<_>>()
    .join(", ")
}

/// The whole comment from its parts.
fn assemble(
    head: &str,
    warnings: &Cut<'_>,
    rows: &Cut<'_>,
    plan: &Plan,
    resources: &str,
    unmanaged: &str,
    left_out: &[String],
) -> String {
    let mut out = head.to_owned();
    if plan.has_changes() || !plan.access.is_empty() {
        out.push('\n');
        line(&mut out, "#### Who gains or loses access");
        out.push('\n');
        if rows.items.is_empty() {
            line(&mut out, "No one gains or loses access.");
        } else {
            let collapsed = rows.items.len() > OPEN_TABLE_ROWS;
            if collapsed {
                line(
                    &mut out,
                    &format!(
                        "<details><summary>{} for {}</summary>",
                        text::plural(rows.items.len(), "access change"),
                        text::people(plan.access.len())
                    ),
                );
                out.push('\n');
            }
            line(
                &mut out,
                "| Person | Account | Permission set | Change | Via |",
            );
            line(&mut out, "| --- | --- | --- | --- | --- |");
            for item in rows.shown() {
                out.push_str(&item.text);
            }
            if rows.left_out() > 0 {
                out.push('\n');
                line(
                    &mut out,
                    &format!(
                        "… and {}, of {}.",
                        text::more(rows.left_out(), "access change"),
                        text::people(rows.people_left())
                    ),
                );
            }
            if collapsed {
                out.push('\n');
                line(&mut out, "</details>");
            }
        }
    }
    if !plan.expiring.is_empty() {
        out.push('\n');
        line(&mut out, "#### Access that ends soon");
        out.push('\n');
        line(
            &mut out,
            "| Who | Permission set | Account | Last day | Owners | Reason |",
        );
        line(&mut out, "| --- | --- | --- | --- | --- | --- |");
        for grant in plan.expiring.iter().take(EXPIRING_ROWS) {
            line(
                &mut out,
                &format!(
                    "| {} | {} | {} | {} | {} | {} |",
                    escape(&text::principal(&grant.principal)),
                    escape(&grant.permission_set),
                    escape(&grant.account),
                    text::ends(grant),
                    escape(&grant.owners.join(", ")),
                    escape(grant.reason.as_deref().unwrap_or(""))
                ),
            );
        }
        if plan.expiring.len() > EXPIRING_ROWS {
            out.push('\n');
            line(
                &mut out,
                &format!(
                    "… and {} (`monban plan --expiring-within` lists them all).",
                    text::more(plan.expiring.len() - EXPIRING_ROWS, "grant")
                ),
            );
        }
        out.push('\n');
        line(
            &mut out,
            "_Renew a grant by moving its `until` (in a pull request), or let it end: the scheduled job removes it the day after its last day._",
        );
    }
    if !warnings.items.is_empty() {
        out.push('\n');
        line(&mut out, "#### Errors and warnings");
        out.push('\n');
        for item in warnings.shown() {
            out.push_str(&item.text);
        }
        if warnings.left_out() > 0 {
            line(
                &mut out,
                &format!("- … and {}", text::more(warnings.left_out(), "warning")),
            );
        }
    }
    if !resources.is_empty() {
        out.push('\n');
        out.push_str(resources);
    }
    if !unmanaged.is_empty() {
        out.push('\n');
        out.push_str(unmanaged);
    }
    if !left_out.is_empty() {
        out.push('\n');
        line(
            &mut out,
            &format!(
                "_Left out to stay under GitHub's comment limit: {}. \
                 `monban plan` shows the whole plan; `monban plan --format json` gives it to tools._",
                left_out.join("; ")
            ),
        );
    }
    out
}

/// A code fence longer than any run of backticks in `content`.
fn fence_for(content: &str) -> String {
    let longest = content
        .split(|character| character != '`')
        .map(str::len)
        .max()
        .unwrap_or(0);
    "`".repeat(longest.max(2) + 1)
}

/// Text made inert in Markdown and HTML: entities for `&`, `<`, `>`; a backslash before
/// every ASCII punctuation character that could start Markdown syntax (a `|` would end a
/// table cell); `@` at the start of a word made an entity so it mentions nobody;
/// newlines made spaces.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut previous: Option<char> = None;
    for character in text.chars() {
        match character {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\n' | '\r' => out.push(' '),
            '@' if previous.is_none_or(|previous| !previous.is_alphanumeric()) => {
                out.push_str("&#64;");
            }
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' | '#' | '!' => {
                out.push('\\');
                out.push(character);
            }
            other => out.push(other),
        }
        previous = Some(character);
    }
    out
}

/// Text made inert inside an HTML block (a `<summary>`), where `CommonMark` does not process
/// backslash escapes: entities for `&`, `<`, `>`, `"`; newlines made spaces.
pub(crate) fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\n' | '\r' => out.push(' '),
            other => out.push(other),
        }
    }
    out
}

fn line(out: &mut String, text: &str) {
    // Writing to a String cannot fail.
    let _ = writeln!(out, "{text}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_neutralizes_tables_html_and_mentions() {
        assert_eq!(escape("a|b"), "a\\|b");
        assert_eq!(escape("<script>&"), "&lt;script&gt;&amp;");
        assert_eq!(escape("@team ping"), "&#64;team ping");
        assert_eq!(escape("alice@example.com"), "alice@example.com");
        assert_eq!(escape("two\nlines"), "two lines");
        assert_eq!(escape("*bold* _x_"), "\\*bold\\* \\_x\\_");
    }

    #[test]
    fn summaries_get_html_escapes_only() {
        assert_eq!(
            escape_html("Account a_b <x> (new)"),
            "Account a_b &lt;x&gt; (new)"
        );
    }

    #[test]
    fn fences_outlast_the_backticks_inside() {
        assert_eq!(fence_for("plain"), "```");
        assert_eq!(fence_for("a ```` b"), "`````");
    }
}
