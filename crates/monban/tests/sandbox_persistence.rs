//! `monban sandbox serve` killed with SIGKILL in the middle of work loses nothing: what was
//! created is there exactly once after a restart on the same state directory, requests that
//! were `IN_PROGRESS` still are (same request ids), and they complete once the sandbox clock
//! moves on. Runs the real binary, talks to it with the real AWS SDK clients.
//!
//! Asynchronous operations last an hour here (`--async-duration 3600`), so nothing completes
//! on its own while the test runs; the control API's clock advance completes them.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_identitystore::types::{MemberId, Name};
use aws_sdk_organizations::config::Credentials;
use aws_sdk_organizations::operation::list_accounts::ListAccountsOutput;
use aws_sdk_organizations::operation::list_accounts_for_parent::ListAccountsForParentOutput;
use aws_sdk_organizations::operation::list_create_account_status::ListCreateAccountStatusOutput;
use aws_sdk_organizations::operation::list_organizational_units_for_parent::ListOrganizationalUnitsForParentOutput;
use aws_sdk_organizations::types::CreateAccountState;
use serde_json::{Value, json};

/// Async operations take this long, so they stay `IN_PROGRESS` across the kill.
const ASYNC_SECONDS: u32 = 3600;

/// A running `monban sandbox serve` and its endpoint.
struct Sandbox {
    child: Child,
    url: String,
}

impl Sandbox {
    fn start(state: &Path) -> Self {
        let mut child = Command::new(assert_cmd::cargo::cargo_bin("monban"))
            .args([
                "sandbox",
                "serve",
                "--addr",
                "127.0.0.1:0",
                "--async-duration",
            ])
            .arg(ASYNC_SECONDS.to_string())
            .arg("--state")
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
        Self { child, url }
    }

    /// SIGKILL: no shutdown code runs, the lock is released by the kernel.
    fn kill(mut self) {
        self.child.kill().expect("SIGKILL delivered");
        self.child.wait().expect("reaped");
    }

    async fn sdk(&self) -> SdkConfig {
        aws_config::defaults(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .endpoint_url(&self.url)
            .credentials_provider(Credentials::new(
                monban_emulator::config::DEFAULT_ACCESS_KEY_ID,
                monban_emulator::config::DEFAULT_SECRET_ACCESS_KEY,
                None,
                None,
                "sandbox-persistence-test",
            ))
            .retry_config(aws_config::retry::RetryConfig::disabled())
            .load()
            .await
    }

    async fn control(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut request =
            reqwest::Client::new().request(method, format!("{}/_sandbox/{path}", self.url));
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("the control API answers");
        assert!(response.status().is_success(), "{path}: {response:?}");
        response.json().await.expect("JSON")
    }

    async fn advance_clock(&self, seconds: u32) {
        self.control(
            reqwest::Method::POST,
            "clock/advance",
            Some(json!({ "seconds": seconds })),
        )
        .await;
    }
}

/// Everything listable, as sorted ids (a duplicate shows up as a repeated entry).
#[derive(Debug, PartialEq, Eq)]
struct Snapshot {
    accounts: Vec<String>,
    organizational_units: Vec<String>,
    account_parents: Vec<(String, String)>,
    tags: Vec<(String, String)>,
    users: Vec<String>,
    groups: Vec<String>,
    memberships: Vec<(String, String)>,
    create_account_requests: Vec<(String, String)>,
}

async fn snapshot(sdk: &SdkConfig, identity_store_id: &str, root_id: &str) -> Snapshot {
    let organizations = aws_sdk_organizations::Client::new(sdk);
    let identity_store = aws_sdk_identitystore::Client::new(sdk);

    let mut accounts: Vec<String> = organizations
        .list_accounts()
        .max_results(2)
        .into_paginator()
        .send()
        .try_collect()
        .await
        .expect("ListAccounts")
        .iter()
        .flat_map(ListAccountsOutput::accounts)
        .map(|account| account.id().expect("id").to_owned())
        .collect();
    accounts.sort();

    // The OU tree, breadth first from the root, with each OU's and the root's accounts.
    let mut organizational_units = Vec::new();
    let mut account_parents = Vec::new();
    let mut parents = vec![root_id.to_owned()];
    while let Some(parent) = parents.pop() {
        for account in organizations
            .list_accounts_for_parent()
            .parent_id(&parent)
            .max_results(1)
            .into_paginator()
            .send()
            .try_collect()
            .await
            .expect("ListAccountsForParent")
            .iter()
            .flat_map(ListAccountsForParentOutput::accounts)
        {
            account_parents.push((account.id().expect("id").to_owned(), parent.clone()));
        }
        for ou in organizations
            .list_organizational_units_for_parent()
            .parent_id(&parent)
            .max_results(1)
            .into_paginator()
            .send()
            .try_collect()
            .await
            .expect("ListOrganizationalUnitsForParent")
            .iter()
            .flat_map(ListOrganizationalUnitsForParentOutput::organizational_units)
        {
            let id = ou.id().expect("id").to_owned();
            organizational_units.push(id.clone());
            parents.push(id);
        }
    }
    organizational_units.sort();
    account_parents.sort();

    let mut tags = Vec::new();
    for account in &accounts {
        for tag in organizations
            .list_tags_for_resource()
            .resource_id(account)
            .send()
            .await
            .expect("ListTagsForResource")
            .tags()
        {
            tags.push((account.clone(), format!("{}={}", tag.key(), tag.value())));
        }
    }
    tags.sort();

    let mut users: Vec<String> = identity_store
        .list_users()
        .identity_store_id(identity_store_id)
        .max_results(3)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .expect("ListUsers")
        .into_iter()
        .map(|user| {
            format!(
                "{}={}",
                user.user_name().unwrap_or_default(),
                user.user_id()
            )
        })
        .collect();
    users.sort();
    let groups_listed = identity_store
        .list_groups()
        .identity_store_id(identity_store_id)
        .max_results(1)
        .into_paginator()
        .items()
        .send()
        .try_collect()
        .await
        .expect("ListGroups");
    let mut groups = Vec::new();
    let mut memberships = Vec::new();
    for group in groups_listed {
        groups.push(format!(
            "{}={}",
            group.display_name().unwrap_or_default(),
            group.group_id()
        ));
        for membership in identity_store
            .list_group_memberships()
            .identity_store_id(identity_store_id)
            .group_id(group.group_id())
            .max_results(1)
            .into_paginator()
            .items()
            .send()
            .try_collect()
            .await
            .expect("ListGroupMemberships")
        {
            let user = match membership.member_id() {
                Some(MemberId::UserId(user)) => user.clone(),
                other => panic!("a user member, got {other:?}"),
            };
            memberships.push((group.group_id().to_owned(), user));
        }
    }
    groups.sort();
    memberships.sort();

    let mut create_account_requests: Vec<(String, String)> = organizations
        .list_create_account_status()
        .max_results(2)
        .into_paginator()
        .send()
        .try_collect()
        .await
        .expect("ListCreateAccountStatus")
        .iter()
        .flat_map(ListCreateAccountStatusOutput::create_account_statuses)
        .map(|status| {
            (
                status.id().expect("id").to_owned(),
                status.state().expect("state").as_str().to_owned(),
            )
        })
        .collect();
    create_account_requests.sort();

    Snapshot {
        accounts,
        organizational_units,
        account_parents,
        tags,
        users,
        groups,
        memberships,
        create_account_requests,
    }
}

/// Calls `CreateAccount`; returns the request id (the request is `IN_PROGRESS`).
async fn create_account(organizations: &aws_sdk_organizations::Client, name: &str) -> String {
    let status = organizations
        .create_account()
        .account_name(name)
        .email(format!("{name}@example.com"))
        .send()
        .await
        .expect("CreateAccount")
        .create_account_status
        .expect("a status");
    assert_eq!(status.state(), Some(&CreateAccountState::InProgress));
    status.id().expect("a request id").to_owned()
}

async fn create_account_state(
    organizations: &aws_sdk_organizations::Client,
    request_id: &str,
) -> (CreateAccountState, Option<String>) {
    let status = organizations
        .describe_create_account_status()
        .create_account_request_id(request_id)
        .send()
        .await
        .expect("DescribeCreateAccountStatus")
        .create_account_status
        .expect("a status");
    (
        status.state().expect("state").clone(),
        status.account_id().map(str::to_owned),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_sandbox_restarts_with_everything_and_in_progress_work_completes() {
    let state = tempfile::tempdir().expect("temp dir");
    let sandbox = Sandbox::start(state.path());
    let sdk = sandbox.sdk().await;
    let organizations = aws_sdk_organizations::Client::new(&sdk);
    let identity_store = aws_sdk_identitystore::Client::new(&sdk);
    let health = sandbox.control(reqwest::Method::GET, "health", None).await;
    let root_id = health["root_id"].as_str().expect("root id").to_owned();
    let identity_store_id = health["identity_store_id"]
        .as_str()
        .expect("identity store id")
        .to_owned();

    // Completed work: two nested OUs, an account created, finished, moved and tagged.
    let products = organizations
        .create_organizational_unit()
        .parent_id(&root_id)
        .name("Products")
        .send()
        .await
        .expect("CreateOrganizationalUnit")
        .organizational_unit
        .expect("ou")
        .id
        .expect("id");
    let payments = organizations
        .create_organizational_unit()
        .parent_id(&products)
        .name("Payments")
        .send()
        .await
        .expect("CreateOrganizationalUnit")
        .organizational_unit
        .expect("ou")
        .id
        .expect("id");
    let finished_request = create_account(&organizations, "payments-prod").await;
    sandbox.advance_clock(ASYNC_SECONDS).await;
    let (finished_state, finished_account) =
        create_account_state(&organizations, &finished_request).await;
    assert_eq!(finished_state, CreateAccountState::Succeeded);
    let finished_account = finished_account.expect("the account id");
    organizations
        .move_account()
        .account_id(&finished_account)
        .source_parent_id(&root_id)
        .destination_parent_id(&payments)
        .send()
        .await
        .expect("MoveAccount");
    organizations
        .tag_resource()
        .resource_id(&finished_account)
        .tags(
            aws_sdk_organizations::types::Tag::builder()
                .key("env")
                .value("prod")
                .build()
                .expect("tag"),
        )
        .send()
        .await
        .expect("TagResource");

    // Identity Store: users, a group, memberships (synchronous in AWS too).
    let mut user_ids = Vec::new();
    for name in ["alice", "bob", "carol"] {
        user_ids.push(
            identity_store
                .create_user()
                .identity_store_id(&identity_store_id)
                .user_name(format!("{name}@example.com"))
                .display_name(name)
                .name(Name::builder().given_name(name).family_name("Test").build())
                .send()
                .await
                .expect("CreateUser")
                .user_id
                .clone(),
        );
    }
    let group_id = identity_store
        .create_group()
        .identity_store_id(&identity_store_id)
        .display_name("payments-sre")
        .send()
        .await
        .expect("CreateGroup")
        .group_id
        .clone();
    for user_id in &user_ids[..2] {
        identity_store
            .create_group_membership()
            .identity_store_id(&identity_store_id)
            .group_id(&group_id)
            .member_id(MemberId::UserId(user_id.clone()))
            .send()
            .await
            .expect("CreateGroupMembership");
    }

    // Work in flight at the kill: three CreateAccount requests, an hour from done.
    let mut in_flight = Vec::new();
    for name in ["search-prod", "search-dev", "sandbox-1"] {
        in_flight.push(create_account(&organizations, name).await);
    }
    in_flight.sort();

    let before = snapshot(&sdk, &identity_store_id, &root_id).await;
    assert_eq!(before.accounts.len(), 2, "management + payments-prod");
    assert_eq!(before.users.len(), 3);
    assert_eq!(before.memberships.len(), 2);
    let in_progress_before: Vec<_> = before
        .create_account_requests
        .iter()
        .filter(|(_, state)| state == "IN_PROGRESS")
        .map(|(id, _)| id.clone())
        .collect();
    assert_eq!(in_progress_before, in_flight);

    sandbox.kill();

    // Restart on the same directory: everything is there, once; the requests still run.
    let sandbox = Sandbox::start(state.path());
    let sdk = sandbox.sdk().await;
    let organizations = aws_sdk_organizations::Client::new(&sdk);
    let health_after = sandbox.control(reqwest::Method::GET, "health", None).await;
    for key in [
        "organization_id",
        "root_id",
        "instance_arn",
        "identity_store_id",
    ] {
        assert_eq!(health_after[key], health[key], "{key} survives the kill");
    }
    assert!(
        health_after["clock_offset_seconds"].as_f64() >= Some(f64::from(ASYNC_SECONDS)),
        "the clock offset survives: {health_after}"
    );
    let after = snapshot(&sdk, &identity_store_id, &root_id).await;
    assert_eq!(after, before, "nothing lost or duplicated by the kill");
    for request_id in &in_flight {
        let (state, account) = create_account_state(&organizations, request_id).await;
        assert_eq!(state, CreateAccountState::InProgress, "{request_id}");
        assert_eq!(account, None);
    }

    // The clock moves on: the same requests complete, each into exactly one new account.
    sandbox.advance_clock(ASYNC_SECONDS).await;
    let mut new_accounts = BTreeSet::new();
    for request_id in &in_flight {
        let (state, account) = create_account_state(&organizations, request_id).await;
        assert_eq!(state, CreateAccountState::Succeeded, "{request_id}");
        new_accounts.insert(account.expect("an account id"));
    }
    assert_eq!(new_accounts.len(), 3);
    let completed = snapshot(&sdk, &identity_store_id, &root_id).await;
    let mut expected_accounts: Vec<String> = before.accounts.clone();
    expected_accounts.extend(new_accounts.iter().cloned());
    expected_accounts.sort();
    assert_eq!(completed.accounts, expected_accounts);
    let mut expected_requests: Vec<(String, String)> = before
        .create_account_requests
        .iter()
        .map(|(id, _)| (id.clone(), "SUCCEEDED".to_owned()))
        .collect();
    expected_requests.sort();
    assert_eq!(completed.create_account_requests, expected_requests);
    assert_eq!(
        (&completed.users, &completed.groups, &completed.memberships),
        (&before.users, &before.groups, &before.memberships)
    );

    // Killed again after completion: completion is not applied a second time.
    sandbox.kill();
    let sandbox = Sandbox::start(state.path());
    let sdk = sandbox.sdk().await;
    assert_eq!(
        snapshot(&sdk, &identity_store_id, &root_id).await,
        completed,
        "completed work is kept exactly once across a second kill"
    );
    sandbox.kill();
}
