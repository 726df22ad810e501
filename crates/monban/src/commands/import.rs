//! `monban import terraform TF_DIR --out REPO_DIR`: adopt an existing Terraform setup.
//! Reads the configuration (and optionally its state) with `monban-terraform`, writes the
//! access repo, `directory.yaml` for the identities Terraform created, and
//! `IMPORT-NOTES.md` listing everything that was not translated; prints those notes too.

use std::path::PathBuf;

use anyhow::Context as _;
use clap::{Args, Subcommand};

use crate::ExitStatus;
use crate::printer::Printer;

/// `monban import`.
#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Read a Terraform configuration that manages Identity Center / Organizations (raw
    /// resources or local modules) and write the equivalent access repo.
    Terraform(ImportTerraformArgs),
}

/// `monban import terraform`.
#[derive(Debug, Args)]
pub struct ImportTerraformArgs {
    /// The Terraform root module (the directory you run `terraform plan` in).
    #[arg(value_name = "TF_DIR")]
    pub terraform_dir: PathBuf,
    /// Where to write the access repo (created if missing; must not hold monban.yaml yet).
    #[arg(long, value_name = "REPO_DIR")]
    pub out: PathBuf,
    /// `terraform.tfstate`, or the output of `terraform show -json`: resolves account ids,
    /// permission set ARNs and principal ids written as literals.
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,
    /// A `.tfvars` file, as `terraform -var-file`; repeatable, applied in order after
    /// `terraform.tfvars` and `*.auto.tfvars`.
    #[arg(long = "var-file", value_name = "FILE")]
    pub var_files: Vec<PathBuf>,
    /// A variable value, as `terraform -var NAME=VALUE`; repeatable, applied after every file.
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub variables: Vec<String>,
}

/// The import's settings, resolved from the flags.
struct ImportSettings {
    options: monban_terraform::import::ImportOptions,
    out: PathBuf,
}

impl ImportSettings {
    fn resolve(args: &ImportTerraformArgs) -> anyhow::Result<Self> {
        let variables = args
            .variables
            .iter()
            .map(|argument| {
                argument
                    .split_once('=')
                    .map(|(name, value)| (name.trim().to_owned(), value.to_owned()))
                    .with_context(|| format!("`--var {argument}` is not NAME=VALUE"))
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        Ok(Self {
            options: monban_terraform::import::ImportOptions {
                terraform_dir: args.terraform_dir.clone(),
                state: args.state.clone(),
                var_files: args.var_files.clone(),
                variables,
            },
            out: args.out.clone(),
        })
    }
}

pub fn import(command: &ImportCommand, printer: &Printer) -> anyhow::Result<ExitStatus> {
    let ImportCommand::Terraform(args) = command;
    let settings = ImportSettings::resolve(args)?;
    let marker = settings.out.join(monban_config::REPO_MARKER);
    if marker.exists() {
        anyhow::bail!(
            "{} already holds {}; import into a new directory",
            monban_config::display_path(&settings.out),
            monban_config::REPO_MARKER
        );
    }
    let imported = monban_terraform::import::import(&settings.options)?;
    monban_terraform::import::write(&imported, &settings.options.terraform_dir, &settings.out)?;
    for note in &imported.notes {
        printer.log(format!("note: {note}"));
    }
    let repo = &imported.repo;
    let assignments: usize = repo
        .accounts
        .values()
        .flat_map(|account| account.access.values())
        .map(Vec::len)
        .sum();
    let shown = monban_config::display_path(&settings.out);
    printer.log(format!(
        "wrote {shown}: {} account(s), {} permission set(s), {assignments} assignment(s), {} OU(s), \
         {} group(s), {} user(s); {} construct(s) not translated, listed in {shown}/{}",
        repo.accounts.len(),
        repo.permission_sets.len(),
        repo.settings.organization.ous.len(),
        repo.groups.len(),
        repo.users.len(),
        imported.notes.len(),
        monban_terraform::import::NOTES_FILE,
    ));
    // `--directory` only helps when the snapshot holds every name the repo references;
    // groups Terraform merely looked up belong to the IdP and are not in it.
    let directory = &imported.directory;
    let complete = repo
        .groups
        .iter()
        .all(|group| directory.groups.contains_key(group))
        && repo
            .users
            .iter()
            .all(|user| directory.users.contains_key(user));
    let directory_hint = if directory.users.is_empty() && directory.groups.is_empty() || !complete {
        String::new()
    } else {
        format!(
            " --directory {shown}/{}",
            monban_terraform::import::DIRECTORY_FILE
        )
    };
    printer.log(format!(
        "next: review the notes, then `monban validate --repo {shown}{directory_hint}`"
    ));
    Ok(ExitStatus::Success)
}
