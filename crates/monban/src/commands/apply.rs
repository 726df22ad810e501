//! `monban apply [FILE]`: make the target match the repo.
//!
//! - Without FILE: plan (as `monban plan` does), show the plan, and ask for `yes` —
//!   `--auto-approve` skips the question; without a terminal and without the flag, refuse.
//! - With FILE (a plan saved by `monban plan --out FILE`, reviewed on a pull request): re-read
//!   the live state of every address the plan touches and refuse if the plan is stale, made
//!   for another target, or by another monban version (design §7). No question is asked: the
//!   saved plan is what was reviewed.
//!
//! One apply at a time per repo (a lock file under `.monban/`); every step is journaled under
//! `.monban/journal/<target>/`, so an apply interrupted by a crash, Ctrl-C or kill -9 resumes
//! on the next run without sending anything twice.

use std::io::IsTerminal as _;
use std::path::Path;
use std::sync::Mutex;

use anyhow::Context as _;
use monban_model::Repo;
use monban_plan::Plan;

use crate::ExitStatus;
use crate::cli::PlanFormat;
use crate::commands::plan::{Cache, load_valid_repo, plan_with, print_plan, print_stats, runtime};
use crate::printer::{Printer, Progress};
use crate::settings::ApplySettings;
use crate::target::{STATE_DIR, TargetChoice, with_target};

/// How long a resumed apply waits for the interrupted one's account creations (AWS takes
/// minutes for one).
const ACCOUNT_CREATION_WAIT: std::time::Duration = std::time::Duration::from_mins(15);

pub fn apply(settings: &ApplySettings, printer: &Printer) -> anyhow::Result<ExitStatus> {
    let Some(repo) = load_valid_repo(&settings.repo, &settings.load_options, printer)? else {
        return Ok(ExitStatus::Failure);
    };
    let choice = TargetChoice::resolve(
        &settings.repo.root,
        &repo,
        settings.sandbox,
        settings.endpoint_url.as_deref(),
    );
    let saved = settings
        .plan_file
        .as_deref()
        .map(|file| read_saved_plan(file, &choice))
        .transpose()?;
    if saved.is_none() && !settings.auto_approve && !std::io::stdin().is_terminal() {
        anyhow::bail!(
            "refusing to apply without confirmation: stdin is not a terminal; review the plan and pass --auto-approve, or apply a saved plan (`monban plan --out FILE`, then `monban apply FILE`)"
        );
    }
    let state = settings.repo.root.join(STATE_DIR);
    let _lock = ApplyLock::acquire(&state)?;
    let runtime = runtime()?;
    let outcome = runtime.block_on(with_target(&choice, async |clients| {
        run(settings, printer, &repo, &choice, clients, saved.as_ref()).await
    }))?;
    Ok(outcome)
}

/// Reads a saved plan and checks that it was made for this kind of target.
fn read_saved_plan(file: &Path, choice: &TargetChoice) -> anyhow::Result<Plan> {
    let text = std::fs::read_to_string(file)
        .with_context(|| format!("could not read the saved plan {}", file.display()))?;
    let plan = monban_render::parse_json(&text)
        .with_context(|| format!("{} is not a monban plan", file.display()))?;
    if plan.target.endpoint != choice.endpoint() {
        anyhow::bail!(
            "the saved plan {} was made for {}, not for {choice}; apply it against that target, or re-run `monban plan --out FILE` against this one",
            file.display(),
            monban_render::describe_endpoint(&plan.target.endpoint)
        );
    }
    Ok(plan)
}

async fn run(
    settings: &ApplySettings,
    printer: &Printer,
    repo: &Repo,
    choice: &TargetChoice,
    clients: &monban_aws::Clients,
    saved: Option<&Plan>,
) -> anyhow::Result<ExitStatus> {
    let journal_dir = settings
        .repo
        .root
        .join(STATE_DIR)
        .join("journal")
        .join(clients.target().key());
    let mut journal = monban_aws::Journal::open(&journal_dir).with_context(|| {
        format!(
            "could not open the apply journal in {}",
            journal_dir.display()
        )
    })?;
    if journal.is_resuming() {
        printer.log(format!(
            "Resuming an interrupted apply: {} request(s) in flight are looked up, {} completed step(s) skipped.",
            journal.in_flight(),
            journal.completed()
        ));
    }

    let (plan, live) = if let Some(saved) = saved {
        let live = read_touched(clients, saved).await?;
        let completed = journal.journaled_addresses(saved);
        monban_plan::check_saved_resuming(saved, &live, env!("CARGO_PKG_VERSION"), &completed)?;
        printer.log("The saved plan is current: the live state it was made from has not changed.");
        (saved.clone(), live)
    } else {
        if journal.is_resuming() {
            // Accounts the interrupted apply was creating: wait for them, so this plan
            // includes their moves, tags and assignments.
            let waited = monban_aws::wait_for_account_creations(clients, ACCOUNT_CREATION_WAIT)
                .await
                .context("could not wait for the interrupted apply's account creations")?;
            if waited > 0 {
                printer.log(format!(
                    "Waited for {waited} account creation(s) the interrupted apply had started."
                ));
            }
        }
        let cache = Cache {
            snapshots: settings.repo.root.join(STATE_DIR).join("snapshots"),
            repo_root: settings.repo.root.clone(),
            changed_since: None,
            // Apply acts on what it reads: always the whole live state.
            full: true,
        };
        printer.log(format!("Reading the live state of {choice} …"));
        let planned = plan_with(clients, repo, Some(&cache), &settings.context(choice)).await?;
        if settings.stats {
            print_stats(printer, &planned.stats);
        }
        let plan = if settings.only_expired {
            crate::commands::expiry::restrict_to_expired(
                printer,
                &planned.plan,
                repo,
                settings.allow_mass_removal,
            )
        } else {
            planned.plan
        };
        print_plan(printer, &plan, choice, PlanFormat::Human);
        (plan, planned.live)
    };

    if !plan.applyable {
        printer
            .log("error: this plan cannot be applied as it stands; the problems are listed above");
        return Ok(ExitStatus::Failure);
    }
    if !plan.has_changes() && !journal.is_resuming() {
        printer.log("Nothing to apply.");
        return Ok(ExitStatus::Success);
    }
    let closing: Vec<String> = plan
        .changes
        .iter()
        .filter(|change| change.action == monban_plan::Action::Close)
        .map(|change| change.address.to_string())
        .collect();
    if !closing.is_empty() && !settings.allow_close {
        printer.log(format!(
            "error: this plan closes {} account(s): {}. A closed account is suspended and, after 90 days, gone for good; confirm with --allow-close.",
            closing.len(),
            closing.join(", ")
        ));
        return Ok(ExitStatus::Failure);
    }
    if !settings.allow_self_removal && refuses_self_removal(printer, clients.target(), &plan) {
        return Ok(ExitStatus::Failure);
    }
    if saved.is_none() && !settings.auto_approve && !confirm(printer, &plan)? {
        printer.log("Apply cancelled; nothing was changed.");
        return Ok(ExitStatus::Failure);
    }

    // The cached snapshot (this apply's own read, or an older plan's) shows AWS as it was
    // before the changes about to be made: drop it, so the next plan reads again instead of
    // building on it. A missing cache is fine.
    let _ = std::fs::remove_dir_all(
        settings
            .repo
            .root
            .join(STATE_DIR)
            .join("snapshots")
            .join(clients.target().key()),
    );
    let progress = ProgressObserver::new(printer.progress(plan.changes.len() as u64));
    let report = monban_aws::apply(
        clients,
        &plan,
        &live,
        &mut journal,
        &monban_aws::ApplyOptions::default(),
        &progress,
    )
    .await
    .context("the apply stopped")?;
    progress.finish();
    print_report(printer, &report);
    Ok(if applied_all(&report) {
        ExitStatus::Success
    } else {
        ExitStatus::Failure
    })
}

/// The lockout guard (design §7): when monban runs as an Identity Center role session, a
/// plan that takes that very access away from the operator is refused (the apply would lose
/// its own credentials half-way, and the operator their way back in). Whether it does is the
/// plan's per-person access diff, so another path that keeps the access is no loss.
fn refuses_self_removal(printer: &Printer, target: &monban_aws::Target, plan: &Plan) -> bool {
    let Some(operator) = target
        .caller_arn
        .as_deref()
        .and_then(monban_plan::SsoOperator::from_caller_arn)
    else {
        return false;
    };
    let losses = monban_plan::operator_losses(plan, &operator);
    if losses.is_empty() {
        return false;
    }
    let via: Vec<String> = losses
        .iter()
        .flat_map(|loss| &loss.via)
        .map(|path| path.principal.to_string())
        .collect();
    printer.log(format!(
        "error: this plan removes the access you are applying it with: {} holds {} on account {} (via {}), and would lose it. Applying could cut off this apply half-way and lock you out; apply it with other credentials (e.g. break-glass), or confirm with --allow-self-removal.",
        operator.user_name,
        operator.permission_set,
        operator.account_id,
        via.join(", ")
    ));
    true
}

/// Re-reads what a saved plan touches: the accounts, permission sets and principals of its
/// changes (the organization tree, account list and creations come with every read).
async fn read_touched(
    clients: &monban_aws::Clients,
    plan: &Plan,
) -> anyhow::Result<monban_model::LiveState> {
    // A targeted read needs a base; the organization part is cheap next to Identity Center,
    // so read it in full and the rest by what the plan touches.
    let touched = monban_plan::touched(plan);
    let base = monban_aws::read_live_state_parts(
        clients,
        monban_aws::ReadParts {
            organization: true,
            identity_center: false,
            identity_store: false,
            tags: true,
            policy_references: true,
        },
    )
    .await
    .context("could not re-read the organization")?;
    let scope = monban_aws::RefreshScope {
        account_ids: touched.account_ids.clone(),
        permission_set_names: touched.permission_set_names.clone(),
        group_names: touched.group_names.clone(),
        identity_store: !touched.user_names.is_empty(),
    };
    let read = monban_aws::refresh(clients, &base.state, &scope)
        .await
        .context("could not re-read what the saved plan touches")?;
    Ok(read.state)
}

/// Asks for `yes` on the terminal.
fn confirm(printer: &Printer, plan: &Plan) -> anyhow::Result<bool> {
    let summary = plan.summary();
    printer.log("");
    printer.log(format!(
        "Do you want to apply these changes ({} to add, {} to change, {} to remove)?",
        summary.add, summary.change, summary.remove
    ));
    printer.prompt("Only 'yes' will be accepted: ");
    let mut answer = String::new();
    std::io::stdin()
        .read_line(&mut answer)
        .context("could not read the answer")?;
    Ok(answer.trim() == "yes")
}

pub fn print_report(printer: &Printer, report: &monban_aws::ApplyReport) {
    for failure in &report.failed {
        printer.log(format!(
            "error: {} ({}): {}",
            failure.address, failure.action, failure.error
        ));
    }
    let (deferred, skipped): (Vec<_>, Vec<_>) = report
        .skipped
        .iter()
        .partition(|skipped| skipped.reason.is_some());
    for skipped in &skipped {
        printer.log(format!(
            "skipped: {} ({}) because {} did not complete",
            skipped.address, skipped.action, skipped.because
        ));
    }
    for deferred in &deferred {
        printer.log(format!(
            "deferred: {} ({}): {}",
            deferred.address,
            deferred.action,
            deferred.reason.as_deref().unwrap_or_default()
        ));
    }
    let seconds = report.elapsed.as_secs_f64();
    let calls = report.calls.total_calls();
    let retries = report.retries.total();
    if applied_all(report) {
        let deferred_note = if deferred.is_empty() {
            String::new()
        } else {
            format!(
                "; {} deferred until invited accounts accept (run `monban apply` again then)",
                deferred.len()
            )
        };
        printer.log(format!(
            "Apply complete: {} change(s) applied in {seconds:.1} s ({calls} API calls, {retries} retried){deferred_note}.",
            report.done.len()
        ));
    } else {
        printer.log(format!(
            "Apply incomplete: {} applied, {} failed, {} skipped in {seconds:.1} s ({calls} API calls, {retries} retried). Fix the errors above and run `monban apply` again: it continues where this one stopped.",
            report.done.len(),
            report.failed.len(),
            skipped.len()
        ));
    }
}

/// Whether everything was applied that can be now: no failures, and nothing skipped but
/// work deferred until an invited account accepts (which is not an error).
pub fn applied_all(report: &monban_aws::ApplyReport) -> bool {
    report.failed.is_empty()
        && report
            .skipped
            .iter()
            .all(|skipped| skipped.reason.is_some())
}

/// Turns apply events into the progress display.
pub struct ProgressObserver {
    progress: Mutex<Progress>,
}

impl ProgressObserver {
    pub fn new(progress: Progress) -> Self {
        Self {
            progress: Mutex::new(progress),
        }
    }

    pub fn finish(&self) {
        if let Ok(progress) = self.progress.lock() {
            progress.finish();
        }
    }
}

impl monban_aws::ApplyObserver for ProgressObserver {
    fn event(&self, event: &monban_aws::ApplyEvent) {
        let Ok(progress) = self.progress.lock() else {
            return;
        };
        match event {
            monban_aws::ApplyEvent::Progress(counts) => progress.update(
                (counts.done + counts.failed + counts.skipped) as u64,
                counts.in_flight as u64,
                counts.retries,
                counts.failed as u64,
            ),
            monban_aws::ApplyEvent::ChangeFailed { address, error } => {
                progress.line(format!("failed: {address}: {error}"));
            }
            monban_aws::ApplyEvent::Resuming {
                in_flight,
                completed,
            } => progress.line(format!(
                "resuming: {in_flight} request(s) in flight, {completed} step(s) already done"
            )),
            _ => {}
        }
    }
}

/// `.monban/apply.lock`, held for the whole apply: two applies on one machine never run at
/// once (CI concurrency across machines is the CI's job: see docs/guides/planning.md). The
/// lock is std's `File::try_lock` (flock), released by the OS if the process dies.
struct ApplyLock {
    _file: std::fs::File,
}

impl ApplyLock {
    fn acquire(state: &Path) -> anyhow::Result<Self> {
        std::fs::create_dir_all(state)
            .with_context(|| format!("could not create {}", state.display()))?;
        let path = state.join("apply.lock");
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .with_context(|| format!("could not open {}", path.display()))?;
        match file.try_lock() {
            Ok(()) => Ok(Self { _file: file }),
            Err(std::fs::TryLockError::WouldBlock) => anyhow::bail!(
                "another monban apply is running on this repo (it holds {}); wait for it to finish",
                monban_config::display_path(&path)
            ),
            Err(std::fs::TryLockError::Error(error)) => {
                Err(error).with_context(|| format!("could not lock {}", path.display()))
            }
        }
    }
}
