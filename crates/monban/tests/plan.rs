//! `monban plan`, `monban demo` and `monban sandbox provision-idp` on the real binary,
//! against the embedded sandbox and a standalone `monban sandbox serve`: the plan's target
//! line, the per-person diff, the exit codes, `--out`, `--stats`, the JSON view, and the
//! target rules of design §4 (a missing AWS credential is an error naming the target;
//! `--sandbox` never touches AWS configuration).

use std::io::{BufRead as _, BufReader};
use std::path::Path;
use std::process::{Child, Command as Process, Stdio};

use assert_cmd::Command;
use predicates::prelude::*;

/// The binary with a fixed "today", no colour, an empty HOME, and no AWS configuration
/// from the environment.
fn monban(home: &Path) -> Command {
    let mut command = Command::cargo_bin("monban").expect("the monban binary is built");
    command
        .env("MONBAN_TODAY", "2026-11-29")
        .env("NO_COLOR", "1")
        .env("HOME", home)
        .env("AWS_CONFIG_FILE", home.join("no-aws-config"))
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            home.join("no-aws-credentials"),
        )
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env_remove("MONBAN_REPO");
    for variable in [
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
        "AWS_ENDPOINT_URL",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
    ] {
        command.env_remove(variable);
    }
    command
}

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
        .arg("demo")
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

/// A standalone `monban sandbox serve` on a free port.
struct Served {
    child: Child,
    url: String,
}

impl Served {
    fn start() -> Self {
        let mut child = Process::new(env!("CARGO_BIN_EXE_monban"))
            .args(["sandbox", "serve", "--addr", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("monban starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout is piped"))
            .read_line(&mut line)
            .expect("a first line");
        let url = line
            .strip_prefix("READY ")
            .unwrap_or_else(|| panic!("first line is READY <url>, got {line:?}"))
            .trim()
            .to_owned();
        Self { child, url }
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn plan_against_a_standalone_sandbox_with_endpoint_url_and_environment_credentials() {
    let (home, repo) = example_repo();
    let served = Served::start();
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
