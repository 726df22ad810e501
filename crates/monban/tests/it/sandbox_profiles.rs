//! `monban sandbox serve --profile realistic --time-scale F --faults … --seed N` reaches the
//! sandbox: the control API reports the profile, the time scale and the faults, and the
//! fault hits the real SDK. Bad flags are refused before anything listens.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use aws_config::{BehaviorVersion, Region};
use aws_sdk_organizations::config::Credentials;
use serde_json::Value;

#[tokio::test]
async fn serve_passes_profile_time_scale_faults_and_seed_to_the_sandbox() {
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("monban"))
        .args([
            "sandbox",
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--profile",
            "realistic",
            "--time-scale",
            "10",
            "--faults",
            "ListRoots.throttle=1,latency=20ms",
            "--seed",
            "5",
        ])
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
    let get = |path: &str| {
        let url = format!("{url}/_sandbox/{path}");
        async move {
            reqwest::get(url)
                .await
                .expect("the control API answers")
                .json::<Value>()
                .await
                .expect("JSON")
        }
    };
    let profile = get("profile").await;
    assert_eq!(profile["profile"], "realistic");
    assert_eq!(profile["time_scale"], 10.0);
    assert_eq!(profile["async_durations_seconds"]["CreateAccount"], 3.0);
    let faults = get("faults").await;
    assert_eq!(faults["seed"], 5);
    assert_eq!(faults["global"]["latency_ms"], 20.0);
    assert_eq!(faults["operations"]["ListRoots"]["throttle"], 1.0);

    let sdk = aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .endpoint_url(&url)
        .credentials_provider(Credentials::new(
            "AKIAMONBANSANDBOX000",
            "monban-sandbox-secret",
            None,
            None,
            "test",
        ))
        .retry_config(aws_config::retry::RetryConfig::disabled())
        .load()
        .await;
    let organizations = aws_sdk_organizations::Client::new(&sdk);
    let error = organizations
        .list_roots()
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(error.is_too_many_requests_exception(), "{error:?}");
    organizations.describe_organization().send().await.unwrap();
    child.kill().expect("stopped");
    child.wait().expect("reaped");
}

#[test]
fn bad_profile_flags_are_refused() {
    for args in [
        ["--profile", "slow"],
        ["--time-scale", "0"],
        ["--faults", "explode=1"],
        ["--faults", "throttle=2"],
    ] {
        assert_cmd::Command::cargo_bin("monban")
            .unwrap()
            .args(["sandbox", "serve", "--addr", "127.0.0.1:0"])
            .args(args)
            .timeout(std::time::Duration::from_secs(20))
            .assert()
            .failure();
    }
}
