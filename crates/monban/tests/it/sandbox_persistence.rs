//! `monban sandbox serve` killed with SIGKILL in the middle of work loses nothing: what was
//! created is there exactly once after a restart on the same state directory, requests that
//! were `IN_PROGRESS` still are (same request ids), and they complete once the sandbox clock
//! moves on. Runs the real binary, talks to it with the real AWS SDK clients.
//!
//! Covered: Organizations (OUs, accounts, parents, tags, `CreateAccount` requests), the
//! Identity Store (users, groups, memberships), SSO Admin (permission sets, account
//! assignments and their creation requests, provisioned copies and provisioning requests).
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
use aws_sdk_ssoadmin::operation::list_account_assignment_creation_status::ListAccountAssignmentCreationStatusOutput;
use aws_sdk_ssoadmin::operation::list_permission_set_provisioning_status::ListPermissionSetProvisioningStatusOutput;
use aws_sdk_ssoadmin::operation::list_permission_sets::ListPermissionSetsOutput;
use aws_sdk_ssoadmin::types::{PrincipalType, ProvisionTargetType, StatusValues, TargetType};
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

impl Drop for Sandbox {
    /// A failing test must not leave a server running (kills again after `kill`: harmless).
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The ids of a fresh sandbox (from the control API's health answer).
struct FreshIds {
    root_id: String,
    identity_store_id: String,
    instance_arn: String,
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
    sso_admin: SsoAdminSnapshot,
}

/// SSO Admin's side: (name, ARN) of permission sets; (account, permission set, principal)
/// assignments; (account, permission set) provisioned copies; (request id, status) of
/// assignment creations and provisionings.
#[derive(Debug, PartialEq, Eq)]
struct SsoAdminSnapshot {
    permission_sets: Vec<(String, String)>,
    assignments: Vec<(String, String, String)>,
    provisioned: Vec<(String, String)>,
    assignment_requests: Vec<(String, String)>,
    provisioning_requests: Vec<(String, String)>,
}

async fn sso_admin_snapshot(
    sdk: &SdkConfig,
    instance_arn: &str,
    accounts: &[String],
) -> SsoAdminSnapshot {
    let sso_admin = aws_sdk_ssoadmin::Client::new(sdk);
    let arns: Vec<String> = sso_admin
        .list_permission_sets()
        .instance_arn(instance_arn)
        .max_results(1)
        .into_paginator()
        .send()
        .try_collect()
        .await
        .expect("ListPermissionSets")
        .iter()
        .flat_map(ListPermissionSetsOutput::permission_sets)
        .cloned()
        .collect();
    let mut permission_sets = Vec::new();
    for arn in &arns {
        let described = sso_admin
            .describe_permission_set()
            .instance_arn(instance_arn)
            .permission_set_arn(arn)
            .send()
            .await
            .expect("DescribePermissionSet")
            .permission_set
            .expect("a permission set");
        permission_sets.push((described.name().expect("name").to_owned(), arn.clone()));
    }
    permission_sets.sort();

    let mut assignments = Vec::new();
    let mut provisioned = Vec::new();
    for account in accounts {
        for arn in &arns {
            for page in sso_admin
                .list_account_assignments()
                .instance_arn(instance_arn)
                .account_id(account)
                .permission_set_arn(arn)
                .max_results(1)
                .into_paginator()
                .send()
                .try_collect()
                .await
                .expect("ListAccountAssignments")
            {
                for assignment in page.account_assignments() {
                    assignments.push((
                        account.clone(),
                        arn.clone(),
                        format!(
                            "{}:{}",
                            assignment.principal_type().expect("type").as_str(),
                            assignment.principal_id().expect("id")
                        ),
                    ));
                }
            }
        }
        for page in sso_admin
            .list_permission_sets_provisioned_to_account()
            .instance_arn(instance_arn)
            .account_id(account)
            .max_results(1)
            .into_paginator()
            .send()
            .try_collect()
            .await
            .expect("ListPermissionSetsProvisionedToAccount")
        {
            for arn in page.permission_sets() {
                provisioned.push((account.clone(), arn.clone()));
            }
        }
    }
    assignments.sort();
    provisioned.sort();

    let mut assignment_requests: Vec<(String, String)> = sso_admin
        .list_account_assignment_creation_status()
        .instance_arn(instance_arn)
        .max_results(1)
        .into_paginator()
        .send()
        .try_collect()
        .await
        .expect("ListAccountAssignmentCreationStatus")
        .iter()
        .flat_map(ListAccountAssignmentCreationStatusOutput::account_assignments_creation_status)
        .map(|status| {
            (
                status.request_id().expect("id").to_owned(),
                status.status().expect("status").as_str().to_owned(),
            )
        })
        .collect();
    assignment_requests.sort();
    let mut provisioning_requests: Vec<(String, String)> = sso_admin
        .list_permission_set_provisioning_status()
        .instance_arn(instance_arn)
        .max_results(1)
        .into_paginator()
        .send()
        .try_collect()
        .await
        .expect("ListPermissionSetProvisioningStatus")
        .iter()
        .flat_map(ListPermissionSetProvisioningStatusOutput::permission_sets_provisioning_status)
        .map(|status| {
            (
                status.request_id().expect("id").to_owned(),
                status.status().expect("status").as_str().to_owned(),
            )
        })
        .collect();
    provisioning_requests.sort();

    SsoAdminSnapshot {
        permission_sets,
        assignments,
        provisioned,
        assignment_requests,
        provisioning_requests,
    }
}

async fn snapshot(sdk: &SdkConfig, ids: &FreshIds) -> Snapshot {
    let FreshIds {
        root_id,
        identity_store_id,
        instance_arn,
    } = ids;
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
    let mut parents = vec![root_id.clone()];
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

    let sso_admin = sso_admin_snapshot(sdk, instance_arn, &accounts).await;
    Snapshot {
        accounts,
        organizational_units,
        account_parents,
        tags,
        users,
        groups,
        memberships,
        create_account_requests,
        sso_admin,
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

/// Calls `CreateAccountAssignment`; returns the request id (the request is `IN_PROGRESS`).
async fn create_assignment(
    sso_admin: &aws_sdk_ssoadmin::Client,
    instance_arn: &str,
    account_id: &str,
    permission_set_arn: &str,
    principal_type: PrincipalType,
    principal_id: &str,
) -> String {
    let status = sso_admin
        .create_account_assignment()
        .instance_arn(instance_arn)
        .target_id(account_id)
        .target_type(TargetType::AwsAccount)
        .permission_set_arn(permission_set_arn)
        .principal_type(principal_type)
        .principal_id(principal_id)
        .send()
        .await
        .expect("CreateAccountAssignment")
        .account_assignment_creation_status
        .expect("a status");
    assert_eq!(status.status(), Some(&StatusValues::InProgress));
    status.request_id().expect("a request id").to_owned()
}

async fn assignment_status(
    sso_admin: &aws_sdk_ssoadmin::Client,
    instance_arn: &str,
    request_id: &str,
) -> StatusValues {
    sso_admin
        .describe_account_assignment_creation_status()
        .instance_arn(instance_arn)
        .account_assignment_creation_request_id(request_id)
        .send()
        .await
        .expect("DescribeAccountAssignmentCreationStatus")
        .account_assignment_creation_status
        .expect("a status")
        .status
        .expect("a status value")
}

async fn provisioning_status(
    sso_admin: &aws_sdk_ssoadmin::Client,
    instance_arn: &str,
    request_id: &str,
) -> StatusValues {
    sso_admin
        .describe_permission_set_provisioning_status()
        .instance_arn(instance_arn)
        .provision_permission_set_request_id(request_id)
        .send()
        .await
        .expect("DescribePermissionSetProvisioningStatus")
        .permission_set_provisioning_status
        .expect("a status")
        .status
        .expect("a status value")
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
    let instance_arn = health["instance_arn"]
        .as_str()
        .expect("instance arn")
        .to_owned();
    let ids = FreshIds {
        root_id: root_id.clone(),
        identity_store_id: identity_store_id.clone(),
        instance_arn: instance_arn.clone(),
    };

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

    // SSO Admin: three permission sets; one assignment completed (the group, Admin).
    let sso_admin = aws_sdk_ssoadmin::Client::new(&sdk);
    let mut permission_sets = Vec::new();
    for name in ["Admin", "ReadOnly", "Billing"] {
        permission_sets.push(
            sso_admin
                .create_permission_set()
                .instance_arn(&instance_arn)
                .name(name)
                .session_duration("PT4H")
                .send()
                .await
                .expect("CreatePermissionSet")
                .permission_set
                .expect("a permission set")
                .permission_set_arn
                .expect("an arn"),
        );
    }
    let [admin, read_only, billing] = &permission_sets[..] else {
        unreachable!("three permission sets were created")
    };
    let completed_assignment = create_assignment(
        &sso_admin,
        &instance_arn,
        &finished_account,
        admin,
        PrincipalType::Group,
        &group_id,
    )
    .await;
    sandbox.advance_clock(ASYNC_SECONDS).await;
    assert_eq!(
        assignment_status(&sso_admin, &instance_arn, &completed_assignment).await,
        StatusValues::Succeeded
    );

    // Work in flight at the kill, an hour from done: three CreateAccount requests, an
    // assignment of alice (ReadOnly) and a provisioning of Billing into the account.
    let mut in_flight = Vec::new();
    for name in ["search-prod", "search-dev", "sandbox-1"] {
        in_flight.push(create_account(&organizations, name).await);
    }
    in_flight.sort();
    let assignment_in_flight = create_assignment(
        &sso_admin,
        &instance_arn,
        &finished_account,
        read_only,
        PrincipalType::User,
        &user_ids[0],
    )
    .await;
    let provisioning_in_flight = sso_admin
        .provision_permission_set()
        .instance_arn(&instance_arn)
        .permission_set_arn(billing)
        .target_type(ProvisionTargetType::AwsAccount)
        .target_id(&finished_account)
        .send()
        .await
        .expect("ProvisionPermissionSet")
        .permission_set_provisioning_status
        .expect("a status")
        .request_id
        .expect("a request id");

    let before = snapshot(&sdk, &ids).await;
    assert_eq!(before.accounts.len(), 2, "management + payments-prod");
    assert_eq!(before.users.len(), 3);
    assert_eq!(before.memberships.len(), 2);
    assert_eq!(
        before.sso_admin.assignments,
        vec![(
            finished_account.clone(),
            admin.clone(),
            format!("GROUP:{group_id}")
        )],
        "only the completed assignment is listed"
    );
    assert_eq!(
        before.sso_admin.provisioned,
        vec![(finished_account.clone(), admin.clone())]
    );
    let mut expected_statuses = vec![
        (completed_assignment.clone(), "SUCCEEDED".to_owned()),
        (assignment_in_flight.clone(), "IN_PROGRESS".to_owned()),
    ];
    expected_statuses.sort();
    assert_eq!(before.sso_admin.assignment_requests, expected_statuses);
    assert_eq!(
        before.sso_admin.provisioning_requests,
        vec![(provisioning_in_flight.clone(), "IN_PROGRESS".to_owned())]
    );
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
    let after = snapshot(&sdk, &ids).await;
    assert_eq!(after, before, "nothing lost or duplicated by the kill");
    for request_id in &in_flight {
        let (state, account) = create_account_state(&organizations, request_id).await;
        assert_eq!(state, CreateAccountState::InProgress, "{request_id}");
        assert_eq!(account, None);
    }
    let sso_admin = aws_sdk_ssoadmin::Client::new(&sdk);
    assert_eq!(
        assignment_status(&sso_admin, &instance_arn, &assignment_in_flight).await,
        StatusValues::InProgress
    );
    assert_eq!(
        provisioning_status(&sso_admin, &instance_arn, &provisioning_in_flight).await,
        StatusValues::InProgress
    );

    // The clock moves on: the same requests complete, each into exactly one new account.
    sandbox.advance_clock(ASYNC_SECONDS).await;
    let mut new_accounts = BTreeSet::new();
    for request_id in &in_flight {
        let (state, account) = create_account_state(&organizations, request_id).await;
        assert_eq!(state, CreateAccountState::Succeeded, "{request_id}");
        new_accounts.insert(account.expect("an account id"));
    }
    assert_eq!(new_accounts.len(), 3);
    let completed = snapshot(&sdk, &ids).await;
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
    assert_eq!(
        assignment_status(&sso_admin, &instance_arn, &assignment_in_flight).await,
        StatusValues::Succeeded
    );
    assert_eq!(
        provisioning_status(&sso_admin, &instance_arn, &provisioning_in_flight).await,
        StatusValues::Succeeded
    );
    let mut expected_assignments = vec![
        (
            finished_account.clone(),
            admin.clone(),
            format!("GROUP:{group_id}"),
        ),
        (
            finished_account.clone(),
            read_only.clone(),
            format!("USER:{}", user_ids[0]),
        ),
    ];
    expected_assignments.sort();
    assert_eq!(completed.sso_admin.assignments, expected_assignments);
    let mut expected_provisioned: Vec<(String, String)> = permission_sets
        .iter()
        .map(|arn| (finished_account.clone(), arn.clone()))
        .collect();
    expected_provisioned.sort();
    assert_eq!(completed.sso_admin.provisioned, expected_provisioned);
    assert_eq!(
        completed.sso_admin.permission_sets,
        before.sso_admin.permission_sets
    );
    assert!(
        completed
            .sso_admin
            .assignment_requests
            .iter()
            .chain(&completed.sso_admin.provisioning_requests)
            .all(|(_, status)| status == "SUCCEEDED"),
        "{:?}",
        completed.sso_admin
    );

    // Killed again after completion: completion is not applied a second time.
    sandbox.kill();
    let sandbox = Sandbox::start(state.path());
    let sdk = sandbox.sdk().await;
    assert_eq!(
        snapshot(&sdk, &ids).await,
        completed,
        "completed work is kept exactly once across a second kill"
    );
    sandbox.kill();
}
