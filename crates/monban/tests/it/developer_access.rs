//! Developer access end to end (issue 7) on the real binary against a standalone sandbox:
//! an organization applied; `monban login --use-device-code` approved through the sign-in
//! page over HTTP, and `login --no-browser` (authorization code + PKCE through the loopback
//! redirect); the token cache as AWS CLI v2 writes it; `credentials` whose keys STS
//! recognizes as the Identity Center role, served warm without a request; a role not held;
//! `exec` and `console`; the lockout guard of `apply`; a leaver deactivated through SCIM; and
//! no secret in any output but `credentials`' stdout.

use std::fmt::Write as _;
use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command as Process, Output, Stdio};

use crate::support;
use crate::support::{Repo, Served, monban_with_keys};

const MANAGEMENT: &str = "111111111111";
const START_URL: &str = "https://d-1234567890.awsapps.com/start";
const PASSWORD: &str = "monban-sandbox";

/// The management account: admins (bob) hold `AdministratorAccess`, engineers (alice,
/// bob) hold `ReadOnly`.
fn org() -> Repo {
    Repo::new(&[
        (
            "monban.yaml",
            "organization:\n  management_account: management\n  root_email: \"aws-root+{account}@example.com\"\nidentity_center:\n  region: us-east-1\n  identity_source: external\n",
        ),
        ("accounts/management.yaml", MANAGEMENT_FILE),
        (
            "permission-sets/AdministratorAccess.yaml",
            "managed_policies: [arn:aws:iam::aws:policy/AdministratorAccess]\n",
        ),
        (
            "permission-sets/ReadOnly.yaml",
            "session_duration: PT2H\nmanaged_policies: [arn:aws:iam::aws:policy/ReadOnlyAccess]\n",
        ),
        ("groups.yaml", "groups: [admins, engineers]\nusers: []\n"),
        (
            "directory.yaml",
            "users:\n  - { user_name: alice@example.com, display_name: Alice, given_name: Alice, family_name: A, email: alice@example.com }\n  - { user_name: bob@example.com, display_name: Bob, given_name: Bob, family_name: B, email: bob@example.com }\ngroups:\n  - { display_name: admins, members: [bob@example.com] }\n  - { display_name: engineers, members: [alice@example.com, bob@example.com] }\n",
        ),
    ])
}

const MANAGEMENT_FILE: &str = "id: \"111111111111\"\naccess:\n  AdministratorAccess:\n    - group: admins\n  ReadOnly:\n    - group: engineers\n";

/// One developer's machine: a HOME with `~/.aws/config` naming the sandbox session.
struct Developer {
    home: tempfile::TempDir,
    endpoint: String,
    /// Whether the endpoint comes from the config file's `services` section rather than
    /// `AWS_ENDPOINT_URL_SSO` / `AWS_ENDPOINT_URL_SSO_OIDC`.
    endpoint_in_config: bool,
    /// Every stdout/stderr the binary wrote for this developer, except `credentials`'
    /// stdout (its job is to print keys): scanned for secrets at the end.
    outputs: Vec<String>,
}

impl Developer {
    fn new(endpoint: &str) -> Self {
        let home = tempfile::tempdir().expect("a temporary home");
        std::fs::create_dir_all(home.path().join(".aws")).expect("mkdir");
        std::fs::write(
            home.path().join(".aws/config"),
            format!(
                "[sso-session sandbox]\nsso_start_url = {START_URL}\nsso_region = us-east-1\nsso_registration_scopes = sso:account:access\n\n[profile dev-ro]\nsso_session = sandbox\nsso_account_id = {MANAGEMENT}\nsso_role_name = ReadOnly\nregion = eu-west-1\n"
            ),
        )
        .expect("write the config");
        Self {
            home,
            endpoint: endpoint.to_owned(),
            endpoint_in_config: false,
            outputs: Vec::new(),
        }
    }

    /// A developer whose config file points the default profile at the sandbox through a
    /// `[services]` section (botocore's `sso_oidc` spelling), with no endpoint variables.
    fn with_services_section(endpoint: &str) -> Self {
        let mut developer = Self::new(endpoint);
        let config = developer.home().join(".aws/config");
        let mut text = std::fs::read_to_string(&config).expect("the config");
        let _ = write!(
            text,
            "\n[default]\nservices = sandbox\n\n[services sandbox]\nsso =\n  endpoint_url = {endpoint}\nsso_oidc =\n  endpoint_url = {endpoint}\n"
        );
        std::fs::write(&config, text).expect("write the config");
        developer.endpoint_in_config = true;
        developer
    }

    fn home(&self) -> &Path {
        self.home.path()
    }

    fn cache_home(&self) -> PathBuf {
        self.home().join("xdg-cache")
    }

    /// The binary with this HOME, the config, the cache directory and the sandbox as the
    /// SSO OIDC and portal endpoints.
    fn process(&self) -> Process {
        let mut command = Process::new(env!("CARGO_BIN_EXE_monban"));
        command
            .env("HOME", self.home())
            .env("AWS_CONFIG_FILE", self.home().join(".aws/config"))
            .env("XDG_CACHE_HOME", self.cache_home())
            .env("NO_COLOR", "1")
            .env_remove("DISPLAY")
            .env_remove("WAYLAND_DISPLAY");
        for variable in [
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_SESSION_TOKEN",
            "AWS_PROFILE",
            "AWS_ENDPOINT_URL",
            "AWS_ENDPOINT_URL_SSO",
            "AWS_ENDPOINT_URL_SSO_OIDC",
            "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
        ] {
            command.env_remove(variable);
        }
        if !self.endpoint_in_config {
            command
                .env("AWS_ENDPOINT_URL_SSO", &self.endpoint)
                .env("AWS_ENDPOINT_URL_SSO_OIDC", &self.endpoint);
        }
        command
    }

    fn run(&mut self, arguments: &[&str]) -> Output {
        let output = self
            .process()
            .args(arguments)
            .output()
            .expect("monban runs");
        self.outputs
            .push(String::from_utf8_lossy(&output.stderr).into_owned());
        if arguments.first() != Some(&"credentials") {
            self.outputs
                .push(String::from_utf8_lossy(&output.stdout).into_owned());
        }
        output
    }

    /// `monban login --use-device-code`, approved as `user` through the sign-in page.
    fn login_with_device_code(&mut self, user: &str) {
        let mut child = self
            .process()
            .args(["login", "--use-device-code"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("login starts");
        let mut stderr = BufReader::new(child.stderr.take().expect("piped"));
        let mut seen = String::new();
        let url = loop {
            let mut line = String::new();
            assert!(
                stderr.read_line(&mut line).expect("reads") > 0,
                "login ended before printing the URL: {seen}"
            );
            seen.push_str(&line);
            if let Some(url) = line
                .split_whitespace()
                .find(|word| word.contains("/device?user_code="))
            {
                break url.to_owned();
            }
        };
        let user_code = url.split("user_code=").nth(1).expect("a code").to_owned();
        let (status, page) = http("GET", &url, &[], "");
        assert_eq!(status, 200, "{page}");
        assert!(
            page.contains("name=\"user_name\"") && page.contains("name=\"password\""),
            "{page}"
        );
        let form = form(&[
            ("user_code", &user_code),
            ("user_name", user),
            ("password", PASSWORD),
        ]);
        let (status, answer) = http(
            "POST",
            &format!("{}/device", self.endpoint),
            &[("Content-Type", "application/x-www-form-urlencoded")],
            &form,
        );
        assert_eq!(status, 200, "{answer}");
        let mut rest = String::new();
        stderr.read_to_string(&mut rest).expect("reads");
        seen.push_str(&rest);
        let status = child.wait().expect("login ends");
        assert!(status.success(), "login failed: {seen}");
        assert!(seen.contains("Signed in to `sandbox`"), "{seen}");
        self.outputs.push(seen);
    }

    /// `monban login --no-browser` (authorization code + PKCE): the test plays the browser —
    /// opens the printed `/authorize` URL, signs in as `user`, and follows the redirect to
    /// monban's loopback listener.
    fn login_in_browser(&mut self, user: &str) {
        let mut child = self
            .process()
            .args(["login", "--no-browser"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("login starts");
        let mut stderr = BufReader::new(child.stderr.take().expect("piped"));
        let mut seen = String::new();
        let url = loop {
            let mut line = String::new();
            assert!(
                stderr.read_line(&mut line).expect("reads") > 0,
                "login ended before printing the URL: {seen}"
            );
            seen.push_str(&line);
            if let Some(url) = line
                .split_whitespace()
                .find(|word| word.contains("/authorize?"))
            {
                break url.to_owned();
            }
        };
        assert!(url.contains("code_challenge_method=S256"), "{url}");
        let (status, page) = http("GET", &url, &[], "");
        assert_eq!(status, 200, "{page}");
        // The form carries the authorization request in hidden fields: the URL's query.
        let query = url.split_once('?').expect("a query").1;
        let body = format!(
            "{query}&{}",
            form(&[
                ("user_name", user),
                ("password", PASSWORD),
                ("action", "approve")
            ])
        );
        let (status, answer) = http(
            "POST",
            &format!("{}/authorize", self.endpoint),
            &[("Content-Type", "application/x-www-form-urlencoded")],
            &body,
        );
        assert_eq!(status, 302, "{answer}");
        let location = answer
            .lines()
            .find_map(|line| {
                line.strip_prefix("location: ")
                    .or_else(|| line.strip_prefix("Location: "))
            })
            .expect("a Location header")
            .trim()
            .to_owned();
        assert!(location.starts_with("http://127.0.0.1:"), "{location}");
        let (status, page) = http("GET", &location, &[], "");
        assert_eq!(status, 200, "{page}");
        let mut rest = String::new();
        stderr.read_to_string(&mut rest).expect("reads");
        seen.push_str(&rest);
        let status = child.wait().expect("login ends");
        assert!(status.success(), "login failed: {seen}");
        self.outputs.push(seen);
    }

    fn token_file(&self) -> PathBuf {
        // sha1("sandbox"): the AWS CLI's name for the session's token file.
        self.home()
            .join(".aws/sso/cache/9ed037b84943c4caa3a520e48a5540181c46c98c.json")
    }

    fn token(&self) -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(self.token_file()).expect("a token file"))
            .expect("JSON")
    }

    /// `monban credentials` for the management account; the parsed JSON.
    fn credentials(&mut self, role: &str) -> serde_json::Value {
        let output = self.run(&["credentials", "--account", MANAGEMENT, "--role", role]);
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_slice(&output.stdout).expect("credential_process JSON")
    }
}

fn form(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(key, value)| format!("{key}={}", percent(value)))
        .collect::<Vec<_>>()
        .join("&")
}

fn percent(text: &str) -> String {
    text.bytes()
        .map(|byte| {
            if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
                char::from(byte).to_string()
            } else {
                format!("%{byte:02X}")
            }
        })
        .collect()
}

/// A plain HTTP/1.1 request; (status, head + body as text).
fn http(method: &str, url: &str, headers: &[(&str, &str)], body: &str) -> (u16, String) {
    let rest = url.strip_prefix("http://").expect("an http URL");
    let (authority, path) = rest
        .split_once('/')
        .map_or((rest, "/".to_owned()), |(authority, path)| {
            (authority, format!("/{path}"))
        });
    let mut stream = TcpStream::connect(authority).expect("connects");
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        let _ = write!(request, "{name}: {value}\r\n");
    }
    request.push_str("\r\n");
    request.push_str(body);
    stream.write_all(request.as_bytes()).expect("writes");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("reads");
    let status = response
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .expect("a status");
    (status, response)
}

fn block_on<F: Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime")
        .block_on(future)
}

/// STS `GetCallerIdentity` with role keys, against the sandbox.
fn caller_arn(endpoint: &str, keys: &serde_json::Value) -> String {
    use aws_sdk_sts::config::{BehaviorVersion, Credentials, Region};
    let client = aws_sdk_sts::Client::from_conf(
        aws_sdk_sts::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .endpoint_url(endpoint)
            .region(Region::new("us-east-1"))
            .credentials_provider(Credentials::new(
                keys["AccessKeyId"].as_str().expect("a key id"),
                keys["SecretAccessKey"].as_str().expect("a secret"),
                keys["SessionToken"].as_str().map(str::to_owned),
                None,
                "developer-access-test",
            ))
            .build(),
    );
    block_on(client.get_caller_identity().send())
        .expect("STS answers")
        .arn
        .expect("an ARN")
}

/// The sandbox with the organization applied and the directory pushed.
fn applied() -> (Served, Repo) {
    let served = Served::start(&[]);
    let repo = org();
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
    (served, repo)
}

fn sso_requests(served: &Served) -> usize {
    served
        .requests()
        .iter()
        .filter(|request| {
            let text = request.to_string();
            text.contains("\"sso\"") || text.contains("sso-oidc")
        })
        .count()
}

/// How many requests of `operation` the sandbox served.
fn operations(served: &Served, operation: &str) -> usize {
    served
        .requests()
        .iter()
        .filter(|request| request["operation"] == operation)
        .count()
}

/// Every secret the developer's files and keys hold must be absent from `outputs`.
fn assert_no_secrets(outputs: &[String], secrets: &[String]) {
    for secret in secrets.iter().filter(|secret| secret.len() >= 8) {
        for output in outputs {
            assert!(
                !output.contains(secret.as_str()),
                "a secret leaked into output: …{}… in\n{output}",
                &secret[..8]
            );
        }
    }
}

#[test]
fn device_login_credentials_exec_console_and_a_warm_cache() {
    let (served, _repo) = applied();
    let mut alice = Developer::new(&served.url);

    // Not signed in yet: a clear next step.
    let output = alice.run(&["credentials", "--account", MANAGEMENT, "--role", "ReadOnly"]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("run `monban login"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );

    alice.login_with_device_code("alice@example.com");

    // The token cache exactly as AWS CLI v2 writes it.
    let token = alice.token();
    for key in [
        "startUrl",
        "region",
        "accessToken",
        "expiresAt",
        "refreshToken",
        "clientId",
        "clientSecret",
        "registrationExpiresAt",
    ] {
        assert!(
            token.get(key).is_some_and(serde_json::Value::is_string),
            "{key} missing"
        );
    }
    assert_eq!(token["startUrl"], START_URL);
    assert_eq!(token["region"], "us-east-1");
    let z_form = regex::Regex::new(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$").expect("regex");
    assert!(z_form.is_match(token["expiresAt"].as_str().expect("a string")));
    assert!(z_form.is_match(token["registrationExpiresAt"].as_str().expect("a string")));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        for entry in std::fs::read_dir(alice.home().join(".aws/sso/cache")).expect("the cache") {
            let mode = entry
                .expect("entry")
                .metadata()
                .expect("metadata")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    // credential_process keys, which STS recognizes as alice's Identity Center role.
    let keys = alice.credentials("ReadOnly");
    assert_eq!(keys["Version"], 1);
    assert_eq!(keys["AccountId"], MANAGEMENT);
    assert!(z_form.is_match(keys["Expiration"].as_str().expect("a string")));
    let arn = caller_arn(&served.url, &keys);
    let pattern = regex::Regex::new(
        r"^arn:aws:sts::111111111111:assumed-role/AWSReservedSSO_ReadOnly_[0-9a-f]{16}/alice@example\.com$",
    )
    .expect("regex");
    assert!(pattern.is_match(&arn), "{arn}");

    // Warm: the same keys from monban's cache (0600) without a single request.
    let before = sso_requests(&served);
    assert_eq!(alice.credentials("ReadOnly"), keys);
    assert_eq!(
        sso_requests(&served),
        before,
        "the warm path made a request"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let cached = std::fs::read_dir(alice.cache_home().join("monban/credentials"))
            .expect("the credential cache")
            .flat_map(|session| std::fs::read_dir(session.expect("entry").path()).expect("dir"))
            .map(|entry| entry.expect("entry").path())
            .collect::<Vec<_>>();
        assert_eq!(cached.len(), 1, "{cached:?}");
        let mode = std::fs::metadata(&cached[0])
            .expect("metadata")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    // A role alice does not hold: the roles she does hold are listed.
    let output = alice.run(&[
        "credentials",
        "--account",
        MANAGEMENT,
        "--role",
        "AdministratorAccess",
    ]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("AdministratorAccess") && stderr.contains("ReadOnly"),
        "{stderr}"
    );

    // exec: the profile's keys and region in the environment, the exit code passed through.
    let output = alice.run(&[
        "exec",
        "dev-ro",
        "--",
        "sh",
        "-c",
        "echo \"$AWS_ACCESS_KEY_ID $AWS_REGION\"; test -n \"$AWS_SECRET_ACCESS_KEY\" && test -n \"$AWS_SESSION_TOKEN\" && exit 7",
    ]);
    assert_eq!(output.status.code(), Some(7));
    assert_eq!(
        String::from_utf8_lossy(&output.stdout).trim(),
        format!(
            "{} eu-west-1",
            keys["AccessKeyId"].as_str().expect("a key id")
        )
    );

    // console: a sign-in URL on the sandbox's federation stand-in, which signs alice in.
    let output = alice.run(&["console", "--account", MANAGEMENT, "--role", "ReadOnly"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let url = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    assert!(
        url.starts_with(&format!("{}/federation?Action=login&", served.url)),
        "{url}"
    );
    let (status, page) = http("GET", &url, &[], "");
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("alice@example.com"), "{page}");

    // An expired access token is refreshed silently: new keys, a rewritten token file.
    let mut expired = alice.token();
    expired["expiresAt"] = serde_json::Value::from("2020-01-01T00:00:00Z");
    std::fs::write(alice.token_file(), expired.to_string()).expect("rewrite the token");
    std::fs::remove_dir_all(alice.cache_home()).expect("clear the key cache");
    let refreshed_keys = alice.credentials("ReadOnly");
    assert_ne!(refreshed_keys["AccessKeyId"], keys["AccessKeyId"]);
    let refreshed = alice.token();
    assert_ne!(refreshed["accessToken"], token["accessToken"]);
    assert_ne!(refreshed["expiresAt"], "2020-01-01T00:00:00Z");
    assert!(z_form.is_match(refreshed["expiresAt"].as_str().expect("a string")));

    // logout: the portal session ends, the token and the cached keys are gone.
    let output = alice.run(&["logout"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(!alice.token_file().exists());
    assert!(
        !alice.cache_home().join("monban/credentials").exists()
            || std::fs::read_dir(alice.cache_home().join("monban/credentials"))
                .expect("dir")
                .all(|session| std::fs::read_dir(session.expect("entry").path())
                    .map_or(true, |mut entries| entries.next().is_none()))
    );
    let output = alice.run(&["credentials", "--account", MANAGEMENT, "--role", "ReadOnly"]);
    assert_eq!(output.status.code(), Some(1));

    // Signing in again reuses the cached client registration.
    let registrations = operations(&served, "RegisterClient");
    alice.login_with_device_code("alice@example.com");
    assert_eq!(operations(&served, "RegisterClient"), registrations);
    let again = alice.token();

    let secrets = [
        token["accessToken"].as_str(),
        token["refreshToken"].as_str(),
        token["clientSecret"].as_str(),
        refreshed["accessToken"].as_str(),
        again["accessToken"].as_str(),
        keys["SecretAccessKey"].as_str(),
        keys["SessionToken"].as_str(),
        refreshed_keys["SecretAccessKey"].as_str(),
        refreshed_keys["SessionToken"].as_str(),
    ]
    .into_iter()
    .flatten()
    .map(str::to_owned)
    .collect::<Vec<_>>();
    assert_no_secrets(&alice.outputs, &secrets);
}

#[test]
fn browser_login_with_pkce_and_endpoints_from_the_config_file() {
    let (served, _repo) = applied();
    let mut bob = Developer::with_services_section(&served.url);
    bob.login_in_browser("bob@example.com");
    let token = bob.token();
    assert_eq!(token["startUrl"], START_URL);
    assert!(token["refreshToken"].is_string());
    let keys = bob.credentials("AdministratorAccess");
    assert!(caller_arn(&served.url, &keys).ends_with("/bob@example.com"));
    let secrets = [
        token["accessToken"].as_str(),
        token["refreshToken"].as_str(),
        token["clientSecret"].as_str(),
        keys["SecretAccessKey"].as_str(),
        keys["SessionToken"].as_str(),
    ]
    .into_iter()
    .flatten()
    .map(str::to_owned)
    .collect::<Vec<_>>();
    assert_no_secrets(&bob.outputs, &secrets);
}

#[test]
fn apply_refuses_to_remove_the_operators_own_access_unless_allowed() {
    let (served, repo) = applied();
    let mut bob = Developer::new(&served.url);
    bob.login_with_device_code("bob@example.com");
    let keys = bob.credentials("AdministratorAccess");

    let apply = |extra: &[&str]| {
        let mut command = support::monban(repo.home());
        command
            .env(
                "AWS_ACCESS_KEY_ID",
                keys["AccessKeyId"].as_str().expect("key"),
            )
            .env(
                "AWS_SECRET_ACCESS_KEY",
                keys["SecretAccessKey"].as_str().expect("secret"),
            )
            .env(
                "AWS_SESSION_TOKEN",
                keys["SessionToken"].as_str().expect("token"),
            )
            .args([
                "apply",
                "--auto-approve",
                "--endpoint-url",
                &served.url,
                "--repo",
            ])
            .arg(&repo.root)
            .args(extra);
        command.output().expect("monban runs")
    };
    // The admins group goes, but bob is granted AdministratorAccess directly: he keeps the
    // access he applies with, so nothing is refused.
    repo.write(
        "groups.yaml",
        "groups: [admins, engineers]\nusers: [bob@example.com]\n",
    );
    repo.write(
        "accounts/management.yaml",
        "id: \"111111111111\"\naccess:\n  AdministratorAccess:\n    - user: bob@example.com\n  ReadOnly:\n    - group: engineers\n",
    );
    let kept = apply(&[]);
    let stderr_kept = String::from_utf8_lossy(&kept.stderr).into_owned();
    assert!(kept.status.success(), "{stderr_kept}");
    assert!(stderr_kept.contains("Apply complete"), "{stderr_kept}");

    // Now the direct grant goes too: bob, applying with his AdministratorAccess session,
    // would remove his own access.
    repo.write(
        "accounts/management.yaml",
        "id: \"111111111111\"\naccess:\n  ReadOnly:\n    - group: engineers\n",
    );
    let refused = apply(&[]);
    let stderr = String::from_utf8_lossy(&refused.stderr).into_owned();
    assert_eq!(refused.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("--allow-self-removal"), "{stderr}");
    assert!(
        stderr.contains(
            "bob@example.com holds AdministratorAccess on account 111111111111 (via user:bob@example.com)"
        ),
        "{stderr}"
    );
    // Nothing was removed: bob still gets AdministratorAccess keys from the portal.
    std::fs::remove_dir_all(bob.cache_home()).expect("clear the cache");
    bob.credentials("AdministratorAccess");

    let allowed = apply(&["--allow-self-removal"]);
    let stderr_allowed = String::from_utf8_lossy(&allowed.stderr).into_owned();
    assert!(allowed.status.success(), "{stderr_allowed}");
    assert!(
        stderr_allowed.contains("Apply complete"),
        "{stderr_allowed}"
    );
    std::fs::remove_dir_all(bob.cache_home()).expect("clear the cache");
    let output = bob.run(&[
        "credentials",
        "--account",
        MANAGEMENT,
        "--role",
        "AdministratorAccess",
    ]);
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("ReadOnly"));

    let secrets = [
        keys["SecretAccessKey"].as_str(),
        keys["SessionToken"].as_str(),
    ]
    .into_iter()
    .flatten()
    .map(str::to_owned)
    .collect::<Vec<_>>();
    assert_no_secrets(&[stderr_kept, stderr, stderr_allowed], &secrets);
}

#[test]
fn a_leaver_deactivated_through_scim_gets_no_new_keys_and_no_refresh() {
    let (served, repo) = applied();
    let mut alice = Developer::new(&served.url);
    alice.login_with_device_code("alice@example.com");
    let keys = alice.credentials("ReadOnly");
    let token = alice.token();

    // The IdP deactivates alice through SCIM, with the token the sandbox shows an admin.
    let scim = support::monban(repo.home())
        .args(["sandbox", "scim-token", "--endpoint-url", &served.url])
        .output()
        .expect("monban runs");
    assert!(
        scim.status.success(),
        "{}",
        String::from_utf8_lossy(&scim.stderr)
    );
    let stdout = String::from_utf8_lossy(&scim.stdout).into_owned();
    let lines: Vec<&str> = stdout
        .lines()
        .filter(|line| !line.trim().is_empty())
        .collect();
    let (base, bearer) = (lines[0].trim(), lines[lines.len() - 1].trim());
    let authorization = format!("Bearer {bearer}");
    let filter = percent("userName eq \"alice@example.com\"");
    let (status, found) = http(
        "GET",
        &format!("{base}/Users?filter={filter}"),
        &[("Authorization", &authorization)],
        "",
    );
    assert_eq!(status, 200, "{found}");
    let json = &found[found.find('{').expect("JSON")..=found.rfind('}').expect("JSON")];
    let users: serde_json::Value = serde_json::from_str(json).expect("SCIM JSON");
    let id = users["Resources"][0]["id"]
        .as_str()
        .expect("alice's SCIM id");
    let (status, patched) = http(
        "PATCH",
        &format!("{base}/Users/{id}"),
        &[
            ("Authorization", &authorization),
            ("Content-Type", "application/scim+json"),
        ],
        r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"replace","value":{"active":false}}]}"#,
    );
    assert_eq!(status, 200, "{patched}");

    // Her cached keys are cleared (as after they ran out): the portal refuses her token,
    // the refresh is refused too, and the message says so.
    std::fs::remove_dir_all(alice.cache_home()).expect("clear the cache");
    let output = alice.run(&["credentials", "--account", MANAGEMENT, "--role", "ReadOnly"]);
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(output.stdout.is_empty());
    assert!(stderr.contains("could not be refreshed"), "{stderr}");
    assert!(stderr.contains("refresh refused"), "{stderr}");
    assert!(
        served
            .requests()
            .iter()
            .any(|request| request["operation"] == "CreateToken"
                && request["error_code"] == "InvalidGrantException"),
        "no refused refresh in the request log"
    );
    assert!(stderr.contains("monban login"), "{stderr}");
    // An explicit refresh (the access token made to look expired) fails the same way.
    let mut expired = token.clone();
    expired["expiresAt"] = serde_json::Value::from("2020-01-01T00:00:00Z");
    std::fs::write(alice.token_file(), expired.to_string()).expect("rewrite the token");
    let output = alice.run(&["credentials", "--account", MANAGEMENT, "--role", "ReadOnly"]);
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("has expired or was revoked, and could not be refreshed"),
        "{stderr}"
    );

    let secrets = [
        token["accessToken"].as_str(),
        token["refreshToken"].as_str(),
        token["clientSecret"].as_str(),
        keys["SecretAccessKey"].as_str(),
        keys["SessionToken"].as_str(),
    ]
    .into_iter()
    .flatten()
    .map(str::to_owned)
    .collect::<Vec<_>>();
    assert_no_secrets(&alice.outputs, &secrets);
}

#[test]
fn a_device_code_left_unapproved_expires_and_login_says_so() {
    let (served, _repo) = applied();
    let developer = Developer::new(&served.url);
    let mut child = developer
        .process()
        .args(["login", "--use-device-code"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("login starts");
    let mut stderr = BufReader::new(child.stderr.take().expect("piped"));
    let mut seen = String::new();
    while !seen.contains("Waiting for approval") {
        let mut line = String::new();
        assert!(stderr.read_line(&mut line).expect("reads") > 0, "{seen}");
        seen.push_str(&line);
    }
    // The sandbox's clock passes the code's 10 minutes: the next poll is ExpiredToken.
    served.control("POST", "clock/advance", r#"{"seconds": 601}"#);
    let mut rest = String::new();
    stderr.read_to_string(&mut rest).expect("reads");
    let status = child.wait().expect("login ends");
    assert_eq!(status.code(), Some(1), "{seen}{rest}");
    assert!(rest.contains("the sign-in code expired"), "{rest}");
    assert!(!developer.token_file().exists());
}
