//! `monban audit` and `monban show why`: the access review of the live organization.
//!
//! Both read the whole live state (never a cached snapshot: a review must see what is
//! there now), plan the repo against it so that every row is marked `declared`,
//! `live-only` or `declared-missing` exactly as `monban plan` would see it, and hand both
//! to `monban-audit`. `audit` also scans every member account's IAM (unless `--no-iam`),
//! beside the read as soon as it has the account list, and prints the report as a
//! terminal summary, JSON (`docs/reference/audit-json.md`), CSV or the self-contained
//! HTML page; `show why` prints the paths that give one person access to one account (or,
//! without an account, everywhere — "what can this leaver still reach?").
//!
//! CSV: `--out DIR` writes `inventory.csv` and `findings.csv` into DIR; without `--out`
//! the one `--csv-kind` names goes to stdout.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::Args;
use monban_audit::{Report, RowState, Severity};

use crate::ExitStatus;
use crate::cli::{RepoArgs, TargetArgs};
use crate::commands::plan::{load_valid_repo, print_stats, runtime};
use crate::printer::Printer;
use crate::settings::{RepoLocation, load_options, plan_context};
use crate::target::{TargetChoice, with_target};

/// How many findings of each rule the terminal summary names.
const EXAMPLES_PER_RULE: usize = 3;

/// `monban audit`.
#[derive(Debug, Args)]
pub struct AuditArgs {
    #[command(flatten)]
    pub repo: RepoArgs,
    #[command(flatten)]
    pub target: TargetArgs,
    /// `summary` for a terminal; `json` (the versioned report), `csv` (inventory and
    /// findings) or `html` (one self-contained page) for auditors and machines.
    #[arg(long, value_enum, default_value_t = AuditFormat::Summary)]
    pub format: AuditFormat,
    /// Write the report to FILE instead of stdout; with `--format csv`, a directory that
    /// receives `inventory.csv` and `findings.csv`.
    #[arg(long, value_name = "FILE|DIR")]
    pub out: Option<PathBuf>,
    /// With `--format csv` and no `--out`: which table goes to stdout.
    #[arg(long, value_enum, default_value_t = CsvKind::Inventory)]
    pub csv_kind: CsvKind,
    /// Exit 2 when any finding is at least this severe (for scheduled CI); 0 otherwise.
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub fail_on: Option<FailOn>,
    /// A previous `--format json` report: also show what changed since (access added and
    /// removed, findings new and resolved).
    #[arg(long, value_name = "PREVIOUS.json")]
    pub baseline: Option<PathBuf>,
    /// Do not scan member accounts for IAM users.
    #[arg(long)]
    pub no_iam: bool,
    /// The role to assume in each member account for the IAM scan.
    #[arg(long, value_name = "NAME", default_value = monban_aws::DEFAULT_AUDIT_ROLE)]
    pub audit_role: String,
    /// Print the API calls made, per operation, with throttles and time (stderr).
    #[arg(long)]
    pub stats: bool,
    /// The date (YYYY-MM-DD, UTC) that counts as today for expired grants; for tests.
    #[arg(long, value_name = "DATE", hide = true, env = "MONBAN_TODAY")]
    pub today: Option<String>,
}

/// The views of an audit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum AuditFormat {
    /// Counts by severity, the top findings, the baseline's changes.
    Summary,
    /// The versioned JSON report (docs/reference/audit-json.md).
    Json,
    /// The inventory and the findings as CSV.
    Csv,
    /// One self-contained HTML page: access matrix, findings, "why" for every cell.
    Html,
}

/// The CSV tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CsvKind {
    /// One row per person, account, permission set and path.
    Inventory,
    /// One row per finding.
    Findings,
}

/// `--fail-on` severities.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl FailOn {
    fn severity(self) -> Severity {
        match self {
            Self::Info => Severity::Info,
            Self::Low => Severity::Low,
            Self::Medium => Severity::Medium,
            Self::High => Severity::High,
            Self::Critical => Severity::Critical,
        }
    }
}

/// `monban show why`.
#[derive(Debug, Args)]
pub struct ShowWhyArgs {
    /// The person: an Identity Store user name (or user id).
    pub user: String,
    /// The account: its name or id. Without it: every account the person reaches.
    pub account: Option<String>,
    #[command(flatten)]
    pub repo: RepoArgs,
    #[command(flatten)]
    pub target: TargetArgs,
    /// The date (YYYY-MM-DD, UTC) that counts as today for expired grants; for tests.
    #[arg(long, value_name = "DATE", hide = true, env = "MONBAN_TODAY")]
    pub today: Option<String>,
}

/// `monban audit`, resolved.
#[derive(Debug, Clone)]
pub struct AuditSettings {
    pub repo: RepoLocation,
    pub load_options: monban_config::LoadOptions,
    pub sandbox: bool,
    pub endpoint_url: Option<String>,
    pub format: AuditFormat,
    pub out: Option<PathBuf>,
    pub csv_kind: CsvKind,
    pub fail_on: Option<Severity>,
    pub baseline: Option<PathBuf>,
    pub iam: bool,
    pub audit_role: String,
    pub stats: bool,
}

impl AuditSettings {
    pub fn resolve(args: AuditArgs) -> anyhow::Result<Self> {
        Ok(Self {
            repo: RepoLocation::resolve(args.repo.repo.as_deref())?,
            load_options: load_options(args.today.as_deref(), None)?,
            sandbox: args.target.sandbox,
            endpoint_url: args.target.endpoint_url,
            format: args.format,
            out: args.out,
            csv_kind: args.csv_kind,
            fail_on: args.fail_on.map(FailOn::severity),
            baseline: args.baseline,
            iam: !args.no_iam,
            audit_role: args.audit_role,
            stats: args.stats,
        })
    }
}

/// `monban show why`, resolved.
#[derive(Debug, Clone)]
pub struct ShowWhySettings {
    pub repo: RepoLocation,
    pub load_options: monban_config::LoadOptions,
    pub sandbox: bool,
    pub endpoint_url: Option<String>,
    pub user: String,
    pub account: Option<String>,
}

impl ShowWhySettings {
    pub fn resolve(args: ShowWhyArgs) -> anyhow::Result<Self> {
        Ok(Self {
            repo: RepoLocation::resolve(args.repo.repo.as_deref())?,
            load_options: load_options(args.today.as_deref(), None)?,
            sandbox: args.target.sandbox,
            endpoint_url: args.target.endpoint_url,
            user: args.user,
            account: args.account,
        })
    }
}

/// What one audit run produced.
struct Audited {
    report: Report,
    read_stats: monban_aws::ReadStats,
    iam_stats: Option<(usize, monban_aws::ReadStats)>,
}

/// Reads the live state (and, at the same time, the IAM of member accounts when `iam` is
/// given), plans the repo against it and audits both.
async fn run_audit(
    clients: &monban_aws::Clients,
    repo: &monban_model::Repo,
    context: &monban_plan::PlanContext,
    target: String,
    iam: Option<monban_aws::IamScanOptions>,
) -> anyhow::Result<Audited> {
    // Who may reach what needs no tags: leaving them (and the details' customer managed
    // policy references) out saves one call per account and two per permission set. The
    // plan made here only decides each assignment row's state (declared, live-only,
    // declared-missing), which they do not change. With the IAM scan the references are read
    // all the same (one call per permission set): the scan reads the policies they name in
    // each account, and the permission-set lint judges them.
    let parts = monban_aws::ReadParts::access();
    // The IAM user scan needs only the account list: it runs beside the rest of the read
    // (STS and IAM are throttled apart from SSO Admin), not after it; the customer managed
    // policies are read when the read is done.
    let (read, scanned) = match iam {
        Some(options) => monban_aws::read_and_scan_iam(clients, parts, &options)
            .await
            .map(|(read, scanned)| (read, Some(scanned))),
        None => monban_aws::read_live_state_parts(clients, parts)
            .await
            .map(|read| (read, None)),
    }
    .with_context(|| format!("could not read the live state of {}", clients.target()))?;
    let plan = monban_plan::plan(repo, &read.state, context);
    let report = monban_audit::audit(&monban_audit::AuditInput {
        live: &read.state,
        declared: Some(monban_audit::Declared { repo, plan: &plan }),
        iam: scanned.as_ref().map(|scan| &scan.found),
        now: jiff::Timestamp::now(),
        target,
        tool_version: env!("CARGO_PKG_VERSION").to_owned(),
    });
    Ok(Audited {
        report,
        read_stats: read.stats,
        iam_stats: scanned.map(|scan| (scan.accounts, scan.stats)),
    })
}

pub fn audit(settings: &AuditSettings, printer: &Printer) -> anyhow::Result<ExitStatus> {
    let Some(repo) = load_valid_repo(&settings.repo, &settings.load_options, printer)? else {
        return Ok(ExitStatus::Failure);
    };
    // Read the baseline first: a wrong file should fail before minutes of reading.
    let baseline = settings
        .baseline
        .as_deref()
        .map(|path| {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("could not read the baseline {}", path.display()))?;
            Report::from_json(&text)
                .with_context(|| format!("could not use {} as a baseline", path.display()))
        })
        .transpose()?;
    let choice = TargetChoice::resolve(
        &settings.repo.root,
        &repo,
        settings.sandbox,
        settings.endpoint_url.as_deref(),
    );
    let context = plan_context(&settings.load_options, &choice, false);
    let iam = settings.iam.then(|| monban_aws::IamScanOptions {
        role_name: settings.audit_role.clone(),
        rate_limits: choice.connect_options().rate_limits,
        ..monban_aws::IamScanOptions::default()
    });
    printer.log(format!("Auditing {choice} …"));
    let target = choice.to_string();
    let mut audited = runtime()?.block_on(with_target(&choice, async |clients| {
        run_audit(clients, &repo, &context, target, iam).await
    }))?;
    if let Some(previous) = &baseline {
        audited.report.baseline = Some(monban_audit::compare(&audited.report, previous));
    }
    if settings.stats {
        print_stats(printer, &audited.read_stats);
        if let Some((accounts, stats)) = &audited.iam_stats {
            printer.log(format!(
                "Scanned the IAM of {accounts} member account(s) with {} API calls ({} throttled) in {:.2} s:",
                stats.total_calls(),
                stats.total_throttles(),
                stats.elapsed.as_secs_f64()
            ));
            for (operation, calls) in &stats.calls {
                printer.log(format!("  {calls:>6}  {operation}"));
            }
        }
    }
    let report = &audited.report;
    write_output(settings, report, printer)?;
    if settings.format != AuditFormat::Summary {
        printer.log(counts_line(report));
    }
    Ok(match settings.fail_on {
        Some(threshold) if report.fails_at(threshold) => {
            printer.log(format!(
                "Findings at or above `{threshold}` exist (--fail-on {threshold}): exit 2."
            ));
            ExitStatus::Changes
        }
        _ => ExitStatus::Success,
    })
}

fn write_file(path: &Path, text: &str) -> anyhow::Result<()> {
    std::fs::write(path, text).with_context(|| format!("could not write {}", path.display()))
}

fn write_output(
    settings: &AuditSettings,
    report: &Report,
    printer: &Printer,
) -> anyhow::Result<()> {
    let single = |text: String| -> anyhow::Result<()> {
        match &settings.out {
            Some(path) => {
                write_file(path, &text)?;
                printer.log(format!("Wrote {}.", monban_config::display_path(path)));
            }
            None => printer.data(text.trim_end()),
        }
        Ok(())
    };
    match settings.format {
        AuditFormat::Summary => single(summary(report)),
        AuditFormat::Json => single(report.to_json()),
        AuditFormat::Html => single(
            monban_render::render_audit_html(&report.to_json())
                .context("could not render the HTML report")?,
        ),
        AuditFormat::Csv => {
            let Some(dir) = &settings.out else {
                let text = match settings.csv_kind {
                    CsvKind::Inventory => monban_audit::inventory_csv(report),
                    CsvKind::Findings => monban_audit::findings_csv(report),
                };
                printer.data(text.trim_end());
                return Ok(());
            };
            std::fs::create_dir_all(dir)
                .with_context(|| format!("could not create {}", dir.display()))?;
            write_file(
                &dir.join("inventory.csv"),
                &monban_audit::inventory_csv(report),
            )?;
            write_file(
                &dir.join("findings.csv"),
                &monban_audit::findings_csv(report),
            )?;
            printer.log(format!(
                "Wrote {} and {}.",
                monban_config::display_path(&dir.join("inventory.csv")),
                monban_config::display_path(&dir.join("findings.csv"))
            ));
            Ok(())
        }
    }
}

/// `principal / account / permission set`, whichever the finding has.
fn finding_place(finding: &monban_audit::Finding) -> String {
    let mut place: Vec<String> = Vec::new();
    if let Some(principal) = &finding.principal {
        place.push(
            principal
                .name
                .clone()
                .unwrap_or_else(|| format!("deleted {}", principal.id)),
        );
    }
    if let Some(account) = &finding.account {
        place.push(account.name.clone().unwrap_or_else(|| account.id.clone()));
    }
    if let Some(permission_set) = &finding.permission_set {
        place.push(permission_set.clone());
    }
    place.join(" / ")
}

fn counts_line(report: &Report) -> String {
    let counts = &report.summary.findings;
    format!(
        "Findings: {} critical, {} high, {} medium, {} low, {} info.",
        counts.critical, counts.high, counts.medium, counts.low, counts.info
    )
}

/// The terminal summary.
fn summary(report: &Report) -> String {
    let mut lines = vec![format!("Audit of {}", report.target)];
    let state_count = |state: RowState| {
        report
            .assignments
            .iter()
            .filter(|row| row.state == Some(state))
            .count()
    };
    lines.push(format!(
        "  {} people, {} accounts, {} assignments, {} access rows (groups expanded to their members)",
        report.summary.people,
        report.summary.accounts,
        report.summary.assignments,
        report.summary.inventory_rows
    ));
    if report.repo {
        lines.push(format!(
            "  against the repo: {} declared, {} live-only (drift), {} declared but missing",
            state_count(RowState::Declared),
            state_count(RowState::LiveOnly),
            state_count(RowState::DeclaredMissing)
        ));
    }
    if report.iam_scanned {
        // An account may have several errors (one per customer managed policy it could not
        // read): name each account once, in the report's order.
        let mut accounts: Vec<&str> = report
            .iam_scan_errors
            .iter()
            .map(|error| error.account_name.as_str())
            .collect();
        accounts.dedup();
        let unscanned = if accounts.is_empty() {
            String::new()
        } else {
            format!(
                "; {} account(s) could not be scanned in full ({})",
                accounts.len(),
                accounts.join(", ")
            )
        };
        lines.push(format!(
            "  IAM: {} IAM user(s) in member accounts{unscanned}",
            report.iam_users.len()
        ));
    } else {
        lines.push("  IAM: not scanned (--no-iam)".to_owned());
    }
    lines.push(String::new());
    lines.push(counts_line(report));
    // Grouped by rule (findings are sorted by severity, then rule), a few examples each: a
    // rule with many findings must not hide the others.
    let mut rules: Vec<(&str, Vec<&monban_audit::Finding>)> = Vec::new();
    for finding in &report.findings {
        match rules.last_mut() {
            Some((rule, findings)) if *rule == finding.rule => findings.push(finding),
            _ => rules.push((finding.rule.as_str(), vec![finding])),
        }
    }
    for (rule, findings) in &rules {
        let first = findings[0];
        lines.push(format!(
            "  {:<8} {rule} ×{}: {}",
            first.severity.as_str().to_uppercase(),
            findings.len(),
            first.title
        ));
        for finding in findings.iter().take(EXAMPLES_PER_RULE) {
            lines.push(format!("             {}", finding_place(finding)));
        }
        if findings.len() > EXAMPLES_PER_RULE {
            lines.push(format!(
                "             … and {} more",
                findings.len() - EXAMPLES_PER_RULE
            ));
        }
    }
    if !report.findings.is_empty() {
        lines.push(
            "  (`--format json`, `csv` or `html` lists every finding with its explanation and fix)"
                .to_owned(),
        );
    }
    if let Some(baseline) = &report.baseline {
        lines.push(String::new());
        lines.push(format!(
            "Since the baseline of {}: {} access added, {} removed; {} new finding(s), {} resolved.",
            baseline.generated_at,
            baseline.access_added.len(),
            baseline.access_removed.len(),
            baseline.findings_new.len(),
            baseline.findings_resolved.len()
        ));
        for (sign, rows) in [
            ("+", &baseline.access_added),
            ("-", &baseline.access_removed),
        ] {
            for row in rows {
                lines.push(format!(
                    "  {sign} {} {} on {} ({})",
                    row.user_name, row.permission_set, row.account_name, row.via
                ));
            }
        }
        for finding in &baseline.findings_new {
            lines.push(format!("  new      {} {}", finding.rule, finding.key));
        }
        for finding in &baseline.findings_resolved {
            lines.push(format!("  resolved {} {}", finding.rule, finding.key));
        }
    }
    lines.join("\n")
}

pub fn why(settings: &ShowWhySettings, printer: &Printer) -> anyhow::Result<ExitStatus> {
    let Some(repo) = load_valid_repo(&settings.repo, &settings.load_options, printer)? else {
        return Ok(ExitStatus::Failure);
    };
    let choice = TargetChoice::resolve(
        &settings.repo.root,
        &repo,
        settings.sandbox,
        settings.endpoint_url.as_deref(),
    );
    let context = plan_context(&settings.load_options, &choice, false);
    printer.log(format!("Reading the live state of {choice} …"));
    let target = choice.to_string();
    let audited = runtime()?.block_on(with_target(&choice, async |clients| {
        run_audit(clients, &repo, &context, target, None).await
    }))?;
    let report = audited.report;
    let Some(person) = report
        .people
        .iter()
        .find(|person| person.user_name == settings.user || person.user_id == settings.user)
    else {
        let close = report
            .people
            .iter()
            .map(|person| person.user_name.as_str())
            .find(|name| name.eq_ignore_ascii_case(&settings.user));
        let hint = close
            .map(|name| format!(" (did you mean `{name}`?)"))
            .unwrap_or_default();
        anyhow::bail!("the Identity Store has no user `{}`{hint}", settings.user);
    };
    let account = match &settings.account {
        Some(account) => {
            let Some(found) = report
                .accounts
                .iter()
                .find(|info| &info.name == account || &info.id == account)
            else {
                anyhow::bail!("the organization has no account `{account}` (name or id)");
            };
            Some(found.clone())
        }
        None => None,
    };
    let rows: Vec<&monban_audit::InventoryRow> = report
        .inventory
        .iter()
        .filter(|row| row.user_id == person.user_id)
        .filter(|row| {
            account
                .as_ref()
                .is_none_or(|account| row.account_id == account.id)
        })
        .filter(|row| row.state != Some(RowState::DeclaredMissing))
        .collect();
    let status = match person.status {
        monban_audit::PersonStatus::Enabled => "enabled",
        monban_audit::PersonStatus::Disabled => {
            "DISABLED (cannot sign in; re-enabling restores all of this)"
        }
        monban_audit::PersonStatus::Deleted => "deleted",
    };
    printer.log(format!("{} is {status}.", person.user_name));
    let place = account
        .as_ref()
        .map_or_else(|| "any account".to_owned(), |account| account.name.clone());
    if rows.is_empty() {
        printer.data(format!("{} has no access to {place}.", person.user_name));
        return Ok(ExitStatus::Success);
    }
    let table: Vec<[String; 5]> = rows
        .iter()
        .map(|row| {
            [
                row.account_name.clone(),
                row.permission_set.clone(),
                row.via.to_string(),
                row.state.map_or("-", RowState::as_str).to_owned(),
                if row.declared_in.is_empty() {
                    "-".to_owned()
                } else {
                    row.declared_in.join(", ")
                },
            ]
        })
        .collect();
    let header = ["ACCOUNT", "PERMISSION SET", "VIA", "STATE", "DECLARED IN"];
    let mut widths: Vec<usize> = header.iter().map(|cell| cell.chars().count()).collect();
    for row in &table {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        cells
            .iter()
            .zip(&widths)
            .map(|(cell, width)| format!("{cell:<width$}"))
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_owned()
    };
    printer.data(line(header.to_vec()));
    for row in &table {
        printer.data(line(row.iter().map(String::as_str).collect()));
    }
    Ok(ExitStatus::Success)
}
