//! The apply benchmark (issue 6, "Performance"): how close `monban_aws::apply` gets to the
//! floor AWS's own limits set, on the sandbox's realistic profile (AWS's request rates,
//! concurrency limits and asynchronous durations), run at several time scales.
//!
//! Two scenarios, each against a fresh in-process sandbox seeded through its control API
//! (so only the apply itself is timed):
//!
//! - **assignments**: 1,000 new account assignments (one permission set, 20 groups × 50
//!   accounts). Floor = `max(calls ÷ 20/s, ⌈1000 ÷ 15⌉ × 4 s)` with calls = 1,000 creates +
//!   the fewest status reads batching allows (one list per wave of 15, derived below).
//! - **reprovision**: a permission set's inline policy edited, re-provisioned into the 500
//!   accounts it is assigned in. Floor = `max(calls ÷ 20/s, ⌈500 ÷ 3⌉ × 5 s)`.
//!
//! At time scale F the sandbox divides durations by F and multiplies rates by F (bursts and
//! concurrency limits stay), the client runs at `RateLimits::scaled(F)` and the engine's
//! poll and retry timings are AWS-pace defaults divided by F, so an ideal engine would take
//! exactly floor ÷ F. What does not shrink with F is monban's own time per cycle (seeing a
//! status, journaling it, sending the next request). Fitting `T(F) = A ÷ F + B` to the runs
//! separates the two: `A` is the AWS-paced part, `B` the fixed part, and `T(1) = A + B` is
//! the extrapolation to AWS's real pace.
//!
//! `cargo bench -p monban-aws --bench apply` runs both scenarios at ×20, ×10 and ×5.
//! `MONBAN_BENCH_SCALES=20,10` picks the scales, `MONBAN_BENCH_SCENARIOS=assignments` (or
//! `reprovision`) one scenario. `cargo test` does not benchmark: the program only runs when
//! cargo passes `--bench`.

#![expect(
    clippy::print_stdout,
    reason = "a benchmark program reports its figures on stdout"
)]

use std::collections::BTreeMap;
use std::error::Error;
use std::path::Path;
use std::time::Duration;

use monban_aws::{
    ApplyOptions, ApplyReport, Clients, ConnectOptions, Journal, NoObserver, PollPolicy,
    RateLimits, RetryPolicy, TargetSpec,
};
use monban_plan::{Action, Address, PlanContext, TargetEndpoint};
use serde_json::{Value, json};

type Result<T> = std::result::Result<T, Box<dyn Error>>;

/// SSO Admin's collective rate (aws-api-facts §4.1).
const SSO_ADMIN_RATE: f64 = 20.0;
/// At most 15 `CreateAccountAssignment` outstanding (aws-api-facts §4.1).
const ASSIGNMENT_SLOTS: u64 = 15;
/// At most 3 concurrent `ProvisionPermissionSet` (aws-api-facts §4.1).
const PROVISIONING_SLOTS: u64 = 3;
/// The realistic profile's durations at AWS's pace (docs/reference/sandbox.md).
const ASSIGNMENT_SECONDS: f64 = 4.0;
const PROVISIONING_SECONDS: f64 = 5.0;

const GROUPS: usize = 20;
const ASSIGNMENT_ACCOUNTS: usize = 50;
const PROVISION_ACCOUNTS: usize = 500;

const POLICY: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#;
const POLICY_EDITED: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":"*"}]}"#;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scenario {
    Assignments,
    Reprovision,
}

impl Scenario {
    fn name(self) -> &'static str {
        match self {
            Self::Assignments => "assignments",
            Self::Reprovision => "reprovision",
        }
    }

    /// How many asynchronous operations, how many may run at once, how long each takes at
    /// AWS's pace.
    fn work(self) -> (u64, u64, f64) {
        match self {
            Self::Assignments => (
                to_u64(GROUPS * ASSIGNMENT_ACCOUNTS),
                ASSIGNMENT_SLOTS,
                ASSIGNMENT_SECONDS,
            ),
            Self::Reprovision => (
                to_u64(PROVISION_ACCOUNTS),
                PROVISIONING_SLOTS,
                PROVISIONING_SECONDS,
            ),
        }
    }
}

/// The floor AWS's limits set, at AWS's pace.
struct Floor {
    waves: u64,
    /// The fewest calls: the operations, one status read per wave (a list call sees every
    /// request of the wave at once: its page holds up to 100 statuses, a wave is at most
    /// 15; no status read at all is impossible, the next wave may only start once one
    /// is seen), plus `extra` (the policy write of the re-provisioning).
    calls: u64,
    by_rate: f64,
    by_slots: f64,
}

impl Floor {
    fn new(scenario: Scenario) -> Self {
        let (operations, slots, seconds) = scenario.work();
        let waves = operations.div_ceil(slots);
        let extra = match scenario {
            Scenario::Assignments => 0,
            // PutInlinePolicyToPermissionSet.
            Scenario::Reprovision => 1,
        };
        let calls = operations + waves + extra;
        Self {
            waves,
            calls,
            by_rate: to_f64(calls) / SSO_ADMIN_RATE,
            by_slots: to_f64(waves) * seconds,
        }
    }

    fn seconds(&self) -> f64 {
        self.by_rate.max(self.by_slots)
    }
}

/// One measured apply.
struct Run {
    scale: f64,
    seconds: f64,
    calls: u64,
    by_operation: BTreeMap<String, u64>,
    throttles: u64,
    retries: String,
}

fn to_u64(value: usize) -> u64 {
    u64::try_from(value).unwrap_or(u64::MAX)
}

#[expect(clippy::cast_precision_loss, reason = "call counts are far below 2^52")]
fn to_f64(value: u64) -> f64 {
    value as f64
}

fn scaled(duration: Duration, scale: f64) -> Duration {
    duration.div_f64(scale)
}

/// The engine's AWS-pace defaults, F times faster (as the sandbox is).
fn options(scale: f64) -> ApplyOptions {
    let retry = RetryPolicy::default();
    let poll = PollPolicy::default();
    ApplyOptions {
        retry: RetryPolicy {
            base_delay: scaled(retry.base_delay, scale),
            max_delay: scaled(retry.max_delay, scale),
            ..retry
        },
        poll: PollPolicy {
            initial: scaled(poll.initial, scale),
            max: scaled(poll.max, scale),
            ..poll
        },
        ..ApplyOptions::default()
    }
}

fn account_name(index: usize) -> String {
    format!("acct-{index:03}")
}

fn group_name(index: usize) -> String {
    format!("team-{index:02}")
}

/// Writes the repo monban plans from.
fn write_repo(dir: &Path, scenario: Scenario) -> Result<()> {
    let write = |path: &str, contents: &str| -> Result<()> {
        let path = dir.join(path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(path, contents)?;
        Ok(())
    };
    write(
        "monban.yaml",
        "organization:\n  root_email: \"root+{account}@example.com\"\n\
         identity_center:\n  region: us-east-1\nsafety:\n  exclusive: true\n  max_removals: 50\n",
    )?;
    let (groups, accounts) = match scenario {
        Scenario::Assignments => (GROUPS, ASSIGNMENT_ACCOUNTS),
        Scenario::Reprovision => (1, PROVISION_ACCOUNTS),
    };
    let names: Vec<String> = (0..groups).map(group_name).collect();
    write("groups.yaml", &format!("groups: [{}]\n", names.join(", ")))?;
    write(
        "permission-sets/Bench.yaml",
        "managed_policies: [arn:aws:iam::aws:policy/ReadOnlyAccess]\n",
    )?;
    let policy = match scenario {
        Scenario::Assignments => POLICY,
        Scenario::Reprovision => POLICY_EDITED,
    };
    write("permission-sets/Bench.policy.json", policy)?;
    let access: Vec<String> = names
        .iter()
        .map(|group| format!("{{ group: {group} }}"))
        .collect();
    let access = format!("access:\n  Bench: [{}]\n", access.join(", "));
    for index in 0..accounts {
        write(&format!("accounts/{}.yaml", account_name(index)), &access)?;
    }
    Ok(())
}

/// What exists before the apply: the accounts, the groups, the permission set (as the repo
/// declares it, with the old policy), and for the re-provisioning its 500 assignments.
fn seed_body(scenario: Scenario) -> Value {
    let (groups, accounts) = match scenario {
        Scenario::Assignments => (GROUPS, ASSIGNMENT_ACCOUNTS),
        Scenario::Reprovision => (1, PROVISION_ACCOUNTS),
    };
    let accounts_json: Vec<Value> = (0..accounts)
        .map(|index| {
            let name = account_name(index);
            json!({ "name": name, "email": format!("root+{name}@example.com") })
        })
        .collect();
    let groups_json: Vec<Value> = (0..groups)
        .map(|index| json!({ "display_name": group_name(index) }))
        .collect();
    let assignments: Vec<Value> = match scenario {
        Scenario::Assignments => Vec::new(),
        Scenario::Reprovision => (0..accounts)
            .map(|index| {
                json!({ "account_name": account_name(index), "permission_set": "Bench",
                        "group": group_name(0) })
            })
            .collect(),
    };
    json!({
        "accounts": accounts_json,
        "groups": groups_json,
        "permission_sets": [{
            "name": "Bench",
            "session_duration": "PT1H",
            "inline_policy": POLICY,
            "managed_policies": ["arn:aws:iam::aws:policy/ReadOnlyAccess"],
        }],
        "assignments": assignments,
    })
}

async fn seed(endpoint: &str, body: &Value) -> Result<()> {
    let response = reqwest::Client::new()
        .post(format!("{endpoint}/_sandbox/seed"))
        .json(body)
        .send()
        .await?;
    let status = response.status();
    let text = response.text().await?;
    if !status.is_success() {
        return Err(format!("seeding failed ({status}): {text}").into());
    }
    Ok(())
}

/// Checks the plan is exactly the scenario's work.
fn check_plan(plan: &monban_plan::Plan, scenario: Scenario) -> Result<()> {
    if !plan.applyable {
        return Err(format!("the plan is not applyable: {:#?}", plan.warnings).into());
    }
    let expected_ok = match scenario {
        Scenario::Assignments => {
            plan.changes.len() == GROUPS * ASSIGNMENT_ACCOUNTS
                && plan.changes.iter().all(|change| {
                    change.action == Action::Create
                        && matches!(change.address, Address::Assignment { .. })
                })
        }
        Scenario::Reprovision => {
            plan.changes.len() == 1
                && plan.changes[0].action == Action::Update
                && plan.changes[0].provision.len() == PROVISION_ACCOUNTS
        }
    };
    if expected_ok {
        Ok(())
    } else {
        let summary: Vec<String> = plan
            .changes
            .iter()
            .take(5)
            .map(|change| {
                format!(
                    "{:?} {:?} (provision {})",
                    change.action,
                    change.address,
                    change.provision.len()
                )
            })
            .collect();
        Err(format!(
            "unexpected plan for {}: {} changes, first: {summary:#?}",
            scenario.name(),
            plan.changes.len()
        )
        .into())
    }
}

async fn run(scenario: Scenario, scale: f64) -> Result<Run> {
    let server = monban_emulator::Server::start(monban_emulator::Config {
        profile: monban_emulator::Profile::Realistic,
        time_scale: scale,
        seed: Some(20_261_129),
        ..monban_emulator::Config::default()
    })
    .await?;
    let endpoint = server.endpoint_url();
    seed(&endpoint, &seed_body(scenario)).await?;
    let clients: Clients = monban_aws::connect(
        &TargetSpec::embedded_sandbox(&endpoint),
        &ConnectOptions {
            rate_limits: RateLimits::scaled(scale),
            ..ConnectOptions::default()
        },
    )
    .await?;
    let repo_dir = tempfile::tempdir()?;
    write_repo(repo_dir.path(), scenario)?;
    let live = monban_aws::read_live_state(&clients).await?.state;
    // Any date: nothing in these repos expires.
    let today = jiff::civil::date(2026, 11, 29);
    let (repo, diagnostics) = monban_config::load_repo(
        repo_dir.path(),
        &monban_config::LoadOptions {
            today,
            directory: None,
        },
    )
    .map_err(|error| format!("the repo does not load: {error:?}"))?;
    if diagnostics.has_errors() {
        return Err(format!("the repo has errors: {diagnostics:?}").into());
    }
    let plan = monban_plan::plan(
        &repo,
        &live,
        &PlanContext::new(today, TargetEndpoint::EmbeddedSandbox),
    );
    check_plan(&plan, scenario)?;
    let journal_dir = tempfile::tempdir()?;
    let mut journal = Journal::open(journal_dir.path())?;
    let report: ApplyReport = monban_aws::apply(
        &clients,
        &plan,
        &live,
        &mut journal,
        &options(scale),
        &NoObserver,
    )
    .await?;
    if !report.is_success() {
        return Err(format!(
            "the apply failed: {:#?}\nskipped: {:#?}",
            report.failed, report.skipped
        )
        .into());
    }
    server.shutdown().await?;
    Ok(Run {
        scale,
        seconds: report.elapsed.as_secs_f64(),
        calls: report.calls.total_calls(),
        by_operation: report.calls.calls.clone(),
        throttles: report.calls.total_throttles(),
        retries: format!("{:?}", report.retries),
    })
}

/// Least squares of `T = A ÷ F + B` over the runs: (A, B).
fn fit(runs: &[Run]) -> Option<(f64, f64)> {
    if runs.len() < 2 {
        return None;
    }
    let count = to_f64(to_u64(runs.len()));
    let xs: Vec<f64> = runs.iter().map(|run| 1.0 / run.scale).collect();
    let mean_x = xs.iter().sum::<f64>() / count;
    let mean_y = runs.iter().map(|run| run.seconds).sum::<f64>() / count;
    let covariance: f64 = xs
        .iter()
        .zip(runs)
        .map(|(x, run)| (x - mean_x) * (run.seconds - mean_y))
        .sum();
    let variance: f64 = xs.iter().map(|x| (x - mean_x).powi(2)).sum();
    if variance <= 0.0 {
        return None;
    }
    let slope = covariance / variance;
    Some((slope, mean_y - slope * mean_x))
}

fn report_scenario(scenario: Scenario, runs: &[Run]) {
    let floor = Floor::new(scenario);
    let (operations, slots, seconds) = scenario.work();
    println!();
    println!("== {} ==", scenario.name());
    println!(
        "floor at AWS's pace: calls = {operations} operations + {} status reads (one per wave of ≤ {slots}: ⌈{operations} ÷ {slots}⌉ = {}){} = {} → {} ÷ 20/s = {:.1} s; slots: {} waves × {seconds} s = {:.0} s; floor = max = {:.0} s",
        floor.waves,
        floor.waves,
        if scenario == Scenario::Reprovision {
            " + 1 policy write"
        } else {
            ""
        },
        floor.calls,
        floor.calls,
        floor.by_rate,
        floor.waves,
        floor.by_slots,
        floor.seconds(),
    );
    println!(
        "| scale | floor ÷ F | monban | ratio | calls (floor {}) | throttled | status reads |",
        floor.calls
    );
    println!("|---|---|---|---|---|---|---|");
    for run in runs {
        let floor_scaled = floor.seconds() / run.scale;
        let status_reads: u64 = run
            .by_operation
            .iter()
            .filter(|(key, _)| key.contains("Status"))
            .map(|(_, count)| count)
            .sum();
        println!(
            "| ×{} | {floor_scaled:.1} s | {:.1} s | {:.2}× | {} | {} | {status_reads} |",
            run.scale,
            run.seconds,
            run.seconds / floor_scaled,
            run.calls,
            run.throttles,
        );
    }
    for run in runs {
        println!(
            "×{} calls: {:?}; retries: {}",
            run.scale, run.by_operation, run.retries
        );
    }
    if let Some((paced, fixed)) = fit(runs) {
        let at_aws = paced + fixed;
        println!(
            "fit T(F) = A ÷ F + B: A = {paced:.1} s (AWS-paced part; A ÷ floor = {:.3}), B = {fixed:.2} s (fixed, ≈ {:.0} ms per wave of {}) → T(1) = {at_aws:.0} s = {:.3}× the floor",
            paced / floor.seconds(),
            1000.0 * fixed / to_f64(floor.waves),
            slots,
            at_aws / floor.seconds()
        );
        for run in runs {
            let predicted = paced / run.scale + fixed;
            println!(
                "  ×{}: measured {:.1} s, fit {predicted:.1} s",
                run.scale, run.seconds
            );
        }
    }
}

fn scales() -> Vec<f64> {
    std::env::var("MONBAN_BENCH_SCALES").map_or_else(
        |_| vec![20.0, 10.0, 5.0],
        |text| {
            text.split(',')
                .filter_map(|part| part.trim().parse().ok())
                .filter(|scale: &f64| *scale > 0.0)
                .collect()
        },
    )
}

fn scenarios() -> Vec<Scenario> {
    match std::env::var("MONBAN_BENCH_SCENARIOS").as_deref() {
        Ok("assignments") => vec![Scenario::Assignments],
        Ok("reprovision") => vec![Scenario::Reprovision],
        _ => vec![Scenario::Assignments, Scenario::Reprovision],
    }
}

#[tokio::main]
async fn main() -> Result<()> {
    if !std::env::args().any(|argument| argument == "--bench") {
        return Ok(());
    }
    for scenario in scenarios() {
        let mut runs = Vec::new();
        for scale in scales() {
            let measured = run(scenario, scale).await?;
            println!(
                "{} ×{scale}: {:.1} s, {} calls, {} throttled",
                scenario.name(),
                measured.seconds,
                measured.calls,
                measured.throttles
            );
            runs.push(measured);
        }
        report_scenario(scenario, &runs);
    }
    Ok(())
}
