//! `monban plan`: load and validate the repo, read the target's live state (rate-limited,
//! counted), diff, and print the plan — the per-person access diff first. Changes nothing.
//! `--out FILE` saves the JSON plan for `monban apply FILE`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use monban_model::{Directory, LiveState, Repo};

use crate::ExitStatus;
use crate::cli::{PlanFormat, RefreshMode};
use crate::printer::Printer;
use crate::refresh;
use crate::settings::{PlanSettings, RepoLocation};
use crate::target::{STATE_DIR, TargetChoice, with_target};

/// What a plan run produced, before printing.
pub struct Planned {
    pub plan: monban_plan::Plan,
    pub stats: monban_aws::ReadStats,
    /// How the live state was obtained (full read, or cached snapshot + targeted refresh).
    pub read_note: String,
    /// The live state the plan was computed from.
    pub live: LiveState,
}

/// Where the snapshot cache is and how to use it.
pub struct Cache {
    /// `<repo>/.monban/snapshots` (the target's key is appended).
    pub snapshots: PathBuf,
    /// The repo root (for the manifest of its files).
    pub repo_root: PathBuf,
    /// `--changed-since`: the files git reports changed; `None` = compare with the manifest
    /// saved at the last plan, if the snapshot is fresh.
    pub changed_since: Option<BTreeSet<String>>,
    /// `--refresh full`: ignore the cache.
    pub full: bool,
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
    let changed_since = settings
        .changed_since
        .as_deref()
        .map(|revision| refresh::git_changed_since(&settings.repo.root, revision))
        .transpose()?;
    let cache = Cache {
        snapshots: settings.repo.root.join(STATE_DIR).join("snapshots"),
        repo_root: settings.repo.root.clone(),
        changed_since,
        full: settings.refresh == RefreshMode::Full,
    };
    printer.log(format!("Reading the live state of {choice} …"));
    let context = settings.context(&choice);
    let planned = runtime()?.block_on(with_target(&choice, async |clients| {
        plan_with(clients, &repo, Some(&cache), &context).await
    }))?;
    printer.log(&planned.read_note);
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

/// Reads the live state with `clients` — in full, or as a targeted refresh of the cached
/// snapshot (module `refresh`) — and plans `repo` against it; with a cache, saves the
/// snapshot and the manifest of the repo files it was planned for.
pub async fn plan_with(
    clients: &monban_aws::Clients,
    repo: &Repo,
    cache: Option<&Cache>,
    context: &monban_plan::PlanContext,
) -> anyhow::Result<Planned> {
    let target = clients.target();
    let cache_dir = cache.map(|cache| cache.snapshots.join(target.key()));
    let manifest = cache
        .map(|cache| refresh::RepoManifest::of(&cache.repo_root))
        .transpose()?;
    let read_plan = match (cache, &cache_dir) {
        (Some(cache), Some(dir)) if !cache.full => {
            decide(cache, dir, repo, manifest.as_ref(), jiff::Timestamp::now())?
        }
        (Some(_), _) => Decision::Full("--refresh full".to_owned()),
        _ => Decision::Full("no snapshot cache".to_owned()),
    };
    let (read, read_note) = match read_plan {
        Decision::Full(why) => {
            let read = monban_aws::read_live_state(clients)
                .await
                .with_context(|| format!("could not read the live state of {target}"))?;
            let note = format!(
                "Read the whole live state ({} API calls; {why}).",
                read.stats.total_calls()
            );
            (read, note)
        }
        Decision::Targeted {
            cached,
            scope,
            files,
        } => {
            let age = jiff::Timestamp::now().duration_since(cached.read_at);
            let read = if scope.is_empty() {
                monban_aws::LiveRead {
                    state: *cached,
                    stats: monban_aws::ReadStats::default(),
                }
            } else {
                monban_aws::refresh(clients, &cached, &scope)
                    .await
                    .with_context(|| format!("could not refresh the live state of {target}"))?
            };
            let note = format!(
                "Used the cached live state from {} ago and re-read only what {} can affect ({} API calls; `--refresh full` reads everything).",
                describe_age(age),
                describe_files(&files),
                read.stats.total_calls()
            );
            (read, note)
        }
    };
    if let (Some(dir), Some(manifest)) = (&cache_dir, &manifest) {
        monban_aws::save_snapshot(dir, &read.state).context("could not cache the live state")?;
        manifest.save(dir)?;
    }
    let plan = monban_plan::plan(repo, &read.state, context);
    Ok(Planned {
        plan,
        stats: read.stats,
        read_note,
        live: read.state,
    })
}

/// A full read (and why), or a targeted refresh of a cached snapshot.
enum Decision {
    Full(String),
    Targeted {
        cached: Box<LiveState>,
        scope: monban_aws::RefreshScope,
        files: BTreeSet<String>,
    },
}

fn decide(
    cache: &Cache,
    dir: &Path,
    repo: &Repo,
    manifest: Option<&refresh::RepoManifest>,
    now: jiff::Timestamp,
) -> anyhow::Result<Decision> {
    let Some(cached) =
        monban_aws::load_snapshot(dir).context("could not load the cached live state")?
    else {
        return Ok(Decision::Full("no cached snapshot yet".to_owned()));
    };
    let changed = if let Some(changed) = &cache.changed_since {
        changed.clone()
    } else {
        let age = now.duration_since(cached.read_at);
        if age > refresh::AUTO_MAX_AGE {
            return Ok(Decision::Full(format!(
                "the cached snapshot is {} old",
                describe_age(age)
            )));
        }
        let (Some(saved), Some(manifest)) = (refresh::RepoManifest::load(dir), manifest) else {
            return Ok(Decision::Full(
                "the cached snapshot has no file manifest".to_owned(),
            ));
        };
        saved.changed(manifest)
    };
    Ok(match refresh::scope_for(&changed, repo, &cached) {
        refresh::ReadPlan::Full { why } => Decision::Full(why),
        refresh::ReadPlan::Targeted { scope, files } => Decision::Targeted {
            cached: Box::new(cached),
            scope,
            files,
        },
    })
}

fn describe_age(age: jiff::SignedDuration) -> String {
    let seconds = age.as_secs().max(0);
    match seconds {
        0..60 => format!("{seconds} s"),
        60..3600 => format!("{} min", seconds / 60),
        3600..86_400 => format!("{} h", seconds / 3600),
        _ => format!("{} days", seconds / 86_400),
    }
}

fn describe_files(files: &BTreeSet<String>) -> String {
    match files.len() {
        0 => "no changed file".to_owned(),
        1..=3 => files.iter().cloned().collect::<Vec<_>>().join(", "),
        count => format!("{count} changed files"),
    }
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
