//! The CSV views of a report, for spreadsheets: the inventory (one row per person,
//! account, permission set and path) and the findings. RFC 4180: comma-separated, fields
//! quoted when they hold a comma, quote or line break, CRLF line ends, a header row.
//!
//! A cell that starts with `=`, `+`, `-`, `@`, tab or carriage return is prefixed with `'`
//! so that a spreadsheet shows it as text instead of running it as a formula (OWASP "CSV
//! injection"): user names and group names come from the identity provider, not from us.

use crate::report::{Report, RowState};

fn cell(value: &str) -> String {
    let guarded = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if guarded.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

fn line(cells: &[&str]) -> String {
    let mut text = cells
        .iter()
        .map(|value| cell(value))
        .collect::<Vec<_>>()
        .join(",");
    text.push_str("\r\n");
    text
}

/// `inventory.csv`: user, account, permission set, how, repo state, where declared.
#[must_use]
pub fn inventory_csv(report: &Report) -> String {
    let mut text = line(&[
        "user_name",
        "user_id",
        "user_status",
        "account_name",
        "account_id",
        "permission_set",
        "via",
        "group_name",
        "state",
        "declared_in",
    ]);
    for row in &report.inventory {
        let status = report
            .people
            .iter()
            .find(|person| person.user_id == row.user_id)
            .map_or("", |person| match person.status {
                crate::PersonStatus::Enabled => "enabled",
                crate::PersonStatus::Disabled => "disabled",
                crate::PersonStatus::Deleted => "deleted",
            });
        let (via, group) = match &row.via {
            crate::Via::Direct => ("direct", ""),
            crate::Via::Group { group_name, .. } => ("group", group_name.as_str()),
        };
        text.push_str(&line(&[
            &row.user_name,
            &row.user_id,
            status,
            &row.account_name,
            &row.account_id,
            &row.permission_set,
            via,
            group,
            row.state.map_or("", RowState::as_str),
            &row.declared_in.join(" "),
        ]));
    }
    text
}

/// `findings.csv`: severity, rule, title, what it concerns, explanation, fix, key.
#[must_use]
pub fn findings_csv(report: &Report) -> String {
    let mut text = line(&[
        "severity",
        "rule",
        "title",
        "principal_type",
        "principal_name",
        "principal_id",
        "account_name",
        "account_id",
        "permission_set",
        "explanation",
        "fix",
        "key",
    ]);
    for finding in &report.findings {
        let (principal_type, principal_name, principal_id) =
            finding
                .principal
                .as_ref()
                .map_or(("", "", ""), |principal| {
                    (
                        match principal.principal_type {
                            monban_model::LivePrincipalType::User => "USER",
                            monban_model::LivePrincipalType::Group => "GROUP",
                        },
                        principal.name.as_deref().unwrap_or(""),
                        principal.id.as_str(),
                    )
                });
        let (account_name, account_id) = finding.account.as_ref().map_or(("", ""), |account| {
            (account.name.as_deref().unwrap_or(""), account.id.as_str())
        });
        text.push_str(&line(&[
            finding.severity.as_str(),
            &finding.rule,
            &finding.title,
            principal_type,
            principal_name,
            principal_id,
            account_name,
            account_id,
            finding.permission_set.as_deref().unwrap_or(""),
            &finding.explanation,
            &finding.fix,
            &finding.key,
        ]));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::cell;

    #[test]
    fn cells_are_quoted_and_formulas_neutralised() {
        assert_eq!(cell("plain"), "plain");
        assert_eq!(cell("a,b"), "\"a,b\"");
        assert_eq!(cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(cell("-1"), "'-1");
        assert_eq!(cell("line\nbreak"), "\"line\nbreak\"");
    }
}
