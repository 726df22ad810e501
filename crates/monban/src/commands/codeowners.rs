//! `monban codeowners`: writes (or with `--check`, verifies) the access repo's section of
//! the git repository's CODEOWNERS file (docs/reference/codeowners.md).

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::Args;

use crate::ExitStatus;
use crate::cli::RepoArgs;
use crate::printer::Printer;
use crate::settings::{RepoLocation, load_options};

/// `monban codeowners`.
#[derive(Debug, Args)]
pub struct CodeownersArgs {
    /// The CODEOWNERS file (default: .github/CODEOWNERS in the git repository holding the
    /// access repo).
    #[arg(long, value_name = "PATH")]
    pub out: Option<PathBuf>,
    /// Change nothing; exit 1 with a diff when the file is out of date.
    #[arg(long)]
    pub check: bool,
    #[command(flatten)]
    pub repo: RepoArgs,
}

/// The settings of one run, resolved from the flags and the file system.
#[derive(Debug)]
struct CodeownersSettings {
    location: RepoLocation,
    /// The CODEOWNERS file.
    out: PathBuf,
    /// The access repo's directory relative to the git root, `/`-separated.
    prefix: String,
    check: bool,
}

impl CodeownersSettings {
    fn resolve(args: &CodeownersArgs) -> anyhow::Result<Self> {
        let location = RepoLocation::resolve(args.repo.repo.as_deref())?;
        let root = std::fs::canonicalize(&location.root)
            .with_context(|| format!("cannot resolve `{}`", location.root.display()))?;
        // Without a git repository, the access repo's own directory stands in for its root.
        let git_root = git_root(&root).unwrap_or_else(|| root.clone());
        let prefix = root
            .strip_prefix(&git_root)
            .map(monban_config::display_path)
            .unwrap_or_default();
        let out = args
            .out
            .clone()
            .unwrap_or_else(|| git_root.join(".github").join("CODEOWNERS"));
        Ok(Self {
            location,
            out,
            prefix,
            check: args.check,
        })
    }
}

/// The nearest directory at or above `start` holding `.git` (a directory, or a file in a
/// worktree or submodule).
fn git_root(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .find(|directory| directory.join(".git").exists())
        .map(Path::to_path_buf)
}

pub fn codeowners(args: &CodeownersArgs, printer: &Printer) -> anyhow::Result<ExitStatus> {
    let settings = CodeownersSettings::resolve(args)?;
    let options = load_options(None, None)?;
    let Some(repo) = crate::commands::plan::load_valid_repo(&settings.location, &options, printer)?
    else {
        return Ok(ExitStatus::Failure);
    };
    let sidecars = monban_config::account_sidecars(&settings.location.root, &repo)
        .context("cannot list accounts/")?;
    let section = monban_config::render_codeowners(&repo, &settings.prefix, &sidecars);
    let existing = match std::fs::read_to_string(&settings.out) {
        Ok(text) => Some(text),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => None,
        Err(error) => {
            return Err(error).with_context(|| format!("cannot read `{}`", settings.out.display()));
        }
    };
    let wanted = monban_config::merge_codeowners(existing.as_deref(), &section);
    let shown = monban_config::display_path(&settings.out);
    let owned = repo
        .accounts
        .values()
        .filter(|account| !account.owners.is_empty())
        .count();
    if existing.as_deref() == Some(wanted.as_str()) {
        printer.log(format!(
            "{shown} is up to date ({owned} of {} accounts with their own owners).",
            repo.accounts.len()
        ));
        return Ok(ExitStatus::Success);
    }
    if settings.check {
        let before = existing.as_deref().unwrap_or("");
        let diff = monban_config::edit::unified_diff(
            before,
            &wanted,
            &format!("{shown} (current)"),
            &format!("{shown} (generated)"),
        );
        printer.data(diff.trim_end());
        let what = if existing.is_none() {
            "does not exist"
        } else {
            "is out of date: owners in the repo changed since it was written"
        };
        printer.log(format!(
            "error: {shown} {what}; run `monban codeowners` and commit the result"
        ));
        return Ok(ExitStatus::Failure);
    }
    if let Some(parent) = settings
        .out
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
    {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create `{}`", parent.display()))?;
    }
    // Atomically: a temporary file beside the target, renamed over it.
    let file_name = settings.out.file_name().map_or_else(
        || "CODEOWNERS".into(),
        |name| name.to_string_lossy().into_owned(),
    );
    let temporary = settings
        .out
        .with_file_name(format!(".{file_name}.monban-{}", std::process::id()));
    std::fs::write(&temporary, &wanted)
        .with_context(|| format!("cannot write `{}`", temporary.display()))?;
    std::fs::rename(&temporary, &settings.out)
        .with_context(|| format!("cannot write `{shown}`"))?;
    printer.log(format!(
        "Wrote {shown}: {owned} of {} accounts with their own owners{}.",
        repo.accounts.len(),
        if repo.settings.codeowners.default.is_empty() {
            String::new()
        } else {
            format!(
                ", the rest by the default ({})",
                repo.settings.codeowners.default.join(" ")
            )
        }
    ));
    Ok(ExitStatus::Success)
}
