//! Clap definitions of every command and flag. Settings are resolved from these in
//! `commands`; nothing here performs I/O.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// monban keeps AWS accounts and everyone's access to them as code.
#[derive(Debug, Parser)]
#[command(name = "monban", version, about, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// Options every repo-reading command takes.
#[derive(Debug, Args, Clone)]
pub struct RepoArgs {
    /// The access repo (default: the nearest directory upwards holding `monban.yaml`).
    #[arg(long, value_name = "DIR", global = true, env = "MONBAN_REPO")]
    pub repo: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check the access repo offline: every reference, name, AWS limit, policy document and
    /// e-mail, reporting each problem with `file:line:col` and a hint.
    Validate(ValidateArgs),
    /// Print the JSON Schema of the access-repo files, for editors.
    Schema(SchemaArgs),
    /// Run the built-in AWS-compatible sandbox.
    #[command(subcommand)]
    Sandbox(SandboxCommand),
    /// Show who has access where, as the repo declares it.
    #[command(subcommand)]
    Show(ShowCommand),
    /// Write a small, commented starter access repo.
    Init(InitArgs),
}

#[derive(Debug, Subcommand)]
pub enum ShowCommand {
    /// Who holds which permission set on one account, and through what.
    Account(ShowAccountArgs),
    /// Every account and permission set a principal reaches, and how.
    Who(ShowWhoArgs),
}

/// Options of every `show` command.
#[derive(Debug, Args)]
pub struct ShowArgs {
    #[command(flatten)]
    pub repo: RepoArgs,
    /// A directory snapshot of the identity provider, to expand groups into their members.
    #[arg(long, value_name = "FILE")]
    pub directory: Option<PathBuf>,
    /// The date (YYYY-MM-DD, UTC) that counts as today for expired grants; for tests.
    #[arg(long, value_name = "DATE", hide = true, env = "MONBAN_TODAY")]
    pub today: Option<String>,
}

/// `monban show account`.
#[derive(Debug, Args)]
pub struct ShowAccountArgs {
    /// The account's name (its file name under `accounts/`).
    pub account: String,
    #[command(flatten)]
    pub show: ShowArgs,
}

/// `monban show who`.
#[derive(Debug, Args)]
pub struct ShowWhoArgs {
    /// `group:NAME`, `user:NAME`, or a bare name of a group or user in `groups.yaml`.
    pub principal: String,
    #[command(flatten)]
    pub show: ShowArgs,
}

/// `monban init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Where to write the repo (created if missing; default: the working directory).
    #[arg(default_value = ".")]
    pub dir: PathBuf,
    /// Write the Tessera Group example (20 accounts, an IdP directory snapshot) instead of
    /// the small starter repo.
    #[arg(long)]
    pub example: bool,
}

#[derive(Debug, Subcommand)]
pub enum SandboxCommand {
    /// Serve the sandbox over HTTP until interrupted (first stdout line: `READY <endpoint-url>`).
    Serve(SandboxServeArgs),
    /// Clear a sandbox state directory, so the next start is a fresh organization.
    Reset(SandboxResetArgs),
}

#[derive(Debug, Args)]
pub struct SandboxResetArgs {
    /// Directory holding the sandbox's state.
    #[arg(long, value_name = "DIR")]
    pub state: PathBuf,
}

#[derive(Debug, Args)]
pub struct SandboxServeArgs {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:4566")]
    pub addr: String,
    /// Directory holding the sandbox's state (default: in memory, lost at exit).
    #[arg(long, value_name = "DIR")]
    pub state: Option<PathBuf>,
    /// Region of the Identity Center instance.
    #[arg(long, default_value = "us-east-1")]
    pub region: String,
    /// The management account id of a fresh state.
    #[arg(long, default_value = "111111111111", value_name = "ID")]
    pub management_account_id: String,
    /// How long asynchronous operations (account creation, account assignments, provisioning)
    /// stay `IN_PROGRESS`, in seconds (fractions allowed; default 0.3).
    #[arg(long, value_name = "SECONDS")]
    pub async_duration: Option<f64>,
}

/// `monban validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    #[command(flatten)]
    pub repo: RepoArgs,
    /// Also check `groups.yaml` against this directory snapshot (what the identity provider holds).
    #[arg(long, value_name = "FILE")]
    pub directory: Option<PathBuf>,
    /// Fail (exit 1) on warnings too.
    #[arg(long)]
    pub deny_warnings: bool,
    /// Output format: `human` diagnostics on stderr, or one `json` document on stdout.
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    pub format: OutputFormat,
    /// The date (YYYY-MM-DD, UTC) that counts as today for expired grants; for tests.
    #[arg(long, value_name = "DATE", hide = true, env = "MONBAN_TODAY")]
    pub today: Option<String>,
}

/// `monban schema`.
#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// Only the schema of one kind of file (default: all kinds in one document).
    #[arg(long, value_enum)]
    pub kind: Option<SchemaKind>,
}

/// The kinds of file the JSON Schema describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SchemaKind {
    /// `monban.yaml`
    Settings,
    /// `accounts/*.yaml`
    Account,
    /// `permission-sets/*.yaml`
    PermissionSet,
    /// `groups.yaml`
    Groups,
    /// `rules/*.yaml`
    Rules,
    /// a directory snapshot of the identity provider (`directory.yaml`)
    Directory,
}

/// Human or machine output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    Human,
    Json,
}
