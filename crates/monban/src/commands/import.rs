//! `monban import terraform TF_DIR --out REPO_DIR`: adopt an existing Terraform setup.
//! Reads the configuration (`.tf` and `.tf.json` files; variable values from `TF_VAR_*`,
//! the automatic `.tfvars` files and the flags; optionally the state) with
//! `monban-terraform`, writes the access repo, `directory.yaml` for the identities
//! Terraform created, and `IMPORT-NOTES.md` listing everything that was not translated;
//! prints those notes too. The process environment is read here, never in the library.

use std::path::PathBuf;

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

/// `monban import terraform`: the flags, and the `--var` / `--var-file` arguments in the
/// order given, which clap's derive does not keep across two flags (Terraform applies them
/// in command-line order, so a file given after a `--var` wins over it).
#[derive(Debug)]
pub struct ImportTerraformArgs {
    pub flags: ImportTerraformFlags,
    pub variable_arguments: Vec<monban_terraform::import::VariableArgument>,
}

/// The flags of `monban import terraform`.
#[derive(Debug, Args)]
pub struct ImportTerraformFlags {
    /// The Terraform root module (the directory you run `terraform plan` in): its `.tf` and
    /// `.tf.json` files.
    #[arg(value_name = "TF_DIR")]
    pub terraform_dir: PathBuf,
    /// Where to write the access repo (created if missing; must not hold monban.yaml yet).
    #[arg(long, value_name = "REPO_DIR")]
    pub out: PathBuf,
    /// `terraform.tfstate`, or the output of `terraform show -json`: resolves account ids,
    /// permission set ARNs and principal ids written as literals.
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,
    /// A `.tfvars` or `.tfvars.json` file, as `terraform -var-file`; repeatable, applied
    /// after `TF_VAR_*`, `terraform.tfvars(.json)` and `*.auto.tfvars(.json)`, in order with
    /// `--var`.
    #[arg(long = "var-file", value_name = "FILE")]
    pub var_files: Vec<PathBuf>,
    /// A variable value, as `terraform -var NAME=VALUE`; repeatable, applied in order with
    /// `--var-file`.
    #[arg(long = "var", value_name = "NAME=VALUE", value_parser = name_value)]
    pub variables: Vec<(String, String)>,
}

/// `NAME=VALUE` of `--var` (the value may itself hold `=`).
fn name_value(argument: &str) -> Result<(String, String), String> {
    argument
        .split_once('=')
        .map(|(name, value)| (name.trim().to_owned(), value.to_owned()))
        .ok_or_else(|| "expected NAME=VALUE".to_owned())
}

/// The ids clap gives the two flags (their field names).
const VAR_FILE_ID: &str = "var_files";
const VAR_ID: &str = "variables";

impl clap::Args for ImportTerraformArgs {
    fn augment_args(command: clap::Command) -> clap::Command {
        ImportTerraformFlags::augment_args(command)
    }

    fn augment_args_for_update(command: clap::Command) -> clap::Command {
        ImportTerraformFlags::augment_args_for_update(command)
    }
}

impl clap::FromArgMatches for ImportTerraformArgs {
    fn from_arg_matches(matches: &clap::ArgMatches) -> Result<Self, clap::Error> {
        let flags = ImportTerraformFlags::from_arg_matches(matches)?;
        let variable_arguments = variable_arguments(matches, &flags);
        Ok(Self {
            flags,
            variable_arguments,
        })
    }

    fn update_from_arg_matches(&mut self, matches: &clap::ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(matches)?;
        Ok(())
    }
}

/// `--var-file` and `--var` merged by their position on the command line.
fn variable_arguments(
    matches: &clap::ArgMatches,
    flags: &ImportTerraformFlags,
) -> Vec<monban_terraform::import::VariableArgument> {
    use monban_terraform::import::VariableArgument;
    let indices = |id: &str| -> Vec<usize> {
        matches
            .indices_of(id)
            .map(Iterator::collect)
            .unwrap_or_default()
    };
    let mut ordered: Vec<(usize, VariableArgument)> = Vec::new();
    for (index, path) in indices(VAR_FILE_ID).into_iter().zip(&flags.var_files) {
        ordered.push((index, VariableArgument::File(path.clone())));
    }
    for (index, (name, value)) in indices(VAR_ID).into_iter().zip(&flags.variables) {
        ordered.push((
            index,
            VariableArgument::Value {
                name: name.clone(),
                value: value.clone(),
            },
        ));
    }
    ordered.sort_by_key(|(index, _)| *index);
    ordered.into_iter().map(|(_, argument)| argument).collect()
}

/// The prefix of the environment variables Terraform reads variable values from.
const TERRAFORM_VARIABLE_PREFIX: &str = "TF_VAR_";

/// The import's settings, resolved from the flags and the environment.
struct ImportSettings {
    options: monban_terraform::import::ImportOptions,
    out: PathBuf,
}

impl ImportSettings {
    /// `environment` is the process environment (`std::env::vars_os()`), read by the
    /// caller: only `TF_VAR_*` variables with UTF-8 names and values are passed on
    /// (Terraform's own names are UTF-8; a value that is not cannot be HCL or a string).
    fn resolve(
        args: &ImportTerraformArgs,
        environment: impl IntoIterator<Item = (std::ffi::OsString, std::ffi::OsString)>,
    ) -> Self {
        let environment = environment
            .into_iter()
            .filter_map(|(name, value)| Some((name.into_string().ok()?, value.into_string().ok()?)))
            .filter(|(name, _)| name.starts_with(TERRAFORM_VARIABLE_PREFIX))
            .collect();
        let flags = &args.flags;
        Self {
            options: monban_terraform::import::ImportOptions {
                terraform_dir: flags.terraform_dir.clone(),
                state: flags.state.clone(),
                variable_arguments: args.variable_arguments.clone(),
                environment,
            },
            out: flags.out.clone(),
        }
    }
}

pub fn import(command: &ImportCommand, printer: &Printer) -> anyhow::Result<ExitStatus> {
    let ImportCommand::Terraform(args) = command;
    let settings = ImportSettings::resolve(args, std::env::vars_os());
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
