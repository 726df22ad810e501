//! The shared test harness for the emulator's integration tests: start a sandbox in-process,
//! get an `SdkConfig` for the real AWS SDK clients pointed at it, and call the control API.
//!
//! ```ignore
//! use crate::common;
//! let (server, sdk) = common::start().await;
//! let organizations = aws_sdk_organizations::Client::new(&sdk);
//! ```
//!
//! SDK retries are disabled so an error case fails fast with the sandbox's own error.

#![allow(
    dead_code,
    reason = "each test binary uses a different subset of the harness; expect would fire in some and not others"
)]

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::Credentials;
use monban_emulator::{Config, RunningServer, Server};
use serde_json::Value;

/// The default management-account key of a fresh sandbox.
pub const ACCESS_KEY_ID: &str = monban_emulator::config::DEFAULT_ACCESS_KEY_ID;
/// Its secret.
pub const SECRET_ACCESS_KEY: &str = monban_emulator::config::DEFAULT_SECRET_ACCESS_KEY;

/// A fresh in-memory sandbox on a free port, and an SDK config for its management account
/// (region eu-west-1, to show that any signing region is accepted).
pub async fn start() -> (RunningServer, SdkConfig) {
    start_with(Config::default()).await
}

/// A sandbox started with `config`, and an SDK config for its management account.
pub async fn start_with(config: Config) -> (RunningServer, SdkConfig) {
    let server = Server::start(config).await.expect("the sandbox starts");
    let sdk = sdk_config(
        &server.endpoint_url(),
        ACCESS_KEY_ID,
        SECRET_ACCESS_KEY,
        None,
    )
    .await;
    (server, sdk)
}

/// An SDK config for `endpoint` signing with the given key (and session token).
pub async fn sdk_config(
    endpoint: &str,
    access_key_id: &str,
    secret_access_key: &str,
    session_token: Option<&str>,
) -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new("eu-west-1"))
        .endpoint_url(endpoint)
        .credentials_provider(Credentials::new(
            access_key_id,
            secret_access_key,
            session_token.map(str::to_owned),
            None,
            "monban-emulator-tests",
        ))
        .retry_config(aws_config::retry::RetryConfig::disabled())
        .load()
        .await
}

/// `POST <endpoint>/_sandbox/<path>` with a JSON body; returns (status, JSON body).
pub async fn control_post(endpoint: &str, path: &str, body: &Value) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(format!("{endpoint}/_sandbox/{path}"))
        .json(body)
        .send()
        .await
        .expect("the control API answers");
    let status = response.status().as_u16();
    (
        status,
        response.json().await.expect("the control API answers JSON"),
    )
}

/// `GET <endpoint>/_sandbox/<path>`; returns the JSON body.
pub async fn control_get(endpoint: &str, path: &str) -> Value {
    reqwest::Client::new()
        .get(format!("{endpoint}/_sandbox/{path}"))
        .send()
        .await
        .expect("the control API answers")
        .json()
        .await
        .expect("the control API answers JSON")
}

/// `POST /_sandbox/seed`, asserting success; returns the seed result (name → id maps).
pub async fn seed(endpoint: &str, body: &Value) -> Value {
    let (status, result) = control_post(endpoint, "seed", body).await;
    assert_eq!(status, 200, "seed failed: {result}");
    result
}
