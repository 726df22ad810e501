//! `monban profiles sync`: one `[profile …]` per account and permission set the signed-in
//! user holds (as the SSO portal lists them) in a managed block of `~/.aws/config`.
//!
//! The pure work — finding the block, naming, rendering, splicing, the diff — is in
//! [`managed_block`]; this module gathers its inputs (the config file, the cached SSO token,
//! the portal's accounts and roles, the access repo's account names, a sandbox's endpoint
//! overrides) and writes the result atomically, keeping the file's mode.

pub mod managed_block;

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::Args;
use monban_aws::sso::{AwsConfig, SsoClients, SsoError, SsoService, SsoSession, oidc, portal};

use crate::ExitStatus;
use crate::printer::Printer;
use managed_block::{
    Block, ConfigText, DEFAULT_TEMPLATE, Endpoints, PortalRole, SERVICE_KEYS, SessionSection,
    Template,
};

/// `monban profiles sync`.
#[derive(Debug, Args)]
pub struct ProfilesSyncArgs {
    /// The `[sso-session NAME]` of `~/.aws/config` to sync (default: the only one there is).
    #[arg(long, value_name = "NAME")]
    pub sso_session: Option<String>,
    /// How to name each profile. Placeholders: `{account}` (the access repo's name for the
    /// account when a repo is found, else the portal's), `{account_name}` (the portal's),
    /// `{account_id}`, `{permission_set}`, `{session}`. Characters other than letters,
    /// digits, `.`, `_` and `-` become `-`.
    #[arg(long, value_name = "TEMPLATE", default_value = DEFAULT_TEMPLATE)]
    pub template: String,
    /// The `region` written into every profile (default: the session's `sso_region`).
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,
    /// Print the change as a unified diff and write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// The access repo whose account names to use (default: the nearest directory upwards
    /// holding `monban.yaml`, if any; without one, the portal's account names).
    #[arg(long, value_name = "DIR", env = "MONBAN_REPO")]
    pub repo: Option<PathBuf>,
}

/// `monban profiles …`.
#[derive(Debug, clap::Subcommand)]
pub enum ProfilesCommand {
    /// Write one `[profile …]` per account and permission set you hold (as the SSO portal
    /// lists them, with the cached `monban login` token) into a managed block of
    /// `~/.aws/config`; profiles you no longer hold are removed, and nothing outside the
    /// block is touched.
    Sync(ProfilesSyncArgs),
}

/// The settings of one sync, resolved from flags, environment and the working directory.
#[derive(Debug)]
pub struct ProfilesSyncSettings {
    pub sso_session: Option<String>,
    pub template: Template,
    pub region: Option<String>,
    pub dry_run: bool,
    /// `Some` when `--repo` was given or a repo was found upwards from the working directory.
    pub repo: Option<PathBuf>,
    /// Whether the repo was asked for (`--repo`/`MONBAN_REPO`): then failing to load it is
    /// an error, not a fallback to the portal's names.
    pub repo_required: bool,
}

impl ProfilesSyncSettings {
    pub fn resolve(args: ProfilesSyncArgs) -> anyhow::Result<Self> {
        let template = Template::parse(&args.template)
            .with_context(|| format!("invalid --template `{}`", args.template))?;
        let (repo, repo_required) = match args.repo {
            Some(repo) => (Some(repo), true),
            None => (
                std::env::current_dir()
                    .ok()
                    .and_then(|current| monban_config::find_repo(&current).ok()),
                false,
            ),
        };
        Ok(Self {
            sso_session: args.sso_session,
            template,
            region: args.region,
            dry_run: args.dry_run,
            repo,
            repo_required,
        })
    }
}

pub fn run(command: ProfilesCommand, printer: &Printer) -> anyhow::Result<ExitStatus> {
    match command {
        ProfilesCommand::Sync(args) => sync(&ProfilesSyncSettings::resolve(args)?, printer),
    }
}

/// Runs one sync: reads, lists, names, renders; then writes, or prints the diff.
pub fn sync(settings: &ProfilesSyncSettings, printer: &Printer) -> anyhow::Result<ExitStatus> {
    let path = monban_aws::sso::config::config_file_path()
        .context("cannot find the AWS config file: neither AWS_CONFIG_FILE nor HOME is set")?;
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(error) => {
            return Err(error).with_context(|| format!("cannot read {}", path.display()));
        }
    };
    let config = AwsConfig::parse(&path, &text);
    let session = resolve_session(&config, settings.sso_session.as_deref())?;
    let current = ConfigText::parse(&text, &session.name)
        .with_context(|| format!("cannot sync into {}", path.display()))?;

    let endpoints = sandbox_endpoints(&config, &session.name);
    let roles = list_portal_roles(&config, &session, &endpoints)?;
    let repo_names = match &settings.repo {
        Some(root) => repo_account_names(root, &roles, settings.repo_required)?,
        None => BTreeMap::new(),
    };
    let profiles = managed_block::name_profiles(
        &roles
            .iter()
            .map(|role| role.portal.clone())
            .collect::<Vec<_>>(),
        &settings.template,
        &repo_names,
        &session.name,
        &current.profiles_outside(),
    );
    let block = Block {
        session: session.name.clone(),
        session_section: (!current.has_session_outside(&session.name)).then(|| SessionSection {
            start_url: session.start_url.clone(),
            region: session.region.clone(),
            registration_scopes: session.scopes_or_default().join(","),
        }),
        region: settings
            .region
            .clone()
            .unwrap_or_else(|| session.region.clone()),
        profiles,
        endpoints,
    };
    if !block.endpoints.is_empty() && current.has_services_outside(&block.services_name()) {
        anyhow::bail!(
            "{} already has a `[services {}]` section outside monban's block; rename it so that the sandbox's endpoint overrides can be written under that name",
            path.display(),
            block.services_name()
        );
    }
    let changes = managed_block::profile_changes(current.block(), &block.profiles);
    let new_text = current.with_block(&block.render());
    let shown = show_path(&path);

    if settings.dry_run {
        if new_text == text {
            printer.log(format!(
                "profiles sync: {shown} is up to date ({} profiles of sso-session {}); nothing would change",
                block.profiles.len(),
                session.name
            ));
        } else {
            printer.data(managed_block::unified_diff(&text, &new_text, &shown).trim_end());
            printer.log(format!(
                "profiles sync (dry run): would add {}, remove {}, keep {} profiles in {shown}; nothing written",
                changes.added.len(),
                changes.removed.len(),
                changes.kept.len()
            ));
        }
        return Ok(ExitStatus::Success);
    }

    for profile in &block.profiles {
        printer.data(format!(
            "{}\t{}\t{}",
            profile.name, profile.account_id, profile.role_name
        ));
    }
    if new_text == text {
        printer.log(format!(
            "profiles sync: {shown} is already up to date ({} profiles of sso-session {}); nothing changed",
            block.profiles.len(),
            session.name
        ));
        return Ok(ExitStatus::Success);
    }
    write_atomically(&path, &new_text)?;
    printer.log(format!(
        "profiles sync: {} profiles of sso-session {} in {shown} ({} added, {} removed, {} kept)",
        block.profiles.len(),
        session.name,
        changes.added.len(),
        changes.removed.len(),
        changes.kept.len()
    ));
    for name in &changes.removed {
        printer.log(format!("  removed [profile {name}] (no longer assigned)"));
    }
    Ok(ExitStatus::Success)
}

/// The `[sso-session]` of the config file; when the file has none of the name given with
/// `--sso-session`, the start URL and region of that session's cached token (a sign-in
/// made with another config file, or `aws sso login`), so that the sync can write the
/// section into its block.
fn resolve_session(config: &AwsConfig, name: Option<&str>) -> anyhow::Result<SsoSession> {
    let error = match config.sso_session(name) {
        Ok(session) => return Ok(session),
        Err(error) => error,
    };
    if let (Some(name), SsoError::NoSsoSession { .. } | SsoError::UnknownSsoSession { .. }) =
        (name, &error)
        && let Some(token) =
            monban_aws::sso::load_token(&monban_aws::sso::token_cache_dir()?, name)?
    {
        return Ok(SsoSession {
            name: name.to_owned(),
            start_url: token.start_url,
            region: token.region,
            registration_scopes: Vec::new(),
        });
    }
    Err(error.into())
}

/// A role from the portal, with the account's root e-mail (to find the repo's name for an
/// account created by monban, which the repo binds by e-mail, not id).
#[derive(Debug, Clone)]
struct ListedRole {
    portal: PortalRole,
    email: Option<String>,
}

/// How many accounts' roles are listed at once: enough to hide the portal's latency for a
/// person with many accounts, few enough to stay far from its throttling.
const CONCURRENT_ACCOUNTS: usize = 8;

/// Every (account, permission set) the signed-in person holds, as the portal lists them:
/// `ListAccounts`, then `ListAccountRoles` per account (every page of each), with the
/// session's cached token (refreshed first when it is about to expire). The portal is the
/// one the sync's endpoint overrides name, else what the SDKs would resolve for the
/// active profile, else AWS's.
fn list_portal_roles(
    config: &AwsConfig,
    session: &SsoSession,
    endpoints: &Endpoints,
) -> anyhow::Result<Vec<ListedRole>> {
    let profile = monban_aws::sso::config::active_profile_name();
    let clients = SsoClients::new(
        &session.region,
        endpoints
            .get("sso_oidc")
            .cloned()
            .or_else(|| config.endpoint_url(&profile, SsoService::Oidc)),
        endpoints
            .get("sso")
            .cloned()
            .or_else(|| config.endpoint_url(&profile, SsoService::Portal)),
    );
    let cache_dir = monban_aws::sso::token_cache_dir()?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let listed = runtime.block_on(async {
        let mut token = oidc::access_token(&clients, &cache_dir, session).await?;
        let accounts = match portal::accounts(&clients, &token).await {
            Ok(accounts) => accounts,
            // Revoked early (signed out elsewhere, or the person was deactivated): a refresh
            // either fixes it or says why not, as `monban credentials` does.
            Err(SsoError::Call { message, .. }) if message.contains("UnauthorizedException") => {
                token = oidc::refresh(&clients, &cache_dir, session, &token).await?;
                portal::accounts(&clients, &token).await?
            }
            Err(error) => return Err(error.into()),
        };
        let limit = std::sync::Arc::new(tokio::sync::Semaphore::new(CONCURRENT_ACCOUNTS));
        let mut tasks = tokio::task::JoinSet::new();
        for account in accounts {
            let (clients, token, limit) = (clients.clone(), token.clone(), limit.clone());
            tasks.spawn(async move {
                // The semaphore lives as long as the tasks; it is never closed.
                let _permit = limit.acquire_owned().await;
                let roles = portal::account_roles(&clients, &token, &account.account_id).await;
                (account, roles)
            });
        }
        let mut listed = Vec::new();
        while let Some(joined) = tasks.join_next().await {
            let (account, roles) = joined.context("a portal listing task failed")?;
            for role_name in roles? {
                listed.push(ListedRole {
                    portal: PortalRole {
                        account_id: account.account_id.clone(),
                        account_name: account.account_name.clone().unwrap_or_default(),
                        role_name,
                    },
                    email: account.email_address.clone(),
                });
            }
        }
        anyhow::Ok(listed)
    });
    listed.with_context(|| {
        format!(
            "cannot list the accounts and permission sets you hold through sso-session `{}`",
            session.name
        )
    })
}

/// The endpoint overrides a sandbox needs, per `[services]` key: each service's
/// `AWS_ENDPOINT_URL_<SERVICE>` or `AWS_ENDPOINT_URL` from the environment, else the
/// `[services]` section the `[sso-session]` names (`services = NAME`), else the
/// `[services monban-<session>]` an earlier sync wrote. Empty for real AWS.
fn sandbox_endpoints(config: &AwsConfig, session: &str) -> Endpoints {
    endpoints_with(config, session, |variable| std::env::var(variable).ok())
}

fn endpoints_with(
    config: &AwsConfig,
    session: &str,
    environment: impl Fn(&str) -> Option<String>,
) -> Endpoints {
    let from_environment = |variable: &str| {
        environment(variable)
            .map(|value| value.trim().to_owned())
            .filter(|value| !value.is_empty())
    };
    if from_environment("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")
        .is_some_and(|value| value.eq_ignore_ascii_case("true"))
    {
        return Endpoints::new();
    }
    let global = from_environment("AWS_ENDPOINT_URL");
    // The session's own `services = NAME`, then the section an earlier sync wrote into the
    // block: a sandbox stays the sandbox on a later sync without the variables.
    let sections = config.session_services(session);
    let mut endpoints = Endpoints::new();
    for (key, other_spelling) in SERVICE_KEYS {
        let variable = format!("AWS_ENDPOINT_URL_{}", key.to_ascii_uppercase());
        let url = from_environment(&variable)
            .or_else(|| global.clone())
            .or_else(|| {
                sections.iter().find_map(|services| {
                    std::iter::once(key)
                        .chain(other_spelling)
                        .find_map(|spelling| services.nested(spelling, "endpoint_url"))
                        .map(str::to_owned)
                })
            });
        if let Some(url) = url {
            endpoints.insert(key, url);
        }
    }
    endpoints
}

/// The access repo's account names by account id: an account declared with `id:` by
/// that id, one monban created by its root e-mail (as the repo binds it).
fn repo_account_names(
    root: &Path,
    roles: &[ListedRole],
    required: bool,
) -> anyhow::Result<BTreeMap<String, String>> {
    let repo = match monban_config::load_repo(root, &monban_config::LoadOptions::new()) {
        Ok((repo, _diagnostics)) => repo,
        // A repo found by walking upwards that does not load is not worth failing a sync
        // for: the portal's names are a fine fallback.
        Err(_) if !required => return Ok(BTreeMap::new()),
        Err(error) => {
            return Err(error)
                .with_context(|| format!("cannot read the access repo {}", root.display()));
        }
    };
    let mut by_email: BTreeMap<String, String> = BTreeMap::new();
    let mut names = BTreeMap::new();
    for account in repo.accounts.values() {
        if let Some(id) = &account.id {
            names.insert(id.as_str().to_owned(), account.name.as_str().to_owned());
        }
        if let Some(email) = &account.root_email {
            by_email.insert(
                email.address.as_str().to_ascii_lowercase(),
                account.name.as_str().to_owned(),
            );
        }
    }
    for role in roles {
        if names.contains_key(&role.portal.account_id) {
            continue;
        }
        if let Some(name) = role
            .email
            .as_ref()
            .and_then(|email| by_email.get(&email.to_ascii_lowercase()))
        {
            names.insert(role.portal.account_id.clone(), name.clone());
        }
    }
    Ok(names)
}

/// The path as the user would write it: `~/…` under HOME.
fn show_path(path: &Path) -> String {
    match monban_aws::sso::config::home_dir()
        .and_then(|home| path.strip_prefix(home).ok().map(Path::to_path_buf))
    {
        Some(below) => format!("~/{}", below.display()),
        None => path.display().to_string(),
    }
}

/// Replaces `path` atomically (a temporary file in the same directory, renamed over it),
/// keeping the file's permissions; a new file is created 0600 in a 0700 `~/.aws`. A
/// symlinked config (dotfile managers) is followed, so the link stays a link.
fn write_atomically(path: &Path, text: &str) -> anyhow::Result<()> {
    let target = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let directory = target
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
        .unwrap_or_else(|| Path::new("."));
    if !directory.exists() {
        create_private_directory(directory)
            .with_context(|| format!("cannot create {}", directory.display()))?;
    }
    let permissions = std::fs::metadata(&target)
        .ok()
        .map(|metadata| metadata.permissions());
    let mut file = tempfile::Builder::new()
        .prefix(".config.monban-")
        .tempfile_in(directory)
        .with_context(|| format!("cannot create a temporary file in {}", directory.display()))?;
    file.write_all(text.as_bytes())
        .and_then(|()| file.as_file().sync_all())
        .with_context(|| format!("cannot write {}", file.path().display()))?;
    // tempfile creates the file 0600, the right mode for a new config; an existing one
    // keeps its own.
    if let Some(permissions) = permissions {
        std::fs::set_permissions(file.path(), permissions)
            .with_context(|| format!("cannot set the mode of {}", file.path().display()))?;
    }
    file.persist(&target)
        .with_context(|| format!("cannot replace {}", target.display()))?;
    Ok(())
}

#[cfg(unix)]
fn create_private_directory(directory: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt as _;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(directory)
}

#[cfg(not(unix))]
fn create_private_directory(directory: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(directory)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoints_come_from_the_environment_then_the_sessions_services_section() {
        let config = AwsConfig::parse(
            Path::new("config"),
            "[sso-session s]\nsso_start_url = u\nsso_region = r\nservices = box\n\n[services box]\nsso =\n  endpoint_url = http://portal\nsso-admin =\n  endpoint_url = http://admin\n",
        );
        let none = |_: &str| None;
        let from_section = endpoints_with(&config, "s", none);
        assert_eq!(
            from_section,
            Endpoints::from([
                ("sso", "http://portal".to_owned()),
                ("sso_admin", "http://admin".to_owned())
            ])
        );
        let environment = |name: &str| match name {
            "AWS_ENDPOINT_URL" => Some("http://global".to_owned()),
            "AWS_ENDPOINT_URL_SSO_OIDC" => Some("http://oidc".to_owned()),
            _ => None,
        };
        let from_environment = endpoints_with(&config, "other", environment);
        assert_eq!(from_environment.len(), SERVICE_KEYS.len());
        assert_eq!(from_environment["sso_oidc"], "http://oidc");
        assert_eq!(from_environment["sts"], "http://global");
        let resynced = AwsConfig::parse(
            Path::new("config"),
            "[sso-session s]\nsso_start_url = u\nsso_region = r\n\n[services monban-s]\nsso =\n  endpoint_url = http://earlier\n",
        );
        assert_eq!(
            endpoints_with(&resynced, "s", none),
            Endpoints::from([("sso", "http://earlier".to_owned())]),
            "a later sync keeps the overrides an earlier one wrote"
        );
        let ignored =
            |name: &str| (name == "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS").then(|| "true".to_owned());
        assert!(endpoints_with(&config, "s", ignored).is_empty());
    }

    #[test]
    fn repo_names_are_found_by_account_id_then_by_root_email() {
        let directory = tempfile::tempdir().expect("a temporary directory");
        let root = directory.path();
        std::fs::create_dir_all(root.join("accounts")).expect("mkdir");
        std::fs::write(
            root.join("monban.yaml"),
            "organization:\n  root_email: \"aws-root+{account}@example.com\"\nidentity_center:\n  region: us-east-1\n  identity_source: external\n",
        )
        .expect("write");
        std::fs::write(
            root.join("accounts/payments-prod.yaml"),
            "id: \"210987654321\"\n",
        )
        .expect("write");
        std::fs::write(root.join("accounts/web-dev.yaml"), "{}\n").expect("write");
        let role = |account_id: &str, email: Option<&str>| ListedRole {
            portal: PortalRole {
                account_id: account_id.to_owned(),
                account_name: "Live Name".to_owned(),
                role_name: "ReadOnly".to_owned(),
            },
            email: email.map(str::to_owned),
        };
        let names = repo_account_names(
            root,
            &[
                role("210987654321", Some("someone-else@example.com")),
                role("123456789012", Some("AWS-Root+web-dev@example.com")),
                role("999999999999", Some("unknown@example.com")),
            ],
            true,
        )
        .expect("the repo loads");
        assert_eq!(
            names,
            BTreeMap::from([
                ("210987654321".to_owned(), "payments-prod".to_owned()),
                ("123456789012".to_owned(), "web-dev".to_owned()),
            ])
        );
        assert!(
            repo_account_names(&root.join("missing"), &[], false)
                .expect("a repo that does not load is no error when it was not asked for")
                .is_empty()
        );
        assert!(repo_account_names(&root.join("missing"), &[], true).is_err());
    }

    #[cfg(unix)]
    #[test]
    fn an_atomic_write_keeps_the_mode_and_follows_a_symlink() {
        use std::os::unix::fs::PermissionsExt as _;
        let directory = tempfile::tempdir().expect("a temporary directory");
        let real = directory.path().join("real-config");
        std::fs::write(&real, "old").expect("write");
        std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o640)).expect("chmod");
        let link = directory.path().join("config");
        std::os::unix::fs::symlink(&real, &link).expect("symlink");
        write_atomically(&link, "new").expect("written");
        assert_eq!(std::fs::read_to_string(&real).expect("read"), "new");
        assert!(
            std::fs::symlink_metadata(&link)
                .expect("stat")
                .file_type()
                .is_symlink()
        );
        let mode = std::fs::metadata(&real).expect("stat").permissions().mode();
        assert_eq!(mode & 0o777, 0o640);
        let fresh = directory.path().join("aws/config");
        write_atomically(&fresh, "x").expect("written");
        let mode = std::fs::metadata(&fresh)
            .expect("stat")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
