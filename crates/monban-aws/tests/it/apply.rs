//! The apply engine against the sandbox (the in-process emulator, fast profile): plans are
//! computed by `monban_plan::plan` from repos loaded by `monban-config` and a live read,
//! applied by `monban_aws::apply`, and checked by planning again (no changes left) and
//! against the sandbox's request log (which writes were sent, and how many times).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use monban_aws::{
    ApplyEvent, ApplyObserver, ApplyOptions, ApplyReport, Clients, Journal, NoObserver, PollPolicy,
    RetryPolicy,
};
use monban_model::LiveState;
use monban_plan::{Action, Address, Plan, PlanContext, TargetEndpoint};
use serde_json::{Value, json};

use crate::common;

const TODAY: (i16, i8, i8) = (2026, 11, 29);

fn today() -> jiff::civil::Date {
    jiff::civil::date(TODAY.0, TODAY.1, TODAY.2)
}

/// Options for a sandbox whose async operations take 0.3 s: poll often, retry fast.
fn fast_options() -> ApplyOptions {
    ApplyOptions {
        retry: RetryPolicy {
            base_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(200),
            max_attempts: 12,
            budget: Duration::from_secs(30),
        },
        poll: PollPolicy {
            initial: Duration::from_millis(50),
            max: Duration::from_millis(400),
            describe_up_to: 2,
            timeout: Duration::from_mins(1),
        },
        ..ApplyOptions::default()
    }
}

/// A repo written from `(path, contents)` pairs into a temporary directory.
struct Repo {
    dir: tempfile::TempDir,
}

impl Repo {
    fn new(files: &[(&str, &str)]) -> Self {
        let repo = Self {
            dir: tempfile::tempdir().expect("a temporary directory"),
        };
        repo.write(files);
        repo
    }

    fn write(&self, files: &[(&str, &str)]) {
        for (path, contents) in files {
            let path = self.dir.path().join(path);
            std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
            std::fs::write(path, contents).expect("writes");
        }
    }

    fn remove(&self, path: &str) {
        std::fs::remove_file(self.dir.path().join(path)).expect("removes");
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }
}

fn example_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/holding")
}

/// Reads the live state and plans `repo` against it.
async fn plan(clients: &Clients, repo: &Path) -> (Plan, LiveState) {
    let live = monban_aws::read_live_state(clients)
        .await
        .expect("reads the sandbox")
        .state;
    let (repo, diagnostics) = monban_config::load_repo(
        repo,
        &monban_config::LoadOptions {
            today: today(),
            directory: None,
        },
    )
    .expect("loads the repo");
    assert!(!diagnostics.has_errors(), "{diagnostics:?}");
    let plan = monban_plan::plan(
        &repo,
        &live,
        &PlanContext::new(today(), TargetEndpoint::EmbeddedSandbox),
    );
    (plan, live)
}

async fn apply(
    clients: &Clients,
    plan: &Plan,
    live: &LiveState,
    journal_dir: &Path,
) -> ApplyReport {
    let mut journal = Journal::open(journal_dir).expect("opens the journal");
    monban_aws::apply(
        clients,
        plan,
        live,
        &mut journal,
        &fast_options(),
        &NoObserver,
    )
    .await
    .expect("applies")
}

/// Plans, applies, checks success; returns the plan and the report.
async fn plan_and_apply(clients: &Clients, repo: &Path, journal: &Path) -> (Plan, ApplyReport) {
    let (plan, live) = plan(clients, repo).await;
    assert!(plan.applyable, "{:#?}", plan.warnings);
    let report = apply(clients, &plan, &live, journal).await;
    assert!(
        report.is_success(),
        "failed: {:#?}\nskipped: {:#?}",
        report.failed,
        report.skipped
    );
    assert_eq!(report.done.len(), plan.changes.len());
    (plan, report)
}

/// Plans again and asserts nothing is left to change.
async fn assert_converged(clients: &Clients, repo: &Path) {
    let (plan, _) = plan(clients, repo).await;
    let changes: Vec<String> = plan
        .changes
        .iter()
        .map(|change| format!("{} {}", change.action, change.address))
        .collect();
    assert!(changes.is_empty(), "left to change: {changes:#?}");
}

/// The sandbox's request log.
async fn request_log(endpoint: &str) -> Vec<Value> {
    let log: Value = reqwest::Client::new()
        .get(format!("{endpoint}/_sandbox/requests"))
        .send()
        .await
        .expect("the control API answers")
        .json()
        .await
        .expect("JSON");
    log["requests"].as_array().expect("a list").clone()
}

/// Successful requests per `service:Operation`.
async fn successful(endpoint: &str) -> BTreeMap<String, u64> {
    let mut counts = BTreeMap::new();
    for entry in request_log(endpoint).await {
        if entry["outcome"] == "ok" {
            let key = format!(
                "{}:{}",
                entry["service"].as_str().expect("service"),
                entry["operation"].as_str().expect("operation")
            );
            *counts.entry(key).or_insert(0) += 1;
        }
    }
    counts
}

fn count_changes(plan: &Plan, kind: fn(&Address) -> bool, action: Action) -> u64 {
    u64::try_from(
        plan.changes
            .iter()
            .filter(|change| kind(&change.address) && change.action == action)
            .count(),
    )
    .expect("small")
}

fn is_assignment(address: &Address) -> bool {
    matches!(address, Address::Assignment { .. })
}

fn is_account(address: &Address) -> bool {
    matches!(address, Address::Account { .. })
}

fn is_permission_set(address: &Address) -> bool {
    matches!(address, Address::PermissionSet { .. })
}

fn is_ou(address: &Address) -> bool {
    matches!(address, Address::Ou { .. })
}

/// The example's IdP directory pushed into the sandbox.
async fn push_example_directory(clients: &Clients) {
    let (directory, diagnostics) =
        monban_config::load_directory(&example_dir().join("directory.yaml"))
            .expect("loads the directory");
    assert!(!diagnostics.has_errors(), "{diagnostics:?}");
    monban_aws::provision_directory(clients, &directory)
        .await
        .expect("pushes the directory");
}

/// The customer managed policies the example's permission sets reference, which must
/// exist in an account before such a permission set can be provisioned there (the sandbox
/// checks, as AWS does).
fn example_iam_policies() -> Value {
    json!([
        { "name": "tessera-developer-workloads", "path": "/tessera/" },
        { "name": "tessera-developer-guardrails", "path": "/tessera/" },
        { "name": "tessera-sandbox-boundary", "path": "/tessera/boundaries/" },
    ])
}

/// The example's member accounts as they would be before monban manages them: joined,
/// under the root, untagged, with the customer managed policies deployed (`StackSets`'
/// job, not monban's). The plan binds them by their derived root e-mail.
async fn seed_example_accounts(endpoint: &str) {
    let mut names: Vec<String> = std::fs::read_dir(example_dir().join("accounts"))
        .expect("lists the accounts")
        .map(|entry| {
            entry
                .expect("an entry")
                .path()
                .file_stem()
                .expect("a stem")
                .to_string_lossy()
                .into_owned()
        })
        .filter(|name| name != "org-management")
        .collect();
    names.sort();
    let accounts: Vec<Value> = names
        .iter()
        .map(|name| json!({ "name": name, "email": format!("aws-root+{name}@example.com") }))
        .collect();
    let iam: Vec<Value> = names
        .iter()
        .map(String::as_str)
        .chain(["111111111111"])
        .map(|account| json!({ "account": account, "policies": example_iam_policies() }))
        .collect();
    common::seed(endpoint, &json!({ "accounts": accounts, "iam": iam })).await;
}

/// Write operations of the apply (the request log names every operation).
const WRITES: &[&str] = &[
    "organizations:CreateOrganizationalUnit",
    "organizations:DeleteOrganizationalUnit",
    "organizations:CreateAccount",
    "organizations:MoveAccount",
    "organizations:TagResource",
    "organizations:UntagResource",
    "organizations:CloseAccount",
    "sso-admin:CreatePermissionSet",
    "sso-admin:UpdatePermissionSet",
    "sso-admin:DeletePermissionSet",
    "sso-admin:PutInlinePolicyToPermissionSet",
    "sso-admin:DeleteInlinePolicyFromPermissionSet",
    "sso-admin:AttachManagedPolicyToPermissionSet",
    "sso-admin:DetachManagedPolicyFromPermissionSet",
    "sso-admin:AttachCustomerManagedPolicyReferenceToPermissionSet",
    "sso-admin:DetachCustomerManagedPolicyReferenceFromPermissionSet",
    "sso-admin:PutPermissionsBoundaryToPermissionSet",
    "sso-admin:DeletePermissionsBoundaryFromPermissionSet",
    "sso-admin:TagResource",
    "sso-admin:UntagResource",
    "sso-admin:CreateAccountAssignment",
    "sso-admin:DeleteAccountAssignment",
    "sso-admin:ProvisionPermissionSet",
];

fn writes(counts: &BTreeMap<String, u64>) -> BTreeMap<String, u64> {
    counts
        .iter()
        .filter(|(key, _)| WRITES.contains(&key.as_str()))
        .map(|(key, count)| (key.clone(), *count))
        .collect()
}

/// The writes the example's first apply needs, derived from its plan.
fn example_writes(plan: &Plan) -> BTreeMap<String, u64> {
    let mut expected = BTreeMap::new();
    let mut add = |key: &str, count: u64| {
        if count > 0 {
            *expected.entry(key.to_owned()).or_insert(0) += count;
        }
    };
    add(
        "organizations:CreateOrganizationalUnit",
        count_changes(plan, is_ou, Action::Create),
    );
    let creates = count_changes(plan, is_account, Action::Create);
    add("organizations:CreateAccount", creates);
    // Every created account goes into its OU (the example puts each in one).
    add("organizations:MoveAccount", creates);
    add(
        "sso-admin:CreatePermissionSet",
        count_changes(plan, is_permission_set, Action::Create),
    );
    add(
        "sso-admin:CreateAccountAssignment",
        count_changes(plan, is_assignment, Action::Create),
    );
    for change in &plan.changes {
        if let Some(monban_plan::Resource::PermissionSet(after)) = &change.after
            && change.action == Action::Create
        {
            add(
                "sso-admin:AttachManagedPolicyToPermissionSet",
                after.managed_policies.len() as u64,
            );
            add(
                "sso-admin:AttachCustomerManagedPolicyReferenceToPermissionSet",
                after.customer_managed_policies.len() as u64,
            );
            add(
                "sso-admin:PutInlinePolicyToPermissionSet",
                u64::from(after.inline_policy.is_some()),
            );
            add(
                "sso-admin:PutPermissionsBoundaryToPermissionSet",
                u64::from(after.permissions_boundary.is_some()),
            );
        }
        if let Some(monban_plan::Resource::Account(after)) = &change.after
            && change.action == Action::Update
        {
            let fields: Vec<&str> = change
                .fields
                .iter()
                .map(|field| field.field.as_str())
                .collect();
            if fields.contains(&"tags") {
                add(
                    "organizations:TagResource",
                    u64::from(!after.tags.is_empty()),
                );
            }
            if fields.contains(&"ou") {
                add("organizations:MoveAccount", 1);
            }
        }
    }
    expected
}

#[tokio::test]
async fn the_example_applies_and_a_second_plan_has_no_changes() {
    let (server, clients) = common::sandbox().await;
    let endpoint = server.endpoint_url();
    push_example_directory(&clients).await;
    seed_example_accounts(&endpoint).await;
    let journal = tempfile::tempdir().expect("a journal dir");
    let before = successful(&endpoint).await;
    let (plan, report) = plan_and_apply(&clients, &example_dir(), journal.path()).await;
    assert!(count_changes(&plan, is_account, Action::Update) >= 10);
    assert!(count_changes(&plan, is_assignment, Action::Create) >= 30);
    let sent = writes(&common::difference(&successful(&endpoint).await, &before));
    assert_eq!(sent, example_writes(&plan), "every write exactly once");
    // The calls the report counts are the requests the sandbox served.
    for (key, count) in &sent {
        assert_eq!(report.calls.calls_of(key), *count, "{key}");
    }
    assert_eq!(report.retries.total(), 0);
    // Finished with nothing in flight: the journal is archived.
    assert!(!Journal::open(journal.path()).expect("opens").is_resuming());
    assert!(journal.path().join(monban_aws::LAST_JOURNAL_FILE).exists());
    assert_converged(&clients, &example_dir()).await;
}

const SETTINGS: &str = r#"
organization:
  root_email: "root+{account}@example.com"
  ous: [Apps, Apps/Prod, Apps/Test]
identity_center:
  region: us-east-1
safety:
  exclusive: true
  max_removals: 50
"#;

const GROUPS: &str = "groups: [devs, admins, auditors]\nusers: [alice@example.com]\n";

const POLICY: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#;

const POLICY_EDITED: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":"*"}]}"#;

/// Users and groups for the small repos.
async fn seed_people(endpoint: &str) {
    common::seed(
        endpoint,
        &json!({
            "users": [
                { "user_name": "alice@example.com", "email": "alice@example.com" },
                { "user_name": "bob@example.com", "email": "bob@example.com" },
            ],
            "groups": [
                { "display_name": "devs", "members": ["alice@example.com", "bob@example.com"] },
                { "display_name": "admins", "members": ["alice@example.com"] },
                { "display_name": "auditors", "members": ["bob@example.com"] },
            ],
        }),
    )
    .await;
}

/// Every kind of change, one plan after the other: each applies, and leaves nothing to
/// change behind.
#[tokio::test]
async fn each_kind_of_change_applies() {
    let (server, clients) = common::sandbox().await;
    let endpoint = server.endpoint_url();
    seed_people(&endpoint).await;
    // app-prod and app-test exist (bound by root e-mail, moved and tagged by the plan),
    // with the customer managed policies their permission sets reference; tools is new.
    common::seed(
        &endpoint,
        &json!({
            "accounts": [
                { "name": "app-prod", "email": "root+app-prod@example.com" },
                { "name": "app-test", "email": "root+app-test@example.com" },
            ],
            "iam": [
                { "account": "app-prod", "policies": [
                    { "name": "deny-secrets", "path": "/guard/" },
                    { "name": "boundary", "path": "/" },
                ] },
                { "account": "app-test", "policies": [
                    { "name": "deny-secrets", "path": "/guard/" },
                    { "name": "boundary", "path": "/" },
                ] },
            ],
        }),
    )
    .await;
    let journal = tempfile::tempdir().expect("a journal dir");
    let repo = Repo::new(&[
        ("monban.yaml", SETTINGS),
        ("groups.yaml", GROUPS),
        (
            "permission-sets/Reader.yaml",
            "description: Read\nsession_duration: PT4H\nmanaged_policies: [arn:aws:iam::aws:policy/ReadOnlyAccess]\ncustomer_managed_policies: [{ name: deny-secrets, path: /guard/ }]\npermissions_boundary: { managed_policy: arn:aws:iam::aws:policy/PowerUserAccess }\ntags: { risk: low }\n",
        ),
        ("permission-sets/Reader.policy.json", POLICY),
        (
            "permission-sets/Operator.yaml",
            "description: Operate\nmanaged_policies: [arn:aws:iam::aws:policy/job-function/ViewOnlyAccess]\npermissions_boundary: { customer_managed_policy: { name: boundary, path: / } }\n",
        ),
        (
            "accounts/app-prod.yaml",
            "ou: Apps/Prod\ntags: { env: prod }\naccess:\n  Reader: [{ group: devs }, { user: alice@example.com }]\n  Operator: [{ group: admins }]\n",
        ),
        (
            "accounts/app-test.yaml",
            "ou: Apps/Test\ntags: { env: test }\naccess:\n  Reader: [{ group: devs }]\n",
        ),
        (
            "permission-sets/Viewer.yaml",
            "managed_policies: [arn:aws:iam::aws:policy/job-function/ViewOnlyAccess]\n",
        ),
        (
            "accounts/tools.yaml",
            "tags: { env: core }\naccess:\n  Viewer: [{ group: admins }]\n",
        ),
    ]);

    // 1. Creates: OUs (parents first), accounts (CreateAccount, move, tags), permission
    //    sets with every policy kind, assignments.
    let (plan, _) = plan_and_apply(&clients, repo.path(), journal.path()).await;
    assert_eq!(count_changes(&plan, is_ou, Action::Create), 3);
    assert_eq!(count_changes(&plan, is_account, Action::Create), 1);
    assert_eq!(count_changes(&plan, is_account, Action::Update), 2);
    assert_eq!(count_changes(&plan, is_assignment, Action::Create), 5);
    assert_converged(&clients, repo.path()).await;
    let live = monban_aws::read_live_state(&clients)
        .await
        .expect("reads")
        .state;
    let reader = live
        .permission_sets
        .iter()
        .find(|set| set.name == "Reader")
        .expect("Reader exists");
    assert_eq!(reader.session_duration.as_deref(), Some("PT4H"));
    assert_eq!(reader.customer_managed_policies.len(), 1);
    assert!(reader.permissions_boundary.is_some());
    assert!(reader.inline_policy.is_some());
    let prod = live
        .accounts
        .iter()
        .find(|account| account.name == "app-prod")
        .expect("app-prod exists");
    assert_eq!(prod.ou_path.as_deref(), Some("Apps/Prod"));
    assert_eq!(prod.tags.get("env").map(String::as_str), Some("prod"));

    // 2. Updates: an inline-policy edit, a managed policy swapped, a boundary removed, a
    //    tag changed — the permission set is re-provisioned into every account it is in.
    //    An account moved and re-tagged. An assignment removed, another added.
    repo.write(&[
        (
            "permission-sets/Reader.yaml",
            "description: Read more\nsession_duration: PT4H\nmanaged_policies: [arn:aws:iam::aws:policy/SecurityAudit]\ncustomer_managed_policies: [{ name: deny-secrets, path: /guard/ }]\ntags: { risk: medium }\n",
        ),
        ("permission-sets/Reader.policy.json", POLICY_EDITED),
        (
            "accounts/app-test.yaml",
            "ou: Apps/Prod\ntags: { env: staging, team: web }\naccess:\n  Reader: [{ group: devs }, { group: auditors }]\n",
        ),
        (
            "accounts/app-prod.yaml",
            "ou: Apps/Prod\ntags: { env: prod }\naccess:\n  Reader: [{ group: devs }]\n  Operator: [{ group: admins }]\n",
        ),
    ]);
    let before = successful(&endpoint).await;
    let (plan, _) = plan_and_apply(&clients, repo.path(), journal.path()).await;
    let reader_change = plan
        .changes
        .iter()
        .find(|change| {
            change.address
                == Address::PermissionSet {
                    permission_set: "Reader".into(),
                }
        })
        .expect("Reader is updated");
    assert_eq!(reader_change.action, Action::Update);
    assert_eq!(
        reader_change.provision.len(),
        2,
        "provisioned in both accounts"
    );
    let sent = writes(&common::difference(&successful(&endpoint).await, &before));
    assert_eq!(
        sent.get("sso-admin:ProvisionPermissionSet"),
        Some(&2),
        "{sent:#?}"
    );
    assert_eq!(sent.get("sso-admin:CreateAccountAssignment"), Some(&1));
    assert_eq!(sent.get("sso-admin:DeleteAccountAssignment"), Some(&1));
    assert_eq!(sent.get("organizations:MoveAccount"), Some(&1));
    assert_converged(&clients, repo.path()).await;
    let live = monban_aws::read_live_state(&clients)
        .await
        .expect("reads")
        .state;
    assert!(
        live.provisioned.iter().all(|pair| pair.current),
        "every role is current after the re-provisioning"
    );

    // 3. Rename = replacement: Operator becomes Operations (same content); its
    //    assignments move to the new set, the old set is deleted.
    let operator =
        std::fs::read_to_string(repo.path().join("permission-sets/Operator.yaml")).expect("reads");
    repo.remove("permission-sets/Operator.yaml");
    repo.write(&[
        ("permission-sets/Operations.yaml", operator.as_str()),
        (
            "accounts/app-prod.yaml",
            "ou: Apps/Prod\ntags: { env: prod }\naccess:\n  Reader: [{ group: devs }]\n  Operations: [{ group: admins }]\n",
        ),
    ]);
    let (plan, _) = plan_and_apply(&clients, repo.path(), journal.path()).await;
    assert!(
        plan.changes
            .iter()
            .any(|change| change.action == Action::Replace),
        "{:#?}",
        plan.changes
    );
    assert_converged(&clients, repo.path()).await;
    let live = monban_aws::read_live_state(&clients)
        .await
        .expect("reads")
        .state;
    assert!(
        live.permission_sets
            .iter()
            .all(|set| set.name != "Operator")
    );

    // 4. Deletes: a permission set no longer declared (with its assignments), an account
    //    closed.
    repo.remove("permission-sets/Operations.yaml");
    repo.write(&[
        (
            "accounts/app-prod.yaml",
            "ou: Apps/Prod\ntags: { env: prod }\naccess:\n  Reader: [{ group: devs }]\n",
        ),
        ("accounts/tools.yaml", "close: true\n"),
    ]);
    let (plan, _) = plan_and_apply(&clients, repo.path(), journal.path()).await;
    assert_eq!(count_changes(&plan, is_permission_set, Action::Delete), 1);
    assert_eq!(count_changes(&plan, is_account, Action::Close), 1);
    common::settle(&endpoint).await;
    let live = monban_aws::read_live_state(&clients)
        .await
        .expect("reads")
        .state;
    assert!(
        live.permission_sets
            .iter()
            .all(|set| set.name != "Operations")
    );
    let tools = live
        .accounts
        .iter()
        .find(|account| account.name == "tools")
        .expect("tools is listed");
    assert_ne!(tools.status, monban_model::LiveAccountStatus::Active);
}

/// A permission set created behind the plan's back: the apply's `CreatePermissionSet`
/// gets the duplicate-name `ConflictException`, reports it at once, and never retries it.
#[tokio::test]
async fn a_duplicate_name_conflict_is_an_error_at_once() {
    let (server, clients) = common::sandbox().await;
    let endpoint = server.endpoint_url();
    seed_people(&endpoint).await;
    let repo = Repo::new(&[
        ("monban.yaml", SETTINGS),
        ("groups.yaml", GROUPS),
        ("permission-sets/Reader.yaml", "description: Read\n"),
        (
            "accounts/app-prod.yaml",
            "access:\n  Reader: [{ group: devs }]\n",
        ),
    ]);
    let (plan, live) = plan(&clients, repo.path()).await;
    let instance = live.instance.clone().expect("an instance");
    clients
        .sso_admin()
        .create_permission_set()
        .instance_arn(&instance.arn)
        .name("Reader")
        .send()
        .await
        .expect("created behind the plan's back");
    let journal = tempfile::tempdir().expect("a journal dir");
    let before = request_log(&endpoint).await.len();
    let report = apply(&clients, &plan, &live, journal.path()).await;
    let failure = report
        .failed
        .iter()
        .find(|failure| {
            failure.address
                == Address::PermissionSet {
                    permission_set: "Reader".into(),
                }
        })
        .expect("the permission set failed");
    assert!(
        failure.error.contains("ConflictException"),
        "{}",
        failure.error
    );
    assert!(
        failure.error.contains("already exists"),
        "{}",
        failure.error
    );
    assert_eq!(report.retries.total(), 0);
    // Its assignment needed it: skipped, naming why.
    assert!(
        report.skipped.iter().any(
            |skipped| matches!(skipped.address, Address::Assignment { .. })
                && skipped.because
                    == Address::PermissionSet {
                        permission_set: "Reader".into()
                    }
        ),
        "{:#?}",
        report.skipped
    );
    let creates = request_log(&endpoint).await[before..]
        .iter()
        .filter(|entry| entry["operation"] == "CreatePermissionSet")
        .count();
    assert_eq!(creates, 1, "sent once, not retried");
}

/// Stops the apply (drops its future) after `limit` asynchronous requests were sent, as a
/// kill -9 would.
struct KillAfter {
    limit: usize,
    sent: AtomicUsize,
    kill: tokio::sync::Notify,
    events: Mutex<Vec<String>>,
}

impl ApplyObserver for KillAfter {
    fn event(&self, event: &ApplyEvent) {
        if let ApplyEvent::Sent { .. } = event
            && self.sent.fetch_add(1, Ordering::SeqCst) + 1 == self.limit
        {
            self.kill.notify_one();
        }
        if let ApplyEvent::Resuming {
            in_flight,
            completed,
        } = event
        {
            self.events
                .lock()
                .expect("not poisoned")
                .push(format!("resuming {in_flight} {completed}"));
        }
    }
}

async fn apply_until_killed(
    clients: &Clients,
    plan: &Plan,
    live: &LiveState,
    journal_dir: &Path,
    limit: usize,
) {
    let observer = KillAfter {
        limit,
        sent: AtomicUsize::new(0),
        kill: tokio::sync::Notify::new(),
        events: Mutex::default(),
    };
    let mut journal = Journal::open(journal_dir).expect("opens the journal");
    let options = fast_options();
    tokio::select! {
        result = monban_aws::apply(clients, plan, live, &mut journal, &options, &observer) => {
            panic!("the apply finished before it was killed: {result:?}");
        }
        () = observer.kill.notified() => {}
    }
}

/// Killed mid-way, then run again (re-planned, as `monban apply` does): converges, and the
/// request log shows every write sent exactly once.
#[tokio::test]
async fn a_killed_apply_resumes_without_sending_anything_twice() {
    let (server, clients) = common::sandbox().await;
    let endpoint = server.endpoint_url();
    push_example_directory(&clients).await;
    seed_example_accounts(&endpoint).await;
    let journal = tempfile::tempdir().expect("a journal dir");
    let before = successful(&endpoint).await;
    let (first_plan, live) = plan(&clients, &example_dir()).await;
    // Mid-way through the assignments.
    apply_until_killed(&clients, &first_plan, &live, journal.path(), 30).await;
    let resumed = Journal::open(journal.path()).expect("opens");
    assert!(resumed.is_resuming());
    assert!(resumed.in_flight() > 0, "killed with requests in flight");
    let worked_on = resumed.journaled_addresses(&first_plan);
    assert!(worked_on.len() >= 30, "{}", worked_on.len());
    assert!(worked_on.len() < first_plan.changes.len());
    drop(resumed);
    let (second_plan, second_live) = plan(&clients, &example_dir()).await;
    assert!(second_plan.changes.len() < first_plan.changes.len());
    let report = apply(&clients, &second_plan, &second_live, journal.path()).await;
    assert!(report.is_success(), "{:#?}", report.failed);
    assert_converged(&clients, &example_dir()).await;
    let sent = writes(&common::difference(&successful(&endpoint).await, &before));
    assert_eq!(
        sent,
        example_writes(&first_plan),
        "every write exactly once"
    );
}

/// Killed twice, resumed with the same (saved) plan each time: the journal's completed
/// steps are skipped, in-flight requests looked up.
#[tokio::test]
async fn a_saved_plan_resumes_from_the_journal() {
    let (server, clients) = common::sandbox().await;
    let endpoint = server.endpoint_url();
    push_example_directory(&clients).await;
    seed_example_accounts(&endpoint).await;
    let journal = tempfile::tempdir().expect("a journal dir");
    let before = successful(&endpoint).await;
    let (plan, live) = plan(&clients, &example_dir()).await;
    apply_until_killed(&clients, &plan, &live, journal.path(), 10).await;
    apply_until_killed(&clients, &plan, &live, journal.path(), 25).await;
    let report = apply(&clients, &plan, &live, journal.path()).await;
    assert!(report.is_success(), "{:#?}", report.failed);
    assert!(report.resumed_steps > 0);
    assert_converged(&clients, &example_dir()).await;
    let sent = writes(&common::difference(&successful(&endpoint).await, &before));
    assert_eq!(sent, example_writes(&plan), "every write exactly once");
}

/// `CreateAccount` is not idempotent: killed while accounts are being created, the next
/// apply waits for the requests in flight, finds what an unrecorded request made, creates
/// each account exactly once, and moves the ones whose creation was in flight into their
/// OU.
#[tokio::test]
async fn account_creations_survive_a_kill() {
    let (server, clients) = common::sandbox().await;
    let endpoint = server.endpoint_url();
    let names = [
        "alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf",
    ];
    let mut files: Vec<(String, String)> = vec![
        ("monban.yaml".into(), SETTINGS.into()),
        ("groups.yaml".into(), GROUPS.into()),
    ];
    for name in names {
        files.push((
            format!("accounts/{name}.yaml"),
            "ou: Apps\ntags: { env: test }\n".into(),
        ));
    }
    let files: Vec<(&str, &str)> = files
        .iter()
        .map(|(path, contents)| (path.as_str(), contents.as_str()))
        .collect();
    let repo = Repo::new(&files);
    let journal = tempfile::tempdir().expect("a journal dir");
    let (first_plan, live) = plan(&clients, repo.path()).await;
    assert_eq!(count_changes(&first_plan, is_account, Action::Create), 7);
    apply_until_killed(&clients, &first_plan, &live, journal.path(), 3).await;
    // Re-planned: accounts still being created are not planned again (plan.md), their
    // requests are in the journal.
    let (second_plan, second_live) = plan(&clients, repo.path()).await;
    // Some accounts are being created: the re-plan has no change for them at all.
    let planned = count_changes(&second_plan, is_account, Action::Create)
        + count_changes(&second_plan, is_account, Action::Update);
    assert!(planned < 7, "{:#?}", second_plan.changes);
    let report = apply(&clients, &second_plan, &second_live, journal.path()).await;
    assert!(report.is_success(), "{:#?}", report.failed);
    // The creations that were in flight were finished by the resume, moves included
    // (their destination was journaled before they were sent): nothing left to change.
    assert_converged(&clients, repo.path()).await;
    let sent = successful(&endpoint).await;
    assert_eq!(
        sent.get("organizations:CreateAccount"),
        Some(&7),
        "{sent:#?}"
    );
    let live = monban_aws::read_live_state(&clients)
        .await
        .expect("reads")
        .state;
    for name in names {
        assert_eq!(
            live.accounts
                .iter()
                .filter(|account| account.name == name)
                .count(),
            1,
            "{name}"
        );
    }
}

/// The realistic profile (AWS's rates, concurrency limits and durations, 20× faster) with
/// 10 % of requests throttled, 10 % failing with a 5xx and 10 % of writes conflicting: the
/// example still applies completely (nothing lost), and the request log shows each write
/// succeeded exactly once (nothing duplicated).
#[tokio::test]
async fn under_injected_faults_nothing_is_lost_or_duplicated() {
    const TIME_SCALE: f64 = 20.0;
    let server = monban_emulator::Server::start(monban_emulator::Config {
        profile: monban_emulator::Profile::Realistic,
        time_scale: TIME_SCALE,
        seed: Some(20_261_129),
        ..monban_emulator::Config::default()
    })
    .await
    .expect("the sandbox starts");
    let endpoint = server.endpoint_url();
    let clients = monban_aws::connect(
        &monban_aws::TargetSpec::embedded_sandbox(&endpoint),
        &monban_aws::ConnectOptions {
            rate_limits: monban_aws::RateLimits::scaled(TIME_SCALE),
            ..monban_aws::ConnectOptions::default()
        },
    )
    .await
    .expect("connects");
    push_example_directory(&clients).await;
    seed_example_accounts(&endpoint).await;
    let (plan, live) = plan(&clients, &example_dir()).await;
    assert!(plan.applyable);
    let before = successful(&endpoint).await;
    let logged_before = request_log(&endpoint).await.len();
    common::control_post(
        &endpoint,
        "faults",
        &json!({ "global": { "throttle": 0.1, "server_error": 0.1, "conflict": 0.1 } }),
    )
    .await;
    let journal = tempfile::tempdir().expect("a journal dir");
    let report = apply(&clients, &plan, &live, journal.path()).await;
    reqwest::Client::new()
        .delete(format!("{endpoint}/_sandbox/faults"))
        .send()
        .await
        .expect("faults cleared");
    assert!(
        report.is_success(),
        "failed: {:#?}\nskipped: {:#?}",
        report.failed,
        report.skipped
    );
    assert!(report.retries.throttling > 0, "{:?}", report.retries);
    assert!(report.retries.server_error > 0, "{:?}", report.retries);
    assert!(report.retries.conflict + report.retries.concurrent_modification > 0);
    let log = request_log(&endpoint).await;
    let injected = log[logged_before..]
        .iter()
        .filter(|entry| entry.get("injected").is_some())
        .count();
    assert!(injected > 20, "faults were injected: {injected}");
    let sent = writes(&common::difference(&successful(&endpoint).await, &before));
    assert_eq!(
        sent,
        example_writes(&plan),
        "every write succeeded exactly once"
    );
    assert_converged(&clients, &example_dir()).await;
}

/// A permission set edited and restored behind monban's back: its content matches the
/// repo, but the roles are outdated (`LATEST_PERMISSION_SET_NOT_PROVISIONED`) in every
/// account; the plan's `provision` change re-provisions exactly those accounts.
#[tokio::test]
async fn outdated_roles_are_reprovisioned() {
    let (server, clients) = common::sandbox().await;
    let endpoint = server.endpoint_url();
    seed_people(&endpoint).await;
    let repo = Repo::new(&[
        ("monban.yaml", SETTINGS),
        ("groups.yaml", GROUPS),
        (
            "permission-sets/Reader.yaml",
            "managed_policies: [arn:aws:iam::aws:policy/ReadOnlyAccess]\n",
        ),
        (
            "accounts/one.yaml",
            "access:\n  Reader: [{ group: devs }]\n",
        ),
        (
            "accounts/two.yaml",
            "access:\n  Reader: [{ group: devs }, { group: admins }]\n",
        ),
        (
            "accounts/three.yaml",
            "access:\n  Reader: [{ group: auditors }]\n",
        ),
    ]);
    let journal = tempfile::tempdir().expect("a journal dir");
    plan_and_apply(&clients, repo.path(), journal.path()).await;
    let live = monban_aws::read_live_state(&clients)
        .await
        .expect("reads")
        .state;
    let instance = live.instance.clone().expect("an instance");
    let reader = live
        .permission_sets
        .iter()
        .find(|set| set.name == "Reader")
        .expect("Reader")
        .arn
        .clone();
    let extra = "arn:aws:iam::aws:policy/SecurityAudit";
    clients
        .sso_admin()
        .attach_managed_policy_to_permission_set()
        .instance_arn(&instance.arn)
        .permission_set_arn(&reader)
        .managed_policy_arn(extra)
        .send()
        .await
        .expect("attached by hand");
    clients
        .sso_admin()
        .detach_managed_policy_from_permission_set()
        .instance_arn(&instance.arn)
        .permission_set_arn(&reader)
        .managed_policy_arn(extra)
        .send()
        .await
        .expect("and detached again");
    let before = successful(&endpoint).await;
    let (plan, _) = plan_and_apply(&clients, repo.path(), journal.path()).await;
    assert_eq!(plan.changes.len(), 1, "{:#?}", plan.changes);
    assert_eq!(plan.changes[0].action, Action::Provision);
    assert_eq!(plan.changes[0].provision.len(), 3);
    let sent = writes(&common::difference(&successful(&endpoint).await, &before));
    assert_eq!(
        sent,
        BTreeMap::from([("sso-admin:ProvisionPermissionSet".to_owned(), 3)])
    );
    assert_converged(&clients, repo.path()).await;
}

/// Records every event.
#[derive(Default)]
struct Recorder {
    events: Mutex<Vec<ApplyEvent>>,
}

impl ApplyObserver for Recorder {
    fn event(&self, event: &ApplyEvent) {
        self.events
            .lock()
            .expect("not poisoned")
            .push(event.clone());
    }
}

/// An asynchronous request that ends `FAILED` fails its change with AWS's reason, the
/// changes that need it are skipped (naming it), independent work is done, and the
/// observer saw all of it.
#[tokio::test]
async fn a_failed_creation_fails_its_change_and_skips_its_dependents() {
    let (server, clients) = common::sandbox().await;
    let endpoint = server.endpoint_url();
    seed_people(&endpoint).await;
    let repo = Repo::new(&[
        ("monban.yaml", SETTINGS),
        ("groups.yaml", GROUPS),
        (
            "permission-sets/Reader.yaml",
            "managed_policies: [arn:aws:iam::aws:policy/ReadOnlyAccess]\n",
        ),
        // The sandbox accepts a `.invalid` root e-mail and then fails the creation
        // (INVALID_EMAIL), as AWS does for an undeliverable address.
        (
            "accounts/bad.yaml",
            "email: root@accounts.example.invalid\naccess:\n  Reader: [{ group: devs }]\n",
        ),
        (
            "accounts/good.yaml",
            "access:\n  Reader: [{ group: devs }]\n",
        ),
    ]);
    let (plan, live) = plan(&clients, repo.path()).await;
    let journal = tempfile::tempdir().expect("a journal dir");
    let recorder = Recorder::default();
    let mut opened = Journal::open(journal.path()).expect("opens");
    let report = monban_aws::apply(
        &clients,
        &plan,
        &live,
        &mut opened,
        &fast_options(),
        &recorder,
    )
    .await
    .expect("applies");
    let bad = Address::Account {
        account: "bad".into(),
    };
    assert_eq!(report.failed.len(), 1, "{:#?}", report.failed);
    assert_eq!(report.failed[0].address, bad);
    assert!(
        report.failed[0].error.contains("INVALID_EMAIL"),
        "{}",
        report.failed[0].error
    );
    assert_eq!(report.skipped.len(), 1, "{:#?}", report.skipped);
    assert_eq!(report.skipped[0].because, bad);
    assert_eq!(report.done.len(), plan.changes.len() - 2);
    let events = recorder.events.lock().expect("not poisoned");
    let last = events
        .iter()
        .rev()
        .find_map(|event| match event {
            ApplyEvent::Progress(progress) => Some(*progress),
            _ => None,
        })
        .expect("progress was reported");
    assert_eq!(last.total, plan.changes.len());
    assert_eq!(
        (last.done, last.failed, last.skipped),
        (plan.changes.len() - 2, 1, 1)
    );
    assert_eq!(last.in_flight, 0);
    assert!(events.iter().any(|event| matches!(
        event,
        ApplyEvent::ChangeFailed { address, .. } if *address == bad
    )));
    assert!(events.iter().any(|event| matches!(
        event,
        ApplyEvent::Sent {
            operation: "organizations:CreateAccount",
            ..
        }
    )));
}

/// A rename is a replacement; in each account the new permission set's assignment is in
/// place before the old one is removed (nobody is left without access in between), and
/// the old permission set goes last.
#[tokio::test]
async fn a_rename_assigns_the_new_set_before_removing_the_old() {
    let (server, clients) = common::sandbox().await;
    seed_people(&server.endpoint_url()).await;
    let operator = "description: Operate\nmanaged_policies: [arn:aws:iam::aws:policy/job-function/ViewOnlyAccess]\n";
    let repo = Repo::new(&[
        ("monban.yaml", SETTINGS),
        ("groups.yaml", GROUPS),
        ("permission-sets/Operator.yaml", operator),
        (
            "accounts/one.yaml",
            "access:\n  Operator: [{ group: admins }]\n",
        ),
        (
            "accounts/two.yaml",
            "access:\n  Operator: [{ group: admins }, { group: devs }]\n",
        ),
    ]);
    let journal = tempfile::tempdir().expect("a journal dir");
    plan_and_apply(&clients, repo.path(), journal.path()).await;
    repo.remove("permission-sets/Operator.yaml");
    repo.write(&[
        ("permission-sets/Operations.yaml", operator),
        (
            "accounts/one.yaml",
            "access:\n  Operations: [{ group: admins }]\n",
        ),
        (
            "accounts/two.yaml",
            "access:\n  Operations: [{ group: admins }, { group: devs }]\n",
        ),
    ]);
    let (plan, live) = plan(&clients, repo.path()).await;
    assert!(plan.applyable, "{:#?}", plan.warnings);
    assert!(
        plan.changes
            .iter()
            .any(|change| change.action == Action::Replace)
    );
    let recorder = Recorder::default();
    let mut opened = Journal::open(journal.path()).expect("opens");
    let report = monban_aws::apply(
        &clients,
        &plan,
        &live,
        &mut opened,
        &fast_options(),
        &recorder,
    )
    .await
    .expect("applies");
    assert!(report.is_success(), "{:#?}", report.failed);
    let events = recorder.events.lock().expect("not poisoned").clone();
    let position = |wanted: &dyn Fn(&ApplyEvent) -> bool| {
        events.iter().position(wanted).expect("the event happened")
    };
    let assignment = |account: &str, permission_set: &str, group: &str| Address::Assignment {
        account: account.into(),
        permission_set: permission_set.into(),
        principal: monban_plan::Principal::named(monban_plan::PrincipalKind::Group, group, None),
    };
    let mut old_removals = Vec::new();
    for (account, group) in [("one", "admins"), ("two", "admins"), ("two", "devs")] {
        let new = assignment(account, "Operations", group);
        let old = assignment(account, "Operator", group);
        let created = position(
            &|event| matches!(event, ApplyEvent::ChangeDone { address } if *address == new),
        );
        let removal_started = position(&|event| {
            matches!(
                event,
                ApplyEvent::Started { address, operation: "DeleteAccountAssignment" } if *address == old
            )
        });
        assert!(
            created < removal_started,
            "{account}/{group}: new before old"
        );
        old_removals.push(position(
            &|event| matches!(event, ApplyEvent::ChangeDone { address } if *address == old),
        ));
    }
    let set_deleted = position(&|event| {
        matches!(
            event,
            ApplyEvent::Started {
                operation: "DeletePermissionSet",
                ..
            }
        )
    });
    assert!(old_removals.iter().all(|removed| *removed < set_deleted));
    assert_converged(&clients, repo.path()).await;
}
