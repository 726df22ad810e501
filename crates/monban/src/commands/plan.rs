//! `monban plan`: load and validate the repo, read the target's live state (rate-limited,
//! counted), diff, and print the plan — the per-person access diff first. Changes nothing.
//! `--out FILE` saves the JSON plan for `monban apply FILE`.

use std::path::Path;

use anyhow::Context as _;
use monban_model::{Directory, Repo};

use crate::ExitStatus;
use crate::cli::PlanFormat;
use crate::printer::Printer;
use crate::settings::{PlanSettings, RepoLocation};
use crate::target::{STATE_DIR, TargetChoice, with_target};

/// What a plan run produced, before printing.
pub struct Planned {
    pub plan: monban_plan::Plan,
    pub stats: monban_aws::ReadStats,
}

pub fn plan(settings: &PlanSettings, printer: &Printer) -> anyhow::Result<ExitStatus> {
    let Some(repo) = load_valid_repo(&settings.repo, &settings.load_options, printer)? else {
        return Ok(ExitStatus::Failure);
    };
    let choice = TargetChoice::resolve(
        &settings.repo.root,
        &repo,
        settings.sandbox,
        settings.endpoint_url.as_deref(),
    );
    printer.log(format!("Reading the live state of {choice} …"));
    let runtime = runtime()?;
    let planned = runtime.block_on(read_and_plan(
        &repo,
        &settings.repo.root,
        &choice,
        settings.context(&choice),
    ))?;
    if settings.stats {
        print_stats(printer, &planned.stats);
    }
    if let Some(out) = &settings.out {
        std::fs::write(out, monban_render::render_json(&planned.plan))
            .with_context(|| format!("could not write the plan to {}", out.display()))?;
        printer.log(format!(
            "Saved the plan to {}; apply it with `monban apply {}`.",
            monban_config::display_path(out),
            monban_config::display_path(out)
        ));
    }
    print_plan(printer, &planned.plan, &choice, settings.format);
    Ok(exit_status(
        &planned.plan,
        settings.detailed_exitcode,
        printer,
    ))
}

/// Reads the live state through `choice` and plans `repo` against it; caches the
/// snapshot under `<repo>/.monban/snapshots/<target>/`.
async fn read_and_plan(
    repo: &Repo,
    repo_root: &Path,
    choice: &TargetChoice,
    context: monban_plan::PlanContext,
) -> anyhow::Result<Planned> {
    with_target(choice, async |clients| {
        let snapshots = repo_root.join(STATE_DIR).join("snapshots");
        plan_with(clients, repo, Some(&snapshots), &context).await
    })
    .await
}

/// Reads the live state with `clients` and plans `repo` against it; caches the snapshot
/// under `snapshots/<target key>/` when given.
pub async fn plan_with(
    clients: &monban_aws::Clients,
    repo: &Repo,
    snapshots: Option<&Path>,
    context: &monban_plan::PlanContext,
) -> anyhow::Result<Planned> {
    let read = monban_aws::read_live_state(clients)
        .await
        .with_context(|| format!("could not read the live state of {}", clients.target()))?;
    if let Some(snapshots) = snapshots {
        monban_aws::save_snapshot(&snapshots.join(clients.target().key()), &read.state)
            .context("could not cache the live state")?;
    }
    let plan = monban_plan::plan(repo, &read.state, context);
    Ok(Planned {
        plan,
        stats: read.stats,
    })
}

/// Prints the plan in the chosen view on stdout.
pub fn print_plan(
    printer: &Printer,
    plan: &monban_plan::Plan,
    choice: &TargetChoice,
    format: PlanFormat,
) {
    let text = match format {
        PlanFormat::Human => monban_render::render_human(
            plan,
            &monban_render::HumanOptions {
                colour: printer.colour_stdout(),
                target_label: Some(choice.to_string()),
                ..monban_render::HumanOptions::default()
            },
        ),
        PlanFormat::Markdown => monban_render::render_markdown(
            plan,
            &monban_render::MarkdownOptions {
                target_label: Some(choice.to_string()),
                ..monban_render::MarkdownOptions::default()
            },
        ),
        PlanFormat::Json => monban_render::render_json(plan),
    };
    printer.data(text.trim_end());
}

/// 0 / 2 by changes with `--detailed-exitcode`; 1 when the plan cannot be applied.
fn exit_status(plan: &monban_plan::Plan, detailed: bool, printer: &Printer) -> ExitStatus {
    if !plan.applyable {
        printer
            .log("error: this plan cannot be applied as it stands; the problems are listed above");
        return ExitStatus::Failure;
    }
    if detailed && plan.has_changes() {
        ExitStatus::Changes
    } else {
        ExitStatus::Success
    }
}

/// `--stats`: calls per operation, throttles, time.
pub fn print_stats(printer: &Printer, stats: &monban_aws::ReadStats) {
    printer.log(format!(
        "Read the live state with {} API calls ({} throttled) in {:.2} s:",
        stats.total_calls(),
        stats.total_throttles(),
        stats.elapsed.as_secs_f64()
    ));
    for (operation, calls) in &stats.calls {
        let throttles = stats.throttles.get(operation).copied().unwrap_or(0);
        if throttles == 0 {
            printer.log(format!("  {calls:>6}  {operation}"));
        } else {
            printer.log(format!("  {calls:>6}  {operation} ({throttles} throttled)"));
        }
    }
}

/// Loads the repo; prints its diagnostics and returns `None` when it has errors (a plan of
/// a broken repo would be misleading).
pub fn load_valid_repo(
    location: &RepoLocation,
    options: &monban_config::LoadOptions,
    printer: &Printer,
) -> anyhow::Result<Option<Repo>> {
    let (repo, diagnostics) = monban_config::load_repo(&location.root, options)?;
    if !diagnostics.has_errors() {
        return Ok(Some(repo));
    }
    for diagnostic in diagnostics
        .iter()
        .filter(|diagnostic| diagnostic.severity == monban_config::Severity::Error)
    {
        printer.diagnostic(&diagnostic.report_named(
            &location.show(&diagnostic.file),
            diagnostics.source(&diagnostic.file),
        ));
    }
    let shown = monban_config::display_path(&location.display);
    printer.log(format!(
        "error: {shown} has validation errors, so nothing can be planned; fix them first (`monban validate --repo {shown}`)"
    ));
    Ok(None)
}

/// Loads a directory snapshot, refusing an invalid one.
pub fn load_valid_directory(path: &Path, printer: &Printer) -> anyhow::Result<Option<Directory>> {
    let (directory, diagnostics) = monban_config::load_directory(path)?;
    if !diagnostics.has_errors() {
        return Ok(Some(directory));
    }
    let shown = monban_config::display_path(path);
    for diagnostic in diagnostics
        .iter()
        .filter(|diagnostic| diagnostic.severity == monban_config::Severity::Error)
    {
        printer.diagnostic(&diagnostic.report_named(&shown, diagnostics.source(&diagnostic.file)));
    }
    printer.log(format!(
        "error: the directory snapshot {shown} is not valid"
    ));
    Ok(None)
}

/// The async runtime every AWS-facing command runs on.
pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("could not start the async runtime")
}
