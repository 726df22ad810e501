//! The plan benchmark of issue 5: `cargo bench -p monban --bench plan` (`harness = false`;
//! prints its figures, reported in `docs/benchmarks.md` "Plan").
//!
//! 1. Generates an organization of 1,000 member accounts in 50 OUs (plus the management
//!    account), 200 permission sets of every kind (AWS-managed, customer-managed, inline,
//!    boundaries of both forms), 20,000 assignments on 10,000 (permission set, account)
//!    pairs, 5,000 users and 500 groups of 20 members; seeds it into an in-process sandbox
//!    through the control API, and writes the matching access repo (plus a handful of
//!    deliberate changes) to a temporary directory.
//! 2. Full-refresh plan: `read_live_state` without client-side limits, then
//!    `monban_plan::plan`; calls per operation against the minimum of
//!    `docs/reference/live-read.md` evaluated on the generated state, wall times, peak RSS,
//!    snapshot size. Then the same read with `RateLimits::scaled(F)`, and again against a
//!    realistic-profile sandbox that enforces AWS's rates × F itself: measured × F is the
//!    estimate at AWS's rates, next to the lower bound (calls per throttling bucket / rate).
//! 3. Targeted plan after a one-account change: the refresh scope `monban plan` computes
//!    for one changed account file, `monban_aws::refresh` at AWS's real rates against a
//!    realistic sandbox at time scale 1, and the `monban plan --changed-since HEAD` binary
//!    end to end against that sandbox.
//! 4. Terraform's refresh of the same repo written one resource per assignment: its API
//!    calls, from each resource's Read in terraform-provider-aws (sources in
//!    `docs/benchmarks.md`), and their lower bound at AWS's rates.
//!
//! `-- --quick` (or `MONBAN_BENCH_QUICK=1`) skips the two rate-scaled full reads;
//! `MONBAN_BENCH_SCALE=F` sets the client's factor against the fast sandbox and
//! `MONBAN_BENCH_REALISTIC_SCALE=F` the realistic sandbox's time scale (default 20 each).
//! `cargo test` does not run it: the program only benchmarks when cargo passes `--bench`.

#![expect(
    clippy::print_stdout,
    reason = "a benchmark program reports its figures on stdout"
)]

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use monban_aws::{Clients, ConnectOptions, RateLimits, ReadStats, RefreshScope, TargetSpec};
use monban_model::{LiveState, Repo};
use serde_json::{Value, json};

/// Member accounts (the management account comes on top).
const MEMBER_ACCOUNTS: usize = 1_000;
/// OUs, directly under the root; members are spread evenly over them.
const OUS: usize = 50;
const PERMISSION_SETS: usize = 200;
/// Permission sets provisioned to each member account (so each set reaches
/// `MEMBER_ACCOUNTS * PERMISSION_SETS_PER_ACCOUNT / PERMISSION_SETS` = 50 accounts).
const PERMISSION_SETS_PER_ACCOUNT: usize = 10;
/// Principals per (account, permission set) pair: 1,000 × 10 × 2 = 20,000 assignments.
const PRINCIPALS_PER_PAIR: usize = 2;
const USERS: usize = 5_000;
const GROUPS: usize = 500;
/// Every user belongs to this many groups (500 groups of 20).
const GROUPS_PER_USER: usize = 2;

/// The page sizes `docs/reference/live-read.md` assumes (each API's maximum).
const ORGANIZATIONS_PAGE: usize = 20;
const IDENTITY_CENTER_PAGE: usize = 100;

/// The sandbox's management account (its defaults, `monban_emulator::config`).
const MANAGEMENT_ACCOUNT_ID: &str = "111111111111";
const MANAGEMENT_ACCOUNT_NAME: &str = "management";
const MANAGEMENT_ACCOUNT_EMAIL: &str = "management@example.com";

/// Every sandbox of the benchmark starts from this id seed and gets the same seed requests,
/// so their ids (organization, instance, permission set ARNs, user and group ids) agree and
/// the snapshot of one serves the others.
const SANDBOX_SEED: u64 = 5;

/// The changed account of the targeted plan (even index: bound by `id:`).
const TARGETED_ACCOUNT: usize = 10;
/// The target of issue 5 for a targeted plan at AWS's rates.
const TARGETED_TARGET: Duration = Duration::from_secs(3);

fn main() -> anyhow::Result<()> {
    let arguments: Vec<String> = std::env::args().collect();
    if !arguments.iter().any(|argument| argument == "--bench") {
        println!("the plan benchmark runs with `cargo bench -p monban --bench plan`");
        return Ok(());
    }
    let quick = arguments.iter().any(|argument| argument == "--quick")
        || std::env::var_os("MONBAN_BENCH_QUICK").is_some_and(|value| value != "0");
    let scales = Scales {
        client: scale_from_environment("MONBAN_BENCH_SCALE")?,
        realistic: scale_from_environment("MONBAN_BENCH_REALISTIC_SCALE")?,
    };
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("could not start the async runtime")?
        .block_on(run(quick, scales))
}

/// The time scales of the two rate-scaled full reads.
#[derive(Debug, Clone, Copy)]
struct Scales {
    /// The client's `RateLimits::scaled` against the fast sandbox.
    client: f64,
    /// The realistic sandbox's time scale (and the client's factor against it).
    realistic: f64,
}

/// A factor ≥ 1 from the environment variable `name`; 20 when unset (tens of seconds for
/// the 580 s read).
fn scale_from_environment(name: &str) -> anyhow::Result<f64> {
    match std::env::var(name) {
        Ok(value) => value
            .parse::<f64>()
            .ok()
            .filter(|factor| factor.is_finite() && *factor >= 1.0)
            .with_context(|| format!("{name}={value} is not a factor ≥ 1")),
        Err(_) => Ok(20.0),
    }
}

// ---------------------------------------------------------------------------------------
// The generated organization

#[derive(Debug)]
struct Account {
    name: String,
    id: String,
    ou: Option<String>,
    email: String,
    tags: BTreeMap<String, String>,
    /// Written as `id:` in the account file (else bound by root e-mail).
    bound_by_id: bool,
    /// Written as `email:` (else derived from `organization.root_email`).
    explicit_email: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Managed,
    CustomerManaged,
    Inline,
    ManagedBoundary,
    CustomerManagedBoundary,
    Mixed,
}

impl Kind {
    fn of(index: usize) -> Self {
        [
            Self::Managed,
            Self::CustomerManaged,
            Self::Inline,
            Self::ManagedBoundary,
            Self::CustomerManagedBoundary,
            Self::Mixed,
        ][index % 6]
    }
}

#[derive(Debug)]
enum Boundary {
    Managed(String),
    CustomerManaged { name: String, path: String },
}

#[derive(Debug)]
struct PermissionSet {
    name: String,
    description: String,
    session_duration: String,
    relay_state: Option<String>,
    managed_policies: Vec<String>,
    customer_managed_policies: Vec<(String, String)>,
    boundary: Option<Boundary>,
    inline_policy: Option<String>,
    tags: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Principal {
    Group(usize),
    User(usize),
}

/// One (account, permission set) pair and its principals.
#[derive(Debug)]
struct Pair {
    account: usize,
    permission_set: usize,
    principals: Vec<Principal>,
}

#[derive(Debug)]
struct Organization {
    ous: Vec<String>,
    /// The management account first, then the members.
    accounts: Vec<Account>,
    permission_sets: Vec<PermissionSet>,
    pairs: Vec<Pair>,
    users: Vec<String>,
    groups: Vec<String>,
    /// Members of each group (user indexes).
    members: Vec<Vec<usize>>,
}

const MANAGED_POLICIES: &[&str] = &[
    "arn:aws:iam::aws:policy/ReadOnlyAccess",
    "arn:aws:iam::aws:policy/PowerUserAccess",
    "arn:aws:iam::aws:policy/SecurityAudit",
    "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess",
    "arn:aws:iam::aws:policy/job-function/Billing",
    "arn:aws:iam::aws:policy/AWSSupportAccess",
];

impl Organization {
    fn generate() -> Self {
        let ous: Vec<String> = (1..=OUS).map(|unit| format!("Unit{unit:02}")).collect();
        let mut accounts = vec![Account {
            name: MANAGEMENT_ACCOUNT_NAME.to_owned(),
            id: MANAGEMENT_ACCOUNT_ID.to_owned(),
            ou: None,
            email: MANAGEMENT_ACCOUNT_EMAIL.to_owned(),
            tags: BTreeMap::new(),
            bound_by_id: true,
            explicit_email: true,
        }];
        for index in 0..MEMBER_ACCOUNTS {
            let name = format!("account-{index:04}");
            let explicit_email = index % 10 == 3;
            let email = if explicit_email {
                format!("ops+{name}@example.com")
            } else {
                root_email(&name)
            };
            let environment = ["prod", "staging", "dev"][index % 3];
            accounts.push(Account {
                id: format!("3{index:011}"),
                ou: Some(ous[index * OUS / MEMBER_ACCOUNTS].clone()),
                email,
                tags: BTreeMap::from([
                    ("env".to_owned(), environment.to_owned()),
                    (
                        "cost-center".to_owned(),
                        format!("cc-{:04}", 1000 + index % 300),
                    ),
                ]),
                bound_by_id: index % 2 == 0,
                explicit_email,
                name,
            });
        }
        let permission_sets = (0..PERMISSION_SETS).map(permission_set).collect();
        let mut pairs = Vec::new();
        for account in 0..MEMBER_ACCOUNTS {
            for slot in 0..PERMISSION_SETS_PER_ACCOUNT {
                // Consecutive pair numbers cover every permission set equally often.
                let pair_number = account * PERMISSION_SETS_PER_ACCOUNT + slot;
                let first = (account * 7 + slot * 13) % GROUPS;
                let second = if pair_number.is_multiple_of(20) {
                    // One grant in forty names a person directly.
                    Principal::User(pair_number * 7 % USERS)
                } else {
                    Principal::Group((first + 1 + account % (GROUPS - 2)) % GROUPS)
                };
                let principals = vec![Principal::Group(first), second];
                debug_assert_eq!(principals.len(), PRINCIPALS_PER_PAIR);
                pairs.push(Pair {
                    account: account + 1,
                    permission_set: pair_number % PERMISSION_SETS,
                    principals,
                });
            }
        }
        let users = (0..USERS).map(user_name).collect();
        let groups = (0..GROUPS)
            .map(|group| format!("team-{group:03}"))
            .collect();
        let mut members = vec![Vec::new(); GROUPS];
        for user in 0..USERS {
            // `user` and `3·user + 1` never agree modulo 500 (one is odd, one even after
            // subtracting), and 3 is invertible modulo 500: 20 members in every group.
            for group in [user % GROUPS, (3 * user + 1) % GROUPS]
                .into_iter()
                .take(GROUPS_PER_USER)
            {
                members[group].push(user);
            }
        }
        Self {
            ous,
            accounts,
            permission_sets,
            pairs,
            users,
            groups,
            members,
        }
    }

    fn principal_name(&self, principal: Principal) -> (&'static str, &str) {
        match principal {
            Principal::Group(group) => ("group", &self.groups[group]),
            Principal::User(user) => ("user", &self.users[user]),
        }
    }

    /// The users granted access directly (listed in `groups.yaml` `users:`).
    fn direct_users(&self) -> BTreeSet<usize> {
        self.pairs
            .iter()
            .flat_map(|pair| &pair.principals)
            .filter_map(|principal| match principal {
                Principal::User(user) => Some(*user),
                Principal::Group(_) => None,
            })
            .collect()
    }

    fn assignment_count(&self) -> usize {
        self.pairs.iter().map(|pair| pair.principals.len()).sum()
    }

    fn membership_count(&self) -> usize {
        self.members.iter().map(Vec::len).sum()
    }
}

fn root_email(account: &str) -> String {
    format!("aws-root+{account}@example.com")
}

fn user_name(user: usize) -> String {
    format!("person{user:04}@example.com")
}

fn permission_set(index: usize) -> PermissionSet {
    let kind = Kind::of(index);
    let name = format!("{kind:?}{index:03}");
    let managed = |count: usize| -> Vec<String> {
        (0..count)
            .map(|offset| {
                MANAGED_POLICIES[(index + offset * 2) % MANAGED_POLICIES.len()].to_owned()
            })
            .collect()
    };
    let (managed_policies, customer_managed_policies) = match kind {
        Kind::Managed => (managed(1 + index % 3), Vec::new()),
        Kind::CustomerManaged => (
            Vec::new(),
            vec![
                (format!("workload-{index:03}"), "/generated/".to_owned()),
                ("guardrails".to_owned(), "/".to_owned()),
            ],
        ),
        Kind::Inline | Kind::CustomerManagedBoundary => (Vec::new(), Vec::new()),
        Kind::ManagedBoundary => (managed(1), Vec::new()),
        Kind::Mixed => (
            managed(2),
            vec![(format!("workload-{index:03}"), "/generated/".to_owned())],
        ),
    };
    let boundary = match kind {
        Kind::ManagedBoundary => Some(Boundary::Managed(
            "arn:aws:iam::aws:policy/PowerUserAccess".to_owned(),
        )),
        Kind::CustomerManagedBoundary => Some(Boundary::CustomerManaged {
            name: format!("boundary-{index:03}"),
            path: "/boundaries/".to_owned(),
        }),
        _ => None,
    };
    let inline_policy = matches!(
        kind,
        Kind::Inline | Kind::CustomerManagedBoundary | Kind::Mixed
    )
    .then(|| {
        let service = ["s3", "dynamodb", "sqs", "logs", "ssm"][index % 5];
        format!(
            "{{\"Version\":\"2012-10-17\",\"Statement\":[{{\"Sid\":\"Generated{index}\",\"Effect\":\"Allow\",\"Action\":[\"{service}:Get*\",\"{service}:List*\"],\"Resource\":\"*\"}}]}}"
        )
    });
    PermissionSet {
        description: format!("Generated permission set {index} ({kind:?})"),
        session_duration: format!("PT{}H", 1 + index % 12),
        relay_state: index
            .is_multiple_of(4)
            .then(|| "https://console.aws.amazon.com/console/home".to_owned()),
        managed_policies,
        customer_managed_policies,
        boundary,
        inline_policy,
        tags: BTreeMap::from([("tier".to_owned(), format!("tier{}", index % 3))]),
        name,
    }
}

// ---------------------------------------------------------------------------------------
// Seeding the sandbox (`POST /_sandbox/seed`, docs/reference/sandbox.md "Control API")

/// Seeds `organization` in several requests (the control API takes JSON bodies of up to
/// 2 MB; every request is all or nothing).
async fn seed(endpoint: &str, organization: &Organization) -> anyhow::Result<()> {
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
    let accounts: Vec<Value> = organization.accounts[1..]
        .iter()
        .map(|account| {
            json!({ "name": account.name, "email": account.email, "id": account.id,
                    "ou": account.ou, "tags": account.tags })
        })
        .collect();
    let users: Vec<Value> = organization
        .users
        .iter()
        .map(|user| json!({ "user_name": user, "email": user }))
        .collect();
    let groups: Vec<Value> = organization
        .groups
        .iter()
        .zip(&organization.members)
        .map(|(group, members)| {
            let members: Vec<&str> = members
                .iter()
                .map(|user| organization.users[*user].as_str())
                .collect();
            json!({ "display_name": group, "members": members })
        })
        .collect();
    post(
        json!({ "organizational_units": organization.ous, "accounts": accounts,
                 "users": users, "groups": groups }),
    )
    .await?;
    let permission_sets: Vec<Value> = organization
        .permission_sets
        .iter()
        .map(|set| {
            let boundary = set.boundary.as_ref().map(|boundary| match boundary {
                Boundary::Managed(arn) => json!({ "managed_policy_arn": arn }),
                Boundary::CustomerManaged { name, path } => {
                    json!({ "customer_managed_policy": { "name": name, "path": path } })
                }
            });
            let references: Vec<Value> = set
                .customer_managed_policies
                .iter()
                .map(|(name, path)| json!({ "name": name, "path": path }))
                .collect();
            json!({ "name": set.name, "description": set.description,
                    "session_duration": set.session_duration, "relay_state": set.relay_state,
                    "inline_policy": set.inline_policy, "managed_policies": set.managed_policies,
                    "customer_managed_policies": references, "permissions_boundary": boundary,
                    "tags": set.tags })
        })
        .collect();
    post(json!({ "permission_sets": permission_sets })).await?;
    let assignments: Vec<Value> = organization
        .pairs
        .iter()
        .flat_map(|pair| {
            pair.principals.iter().map(move |principal| {
                let account = &organization.accounts[pair.account].id;
                let permission_set = &organization.permission_sets[pair.permission_set].name;
                match organization.principal_name(*principal) {
                    ("group", group) => json!({ "account_id": account,
                        "permission_set": permission_set, "group": group }),
                    (_, user) => json!({ "account_id": account,
                        "permission_set": permission_set, "user": user }),
                }
            })
        })
        .collect();
    for chunk in assignments.chunks(5_000) {
        post(json!({ "assignments": chunk })).await?;
    }
    Ok(())
}

/// Starts an in-memory sandbox with `profile` at `time_scale` and seeds `organization`.
async fn start_sandbox(
    organization: &Organization,
    profile: monban_emulator::Profile,
    time_scale: f64,
) -> anyhow::Result<monban_emulator::RunningServer> {
    let server = monban_emulator::Server::start(monban_emulator::Config {
        state_dir: None,
        profile,
        time_scale,
        seed: Some(SANDBOX_SEED),
        ..monban_emulator::Config::default()
    })
    .await
    .context("the sandbox did not start")?;
    seed(&server.endpoint_url(), organization).await?;
    Ok(server)
}

// ---------------------------------------------------------------------------------------
// Writing the access repo (docs/reference/access-repo.md)

/// The repo's account files, as text by account name, so that changes are made to text.
struct RepoFiles {
    root: PathBuf,
}

impl RepoFiles {
    fn write(&self, relative: &str, text: &str) -> anyhow::Result<()> {
        let path = self.root.join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("could not create {}", parent.display()))?;
        }
        std::fs::write(&path, text).with_context(|| format!("could not write {}", path.display()))
    }

    fn read(&self, relative: &str) -> anyhow::Result<String> {
        let path = self.root.join(relative);
        std::fs::read_to_string(&path).with_context(|| format!("could not read {}", path.display()))
    }
}

fn write_repo(files: &RepoFiles, organization: &Organization) -> anyhow::Result<()> {
    let mut settings = String::new();
    writeln!(settings, "organization:")?;
    writeln!(settings, "  management_account: {MANAGEMENT_ACCOUNT_NAME}")?;
    writeln!(
        settings,
        "  root_email: \"aws-root+{{account}}@example.com\""
    )?;
    writeln!(settings, "  ous:")?;
    for ou in &organization.ous {
        writeln!(settings, "    - {ou}")?;
    }
    writeln!(settings, "identity_center:")?;
    writeln!(settings, "  region: us-east-1")?;
    writeln!(settings, "  identity_source: external")?;
    writeln!(settings, "safety:")?;
    writeln!(settings, "  exclusive: true")?;
    files.write("monban.yaml", &settings)?;

    let mut groups = String::from("groups:\n");
    for group in &organization.groups {
        writeln!(groups, "  - \"{group}\"")?;
    }
    groups.push_str("users:\n");
    for user in organization.direct_users() {
        writeln!(groups, "  - \"{}\"", organization.users[user])?;
    }
    files.write("groups.yaml", &groups)?;

    for set in &organization.permission_sets {
        let mut text = String::new();
        writeln!(text, "description: \"{}\"", set.description)?;
        writeln!(text, "session_duration: {}", set.session_duration)?;
        if let Some(relay_state) = &set.relay_state {
            writeln!(text, "relay_state: \"{relay_state}\"")?;
        }
        if !set.managed_policies.is_empty() {
            writeln!(text, "managed_policies:")?;
            for arn in &set.managed_policies {
                writeln!(text, "  - \"{arn}\"")?;
            }
        }
        if !set.customer_managed_policies.is_empty() {
            writeln!(text, "customer_managed_policies:")?;
            for (name, path) in &set.customer_managed_policies {
                writeln!(text, "  - {{ name: \"{name}\", path: \"{path}\" }}")?;
            }
        }
        match &set.boundary {
            Some(Boundary::Managed(arn)) => {
                writeln!(
                    text,
                    "permissions_boundary: {{ managed_policy: \"{arn}\" }}"
                )?;
            }
            Some(Boundary::CustomerManaged { name, path }) => writeln!(
                text,
                "permissions_boundary: {{ customer_managed_policy: {{ name: \"{name}\", path: \"{path}\" }} }}"
            )?,
            None => {}
        }
        write_tags(&mut text, &set.tags)?;
        files.write(&format!("permission-sets/{}.yaml", set.name), &text)?;
        if let Some(policy) = &set.inline_policy {
            files.write(&format!("permission-sets/{}.policy.json", set.name), policy)?;
        }
    }

    let mut access: Vec<BTreeMap<usize, Vec<Principal>>> = (0..organization.accounts.len())
        .map(|_| BTreeMap::new())
        .collect();
    for pair in &organization.pairs {
        access[pair.account]
            .entry(pair.permission_set)
            .or_default()
            .extend(&pair.principals);
    }
    for (account, grants) in organization.accounts.iter().zip(&access) {
        let mut text = String::new();
        if account.bound_by_id {
            writeln!(text, "id: \"{}\"", account.id)?;
        }
        if account.explicit_email {
            writeln!(text, "email: \"{}\"", account.email)?;
        }
        if let Some(ou) = &account.ou {
            writeln!(text, "ou: {ou}")?;
        }
        write_tags(&mut text, &account.tags)?;
        if !grants.is_empty() {
            writeln!(text, "access:")?;
            for (permission_set, principals) in grants {
                writeln!(
                    text,
                    "  {}:",
                    organization.permission_sets[*permission_set].name
                )?;
                for principal in principals {
                    let (kind, name) = organization.principal_name(*principal);
                    writeln!(text, "    - {kind}: \"{name}\"")?;
                }
            }
        }
        files.write(&format!("accounts/{}.yaml", account.name), &text)?;
    }
    Ok(())
}

fn write_tags(text: &mut String, tags: &BTreeMap<String, String>) -> std::fmt::Result {
    if tags.is_empty() {
        return Ok(());
    }
    let pairs: Vec<String> = tags
        .iter()
        .map(|(key, value)| format!("\"{key}\": \"{value}\""))
        .collect();
    writeln!(text, "tags: {{ {} }}", pairs.join(", "))
}

/// The deliberate changes a reviewer should see (each one a plan change): a grant added,
/// a grant removed, a permission set's description edited, an account re-tagged, and a new
/// account with one grant. Returns their description.
fn make_deliberate_changes(
    files: &RepoFiles,
    organization: &Organization,
) -> anyhow::Result<Vec<String>> {
    let mut made = Vec::new();
    // 1. A grant added: an extra group on account-0003's first permission set.
    let account = &organization.accounts[4];
    let path = format!("accounts/{}.yaml", account.name);
    let pair = organization
        .pairs
        .iter()
        .find(|pair| pair.account == 4)
        .context("account-0003 has grants")?;
    let set = &organization.permission_sets[pair.permission_set].name;
    let extra = (0..GROUPS)
        .map(Principal::Group)
        .find(|group| !pair.principals.contains(group))
        .context("a group not yet granted")?;
    let extra_name = organization.principal_name(extra).1;
    let text = files.read(&path)?.replacen(
        &format!("  {set}:\n"),
        &format!("  {set}:\n    - group: \"{extra_name}\"\n"),
        1,
    );
    files.write(&path, &text)?;
    made.push(format!("{}: + {set} for group {extra_name}", account.name));
    // 2. A grant removed: account-0004's first permission set loses its second principal.
    let account = &organization.accounts[5];
    let path = format!("accounts/{}.yaml", account.name);
    let pair = organization
        .pairs
        .iter()
        .find(|pair| pair.account == 5)
        .context("account-0004 has grants")?;
    let set = &organization.permission_sets[pair.permission_set].name;
    let (first_kind, first_name) = organization.principal_name(pair.principals[0]);
    let (kind, name) = organization.principal_name(pair.principals[1]);
    let kept = format!("  {set}:\n    - {first_kind}: \"{first_name}\"\n");
    let text = files
        .read(&path)?
        .replacen(&format!("{kept}    - {kind}: \"{name}\"\n"), &kept, 1);
    files.write(&path, &text)?;
    made.push(format!(
        "{}: − {set} for {kind} {name} (exclusive)",
        account.name
    ));
    // 3. A permission set's description edited.
    let set = &organization.permission_sets[7];
    let path = format!("permission-sets/{}.yaml", set.name);
    let text = files.read(&path)?.replacen(
        &format!("description: \"{}\"", set.description),
        "description: \"Edited by the benchmark\"",
        1,
    );
    files.write(&path, &text)?;
    made.push(format!("{}: description edited", set.name));
    // 4. An account re-tagged.
    let account = &organization.accounts[6];
    let path = format!("accounts/{}.yaml", account.name);
    let text = files
        .read(&path)?
        .replacen("\"env\": \"", "\"env\": \"retagged-", 1);
    files.write(&path, &text)?;
    made.push(format!("{}: tag env changed", account.name));
    // 5. A new account, with one grant.
    let first_set = &organization.permission_sets[0].name;
    let first_group = &organization.groups[0];
    files.write(
        "accounts/account-new.yaml",
        &format!(
            "ou: {}\naccess:\n  {first_set}:\n    - group: \"{first_group}\"\n",
            organization.ous[0]
        ),
    )?;
    made.push(format!(
        "account-new: created, + {first_set} for group {first_group}"
    ));
    Ok(made)
}

fn load_repo(root: &Path) -> anyhow::Result<(Repo, jiff::civil::Date)> {
    let options = monban_config::LoadOptions::new();
    let today = options.today;
    let (repo, diagnostics) = monban_config::load_repo(root, &options)?;
    if diagnostics.has_errors() {
        let errors: Vec<String> = diagnostics
            .iter()
            .filter(|diagnostic| diagnostic.severity == monban_config::Severity::Error)
            .take(5)
            .map(|diagnostic| format!("{diagnostic:?}"))
            .collect();
        bail!("the generated repo has errors: {}", errors.join("\n"));
    }
    Ok((repo, today))
}

// ---------------------------------------------------------------------------------------
// The minimum number of calls (docs/reference/live-read.md "What is read, and what it costs")

fn pages(items: usize, size: usize) -> usize {
    items.div_ceil(size).max(1)
}

/// The fewest calls the APIs allow for `organization`'s live state, per operation, as
/// `docs/reference/live-read.md` derives them (its paged table).
fn minimum_calls(organization: &Organization) -> BTreeMap<&'static str, usize> {
    let member_ous = organization.ous.len();
    // Every OU is directly under the root: the root has them all as children, each OU none.
    let child_ou_pages = pages(member_ous, ORGANIZATIONS_PAGE) + member_ous;
    let mut accounts_per_container: BTreeMap<Option<&str>, usize> = BTreeMap::new();
    accounts_per_container.insert(None, 0);
    for ou in &organization.ous {
        accounts_per_container.insert(Some(ou.as_str()), 0);
    }
    for account in &organization.accounts {
        *accounts_per_container
            .entry(account.ou.as_deref())
            .or_default() += 1;
    }
    let account_pages: usize = accounts_per_container
        .values()
        .map(|accounts| pages(*accounts, ORGANIZATIONS_PAGE))
        .sum();
    let permission_sets = organization.permission_sets.len();
    let mut accounts_per_set = vec![0_usize; permission_sets];
    for pair in &organization.pairs {
        accounts_per_set[pair.permission_set] += 1;
    }
    let provisioned_pages: usize = accounts_per_set
        .iter()
        // All provisioned accounts, then only outdated ones (none here: one page).
        .map(|accounts| pages(*accounts, IDENTITY_CENTER_PAGE) + 1)
        .sum();
    let assignment_pages: usize = organization
        .pairs
        .iter()
        .map(|pair| pages(pair.principals.len(), IDENTITY_CENTER_PAGE))
        .sum();
    let membership_pages: usize = organization
        .members
        .iter()
        .map(|members| pages(members.len(), IDENTITY_CENTER_PAGE))
        .sum();
    BTreeMap::from([
        ("organizations:DescribeOrganization", 1),
        ("organizations:ListRoots", 1),
        (
            "organizations:ListOrganizationalUnitsForParent",
            child_ou_pages,
        ),
        ("organizations:ListAccountsForParent", account_pages),
        // Every seeded account is ACTIVE.
        (
            "organizations:ListTagsForResource",
            organization.accounts.len(),
        ),
        // No account creation is in progress or failed: one empty page.
        ("organizations:ListCreateAccountStatus", 1),
        ("sso-admin:ListInstances", 1),
        (
            "sso-admin:ListPermissionSets",
            pages(permission_sets, IDENTITY_CENTER_PAGE),
        ),
        ("sso-admin:DescribePermissionSet", permission_sets),
        ("sso-admin:GetInlinePolicyForPermissionSet", permission_sets),
        (
            "sso-admin:GetPermissionsBoundaryForPermissionSet",
            permission_sets,
        ),
        ("sso-admin:ListTagsForResource", permission_sets),
        (
            "sso-admin:ListManagedPoliciesInPermissionSet",
            permission_sets,
        ),
        (
            "sso-admin:ListCustomerManagedPolicyReferencesInPermissionSet",
            permission_sets,
        ),
        (
            "sso-admin:ListAccountsForProvisionedPermissionSet",
            provisioned_pages,
        ),
        ("sso-admin:ListAccountAssignments", assignment_pages),
        (
            "identitystore:ListUsers",
            pages(organization.users.len(), IDENTITY_CENTER_PAGE),
        ),
        (
            "identitystore:ListGroups",
            pages(organization.groups.len(), IDENTITY_CENTER_PAGE),
        ),
        ("identitystore:ListGroupMemberships", membership_pages),
    ])
}

// ---------------------------------------------------------------------------------------
// AWS's rates (aws-api-facts §4; the same table as crates/monban-aws/src/limits.rs)

/// The throttling bucket of `operation` (`service:Operation`), its rate per second and its
/// burst (SSO Admin publishes no burst; `limits.rs` assumes 20, one second's worth).
fn bucket(operation: &str) -> (String, f64, f64) {
    let (service, name) = operation.split_once(':').unwrap_or(("", operation));
    match service {
        // One collective bucket for the whole SSO Admin API.
        "sso-admin" => ("sso-admin (all operations)".to_owned(), 20.0, 20.0),
        // Per API, per identity store.
        "identitystore" => (operation.to_owned(), 20.0, 20.0),
        _ => {
            let (rate, burst) = match name {
                "DescribeAccount" => (20.0, 30.0),
                "ListTagsForResource" => (10.0, 15.0),
                "ListAccounts" => (8.0, 12.0),
                "ListChildren" => (6.0, 10.0),
                "ListParents"
                | "ListAccountsForParent"
                | "ListOrganizationalUnitsForParent"
                | "ListCreateAccountStatus" => (5.0, 8.0),
                "DescribeOrganizationalUnit" | "DescribeCreateAccountStatus" => (2.0, 2.0),
                "DescribeOrganization" | "ListRoots" => (1.0, 2.0),
                _ => (1.0, 1.0),
            };
            (operation.to_owned(), rate, burst)
        }
    }
}

/// One throttling bucket's share of a read.
struct Bucket {
    name: String,
    calls: usize,
    rate: f64,
    burst: f64,
}

impl Bucket {
    /// The least time these calls take at AWS's rates, starting with a full bucket.
    fn seconds(&self) -> f64 {
        (as_f64(self.calls) - self.burst).max(0.0) / self.rate
    }
}

/// Calls per bucket, slowest first, and the lower bound on the time at AWS's rates: the
/// slowest bucket's (calls − burst) / rate (buckets are independent and drain side by side).
fn aws_rate_bound(calls: &BTreeMap<String, usize>) -> (Vec<Bucket>, f64) {
    let mut buckets: BTreeMap<String, Bucket> = BTreeMap::new();
    for (operation, count) in calls {
        let (name, rate, burst) = bucket(operation);
        buckets
            .entry(name.clone())
            .or_insert(Bucket {
                name,
                calls: 0,
                rate,
                burst,
            })
            .calls += count;
    }
    let mut rows: Vec<Bucket> = buckets.into_values().collect();
    rows.sort_by(|left, right| right.seconds().total_cmp(&left.seconds()));
    let bound = rows.first().map_or(0.0, Bucket::seconds);
    (rows, bound)
}

// ---------------------------------------------------------------------------------------
// Terraform's refresh (terraform-provider-aws; sources in docs/benchmarks.md)

/// Calls per operation of a `terraform plan` refresh of this organization written one
/// resource per assignment, per membership, per policy attachment: each resource's Read.
fn terraform_calls(organization: &Organization) -> Vec<(&'static str, &'static str, usize, usize)> {
    let sets = &organization.permission_sets;
    let managed: usize = sets.iter().map(|set| set.managed_policies.len()).sum();
    let customer: usize = sets
        .iter()
        .map(|set| set.customer_managed_policies.len())
        .sum();
    let inline = sets
        .iter()
        .filter(|set| set.inline_policy.is_some())
        .count();
    let boundaries = sets.iter().filter(|set| set.boundary.is_some()).count();
    let accounts = organization.accounts.len();
    let ous = organization.ous.len();
    // (resource, operation, resources, calls per resource)
    vec![
        (
            "aws_ssoadmin_account_assignment",
            "sso-admin:ListAccountAssignments",
            organization.assignment_count(),
            // All pages of the (account, permission set) pair, filtered: one page here.
            1,
        ),
        (
            "aws_ssoadmin_permission_set",
            "sso-admin:DescribePermissionSet",
            sets.len(),
            1,
        ),
        (
            "aws_ssoadmin_permission_set",
            "sso-admin:ListTagsForResource",
            sets.len(),
            1,
        ),
        (
            "aws_ssoadmin_managed_policy_attachment",
            "sso-admin:ListManagedPoliciesInPermissionSet",
            managed,
            1,
        ),
        (
            "aws_ssoadmin_customer_managed_policy_attachment",
            "sso-admin:ListCustomerManagedPolicyReferencesInPermissionSet",
            customer,
            1,
        ),
        (
            "aws_ssoadmin_permission_set_inline_policy",
            "sso-admin:GetInlinePolicyForPermissionSet",
            inline,
            1,
        ),
        (
            "aws_ssoadmin_permissions_boundary_attachment",
            "sso-admin:GetPermissionsBoundaryForPermissionSet",
            boundaries,
            1,
        ),
        (
            "aws_identitystore_group_membership",
            "identitystore:DescribeGroupMembership",
            organization.membership_count(),
            1,
        ),
        (
            "aws_organizations_account",
            "organizations:DescribeAccount",
            accounts,
            1,
        ),
        (
            "aws_organizations_account",
            "organizations:ListParents",
            accounts,
            1,
        ),
        (
            "aws_organizations_account",
            "organizations:ListTagsForResource",
            accounts + ous,
            1,
        ),
        (
            "aws_organizations_organizational_unit",
            "organizations:DescribeOrganizationalUnit",
            ous,
            1,
        ),
        (
            "aws_organizations_organizational_unit",
            "organizations:ListParents",
            ous,
            1,
        ),
        (
            "aws_organizations_organizational_unit",
            "organizations:ListAccountsForParent",
            ous,
            1,
        ),
    ]
}

// ---------------------------------------------------------------------------------------
// Measuring

fn as_f64(count: usize) -> f64 {
    #[expect(
        clippy::cast_precision_loss,
        reason = "counts here are far below 2^52: exact in an f64"
    )]
    let value = count as f64;
    value
}

fn to_usize(count: u64) -> usize {
    usize::try_from(count).unwrap_or(usize::MAX)
}

/// Thousands separators: `13266` → `13,266`.
fn thousands(count: usize) -> String {
    let digits = count.to_string();
    let mut out = String::new();
    for (position, digit) in digits.chars().enumerate() {
        if position > 0 && (digits.len() - position).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// The process's peak resident set size (`VmHWM`), in MB.
fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    let kilobytes: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kilobytes / 1024.0)
}

async fn connect(endpoint: &str, rate_limits: RateLimits) -> anyhow::Result<Clients> {
    Ok(monban_aws::connect(
        &TargetSpec::embedded_sandbox(endpoint),
        &ConnectOptions {
            rate_limits,
            ..ConnectOptions::default()
        },
    )
    .await?)
}

fn calls_by_operation(stats: &ReadStats) -> BTreeMap<String, usize> {
    stats
        .calls
        .iter()
        .map(|(operation, count)| (operation.clone(), to_usize(*count)))
        .collect()
}

fn print_calls_against_minimum(stats: &ReadStats, minimum: &BTreeMap<&'static str, usize>) {
    println!("  {:<64} {:>8} {:>8}", "operation", "calls", "minimum");
    let operations: BTreeSet<&str> = stats
        .calls
        .keys()
        .map(String::as_str)
        .chain(minimum.keys().copied())
        .collect();
    for operation in operations {
        let calls = to_usize(stats.calls_of(operation));
        let least = minimum.get(operation).copied().unwrap_or(0);
        let mark = if calls == least { "" } else { "  ≠" };
        println!(
            "  {operation:<64} {:>8} {:>8}{mark}",
            thousands(calls),
            thousands(least)
        );
    }
}

/// One row of the closing summary.
struct Row {
    figure: String,
    value: String,
    against: String,
    ratio: String,
}

fn row(figure: &str, value: String, against: &str, ratio: Option<f64>) -> Row {
    Row {
        figure: figure.to_owned(),
        value,
        against: against.to_owned(),
        ratio: ratio.map_or_else(String::new, |ratio| format!("{ratio:.3}")),
    }
}

/// What every phase of the benchmark shares.
struct Bench {
    organization: Organization,
    /// The sandbox's URL.
    endpoint: String,
    /// Holds the repo (`repo/`), the snapshot and the binary's `HOME`.
    workspace: tempfile::TempDir,
    files: RepoFiles,
    context: monban_plan::PlanContext,
    summary: Vec<Row>,
}

/// The full-refresh plan's outcome, which the later phases compare with.
struct FullPlan {
    read: monban_aws::LiveRead,
    /// API calls of the full read.
    total: usize,
    /// Changes of the plan of the repo with the deliberate edits.
    changes: usize,
}

async fn run(quick: bool, scales: Scales) -> anyhow::Result<()> {
    let benchmark_started = Instant::now();
    let organization = Organization::generate();
    println!(
        "# monban plan benchmark\n\norganization: {} accounts ({} members in {} OUs + the management account), {} permission sets, {} assignments on {} (permission set, account) pairs, {} users ({} granted directly), {} groups, {} memberships",
        thousands(organization.accounts.len()),
        thousands(MEMBER_ACCOUNTS),
        OUS,
        PERMISSION_SETS,
        thousands(organization.assignment_count()),
        thousands(organization.pairs.len()),
        thousands(USERS),
        organization.direct_users().len(),
        GROUPS,
        thousands(organization.membership_count()),
    );

    let started = Instant::now();
    let server = start_sandbox(&organization, monban_emulator::Profile::Fast, 1.0).await?;
    let endpoint = server.endpoint_url();
    println!(
        "seeded a fast-profile sandbox at {endpoint} in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let workspace = tempfile::tempdir().context("no temporary directory")?;
    let files = RepoFiles {
        root: workspace.path().join("repo"),
    };
    write_repo(&files, &organization)?;
    let deliberate = make_deliberate_changes(&files, &organization)?;
    let started = Instant::now();
    let (repo, today) = load_repo(&files.root)?;
    println!(
        "wrote the access repo to {} and loaded it in {:.2} s ({} account files, {} permission sets); deliberate changes:",
        files.root.display(),
        started.elapsed().as_secs_f64(),
        repo.accounts.len(),
        repo.permission_sets.len()
    );
    for change in &deliberate {
        println!("  - {change}");
    }

    let mut bench = Bench {
        organization,
        endpoint,
        workspace,
        files,
        context: monban_plan::PlanContext::new(today, monban_plan::TargetEndpoint::EmbeddedSandbox),
        summary: Vec::new(),
    };
    let full = bench.full_plan(&repo).await?;
    let bound = bench.at_aws_rates(&full, quick, scales.client).await?;
    if !quick {
        bench
            .realistic_full_read(&full, bound, scales.realistic)
            .await?;
    }
    // AWS's real rates on both sides: the client's limiter and the realistic sandbox's.
    let realistic = start_sandbox(
        &bench.organization,
        monban_emulator::Profile::Realistic,
        1.0,
    )
    .await?;
    bench
        .targeted_plan(&full, &realistic.endpoint_url())
        .await?;
    bench.plan_binary(&full, &realistic.endpoint_url()).await?;
    realistic.shutdown().await?;
    bench.terraform(&full, bound);

    println!("\n## Summary\n");
    println!("| figure | value | against | ratio |\n| --- | --- | --- | --- |");
    for row in &bench.summary {
        println!(
            "| {} | {} | {} | {} |",
            row.figure, row.value, row.against, row.ratio
        );
    }
    println!(
        "\nbenchmark wall time: {:.0} s",
        benchmark_started.elapsed().as_secs_f64()
    );
    server.shutdown().await?;
    Ok(())
}

impl Bench {
    /// Step 2: the full read without client-side limits and the plan — calls against the
    /// minimum, times, snapshot, memory.
    async fn full_plan(&mut self, repo: &Repo) -> anyhow::Result<FullPlan> {
        println!("\n## Full-refresh plan (sandbox, no client-side rate limits)\n");
        let clients = connect(&self.endpoint, RateLimits::unlimited()).await?;
        let read = monban_aws::read_live_state(&clients).await?;
        let started = Instant::now();
        let plan = monban_plan::plan(repo, &read.state, &self.context);
        let plan_time = started.elapsed();
        let minimum = minimum_calls(&self.organization);
        let minimum_total: usize = minimum.values().sum();
        let total = to_usize(read.stats.total_calls());
        print_calls_against_minimum(&read.stats, &minimum);
        print_formula(&self.organization, &minimum);
        let ratio = as_f64(total) / as_f64(minimum_total);
        println!(
            "\ncalls: {} — minimum {} — ratio {ratio:.3}; throttled: {}",
            thousands(total),
            thousands(minimum_total),
            read.stats.total_throttles()
        );
        check_state(&read.state, &self.organization)?;
        let snapshot_dir = self.workspace.path().join("snapshot");
        let started = Instant::now();
        let snapshot_path = monban_aws::save_snapshot(&snapshot_dir, &read.state)?;
        let save_time = started.elapsed();
        let snapshot_bytes = std::fs::metadata(&snapshot_path)?.len();
        let started = Instant::now();
        let loaded =
            monban_aws::load_snapshot(&snapshot_dir)?.context("the snapshot reads back")?;
        let load_time = started.elapsed();
        anyhow::ensure!(loaded == read.state, "the snapshot reads back unchanged");
        let snapshot_mb = as_f64(to_usize(snapshot_bytes)) / 1_000_000.0;
        let peak = peak_rss_mb();
        let counts = plan.summary();
        println!(
            "read: {:.2} s wall; plan (diff): {:.3} s; snapshot {snapshot_mb:.1} MB (save {:.2} s, load {:.2} s); peak RSS {} (bench process, in-process sandbox included)",
            read.stats.elapsed.as_secs_f64(),
            plan_time.as_secs_f64(),
            save_time.as_secs_f64(),
            load_time.as_secs_f64(),
            peak.map_or_else(|| "unknown".to_owned(), |mb| format!("{mb:.0} MB")),
        );
        println!(
            "plan: {} to add, {} to change, {} to remove; {} people gaining, {} losing; applyable: {}",
            counts.add,
            counts.change,
            counts.remove,
            counts.people_gaining,
            counts.people_losing,
            plan.applyable
        );
        for change in &plan.changes {
            println!("  {} {}", change.action, change.address);
        }
        self.summary.push(row(
            "full read: API calls",
            thousands(total),
            &format!(
                "minimum {} (live-read.md formula)",
                thousands(minimum_total)
            ),
            Some(ratio),
        ));
        self.summary.push(row(
            "full read: wall time, sandbox without client limits",
            format!("{:.2} s", read.stats.elapsed.as_secs_f64()),
            "",
            None,
        ));
        self.summary.push(row(
            "plan (diff) of 1,001 accounts / 20,000 assignments",
            format!("{:.3} s", plan_time.as_secs_f64()),
            "",
            None,
        ));
        self.summary.push(row(
            "plan changes (deliberate: 5 edits)",
            format!(
                "{} ({} add, {} change, {} remove)",
                plan.changes.len(),
                counts.add,
                counts.change,
                counts.remove
            ),
            "",
            None,
        ));
        self.summary.push(row(
            "snapshot size",
            format!("{snapshot_mb:.1} MB"),
            "",
            None,
        ));
        if let Some(peak) = peak {
            self.summary.push(row(
                "peak RSS after read + plan (with the in-process sandbox)",
                format!("{peak:.0} MB"),
                "",
                None,
            ));
        }
        Ok(FullPlan {
            read,
            total,
            changes: plan.changes.len(),
        })
    }

    /// The full read at AWS's rates: the lower bound from the calls per bucket, and (unless
    /// `quick`) a measured read at `scale` × the rates, scaled back. Returns the bound.
    async fn at_aws_rates(
        &mut self,
        full: &FullPlan,
        quick: bool,
        scale: f64,
    ) -> anyhow::Result<f64> {
        println!("\n## Full read at AWS's rates\n");
        let calls = calls_by_operation(&full.read.stats);
        let (buckets, bound) = aws_rate_bound(&calls);
        println!(
            "  {:<48} {:>8} {:>7} {:>6} {:>16}",
            "bucket", "calls", "rate/s", "burst", "(calls−burst)/rate"
        );
        for bucket in buckets.iter().take(6) {
            println!(
                "  {:<48} {:>8} {:>7.0} {:>6.0} {:>15.1}s",
                bucket.name,
                thousands(bucket.calls),
                bucket.rate,
                bucket.burst,
                bucket.seconds()
            );
        }
        println!("lower bound at AWS's rates: {bound:.0} s (the slowest bucket)");
        self.summary.push(row(
            "full read at AWS's rates: lower bound",
            format!("{bound:.0} s ({:.1} min)", bound / 60.0),
            "SSO Admin's 20 req/s for the whole API",
            None,
        ));
        if quick {
            println!("(--quick: the rate-scaled read is skipped)");
            return Ok(bound);
        }
        let clients = connect(&self.endpoint, RateLimits::scaled(scale)).await?;
        let scaled = monban_aws::read_live_state(&clients).await?;
        let measured = scaled.stats.elapsed.as_secs_f64();
        // The scaled limiter multiplies bursts too: F× the rate and F× the burst. Back at
        // AWS's rates the slowest bucket's burst saves F times less, so add back the
        // (F − 1)·burst calls it let through early, at its real rate.
        let burst_correction = buckets
            .first()
            .map_or(0.0, |bucket| (scale - 1.0) * bucket.burst / bucket.rate);
        let estimate = measured * scale + burst_correction;
        println!(
            "measured with RateLimits::scaled({scale}): {measured:.1} s, {} calls, {} throttled → at AWS's rates ≈ {measured:.1} s × {scale} + (F − 1)·burst/rate {burst_correction:.0} s = {estimate:.0} s ({:.1} min); estimate / bound = {:.3}",
            thousands(to_usize(scaled.stats.total_calls())),
            scaled.stats.total_throttles(),
            estimate / 60.0,
            estimate / bound
        );
        self.summary.push(row(
            &format!("full read at AWS's rates: measured at ×{scale} rates, scaled back"),
            format!("{estimate:.0} s ({:.1} min)", estimate / 60.0),
            &format!("lower bound {bound:.0} s"),
            Some(estimate / bound),
        ));
        Ok(bound)
    }

    /// The full read against a realistic-profile sandbox (AWS's rates enforced by the
    /// server, × `scale`), the client at `RateLimits::scaled(scale)`.
    async fn realistic_full_read(
        &mut self,
        full: &FullPlan,
        bound: f64,
        scale: f64,
    ) -> anyhow::Result<()> {
        let server = start_sandbox(
            &self.organization,
            monban_emulator::Profile::Realistic,
            scale,
        )
        .await?;
        let clients = connect(&server.endpoint_url(), RateLimits::scaled(scale)).await?;
        let started = Instant::now();
        let read = monban_aws::read_live_state(&clients).await;
        server.shutdown().await?;
        let read = match read {
            Ok(read) => read,
            // A figure too: the read gave up (an operation throttled on every attempt).
            Err(error) => {
                let after = started.elapsed().as_secs_f64();
                println!(
                    "realistic sandbox at time scale {scale}, client at RateLimits::scaled({scale}): the read FAILED after {after:.1} s: {error}"
                );
                self.summary.push(row(
                    &format!("full read against the realistic sandbox at ×{scale}"),
                    format!("failed after {after:.1} s: {error}"),
                    "",
                    None,
                ));
                return Ok(());
            }
        };
        check_state(&read.state, &self.organization)?;
        let measured = read.stats.elapsed.as_secs_f64();
        // The sandbox's buckets keep AWS's bursts at any time scale, so measured × F is
        // directly the time at AWS's rates.
        let estimate = measured * scale;
        println!(
            "realistic sandbox at time scale {scale} (AWS's rates × {scale} enforced by the server), client at RateLimits::scaled({scale}): {measured:.1} s, {} calls ({} more than the fast read), {} throttled → at AWS's rates ≈ {estimate:.0} s ({:.1} min); estimate / bound = {:.3}",
            thousands(to_usize(read.stats.total_calls())),
            to_usize(read.stats.total_calls()).saturating_sub(full.total),
            read.stats.total_throttles(),
            estimate / 60.0,
            estimate / bound
        );
        for (operation, throttles) in &read.stats.throttles {
            println!("  throttled: {operation} {throttles}");
        }
        self.summary.push(row(
            &format!("full read against the realistic sandbox at ×{scale}: calls / throttled"),
            format!(
                "{} / {}",
                thousands(to_usize(read.stats.total_calls())),
                read.stats.total_throttles()
            ),
            &format!("minimum {}", thousands(full.total)),
            Some(as_f64(to_usize(read.stats.total_calls())) / as_f64(full.total)),
        ));
        self.summary.push(row(
            &format!("full read against the realistic sandbox at ×{scale}, scaled back"),
            format!("{estimate:.0} s ({:.1} min)", estimate / 60.0),
            &format!("lower bound {bound:.0} s"),
            Some(estimate / bound),
        ));
        Ok(())
    }

    /// Step 3: one account file changed (on top of a git commit of the generated repo) —
    /// the refresh scope `monban plan` computes for it, the refresh at AWS's real rates,
    /// and the plan on the refreshed state.
    async fn targeted_plan(&mut self, full: &FullPlan, endpoint: &str) -> anyhow::Result<()> {
        println!(
            "\n## Targeted plan after a one-account change (AWS's real rates: client limiter and realistic sandbox at time scale 1)\n"
        );
        let root = &self.files.root;
        run_git(root, &["init", "-q"])?;
        self.files.write(".gitignore", ".monban/\n")?;
        run_git(root, &["add", "-A"])?;
        run_git(
            root,
            &[
                "-c",
                "user.name=bench",
                "-c",
                "user.email=bench@example.invalid",
                "commit",
                "-q",
                "-m",
                "generated",
            ],
        )?;
        let changed = &self.organization.accounts[TARGETED_ACCOUNT + 1];
        let changed_file = format!("accounts/{}.yaml", changed.name);
        let new_group = &self.organization.groups[GROUPS - 1];
        let text = self.files.read(&changed_file)?;
        let first_set = text
            .lines()
            .find(|line| line.starts_with("  ") && !line.starts_with("   ") && line.ends_with(':'))
            .context("the account file has grants")?
            .to_owned();
        self.files.write(
            &changed_file,
            &text.replacen(
                &format!("{first_set}\n"),
                &format!("{first_set}\n    - group: \"{new_group}\"\n"),
                1,
            ),
        )?;
        println!(
            "changed {changed_file}: + {} for group {new_group}",
            first_set.trim().trim_end_matches(':')
        );
        let (repo, _) = load_repo(root)?;
        let scope = scope_for_account_file(&repo, &full.read.state, &changed.name)?;
        println!(
            "refresh scope (as `monban plan` computes it for that file): accounts {:?}, permission sets {:?}, identity store {}",
            scope.account_ids, scope.permission_set_names, scope.identity_store
        );
        let clients = connect(endpoint, RateLimits::aws()).await?;
        let refreshed = monban_aws::refresh(&clients, &full.read.state, &scope).await?;
        let refresh_time = refreshed.stats.elapsed;
        for (operation, count) in &refreshed.stats.calls {
            println!("  {operation:<64} {count:>4}");
        }
        // Every bucket's burst covers these calls (SSO Admin: 20), so the limiter makes no
        // one wait: at AWS the time is the few sequential rounds of network round trips.
        println!(
            "time spent waiting on the rate limiter: {:.3} s; throttled by the sandbox: {}",
            refreshed.stats.rate_limit_wait.as_secs_f64(),
            refreshed.stats.total_throttles()
        );
        let started = Instant::now();
        let plan = monban_plan::plan(&repo, &refreshed.state, &self.context);
        let plan_time = started.elapsed();
        println!(
            "refresh: {} calls in {:.3} s at AWS's rates ({:.3} of the {} s target); plan (diff) {:.3} s: {} changes ({} before the edit)",
            refreshed.stats.total_calls(),
            refresh_time.as_secs_f64(),
            refresh_time.as_secs_f64() / TARGETED_TARGET.as_secs_f64(),
            TARGETED_TARGET.as_secs(),
            plan_time.as_secs_f64(),
            plan.changes.len(),
            full.changes
        );
        self.summary.push(row(
            "targeted refresh of one account: API calls",
            refreshed.stats.total_calls().to_string(),
            &format!("full read {}", thousands(full.total)),
            Some(as_f64(to_usize(refreshed.stats.total_calls())) / as_f64(full.total)),
        ));
        self.summary.push(row(
            "targeted refresh at AWS's real rates (realistic sandbox): wall time",
            format!("{:.3} s", refresh_time.as_secs_f64()),
            "target 3 s",
            Some(refresh_time.as_secs_f64() / TARGETED_TARGET.as_secs_f64()),
        ));
        Ok(())
    }

    /// The `monban plan --changed-since HEAD` binary end to end on the changed repo, with
    /// the full read's snapshot in its cache (what CI restores from the main branch).
    async fn plan_binary(&mut self, full: &FullPlan, endpoint: &str) -> anyhow::Result<()> {
        let endpoint_clients = monban_aws::connect(
            &TargetSpec::endpoint(
                endpoint,
                Some("us-east-1".to_owned()),
                Some(monban_aws::StaticCredentials::sandbox_default()),
            ),
            &ConnectOptions::default(),
        )
        .await?;
        let cache = self
            .files
            .root
            .join(".monban/snapshots")
            .join(endpoint_clients.target().key());
        monban_aws::save_snapshot(&cache, &full.read.state)?;
        let outcome = run_plan_binary(
            env!("CARGO_BIN_EXE_monban"),
            &self.files.root,
            self.workspace.path(),
            endpoint,
        )
        .await?;
        println!(
            "`monban plan --changed-since HEAD --stats` (release binary, AWS's rates, realistic sandbox): exit {}, {:.2} s wall{}",
            outcome.status,
            outcome.wall.as_secs_f64(),
            outcome
                .peak_rss_mb
                .map_or_else(String::new, |mb| format!(", peak RSS {mb:.0} MB"))
        );
        for line in outcome
            .stderr
            .lines()
            .filter(|line| line.contains("API calls") || line.starts_with("  "))
        {
            println!("  | {line}");
        }
        if let Some(line) = outcome
            .stdout
            .lines()
            .find(|line| line.starts_with("Plan:"))
        {
            println!("  | {line}");
        }
        self.summary.push(row(
            "`monban plan --changed-since HEAD` end to end, realistic sandbox (load repo + snapshot, refresh, diff, render)",
            format!("{:.2} s", outcome.wall.as_secs_f64()),
            "target 3 s",
            Some(outcome.wall.as_secs_f64() / TARGETED_TARGET.as_secs_f64()),
        ));
        Ok(())
    }

    /// Step 4: Terraform's refresh of the same organization, beside monban's full read.
    fn terraform(&mut self, full: &FullPlan, bound: f64) {
        println!("\n## Terraform's refresh of the same repo (one resource per assignment)\n");
        let mut by_operation: BTreeMap<String, usize> = BTreeMap::new();
        println!(
            "  {:<48} {:<62} {:>9} {:>9}",
            "resource", "operation in its Read", "resources", "calls"
        );
        for (resource, operation, resources, per_resource) in terraform_calls(&self.organization) {
            let calls = resources * per_resource;
            *by_operation.entry(operation.to_owned()).or_default() += calls;
            println!(
                "  {resource:<48} {operation:<62} {:>9} {:>9}",
                thousands(resources),
                thousands(calls)
            );
        }
        let total: usize = by_operation.values().sum();
        let (buckets, terraform_bound) = aws_rate_bound(&by_operation);
        println!(
            "Terraform: {} calls (monban's full read: {}, ×{:.2}); lower bound at AWS's rates {terraform_bound:.0} s ({:.1} min; slowest bucket {} with {} calls) against monban's {bound:.0} s",
            thousands(total),
            thousands(full.total),
            as_f64(total) / as_f64(full.total),
            terraform_bound / 60.0,
            buckets.first().map_or("", |bucket| bucket.name.as_str()),
            buckets
                .first()
                .map_or_else(String::new, |bucket| thousands(bucket.calls)),
        );
        self.summary.push(row(
            "Terraform refresh: API calls (principal look-ups not counted)",
            thousands(total),
            &format!("monban full read {}", thousands(full.total)),
            Some(as_f64(total) / as_f64(full.total)),
        ));
        self.summary.push(row(
            "Terraform refresh at AWS's rates: lower bound",
            format!("{terraform_bound:.0} s ({:.1} min)", terraform_bound / 60.0),
            &format!("monban's lower bound {bound:.0} s"),
            Some(terraform_bound / bound),
        ));
    }
}

/// Prints `docs/reference/live-read.md`'s formula with this organization's numbers.
fn print_formula(organization: &Organization, minimum: &BTreeMap<&'static str, usize>) {
    let ous = organization.ous.len();
    let accounts = organization.accounts.len();
    let sets = organization.permission_sets.len();
    let pairs = organization.pairs.len();
    let groups = organization.groups.len();
    let single_pages = 2 + 2 * (1 + ous) + accounts + 1 + 1 + 1 + 8 * sets + pairs + 2 + groups;
    let total: usize = minimum.values().sum();
    println!(
        "\nformula (docs/reference/live-read.md), single pages:\n  calls = 2 + 2·(1 + O) + Aₐ + 1 + 1 + 1 + 8·P + N + 2 + G\n        = 2 + 2·(1 + {ous}) + {accounts} + 1 + 1 + 1 + 8·{sets} + {pairs} + 2 + {groups} = {}",
        thousands(single_pages)
    );
    println!(
        "  with pages of 20 (Organizations) and 100 (SSO Admin, Identity Store): the root's {ous} child OUs take {} pages (+{}), {} permission sets {} pages (+{}), {} users {} pages (+{}), {} groups {} pages (+{}) → {}",
        pages(ous, ORGANIZATIONS_PAGE),
        pages(ous, ORGANIZATIONS_PAGE) - 1,
        sets,
        pages(sets, IDENTITY_CENTER_PAGE),
        pages(sets, IDENTITY_CENTER_PAGE) - 1,
        organization.users.len(),
        pages(organization.users.len(), IDENTITY_CENTER_PAGE),
        pages(organization.users.len(), IDENTITY_CENTER_PAGE) - 1,
        groups,
        pages(groups, IDENTITY_CENTER_PAGE),
        pages(groups, IDENTITY_CENTER_PAGE) - 1,
        thousands(total)
    );
}

/// Checks that the read state holds what was seeded (so the call counts are for this
/// organization and not an empty one).
fn check_state(state: &LiveState, organization: &Organization) -> anyhow::Result<()> {
    let found = [
        (
            "accounts",
            state.accounts.len(),
            organization.accounts.len(),
        ),
        ("OUs", state.ous.len(), organization.ous.len()),
        (
            "permission sets",
            state.permission_sets.len(),
            organization.permission_sets.len(),
        ),
        (
            "provisioned pairs",
            state.provisioned.len(),
            organization.pairs.len(),
        ),
        (
            "assignments",
            state.assignments.len(),
            organization.assignment_count(),
        ),
        ("users", state.users.len(), organization.users.len()),
        ("groups", state.groups.len(), organization.groups.len()),
        (
            "memberships",
            state.memberships.len(),
            organization.membership_count(),
        ),
    ];
    for (what, read, seeded) in found {
        anyhow::ensure!(read == seeded, "read {read} {what}, seeded {seeded}");
    }
    Ok(())
}

/// The refresh scope `monban plan` computes for a changed `accounts/NAME.yaml`
/// (crates/monban/src/refresh.rs `scope_for`, which the binary keeps private): the account's
/// id — its `id:`, else the cached account with its root e-mail — and the Identity Store only
/// when the file names a principal the snapshot lacks.
fn scope_for_account_file(
    repo: &Repo,
    cached: &LiveState,
    name: &str,
) -> anyhow::Result<RefreshScope> {
    let (_, account) = repo
        .accounts
        .iter()
        .find(|(account_name, _)| account_name.as_str() == name)
        .context("the changed account is declared")?;
    let id = if let Some(id) = &account.id {
        id.as_str().to_owned()
    } else {
        let email = account
            .root_email
            .as_ref()
            .context("a root e-mail")?
            .address
            .as_str()
            .to_lowercase();
        cached
            .accounts
            .iter()
            .find(|live| live.email.to_lowercase() == email)
            .context("the account is live")?
            .id
            .clone()
    };
    let unknown_principal = account
        .access
        .values()
        .flatten()
        .any(|grant| match &grant.principal {
            monban_model::PrincipalRef::Group(group) => !cached
                .groups
                .iter()
                .any(|live| live.display_name.eq_ignore_ascii_case(group.as_str())),
            monban_model::PrincipalRef::User(user) => !cached
                .users
                .iter()
                .any(|live| live.user_name.eq_ignore_ascii_case(user.as_str())),
        });
    Ok(RefreshScope {
        account_ids: BTreeSet::from([id]),
        identity_store: unknown_principal,
        ..RefreshScope::default()
    })
}

fn run_git(root: &Path, arguments: &[&str]) -> anyhow::Result<()> {
    let output = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(arguments)
        .output()
        .context("could not run git")?;
    if !output.status.success() {
        bail!(
            "git {} failed: {}",
            arguments.join(" "),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    Ok(())
}

struct BinaryRun {
    status: i32,
    wall: Duration,
    stdout: String,
    stderr: String,
    peak_rss_mb: Option<f64>,
}

/// Runs `monban plan --changed-since HEAD --stats` against the sandbox (its own process,
/// AWS's default rates), under `/usr/bin/time -v` when that exists for its peak RSS.
async fn run_plan_binary(
    binary: &str,
    repo: &Path,
    home: &Path,
    endpoint: &str,
) -> anyhow::Result<BinaryRun> {
    let time = Path::new("/usr/bin/time");
    let mut command = if time.exists() {
        let mut command = Command::new(time);
        command.arg("-v").arg(binary);
        command
    } else {
        Command::new(binary)
    };
    command
        .args([
            "plan",
            "--changed-since",
            "HEAD",
            "--stats",
            "--endpoint-url",
            endpoint,
        ])
        .arg("--repo")
        .arg(repo)
        .env("HOME", home)
        .env("AWS_ACCESS_KEY_ID", "AKIAMONBANSANDBOX000")
        .env("AWS_SECRET_ACCESS_KEY", "monban-sandbox-secret")
        .env("AWS_CONFIG_FILE", home.join("no-aws-config"))
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            home.join("no-aws-credentials"),
        )
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("NO_COLOR", "1")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_SESSION_TOKEN");
    // The sandbox serves this process's requests on the runtime's workers meanwhile.
    let (output, wall) = tokio::task::spawn_blocking(move || {
        let started = Instant::now();
        let output = command.output();
        (output, started.elapsed())
    })
    .await?;
    let output = output.context("could not run the monban binary")?;
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let peak_rss_mb = stderr
        .lines()
        .find_map(|line| {
            line.trim()
                .strip_prefix("Maximum resident set size (kbytes):")
        })
        .and_then(|kilobytes| kilobytes.trim().parse::<f64>().ok())
        .map(|kilobytes| kilobytes / 1024.0);
    let status = output.status.code().unwrap_or(-1);
    if status == 1 {
        bail!("monban plan failed:\n{stderr}");
    }
    Ok(BinaryRun {
        status,
        wall,
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr,
        peak_rss_mb,
    })
}
