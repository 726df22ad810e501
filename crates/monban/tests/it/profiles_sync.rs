//! `monban profiles sync` end to end on the real binary: a standalone sandbox with a small
//! organization applied by monban; `monban login --use-device-code` approved through the
//! sandbox's sign-in form over HTTP (as a person in a browser, or a script, does); then
//! `profiles sync` into a HOME whose `~/.aws/config` already holds unrelated settings. The
//! block is exactly the profiles the person holds, nothing outside it changes, a second sync
//! changes nothing, and once an assignment is removed (and applied) the next sync prunes
//! that profile — `--dry-run` showing it first without writing.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command as Process, Stdio};

use predicates::prelude::*;

use crate::support::{Repo, Served, monban, monban_with_keys};

const SETTINGS: &str = r#"organization:
  management_account: management
  root_email: "aws-root+{account}@example.com"
  ous: [Workloads]
identity_center:
  region: us-east-1
  identity_source: external
"#;

const APP_DEV: &str = "ou: Workloads\naccess:\n  ReadOnly:\n    - group: engineers\n  AdministratorAccess:\n    - group: admins\n    - user: alice@example.com\n";

/// The developer's own settings, which the sync must keep byte for byte.
const USER_CONFIG: &str = "\
# my own settings
[default]
region = eu-west-1
output = json

[profile unrelated]
role_arn = arn:aws:iam::123456789012:role/SomethingElse
source_profile = default   ; a comment too

[sso-session sandbox]
sso_start_url = https://monban-sandbox.awsapps.com/start
sso_region = us-east-1
sso_registration_scopes = sso:account:access
";

/// Three accounts; alice holds `ReadOnly` on app-prod and app-dev through `engineers`, and
/// `AdministratorAccess` on app-dev directly; bob is the only admin on the management account.
fn organization() -> Repo {
    Repo::new(&[
        ("monban.yaml", SETTINGS),
        (
            "accounts/management.yaml",
            "id: \"111111111111\"\naccess:\n  AdministratorAccess:\n    - group: admins\n",
        ),
        (
            "accounts/app-prod.yaml",
            "ou: Workloads\naccess:\n  ReadOnly:\n    - group: engineers\n",
        ),
        ("accounts/app-dev.yaml", APP_DEV),
        (
            "permission-sets/AdministratorAccess.yaml",
            "managed_policies: [arn:aws:iam::aws:policy/AdministratorAccess]\n",
        ),
        (
            "permission-sets/ReadOnly.yaml",
            "session_duration: PT8H\nmanaged_policies: [arn:aws:iam::aws:policy/ReadOnlyAccess]\n",
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

fn apply(repo: &Repo, url: &str) {
    monban_with_keys(repo.home())
        .args(["apply", "--auto-approve", "--endpoint-url", url, "--repo"])
        .arg(&repo.root)
        .assert()
        .success();
}

fn config_path(home: &Path) -> PathBuf {
    home.join(".aws").join("config")
}

/// [`monban`] as a developer runs it: the HOME's own `~/.aws/config`, monban's cache under
/// the HOME, and the sandbox through the standard endpoint variable.
fn developer(home: &Path, url: &str) -> assert_cmd::Command {
    let mut command = monban(home);
    command
        .env("AWS_CONFIG_FILE", config_path(home))
        .env("XDG_CACHE_HOME", home.join(".cache"))
        .env("AWS_ENDPOINT_URL", url);
    command
}

/// One HTTP/1.1 request on a fresh connection: (status, body).
fn http(method: &str, url: &str, form: Option<&str>) -> (u16, String) {
    let rest = url.strip_prefix("http://").expect("an http URL");
    let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let path = if path.is_empty() { "/" } else { path };
    let mut stream = TcpStream::connect(authority).expect("connects");
    let body = form.unwrap_or("");
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {authority}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .expect("writes");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("reads");
    let status = response
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .expect("a status line");
    let body = response
        .split_once("\r\n\r\n")
        .map_or(String::new(), |(_, body)| body.to_owned());
    (status, body)
}

/// The value of attribute `name` in one HTML tag.
fn attribute(tag: &str, name: &str) -> Option<String> {
    let start = tag.find(&format!("{name}=\""))? + name.len() + 2;
    let end = tag[start..].find('"')? + start;
    Some(tag[start..end].replace("&amp;", "&"))
}

/// Approves a device sign-in as `user_name` the way a browser does: the page at
/// `verification_uri_complete` holds one form; every field keeps the value the page gave it
/// (the user code) except `user_name` and `password`, and it is posted to its action.
fn approve(verification_uri_complete: &str, user_name: &str) {
    let (status, page) = http("GET", verification_uri_complete, None);
    assert_eq!(status, 200, "the sign-in page: {page}");
    let form_start = page.find("<form").expect("a form on the sign-in page");
    let form_end = page[form_start..]
        .find("</form>")
        .map_or(page.len(), |end| end + form_start);
    let form = &page[form_start..form_end];
    let action =
        attribute(&form[..form.find('>').expect("a form tag")], "action").unwrap_or_default();
    let mut fields: Vec<(String, String)> = Vec::new();
    for tag in form.split('<').filter(|tag| tag.starts_with("input")) {
        let Some(name) = attribute(tag, "name") else {
            continue;
        };
        let value = match name.as_str() {
            "user_name" => user_name.to_owned(),
            "password" => "monban-sandbox".to_owned(),
            _ => attribute(tag, "value").unwrap_or_default(),
        };
        fields.push((name, value));
    }
    for required in ["user_name", "password"] {
        assert!(
            fields.iter().any(|(name, _)| name == required),
            "the form has a `{required}` field: {form}"
        );
    }
    let body: String = fields
        .iter()
        .map(|(name, value)| format!("{}={}", encode(name), encode(value)))
        .collect::<Vec<_>>()
        .join("&");
    let origin_end = verification_uri_complete["http://".len()..]
        .find('/')
        .map_or(verification_uri_complete.len(), |end| end + "http://".len());
    let target = if action.starts_with("http://") {
        action
    } else if action.starts_with('/') {
        format!("{}{action}", &verification_uri_complete[..origin_end])
    } else {
        // An empty or relative action posts back to the page's own path.
        verification_uri_complete
            .split('?')
            .next()
            .expect("a URL")
            .to_owned()
    };
    let (status, answer) = http("POST", &target, Some(&body));
    assert_eq!(status, 200, "approving the device: {answer}");
}

/// `application/x-www-form-urlencoded` escaping.
fn encode(text: &str) -> String {
    text.bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'*' => {
                char::from(byte).to_string()
            }
            b' ' => "+".to_owned(),
            other => format!("%{other:02X}"),
        })
        .collect()
}

/// `monban login --use-device-code`, approved through the sign-in form as `user_name`.
fn login(home: &Path, url: &str, user_name: &str) {
    let mut child = Process::new(env!("CARGO_BIN_EXE_monban"))
        .args(["login", "--sso-session", "sandbox", "--use-device-code"])
        .env("HOME", home)
        .env("AWS_CONFIG_FILE", config_path(home))
        .env("XDG_CACHE_HOME", home.join(".cache"))
        .env("AWS_ENDPOINT_URL", url)
        .env("NO_COLOR", "1")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("monban login starts");
    // The verification URL may be printed on either stream; read stderr line by line
    // (stdout is drained by a thread so that neither pipe fills up).
    let mut stdout = child.stdout.take().expect("piped");
    let stdout_reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stdout.read_to_string(&mut text);
        text
    });
    let mut stderr = BufReader::new(child.stderr.take().expect("piped"));
    let mut seen = String::new();
    let mut line = String::new();
    let verification = loop {
        line.clear();
        let read = stderr.read_line(&mut line).expect("reads stderr");
        assert!(
            read > 0,
            "monban login ended without a verification URL: {seen}"
        );
        seen.push_str(&line);
        if let Some(start) = line.find("http://")
            && line[start..].contains("user_code=")
        {
            let url: String = line[start..]
                .chars()
                .take_while(|character| !character.is_whitespace())
                .collect();
            break url;
        }
    };
    approve(&verification, user_name);
    let mut rest = String::new();
    let _ = stderr.read_to_string(&mut rest);
    let status = child.wait().expect("monban login ends");
    let stdout = stdout_reader.join().expect("the reader thread");
    assert!(
        status.success(),
        "monban login failed: {seen}{rest}\nstdout: {stdout}"
    );
}

/// The sync's stdout lines: `name<TAB>account id<TAB>permission set`.
fn synced(stdout: &[u8]) -> Vec<(String, String, String)> {
    String::from_utf8_lossy(stdout)
        .lines()
        .map(|line| {
            let mut fields = line.split('\t').map(str::to_owned);
            (
                fields.next().unwrap_or_default(),
                fields.next().unwrap_or_default(),
                fields.next().unwrap_or_default(),
            )
        })
        .collect()
}

#[test]
fn profiles_sync_writes_what_the_person_holds_keeps_the_rest_and_prunes_a_removed_grant() {
    let repo = organization();
    let served = Served::start(&[]);
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
    apply(&repo, &served.url);

    let home = repo.home();
    std::fs::create_dir_all(home.join(".aws")).expect("mkdir ~/.aws");
    std::fs::write(config_path(home), USER_CONFIG).expect("write the config");
    login(home, &served.url, "alice@example.com");

    let first = developer(home, &served.url)
        .args(["profiles", "sync", "--repo"])
        .arg(&repo.root)
        .assert()
        .success()
        .stderr(predicate::str::contains("3 added, 0 removed"));
    let profiles = synced(&first.get_output().stdout);
    let names: Vec<&str> = profiles.iter().map(|(name, _, _)| name.as_str()).collect();
    assert_eq!(
        names,
        [
            "app-dev.AdministratorAccess",
            "app-dev.ReadOnly",
            "app-prod.ReadOnly"
        ]
    );
    let account_of = |name: &str| {
        profiles
            .iter()
            .find(|(profile, _, _)| profile == name)
            .map(|(_, id, _)| id.clone())
            .expect("a synced profile")
    };
    let (app_dev, app_prod) = (
        account_of("app-dev.ReadOnly"),
        account_of("app-prod.ReadOnly"),
    );

    let written = std::fs::read_to_string(config_path(home)).expect("read the config");
    assert!(
        written.starts_with(USER_CONFIG),
        "everything before the block is kept byte for byte"
    );
    let port = served.url.rsplit(':').next().expect("a port");
    let shown = written
        .replace(&app_dev, "<app-dev id>")
        .replace(&app_prod, "<app-prod id>")
        .replace(port, "<port>");
    insta::assert_snapshot!("first_sync", shown);

    // A second sync finds nothing to do and leaves the file as it was.
    developer(home, &served.url)
        .args(["profiles", "sync", "--repo"])
        .arg(&repo.root)
        .assert()
        .success()
        .stderr(predicate::str::contains("nothing changed"));
    assert_eq!(
        std::fs::read_to_string(config_path(home)).expect("read"),
        written
    );

    // The direct grant is removed from the repo and applied: the next sync prunes it.
    repo.write(
        "accounts/app-dev.yaml",
        &APP_DEV.replace("    - user: alice@example.com\n", ""),
    );
    apply(&repo, &served.url);
    let dry_run = developer(home, &served.url)
        .args(["profiles", "sync", "--dry-run", "--repo"])
        .arg(&repo.root)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "-[profile app-dev.AdministratorAccess]",
        ))
        .stderr(predicate::str::contains("nothing written"));
    assert!(
        String::from_utf8_lossy(&dry_run.get_output().stdout).starts_with("--- "),
        "the dry run prints a unified diff"
    );
    assert_eq!(
        std::fs::read_to_string(config_path(home)).expect("read"),
        written,
        "a dry run writes nothing"
    );
    developer(home, &served.url)
        .args(["profiles", "sync", "--repo"])
        .arg(&repo.root)
        .assert()
        .success()
        .stderr(predicate::str::contains("0 added, 1 removed, 2 kept"))
        .stderr(predicate::str::contains(
            "removed [profile app-dev.AdministratorAccess]",
        ));
    let pruned = std::fs::read_to_string(config_path(home)).expect("read");
    assert!(pruned.starts_with(USER_CONFIG));
    assert!(!pruned.contains("app-dev.AdministratorAccess"));
    assert!(pruned.contains("[profile app-dev.ReadOnly]"));
    assert!(pruned.contains("[profile app-prod.ReadOnly]"));

    // Once synced, the session finds the sandbox through the `[services monban-sandbox]`
    // section the sync wrote: `credentials` (and `login`, `logout`) need no
    // AWS_ENDPOINT_URL any more, and no AWS_PROFILE either.
    let keys = monban(home)
        .env("AWS_CONFIG_FILE", config_path(home))
        .env("XDG_CACHE_HOME", home.join(".cache"))
        .args(["credentials", "--sso-session", "sandbox", "--account"])
        .arg(&app_prod)
        .args(["--role", "ReadOnly"])
        .assert()
        .success();
    let keys: serde_json::Value =
        serde_json::from_slice(&keys.get_output().stdout).expect("credential_process JSON");
    assert_eq!(keys["Version"], 1, "{keys}");
    // With configured endpoints ignored, the same call goes to AWS's portal, which fails
    // here (no network; AWS would refuse the sandbox's token): the section was what found
    // the sandbox.
    monban(home)
        .env("AWS_CONFIG_FILE", config_path(home))
        .env("XDG_CACHE_HOME", home.join(".cache-ignored"))
        .env("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true")
        .args(["credentials", "--sso-session", "sandbox", "--account"])
        .arg(&app_prod)
        .args(["--role", "ReadOnly"])
        .timeout(std::time::Duration::from_mins(2))
        .assert()
        .failure()
        .stderr(predicate::str::contains("GetRoleCredentials failed"));
}
