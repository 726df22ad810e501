//! The CI recipe (`docs/guides/ci/monban-ci.sh`) run end to end against a standalone
//! sandbox, as the GitHub Actions workflows of `docs/guides/ci/` run it: a pull request
//! adding a joiner → the plan comment (snapshot); merge → the reviewed plan applied, and
//! refused once stale; the schedule → only the grant past its `until` removed (nothing else,
//! checked in the sandbox's request log), drift planted through the sandbox → exit 2. The
//! comment's create-or-update logic, and the merge job fetching its pull request's plan artifact,
//! run against a fake GitHub API (never the real one).

use std::collections::BTreeMap;
use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};

use crate::support::{ACCESS_KEY_ID, Repo, SECRET_ACCESS_KEY, Served, monban, monban_with_keys};

const SETTINGS: &str = r#"organization:
  management_account: management
  root_email: "aws-root+{account}@example.com"
  ous: [Workloads]
identity_center:
  region: us-east-1
  identity_source: external
safety:
  exclusive: true
  max_removals: 5
"#;

const APP_PROD: &str = "ou: Workloads\nowners: [\"@example/app-sre\"]\naccess:\n  ReadOnly:\n    - group: engineers\n    - user: alice@example.com\n      until: 2026-11-30\n      reason: INC-4211\n";

fn access_repo() -> Repo {
    Repo::new(&[
        ("monban.yaml", SETTINGS),
        (".gitignore", ".monban/\n"),
        (
            "accounts/management.yaml",
            "id: \"111111111111\"\nowners: [\"@example/platform\"]\naccess:\n  AdministratorAccess:\n    - group: admins\n",
        ),
        ("accounts/app-prod.yaml", APP_PROD),
        (
            "permission-sets/AdministratorAccess.yaml",
            "managed_policies: [arn:aws:iam::aws:policy/AdministratorAccess]\n",
        ),
        (
            "permission-sets/ReadOnly.yaml",
            "managed_policies: [arn:aws:iam::aws:policy/ReadOnlyAccess]\n",
        ),
        (
            "groups.yaml",
            "groups: [admins, engineers]\nusers: [alice@example.com, carol@example.com]\n",
        ),
        (
            "directory.yaml",
            "users:\n  - { user_name: alice@example.com, display_name: Alice, given_name: Alice, family_name: A, email: alice@example.com }\n  - { user_name: bob@example.com, display_name: Bob, given_name: Bob, family_name: B, email: bob@example.com }\n  - { user_name: carol@example.com, display_name: Carol, given_name: Carol, family_name: C, email: carol@example.com }\ngroups:\n  - { display_name: admins, members: [bob@example.com] }\n  - { display_name: engineers, members: [alice@example.com, bob@example.com] }\n",
        ),
    ])
}

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/guides/ci/monban-ci.sh")
}

fn git(root: &Path, arguments: &[&str]) {
    let status = Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["-c", "user.name=CI", "-c", "user.email=ci@example.com"])
        .args(arguments)
        .output()
        .expect("git runs");
    assert!(status.status.success(), "git {arguments:?}: {status:?}");
}

/// The recipe, run as a CI job would: the sandbox's keys in the environment (a CI gets
/// them from OIDC federation), the target flags in `MONBAN_CI_TARGET_ARGS`.
fn recipe(repo: &Repo, served: &Served, arguments: &[&str], today: &str) -> Output {
    let mut command = Command::new("bash");
    command
        .arg(script())
        .args(arguments)
        .env("MONBAN", env!("CARGO_BIN_EXE_monban"))
        .env("MONBAN_REPO", &repo.root)
        .env("MONBAN_TODAY", today)
        .env("MONBAN_CI_OUT", repo.home().join("out"))
        .env("MONBAN_CI_BASE", "main")
        .env(
            "MONBAN_CI_TARGET_ARGS",
            format!("--endpoint-url {}", served.url),
        )
        .env("MONBAN_CI_COMMENT_FILE", repo.home().join("comment.md"))
        .env("NO_COLOR", "1")
        .env("HOME", repo.home())
        .env("AWS_CONFIG_FILE", repo.home().join("no-aws-config"))
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            repo.home().join("no-aws-credentials"),
        )
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_ACCESS_KEY_ID", ACCESS_KEY_ID)
        .env("AWS_SECRET_ACCESS_KEY", SECRET_ACCESS_KEY)
        .env_remove("GITHUB_ACTIONS")
        .env_remove("GITHUB_RUN_ID")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_SESSION_TOKEN");
    command.output().expect("bash runs")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Successful requests per operation in the sandbox's log from position `from` on.
fn operations_since(served: &Served, from: usize) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for request in served.requests().iter().skip(from) {
        if request["outcome"] == "ok" {
            let operation = request["operation"].as_str().unwrap_or_default().to_owned();
            *counts.entry(operation).or_insert(0) += 1;
        }
    }
    counts
}

fn writes(counts: &BTreeMap<String, usize>) -> BTreeMap<String, usize> {
    counts
        .iter()
        .filter(|(operation, _)| {
            !["List", "Describe", "Get"]
                .iter()
                .any(|prefix| operation.starts_with(prefix))
        })
        .map(|(operation, count)| (operation.clone(), *count))
        .collect()
}

/// Ports, ids and times that differ between runs.
fn stable(text: &str) -> String {
    let replacements = [
        (r"http://127\.0\.0\.1:\d+", "http://127.0.0.1:[PORT]"),
        (r"o-[a-z0-9]{10,32}", "o-[ORG]"),
        (r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", "[TIMESTAMP]"),
        (r"\b\d{12}\b", "[ACCOUNT-ID]"),
    ];
    let mut text = text.to_owned();
    for (pattern, replacement) in replacements {
        text = regex::Regex::new(pattern)
            .expect("a valid pattern")
            .replace_all(&text, replacement)
            .into_owned();
    }
    text
}

#[test]
fn pull_request_merge_and_schedule_run_end_to_end_against_the_sandbox() {
    let repo = access_repo();
    let served = Served::start(&[]);
    // main as it stands: the directory pushed by the IdP, the repo applied.
    monban_with_keys(repo.home())
        .args([
            "sandbox",
            "provision-idp",
            "--endpoint-url",
            &served.url,
            "--repo",
        ])
        .arg(&repo.root)
        .arg(repo.root.join("directory.yaml"))
        .assert()
        .success();
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
        .success();
    // As the merge job does after applying: a full read leaves a current snapshot, which
    // the pull request's plan refreshes only where its files point.
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
        .success();
    git(&repo.root, &["init", "--quiet", "--initial-branch", "main"]);
    git(&repo.root, &["add", "."]);
    git(&repo.root, &["commit", "--quiet", "-m", "main"]);

    // The pull request: a joiner.
    git(&repo.root, &["checkout", "--quiet", "-b", "joiner"]);
    repo.write(
        "accounts/app-prod.yaml",
        &APP_PROD.replace(
            "    - user: alice@example.com\n",
            "    - user: carol@example.com\n    - user: alice@example.com\n",
        ),
    );
    git(&repo.root, &["commit", "--quiet", "-am", "carol joins"]);
    let pr = recipe(&repo, &served, &["pr"], "2026-11-29");
    assert!(pr.status.success(), "{}", stderr(&pr));
    assert!(
        stderr(&pr).contains("re-read only what accounts/app-prod.yaml can affect"),
        "a targeted plan: {}",
        stderr(&pr)
    );
    let comment =
        std::fs::read_to_string(repo.home().join("comment.md")).expect("the comment was written");
    assert!(comment.starts_with("<!-- monban-plan -->\n"));
    insta::assert_snapshot!("pull_request_comment", stable(&comment));
    let plan_file = repo.home().join("out/plan.json");
    assert!(plan_file.is_file(), "the plan is saved for the merge job");

    // Merge: the reviewed plan is applied, exactly its one change.
    let before = served.requests().len();
    let merge = recipe(&repo, &served, &["merge"], "2026-11-29");
    assert!(merge.status.success(), "{}", stderr(&merge));
    assert_eq!(
        writes(&operations_since(&served, before)),
        BTreeMap::from([("CreateAccountAssignment".to_owned(), 1)])
    );
    // The same plan again is stale (what it creates now exists): refused, nothing sent.
    let before = served.requests().len();
    let again = recipe(&repo, &served, &["merge"], "2026-11-29");
    assert_eq!(again.status.code(), Some(1), "{}", stderr(&again));
    assert!(stderr(&again).contains("stale"), "{}", stderr(&again));
    assert!(
        stderr(&again).contains("re-run the pull request's plan job"),
        "{}",
        stderr(&again)
    );
    assert!(writes(&operations_since(&served, before)).is_empty());

    // The schedule, two days later: alice's grant (until 2026-11-30) has expired. An
    // unreviewed edit sits in the repo too; --only-expired must leave it alone.
    git(&repo.root, &["checkout", "--quiet", "main"]);
    git(&repo.root, &["merge", "--quiet", "joiner"]);
    let merged = std::fs::read_to_string(repo.root.join("accounts/app-prod.yaml")).expect("read");
    repo.write(
        "accounts/app-prod.yaml",
        &merged.replace(
            "    - group: engineers\n",
            "    - group: engineers\n    - group: admins\n",
        ),
    );
    let before = served.requests().len();
    let expire = recipe(&repo, &served, &["expire"], "2026-12-01");
    assert!(expire.status.success(), "{}", stderr(&expire));
    assert_eq!(
        writes(&operations_since(&served, before)),
        BTreeMap::from([("DeleteAccountAssignment".to_owned(), 1)]),
        "{}",
        stderr(&expire)
    );
    assert!(
        stderr(&expire).contains("ignored: assignment/app-prod/ReadOnly/group:admins (create)"),
        "{}",
        stderr(&expire)
    );
    // The unreviewed edit undone, the live state matches the repo: no drift.
    git(
        &repo.root,
        &["checkout", "--quiet", "--", "accounts/app-prod.yaml"],
    );
    let drift_free = monban_with_keys(repo.home())
        .env("MONBAN_TODAY", "2026-12-01")
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
        .output()
        .expect("monban runs");
    assert_eq!(
        drift_free.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&drift_free.stdout)
    );

    // Drift planted through the sandbox: an assignment nobody declared.
    served.control(
        "POST",
        "seed",
        r#"{"assignments": [{"account_name": "app-prod", "permission_set": "AdministratorAccess", "group": "engineers"}]}"#,
    );
    let drift = recipe(&repo, &served, &["drift"], "2026-12-01");
    assert_eq!(drift.status.code(), Some(2), "{}", stderr(&drift));
    assert!(stderr(&drift).contains("drift:"), "{}", stderr(&drift));
    let stdout = String::from_utf8_lossy(&drift.stdout);
    assert!(
        stdout.contains("app-prod") && stdout.contains("AdministratorAccess"),
        "{stdout}"
    );

    // The whole nightly job: nothing left to expire, the audit, the drift: exit 2, the
    // worst of the three, with each step's result in the log.
    let before = served.requests().len();
    let schedule = recipe(&repo, &served, &["schedule"], "2026-12-01");
    let log = stderr(&schedule);
    assert_eq!(schedule.status.code(), Some(2), "{log}");
    let summary = regex::Regex::new(r"schedule: expire exit 0, audit exit (0|2), drift exit 2")
        .expect("a valid pattern");
    assert!(summary.is_match(&log), "{log}");
    // The audit's IAM scan assumes a role into member accounts: a session, not a change.
    let mut written = writes(&operations_since(&served, before));
    written.remove("AssumeRole");
    assert!(
        written.is_empty(),
        "the schedule changed nothing but expired grants (there were none): {written:?}\n{log}"
    );
}

#[test]
fn only_expired_refuses_a_saved_plan() {
    let repo = access_repo();
    monban(repo.home())
        .args(["apply", "--only-expired", "plan.json", "--repo"])
        .arg(&repo.root)
        .assert()
        .code(2)
        .stderr(predicates::str::contains("cannot be used with"));
}

/// A fake of the three GitHub REST operations the recipe's `comment` step calls (list an
/// issue's comments, page by page; create one; update one), recording each request.
struct FakeGitHub {
    url: String,
    state: Arc<Mutex<FakeState>>,
}

#[derive(Default)]
struct FakeState {
    /// (id, body), oldest first.
    comments: Vec<(u64, String)>,
    /// `METHOD path` of every request.
    log: Vec<String>,
    /// Fixed answers to `GET <path?query>`: status line and body.
    fixed: BTreeMap<String, (&'static str, Vec<u8>)>,
}

impl FakeGitHub {
    fn start(comments: Vec<(u64, String)>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("binds");
        let url = format!("http://{}", listener.local_addr().expect("an address"));
        let state = Arc::new(Mutex::new(FakeState {
            comments,
            log: Vec::new(),
            fixed: BTreeMap::new(),
        }));
        let shared = Arc::clone(&state);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                serve(stream, &shared);
            }
        });
        Self { url, state }
    }
}

fn serve(stream: TcpStream, state: &Mutex<FakeState>) {
    let mut reader = BufReader::new(stream);
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    let mut length = 0;
    let mut authorized = false;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).is_err() || header.trim().is_empty() {
            break;
        }
        let lower = header.to_ascii_lowercase();
        if let Some(value) = lower.strip_prefix("content-length:") {
            length = value.trim().parse().unwrap_or(0);
        }
        if header.trim() == "Authorization: Bearer test-token" {
            authorized = true;
        }
    }
    let mut body = vec![0; length];
    let _ = reader.read_exact(&mut body);
    let mut parts = request_line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_owned();
    let target = parts.next().unwrap_or_default().to_owned();
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    let mut state = state.lock().expect("the fake's lock");
    state.log.push(format!("{method} {target}"));
    if authorized
        && method == "GET"
        && let Some((status, answer)) = state.fixed.get(&target)
    {
        let mut stream = reader.into_inner();
        let _ = write!(
            stream,
            "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            answer.len()
        );
        let _ = stream.write_all(answer);
        return;
    }
    let (status, answer) = if !authorized {
        (
            "401 Unauthorized",
            serde_json::json!({"message": "Bad credentials"}),
        )
    } else if method == "GET" && path == "/repos/example/access/issues/7/comments" {
        let page: usize = query
            .split('&')
            .find_map(|pair| pair.strip_prefix("page="))
            .and_then(|page| page.parse().ok())
            .unwrap_or(1);
        let items: Vec<_> = state
            .comments
            .iter()
            .skip((page - 1) * 100)
            .take(100)
            .map(|(id, body)| serde_json::json!({"id": id, "body": body, "user": {"login": "someone"}}))
            .collect();
        ("200 OK", serde_json::Value::Array(items))
    } else if method == "POST" && path == "/repos/example/access/issues/7/comments" {
        let body: serde_json::Value = serde_json::from_slice(&body).expect("a JSON body");
        let id = 9000 + state.comments.len() as u64;
        state
            .comments
            .push((id, body["body"].as_str().expect("a body").to_owned()));
        ("201 Created", serde_json::json!({"id": id}))
    } else if method == "PATCH"
        && let Some(id) = path.strip_prefix("/repos/example/access/issues/comments/")
    {
        let id: u64 = id.parse().expect("a comment id");
        let body: serde_json::Value = serde_json::from_slice(&body).expect("a JSON body");
        let text = body["body"].as_str().expect("a body").to_owned();
        match state
            .comments
            .iter_mut()
            .find(|(existing, _)| *existing == id)
        {
            Some(comment) => {
                comment.1 = text;
                ("200 OK", serde_json::json!({"id": id}))
            }
            None => ("404 Not Found", serde_json::json!({"message": "Not Found"})),
        }
    } else {
        ("404 Not Found", serde_json::json!({"message": "Not Found"}))
    };
    let answer = answer.to_string();
    let mut stream = reader.into_inner();
    let _ = write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{answer}",
        answer.len()
    );
}

fn post_comment(github: &FakeGitHub, file: &Path) -> Output {
    Command::new("bash")
        .arg(script())
        .args(["comment"])
        .arg(file)
        .env("GITHUB_API_URL", &github.url)
        .env("GITHUB_REPOSITORY", "example/access")
        .env("GITHUB_TOKEN", "test-token")
        .env("MONBAN_CI_PR", "7")
        .env_remove("MONBAN_CI_COMMENT_FILE")
        .env_remove("GITHUB_EVENT_PATH")
        .output()
        .expect("bash runs")
}

#[test]
fn the_plan_comment_is_created_once_then_updated_in_place() {
    // 150 comments of other people: the plan's comment ends up on the second page.
    let others = (1..=150)
        .map(|id| (id, format!("comment {id}: <!-- not monban -->")))
        .collect();
    let github = FakeGitHub::start(others);
    let directory = tempfile::tempdir().expect("a temporary directory");
    let first = directory.path().join("first.md");
    std::fs::write(
        &first,
        "<!-- monban-plan -->\n### monban plan: first \"quoted\" `x`\n",
    )
    .expect("write");
    let output = post_comment(&github, &first);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stderr(&output).contains("posted the plan comment on pull request #7"));

    let second = directory.path().join("second.md");
    std::fs::write(&second, "<!-- monban-plan -->\n### monban plan: second\n").expect("write");
    let output = post_comment(&github, &second);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stderr(&output).contains("updated the plan comment 9150"));

    let state = github.state.lock().expect("the fake's lock");
    let ours: Vec<_> = state
        .comments
        .iter()
        .filter(|(_, body)| body.starts_with("<!-- monban-plan -->"))
        .collect();
    assert_eq!(
        ours,
        [&(
            9150,
            "<!-- monban-plan -->\n### monban plan: second\n".to_owned()
        )]
    );
    assert_eq!(state.comments.len(), 151, "one comment created, none else");
    assert_eq!(
        state.log,
        [
            "GET /repos/example/access/issues/7/comments?per_page=100&page=1",
            "GET /repos/example/access/issues/7/comments?per_page=100&page=2",
            "POST /repos/example/access/issues/7/comments",
            "GET /repos/example/access/issues/7/comments?per_page=100&page=1",
            "GET /repos/example/access/issues/7/comments?per_page=100&page=2",
            "PATCH /repos/example/access/issues/comments/9150",
        ]
    );
}

#[test]
fn a_refused_token_fails_the_comment_step() {
    let github = FakeGitHub::start(Vec::new());
    let directory = tempfile::tempdir().expect("a temporary directory");
    let file = directory.path().join("plan.md");
    std::fs::write(&file, "<!-- monban-plan -->\nx\n").expect("write");
    let output = Command::new("bash")
        .arg(script())
        .args(["comment"])
        .arg(&file)
        .env("GITHUB_API_URL", &github.url)
        .env("GITHUB_REPOSITORY", "example/access")
        .env("GITHUB_TOKEN", "wrong")
        .env("MONBAN_CI_PR", "7")
        .env_remove("MONBAN_CI_COMMENT_FILE")
        .output()
        .expect("bash runs");
    assert!(!output.status.success());
    assert!(stderr(&output).contains("401"), "{}", stderr(&output));
}

#[test]
fn the_plan_flags_administrator_access_and_lists_grants_ending_soon() {
    let repo = access_repo();
    monban(repo.home())
        .args(["sandbox", "provision-idp", "--repo"])
        .arg(&repo.root)
        .arg(repo.root.join("directory.yaml"))
        .assert()
        .success();
    let output = monban(repo.home())
        .args([
            "plan",
            "--format",
            "json",
            "--expiring-within",
            "2w",
            "--repo",
        ])
        .arg(&repo.root)
        .output()
        .expect("monban runs");
    assert!(output.status.success(), "{}", stderr(&output));
    let plan: serde_json::Value = serde_json::from_slice(&output.stdout).expect("a JSON plan");
    assert_eq!(
        plan["risks"],
        serde_json::json!([{
            "kind": "administrator_access",
            "message": "group:admins gains administrator access (AdministratorAccess) on management",
            "address": {"type": "assignment", "account": "management", "permission_set": "AdministratorAccess",
                        "principal": {"kind": "group", "name": "admins", "id": null}},
        }])
    );
    assert_eq!(
        plan["expiring"],
        serde_json::json!([{
            "account": "app-prod", "permission_set": "ReadOnly",
            "principal": {"kind": "user", "name": "alice@example.com", "id": null},
            "until": "2026-11-30", "days_left": 1, "reason": "INC-4211",
            "owners": ["@example/app-sre"],
        }])
    );
    // Without the flag nothing is listed; a window that does not reach it lists nothing.
    for arguments in [&[][..], &["--expiring-within", "0d"][..]] {
        let output = monban(repo.home())
            .args(["plan", "--format", "json", "--repo"])
            .arg(&repo.root)
            .args(arguments)
            .output()
            .expect("monban runs");
        let plan: serde_json::Value = serde_json::from_slice(&output.stdout).expect("a JSON plan");
        assert!(plan.get("expiring").is_none(), "{arguments:?}");
    }
    monban(repo.home())
        .args(["plan", "--expiring-within", "soon", "--repo"])
        .arg(&repo.root)
        .assert()
        .failure()
        .stderr(predicates::str::contains("invalid --expiring-within"));
}

#[test]
fn only_expired_keeps_to_max_removals_unless_mass_removal_is_allowed() {
    let repo = access_repo();
    repo.write(
        "monban.yaml",
        &SETTINGS.replace("max_removals: 5", "max_removals: 1"),
    );
    repo.write(
        "accounts/app-prod.yaml",
        &APP_PROD.replace(
            "    - user: alice@example.com\n",
            "    - user: carol@example.com\n      until: 2026-11-30\n    - user: alice@example.com\n",
        ),
    );
    monban(repo.home())
        .args(["sandbox", "provision-idp", "--repo"])
        .arg(&repo.root)
        .arg(repo.root.join("directory.yaml"))
        .assert()
        .success();
    monban(repo.home())
        .args(["apply", "--auto-approve", "--repo"])
        .arg(&repo.root)
        .assert()
        .success();
    // Two days later both grants have ended: two removals, one allowed.
    monban(repo.home())
        .env("MONBAN_TODAY", "2026-12-01")
        .args(["apply", "--only-expired", "--auto-approve", "--repo"])
        .arg(&repo.root)
        .assert()
        .code(1)
        .stdout(predicates::str::contains(
            "2 expired grants are to be removed, more than safety.max_removals (1)",
        ));
    monban(repo.home())
        .env("MONBAN_TODAY", "2026-12-01")
        .args([
            "apply",
            "--only-expired",
            "--auto-approve",
            "--allow-mass-removal",
            "--repo",
        ])
        .arg(&repo.root)
        .assert()
        .success()
        .stderr(predicates::str::contains(
            "Apply complete: 2 change(s) applied",
        ));
    monban(repo.home())
        .env("MONBAN_TODAY", "2026-12-01")
        .args(["plan", "--detailed-exitcode", "--refresh", "full", "--repo"])
        .arg(&repo.root)
        .assert()
        .code(0);
}

fn fetch_plan(github: &FakeGitHub, out: &Path, sha: &str) -> Output {
    Command::new("bash")
        .arg(script())
        .arg("fetch-plan")
        .env("GITHUB_API_URL", &github.url)
        .env("GITHUB_REPOSITORY", "example/access")
        .env("GITHUB_TOKEN", "test-token")
        .env("GITHUB_SHA", sha)
        .env("MONBAN_CI_OUT", out)
        .output()
        .expect("bash runs")
}

#[test]
fn the_merge_job_fetches_the_plan_its_pull_request_reviewed() {
    let github = FakeGitHub::start(Vec::new());
    let directory = tempfile::tempdir().expect("a temporary directory");
    // The artifact as actions/upload-artifact stores it: a zip holding plan.json.
    let staged = directory.path().join("staged");
    std::fs::create_dir_all(&staged).expect("mkdir");
    std::fs::write(staged.join("plan.json"), "{\"reviewed\": true}\n").expect("write");
    let zipped = Command::new("zip")
        .current_dir(&staged)
        .args(["-q", "artifact.zip", "plan.json"])
        .status()
        .expect("zip runs");
    assert!(zipped.success());
    let archive = std::fs::read(staged.join("artifact.zip")).expect("read");
    {
        let mut state = github.state.lock().expect("the fake's lock");
        let json = |value: serde_json::Value| ("200 OK", value.to_string().into_bytes());
        state.fixed.insert(
            "/repos/example/access/commits/merge1/pulls".to_owned(),
            json(serde_json::json!([{"number": 7, "head": {"sha": "head7"}}])),
        );
        state.fixed.insert(
            "/repos/example/access/commits/direct1/pulls".to_owned(),
            json(serde_json::json!([])),
        );
        state.fixed.insert(
            "/repos/example/access/actions/workflows/monban-pr.yml/runs?head_sha=head7&status=success&per_page=1".to_owned(),
            json(serde_json::json!({"total_count": 1, "workflow_runs": [{"id": 99}]})),
        );
        state.fixed.insert(
            "/repos/example/access/actions/runs/99/artifacts".to_owned(),
            json(serde_json::json!({"artifacts": [
                {"name": "coverage", "archive_download_url": format!("{}/repos/example/access/actions/artifacts/54/zip", github.url)},
                {"name": "monban-plan", "archive_download_url": format!("{}/repos/example/access/actions/artifacts/55/zip", github.url)},
            ]})),
        );
        state.fixed.insert(
            "/repos/example/access/actions/artifacts/55/zip".to_owned(),
            ("200 OK", archive),
        );
    }
    let out = directory.path().join("out");
    let fetched = fetch_plan(&github, &out, "merge1");
    assert!(fetched.status.success(), "{}", stderr(&fetched));
    assert_eq!(
        std::fs::read_to_string(out.join("plan.json")).expect("the plan was fetched"),
        "{\"reviewed\": true}\n"
    );
    assert!(stderr(&fetched).contains("fetched the plan of run 99"));

    // A push that belongs to no pull request has no reviewed plan: refused.
    let refused = fetch_plan(&github, &directory.path().join("out2"), "direct1");
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        stderr(&refused).contains("belongs to no pull request"),
        "{}",
        stderr(&refused)
    );
}
