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
    /// Compare the repo with the live organization: who gains or loses which permission set
    /// on which account, and every resource change. Changes nothing.
    Plan(PlanArgs),
    /// Make the target match the repo: plan, confirm, apply — or apply a saved plan after
    /// checking it is still current. Resumes an interrupted apply without repeating work.
    Apply(ApplyArgs),
    /// Print the IAM policy a CI job's role needs, derived from the AWS operations monban
    /// calls: read-only for `plan`, the reads plus the exact writes for `apply`.
    IamPolicy(crate::commands::iam_policy::IamPolicyArgs),
    /// Show monban's whole loop on a fresh built-in sandbox: the example organization's IdP
    /// directory is pushed into it, the example repo planned and applied, planned again, and
    /// a pull request's plan shown as a reviewer sees it. Needs no AWS account.
    Demo(DemoArgs),
    /// Review who can reach what and why, from the live organization: an inventory of every
    /// person's access (groups expanded), drift against the repo, leavers and orphans, IAM
    /// users with old keys, permission-set lint — as a summary, JSON, CSV or an HTML report.
    Audit(crate::commands::audit::AuditArgs),
    /// Sign in to IAM Identity Center (an `[sso-session]` of ~/.aws/config): browser with
    /// PKCE, or `--use-device-code`; writes the token cache the AWS CLI and SDKs share.
    Login(crate::commands::developer::LoginArgs),
    /// Sign out: revoke the SSO token, delete it and monban's cached keys for the session.
    Logout(crate::commands::developer::LogoutArgs),
    /// Print short-lived keys for an account and permission set as `credential_process`
    /// JSON (cached until 5 minutes before they expire).
    Credentials(crate::commands::developer::CredentialsArgs),
    /// Run a command with the keys of an SSO profile in its environment.
    Exec(crate::commands::developer::ExecArgs),
    /// Print a sign-in URL for the AWS console as an account and permission set.
    Console(crate::commands::developer::ConsoleArgs),
    /// Write the access repo's section of CODEOWNERS from the account files' `owners` (and
    /// `codeowners.default`); `--check` fails with a diff when it is out of date.
    Codeowners(crate::commands::codeowners::CodeownersArgs),
    /// Grant a permission set to a group or user on accounts: adds one entry per account
    /// file where a person would, validated before anything is written.
    Grant(crate::commands::edit::GrantArgs),
    /// Revoke a permission set from a group or user on accounts: deletes exactly those
    /// entries.
    Revoke(crate::commands::edit::RevokeArgs),
    /// Remove every direct grant of a leaver (deleting lines only) and list the groups that
    /// still give them access.
    Offboard(crate::commands::edit::OffboardArgs),
    /// Rewrite account files in the canonical layout (comments kept); `--check` lists the
    /// files that would change; `--prune-expired` drops grants whose `until` has passed.
    Fmt(crate::commands::edit::FmtArgs),
    /// Write the access repo in another tool's format: Terraform for shops where Terraform
    /// applies everything.
    #[command(subcommand)]
    Export(crate::commands::export::ExportCommand),
    /// AWS config profiles for the accounts and permission sets you hold (`profiles sync`).
    #[command(subcommand)]
    Profiles(crate::commands::profiles::ProfilesCommand),
    /// Adopt another tool's setup: `import terraform` reads a Terraform configuration (and
    /// state) into an access repo, listing whatever it cannot translate.
    #[command(subcommand)]
    Import(crate::commands::import::ImportCommand),
}

/// Where commands that talk to AWS send their requests (design §4: never guessed).
#[derive(Debug, Args, Clone)]
pub struct TargetArgs {
    /// Use the embedded sandbox, whatever target the repo declares.
    #[arg(long, conflicts_with = "endpoint_url")]
    pub sandbox: bool,
    /// Talk to this AWS-compatible endpoint (e.g. a `monban sandbox serve`), with the
    /// standard credential chain (environment first); the repo's profile is ignored.
    #[arg(long, value_name = "URL")]
    pub endpoint_url: Option<String>,
}

/// `monban plan`.
#[derive(Debug, Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub repo: RepoArgs,
    #[command(flatten)]
    pub target: TargetArgs,
    /// How to show the plan: for a terminal, a pull-request comment, or machines.
    #[arg(long, value_enum, default_value_t = PlanFormat::Human)]
    pub format: PlanFormat,
    /// Also save the plan (JSON) to FILE, for a later `monban apply FILE`.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Exit 0 when there are no changes, 2 when there are (1 stays an error).
    #[arg(long)]
    pub detailed_exitcode: bool,
    /// Print the API calls the read made, per operation, with throttles and time (stderr).
    #[arg(long)]
    pub stats: bool,
    /// Re-read only what the repo files changed since this git revision can affect, on top
    /// of the cached snapshot (e.g. `origin/main` in a pull request).
    #[arg(long, value_name = "REV")]
    pub changed_since: Option<String>,
    /// `auto`: build on a cached snapshot younger than 10 minutes (or any age with
    /// `--changed-since`), re-reading what changed files can affect; `full`: read everything.
    #[arg(long, value_enum, default_value_t = RefreshMode::Auto)]
    pub refresh: RefreshMode,
    /// Keep the plan applyable even when it removes more than `safety.max_removals`.
    #[arg(long)]
    pub allow_mass_removal: bool,
    /// Also list the account files' grants whose `until` comes within this window
    /// (`14d`, `2w`, `30`), who holds them and where, so owners are warned before access ends.
    #[arg(long, value_name = "DAYS")]
    pub expiring_within: Option<String>,
    /// The date (YYYY-MM-DD, UTC) that counts as today for expired grants; for tests.
    #[arg(long, value_name = "DATE", hide = true, env = "MONBAN_TODAY")]
    pub today: Option<String>,
}

/// `monban apply`.
#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// A plan saved by `monban plan --out FILE`; refused if the live state it was made from
    /// changed, or if it was made for another target or by another monban version.
    #[arg(value_name = "FILE")]
    pub plan: Option<PathBuf>,
    #[command(flatten)]
    pub repo: RepoArgs,
    #[command(flatten)]
    pub target: TargetArgs,
    /// Apply without asking for confirmation.
    #[arg(long)]
    pub auto_approve: bool,
    /// Apply only the removal of grants whose `until` has passed and nothing else (the
    /// scheduled job); every other change of the plan is listed and left alone.
    #[arg(long, conflicts_with = "plan")]
    pub only_expired: bool,
    /// Apply even when the plan removes more than `safety.max_removals`.
    #[arg(long)]
    pub allow_mass_removal: bool,
    /// Confirm that the plan may close accounts (`close: true`); without it, a plan that
    /// closes any account is refused.
    #[arg(long)]
    pub allow_close: bool,
    /// Apply even when the plan takes away the access this apply runs with (the caller's
    /// own Identity Center permission set on its account); without it, such a plan is
    /// refused.
    #[arg(long)]
    pub allow_self_removal: bool,
    /// Print the API calls of the read (stderr).
    #[arg(long)]
    pub stats: bool,
    /// The date (YYYY-MM-DD, UTC) that counts as today for expired grants; for tests.
    #[arg(long, value_name = "DATE", hide = true, env = "MONBAN_TODAY")]
    pub today: Option<String>,
}

/// The views of a plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PlanFormat {
    /// For a terminal (colour only on a terminal, and never with `NO_COLOR`).
    Human,
    /// A pull-request comment.
    Markdown,
    /// The versioned JSON plan (docs/reference/plan-json.md).
    Json,
}

/// How much live state a plan reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RefreshMode {
    /// A targeted refresh on top of a usable cached snapshot, else everything.
    Auto,
    /// Everything.
    Full,
}

/// `monban demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Plan this repo instead of the built-in example (its directory snapshot comes from
    /// `--directory`, or `directory.yaml` in the repo).
    #[arg(long, value_name = "DIR")]
    pub repo: Option<PathBuf>,
    /// The IdP directory snapshot to push into the sandbox.
    #[arg(long, value_name = "FILE")]
    pub directory: Option<PathBuf>,
    /// Keep the sandbox's state here (default: a temporary directory, removed at exit).
    #[arg(long, value_name = "DIR")]
    pub state: Option<PathBuf>,
    /// How to show the first plan.
    #[arg(long, value_enum, default_value_t = PlanFormat::Human)]
    pub format: PlanFormat,
    /// Stop after the first plan (apply nothing).
    #[arg(long)]
    pub plan_only: bool,
    /// The date (YYYY-MM-DD, UTC) that counts as today for expired grants; for tests.
    #[arg(long, value_name = "DATE", hide = true, env = "MONBAN_TODAY")]
    pub today: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum ShowCommand {
    /// Who holds which permission set on one account, and through what.
    Account(ShowAccountArgs),
    /// Every account and permission set a principal reaches, and how.
    Who(ShowWhoArgs),
    /// Every path (group, direct grant, and the repo file or rule declaring it) that gives a
    /// person access to an account — or to every account — in the LIVE organization.
    Why(crate::commands::audit::ShowWhyArgs),
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
    #[arg(long, conflicts_with = "from_live")]
    pub example: bool,
    /// Adopt a live organization: write the repo that declares exactly what the target holds
    /// (accounts bound by id, permission sets, explicit assignments), so `monban plan` says
    /// "No changes.". Needs `--endpoint-url` or `--aws-profile`.
    #[arg(long)]
    pub from_live: bool,
    /// With `--from-live`: read this AWS-compatible endpoint (e.g. a `monban sandbox serve`)
    /// with the standard credential chain.
    #[arg(
        long,
        value_name = "URL",
        requires = "from_live",
        conflicts_with = "aws_profile"
    )]
    pub endpoint_url: Option<String>,
    /// With `--from-live`: read real AWS with this profile; it becomes the repo's target.
    #[arg(long, value_name = "PROFILE", requires = "from_live")]
    pub aws_profile: Option<String>,
    /// With `--from-live`: the Identity Center region.
    #[arg(
        long,
        value_name = "REGION",
        default_value = "us-east-1",
        requires = "from_live"
    )]
    pub region: String,
}

#[derive(Debug, Subcommand)]
pub enum SandboxCommand {
    /// Serve the sandbox over HTTP until interrupted (first stdout line: `READY <endpoint-url>`).
    Serve(SandboxServeArgs),
    /// Clear a sandbox state directory, so the next start is a fresh organization.
    Reset(SandboxResetArgs),
    /// Make a sandbox's Identity Store match an IdP directory snapshot (create, update and
    /// delete users, groups and memberships), as an IdP's SCIM push would.
    ProvisionIdp(SandboxProvisionIdpArgs),
    /// Print the SCIM endpoint (ending in `/scim/v2`) and, on the last line, the bearer
    /// token an IdP provisions users and groups with, as the Identity Center console shows
    /// them an admin. Needs no AWS credentials.
    ScimToken(crate::commands::sandbox::SandboxScimTokenArgs),
}

/// `monban sandbox provision-idp`.
#[derive(Debug, Args)]
pub struct SandboxProvisionIdpArgs {
    /// The directory snapshot (YAML: users and groups with members).
    pub file: PathBuf,
    /// A running sandbox (`monban sandbox serve`); credentials from the standard chain
    /// (environment first). Without it: the repo's embedded sandbox.
    #[arg(long, value_name = "URL")]
    pub endpoint_url: Option<String>,
    #[command(flatten)]
    pub repo: RepoArgs,
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
    /// stay `IN_PROGRESS`, in seconds (fractions allowed); overrides the profile's durations.
    #[arg(long, value_name = "SECONDS")]
    pub async_duration: Option<f64>,
    /// `fast` (async operations take 0.3 s, no limits) or `realistic` (AWS's rate and
    /// concurrency limits, async operations take seconds).
    #[arg(long, default_value = "fast", value_parser = ["fast", "realistic"])]
    pub profile: String,
    /// Run this many times faster: async durations (and injected latency) are divided by it,
    /// request rates multiplied by it.
    #[arg(long, default_value_t = 1.0, value_name = "F")]
    pub time_scale: f64,
    /// Faults to inject, e.g. `throttle=0.1,server-error=0.05,conflict=0.05,latency=50ms`;
    /// `OPERATION.KIND=RATE` for one operation (see docs/reference/sandbox.md).
    #[arg(long, value_name = "SPEC")]
    pub faults: Option<String>,
    /// Seed for reproducible ids and faults.
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// A customer managed policy every member account has (the account baseline, standing in
    /// for stack sets or Control Tower customizations), `NAME` or `NAME:PATH`
    /// (path `/` by default); repeatable. Replaces a baseline stored in `--state`.
    #[arg(long = "baseline-policy", value_name = "NAME[:PATH]")]
    pub baseline_policies: Vec<String>,
    /// The password every Identity Store user signs in with on the sandbox's sign-in pages
    /// (device approval, `/authorize`).
    #[arg(long, default_value = "monban-sandbox", value_name = "PASSWORD")]
    pub sign_in_password: String,
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
