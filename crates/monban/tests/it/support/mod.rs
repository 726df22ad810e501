//! Shared support of the binary's end-to-end tests: the binary with an isolated HOME and no
//! AWS configuration from the environment, a standalone `monban sandbox serve` stopped on
//! drop, its control API, and small access repos written from string literals.

#![allow(
    dead_code,
    reason = "each test file uses a different part of this module"
)]

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command as Process, Stdio};

use assert_cmd::Command;

/// The sandbox's documented management-account key.
pub const ACCESS_KEY_ID: &str = "AKIAMONBANSANDBOX000";
pub const SECRET_ACCESS_KEY: &str = "monban-sandbox-secret";

/// The binary with a fixed "today", no colour, `home` as HOME, and no AWS configuration from
/// the environment.
pub fn monban(home: &Path) -> Command {
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

/// [`monban`] with the sandbox's keys in the environment (for `--endpoint-url`).
pub fn monban_with_keys(home: &Path) -> Command {
    let mut command = monban(home);
    command
        .env("AWS_ACCESS_KEY_ID", ACCESS_KEY_ID)
        .env("AWS_SECRET_ACCESS_KEY", SECRET_ACCESS_KEY);
    command
}

/// A standalone `monban sandbox serve` on a free port, stopped (killed) on drop.
pub struct Served {
    child: Child,
    pub url: String,
}

impl Served {
    pub fn start(arguments: &[&str]) -> Self {
        let mut child = Process::new(env!("CARGO_BIN_EXE_monban"))
            .args(["sandbox", "serve", "--addr", "127.0.0.1:0"])
            .args(arguments)
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

    /// `GET|POST /_sandbox/<path>` with a JSON body; the JSON answer.
    pub fn control(&self, method: &str, path: &str, body: &str) -> serde_json::Value {
        let authority = self.url.strip_prefix("http://").expect("http url");
        let mut stream = TcpStream::connect(authority).expect("connects");
        write!(
            stream,
            "{method} /_sandbox/{path} HTTP/1.1\r\nHost: {authority}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .expect("writes");
        let mut response = String::new();
        stream.read_to_string(&mut response).expect("reads");
        let (head, body) = response.split_once("\r\n\r\n").expect("an HTTP response");
        assert!(
            head.starts_with("HTTP/1.1 2"),
            "{method} {path}: {response}"
        );
        // The body may be chunked; take the JSON between the first `{`/`[` and the last.
        let start = body.find(['{', '[']).expect("a JSON body");
        let end = body.rfind(['}', ']']).expect("a JSON body") + 1;
        serde_json::from_str(&body[start..end]).expect("JSON")
    }

    /// The request log: `(operation, outcome)` for every AWS request served.
    pub fn requests(&self) -> Vec<serde_json::Value> {
        let log = self.control("GET", "requests", "");
        log.get("requests")
            .and_then(serde_json::Value::as_array)
            .or_else(|| log.as_array())
            .cloned()
            .expect("a request list")
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A temporary HOME holding an access repo written from `(path, text)` pairs.
pub struct Repo {
    home: tempfile::TempDir,
    pub root: PathBuf,
}

impl Repo {
    pub fn new(files: &[(&str, &str)]) -> Self {
        let home = tempfile::tempdir().expect("a temporary directory");
        let root = home.path().join("repo");
        for (path, text) in files {
            let path = root.join(path);
            std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
            std::fs::write(path, text).expect("write");
        }
        Self { home, root }
    }

    pub fn home(&self) -> &Path {
        self.home.path()
    }

    pub fn write(&self, path: &str, text: &str) {
        std::fs::write(self.root.join(path), text).expect("write");
    }
}
