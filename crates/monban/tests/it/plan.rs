//! `monban plan`, `monban demo` and `monban sandbox provision-idp` on the real binary,
//! against the embedded sandbox and a standalone `monban sandbox serve`: the plan's target
//! line, the per-person diff, the exit codes, `--out`, `--stats`, the JSON view, and the
//! target rules of design §4 (a missing AWS credential is an error naming the target;
//! `--sandbox` never touches AWS configuration).

use std::process::{Command as Process, Stdio};

use assert_cmd::Command;
use predicates::prelude::*;

use crate::support::{Served, monban};

/// A temporary HOME with the example repo written by `monban init --example`.
fn example_repo() -> (tempfile::TempDir, std::path::PathBuf) {
    let home = tempfile::tempdir().expect("a temporary directory");
    let repo = home.path().join("tessera");
    monban(home.path())
        .arg("init")
        .arg("--example")
        .arg(&repo)
        .assert()
        .success();
    (home, repo)
}

#[test]
fn demo_prints_the_per_person_plan_from_any_directory_with_an_empty_home() {
    let home = tempfile::tempdir().expect("a temporary directory");
    let output = monban(home.path())
        .current_dir(home.path())
        .args(["demo", "--plan-only"])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "users 60 created, 0 updated, 0 deleted; groups 15 created",
        ))
        .get_output()
        .stdout
        .clone();
    let stdout = String::from_utf8(output).expect("UTF-8");
    let first = stdout.lines().next().expect("a first line");
    assert!(
        first.starts_with("Target: the embedded sandbox"),
        "the plan names its target first: {first}"
    );
    // The per-person diff comes before the resource changes.
    let person = stdout
        .find("emma.schulz@example.com")
        .expect("a person in the diff");
    let resources = stdout
        .find("account paylark-prod")
        .expect("the resource changes");
    assert!(person < resources, "people first, then resources");
    assert!(stdout.contains("org-management / Billing"), "{stdout}");
    assert!(stdout.trim_end().ends_with("to remove."), "{stdout}");
    // Nothing was left behind in HOME but the repo-less demo's own scratch (removed).
    assert_eq!(
        std::fs::read_dir(home.path()).expect("read HOME").count(),
        0
    );
}

#[test]
fn plan_on_the_embedded_sandbox_after_an_idp_push() {
    let (home, repo) = example_repo();
    // Before the IdP push, every group is unknown: the plan is incomplete and refused.
    monban(home.path())
        .args(["plan", "--repo"])
        .arg(&repo)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("breakglass"))
        .stderr(predicate::str::contains("cannot be applied"));

    monban(home.path())
        .args(["sandbox", "provision-idp", "--repo"])
        .arg(&repo)
        .arg(repo.join("directory.yaml"))
        .assert()
        .success()
        .stderr(predicate::str::contains("users 60 created"));
    // A second push finds nothing to do.
    monban(home.path())
        .args(["sandbox", "provision-idp", "--repo"])
        .arg(&repo)
        .arg(repo.join("directory.yaml"))
        .assert()
        .success()
        .stderr(predicate::str::contains("already matches"));

    let plan_file = home.path().join("plan.json");
    monban(home.path())
        .args(["plan", "--detailed-exitcode", "--stats", "--repo"])
        .arg(&repo)
        .arg("--out")
        .arg(&plan_file)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("API calls"))
        .stderr(predicate::str::contains("organizations:ListAccounts"));
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&plan_file).expect("plan saved"))
            .expect("JSON");
    assert_eq!(saved["format_version"], 1);
    assert_eq!(saved["complete"], true);
    assert_eq!(saved["applyable"], true);
    assert_eq!(saved["target"]["endpoint"]["kind"], "embedded_sandbox");

    let json = monban(home.path())
        .args(["plan", "--format", "json", "--repo"])
        .arg(&repo)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let plan: serde_json::Value = serde_json::from_slice(&json).expect("JSON on stdout");
    let creates = plan["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .filter(|change| change["action"] == "create" && change["address"]["type"] == "assignment")
        .count();
    assert!(creates >= 74, "{creates} assignments to create");

    let markdown = monban(home.path())
        .args(["plan", "--format", "markdown", "--repo"])
        .arg(&repo)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let markdown = String::from_utf8(markdown).expect("UTF-8");
    assert!(markdown.starts_with("<!-- monban-plan"), "{markdown}");
    assert!(markdown.len() < 65_536);

    // The state and the snapshot cache live under the repo's .monban/.
    assert!(repo.join(".monban/sandbox/world.json").is_file());
    assert!(repo.join(".monban/snapshots/sandbox").is_dir());
}

#[test]
fn a_declared_aws_target_without_credentials_is_an_error_naming_it_and_sandbox_overrides_it() {
    let (home, repo) = example_repo();
    let settings = repo.join("monban.yaml");
    let text = std::fs::read_to_string(&settings).expect("read monban.yaml");
    std::fs::write(
        &settings,
        format!("target:\n  aws: {{ profile: org-admin, region: eu-central-1 }}\n{text}"),
    )
    .expect("write monban.yaml");

    monban(home.path())
        .args(["plan", "--repo"])
        .arg(&repo)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("org-admin"))
        .stderr(predicate::str::contains("embedded sandbox").not());

    // `--sandbox` ignores the declared target and every AWS setting, even a broken one.
    std::fs::write(
        home.path().join("no-aws-config"),
        "this is [not an ini file\n",
    )
    .expect("write a broken AWS config");
    monban(home.path())
        .env("AWS_PROFILE", "does-not-exist")
        .args(["plan", "--sandbox", "--repo"])
        .arg(&repo)
        .assert()
        .code(1)
        .stdout(predicate::str::starts_with("Target: the embedded sandbox"));
}

#[test]
fn plan_against_a_standalone_sandbox_with_endpoint_url_and_environment_credentials() {
    let (home, repo) = example_repo();
    let served = Served::start(&[]);
    let with_keys = |command: &mut Command| {
        command
            .env("AWS_ACCESS_KEY_ID", "AKIAMONBANSANDBOX000")
            .env("AWS_SECRET_ACCESS_KEY", "monban-sandbox-secret");
    };
    let mut push = monban(home.path());
    with_keys(&mut push);
    push.args(["sandbox", "provision-idp", "--endpoint-url", &served.url])
        .arg(repo.join("directory.yaml"))
        .assert()
        .success();
    let mut plan = monban(home.path());
    with_keys(&mut plan);
    plan.args([
        "plan",
        "--detailed-exitcode",
        "--endpoint-url",
        &served.url,
        "--repo",
    ])
    .arg(&repo)
    .assert()
    .code(2)
    .stdout(predicate::str::starts_with(format!(
        "Target: {}, region eu-central-1",
        served.url
    )));
    // Without credentials, the endpoint is not reached with someone else's keys.
    monban(home.path())
        .args(["plan", "--endpoint-url", &served.url, "--repo"])
        .arg(&repo)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("credentials"));
}

/// The number in `… (N API calls …` of the read note on stderr.
fn read_calls(stderr: &[u8]) -> u64 {
    let stderr = String::from_utf8_lossy(stderr);
    let line = stderr
        .lines()
        .find(|line| line.contains("API calls"))
        .unwrap_or_else(|| panic!("a read note in {stderr}"));
    let before = line.split(" API calls").next().expect("a count");
    before
        .rsplit('(')
        .next()
        .and_then(|count| count.trim().parse().ok())
        .unwrap_or_else(|| panic!("a count in {line}"))
}

#[test]
fn a_second_plan_refreshes_only_what_the_changed_files_can_affect() {
    let (home, repo) = example_repo();
    monban(home.path())
        .args(["sandbox", "provision-idp", "--repo"])
        .arg(&repo)
        .arg(repo.join("directory.yaml"))
        .assert()
        .success();
    let full = monban(home.path())
        .args(["plan", "--repo"])
        .arg(&repo)
        .assert()
        .success()
        .stderr(predicate::str::contains("Read the whole live state"))
        .get_output()
        .stderr
        .clone();
    let full_calls = read_calls(&full);

    // Nothing changed: the cached snapshot is used as is.
    let unchanged = monban(home.path())
        .args(["plan", "--repo"])
        .arg(&repo)
        .assert()
        .success()
        .stderr(predicate::str::contains("Used the cached live state"))
        .get_output()
        .stderr
        .clone();
    assert_eq!(read_calls(&unchanged), 0);

    // One account file changed: only that account is re-read, and the new grant is planned.
    let account = repo.join("accounts/org-management.yaml");
    let text = std::fs::read_to_string(&account).expect("read the account file");
    std::fs::write(
        &account,
        text.replace(
            "  ReadOnly:\n    - group: platform-admins\n",
            "  ReadOnly:\n    - group: platform-admins\n    - user: wei.zhang@example.com\n",
        ),
    )
    .expect("write the account file");
    let targeted = monban(home.path())
        .args(["plan", "--format", "json", "--repo"])
        .arg(&repo)
        .assert()
        .success()
        .stderr(predicate::str::contains("accounts/org-management.yaml"))
        .get_output()
        .clone();
    let targeted_calls = read_calls(&targeted.stderr);
    assert!(
        targeted_calls > 0 && targeted_calls < full_calls,
        "targeted {targeted_calls} calls vs full {full_calls}"
    );
    let plan: serde_json::Value = serde_json::from_slice(&targeted.stdout).expect("JSON");
    assert!(
        plan["changes"]
            .as_array()
            .expect("changes")
            .iter()
            .any(|change| {
                change["address"]["type"] == "assignment"
                    && change["address"]["account"] == "org-management"
                    && change["address"]["principal"]["name"] == "wei.zhang@example.com"
            }),
        "the new grant is planned"
    );

    monban(home.path())
        .args(["plan", "--refresh", "full", "--repo"])
        .arg(&repo)
        .assert()
        .success()
        .stderr(predicate::str::contains("Read the whole live state"));
}

#[test]
fn changed_since_asks_git_which_files_changed() {
    let (home, repo) = example_repo();
    let git = |arguments: &[&str]| {
        let status = Process::new("git")
            .arg("-C")
            .arg(&repo)
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
            .args(arguments)
            .env("HOME", home.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("git runs");
        assert!(status.success(), "git {arguments:?}");
    };
    git(&["init", "-q"]);
    std::fs::write(repo.join(".gitignore"), ".monban/\n").expect("write .gitignore");
    git(&["add", "."]);
    git(&["commit", "-q", "-m", "initial"]);
    monban(home.path())
        .args(["sandbox", "provision-idp", "--repo"])
        .arg(&repo)
        .arg(repo.join("directory.yaml"))
        .assert()
        .success();
    monban(home.path())
        .args(["plan", "--repo"])
        .arg(&repo)
        .assert()
        .success();
    let permission_set = repo.join("permission-sets/ReadOnly.yaml");
    let text = std::fs::read_to_string(&permission_set).expect("read");
    std::fs::write(
        &permission_set,
        text.replace(
            "Read-only access to every service",
            "Read-only access, everywhere",
        ),
    )
    .expect("write");
    monban(home.path())
        .args(["plan", "--changed-since", "HEAD", "--repo"])
        .arg(&repo)
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "re-read only what permission-sets/ReadOnly.yaml can affect",
        ));
    monban(home.path())
        .args(["plan", "--changed-since", "no-such-revision", "--repo"])
        .arg(&repo)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no-such-revision"));
}
