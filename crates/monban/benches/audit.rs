//! The audit benchmark of issue 8: `cargo bench -p monban --bench audit` (`harness = false`;
//! prints its figures, reported in `docs/benchmarks.md` "Audit").
//!
//! A full inventory — orphans included, so it cannot be answered principal by principal
//! through `ListAccountAssignmentsForPrincipal` — of a generated organization, next to
//! `aws-sso-util admin assignments` against the same sandbox in the same run:
//!
//! 1. **Calls, full size** (fast sandbox, no rate limits): the organization of
//!    `benches/plan.rs` in shape — 1,000 member accounts in 50 OUs, 200 permission sets,
//!    10 provisioned per account, 2 principals per (account, permission set) (1 in 40 a user),
//!    5,000 users in 500 groups of 20 — plus orphans: 50 users and 10 groups with
//!    assignments, deleted from the Identity Store after seeding. monban's live read +
//!    audit against aws-sso-util, calls counted by the sandbox's request log for both; then
//!    monban again with the IAM scan beside the read (`read_and_scan_iam`, as `monban
//!    audit` runs it), to show the scan adds its own calls and nothing more.
//! 2. **Wall time at AWS's rates** (realistic sandbox, time scale 1: AWS's rates enforced by
//!    the server, monban's client at `RateLimits::aws()`), at a smaller scale (100 accounts
//!    by default) because the full size takes ten minutes per tool at 20 requests/s: both
//!    tools' wall times against the floor their SSO Admin calls set at 20 requests/s; and
//!    monban's audit with its IAM scan (at the scan's own `RateLimits::aws()` pace) beside
//!    the read, and after it, each against the read alone of the same repetition (the
//!    three in a rotating order, repeated), and how many SSO Admin requests the sandbox
//!    served after the side-by-side scan's last request (its request log keeps the order).
//!
//! Environment: `MONBAN_AUDIT_BENCH_ACCOUNTS` (default 1000),
//! `MONBAN_AUDIT_BENCH_REALISTIC_ACCOUNTS` (default 100; 0 skips phase 2),
//! `MONBAN_AUDIT_BENCH_REPEATS` (default 3: phase 2's runs of monban per kind);
//! `AWS_SSO_UTIL` (default `target/peers/venv/bin/aws-sso-util`, installed by
//! `scripts/peers/aws_sso_util.sh`; without it only monban is measured).

#![expect(
    clippy::print_stdout,
    reason = "a benchmark program reports its figures on stdout"
)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use monban_aws::{ConnectOptions, RateLimits, TargetSpec};
use serde_json::{Value, json};

/// SSO Admin's collective rate (aws-api-facts §4.1): the floor of both tools.
const SSO_ADMIN_RATE: f64 = 20.0;
const SANDBOX_ACCESS_KEY_ID: &str = "AKIAMONBANSANDBOX000";
const SANDBOX_SECRET: &str = "monban-sandbox-secret";

fn main() -> anyhow::Result<()> {
    let arguments: Vec<String> = std::env::args().collect();
    if !arguments.iter().any(|argument| argument == "--bench") {
        println!("the audit benchmark runs with `cargo bench -p monban --bench audit`");
        return Ok(());
    }
    let accounts = count_from_environment("MONBAN_AUDIT_BENCH_ACCOUNTS", 1_000)?;
    let realistic_accounts = count_from_environment("MONBAN_AUDIT_BENCH_REALISTIC_ACCOUNTS", 100)?;
    let repeats = count_from_environment("MONBAN_AUDIT_BENCH_REPEATS", 3)?.max(1);
    let tool = std::env::var_os("AWS_SSO_UTIL").map_or_else(
        || {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../../target/peers/venv/bin/aws-sso-util")
        },
        PathBuf::from,
    );
    let tool = tool.exists().then_some(tool);
    // reqwest is built with rustls and no default crypto provider (as `monban sandbox`
    // does, pick one; an error only means one is installed already).
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    if tool.is_none() {
        println!(
            "aws-sso-util not found (run scripts/peers/aws_sso_util.sh once, or set AWS_SSO_UTIL): measuring monban only"
        );
    }
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("could not start the async runtime")?
        .block_on(run(accounts, realistic_accounts, repeats, tool))
}

fn count_from_environment(name: &str, default: usize) -> anyhow::Result<usize> {
    match std::env::var(name) {
        Ok(value) => value
            .parse()
            .with_context(|| format!("{name}={value} is not a count")),
        Err(_) => Ok(default),
    }
}

/// The generated organization, by size.
struct Shape {
    accounts: usize,
    ous: usize,
    permission_sets: usize,
    users: usize,
    groups: usize,
    orphan_users: usize,
    orphan_groups: usize,
}

impl Shape {
    /// The shape of `benches/plan.rs` scaled to `accounts` members.
    fn of(accounts: usize) -> Self {
        Self {
            accounts,
            ous: accounts.div_ceil(20).max(1),
            permission_sets: (accounts / 5).max(10),
            users: accounts * 5,
            groups: (accounts / 2).max(10),
            orphan_users: (accounts / 20).max(1),
            orphan_groups: (accounts / 100).max(1),
        }
    }
}

const PERMISSION_SETS_PER_ACCOUNT: usize = 10;

/// Seeds the shape into the sandbox at `endpoint`, then deletes the orphans' users and
/// groups from the Identity Store (their assignments stay, as in AWS).
async fn seed(endpoint: &str, shape: &Shape) -> anyhow::Result<()> {
    let http = reqwest::Client::new();
    let post = async |body: Value| -> anyhow::Result<Value> {
        let response = http
            .post(format!("{endpoint}/_sandbox/seed"))
            .json(&body)
            .send()
            .await
            .context("the control API did not answer")?;
        let status = response.status();
        let answer: Value = response
            .json()
            .await
            .context("the seed answer is not JSON")?;
        if !status.is_success() {
            bail!("seeding failed ({status}): {answer}");
        }
        Ok(answer)
    };
    let ous: Vec<String> = (1..=shape.ous)
        .map(|unit| format!("Unit{unit:02}"))
        .collect();
    let account_id = |index: usize| format!("3{index:011}");
    let accounts: Vec<Value> = (0..shape.accounts)
        .map(|index| {
            json!({"name": format!("account-{index:04}"), "id": account_id(index),
                   "email": format!("aws-root+account-{index:04}@example.com"),
                   "ou": ous[index * shape.ous / shape.accounts]})
        })
        .collect();
    let user = |index: usize| format!("person{index:04}@example.com");
    let users: Vec<Value> = (0..shape.users)
        .map(|index| json!({"user_name": user(index), "email": user(index)}))
        .chain(
            (0..shape.orphan_users)
                .map(|index| json!({"user_name": format!("leaver{index:03}@example.com")})),
        )
        .collect();
    let mut members = vec![Vec::new(); shape.groups];
    for index in 0..shape.users {
        members[index % shape.groups].push(user(index));
        members[(3 * index + 1) % shape.groups].push(user(index));
    }
    let groups: Vec<Value> = members
        .iter()
        .enumerate()
        .map(|(index, members)| json!({"display_name": format!("team-{index:03}"), "members": members}))
        .chain((0..shape.orphan_groups).map(|index| {
            json!({"display_name": format!("disbanded-{index:03}"), "members": []})
        }))
        .collect();
    let seeded = post(json!({"organizational_units": ous, "accounts": accounts,
                             "users": users, "groups": groups}))
    .await?;
    let permission_sets: Vec<Value> = (0..shape.permission_sets)
        .map(|index| {
            json!({"name": format!("Set{index:03}"), "session_duration": "PT8H",
                   "managed_policies": ["arn:aws:iam::aws:policy/ReadOnlyAccess"]})
        })
        .collect();
    post(json!({"permission_sets": permission_sets})).await?;
    let mut assignments = Vec::new();
    for account in 0..shape.accounts {
        for slot in 0..PERMISSION_SETS_PER_ACCOUNT {
            let pair = account * PERMISSION_SETS_PER_ACCOUNT + slot;
            let set = format!("Set{:03}", pair % shape.permission_sets);
            let first = (account * 7 + slot * 13) % shape.groups;
            assignments.push(
                json!({"account_id": account_id(account), "permission_set": set,
                                    "group": format!("team-{first:03}")}),
            );
            if pair.is_multiple_of(20) {
                assignments.push(
                    json!({"account_id": account_id(account), "permission_set": set,
                                        "user": user(pair * 7 % shape.users)}),
                );
            } else {
                let second = (first + 1 + account % (shape.groups - 2)) % shape.groups;
                assignments.push(
                    json!({"account_id": account_id(account), "permission_set": set,
                                        "group": format!("team-{second:03}")}),
                );
            }
        }
    }
    // The orphans: a direct grant each, on an account and a permission set already paired
    // there (so the provisioned pairs, and aws-sso-util's walk, stay the same).
    for index in 0..shape.orphan_users {
        let account = index * 13 % shape.accounts;
        let set = format!(
            "Set{:03}",
            (account * PERMISSION_SETS_PER_ACCOUNT) % shape.permission_sets
        );
        assignments.push(
            json!({"account_id": account_id(account), "permission_set": set,
                                "user": format!("leaver{index:03}@example.com")}),
        );
    }
    for index in 0..shape.orphan_groups {
        let account = index * 29 % shape.accounts;
        let set = format!(
            "Set{:03}",
            (account * PERMISSION_SETS_PER_ACCOUNT) % shape.permission_sets
        );
        assignments.push(
            json!({"account_id": account_id(account), "permission_set": set,
                                "group": format!("disbanded-{index:03}")}),
        );
    }
    for chunk in assignments.chunks(5_000) {
        post(json!({"assignments": chunk})).await?;
    }
    let health: Value = http
        .get(format!("{endpoint}/_sandbox/health"))
        .send()
        .await?
        .json()
        .await?;
    let store = health["identity_store_id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let identity = identity_store_client(endpoint);
    for index in 0..shape.orphan_users {
        let id = seeded["users"][format!("leaver{index:03}@example.com")]
            .as_str()
            .context("a seeded leaver")?;
        identity
            .delete_user()
            .identity_store_id(&store)
            .user_id(id)
            .send()
            .await?;
    }
    for index in 0..shape.orphan_groups {
        let id = seeded["groups"][format!("disbanded-{index:03}")]
            .as_str()
            .context("a seeded group")?;
        identity
            .delete_group()
            .identity_store_id(&store)
            .group_id(id)
            .send()
            .await?;
    }
    Ok(())
}

fn identity_store_client(endpoint: &str) -> aws_sdk_identitystore::Client {
    use aws_sdk_identitystore::config::{BehaviorVersion, Credentials, Region};
    aws_sdk_identitystore::Client::from_conf(
        aws_sdk_identitystore::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .endpoint_url(endpoint)
            .region(Region::new("us-east-1"))
            .credentials_provider(Credentials::new(
                SANDBOX_ACCESS_KEY_ID,
                SANDBOX_SECRET,
                None,
                None,
                "audit-bench",
            ))
            .build(),
    )
}

/// The request log's length and its entries by `service:operation` from `from` on.
async fn request_log(
    endpoint: &str,
    from: usize,
) -> anyhow::Result<(usize, BTreeMap<String, usize>, usize)> {
    let log: Value = reqwest::get(format!("{endpoint}/_sandbox/requests"))
        .await?
        .json()
        .await?;
    let requests = log["requests"].as_array().context("a request list")?;
    let mut by_operation = BTreeMap::new();
    let mut throttled = 0;
    for request in requests.iter().skip(from) {
        let key = format!(
            "{}:{}",
            request["service"].as_str().unwrap_or_default(),
            request["operation"].as_str().unwrap_or_default()
        );
        *by_operation.entry(key).or_insert(0) += 1;
        if request["injected"].is_string()
            || request["error_code"]
                .as_str()
                .is_some_and(|code| code.contains("Throttl") || code.contains("TooManyRequests"))
        {
            throttled += 1;
        }
    }
    Ok((requests.len(), by_operation, throttled))
}

/// One tool's run.
struct Measured {
    calls: usize,
    sso_admin_calls: usize,
    throttled: usize,
    wall: Duration,
    by_operation: BTreeMap<String, usize>,
}

impl Measured {
    fn floor(&self) -> Duration {
        Duration::from_secs_f64(as_f64(self.sso_admin_calls) / SSO_ADMIN_RATE)
    }
}

/// The middle value (the mean of the two middle ones for an even count); 0 when empty.
fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    match sorted.len() {
        0 => 0.0,
        length if length % 2 == 1 => sorted[length / 2],
        length => f64::midpoint(sorted[length / 2 - 1], sorted[length / 2]),
    }
}

fn as_f64(count: usize) -> f64 {
    // Counts here stay far below 2^52.
    #[expect(clippy::cast_precision_loss, reason = "counts stay far below 2^52")]
    let value = count as f64;
    value
}

fn sso_admin(by_operation: &BTreeMap<String, usize>) -> usize {
    by_operation
        .iter()
        .filter(|(key, _)| key.starts_with("sso:") || key.starts_with("sso-admin:"))
        .map(|(_, count)| count)
        .sum()
}

/// Whether, and how, monban's inventory scans the member accounts' IAM.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum IamScan {
    /// The read alone (what aws-sso-util is compared with).
    None,
    /// Beside the read, as `monban audit` does (`read_and_scan_iam`).
    BesideTheRead,
    /// After the read (`read_then_scan_iam`: the same read, then `scan_iam` of its state), as
    /// `monban audit` did before.
    AfterTheRead,
}

impl IamScan {
    fn label(self) -> &'static str {
        match self {
            Self::None => "read alone",
            Self::BesideTheRead => "IAM scan beside the read",
            Self::AfterTheRead => "IAM scan after the read",
        }
    }
}

/// How many SSO Admin requests the sandbox served, from `from` on, after the last STS or
/// IAM request (the scan's): more than none means the scan was over before the read.
async fn sso_admin_after_the_scan(endpoint: &str, from: usize) -> anyhow::Result<usize> {
    let log: Value = reqwest::get(format!("{endpoint}/_sandbox/requests"))
        .await?
        .json()
        .await?;
    let requests = log["requests"].as_array().context("a request list")?;
    let requests = requests.get(from..).unwrap_or_default();
    let service = |request: &Value| request["service"].as_str().unwrap_or_default().to_owned();
    let last_scan = requests
        .iter()
        .rposition(|request| matches!(service(request).as_str(), "sts" | "iam"))
        .context("no scan request in the log")?;
    Ok(requests[last_scan..]
        .iter()
        .filter(|request| service(request) == "sso-admin")
        .count())
}

/// monban's inventory: the live read (and the IAM scan, per `iam`) and the audit of it (no
/// repo), calls from the log; and the scan's result (`None` without one).
async fn monban_inventory(
    endpoint: &str,
    rate_limits: RateLimits,
    iam: IamScan,
) -> anyhow::Result<(Measured, usize, usize, Option<monban_aws::IamScanResult>)> {
    let (start, _, _) = request_log(endpoint, 0).await?;
    let started = Instant::now();
    let clients = monban_aws::connect(
        &TargetSpec::embedded_sandbox(endpoint),
        &ConnectOptions {
            rate_limits,
            ..ConnectOptions::default()
        },
    )
    .await?;
    let parts = monban_aws::ReadParts::access();
    let options = monban_aws::IamScanOptions {
        rate_limits,
        ..monban_aws::IamScanOptions::default()
    };
    let (read, scan) = match iam {
        IamScan::None => (
            monban_aws::read_live_state_parts(&clients, parts).await?,
            None,
        ),
        IamScan::BesideTheRead => {
            let (read, scan) = monban_aws::read_and_scan_iam(&clients, parts, &options).await?;
            (read, Some(scan))
        }
        IamScan::AfterTheRead => {
            let (read, scan) = monban_aws::read_then_scan_iam(&clients, parts, &options).await?;
            (read, Some(scan))
        }
    };
    let report = monban_audit::audit(&monban_audit::AuditInput {
        live: &read.state,
        declared: None,
        iam: scan.as_ref().map(|scan| &scan.found),
        now: jiff::Timestamp::now(),
        target: "benchmark".to_owned(),
        tool_version: env!("CARGO_PKG_VERSION").to_owned(),
    });
    let wall = started.elapsed();
    let (_, by_operation, throttled) = request_log(endpoint, start).await?;
    let deleted = report
        .people
        .iter()
        .filter(|person| person.status == monban_audit::PersonStatus::Deleted)
        .count();
    Ok((
        Measured {
            calls: by_operation.values().sum(),
            sso_admin_calls: sso_admin(&by_operation),
            throttled,
            wall,
            by_operation,
        },
        report.inventory.len(),
        deleted,
        scan,
    ))
}

/// `aws-sso-util admin assignments` against the sandbox; its rows and the calls it made.
async fn aws_sso_util(endpoint: &str, tool: &Path) -> anyhow::Result<(Measured, usize)> {
    let (start, _, _) = request_log(endpoint, 0).await?;
    let home = tempfile::tempdir()?;
    let started = Instant::now();
    let mut command = std::process::Command::new(tool);
    command
        .args(["admin", "assignments"])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home.path())
        .env("AWS_ACCESS_KEY_ID", SANDBOX_ACCESS_KEY_ID)
        .env("AWS_SECRET_ACCESS_KEY", SANDBOX_SECRET)
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        // As many attempts as monban's reader gets, so a throttled call is retried alike.
        .env("AWS_MAX_ATTEMPTS", "10")
        .env("AWS_RETRY_MODE", "standard")
        .env("AWS_ENDPOINT_URL_SSO_ADMIN", endpoint)
        .env("AWS_ENDPOINT_URL_IDENTITYSTORE", endpoint)
        .env("AWS_ENDPOINT_URL_ORGANIZATIONS", endpoint);
    // No tokio `process` feature in the workspace: wait for the child on a blocking thread.
    let output = tokio::task::spawn_blocking(move || command.output())
        .await?
        .context("aws-sso-util did not run")?;
    let wall = started.elapsed();
    if !output.status.success() {
        bail!(
            "aws-sso-util failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let rows = String::from_utf8_lossy(&output.stdout)
        .lines()
        .count()
        .saturating_sub(1);
    let (_, by_operation, throttled) = request_log(endpoint, start).await?;
    Ok((
        Measured {
            calls: by_operation.values().sum(),
            sso_admin_calls: sso_admin(&by_operation),
            throttled,
            wall,
            by_operation,
        },
        rows,
    ))
}

fn print_operations(label: &str, measured: &Measured) {
    println!(
        "  {label}: {} calls ({} SSO Admin, {} throttled) in {:.2} s",
        measured.calls,
        measured.sso_admin_calls,
        measured.throttled,
        measured.wall.as_secs_f64()
    );
    for (operation, count) in &measured.by_operation {
        println!("    {count:>7}  {operation}");
    }
}

async fn start(
    profile: monban_emulator::Profile,
) -> anyhow::Result<monban_emulator::RunningServer> {
    monban_emulator::Server::start(monban_emulator::Config {
        state_dir: None,
        profile,
        seed: Some(8),
        ..monban_emulator::Config::default()
    })
    .await
    .context("the sandbox did not start")
}

async fn run(
    accounts: usize,
    realistic_accounts: usize,
    repeats: usize,
    tool: Option<PathBuf>,
) -> anyhow::Result<()> {
    // Phase 1: calls at full size.
    let shape = Shape::of(accounts);
    println!(
        "Phase 1 — calls: {} member accounts, {} OUs, {} permission sets, {} users in {} groups, {} deleted users and {} deleted groups still assigned (fast sandbox, no rate limits)",
        shape.accounts,
        shape.ous,
        shape.permission_sets,
        shape.users,
        shape.groups,
        shape.orphan_users,
        shape.orphan_groups
    );
    let server = start(monban_emulator::Profile::Fast).await?;
    let endpoint = server.endpoint_url();
    let seeding = Instant::now();
    seed(&endpoint, &shape).await?;
    println!("  seeded in {:.1} s", seeding.elapsed().as_secs_f64());
    let (monban, rows, deleted, _) =
        monban_inventory(&endpoint, RateLimits::unlimited(), IamScan::None).await?;
    println!("  monban: {rows} inventory rows, {deleted} deleted people");
    print_operations("monban live read + audit", &monban);
    // The IAM scan beside the read, as `monban audit` runs it (no IAM users: 2 calls per
    // member account); its calls are the read's above plus the scan's, nothing more.
    let (with_scan, _, _, scan) =
        monban_inventory(&endpoint, RateLimits::unlimited(), IamScan::BesideTheRead).await?;
    let scan = scan.context("a scan")?;
    let scan_calls = with_scan.calls.saturating_sub(monban.calls);
    println!(
        "  monban IAM scan beside the read: {} accounts, {} failures, {} calls by its own count, {scan_calls} more than the read alone in the request log, scan {:.2} s",
        scan.accounts,
        scan.found.errors.len(),
        scan.stats.total_calls(),
        scan.stats.elapsed.as_secs_f64()
    );
    print_operations("monban live read + IAM scan + audit", &with_scan);
    let mut summary = vec![
        format!(
            "| {} accounts, fast sandbox | monban calls (read + audit) | {} |",
            shape.accounts, monban.calls
        ),
        format!(
            "| {} accounts, fast sandbox | monban calls with the IAM scan beside the read | {} (read alone + {scan_calls}) |",
            shape.accounts, with_scan.calls
        ),
    ];
    if let Some(tool) = &tool {
        let (theirs, tool_rows) = aws_sso_util(&endpoint, tool).await?;
        println!("  aws-sso-util: {tool_rows} rows");
        print_operations("aws-sso-util admin assignments", &theirs);
        summary.push(format!(
            "| {} accounts, fast sandbox | aws-sso-util calls | {} (monban/aws-sso-util {:.3}) |",
            shape.accounts,
            theirs.calls,
            as_f64(monban.calls) / as_f64(theirs.calls)
        ));
        summary.push(format!(
            "| {} accounts, fast sandbox | wall time monban / aws-sso-util | {:.2} s / {:.2} s |",
            shape.accounts,
            monban.wall.as_secs_f64(),
            theirs.wall.as_secs_f64()
        ));
    }
    server.shutdown().await?;

    // Phase 2: wall time at AWS's rates, smaller.
    if realistic_accounts > 0 {
        let shape = Shape::of(realistic_accounts);
        println!(
            "Phase 2 — wall time at AWS's rates: {} member accounts (realistic sandbox, time scale 1)",
            shape.accounts
        );
        let server = start(monban_emulator::Profile::Realistic).await?;
        let endpoint = server.endpoint_url();
        seed(&endpoint, &shape).await?;
        // One run of each kind per repetition, in a rotating order, each after a 2 s pause
        // that refills the sandbox's buckets (SSO Admin's 20 tokens take 1 s, Organizations'
        // `DescribeOrganization` 2): a run's throttles vary with how the client's paced
        // requests meet the server's bucket, so one run of each is not a comparison.
        let kinds = [IamScan::None, IamScan::BesideTheRead, IamScan::AfterTheRead];
        let mut runs: Vec<Vec<(Measured, Option<monban_aws::IamScanResult>)>> =
            kinds.iter().map(|_| Vec::new()).collect();
        let mut sso_admin_after_scan = Vec::new();
        for repetition in 0..repeats {
            for offset in 0..kinds.len() {
                let index = (repetition + offset) % kinds.len();
                tokio::time::sleep(Duration::from_secs(2)).await;
                let (start_of_run, _, _) = request_log(&endpoint, 0).await?;
                let (measured, rows, _, scan) =
                    monban_inventory(&endpoint, RateLimits::aws(), kinds[index]).await?;
                println!(
                    "  repetition {}, {}: {:.2} s, {} calls ({} SSO Admin, {} throttled), {rows} inventory rows{}",
                    repetition + 1,
                    kinds[index].label(),
                    measured.wall.as_secs_f64(),
                    measured.calls,
                    measured.sso_admin_calls,
                    measured.throttled,
                    scan.as_ref().map_or_else(String::new, |scan| format!(
                        ", scan {:.2} s",
                        scan.stats.elapsed.as_secs_f64()
                    ))
                );
                if kinds[index] == IamScan::BesideTheRead {
                    sso_admin_after_scan
                        .push(sso_admin_after_the_scan(&endpoint, start_of_run).await?);
                }
                runs[index].push((measured, scan));
            }
        }
        let [read_alone_runs, beside_runs, after_runs] = &runs[..] else {
            bail!("three kinds of run");
        };
        let (monban, _) = &read_alone_runs[0];
        print_operations("monban live read + audit (repetition 1)", monban);
        print_operations(
            "monban live read + IAM scan beside it + audit (repetition 1)",
            &beside_runs[0].0,
        );
        summary.push(format!(
            "| {} accounts, realistic | monban wall time vs floor ({} SSO Admin calls / 20/s = {:.1} s) | {:.1} s ({:.3}×), {} throttled (repetition 1) |",
            shape.accounts,
            monban.sso_admin_calls,
            monban.floor().as_secs_f64(),
            monban.wall.as_secs_f64(),
            monban.wall.as_secs_f64() / monban.floor().as_secs_f64(),
            monban.throttled
        ));
        for (kind, kind_runs) in [
            (IamScan::BesideTheRead, beside_runs),
            (IamScan::AfterTheRead, after_runs),
        ] {
            let ratios: Vec<f64> = kind_runs
                .iter()
                .zip(read_alone_runs)
                .map(|((with_scan, _), (alone, _))| {
                    with_scan.wall.as_secs_f64() / alone.wall.as_secs_f64()
                })
                .collect();
            let walls = |runs: &[(Measured, Option<monban_aws::IamScanResult>)]| {
                runs.iter()
                    .map(|(measured, _)| format!("{:.1}", measured.wall.as_secs_f64()))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let throttles = |runs: &[(Measured, Option<monban_aws::IamScanResult>)]| {
                runs.iter()
                    .map(|(measured, _)| measured.throttled.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let scan_seconds: Vec<String> = kind_runs
                .iter()
                .filter_map(|(_, scan)| scan.as_ref())
                .map(|scan| format!("{:.1}", scan.stats.elapsed.as_secs_f64()))
                .collect();
            summary.push(format!(
                "| {} accounts, realistic | audit with the {} / read alone, same repetition ({repeats} repetitions) | median **{:.3}** (each: {}); walls {} s vs {} s; throttled {} vs {}; the scan itself {} s |",
                shape.accounts,
                kind.label(),
                median(&ratios),
                ratios
                    .iter()
                    .map(|ratio| format!("{ratio:.3}"))
                    .collect::<Vec<_>>()
                    .join(", "),
                walls(kind_runs),
                walls(read_alone_runs),
                throttles(kind_runs),
                throttles(read_alone_runs),
                scan_seconds.join(", ")
            ));
        }
        summary.push(format!(
            "| {} accounts, realistic | SSO Admin requests served after the scan's last request (scan beside the read) | {} |",
            shape.accounts,
            sso_admin_after_scan
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        ));
        if let Some(tool) = &tool {
            let (theirs, _) = aws_sso_util(&endpoint, tool).await?;
            print_operations("aws-sso-util admin assignments", &theirs);
            summary.push(format!(
                "| {} accounts, realistic | aws-sso-util wall time vs its floor ({} SSO Admin calls / 20/s = {:.1} s) | {:.1} s ({:.3}×), {} throttled; calls monban/aws-sso-util {}/{} |",
                shape.accounts,
                theirs.sso_admin_calls,
                theirs.floor().as_secs_f64(),
                theirs.wall.as_secs_f64(),
                theirs.wall.as_secs_f64() / theirs.floor().as_secs_f64(),
                theirs.throttled,
                monban.calls,
                theirs.calls
            ));
        }
        server.shutdown().await?;
    }
    println!();
    println!("| run | figure | value |");
    println!("| --- | --- | --- |");
    for line in summary {
        println!("{line}");
    }
    Ok(())
}
