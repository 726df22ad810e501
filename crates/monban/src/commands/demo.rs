//! `monban demo`: monban in one command, with no AWS account and nothing on disk. A fresh
//! embedded sandbox (in a temporary directory unless `--state` says otherwise) gets the
//! example organization's IdP directory pushed into it, as Okta would over SCIM; then the
//! plan for the example repo (built into the binary) is printed — accounts to create, and
//! first of all who gains which access where.

use std::path::{Path, PathBuf};

use anyhow::Context as _;

use crate::ExitStatus;
use crate::cli::DemoArgs;
use crate::commands::plan::{
    Planned, load_valid_directory, load_valid_repo, plan_with, print_plan, runtime,
};
use crate::commands::sandbox::provision_summary;
use crate::commands::write_files;
use crate::printer::Printer;
use crate::settings::{RepoLocation, load_options};
use crate::target::{EmbeddedSandbox, TargetChoice, with_target};

pub fn demo(args: &DemoArgs, printer: &Printer) -> anyhow::Result<ExitStatus> {
    let scratch = tempfile::Builder::new()
        .prefix("monban-demo-")
        .tempdir()
        .context("could not create a temporary directory for the demo")?;
    let (repo_root, directory_path) = if let Some(repo) = &args.repo {
        let directory = args
            .directory
            .clone()
            .unwrap_or_else(|| repo.join(crate::example::DIRECTORY_FILE));
        (repo.clone(), directory)
    } else {
        let root = scratch.path().join("tessera-group");
        write_files(&root, crate::example::FILES)?;
        let directory = args
            .directory
            .clone()
            .unwrap_or_else(|| root.join(crate::example::DIRECTORY_FILE));
        (root, directory)
    };
    if !directory_path.is_file() {
        anyhow::bail!(
            "no IdP directory snapshot at {}; pass `--directory FILE` (users and groups as the IdP holds them)",
            monban_config::display_path(&directory_path)
        );
    }
    let location = RepoLocation {
        root: repo_root.clone(),
        display: args
            .repo
            .clone()
            .unwrap_or_else(|| PathBuf::from("the built-in example")),
    };
    let options = load_options(args.today.as_deref(), None)?;
    let Some(repo) = load_valid_repo(&location, &options, printer)? else {
        return Ok(ExitStatus::Failure);
    };
    let Some(directory) = load_valid_directory(&directory_path, printer)? else {
        return Ok(ExitStatus::Failure);
    };
    let state_dir = args
        .state
        .clone()
        .unwrap_or_else(|| scratch.path().join("sandbox"));
    let mut sandbox = EmbeddedSandbox::for_repo(&repo_root, &repo);
    sandbox.state_dir = Some(state_dir);
    let choice = TargetChoice::Embedded(sandbox);
    let context = monban_plan::PlanContext {
        tool_version: env!("CARGO_PKG_VERSION").to_owned(),
        ..monban_plan::PlanContext::new(options.today, choice.endpoint())
    };

    printer.log(format!(
        "monban demo: planning {} against a fresh built-in sandbox (no AWS account involved).",
        describe(args.repo.as_deref())
    ));
    let (report, Planned { plan, .. }) =
        runtime()?.block_on(with_target(&choice, async |clients| {
            let report = monban_aws::provision_directory(clients, &directory)
                .await
                .context("could not push the IdP directory into the sandbox")?;
            let planned = plan_with(clients, &repo, None, &context).await?;
            Ok((report, planned))
        }))?;
    printer.log(provision_summary(&report, &choice));
    printer.log("");
    print_plan(printer, &plan, &choice, args.format);
    if args.format == crate::cli::PlanFormat::Human {
        printer.log("");
        printer.log(
            "Nothing was applied. Try `monban init --example DIR` to get these files, then `monban plan --repo DIR`.",
        );
    }
    Ok(ExitStatus::Success)
}

fn describe(repo: Option<&Path>) -> String {
    match repo {
        Some(repo) => format!("the repo {}", monban_config::display_path(repo)),
        None => "the Tessera Group example (20 accounts, 60 people)".to_owned(),
    }
}
