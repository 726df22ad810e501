//! Test harness for monban-aws: a real sandbox over HTTP (the emulator, in-process on a
//! loopback port), clients connected to it exactly as the CLI connects to the embedded
//! sandbox, the control API (seed, clock, request log), and the call-count formula of
//! `monban_aws::read` written out independently so the tests can hold the reader to it.

#![allow(
    dead_code,
    reason = "each test binary uses a different part of the harness; expect would fire in some and not others"
)]

use std::collections::BTreeMap;

use monban_aws::{Clients, ConnectOptions, RateLimits, TargetSpec};
use monban_emulator::{Config, RunningServer, Server};
use monban_model::{LiveAccountStatus, LiveState};
use serde_json::{Value, json};

/// A fresh sandbox and clients for its management account, without client-side rate
/// limits (the sandbox does not throttle).
pub async fn sandbox() -> (RunningServer, Clients) {
    let server = Server::start(Config::default())
        .await
        .expect("the sandbox starts");
    let clients = monban_aws::connect(
        &TargetSpec::embedded_sandbox(server.endpoint_url()),
        &ConnectOptions {
            rate_limits: RateLimits::unlimited(),
            ..ConnectOptions::default()
        },
    )
    .await
    .expect("connects to the sandbox");
    (server, clients)
}

/// `POST /_sandbox/<path>`, asserting success.
pub async fn control_post(endpoint: &str, path: &str, body: &Value) -> Value {
    let response = reqwest::Client::new()
        .post(format!("{endpoint}/_sandbox/{path}"))
        .json(body)
        .send()
        .await
        .expect("the control API answers");
    let status = response.status().as_u16();
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(status, 200, "{path}: {body}");
    body
}

/// Seeds the sandbox; returns name → id maps.
pub async fn seed(endpoint: &str, body: &Value) -> Value {
    control_post(endpoint, "seed", body).await
}

/// Moves the sandbox clock so asynchronous operations complete.
pub async fn settle(endpoint: &str) {
    control_post(endpoint, "clock/advance", &json!({ "seconds": 3600 })).await;
}

/// Successful AWS requests the sandbox served, per `service:Operation`.
pub async fn served(endpoint: &str) -> BTreeMap<String, u64> {
    let log: Value = reqwest::Client::new()
        .get(format!("{endpoint}/_sandbox/requests"))
        .send()
        .await
        .expect("the control API answers")
        .json()
        .await
        .expect("JSON");
    let mut counts = BTreeMap::new();
    for entry in log["requests"].as_array().expect("a list") {
        let key = format!(
            "{}:{}",
            entry["service"].as_str().expect("service"),
            entry["operation"].as_str().expect("operation")
        );
        *counts.entry(key).or_insert(0) += 1;
    }
    counts
}

/// `after - before`, dropping zeros.
pub fn difference(
    after: &BTreeMap<String, u64>,
    before: &BTreeMap<String, u64>,
) -> BTreeMap<String, u64> {
    after
        .iter()
        .map(|(key, count)| (key.clone(), count - before.get(key).copied().unwrap_or(0)))
        .filter(|(_, count)| *count > 0)
        .collect()
}

/// `max(1, ⌈n / size⌉)`.
pub fn pages(count: usize, size: usize) -> u64 {
    u64::try_from(count.div_ceil(size).max(1)).expect("small")
}

/// The number of calls `monban_aws::read_live_state` must make for `state` (see the
/// formula in `monban_aws::read`), given the number of pending/failed account creations.
/// Assumes one page of tags, managed policies, customer managed policies and permission
/// set tags (true in these tests).
pub fn formula(state: &LiveState, creations: usize) -> BTreeMap<String, u64> {
    let mut calls: BTreeMap<String, u64> = BTreeMap::new();
    let mut add = |key: &str, count: u64| {
        if count > 0 {
            *calls.entry(key.to_owned()).or_default() += count;
        }
    };
    add("organizations:DescribeOrganization", 1);
    add("organizations:ListRoots", 1);
    let containers: Vec<(String, Option<String>)> =
        std::iter::once((state.organization.root_id.clone(), None))
            .chain(
                state
                    .ous
                    .iter()
                    .map(|ou| (ou.id.clone(), Some(ou.path.clone()))),
            )
            .collect();
    for (id, path) in &containers {
        let child_ous = state.ous.iter().filter(|ou| &ou.parent_id == id).count();
        let accounts = state
            .accounts
            .iter()
            .filter(|account| &account.ou_path == path)
            .count();
        add(
            "organizations:ListOrganizationalUnitsForParent",
            pages(child_ous, 20),
        );
        add("organizations:ListAccountsForParent", pages(accounts, 20));
    }
    let active = state
        .accounts
        .iter()
        .filter(|account| account.status == LiveAccountStatus::Active)
        .count();
    add(
        "organizations:ListTagsForResource",
        u64::try_from(active).expect("small"),
    );
    add(
        "organizations:ListCreateAccountStatus",
        pages(creations, 20),
    );
    // Closed invitations stay listed for 30 days; the tests have fewer than 20 in all.
    add(
        "organizations:ListHandshakesForOrganization",
        pages(state.invitations.len(), 20),
    );
    add("sso-admin:ListInstances", 1);
    if state.instance.is_some() {
        let sets = state.permission_sets.len();
        add("sso-admin:ListPermissionSets", pages(sets, 100));
        let per_set = u64::try_from(sets).expect("small");
        for operation in [
            "DescribePermissionSet",
            "GetInlinePolicyForPermissionSet",
            "GetPermissionsBoundaryForPermissionSet",
            "ListTagsForResource",
            "ListManagedPoliciesInPermissionSet",
            "ListCustomerManagedPolicyReferencesInPermissionSet",
        ] {
            add(&format!("sso-admin:{operation}"), per_set);
        }
        for set in &state.permission_sets {
            let all = state
                .provisioned
                .iter()
                .filter(|pair| pair.permission_set_arn == set.arn)
                .count();
            let outdated = state
                .provisioned
                .iter()
                .filter(|pair| pair.permission_set_arn == set.arn && !pair.current)
                .count();
            add(
                "sso-admin:ListAccountsForProvisionedPermissionSet",
                pages(all, 100) + pages(outdated, 100),
            );
        }
        for pair in &state.provisioned {
            let assignments = state
                .assignments
                .iter()
                .filter(|assignment| {
                    assignment.account_id == pair.account_id
                        && assignment.permission_set_arn == pair.permission_set_arn
                })
                .count();
            add("sso-admin:ListAccountAssignments", pages(assignments, 100));
        }
        add("identitystore:ListUsers", pages(state.users.len(), 100));
        add("identitystore:ListGroups", pages(state.groups.len(), 100));
        for group in &state.groups {
            let members = state
                .memberships
                .iter()
                .filter(|membership| membership.group_id == group.id)
                .count();
            add("identitystore:ListGroupMemberships", pages(members, 100));
        }
    }
    calls
}
