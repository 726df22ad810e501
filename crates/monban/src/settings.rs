//! Settings of each command, resolved once from flags, environment and the working
//! directory (the uv pattern): commands take these structs, not raw flags.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use monban_config::model::Until;

use crate::cli::{
    ApplyArgs, OutputFormat, PlanArgs, PlanFormat, RefreshMode, SchemaArgs, SchemaKind,
    ShowAccountArgs, ShowArgs, ShowWhoArgs, ValidateArgs,
};

/// Where the access repo is, and how to show its files' paths to the user.
#[derive(Debug, Clone)]
pub struct RepoLocation {
    /// The directory holding `monban.yaml`.
    pub root: PathBuf,
    /// The repo root as the user would type it: `--repo` as given, or the found root
    /// relative to the working directory (`.`, `../..`).
    pub display: PathBuf,
}

impl RepoLocation {
    /// `--repo DIR` as given, or the nearest directory upwards holding `monban.yaml`.
    pub fn resolve(repo: Option<&Path>) -> anyhow::Result<Self> {
        if let Some(repo) = repo {
            return Ok(Self {
                root: repo.to_path_buf(),
                display: repo.to_path_buf(),
            });
        }
        let current = std::env::current_dir().context("cannot read the working directory")?;
        let root = monban_config::find_repo(&current)?;
        let depth = current
            .strip_prefix(&root)
            .map_or(0, |below| below.components().count());
        let display = if depth == 0 {
            PathBuf::from(".")
        } else {
            std::iter::repeat_n("..", depth).collect()
        };
        Ok(Self { root, display })
    }

    /// How to show `file` (relative to the repo root) to the user.
    #[must_use]
    pub fn show(&self, file: &Path) -> String {
        if self.display == Path::new(".") {
            monban_config::display_path(file)
        } else {
            monban_config::display_path(&self.display.join(file))
        }
    }
}

/// `monban validate`.
#[derive(Debug, Clone)]
pub struct ValidateSettings {
    pub repo: RepoLocation,
    pub directory: Option<PathBuf>,
    pub deny_warnings: bool,
    pub format: OutputFormat,
    pub load_options: monban_config::LoadOptions,
}

impl ValidateSettings {
    pub fn resolve(args: ValidateArgs) -> anyhow::Result<Self> {
        let repo = RepoLocation::resolve(args.repo.repo.as_deref())?;
        let load_options = load_options(args.today.as_deref(), args.directory.as_deref())?;
        Ok(Self {
            repo,
            directory: args.directory,
            deny_warnings: args.deny_warnings,
            format: args.format,
            load_options,
        })
    }
}

/// `monban schema`.
#[derive(Debug, Clone, Copy)]
pub struct SchemaSettings {
    pub kind: Option<monban_config::FileKind>,
}

impl SchemaSettings {
    #[must_use]
    pub fn resolve(args: &SchemaArgs) -> Self {
        Self {
            kind: args.kind.map(|kind| match kind {
                SchemaKind::Settings => monban_config::FileKind::Settings,
                SchemaKind::Account => monban_config::FileKind::Account,
                SchemaKind::PermissionSet => monban_config::FileKind::PermissionSet,
                SchemaKind::Groups => monban_config::FileKind::Groups,
                SchemaKind::Rules => monban_config::FileKind::Rules,
                SchemaKind::Directory => monban_config::FileKind::Directory,
            }),
        }
    }
}

/// Loader options from `--today` / `MONBAN_TODAY` and `--directory`.
pub fn load_options(
    today: Option<&str>,
    directory: Option<&Path>,
) -> anyhow::Result<monban_config::LoadOptions> {
    let mut load_options = monban_config::LoadOptions::new();
    if let Some(today) = today {
        let date = Until::parse(today)
            .with_context(|| format!("invalid --today / MONBAN_TODAY `{today}`"))?
            .date();
        load_options = load_options.with_today(date);
    }
    if let Some(directory) = directory {
        load_options = load_options.with_directory(directory);
    }
    Ok(load_options)
}

/// What every `show` command needs: the repo, the optional directory snapshot, today.
#[derive(Debug, Clone)]
pub struct ShowSettings {
    pub repo: RepoLocation,
    pub directory: Option<PathBuf>,
    pub load_options: monban_config::LoadOptions,
}

impl ShowSettings {
    pub fn resolve(args: ShowArgs) -> anyhow::Result<Self> {
        let repo = RepoLocation::resolve(args.repo.repo.as_deref())?;
        let load_options = load_options(args.today.as_deref(), args.directory.as_deref())?;
        Ok(Self {
            repo,
            directory: args.directory,
            load_options,
        })
    }
}

/// `monban show account`.
#[derive(Debug, Clone)]
pub struct ShowAccountSettings {
    pub show: ShowSettings,
    pub account: String,
}

impl ShowAccountSettings {
    pub fn resolve(args: ShowAccountArgs) -> anyhow::Result<Self> {
        Ok(Self {
            show: ShowSettings::resolve(args.show)?,
            account: args.account,
        })
    }
}

/// `monban show who`.
#[derive(Debug, Clone)]
pub struct ShowWhoSettings {
    pub show: ShowSettings,
    pub principal: String,
}

impl ShowWhoSettings {
    pub fn resolve(args: ShowWhoArgs) -> anyhow::Result<Self> {
        Ok(Self {
            show: ShowSettings::resolve(args.show)?,
            principal: args.principal,
        })
    }
}

/// `monban plan`.
#[derive(Debug, Clone)]
pub struct PlanSettings {
    pub repo: RepoLocation,
    pub load_options: monban_config::LoadOptions,
    pub sandbox: bool,
    pub endpoint_url: Option<String>,
    pub format: PlanFormat,
    pub out: Option<PathBuf>,
    pub detailed_exitcode: bool,
    pub stats: bool,
    pub allow_mass_removal: bool,
    pub changed_since: Option<String>,
    pub refresh: RefreshMode,
    /// `--expiring-within`, in days.
    pub expiring_within_days: Option<i64>,
}

impl PlanSettings {
    pub fn resolve(args: PlanArgs) -> anyhow::Result<Self> {
        let repo = RepoLocation::resolve(args.repo.repo.as_deref())?;
        let load_options = load_options(args.today.as_deref(), None)?;
        Ok(Self {
            repo,
            load_options,
            sandbox: args.target.sandbox,
            endpoint_url: args.target.endpoint_url,
            format: args.format,
            out: args.out,
            detailed_exitcode: args.detailed_exitcode,
            stats: args.stats,
            allow_mass_removal: args.allow_mass_removal,
            changed_since: args.changed_since,
            refresh: args.refresh,
            expiring_within_days: args
                .expiring_within
                .as_deref()
                .map(monban_plan::parse_days)
                .transpose()
                .map_err(|message| anyhow::anyhow!("invalid --expiring-within: {message}"))?,
        })
    }

    /// The planner's context for a target.
    #[must_use]
    pub fn context(&self, choice: &crate::target::TargetChoice) -> monban_plan::PlanContext {
        monban_plan::PlanContext {
            expiring_within_days: self.expiring_within_days,
            ..plan_context(&self.load_options, choice, self.allow_mass_removal)
        }
    }
}

/// `monban apply`.
#[derive(Debug, Clone)]
pub struct ApplySettings {
    pub repo: RepoLocation,
    pub load_options: monban_config::LoadOptions,
    pub plan_file: Option<PathBuf>,
    pub sandbox: bool,
    pub endpoint_url: Option<String>,
    pub auto_approve: bool,
    pub allow_mass_removal: bool,
    pub allow_close: bool,
    pub allow_self_removal: bool,
    pub stats: bool,
    /// `--only-expired`: apply only the removal of expired grants.
    pub only_expired: bool,
}

impl ApplySettings {
    pub fn resolve(args: ApplyArgs) -> anyhow::Result<Self> {
        let repo = RepoLocation::resolve(args.repo.repo.as_deref())?;
        let load_options = load_options(args.today.as_deref(), None)?;
        Ok(Self {
            repo,
            load_options,
            plan_file: args.plan,
            sandbox: args.target.sandbox,
            endpoint_url: args.target.endpoint_url,
            auto_approve: args.auto_approve,
            allow_mass_removal: args.allow_mass_removal,
            allow_close: args.allow_close,
            allow_self_removal: args.allow_self_removal,
            stats: args.stats,
            only_expired: args.only_expired,
        })
    }

    /// The planner's context for a target.
    #[must_use]
    pub fn context(&self, choice: &crate::target::TargetChoice) -> monban_plan::PlanContext {
        plan_context(&self.load_options, choice, self.allow_mass_removal)
    }
}

/// The planner's context: today (from `--today` or the clock), the target, this monban's
/// version, and whether mass removal is allowed.
pub fn plan_context(
    load_options: &monban_config::LoadOptions,
    choice: &crate::target::TargetChoice,
    allow_mass_removal: bool,
) -> monban_plan::PlanContext {
    monban_plan::PlanContext {
        tool_version: env!("CARGO_PKG_VERSION").to_owned(),
        allow_mass_removal,
        ..monban_plan::PlanContext::new(load_options.today, choice.endpoint())
    }
}
