//! `monban demo`: monban in one command, with no AWS account and nothing on disk. A fresh
//! embedded sandbox (in a temporary directory unless `--state` says otherwise) gets the
//! example organization's IdP directory pushed into it, as Okta would over SCIM; then the
//! plan for the example repo (built into the binary) is printed — accounts to create, and
//! first of all who gains which access where.

use std::path::{Path, PathBuf};

use anyhow::Context as _;

use crate::ExitStatus;
use crate::cli::{DemoArgs, PlanFormat, RepoArgs};
use crate::commands::edit::{self, GrantArgs, OffboardArgs, PrincipalArgs};
use crate::commands::plan::{
    Planned, load_valid_directory, load_valid_repo, plan_with, print_plan, runtime,
};
use crate::commands::sandbox::provision_summary;
use crate::commands::write_files;
use crate::printer::Printer;
use crate::settings::{RepoLocation, load_options, plan_context};
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
    let context = plan_context(&options, &choice, false);

    printer.log(format!(
        "monban demo: {} against a fresh built-in sandbox (no AWS account involved).",
        describe(args.repo.as_deref())
    ));
    let example = args.repo.is_none();
    let journal_dir = scratch.path().join("journal");
    runtime()?.block_on(with_target(&choice, async |clients| {
        let report = monban_aws::provision_directory(clients, &directory)
            .await
            .context("could not push the IdP directory into the sandbox")?;
        printer.log(provision_summary(&report, &choice));

        heading(printer, "1. The plan: the repo against the fresh organization");
        let Planned { plan, live, .. } = plan_with(clients, &repo, None, &context).await?;
        print_plan(printer, &plan, &choice, args.format);
        if args.plan_only {
            printer.log("");
            printer.log(
                "Nothing was applied (--plan-only). Try `monban init --example DIR` to get these files, then `monban plan --repo DIR`.",
            );
            return Ok(());
        }
        if !plan.applyable {
            anyhow::bail!("the plan cannot be applied as it stands (see above)");
        }

        heading(printer, "2. Apply");
        let mut journal = monban_aws::Journal::open(&journal_dir)
            .context("could not open the apply journal")?;
        let report = apply_with_progress(printer, clients, &plan, &live, &mut journal).await?;
        if !report.is_success() {
            anyhow::bail!("the demo's apply did not complete (see above)");
        }

        heading(printer, "3. Plan again: AWS now matches the repo");
        let Planned { plan, .. } = plan_with(clients, &repo, None, &context).await?;
        print_plan(printer, &plan, &choice, PlanFormat::Human);

        if !example {
            return Ok(());
        }
        heading(
            printer,
            "4. A pull request: a joiner, a leaver and an expiring grant on harbor-prod — the plan as the reviewer sees it (Markdown)",
        );
        pull_request_edit(&repo_root, options.today, printer)?;
        printer.log("");
        let Some(changed) = load_valid_repo(&location, &options, printer)? else {
            anyhow::bail!("the demo's edit left the example repo invalid");
        };
        let Planned { plan, .. } = plan_with(clients, &changed, None, &context).await?;
        print_plan(printer, &plan, &choice, PlanFormat::Markdown);
        Ok(())
    }))?;
    printer.log("");
    printer.log(
        "That was the whole loop, on a sandbox that is gone now. Your own: `monban init --example DIR`, then `monban sandbox provision-idp DIR/directory.yaml --repo DIR`, `monban plan --repo DIR`, `monban apply --repo DIR`.",
    );
    Ok(ExitStatus::Success)
}

fn heading(printer: &Printer, title: &str) {
    printer.log("");
    printer.log(format!("── {title} ──"));
    printer.log("");
}

/// Applies `plan`, showing progress, then the summary.
async fn apply_with_progress(
    printer: &Printer,
    clients: &monban_aws::Clients,
    plan: &monban_plan::Plan,
    live: &monban_model::LiveState,
    journal: &mut monban_aws::Journal,
) -> anyhow::Result<monban_aws::ApplyReport> {
    let observer =
        crate::commands::apply::ProgressObserver::new(printer.progress(plan.changes.len() as u64));
    let report = monban_aws::apply(
        clients,
        plan,
        live,
        journal,
        &monban_aws::ApplyOptions::default(),
        &observer,
    )
    .await
    .context("the apply stopped")?;
    observer.finish();
    crate::commands::apply::print_report(printer, &report);
    Ok(report)
}

/// The pull request of the demo, made as a person would make it, with monban's own editing
/// commands: Tomas Novak (a leaver) offboarded, Sofia Rossi (a contractor joining Harbor)
/// granted read-only access on `harbor-prod`, and Maya Cohen `PowerUser` there for two
/// weeks. Each command line is printed, then what the command printed.
fn pull_request_edit(
    repo_root: &Path,
    today: jiff::civil::Date,
    printer: &Printer,
) -> anyhow::Result<()> {
    let until = today
        .checked_add(jiff::Span::new().days(14))
        .context("today + 14 days is out of range")?;
    let repo = || RepoArgs {
        repo: Some(repo_root.to_path_buf()),
    };
    let today = Some(today.to_string());
    let user = |name: &str| PrincipalArgs {
        group: None,
        user: Some(name.to_owned()),
    };
    let succeeded = |command: &str, status: ExitStatus| {
        if status == ExitStatus::Success {
            Ok(())
        } else {
            Err(anyhow::anyhow!(
                "`{command}` failed on the example repo (see above)"
            ))
        }
    };

    let command = "monban offboard tomas.novak@example.com";
    printer.log(format!("$ {command}"));
    let arguments = OffboardArgs {
        user: "tomas.novak@example.com".to_owned(),
        directory: None,
        repo: repo(),
        today: today.clone(),
    };
    succeeded(command, edit::offboard(&arguments, printer)?)?;

    let reason = "contractor, loyalty programme rewrite";
    let command = format!(
        "monban grant --user sofia.rossi@example.com ReadOnly harbor-prod --reason '{reason}'"
    );
    printer.log(format!("$ {command}"));
    let arguments = GrantArgs {
        principal: user("sofia.rossi@example.com"),
        permission_set: "ReadOnly".to_owned(),
        accounts: vec!["harbor-prod".to_owned()],
        until: None,
        reason: Some(reason.to_owned()),
        directory: None,
        repo: repo(),
        today: today.clone(),
    };
    succeeded(&command, edit::grant(&arguments, printer)?)?;

    let reason = "CHG-3107 loyalty database migration";
    let command = format!(
        "monban grant --user maya.cohen@example.com PowerUser harbor-prod --until {until} --reason '{reason}'"
    );
    printer.log(format!("$ {command}"));
    let arguments = GrantArgs {
        principal: user("maya.cohen@example.com"),
        permission_set: "PowerUser".to_owned(),
        accounts: vec!["harbor-prod".to_owned()],
        until: Some(until.to_string()),
        reason: Some(reason.to_owned()),
        directory: None,
        repo: repo(),
        today,
    };
    succeeded(&command, edit::grant(&arguments, printer)?)
}

fn describe(repo: Option<&Path>) -> String {
    match repo {
        Some(repo) => format!("the repo {}", monban_config::display_path(repo)),
        None => "the Tessera Group example (20 accounts, 60 people)".to_owned(),
    }
}
