//! `monban export terraform OUT`: writes the access repo as Terraform for shops whose
//! policy is "Terraform applies everything" (`docs/reference/terraform-export.md`). With a
//! target (`--sandbox`, `--endpoint-url`, or `--imports` for the repo's declared one) it
//! also reads the live state and writes `import` blocks carrying the live ids.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::{Args, Subcommand};

use crate::ExitStatus;
use crate::cli::{RepoArgs, TargetArgs};
use crate::commands::plan::{load_valid_repo, runtime};
use crate::printer::Printer;
use crate::settings::{RepoLocation, load_options};
use crate::target::{TargetChoice, with_target};

/// `monban export …`.
#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// Write the repo as deterministic, `terraform fmt`-style HCL for the AWS provider: one
    /// resource block per OU, account, permission set, policy attachment and assignment,
    /// addressed by names so a one-line repo change is a one-resource Terraform diff.
    Terraform(ExportTerraformArgs),
}

/// `monban export terraform`.
#[derive(Debug, Args)]
pub struct ExportTerraformArgs {
    /// The directory to write (created if missing). Files it wrote before and no longer
    /// writes are removed; other files are left alone.
    #[arg(value_name = "OUT")]
    pub out: PathBuf,
    #[command(flatten)]
    pub repo: RepoArgs,
    #[command(flatten)]
    pub target: TargetArgs,
    /// Read the repo's declared target and write `import` blocks for what already exists
    /// there (implied by `--sandbox` and `--endpoint-url`).
    #[arg(long)]
    pub imports: bool,
    /// The date (YYYY-MM-DD, UTC) that counts as today for expired grants; for tests.
    #[arg(long, value_name = "DATE", hide = true, env = "MONBAN_TODAY")]
    pub today: Option<String>,
}

pub fn run(command: ExportCommand, printer: &Printer) -> anyhow::Result<ExitStatus> {
    match command {
        ExportCommand::Terraform(args) => terraform(&args, printer),
    }
}

fn terraform(args: &ExportTerraformArgs, printer: &Printer) -> anyhow::Result<ExitStatus> {
    let location = RepoLocation::resolve(args.repo.repo.as_deref())?;
    let options = load_options(args.today.as_deref(), None)?;
    let Some(repo) = load_valid_repo(&location, &options, printer)? else {
        return Ok(ExitStatus::Failure);
    };
    let wants_live = args.imports || args.target.sandbox || args.target.endpoint_url.is_some();
    let live = if wants_live {
        let choice = TargetChoice::resolve(
            &location.root,
            &repo,
            args.target.sandbox,
            args.target.endpoint_url.as_deref(),
        );
        printer.log(format!(
            "Reading the live state of {choice} for import ids …"
        ));
        let read = runtime()?.block_on(with_target(&choice, async |clients| {
            monban_aws::read_live_state(clients)
                .await
                .with_context(|| format!("could not read the live state of {choice}"))
        }))?;
        Some(read.state)
    } else {
        None
    };
    let export = monban_terraform::export::export(monban_terraform::export::ExportInput {
        repo: &repo,
        today: options.today,
        live: live.as_ref(),
    });
    write_export(&args.out, &export)?;
    for note in &export.notes {
        printer.log(format!("note: {note}"));
    }
    printer.log(format!(
        "Wrote {} resource(s){} to {}.",
        export.resources,
        if live.is_some() {
            format!(" and {} import block(s)", export.imports)
        } else {
            String::new()
        },
        monban_config::display_path(&args.out)
    ));
    Ok(ExitStatus::Success)
}

/// Writes every file, then removes files an earlier export wrote that this one did not:
/// `.tf` files starting with the generated marker, and `policies/*.json` beside them.
fn write_export(out: &Path, export: &monban_terraform::export::Export) -> anyhow::Result<()> {
    let marker = format!("# {}", monban_terraform::export::GENERATED_MARKER);
    let ours =
        |path: &Path| std::fs::read_to_string(path).is_ok_and(|text| text.starts_with(&marker));
    let was_ours = ours(&out.join("versions.tf"));
    for (relative, text) in &export.files {
        let path = out.join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("could not create {}", parent.display()))?;
        }
        std::fs::write(&path, text)
            .with_context(|| format!("could not write {}", path.display()))?;
    }
    let stale =
        |path: &Path, relative: PathBuf| !export.files.contains_key(&relative) && path.is_file();
    if let Ok(entries) = std::fs::read_dir(out) {
        for entry in entries.flatten() {
            let path = entry.path();
            let relative = PathBuf::from(entry.file_name());
            if path.extension().is_some_and(|extension| extension == "tf")
                && stale(&path, relative)
                && ours(&path)
            {
                std::fs::remove_file(&path)
                    .with_context(|| format!("could not remove {}", path.display()))?;
            }
        }
    }
    if was_ours && let Ok(entries) = std::fs::read_dir(out.join("policies")) {
        for entry in entries.flatten() {
            let path = entry.path();
            let relative = Path::new("policies").join(entry.file_name());
            if path
                .extension()
                .is_some_and(|extension| extension == "json")
                && stale(&path, relative)
            {
                std::fs::remove_file(&path)
                    .with_context(|| format!("could not remove {}", path.display()))?;
            }
        }
    }
    Ok(())
}
