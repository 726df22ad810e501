//! `monban grant`, `revoke`, `offboard` and `fmt`: the pull-request workflow's edits of the
//! access repo (docs/reference/editing.md). Each loads the repo, makes its edit in memory
//! (`monban_config::edit`), loads and validates the edited repo from memory, and only then
//! writes the changed files, each atomically. Nothing is written when anything fails.

use std::path::PathBuf;

use clap::{ArgGroup, Args};
use monban_config::edit::{self, EditError, GrantOutcome, GrantRequest, RevokeOutcome, Workspace};
use monban_config::model::{PrincipalRef, Repo, Until, UserName};
use monban_config::{LoadOptions, Severity};

use crate::ExitStatus;
use crate::cli::RepoArgs;
use crate::printer::Printer;
use crate::settings::{RepoLocation, load_options};

/// The conventional name of the directory snapshot inside an access repo.
const DIRECTORY_FILE: &str = "directory.yaml";

/// `--group G | --user U`.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("principal").required(true).args(["group", "user"])))]
pub struct PrincipalArgs {
    /// The IdP group (display name, declared in groups.yaml).
    #[arg(long, value_name = "GROUP")]
    pub group: Option<String>,
    /// The IdP user (user name, declared in groups.yaml).
    #[arg(long, value_name = "USER")]
    pub user: Option<String>,
}

impl PrincipalArgs {
    fn kind_and_name(&self) -> (&'static str, &str) {
        match (&self.group, &self.user) {
            (Some(group), _) => ("group", group),
            (None, Some(user)) => ("user", user),
            // clap's required group guarantees one of the two.
            (None, None) => ("group", ""),
        }
    }
}

/// `monban grant`.
#[derive(Debug, Args)]
pub struct GrantArgs {
    #[command(flatten)]
    pub principal: PrincipalArgs,
    /// The permission set (a file in permission-sets/).
    #[arg(value_name = "PERMISSION_SET")]
    pub permission_set: String,
    /// The accounts (file names in accounts/, without `.yaml`).
    #[arg(value_name = "ACCOUNT", required = true)]
    pub accounts: Vec<String>,
    /// The last day of the access (YYYY-MM-DD, inclusive, UTC).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub until: Option<String>,
    /// Why (a ticket, a justification), written as `reason:`.
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
    /// The IdP directory snapshot a user not yet declared in groups.yaml must be in
    /// (default: directory.yaml in the repo, when present).
    #[arg(long, value_name = "FILE")]
    pub directory: Option<PathBuf>,
    #[command(flatten)]
    pub repo: RepoArgs,
    /// The date (YYYY-MM-DD, UTC) that counts as today; for tests.
    #[arg(long, value_name = "DATE", hide = true, env = "MONBAN_TODAY")]
    pub today: Option<String>,
}

/// `monban revoke`.
#[derive(Debug, Args)]
pub struct RevokeArgs {
    #[command(flatten)]
    pub principal: PrincipalArgs,
    /// The permission set.
    #[arg(value_name = "PERMISSION_SET")]
    pub permission_set: String,
    /// The accounts.
    #[arg(value_name = "ACCOUNT", required = true)]
    pub accounts: Vec<String>,
    #[command(flatten)]
    pub repo: RepoArgs,
    /// The date (YYYY-MM-DD, UTC) that counts as today; for tests.
    #[arg(long, value_name = "DATE", hide = true, env = "MONBAN_TODAY")]
    pub today: Option<String>,
}

/// `monban offboard`.
#[derive(Debug, Args)]
pub struct OffboardArgs {
    /// The leaver's user name.
    #[arg(value_name = "USER")]
    pub user: String,
    /// The IdP directory snapshot to find the groups that still give the user access
    /// (default: directory.yaml in the repo, when present).
    #[arg(long, value_name = "FILE")]
    pub directory: Option<PathBuf>,
    #[command(flatten)]
    pub repo: RepoArgs,
    /// The date (YYYY-MM-DD, UTC) that counts as today; for tests.
    #[arg(long, value_name = "DATE", hide = true, env = "MONBAN_TODAY")]
    pub today: Option<String>,
}

/// `monban fmt`.
#[derive(Debug, Args)]
pub struct FmtArgs {
    /// Change nothing; exit 1 listing the files that are not formatted.
    #[arg(long)]
    pub check: bool,
    /// Also drop grants whose `until` has passed.
    #[arg(long)]
    pub prune_expired: bool,
    #[command(flatten)]
    pub repo: RepoArgs,
    /// The date (YYYY-MM-DD, UTC) that counts as today; for tests.
    #[arg(long, value_name = "DATE", hide = true, env = "MONBAN_TODAY")]
    pub today: Option<String>,
}

/// Loads the repo, refusing one with errors (an edit is validated against a clean start).
fn load_clean(
    location: &RepoLocation,
    options: &LoadOptions,
    printer: &Printer,
) -> anyhow::Result<Option<Repo>> {
    crate::commands::plan::load_valid_repo(location, options, printer)
}

/// Prints an edit error with its hint; the command then fails.
fn refuse(printer: &Printer, error: &EditError) -> ExitStatus {
    let hint = error.hint();
    printer.error(&anyhow::Error::msg(error.to_string()), hint.as_deref());
    printer.log("Nothing was written.");
    ExitStatus::Failure
}

/// Validates the edited repo from memory, then writes it; reports the changed files.
fn validate_and_write(
    workspace: &Workspace,
    location: &RepoLocation,
    options: &LoadOptions,
    printer: &Printer,
) -> anyhow::Result<Option<Repo>> {
    let changes = workspace.changes();
    let (edited, diagnostics) = workspace.load(options)?;
    if diagnostics.has_errors() {
        for diagnostic in diagnostics
            .iter()
            .filter(|diagnostic| diagnostic.severity == Severity::Error)
        {
            printer.diagnostic(&diagnostic.report_named(
                &location.show(&diagnostic.file),
                diagnostics.source(&diagnostic.file),
            ));
        }
        printer
            .log("error: the edited repo would not be valid (see above), so nothing was written");
        return Ok(None);
    }
    // Warnings the edit introduced (e.g. a grant a rule also makes): those of the changed
    // files that the repo did not have before (compared without positions, which moved).
    let (_, before) = monban_config::load_repo(&location.root, options)?;
    let known: std::collections::HashSet<_> = before
        .iter()
        .map(|diagnostic| (diagnostic.code, &diagnostic.file, &diagnostic.message))
        .collect();
    for diagnostic in diagnostics.iter().filter(|diagnostic| {
        diagnostic.severity == Severity::Warning
            && changes.iter().any(|change| change.path == diagnostic.file)
            && !known.contains(&(diagnostic.code, &diagnostic.file, &diagnostic.message))
    }) {
        printer.diagnostic(&diagnostic.report_named(
            &location.show(&diagnostic.file),
            diagnostics.source(&diagnostic.file),
        ));
    }
    workspace.write()?;
    Ok(Some(edited))
}

fn files(count: usize) -> String {
    if count == 1 {
        "1 file".to_owned()
    } else {
        format!("{count} files")
    }
}

pub fn grant(args: &GrantArgs, printer: &Printer) -> anyhow::Result<ExitStatus> {
    let location = RepoLocation::resolve(args.repo.repo.as_deref())?;
    let options = load_options(args.today.as_deref(), None)?;
    let Some(repo) = load_clean(&location, &options, printer)? else {
        return Ok(ExitStatus::Failure);
    };
    let (kind, name) = args.principal.kind_and_name();
    let mut workspace = Workspace::new(&location.root);
    let mut messages = Vec::new();
    // A joiner: a user not yet declared in groups.yaml is declared there in the same edit
    // (as a person would in the same pull request), once the directory snapshot, if there
    // is one, confirms the user exists and is active.
    let mut repo = repo;
    if kind == "user"
        && let Ok(user) = UserName::parse(name)
        && !repo.users.contains(&user)
    {
        if let Err(error) = check_joiner(args.directory.as_deref(), &location, &user) {
            return Ok(refuse(printer, &error));
        }
        match edit::declare_user(&mut workspace, &user) {
            Ok(Some(line)) => messages.push(format!(
                "{}:{line}: declared user {user} (new to this repo)",
                location.show(std::path::Path::new("groups.yaml"))
            )),
            Ok(None) => {}
            Err(error) => return Ok(refuse(printer, &error)),
        }
        repo.users.insert(user);
    }
    let (principal, permission_set, accounts) =
        match edit::resolve_names(&repo, kind, name, &args.permission_set, &args.accounts) {
            Ok(resolved) => resolved,
            Err(error) => return Ok(refuse(printer, &error)),
        };
    let until = match args.until.as_deref().map(Until::parse).transpose() {
        Ok(until) => until,
        Err(error) => anyhow::bail!("invalid --until: {error}"),
    };
    if let Some(until) = until
        && until.has_passed(options.today)
    {
        anyhow::bail!(
            "--until {until} has already passed (today is {} UTC): the grant would never be active",
            options.today
        );
    }
    let request = GrantRequest {
        principal: principal.clone(),
        permission_set: permission_set.clone(),
        until,
        reason: args.reason.clone(),
    };
    for account in &accounts {
        match edit::grant(&mut workspace, account, &request) {
            Ok(GrantOutcome::Added { file, line }) => messages.push(format!(
                "{}:{line}: granted `{permission_set}` on `{account}` to {principal}",
                location.show(&file)
            )),
            Ok(GrantOutcome::AlreadyGranted { file, line, until }) => {
                let until = until.map_or_else(String::new, |until| format!(" (until {until})"));
                messages.push(format!(
                    "{}:{line}: {principal} already holds `{permission_set}` on `{account}`{until}; unchanged",
                    location.show(&file)
                ));
            }
            Err(error) => return Ok(refuse(printer, &error)),
        }
    }
    finish(&workspace, &location, &options, printer, &messages)
}

/// A user new to the repo must be an active user of the directory snapshot, when there is
/// one (`--directory`, or directory.yaml in the repo): a typo then fails here instead of
/// granting access to nobody.
fn check_joiner(
    directory: Option<&std::path::Path>,
    location: &RepoLocation,
    user: &UserName,
) -> Result<(), EditError> {
    let default = location.root.join(DIRECTORY_FILE);
    let (path, shown) = match directory {
        Some(path) => (path.to_path_buf(), monban_config::display_path(path)),
        None if default.is_file() => (default, location.show(std::path::Path::new(DIRECTORY_FILE))),
        None => return Ok(()),
    };
    let directory = match monban_config::load_directory(&path) {
        Ok((directory, diagnostics)) if !diagnostics.has_errors() => directory,
        _ => {
            return Err(EditError::Unsupported {
                location: shown.clone(),
                message: "the directory snapshot cannot be read or is not valid".to_owned(),
                hint: format!("`monban validate --directory {shown}` shows why"),
            });
        }
    };
    match directory.users.get(user) {
        Some(entry) if entry.active => Ok(()),
        Some(_) => Err(EditError::Unsupported {
            location: shown,
            message: format!("user `{user}` is deactivated in the directory snapshot (a leaver)"),
            hint: "grant access only to active users".to_owned(),
        }),
        None => Err(EditError::UnknownName {
            kind: "user",
            name: user.to_string(),
            suggestion: edit::closest(user.as_str(), directory.users.keys().map(UserName::as_str))
                .map(str::to_owned),
            fix: format!(
                "the user is neither declared in groups.yaml nor in the directory snapshot {shown}"
            ),
        }),
    }
}

/// Validates and writes (when anything changed), then prints the messages and a summary.
fn finish(
    workspace: &Workspace,
    location: &RepoLocation,
    options: &LoadOptions,
    printer: &Printer,
    messages: &[String],
) -> anyhow::Result<ExitStatus> {
    let changed = workspace.changes().len();
    if changed > 0 && validate_and_write(workspace, location, options, printer)?.is_none() {
        return Ok(ExitStatus::Failure);
    }
    for message in messages {
        printer.log(message);
    }
    if changed == 0 {
        printer.log("No files changed.");
    } else {
        printer.log(format!("Changed {}.", files(changed)));
    }
    Ok(ExitStatus::Success)
}

pub fn revoke(args: &RevokeArgs, printer: &Printer) -> anyhow::Result<ExitStatus> {
    let location = RepoLocation::resolve(args.repo.repo.as_deref())?;
    let options = load_options(args.today.as_deref(), None)?;
    let Some(repo) = load_clean(&location, &options, printer)? else {
        return Ok(ExitStatus::Failure);
    };
    let (kind, name) = args.principal.kind_and_name();
    let (principal, permission_set, accounts) =
        match edit::resolve_names(&repo, kind, name, &args.permission_set, &args.accounts) {
            Ok(resolved) => resolved,
            Err(error) => return Ok(refuse(printer, &error)),
        };
    let mut workspace = Workspace::new(&location.root);
    let mut messages = Vec::new();
    for account in &accounts {
        match edit::revoke(&mut workspace, account, &permission_set, &principal) {
            Ok(RevokeOutcome::Removed(removal)) => messages.push(format!(
                "{}:{}: revoked {} from {principal}",
                location.show(&removal.file),
                removal.line,
                removal.what
            )),
            Ok(RevokeOutcome::NotGranted { file }) => {
                let by_rule = repo
                    .assignments()
                    .into_iter()
                    .find(|assignment| {
                        &assignment.account == account
                            && assignment.permission_set == permission_set
                            && assignment.principal == principal
                    })
                    .and_then(|assignment| match assignment.origin {
                        monban_config::model::AssignmentOrigin::Rule(rule) => Some(rule),
                        monban_config::model::AssignmentOrigin::Account => None,
                    });
                let note = by_rule.map_or_else(String::new, |rule| {
                    format!(" (rule {rule} grants it; edit the rule to change that)")
                });
                messages.push(format!(
                    "{}: does not grant `{permission_set}` to {principal}; unchanged{note}",
                    location.show(&file)
                ));
            }
            Err(error) => return Ok(refuse(printer, &error)),
        }
    }
    finish(&workspace, &location, &options, printer, &messages)
}

pub fn offboard(args: &OffboardArgs, printer: &Printer) -> anyhow::Result<ExitStatus> {
    let location = RepoLocation::resolve(args.repo.repo.as_deref())?;
    let options = load_options(args.today.as_deref(), None)?;
    let Some(repo) = load_clean(&location, &options, printer)? else {
        return Ok(ExitStatus::Failure);
    };
    let user = match UserName::parse(&args.user) {
        Ok(user) => user,
        Err(error) => anyhow::bail!("`{}` is not a user name: {error}", args.user),
    };
    let mut workspace = Workspace::new(&location.root);
    let removals = match edit::offboard(&mut workspace, &repo, &user) {
        Ok(removals) => removals,
        Err(error) => return Ok(refuse(printer, &error)),
    };
    let edited = if workspace.changes().is_empty() {
        repo.clone()
    } else {
        match validate_and_write(&workspace, &location, &options, printer)? {
            Some(edited) => edited,
            None => return Ok(ExitStatus::Failure),
        }
    };
    if removals.is_empty() {
        printer.log(format!(
            "{user} holds no direct grant in this repo and is not declared in groups.yaml; nothing to remove."
        ));
    } else {
        printer.log(format!("Removed from the repo for {user}:"));
        for removal in &removals {
            printer.log(format!(
                "  {}:{}  {}",
                location.show(&removal.file),
                removal.line,
                removal.what
            ));
        }
    }
    report_remaining_groups(args, &location, &edited, &user, printer)?;
    if !removals.is_empty() {
        printer.log(format!("Changed {}.", files(workspace.changes().len())));
    }
    Ok(ExitStatus::Success)
}

/// The groups that still give `user` access, from the directory snapshot: access the repo
/// cannot take away, only the IdP can (by removing the membership or the user).
fn report_remaining_groups(
    args: &OffboardArgs,
    location: &RepoLocation,
    repo: &Repo,
    user: &UserName,
    printer: &Printer,
) -> anyhow::Result<()> {
    let default = location.root.join(DIRECTORY_FILE);
    let (path, shown) = match &args.directory {
        Some(path) => (path.clone(), monban_config::display_path(path)),
        None if default.is_file() => (default, location.show(std::path::Path::new(DIRECTORY_FILE))),
        None => {
            printer.log(format!(
                "No directory snapshot (--directory FILE, or directory.yaml in the repo): check in the IdP which groups {user} is still a member of; every group grant in this repo still applies to them there."
            ));
            return Ok(());
        }
    };
    let (directory, diagnostics) = monban_config::load_directory(&path)?;
    if diagnostics.has_errors() {
        anyhow::bail!(
            "the directory snapshot {shown} is not valid (`monban validate --directory {shown}`)"
        );
    }
    let state = match directory.users.get(user) {
        None => " (not in the directory)",
        Some(entry) if !entry.active => " (deactivated in the directory)",
        Some(_) => " (still active in the directory)",
    };
    let groups: Vec<_> = directory
        .groups
        .values()
        .filter(|group| group.members.contains(user))
        .collect();
    if groups.is_empty() {
        printer.log(format!(
            "{user}{state} is in no group of {shown}: no access remains through groups."
        ));
        return Ok(());
    }
    printer.log(format!(
        "{user}{state} is still a member of these groups in {shown}; remove the memberships in the IdP:"
    ));
    let assignments = repo.assignments();
    for group in groups {
        let principal = PrincipalRef::Group(group.display_name.clone());
        let grants: Vec<String> = assignments
            .iter()
            .filter(|assignment| assignment.principal == principal)
            .map(|assignment| {
                let origin = match &assignment.origin {
                    monban_config::model::AssignmentOrigin::Rule(rule) => {
                        format!(" (rule {rule})")
                    }
                    monban_config::model::AssignmentOrigin::Account => String::new(),
                };
                format!(
                    "`{}` on `{}`{origin}",
                    assignment.permission_set, assignment.account
                )
            })
            .collect();
        if grants.is_empty() {
            printer.log(format!("  {}: no access in this repo", group.display_name));
        } else {
            printer.log(format!("  {}: {}", group.display_name, grants.join(", ")));
        }
    }
    Ok(())
}

pub fn fmt(args: &FmtArgs, printer: &Printer) -> anyhow::Result<ExitStatus> {
    let location = RepoLocation::resolve(args.repo.repo.as_deref())?;
    let options = load_options(args.today.as_deref(), None)?;
    let Some(repo) = load_clean(&location, &options, printer)? else {
        return Ok(ExitStatus::Failure);
    };
    let prune = args.prune_expired.then_some(options.today);
    let mut workspace = Workspace::new(&location.root);
    let mut pruned_messages = Vec::new();
    for account in repo.accounts.keys() {
        let file = edit::account_file(account);
        let text = workspace.text(&file)?;
        match edit::format_account(&file, &text, prune) {
            Ok(formatted) => {
                for pruned in &formatted.pruned {
                    pruned_messages.push(format!(
                        "{}:{}: removed `{}` for {} (ended {})",
                        location.show(&file),
                        pruned.line,
                        pruned.permission_set,
                        pruned.principal,
                        pruned.until
                    ));
                }
                workspace.replace(&file, formatted.text);
            }
            Err(error) => return Ok(refuse(printer, &error)),
        }
    }
    let changes = workspace.changes();
    if args.check {
        if changes.is_empty() {
            printer.log(format!(
                "{} account files are formatted.",
                repo.accounts.len()
            ));
            return Ok(ExitStatus::Success);
        }
        for change in &changes {
            printer.data(location.show(&change.path));
        }
        printer.log(format!(
            "error: {} not formatted (run `monban fmt{}`)",
            if changes.len() == 1 {
                "1 file is".to_owned()
            } else {
                format!("{} files are", changes.len())
            },
            if args.prune_expired {
                " --prune-expired"
            } else {
                ""
            }
        ));
        return Ok(ExitStatus::Failure);
    }
    if changes.is_empty() {
        printer.log(format!(
            "{} account files are already formatted; nothing changed.",
            repo.accounts.len()
        ));
        return Ok(ExitStatus::Success);
    }
    // fmt must never change what the repo means: the edited repo has to equal the original
    // one, minus exactly the grants that were pruned.
    let (edited, diagnostics) = workspace.load(&options)?;
    let mut expected = repo.clone();
    if let Some(today) = prune {
        for account in expected.accounts.values_mut() {
            for grants in account.access.values_mut() {
                grants.retain(|grant| !grant.until.is_some_and(|until| until.has_passed(today)));
            }
            account.access.retain(|_, grants| !grants.is_empty());
        }
    }
    if !diagnostics.has_errors() && edited.accounts != expected.accounts {
        anyhow::bail!(
            "formatting would change what an account file means (a bug in `monban fmt`); nothing was written"
        );
    }
    if validate_and_write(&workspace, &location, &options, printer)?.is_none() {
        return Ok(ExitStatus::Failure);
    }
    for message in &pruned_messages {
        printer.log(message);
    }
    for change in &changes {
        printer.log(format!("formatted {}", location.show(&change.path)));
    }
    printer.log(format!("Changed {}.", files(changes.len())));
    Ok(ExitStatus::Success)
}
