//! `monban init [DIR]`: writes a small, commented starter access repo that `monban
//! validate` passes clean, so a new user edits a working example instead of a blank page.

use std::path::Path;

use anyhow::Context as _;

use crate::ExitStatus;
use crate::commands::plan::runtime;
use crate::printer::Printer;
use crate::target::{TargetChoice, with_target};

/// The starter files, as (path relative to the repo root, contents).
const FILES: &[(&str, &str)] = &[
    (
        "monban.yaml",
        r#"# Organization-wide settings of this access repo. monban reads it together with
# accounts/*.yaml (one file per AWS account), permission-sets/*.yaml, groups.yaml and
# rules/*.yaml. Check everything offline with `monban validate`.
#
# No `target:` is declared, so commands run against monban's built-in sandbox, never real
# AWS. To manage a real organization, add for example:
#   target:
#     aws: { profile: org-admin, region: us-east-1 }

organization:
  # The account that owns the organization (accounts/management.yaml).
  management_account: management
  # Root e-mail of every account without an explicit `email:`; {account} = its file name.
  root_email: "aws-root+{account}@example.com"
  # Every organizational unit, as a path from the root (parents are implied).
  ous: [Workloads]

identity_center:
  region: us-east-1
  identity_source: external
"#,
    ),
    (
        "accounts/management.yaml",
        r#"# The management account: owns the organization and IAM Identity Center. Its id is
# given because it already exists (111111111111 is the built-in sandbox's management
# account); replace it with yours.
id: "111111111111"
# Who reviews changes to this file (`monban codeowners` writes them into CODEOWNERS).
owners: ["@your-organization/platform"]
tags: { env: core }
access:
  # permission set name -> the groups and users that get it on this account.
  AdministratorAccess:
    - group: admins
"#,
    ),
    (
        "permission-sets/AdministratorAccess.yaml",
        r"# A permission set: what a principal may do in an account it is assigned to.
description: Full administrator access
session_duration: PT1H
managed_policies:
  - arn:aws:iam::aws:policy/AdministratorAccess
",
    ),
    (
        "groups.yaml",
        r"# The identity provider's group and user names this repo may grant access to, so a
# typo in an account file is an error instead of a grant to nobody.
groups:
  - admins
users: []
",
    ),
];

pub fn init(dir: &Path, example: bool, printer: &Printer) -> anyhow::Result<ExitStatus> {
    let marker = dir.join(monban_config::REPO_MARKER);
    let shown = monban_config::display_path(dir);
    if marker.exists() {
        anyhow::bail!("{shown} already holds {}", monban_config::REPO_MARKER);
    }
    if example {
        write_files(dir, crate::example::FILES)?;
        printer.log(format!(
            "wrote the Tessera Group example repo in {shown}; check it with `monban validate --repo {shown} --directory {}`",
            monban_config::display_path(&dir.join(crate::example::DIRECTORY_FILE))
        ));
    } else {
        write_files(dir, FILES)?;
        printer.log(format!(
            "wrote a starter access repo in {shown}; check it with `monban validate --repo {shown}`"
        ));
    }
    Ok(ExitStatus::Success)
}

/// `monban init --from-live DIR`: reads the target's live state and writes the repo that
/// declares exactly it (`monban_model::adopt`), then checks that it loads clean.
pub fn from_live(args: &crate::cli::InitArgs, printer: &Printer) -> anyhow::Result<ExitStatus> {
    let dir = &args.dir;
    let shown = monban_config::display_path(dir);
    if dir.join(monban_config::REPO_MARKER).exists() {
        anyhow::bail!("{shown} already holds {}", monban_config::REPO_MARKER);
    }
    let region = monban_model::Region::parse(&args.region)
        .with_context(|| format!("invalid --region `{}`", args.region))?;
    let (choice, target) = match (&args.endpoint_url, &args.aws_profile) {
        (Some(url), _) => (
            TargetChoice::Endpoint {
                url: url.trim_end_matches('/').to_owned(),
                region: args.region.clone(),
            },
            monban_model::Target::Sandbox,
        ),
        (None, Some(profile)) => (
            TargetChoice::Aws {
                profile: Some(profile.clone()),
                region: args.region.clone(),
            },
            monban_model::Target::Aws {
                profile: Some(
                    monban_model::ProfileName::parse(profile)
                        .with_context(|| format!("invalid --aws-profile `{profile}`"))?,
                ),
                region: region.clone(),
            },
        ),
        (None, None) => anyhow::bail!(
            "`--from-live` needs the organization to read: `--endpoint-url URL` (an AWS-compatible server such as `monban sandbox serve`) or `--aws-profile PROFILE` (real AWS); monban never guesses a target from ambient credentials"
        ),
    };
    printer.log(format!("Reading the live state of {choice} …"));
    let read = runtime()?.block_on(with_target(&choice, async |clients| {
        monban_aws::read_live_state(clients)
            .await
            .with_context(|| format!("could not read the live state of {choice}"))
    }))?;
    let adopted = monban_model::adopt(&read.state, target, region);
    monban_config::write_repo(&adopted.repo, dir)
        .with_context(|| format!("could not write the repo to {shown}"))?;
    for note in &adopted.notes {
        printer.log(format!("note: {note}"));
    }
    let (_, diagnostics) = monban_config::load_repo(dir, &monban_config::LoadOptions::new())?;
    let errors = diagnostics
        .iter()
        .filter(|diagnostic| diagnostic.severity == monban_config::Severity::Error)
        .count();
    if errors > 0 {
        printer.log(format!(
            "error: the adopted repo has {errors} validation error(s); run `monban validate --repo {shown}`"
        ));
        return Ok(ExitStatus::Failure);
    }
    let repo = &adopted.repo;
    let assignments: usize = repo
        .accounts
        .values()
        .flat_map(|account| account.access.values())
        .map(Vec::len)
        .sum();
    let next = match &args.endpoint_url {
        Some(url) => format!("monban plan --repo {shown} --endpoint-url {url}"),
        None => format!("monban plan --repo {shown}"),
    };
    printer.log(format!(
        "wrote {shown}: {} account(s), {} permission set(s), {assignments} assignment(s), {} group(s) from {choice} ({} API calls); `{next}` should say \"No changes.\"",
        repo.accounts.len(),
        repo.permission_sets.len(),
        repo.groups.len(),
        read.stats.total_calls()
    ));
    Ok(ExitStatus::Success)
}

/// Writes `files` (path relative to `dir`, contents) below `dir`, creating directories and
/// never overwriting a file that is already there.
pub fn write_files(dir: &Path, files: &[(&str, &str)]) -> anyhow::Result<()> {
    for (relative, contents) in files {
        let path = dir.join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        // create_new: never overwrite a file the user already has there.
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .and_then(|mut file| std::io::Write::write_all(&mut file, contents.as_bytes()))
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(())
}
