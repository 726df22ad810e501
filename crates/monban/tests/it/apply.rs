//! `monban apply` on the real binary: a small organization applied to the embedded sandbox
//! and a standalone one, then planned again with no changes; saved plans (applied, refused
//! when stale or made for another target); confirmation without a terminal; the lock; and a
//! kill -9 in the middle of an apply, after which a re-run converges without sending any
//! operation twice (checked against the sandbox's request log).

use std::process::{Command as Process, Stdio};
use std::time::{Duration, Instant};

use predicates::prelude::*;

use crate::support;
use crate::support::{Repo, Served, monban, monban_with_keys};

const SETTINGS: &str = r#"organization:
  management_account: management
  root_email: "aws-root+{account}@example.com"
  ous: [Workloads]
identity_center:
  region: us-east-1
  identity_source: external
"#;

/// Two new accounts in an OU, two permission sets (one with an inline policy), groups and
/// a direct grant: 10 changes.
fn small_org() -> Repo {
    Repo::new(&[
        ("monban.yaml", SETTINGS),
        (
            "accounts/management.yaml",
            "id: \"111111111111\"\naccess:\n  AdministratorAccess:\n    - group: admins\n",
        ),
        (
            "accounts/app-prod.yaml",
            "ou: Workloads\naccess:\n  ReadOnly:\n    - group: engineers\n    - user: alice@example.com\n",
        ),
        (
            "accounts/app-dev.yaml",
            "ou: Workloads\naccess:\n  ReadOnly:\n    - group: engineers\n  AdministratorAccess:\n    - group: admins\n",
        ),
        (
            "permission-sets/AdministratorAccess.yaml",
            "managed_policies: [arn:aws:iam::aws:policy/AdministratorAccess]\n",
        ),
        (
            "permission-sets/ReadOnly.yaml",
            "session_duration: PT8H\nmanaged_policies: [arn:aws:iam::aws:policy/ReadOnlyAccess]\n",
        ),
        (
            "permission-sets/ReadOnly.policy.json",
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"secretsmanager:GetSecretValue","Resource":"*"}]}"#,
        ),
        (
            "groups.yaml",
            "groups: [admins, engineers]\nusers: [alice@example.com]\n",
        ),
        (
            "directory.yaml",
            "users:\n  - { user_name: alice@example.com, display_name: Alice, given_name: Alice, family_name: A, email: alice@example.com }\n  - { user_name: bob@example.com, display_name: Bob, given_name: Bob, family_name: B, email: bob@example.com }\ngroups:\n  - { display_name: admins, members: [bob@example.com] }\n  - { display_name: engineers, members: [alice@example.com, bob@example.com] }\n",
        ),
    ])
}

fn push_directory(repo: &Repo, endpoint: Option<&str>) {
    let mut command = match endpoint {
        Some(_) => monban_with_keys(repo.home()),
        None => monban(repo.home()),
    };
    command
        .args(["sandbox", "provision-idp", "--repo"])
        .arg(&repo.root);
    if let Some(url) = endpoint {
        command.args(["--endpoint-url", url]);
    }
    command
        .arg(repo.root.join("directory.yaml"))
        .assert()
        .success();
}

#[test]
fn apply_to_the_embedded_sandbox_then_plan_again_shows_no_changes() {
    let repo = small_org();
    push_directory(&repo, None);
    // Without a terminal and without --auto-approve, nothing happens.
    monban(repo.home())
        .args(["apply", "--repo"])
        .arg(&repo.root)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("--auto-approve"));
    monban(repo.home())
        .args(["apply", "--auto-approve", "--repo"])
        .arg(&repo.root)
        .assert()
        .success()
        .stderr(predicate::str::contains("Apply complete"));
    monban(repo.home())
        .args(["plan", "--detailed-exitcode", "--refresh", "full", "--repo"])
        .arg(&repo.root)
        .assert()
        .code(0)
        .stdout(predicate::str::contains("No changes"));
    // A second apply finds nothing to do.
    monban(repo.home())
        .args(["apply", "--auto-approve", "--repo"])
        .arg(&repo.root)
        .assert()
        .success()
        .stderr(predicate::str::contains("Nothing to apply"));
}

#[test]
fn a_saved_plan_applies_and_a_stale_or_foreign_one_is_refused() {
    let repo = small_org();
    let served = Served::start(&[]);
    push_directory(&repo, Some(&served.url));
    let plan_file = repo.home().join("plan.json");
    monban_with_keys(repo.home())
        .args(["plan", "--endpoint-url", &served.url, "--repo"])
        .arg(&repo.root)
        .arg("--out")
        .arg(&plan_file)
        .assert()
        .success();

    // Made for the standalone sandbox: refused against the embedded one.
    monban(repo.home())
        .arg("apply")
        .arg(&plan_file)
        .args(["--sandbox", "--repo"])
        .arg(&repo.root)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("was made for"));

    // Someone creates an OU the plan creates, outside monban: the plan is stale.
    let root = served.control("GET", "health", "")["root_id"]
        .as_str()
        .expect("a root id")
        .to_owned();
    let organizations = organizations(&served.url);
    support_block_on(
        organizations
            .create_organizational_unit()
            .parent_id(root)
            .name("Workloads")
            .send(),
    )
    .expect("an OU created out of band");
    monban_with_keys(repo.home())
        .arg("apply")
        .arg(&plan_file)
        .args(["--endpoint-url", &served.url, "--repo"])
        .arg(&repo.root)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("saved plan is stale"))
        .stderr(predicate::str::contains("ou/Workloads"));

    // A fresh saved plan applies without a question.
    monban_with_keys(repo.home())
        .args([
            "plan",
            "--refresh",
            "full",
            "--endpoint-url",
            &served.url,
            "--repo",
        ])
        .arg(&repo.root)
        .arg("--out")
        .arg(&plan_file)
        .assert()
        .success();
    monban_with_keys(repo.home())
        .arg("apply")
        .arg(&plan_file)
        .args(["--endpoint-url", &served.url, "--repo"])
        .arg(&repo.root)
        .assert()
        .success()
        .stderr(predicate::str::contains("The saved plan is current"))
        .stderr(predicate::str::contains("Apply complete"));
}

#[test]
fn a_second_apply_is_refused_while_one_holds_the_lock() {
    let repo = small_org();
    let state = repo.root.join(".monban");
    std::fs::create_dir_all(&state).expect("mkdir");
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(state.join("apply.lock"))
        .expect("open the lock");
    lock.try_lock().expect("the test holds the lock");
    monban(repo.home())
        .args(["apply", "--auto-approve", "--repo"])
        .arg(&repo.root)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("another monban apply is running"));
}

/// The number of successful requests of `operation` in the sandbox's log.
fn succeeded(served: &Served, operation: &str) -> usize {
    served
        .requests()
        .iter()
        .filter(|entry| entry["operation"] == operation && entry["outcome"] == "ok")
        .count()
}

#[test]
fn an_apply_killed_mid_way_resumes_without_sending_anything_twice() {
    let repo = small_org();
    // Slow asynchronous operations, so the kill lands while requests are in flight.
    let served = Served::start(&["--async-duration", "1.5"]);
    push_directory(&repo, Some(&served.url));
    let mut child = Process::new(env!("CARGO_BIN_EXE_monban"))
        .args([
            "apply",
            "--auto-approve",
            "--endpoint-url",
            &served.url,
            "--repo",
        ])
        .arg(&repo.root)
        .env("HOME", repo.home())
        .env("AWS_CONFIG_FILE", repo.home().join("no-aws-config"))
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            repo.home().join("no-aws-credentials"),
        )
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_ACCESS_KEY_ID", support::ACCESS_KEY_ID)
        .env("AWS_SECRET_ACCESS_KEY", support::SECRET_ACCESS_KEY)
        .env("MONBAN_TODAY", "2026-11-29")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("monban apply starts");
    // Kill it as soon as the accounts are being created (CreateAccount in flight).
    let deadline = Instant::now() + Duration::from_mins(1);
    while succeeded(&served, "CreateAccount") < 2 {
        assert!(
            Instant::now() < deadline,
            "the apply never created an account"
        );
        assert!(
            child.try_wait().expect("poll the child").is_none(),
            "the apply ended before it could be killed"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    child.kill().expect("kill -9");
    child.wait().expect("reaped");

    monban_with_keys(repo.home())
        .args([
            "apply",
            "--auto-approve",
            "--endpoint-url",
            &served.url,
            "--repo",
        ])
        .arg(&repo.root)
        .assert()
        .success()
        .stderr(predicate::str::contains("Resuming an interrupted apply"))
        .stderr(predicate::str::contains("Apply complete"));
    monban_with_keys(repo.home())
        .args([
            "plan",
            "--detailed-exitcode",
            "--refresh",
            "full",
            "--endpoint-url",
            &served.url,
            "--repo",
        ])
        .arg(&repo.root)
        .assert()
        .code(0);
    // Exactly one successful write per change, across both runs.
    assert_eq!(succeeded(&served, "CreateAccount"), 2);
    assert_eq!(succeeded(&served, "CreateOrganizationalUnit"), 1);
    assert_eq!(succeeded(&served, "CreatePermissionSet"), 2);
    assert_eq!(succeeded(&served, "CreateAccountAssignment"), 5);
}

fn organizations(url: &str) -> aws_sdk_organizations::Client {
    use aws_sdk_organizations::config::{BehaviorVersion, Credentials, Region};
    aws_sdk_organizations::Client::from_conf(
        aws_sdk_organizations::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .endpoint_url(url)
            .region(Region::new("us-east-1"))
            .credentials_provider(Credentials::new(
                support::ACCESS_KEY_ID,
                support::SECRET_ACCESS_KEY,
                None,
                None,
                "apply-tests",
            ))
            .build(),
    )
}

fn support_block_on<F: Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime")
        .block_on(future)
}

#[test]
fn demo_runs_the_whole_loop_from_an_empty_home() {
    let home = tempfile::tempdir().expect("a temporary directory");
    let output = monban(home.path())
        .current_dir(home.path())
        .arg("demo")
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "Apply complete: 120 change(s) applied",
        ))
        .get_output()
        .clone();
    let stdout = String::from_utf8(output.stdout).expect("UTF-8");
    // The first plan, then "No changes" after the apply, then the pull request's Markdown.
    let first = stdout
        .find("Plan: 119 to add, 1 to change, 0 to remove.")
        .expect("the first plan");
    let again = stdout.find("No changes").expect("the plan after the apply");
    let review = stdout
        .find("<!-- monban-plan -->")
        .expect("the pull request's plan");
    assert!(first < again && again < review, "in that order");
    let review = &stdout[review..];
    assert!(
        review.contains("2 to add, 0 to change, 1 to remove"),
        "{review}"
    );
    assert!(review.contains("tomas.novak@example.com"), "the leaver");
    assert!(review.contains("sofia.rossi@example.com"), "the joiner");
    assert!(review.contains("until 2026-12-13"), "the expiring grant");
    assert_eq!(
        std::fs::read_dir(home.path()).expect("read HOME").count(),
        0,
        "nothing left behind"
    );
}

#[test]
fn an_account_outside_the_organization_is_invited_and_joins_once_accepted() {
    let repo = small_org();
    repo.write(
        "accounts/acquired.yaml",
        "id: \"444444444444\"\nou: Workloads\naccess:\n  ReadOnly:\n    - group: engineers\n",
    );
    let served = Served::start(&[]);
    served.control(
        "POST",
        "standalone-accounts",
        r#"{"name":"acquired","email":"root@acquired.example.com","id":"444444444444"}"#,
    );
    push_directory(&repo, Some(&served.url));
    let apply = |repo: &Repo| {
        monban_with_keys(repo.home())
            .args([
                "apply",
                "--auto-approve",
                "--endpoint-url",
                &served.url,
                "--repo",
            ])
            .arg(&repo.root)
            .assert()
            .success()
    };
    apply(&repo).stderr(predicate::str::contains(
        "deferred until invited accounts accept",
    ));
    // Pending: planned again, nothing is sent twice.
    monban_with_keys(repo.home())
        .args([
            "plan",
            "--refresh",
            "full",
            "--endpoint-url",
            &served.url,
            "--repo",
        ])
        .arg(&repo.root)
        .assert()
        .success()
        .stdout(predicate::str::contains("invitation"));
    let handshakes = support_block_on(
        organizations(&served.url)
            .list_handshakes_for_organization()
            .send(),
    )
    .expect("handshakes");
    let handshakes = handshakes.handshakes();
    assert_eq!(handshakes.len(), 1, "invited once");
    let id = handshakes[0].id().expect("an id").to_owned();
    served.control("POST", &format!("handshakes/{id}/accept"), "{}");
    apply(&repo).stderr(predicate::str::contains("Apply complete"));
    monban_with_keys(repo.home())
        .args([
            "plan",
            "--detailed-exitcode",
            "--refresh",
            "full",
            "--endpoint-url",
            &served.url,
            "--repo",
        ])
        .arg(&repo.root)
        .assert()
        .code(0);
}

#[test]
fn closing_an_account_needs_allow_close() {
    let repo = small_org();
    push_directory(&repo, None);
    monban(repo.home())
        .args(["apply", "--auto-approve", "--repo"])
        .arg(&repo.root)
        .assert()
        .success();
    repo.write(
        "accounts/app-dev.yaml",
        "ou: Workloads\nclose: true\naccess:\n  ReadOnly:\n    - group: engineers\n  AdministratorAccess:\n    - group: admins\n",
    );
    monban(repo.home())
        .args(["apply", "--auto-approve", "--repo"])
        .arg(&repo.root)
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "closes 1 account(s): account/app-dev",
        ))
        .stderr(predicate::str::contains("--allow-close"));
    monban(repo.home())
        .args(["apply", "--auto-approve", "--allow-close", "--repo"])
        .arg(&repo.root)
        .assert()
        .success()
        .stderr(predicate::str::contains("Apply complete"));
}
