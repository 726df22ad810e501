//! Loading an access repo: read every file, walk it into the model, then run the checks
//! that span files (references, duplicates, rules, protected entries, the directory).
//!
//! Every check is a single pass with hash lookups, so loading stays linear in the size of
//! the repo (design target: 50,000 assignment lines in well under a second).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use jiff::civil::Date;
use monban_model::{
    Account, AccountId, AccountName, Directory, GroupName, OuPath, PermissionSet,
    PermissionSetName, PrincipalRef, Repo, RootEmail, RuleId, UserName,
};

use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::directory_file::{self, DirectorySites};
use crate::groups_file::{self, Declared};
use crate::node::{self, Node, Position};
use crate::suggest::did_you_mean;
use crate::walk::FileContext;
use crate::{account_file, permission_set_file, rules_file, settings_file};

/// The file that marks the root of an access repo.
pub const REPO_MARKER: &str = "monban.yaml";

/// What a load needs besides the files.
#[derive(Debug, Clone)]
pub struct LoadOptions {
    /// "Today" in UTC, for expired `until` dates. Injectable so tests are deterministic.
    pub today: Date,
    /// An IdP directory snapshot to check `groups.yaml` against.
    pub directory: Option<PathBuf>,
}

impl LoadOptions {
    /// Today's UTC date and no directory snapshot.
    #[must_use]
    pub fn new() -> Self {
        Self {
            today: jiff::Timestamp::now()
                .to_zoned_datetime(jiff::tz::TimeZone::UTC)
                .date(),
            directory: None,
        }
    }

    #[must_use]
    pub fn with_today(mut self, today: Date) -> Self {
        self.today = today;
        self
    }

    #[must_use]
    pub fn with_directory(mut self, directory: impl Into<PathBuf>) -> Self {
        self.directory = Some(directory.into());
        self
    }
}

impl Default for LoadOptions {
    fn default() -> Self {
        Self::new()
    }
}

/// Failures that stop a load before any diagnostic can be given: there is no repo to
/// speak of. Everything else is a [`Diagnostic`].
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("no access repo found in `{}` or any directory above it", start.display())]
    NotFound { start: PathBuf },
    #[error("`{}` is not an access repo: it has no {REPO_MARKER}", path.display())]
    NotARepo { path: PathBuf },
    #[error("cannot read `{}`", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// Finds the access repo the way git finds `.git`: `start` or the nearest directory above
/// it holding `monban.yaml`.
pub fn find_repo(start: &Path) -> Result<PathBuf, LoadError> {
    let start = if start.is_absolute() {
        start.to_path_buf()
    } else {
        std::env::current_dir()
            .map_err(|source| LoadError::Io {
                path: start.to_path_buf(),
                source,
            })?
            .join(start)
    };
    start
        .ancestors()
        .find(|directory| directory.join(REPO_MARKER).is_file())
        .map(Path::to_path_buf)
        .ok_or(LoadError::NotFound { start })
}

/// Loads the access repo rooted at `root` (the directory holding `monban.yaml`).
///
/// Returns the repo and every diagnostic. When the diagnostics hold errors, the repo is
/// best effort — invalid values are left out or replaced by defaults — and is fit for
/// display only, never for planning.
pub fn load_repo(root: &Path, options: &LoadOptions) -> Result<(Repo, Diagnostics), LoadError> {
    load_repo_with_overlay(root, options, &BTreeMap::new())
}

/// [`load_repo`], reading the files named in `overlay` (paths relative to `root`) from the
/// overlay instead of the disk: how an edit is validated in memory before anything is
/// written. Files are still listed from the disk, so an overlay replaces existing files
/// only.
pub fn load_repo_with_overlay(
    root: &Path,
    options: &LoadOptions,
    overlay: &BTreeMap<PathBuf, String>,
) -> Result<(Repo, Diagnostics), LoadError> {
    let marker = root.join(REPO_MARKER);
    if !marker.is_file() {
        return Err(LoadError::NotARepo {
            path: root.to_path_buf(),
        });
    }
    let mut loader = Loader::new(root, options.today);
    loader.overlay = overlay
        .iter()
        .map(|(path, text)| (path.clone(), Arc::from(text.as_str())))
        .collect();
    let mut repo = loader.load()?;
    let mut diagnostics = loader.finish_repo(&mut repo);
    if let Some(path) = &options.directory {
        let (directory, sites, directory_diagnostics) = read_directory(path)?;
        diagnostics.extend(directory_diagnostics);
        let mut items = Vec::new();
        check_against_directory(&loader.declared, &directory, &sites, &mut items);
        for item in items {
            diagnostics.push(item);
        }
    }
    diagnostics.sort();
    Ok((repo, diagnostics))
}

/// Loads an IdP directory snapshot (`docs/reference/directory.md`).
pub fn load_directory(path: &Path) -> Result<(Directory, Diagnostics), LoadError> {
    let (directory, _, mut diagnostics) = read_directory(path)?;
    diagnostics.sort();
    Ok((directory, diagnostics))
}

fn read_directory(path: &Path) -> Result<(Directory, DirectorySites, Diagnostics), LoadError> {
    let bytes = std::fs::read(path).map_err(|source| LoadError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let mut items = Vec::new();
    let mut diagnostics = Diagnostics::new();
    let Some(text) = decode(path, bytes, &mut items) else {
        for item in items {
            diagnostics.push(item);
        }
        return Ok((Directory::default(), DirectorySites::default(), diagnostics));
    };
    diagnostics.add_source(path, text.clone());
    let result = match parse_file(path, &text, &mut items) {
        Some(node) => {
            let mut context = FileContext::new(path, &text, &mut items);
            directory_file::directory(&mut context, &node)
        }
        None => (Directory::default(), DirectorySites::default()),
    };
    for item in items {
        diagnostics.push(item);
    }
    Ok((result.0, result.1, diagnostics))
}

/// A name the repo refers to, to be resolved once everything is read.
#[derive(Debug, Clone)]
pub(crate) enum Referent {
    PermissionSet(PermissionSetName),
    Group(GroupName),
    User(UserName),
    Ou(OuPath),
    Account(AccountName),
}

/// A direct grant in an account file, with its position.
#[derive(Debug)]
pub(crate) struct GrantSite {
    pub account: AccountName,
    pub permission_set: PermissionSetName,
    pub principal: PrincipalRef,
    pub file: PathBuf,
    pub position: Position,
}

/// Positions in one account file that cross-file checks point at.
#[derive(Debug)]
pub(crate) struct AccountSites {
    pub file: PathBuf,
    pub top: Position,
    pub id: Option<Position>,
    pub email: Option<Position>,
    pub close: Option<Position>,
}

/// What the file walkers leave for the cross-file checks.
#[derive(Debug)]
pub(crate) struct Collected {
    pub today: Date,
    pub references: Vec<(Referent, PathBuf, Position)>,
    pub grant_sites: Vec<GrantSite>,
    /// Parallel to `safety.protected`.
    pub protected_positions: Vec<Position>,
    /// Parallel to the repo's rules.
    pub rule_positions: Vec<(PathBuf, Position)>,
    pub account_sites: BTreeMap<AccountName, AccountSites>,
    pub declared_ou_positions: HashMap<OuPath, Position>,
    pub management_account_position: Option<Position>,
    /// Files that could not be parsed: checks that depend on their content are skipped
    /// rather than reporting consequences of the one real problem.
    pub settings_unparsed: bool,
    pub groups_unparsed: bool,
    pub rules_unparsed: bool,
    pub unparsed_accounts: HashSet<AccountName>,
}

impl Collected {
    pub fn reference(&mut self, referent: Referent, context: &FileContext<'_>, position: Position) {
        self.references
            .push((referent, context.file.clone(), position));
    }
}

struct Loader {
    root: PathBuf,
    /// Files read from memory instead of the disk (see [`load_repo_with_overlay`]).
    overlay: BTreeMap<PathBuf, Arc<str>>,
    items: Vec<Diagnostic>,
    sources: Diagnostics,
    collected: Collected,
    declared: Declared,
}

impl Loader {
    fn new(root: &Path, today: Date) -> Self {
        Self {
            root: root.to_path_buf(),
            overlay: BTreeMap::new(),
            items: Vec::new(),
            sources: Diagnostics::new(),
            collected: Collected {
                today,
                references: Vec::new(),
                grant_sites: Vec::new(),
                protected_positions: Vec::new(),
                rule_positions: Vec::new(),
                account_sites: BTreeMap::new(),
                declared_ou_positions: HashMap::new(),
                management_account_position: None,
                settings_unparsed: false,
                groups_unparsed: false,
                rules_unparsed: false,
                unparsed_accounts: HashSet::new(),
            },
            declared: Declared::default(),
        }
    }

    /// Reads `relative` (relative to the root): its text, or `None` after a diagnostic.
    fn read(&mut self, relative: &Path) -> Result<Option<Arc<str>>, LoadError> {
        if let Some(text) = self.overlay.get(relative) {
            self.sources.add_source(relative, text.clone());
            return Ok(Some(text.clone()));
        }
        let path = self.root.join(relative);
        let bytes = std::fs::read(&path).map_err(|source| LoadError::Io { path, source })?;
        let text = decode(relative, bytes, &mut self.items);
        if let Some(text) = &text {
            self.sources.add_source(relative, text.clone());
        }
        Ok(text)
    }

    /// Reads and parses a YAML file; `None` after a diagnostic.
    fn read_yaml(&mut self, relative: &Path) -> Result<Option<(Arc<str>, Node)>, LoadError> {
        let Some(text) = self.read(relative)? else {
            return Ok(None);
        };
        Ok(parse_file(relative, &text, &mut self.items).map(|node| (text, node)))
    }

    fn load(&mut self) -> Result<Repo, LoadError> {
        let marker = PathBuf::from(REPO_MARKER);
        let settings = if let Some((text, node)) = self.read_yaml(&marker)? {
            let mut context = FileContext::new(&marker, &text, &mut self.items);
            settings_file::settings(&mut context, &node, &mut self.collected)
        } else {
            // Unreadable settings: defaults, and no checks against what they would have
            // declared (OUs), which would only repeat the one real problem.
            self.collected.settings_unparsed = true;
            settings_file::defaults()
        };

        let mut accounts = BTreeMap::new();
        for (relative, stem) in self.list("accounts", ".yaml")? {
            let name = match AccountName::parse(&stem) {
                Ok(name) => name,
                Err(error) => {
                    self.items.push(
                        Diagnostic::new(
                            Code::InvalidAccountName,
                            &relative,
                            Position::default_at_start(),
                            format!("the file name gives the account name: {}", error.reason),
                        )
                        .with_hint(
                            "rename the file; the account name is the file name without `.yaml`",
                        ),
                    );
                    continue;
                }
            };
            let Some((text, node)) = self.read_yaml(&relative)? else {
                // The account exists (its file does) even if its content cannot be read;
                // keep the name so references to it resolve, and skip checks on it.
                self.collected.unparsed_accounts.insert(name.clone());
                accounts.insert(name.clone(), Account::new(name));
                continue;
            };
            let mut context = FileContext::new(&relative, &text, &mut self.items);
            let account =
                account_file::account(&mut context, name.clone(), &node, &mut self.collected);
            accounts.insert(name, account);
        }

        let mut permission_sets: BTreeMap<PermissionSetName, PermissionSet> = BTreeMap::new();
        let mut policy_files = Vec::new();
        for (relative, stem) in self.list("permission-sets", ".yaml")? {
            if let Some(policy_stem) = stem.strip_suffix(".policy.json") {
                policy_files.push((relative, policy_stem.to_owned()));
                continue;
            }
            let name = match PermissionSetName::parse(&stem) {
                Ok(name) => name,
                Err(error) => {
                    self.items.push(
                        Diagnostic::new(
                            Code::InvalidPermissionSetName,
                            &relative,
                            Position::default_at_start(),
                            format!("the file name gives the permission set name: {}", error.reason),
                        )
                        .with_hint(
                            "rename the file; the permission set name is the file name without `.yaml`",
                        ),
                    );
                    continue;
                }
            };
            let Some((text, node)) = self.read_yaml(&relative)? else {
                // Keep the name so references to it resolve.
                permission_sets.insert(name.clone(), PermissionSet::new(name));
                continue;
            };
            let mut context = FileContext::new(&relative, &text, &mut self.items);
            let permission_set =
                permission_set_file::permission_set(&mut context, name.clone(), &node);
            permission_sets.insert(name, permission_set);
        }
        for (relative, stem) in policy_files {
            let Some(text) = self.read(&relative)? else {
                continue;
            };
            let mut context = FileContext::new(&relative, &text, &mut self.items);
            let Some(permission_set) = PermissionSetName::parse(&stem)
                .ok()
                .and_then(|name| permission_sets.get_mut(&name))
            else {
                let hint =
                    did_you_mean(&stem, permission_sets.keys().map(PermissionSetName::as_str))
                        .map_or_else(
                            || format!("create permission-sets/{stem}.yaml, or delete this file"),
                            |candidate| format!("did you mean `{candidate}.policy.json`?"),
                        );
                context.report_with_hint(
                    Code::OrphanPolicy,
                    Position::default_at_start(),
                    format!("there is no permission set `{stem}` for this inline policy"),
                    Some(hint),
                );
                continue;
            };
            permission_set.inline_policy = permission_set_file::inline_policy(&mut context);
        }

        let groups_path = PathBuf::from("groups.yaml");
        if self.root.join(&groups_path).is_file() {
            if let Some((text, node)) = self.read_yaml(&groups_path)? {
                let mut context = FileContext::new(&groups_path, &text, &mut self.items);
                self.declared = groups_file::groups(&mut context, &node);
            } else {
                self.collected.groups_unparsed = true;
            }
        }

        let mut rules = Vec::new();
        for (relative, _) in self.list("rules", ".yaml")? {
            let Some((text, node)) = self.read_yaml(&relative)? else {
                self.collected.rules_unparsed = true;
                continue;
            };
            let file_name = crate::diagnostics::display_path(&relative);
            let mut context = FileContext::new(&relative, &text, &mut self.items);
            rules.extend(rules_file::rules(
                &mut context,
                &file_name,
                &node,
                &mut self.collected,
            ));
        }

        Ok(Repo {
            settings,
            accounts,
            permission_sets,
            groups: self.declared.group_names(),
            users: self.declared.user_names(),
            rules,
        })
    }

    /// The files of `directory` (relative to the root) ending in `extension` — and, for
    /// `permission-sets`, `.policy.json` — sorted by name, with their stems. Other files
    /// get an "ignored" warning; hidden files and Markdown are skipped silently.
    fn list(
        &mut self,
        directory: &str,
        extension: &str,
    ) -> Result<Vec<(PathBuf, String)>, LoadError> {
        let path = self.root.join(directory);
        if !path.is_dir() {
            return Ok(Vec::new());
        }
        let entries = std::fs::read_dir(&path).map_err(|source| LoadError::Io {
            path: path.clone(),
            source,
        })?;
        let mut files = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|source| LoadError::Io {
                path: path.clone(),
                source,
            })?;
            let file_name = entry.file_name().to_string_lossy().into_owned();
            let relative = PathBuf::from(directory).join(&file_name);
            let markdown = Path::new(&file_name)
                .extension()
                .is_some_and(|extension| extension.eq_ignore_ascii_case("md"));
            if file_name.starts_with('.') || markdown {
                continue;
            }
            let is_file = entry
                .file_type()
                .is_ok_and(|kind| kind.is_file() || kind.is_symlink());
            if let Some(stem) = file_name.strip_suffix(extension).filter(|_| is_file) {
                files.push((relative, stem.to_owned()));
            } else if directory == "permission-sets"
                && is_file
                && file_name.ends_with(".policy.json")
            {
                // Kept whole; `load` strips `.policy.json` itself.
                files.push((relative, file_name));
            } else {
                let message = if is_file {
                    format!(
                        "`{file_name}` is not read: only `*{extension}` files in {directory}/ are"
                    )
                } else {
                    format!("`{file_name}/` is not read: {directory}/ has no subdirectories")
                };
                let hint = file_name
                    .strip_suffix(".yml")
                    .map(|stem| format!("rename it to `{stem}{extension}`"));
                let mut diagnostic = Diagnostic::new(
                    Code::IgnoredFile,
                    &relative,
                    Position::default_at_start(),
                    message,
                );
                diagnostic.hint = hint;
                self.items.push(diagnostic);
            }
        }
        files.sort();
        Ok(files)
    }

    /// Runs the cross-file checks and returns every diagnostic with its sources.
    fn finish_repo(&mut self, repo: &mut Repo) -> Diagnostics {
        let mut items = std::mem::take(&mut self.items);
        resolve_root_emails(repo, &self.collected, &mut items);
        let repo = &*repo;
        check_references(repo, &self.collected, &mut items);
        check_accounts(repo, &self.collected, &mut items);
        check_rules_and_protected(repo, &self.collected, &mut items);
        check_owners(repo, &self.collected, &mut items);
        let mut diagnostics = std::mem::take(&mut self.sources);
        for item in items {
            diagnostics.push(item);
        }
        diagnostics
    }
}

impl Position {
    /// Line 1, column 1, an empty span: for problems with a whole file.
    pub(crate) fn default_at_start() -> Self {
        Self {
            line: 1,
            column: 1,
            start: 0,
            end: 0,
        }
    }
}

/// UTF-8 text of a file, or a diagnostic.
fn decode(relative: &Path, bytes: Vec<u8>, items: &mut Vec<Diagnostic>) -> Option<Arc<str>> {
    match String::from_utf8(bytes) {
        Ok(text) => Some(Arc::from(text)),
        Err(error) => {
            items.push(Diagnostic::new(
                Code::UnreadableFile,
                relative,
                Position::default_at_start(),
                format!(
                    "the file is not UTF-8 text (invalid byte at offset {})",
                    error.utf8_error().valid_up_to()
                ),
            ));
            None
        }
    }
}

fn parse_file(relative: &Path, text: &str, items: &mut Vec<Diagnostic>) -> Option<Node> {
    match node::parse(text) {
        Ok(node) => Some(node),
        Err(error) => {
            let mut position = error.position;
            if position.line == 0 {
                position = Position::default_at_start();
            }
            items.push(Diagnostic::new(
                Code::YamlSyntax,
                relative,
                position,
                error.message,
            ));
            None
        }
    }
}

fn check_references(repo: &Repo, collected: &Collected, items: &mut Vec<Diagnostic>) {
    for (referent, file, position) in &collected.references {
        let unverifiable = match referent {
            Referent::Ou(_) => collected.settings_unparsed,
            Referent::Group(_) | Referent::User(_) => collected.groups_unparsed,
            Referent::PermissionSet(_) | Referent::Account(_) => false,
        };
        let known = match referent {
            Referent::PermissionSet(name) => repo.permission_sets.contains_key(name),
            Referent::Group(name) => repo.groups.contains(name),
            Referent::User(name) => repo.users.contains(name),
            Referent::Ou(path) => repo.settings.organization.ous.contains(path),
            Referent::Account(name) => repo.accounts.contains_key(name),
        };
        if known || unverifiable {
            continue;
        }
        // Only unknown names pay for the did-you-mean search.
        items.push(unknown_reference(repo, referent, file, *position));
    }
}

fn unknown_reference(
    repo: &Repo,
    referent: &Referent,
    file: &Path,
    position: Position,
) -> Diagnostic {
    let (code, message, suggestion, fix) = match referent {
        Referent::PermissionSet(name) => (
            Code::UnknownPermissionSet,
            format!("there is no permission set `{name}`"),
            did_you_mean(
                name.as_str(),
                repo.permission_sets.keys().map(PermissionSetName::as_str),
            )
            .map(str::to_owned),
            format!("create permission-sets/{name}.yaml"),
        ),
        Referent::Group(name) => (
            Code::UnknownGroup,
            format!("group `{name}` is not declared in groups.yaml"),
            did_you_mean(name.as_str(), repo.groups.iter().map(GroupName::as_str))
                .map(str::to_owned),
            format!("add `{name}` to `groups` in groups.yaml"),
        ),
        Referent::User(name) => (
            Code::UnknownUser,
            format!("user `{name}` is not declared in groups.yaml"),
            did_you_mean(name.as_str(), repo.users.iter().map(UserName::as_str)).map(str::to_owned),
            format!("add `{name}` to `users` in groups.yaml"),
        ),
        Referent::Ou(path) => {
            let declared: Vec<String> = repo
                .settings
                .organization
                .ous
                .iter()
                .map(ToString::to_string)
                .collect();
            (
                Code::UnknownOu,
                format!("OU `{path}` is not declared in monban.yaml"),
                did_you_mean(&path.to_string(), declared.iter().map(String::as_str))
                    .map(str::to_owned),
                format!("add `{path}` to `organization.ous` in monban.yaml"),
            )
        }
        Referent::Account(name) => (
            Code::UnknownAccount,
            format!("there is no account `{name}`"),
            did_you_mean(name.as_str(), repo.accounts.keys().map(AccountName::as_str))
                .map(str::to_owned),
            format!("create accounts/{name}.yaml"),
        ),
    };
    let hint = suggestion.map_or(fix, |candidate| format!("did you mean `{candidate}`?"));
    Diagnostic::new(code, file, position, message).with_hint(hint)
}

/// Every account should have someone to review changes to it: its own `owners` or the
/// repo's `codeowners.default` (a warning, since access still works without one).
fn check_owners(repo: &Repo, collected: &Collected, items: &mut Vec<Diagnostic>) {
    if collected.settings_unparsed || !repo.settings.codeowners.default.is_empty() {
        return;
    }
    for account in repo.accounts.values() {
        if !account.owners.is_empty() || collected.unparsed_accounts.contains(&account.name) {
            continue;
        }
        let Some(sites) = collected.account_sites.get(&account.name) else {
            continue;
        };
        items.push(
            Diagnostic::new(
                Code::NoOwner,
                &sites.file,
                sites.top,
                format!("account `{}` has no owner, so nobody is asked to review changes to its access", account.name),
            )
            .with_hint("add `owners: [\"@organization/team\"]`, or a default in monban.yaml: `codeowners: { default: [\"@organization/team\"] }`"),
        );
    }
}

/// Gives every account without an explicit `email:` its derived root e-mail.
fn resolve_root_emails(repo: &mut Repo, collected: &Collected, items: &mut Vec<Diagnostic>) {
    let template = repo.settings.organization.root_email.clone();
    for account in repo.accounts.values_mut() {
        if collected.unparsed_accounts.contains(&account.name) {
            continue;
        }
        let Some(sites) = collected.account_sites.get(&account.name) else {
            continue;
        };
        account.root_email = root_email(account, template.as_ref(), sites, items);
    }
}

fn check_accounts(repo: &Repo, collected: &Collected, items: &mut Vec<Diagnostic>) {
    let mut ids: HashMap<&AccountId, &AccountName> = HashMap::new();
    let mut emails: HashMap<String, &AccountName> = HashMap::new();
    for account in repo.accounts.values() {
        if collected.unparsed_accounts.contains(&account.name) {
            continue;
        }
        let Some(sites) = collected.account_sites.get(&account.name) else {
            continue;
        };
        if let Some(id) = &account.id
            && let Some(first) = ids.insert(id, &account.name)
        {
            ids.insert(id, first);
            items.push(
                Diagnostic::new(
                    Code::DuplicateAccountId,
                    &sites.file,
                    sites.id.unwrap_or(sites.top),
                    format!("account id {id} is also the id of account `{first}`"),
                )
                .with_hint(format!(
                    "an AWS account is declared once; merge this file with accounts/{first}.yaml"
                )),
            );
        }
        if let Some(email) = &account.root_email {
            let key = email.address.as_str().to_ascii_lowercase();
            if let Some(first) = emails.get(&key) {
                let origin = if email.derived {
                    "derived root e-mail"
                } else {
                    "root e-mail"
                };
                items.push(
                    Diagnostic::new(
                        Code::DuplicateRootEmail,
                        &sites.file,
                        sites.email.unwrap_or(sites.top),
                        format!("{origin} {} is also the root e-mail of account `{first}`", email.address),
                    )
                    .with_hint("root e-mails are unique across all of AWS; give this account its own `email:`"),
                );
            } else {
                emails.insert(key, &account.name);
            }
        }
        if account.close
            && repo.settings.organization.management_account.as_ref() == Some(&account.name)
        {
            items.push(
                Diagnostic::new(
                    Code::ClosingManagementAccount,
                    &sites.file,
                    sites.close.unwrap_or(sites.top),
                    "the management account cannot be closed",
                )
                .with_hint("remove `close: true`; AWS refuses to close an organization's management account"),
            );
        }
    }
}

/// The root e-mail of `account` — given, or derived from the template — reporting an
/// invalid derived address or the lack of any for an account monban would create.
fn root_email(
    account: &Account,
    template: Option<&monban_model::RootEmailTemplate>,
    sites: &AccountSites,
    items: &mut Vec<Diagnostic>,
) -> Option<RootEmail> {
    if let Some(email) = &account.root_email {
        return Some(email.clone());
    }
    if sites.email.is_some() {
        // An `email:` was written but is invalid: already reported.
        return None;
    }
    if let Some(template) = template {
        return match template.derive(&account.name) {
            Ok(address) => Some(RootEmail {
                address,
                derived: true,
            }),
            Err(error) => {
                items.push(
                    Diagnostic::new(
                        Code::InvalidDerivedEmail,
                        &sites.file,
                        sites.top,
                        format!(
                            "the root e-mail derived from `{template}` for account `{}` is invalid: {}",
                            account.name, error.reason
                        ),
                    )
                    .with_hint("give this account an explicit `email:`"),
                );
                None
            }
        };
    }
    if account.id.is_none() {
        items.push(
            Diagnostic::new(
                Code::NoRootEmail,
                &sites.file,
                sites.top,
                format!(
                    "account `{}` has no `id` and no root e-mail, so monban can neither find nor create it",
                    account.name
                ),
            )
            .with_hint("add `id:` for an existing account, `email:`, or `organization.root_email` in monban.yaml"),
        );
    }
    None
}

fn check_rules_and_protected(repo: &Repo, collected: &Collected, items: &mut Vec<Diagnostic>) {
    let mut by_rule: HashMap<(&AccountName, &PermissionSetName, &PrincipalRef), &RuleId> =
        HashMap::new();
    for (rule, (file, position)) in repo.rules.iter().zip(&collected.rule_positions) {
        let mut matched = 0_usize;
        for account in repo.rule_accounts(rule) {
            matched += 1;
            for principal in &rule.principals {
                by_rule
                    .entry((&account.name, &rule.permission_set, principal))
                    .or_insert(&rule.id);
            }
        }
        // A rule whose OU is undeclared already has an "unknown OU" error; saying it
        // matches nothing would only repeat it.
        let undeclared_ou = rule
            .accounts
            .ou
            .as_ref()
            .and_then(monban_model::OuPattern::ou)
            .is_some_and(|ou| !repo.settings.organization.ous.contains(ou));
        if matched == 0 && !undeclared_ou {
            items.push(
                Diagnostic::new(
                    Code::RuleMatchesNothing,
                    file,
                    *position,
                    "this rule matches no declared account",
                )
                .with_hint("check the selector's `ou` and `tags` against the account files"),
            );
        }
    }
    for site in &collected.grant_sites {
        if let Some(rule) = by_rule.get(&(&site.account, &site.permission_set, &site.principal)) {
            items.push(
                Diagnostic::new(
                    Code::GrantAlsoByRule,
                    &site.file,
                    site.position,
                    format!(
                        "{} already holds `{}` here through rule {rule}",
                        site.principal, site.permission_set
                    ),
                )
                .with_hint(
                    "remove this entry (its `until` has no effect while the rule grants the same)",
                ),
            );
        }
    }
    for (protected, position) in repo
        .settings
        .safety
        .protected
        .iter()
        .zip(&collected.protected_positions)
    {
        let direct = repo
            .accounts
            .get(&protected.account)
            .is_some_and(|account| {
                account
                    .access
                    .get(&protected.permission_set)
                    .is_some_and(|grants| {
                        grants
                            .iter()
                            .any(|grant| grant.principal == protected.principal)
                    })
            });
        let by_a_rule = by_rule.contains_key(&(
            &protected.account,
            &protected.permission_set,
            &protected.principal,
        ));
        let unverifiable = !repo.accounts.contains_key(&protected.account)
            || collected.unparsed_accounts.contains(&protected.account)
            || collected.rules_unparsed;
        if !direct && !by_a_rule && !unverifiable {
            items.push(
                Diagnostic::new(
                    Code::ProtectedNotGranted,
                    Path::new(REPO_MARKER),
                    *position,
                    format!(
                        "protected assignment ({} → `{}` on `{}`) is not granted by this repo",
                        protected.principal, protected.permission_set, protected.account
                    ),
                )
                .with_hint(format!(
                    "grant it under `access:` in accounts/{}.yaml, or remove the protected entry",
                    protected.account
                )),
            );
        }
    }
}

fn check_against_directory(
    declared: &Declared,
    directory: &Directory,
    sites: &DirectorySites,
    items: &mut Vec<Diagnostic>,
) {
    let file = Path::new("groups.yaml");
    for (group, position) in &declared.groups {
        if !directory.groups.contains_key(group) && !sites.groups.contains_key(group) {
            let hint = did_you_mean(
                group.as_str(),
                directory.groups.keys().map(GroupName::as_str),
            )
            .map_or_else(
                || "create the group in your IdP, or remove it here".to_owned(),
                |candidate| format!("did you mean `{candidate}`?"),
            );
            items.push(
                Diagnostic::new(
                    Code::GroupNotInDirectory,
                    file,
                    *position,
                    format!("group `{group}` is not in the directory snapshot"),
                )
                .with_hint(hint),
            );
        }
    }
    for (user, position) in &declared.users {
        match directory.users.get(user) {
            None if sites.users.contains_key(user) => {}
            None => {
                let hint =
                    did_you_mean(user.as_str(), directory.users.keys().map(UserName::as_str))
                        .map_or_else(
                            || "create the user in your IdP, or remove it here".to_owned(),
                            |candidate| format!("did you mean `{candidate}`?"),
                        );
                items.push(
                    Diagnostic::new(
                        Code::UserNotInDirectory,
                        file,
                        *position,
                        format!("user `{user}` is not in the directory snapshot"),
                    )
                    .with_hint(hint),
                );
            }
            Some(entry) if !entry.active => items.push(
                Diagnostic::new(
                    Code::UserInactive,
                    file,
                    *position,
                    format!("user `{user}` is deactivated in the directory snapshot"),
                )
                .with_hint("a leaver: remove their grants and this entry"),
            ),
            Some(_) => {}
        }
    }
}
