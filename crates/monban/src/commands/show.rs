//! `monban show account` and `monban show who`: read-only answers to "who can get into
//! this account?" and "where can this principal get in?", computed from the repo's
//! assignments (account files and rules) and, with `--directory`, the `IdP` group members.

use monban_config::model::{Assignment, AssignmentOrigin, Directory, PrincipalRef, Repo};

use crate::ExitStatus;
use crate::printer::Printer;
use crate::settings::{ShowAccountSettings, ShowSettings, ShowWhoSettings};

/// The repo (refused when it has validation errors) and the optional directory snapshot.
struct Loaded {
    repo: Repo,
    directory: Option<Directory>,
}

/// Loads the repo and the directory; `None` after printing why when either is invalid,
/// because answers computed from a broken repo would be misleading.
fn load(settings: &ShowSettings, printer: &Printer) -> anyhow::Result<Option<Loaded>> {
    let (repo, diagnostics) =
        monban_config::load_repo(&settings.repo.root, &settings.load_options)?;
    let shown = monban_config::display_path(&settings.repo.display);
    if diagnostics.has_errors() {
        printer.log(format!(
            "error: {shown} has validation errors, so its access cannot be shown"
        ));
        printer.log(format!(
            "hint: run `monban validate --repo {shown}` and fix the errors first"
        ));
        return Ok(None);
    }
    let directory = match &settings.directory {
        None => None,
        Some(path) => {
            let (directory, diagnostics) = monban_config::load_directory(path)?;
            if diagnostics.has_errors() {
                let shown = monban_config::display_path(path);
                printer.log(format!(
                    "error: the directory snapshot {shown} is not valid"
                ));
                printer.log(format!(
                    "hint: run `monban validate --directory {shown}` to see its errors"
                ));
                return Ok(None);
            }
            Some(directory)
        }
    };
    Ok(Some(Loaded { repo, directory }))
}

/// `rule <file>#<n>` or `direct`.
fn origin_text(origin: &AssignmentOrigin) -> String {
    match origin {
        AssignmentOrigin::Account => "direct".to_owned(),
        AssignmentOrigin::Rule(rule) => format!("rule {}#{}", rule.file, rule.index),
    }
}

fn principal_text(principal: &PrincipalRef) -> String {
    format!("{}:{}", principal.kind(), principal.name())
}

fn until_text(assignment: &Assignment, settings: &ShowSettings) -> String {
    match assignment.until {
        None => "-".to_owned(),
        Some(until) if assignment.is_active_on(settings.load_options.today) => until.to_string(),
        Some(until) => format!("{until} (expired)"),
    }
}

fn reason_text(assignment: &Assignment) -> String {
    assignment.reason.clone().unwrap_or_else(|| "-".to_owned())
}

/// Prints rows as columns padded to the widest cell, the header first.
fn print_table(printer: &Printer, header: &[&str], rows: &[Vec<String>]) {
    let mut widths: Vec<usize> = header.iter().map(|cell| cell.chars().count()).collect();
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<String>| {
        let last = cells.len().saturating_sub(1);
        cells
            .into_iter()
            .zip(&widths)
            .enumerate()
            .map(|(index, (cell, width))| {
                if index == last {
                    cell
                } else {
                    format!("{cell:<width$}")
                }
            })
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_owned()
    };
    printer.data(line(header.iter().map(|cell| (*cell).to_owned()).collect()));
    for row in rows {
        printer.data(line(row.clone()));
    }
}

/// The closest known name to a misspelt one (edit distance at most a third of its length).
fn did_you_mean<'name>(
    input: &str,
    candidates: impl IntoIterator<Item = &'name str>,
) -> Option<&'name str> {
    let limit = (input.chars().count() / 3).max(2);
    candidates
        .into_iter()
        .map(|candidate| (edit_distance(input, candidate), candidate))
        .filter(|(distance, _)| *distance <= limit)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

/// Levenshtein distance, case-insensitive.
fn edit_distance(left: &str, right: &str) -> usize {
    let left: Vec<char> = left.to_lowercase().chars().collect();
    let right: Vec<char> = right.to_lowercase().chars().collect();
    let mut previous: Vec<usize> = (0..=right.len()).collect();
    for (row, left_char) in left.iter().enumerate() {
        let mut current = vec![row + 1];
        for (column, right_char) in right.iter().enumerate() {
            let substitution = previous[column] + usize::from(left_char != right_char);
            let value = substitution
                .min(previous[column + 1] + 1)
                .min(current[column] + 1);
            current.push(value);
        }
        previous = current;
    }
    previous[right.len()]
}

fn suggestion(input: &str, candidates: Vec<&str>) -> String {
    did_you_mean(input, candidates)
        .map(|name| format!(" (did you mean `{name}`?)"))
        .unwrap_or_default()
}

pub fn account(settings: &ShowAccountSettings, printer: &Printer) -> anyhow::Result<ExitStatus> {
    let Some(loaded) = load(&settings.show, printer)? else {
        return Ok(ExitStatus::Failure);
    };
    let Some(account) = loaded
        .repo
        .accounts
        .keys()
        .find(|name| name.as_str() == settings.account)
    else {
        let names = loaded
            .repo
            .accounts
            .keys()
            .map(monban_config::model::AccountName::as_str)
            .collect();
        anyhow::bail!(
            "no account `{}` in this repo{}",
            settings.account,
            suggestion(&settings.account, names)
        );
    };

    let mut rows = Vec::new();
    for assignment in loaded.repo.assignments() {
        if &assignment.account != account {
            continue;
        }
        let via = origin_text(&assignment.origin);
        let until = until_text(&assignment, &settings.show);
        let reason = reason_text(&assignment);
        rows.push(vec![
            assignment.permission_set.to_string(),
            principal_text(&assignment.principal),
            via.clone(),
            until.clone(),
            reason.clone(),
        ]);
        if let (Some(directory), PrincipalRef::Group(group)) =
            (&loaded.directory, &assignment.principal)
            && let Some(members) = directory.groups.get(group)
        {
            for member in &members.members {
                rows.push(vec![
                    assignment.permission_set.to_string(),
                    format!("user:{member} via group:{group}"),
                    via.clone(),
                    until.clone(),
                    reason.clone(),
                ]);
            }
        }
    }
    if rows.is_empty() {
        printer.log(format!("nobody has access to {account}"));
        return Ok(ExitStatus::Success);
    }
    print_table(
        printer,
        &["PERMISSION SET", "PRINCIPAL", "THROUGH", "UNTIL", "REASON"],
        &rows,
    );
    Ok(ExitStatus::Success)
}

pub fn who(settings: &ShowWhoSettings, printer: &Printer) -> anyhow::Result<ExitStatus> {
    let Some(loaded) = load(&settings.show, printer)? else {
        return Ok(ExitStatus::Failure);
    };
    let principal = resolve_principal(&loaded, &settings.principal)?;

    // The user's groups in the directory, whose grants reach the user too.
    let groups: Vec<String> = match (&loaded.directory, &principal) {
        (Some(directory), PrincipalRef::User(user)) => directory
            .groups_of(user)
            .map(|group| group.display_name.to_string())
            .collect(),
        _ => Vec::new(),
    };

    let mut rows = Vec::new();
    for assignment in loaded.repo.assignments() {
        let through = if assignment.principal == principal {
            origin_text(&assignment.origin)
        } else if let PrincipalRef::Group(group) = &assignment.principal
            && groups.iter().any(|name| name == group.as_str())
        {
            format!("group:{group}, {}", origin_text(&assignment.origin))
        } else {
            continue;
        };
        rows.push(vec![
            assignment.account.to_string(),
            assignment.permission_set.to_string(),
            through,
            until_text(&assignment, &settings.show),
            reason_text(&assignment),
        ]);
    }
    if rows.is_empty() {
        printer.log(format!(
            "{} has no access to any account",
            principal_text(&principal)
        ));
        return Ok(ExitStatus::Success);
    }
    print_table(
        printer,
        &["ACCOUNT", "PERMISSION SET", "THROUGH", "UNTIL", "REASON"],
        &rows,
    );
    Ok(ExitStatus::Success)
}

/// `group:NAME`, `user:NAME`, or a bare name that is one of the repo's groups or users
/// (or, with `--directory`, a user of the directory: people reached only through groups).
fn resolve_principal(loaded: &Loaded, input: &str) -> anyhow::Result<PrincipalRef> {
    let repo = &loaded.repo;
    let (kind, name) = match input.split_once(':') {
        Some((kind @ ("group" | "user"), name)) => (Some(kind), name),
        _ => (None, input),
    };
    if kind != Some("user")
        && let Some(group) = repo.groups.iter().find(|group| group.as_str() == name)
    {
        return Ok(PrincipalRef::Group(group.clone()));
    }
    if kind != Some("group")
        && let Some(user) = repo.users.iter().find(|user| user.as_str() == name)
    {
        return Ok(PrincipalRef::User(user.clone()));
    }
    if kind != Some("group")
        && let Some(user) = loaded
            .directory
            .iter()
            .flat_map(|directory| directory.users.keys())
            .find(|user| user.as_str() == name)
    {
        return Ok(PrincipalRef::User(user.clone()));
    }
    let mut candidates: Vec<&str> = Vec::new();
    if kind != Some("user") {
        candidates.extend(
            repo.groups
                .iter()
                .map(monban_config::model::GroupName::as_str),
        );
    }
    if kind != Some("group") {
        candidates.extend(
            repo.users
                .iter()
                .map(monban_config::model::UserName::as_str),
        );
    }
    let what = kind.unwrap_or("group or user");
    anyhow::bail!(
        "no {what} `{name}` in groups.yaml{}",
        suggestion(name, candidates)
    )
}

#[cfg(test)]
mod tests {
    use super::{did_you_mean, edit_distance};

    #[test]
    fn edit_distance_counts_edits() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("same", "SAME"), 0);
        assert_eq!(edit_distance("", "abc"), 3);
    }

    #[test]
    fn suggests_only_close_names() {
        let known = ["org-management", "log-archive", "network"];
        assert_eq!(did_you_mean("org-managment", known), Some("org-management"));
        assert_eq!(did_you_mean("zzzzzzzz", known), None);
    }
}
