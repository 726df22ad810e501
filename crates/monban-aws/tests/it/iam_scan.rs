//! `read_and_scan_iam` — the audit's live read with the member-account IAM scan running
//! beside it — against a real sandbox over HTTP: the scan's requests reach the server while
//! the read is still reading Identity Center (the sandbox's request log keeps the order), the
//! results and the calls are those of the read followed by the scan, and a failed read
//! fails the whole. The customer managed policies of the permission sets provisioned to each
//! member account are read there, once per (account, policy).

use std::collections::BTreeMap;

use monban_aws::{
    ConnectOptions, IamScanOptions, IamScanResult, LiveRead, RateLimits, ReadParts, TargetSpec,
};
use monban_model::PolicyContent;
use serde_json::{Value, json};

use crate::common;

/// Member accounts, permission sets provisioned to each of them, one IAM user in one.
async fn seed_organization(endpoint: &str, accounts: usize, permission_sets: usize) {
    let account_names: Vec<String> = (0..accounts)
        .map(|index| format!("member-{index}"))
        .collect();
    let set_names: Vec<String> = (0..permission_sets)
        .map(|index| format!("Set{index}"))
        .collect();
    let assignments: Vec<Value> = account_names
        .iter()
        .flat_map(|account| {
            set_names.iter().map(move |set| {
                json!({"account_name": account, "permission_set": set, "group": "engineers"})
            })
        })
        .collect();
    common::seed(
        endpoint,
        &json!({
            "accounts": account_names.iter().map(|name| json!({
                "name": name, "email": format!("{name}@example.com")
            })).collect::<Vec<_>>(),
            "users": [{"user_name": "alice", "email": "alice@example.com"}],
            "groups": [{"display_name": "engineers", "members": ["alice"]}],
            "permission_sets": set_names.iter().map(|name| json!({
                "name": name, "session_duration": "PT1H"
            })).collect::<Vec<_>>(),
            "assignments": assignments,
            "iam": [{"account": "member-0", "users": [
                {"user_name": "legacy-ci", "created_at": "2026-01-01T00:00:00Z",
                 "access_keys": [{"access_key_id": "AKIALEGACYCI00000001",
                                  "secret_access_key": "legacy-secret",
                                  "created_at": "2026-02-01T00:00:00Z"}]}
            ]}]
        }),
    )
    .await;
}

async fn request_log(endpoint: &str) -> Vec<Value> {
    let log: Value = reqwest::get(format!("{endpoint}/_sandbox/requests"))
        .await
        .expect("the control API answers")
        .json()
        .await
        .expect("JSON");
    log["requests"].as_array().expect("a list").clone()
}

fn is_scan(entry: &Value) -> bool {
    matches!(entry["service"].as_str(), Some("sts" | "iam"))
}

fn unlimited_scan() -> IamScanOptions {
    IamScanOptions {
        rate_limits: RateLimits::unlimited(),
        ..IamScanOptions::default()
    }
}

/// The regression this pins: the scan used to start only after the whole read. Here the
/// read is held to AWS's SSO Admin rate by the client's own limiter (20 requests/s after a
/// burst of 20), so its 82 SSO Admin requests cannot all be sent within 3 s of its start;
/// the scan needs only the organization tree (four Organizations requests, within their
/// bursts) before its first `AssumeRole`. The order is read from the sandbox's request log,
/// not from clocks: only a stall of seconds between two requests could break it.
#[tokio::test]
async fn the_scan_runs_while_identity_center_is_read() {
    let server = monban_emulator::Server::start(monban_emulator::Config::default())
        .await
        .expect("the sandbox starts");
    let endpoint = server.endpoint_url();
    let clients = monban_aws::connect(
        &TargetSpec::embedded_sandbox(&endpoint),
        &ConnectOptions {
            rate_limits: RateLimits::aws(),
            ..ConnectOptions::default()
        },
    )
    .await
    .expect("connects");
    // SSO Admin: 2 + 8 sets × (5 contents with the customer managed policy references + 2
    // provisioned lists) + 32 pairs = 90 requests.
    seed_organization(&endpoint, 4, 8).await;
    let start = request_log(&endpoint).await.len();

    let (read, scan) =
        monban_aws::read_and_scan_iam(&clients, ReadParts::access(), &unlimited_scan())
            .await
            .expect("reads and scans");

    let log = request_log(&endpoint).await;
    let log = &log[start..];
    let first_scan = log
        .iter()
        .position(is_scan)
        .expect("the scan made requests");
    let last_sso_admin = log
        .iter()
        .rposition(|entry| entry["service"] == "sso-admin")
        .expect("the read made SSO Admin requests");
    let sso_admin_after_scan_began = log[first_scan..]
        .iter()
        .filter(|entry| entry["service"] == "sso-admin")
        .count();
    assert!(
        first_scan < last_sso_admin,
        "the scan's first request (#{first_scan}) came after the read's last SSO Admin request (#{last_sso_admin})"
    );
    assert!(
        sso_admin_after_scan_began > 0,
        "{sso_admin_after_scan_began} SSO Admin requests after the scan began"
    );
    // And it did the whole job.
    assert_eq!(read.stats.calls_of("sso-admin:ListAccountAssignments"), 32);
    assert_eq!(scan.accounts, 4);
    assert_eq!(scan.found.errors, []);
    assert_eq!(scan.found.users.len(), 1);
    assert_eq!(scan.found.users[0].user_name, "legacy-ci");
    server.shutdown().await.expect("the sandbox stops");
}

/// The read followed by the scan, as the audit did before: the calls the sandbox served,
/// and the results.
async fn one_after_the_other(
    clients: &monban_aws::Clients,
    options: &IamScanOptions,
) -> (LiveRead, IamScanResult) {
    monban_aws::read_then_scan_iam(clients, ReadParts::access(), options)
        .await
        .expect("reads")
}

async fn served_during<T>(
    endpoint: &str,
    work: impl Future<Output = T>,
) -> (T, BTreeMap<String, u64>) {
    let before = common::served(endpoint).await;
    let value = work.await;
    (
        value,
        common::difference(&common::served(endpoint).await, &before),
    )
}

/// The failures, each message without the request ids the sandbox makes up per request
/// (36-character UUIDs).
fn failures(scan: &IamScanResult) -> Vec<(String, String)> {
    let without_request_ids = |message: &str| {
        let mut text = String::new();
        let mut token = String::new();
        let flush = |token: &mut String, text: &mut String| {
            if token.len() == 36 && token.matches('-').count() == 4 {
                text.push_str("<request id>");
            } else {
                text.push_str(token);
            }
            token.clear();
        };
        for character in message.chars() {
            if character.is_ascii_hexdigit() || character == '-' {
                token.push(character);
            } else {
                flush(&mut token, &mut text);
                text.push(character);
            }
        }
        flush(&mut token, &mut text);
        text
    };
    scan.found
        .errors
        .iter()
        .map(|failure| {
            (
                failure.account_id.clone(),
                without_request_ids(&failure.message),
            )
        })
        .collect()
}

#[tokio::test]
async fn side_by_side_finds_and_calls_exactly_what_one_after_the_other_did() {
    let (server, clients) = common::sandbox().await;
    let endpoint = server.endpoint_url();
    seed_organization(&endpoint, 3, 2).await;
    let failing = IamScanOptions {
        role_name: "NoSuchAuditRole".to_owned(),
        ..unlimited_scan()
    };
    for options in [unlimited_scan(), failing] {
        let ((sequential_read, sequential_scan), sequential_calls) =
            served_during(&endpoint, one_after_the_other(&clients, &options)).await;
        let (side_by_side, side_by_side_calls) = served_during(
            &endpoint,
            monban_aws::read_and_scan_iam(&clients, ReadParts::access(), &options),
        )
        .await;
        let (mut read, scan) = side_by_side.expect("reads and scans");

        assert_eq!(
            side_by_side_calls, sequential_calls,
            "{}",
            options.role_name
        );
        read.state.read_at = sequential_read.state.read_at;
        assert_eq!(read.state, sequential_read.state);
        // Each one's stats hold its own calls only, as when they ran in turn.
        assert_eq!(read.stats.calls, sequential_read.stats.calls);
        assert_eq!(scan.stats.calls, sequential_scan.stats.calls);
        assert!(
            read.stats
                .calls
                .keys()
                .all(|key| !key.starts_with("sts:") && !key.starts_with("iam:")),
            "{:?}",
            read.stats.calls
        );
        assert_eq!(
            (
                &scan.found.users,
                failures(&scan),
                scan.accounts,
                &scan.found.policies
            ),
            (
                &sequential_scan.found.users,
                failures(&sequential_scan),
                sequential_scan.accounts,
                &sequential_scan.found.policies
            )
        );
        assert_eq!(scan.accounts, 3, "the management account is not scanned");
    }
    // The failing role failed every account, each on its own.
    let (_, scan) = monban_aws::read_and_scan_iam(
        &clients,
        ReadParts::access(),
        &IamScanOptions {
            role_name: "NoSuchAuditRole".to_owned(),
            ..unlimited_scan()
        },
    )
    .await
    .expect("a scan failure is not a read failure");
    assert_eq!(scan.found.errors.len(), 3);
    assert!(
        scan.found
            .errors
            .iter()
            .all(|failure| failure.message.contains("AssumeRole"))
    );
    server.shutdown().await.expect("the sandbox stops");
}

/// Clients that do not retry, so an injected server error fails the read at once.
async fn connect_without_retries(endpoint: &str) -> monban_aws::Clients {
    monban_aws::connect(
        &TargetSpec::embedded_sandbox(endpoint),
        &ConnectOptions {
            rate_limits: RateLimits::unlimited(),
            max_attempts: 1,
            ..ConnectOptions::default()
        },
    )
    .await
    .expect("connects")
}

async fn fail_operation(endpoint: &str, operation: &str) {
    common::control_post(
        endpoint,
        "faults",
        &json!({ "operations": { operation: { "server_error": 1.0 } } }),
    )
    .await;
}

#[tokio::test]
async fn a_read_that_fails_after_listing_the_accounts_fails_the_whole() {
    let server = monban_emulator::Server::start(monban_emulator::Config::default())
        .await
        .expect("the sandbox starts");
    let endpoint = server.endpoint_url();
    let clients = connect_without_retries(&endpoint).await;
    seed_organization(&endpoint, 3, 2).await;
    fail_operation(&endpoint, "sso-admin:ListAccountAssignments").await;

    let error = monban_aws::read_and_scan_iam(&clients, ReadParts::access(), &unlimited_scan())
        .await
        .expect_err("the read fails");
    assert!(
        error.to_string().contains("ListAccountAssignments"),
        "{error}"
    );
    server.shutdown().await.expect("the sandbox stops");
}

#[tokio::test]
async fn a_read_that_fails_before_listing_the_accounts_scans_nothing() {
    let server = monban_emulator::Server::start(monban_emulator::Config::default())
        .await
        .expect("the sandbox starts");
    let endpoint = server.endpoint_url();
    let clients = connect_without_retries(&endpoint).await;
    seed_organization(&endpoint, 3, 2).await;
    fail_operation(&endpoint, "organizations:ListAccountsForParent").await;
    let start = request_log(&endpoint).await.len();

    let error = monban_aws::read_and_scan_iam(&clients, ReadParts::access(), &unlimited_scan())
        .await
        .expect_err("the read fails");
    assert!(
        error.to_string().contains("ListAccountsForParent"),
        "{error}"
    );
    let log = request_log(&endpoint).await;
    assert!(
        !log[start..].iter().any(is_scan),
        "no account was scanned without the account list"
    );
    server.shutdown().await.expect("the sandbox stops");
}

/// The regression this pins: the audit judged only inline and AWS managed policies, so a
/// permission set that grants everything through a customer managed policy was invisible.
/// Three accounts hold three different copies (or none) of the policy that two permission
/// sets reference; each copy is read once, decoded, and a missing one is reported as such.
#[tokio::test]
async fn customer_managed_policies_are_read_once_per_account_and_policy() {
    let (server, clients) = common::sandbox().await;
    let endpoint = server.endpoint_url();
    let everything = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*:*","Resource":"*"}]}"#;
    let harmless = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject"],"Resource":"arn:aws:s3:::logs/*"}]}"#;
    let reference = json!([{"name": "ops-all", "path": "/ops/"}]);
    let assignments: Vec<Value> = ["member-0", "member-1", "member-2"]
        .iter()
        .flat_map(|account| {
            ["Ops", "OpsToo", "Plain"].map(
                |set| json!({"account_name": account, "permission_set": set, "group": "engineers"}),
            )
        })
        .collect();
    common::seed(
        &endpoint,
        &json!({
            "accounts": [
                {"name": "member-0", "email": "member-0@example.com"},
                {"name": "member-1", "email": "member-1@example.com"},
                {"name": "member-2", "email": "member-2@example.com"}
            ],
            "users": [{"user_name": "alice", "email": "alice@example.com"}],
            "groups": [{"display_name": "engineers", "members": ["alice"]}],
            "iam": [
                {"account": "member-0", "policies": [
                    {"name": "ops-all", "path": "/ops/", "document": everything}]},
                {"account": "member-1", "policies": [
                    {"name": "ops-all", "path": "/ops/", "document": harmless}]}
            ],
            "permission_sets": [
                {"name": "Ops", "customer_managed_policies": reference},
                {"name": "OpsToo", "customer_managed_policies": reference},
                {"name": "Plain"}
            ],
            // Seeded assignments are provisioned without the policy check: member-2 has
            // the permission sets without the policy, as after a deletion by hand.
            "assignments": assignments
        }),
    )
    .await;

    let (result, requests) = served_during(
        &endpoint,
        monban_aws::read_and_scan_iam(&clients, ReadParts::access(), &unlimited_scan()),
    )
    .await;
    let (read, scan) = result.expect("reads and scans");
    let account_id = |name: &str| {
        read.state
            .accounts
            .iter()
            .find(|account| account.name == name)
            .map(|account| account.id.clone())
            .expect("the account exists")
    };
    let found: Vec<(String, String, PolicyContent)> = scan
        .found
        .policies
        .iter()
        .map(|policy| {
            (
                policy.account_id.clone(),
                policy.arn.clone(),
                policy.content.clone(),
            )
        })
        .collect();
    let arn = |name: &str| format!("arn:aws:iam::{}:policy/ops/ops-all", account_id(name));
    let mut expected = vec![
        (
            account_id("member-0"),
            arn("member-0"),
            PolicyContent::Document(everything.to_owned()),
        ),
        (
            account_id("member-1"),
            arn("member-1"),
            PolicyContent::Document(harmless.to_owned()),
        ),
        (
            account_id("member-2"),
            arn("member-2"),
            PolicyContent::Missing,
        ),
    ];
    expected.sort_by(|left, right| (&left.0, &left.1).cmp(&(&right.0, &right.1)));
    assert_eq!(found, expected);
    // One GetPolicy per (account, policy) though two permission sets name it; a version
    // read only where the policy exists. The references: one call per permission set.
    assert_eq!(requests.get("iam:GetPolicy").copied(), Some(3));
    assert_eq!(requests.get("iam:GetPolicyVersion").copied(), Some(2));
    assert_eq!(scan.stats.calls_of("iam:GetPolicy"), 3);
    assert_eq!(scan.stats.calls_of("iam:GetPolicyVersion"), 2);
    assert_eq!(
        read.stats
            .calls_of("sso-admin:ListCustomerManagedPolicyReferencesInPermissionSet"),
        3
    );
    assert_eq!(scan.found.errors, []);
    server.shutdown().await.expect("the sandbox stops");
}
