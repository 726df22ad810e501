//! `monban sandbox serve` as a process: the `READY <url>` contract, a live answer from the
//! control API, state kept across a restart, and `sandbox reset`.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};

fn start(state: &std::path::Path) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_monban"))
        .args(["sandbox", "serve", "--addr", "127.0.0.1:0", "--state"])
        .arg(state)
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
    (child, url)
}

fn get(url: &str, path: &str) -> String {
    let authority = url.strip_prefix("http://").expect("http url");
    let mut stream = TcpStream::connect(authority).expect("connects");
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n\r\n"
    )
    .expect("writes");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("reads");
    response
}

fn post(url: &str, path: &str, body: &str) -> String {
    let authority = url.strip_prefix("http://").expect("http url");
    let mut stream = TcpStream::connect(authority).expect("connects");
    write!(
        stream,
        "POST {path} HTTP/1.1\r\nHost: {authority}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .expect("writes");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("reads");
    response
}

fn stop(mut child: Child) {
    child.kill().expect("stops");
    child.wait().expect("reaped");
}

#[test]
fn serve_prints_ready_with_the_real_port_and_keeps_state_until_reset() {
    let state = tempfile::tempdir().expect("temp dir");
    let (child, url) = start(state.path());
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    assert!(!url.ends_with(":0"), "the real port is printed: {url}");
    assert!(get(&url, "/_sandbox/health").starts_with("HTTP/1.1 200"));

    let seeded = post(
        &url,
        "/_sandbox/seed",
        r#"{"users":[{"user_name":"alice@example.com","display_name":"Alice","given_name":"Alice","family_name":"Tanaka","email":"alice@example.com"}]}"#,
    );
    assert!(seeded.starts_with("HTTP/1.1 200"), "{seeded}");
    stop(child);

    let (child, url) = start(state.path());
    let world = std::fs::read_to_string(state.path().join("world.json")).expect("state file");
    assert!(
        world.contains("alice@example.com"),
        "state survived the restart"
    );
    stop(child);
    drop(url);

    let status = Command::new(env!("CARGO_BIN_EXE_monban"))
        .args(["sandbox", "reset", "--state"])
        .arg(state.path())
        .status()
        .expect("runs");
    assert!(status.success());
    let world = std::fs::read_to_string(state.path().join("world.json")).unwrap_or_default();
    assert!(
        !world.contains("alice@example.com"),
        "reset cleared the state"
    );
}
