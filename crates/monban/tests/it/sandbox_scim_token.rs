//! `monban sandbox scim-token`: the SCIM endpoint and bearer token of a running sandbox, the
//! token on the last stdout line and nowhere else, usable at once against the endpoint.

use std::io::{Read as _, Write as _};
use std::net::TcpStream;

use crate::support;
use crate::support::Served;

/// `GET <url>` with the bearer token; the status line.
fn scim_get(url: &str, token: &str) -> String {
    let rest = url.strip_prefix("http://").expect("an http URL");
    let (authority, path) = rest.split_once('/').expect("a path");
    let mut stream = TcpStream::connect(authority).expect("connects");
    write!(
        stream,
        "GET /{path} HTTP/1.1\r\nHost: {authority}\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n"
    )
    .expect("writes");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("reads");
    response.lines().next().unwrap_or_default().to_owned()
}

/// Runs `monban sandbox scim-token` against `url`; (stdout lines, stderr).
fn scim_token(home: &std::path::Path, url: &str, extra: &[&str]) -> (Vec<String>, String) {
    let output = support::monban(home)
        .args(["sandbox", "scim-token", "--endpoint-url", url])
        .args(extra)
        .output()
        .expect("monban runs");
    assert!(output.status.success(), "{output:?}");
    let stdout = String::from_utf8(output.stdout).expect("UTF-8");
    (
        stdout.lines().map(str::to_owned).collect(),
        String::from_utf8(output.stderr).expect("UTF-8"),
    )
}

#[test]
fn scim_token_prints_the_endpoint_then_the_token_on_the_last_line() {
    let served = Served::start(&[]);
    let home = tempfile::tempdir().unwrap();
    let (lines, stderr) = scim_token(home.path(), &format!("{}/", served.url), &[]);
    let [endpoint, token] = lines.as_slice() else {
        panic!("two lines expected, got {lines:?}");
    };
    assert!(
        endpoint.starts_with(&format!("{}/", served.url)),
        "{endpoint}"
    );
    assert!(endpoint.ends_with("/scim/v2"), "{endpoint}");
    assert!(token.len() >= 32, "{token}");
    assert!(
        !stderr.contains(token.as_str()),
        "the token leaked to stderr: {stderr}"
    );
    assert_eq!(
        scim_get(&format!("{endpoint}/Users"), token),
        "HTTP/1.1 200 OK"
    );
    assert_eq!(
        scim_get(&format!("{endpoint}/Users"), "not-the-token"),
        "HTTP/1.1 401 Unauthorized"
    );

    // The same token again; --rotate issues a second one, the first keeps working until the
    // next rotation (two at most, as in Identity Center).
    let (again, _) = scim_token(home.path(), &served.url, &[]);
    assert_eq!(again, lines);
    let (rotated, _) = scim_token(home.path(), &served.url, &["--rotate"]);
    assert_eq!(rotated[0], *endpoint);
    assert_ne!(rotated[1], *token);
    assert_eq!(
        scim_get(&format!("{endpoint}/Users"), token),
        "HTTP/1.1 200 OK"
    );
    assert_eq!(
        scim_get(&format!("{endpoint}/Users"), &rotated[1]),
        "HTTP/1.1 200 OK"
    );
    let (latest, _) = scim_token(home.path(), &served.url, &[]);
    assert_eq!(latest, rotated, "the newest token is the one shown");
    scim_token(home.path(), &served.url, &["--rotate"]);
    assert_eq!(
        scim_get(&format!("{endpoint}/Users"), token),
        "HTTP/1.1 401 Unauthorized"
    );
}

#[test]
fn scim_token_without_a_sandbox_says_what_to_do() {
    let home = tempfile::tempdir().unwrap();
    // A port nothing listens on: bind one, note it, release it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let output = support::monban(home.path())
        .args([
            "sandbox",
            "scim-token",
            "--endpoint-url",
            &format!("http://127.0.0.1:{port}"),
        ])
        .output()
        .expect("monban runs");
    assert!(!output.status.success());
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("is `monban sandbox serve` running there?"),
        "{stderr}"
    );
}
