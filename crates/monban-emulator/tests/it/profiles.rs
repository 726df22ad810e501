//! The realistic profile (AWS's rate and concurrency limits, async durations and the time
//! scale) and fault injection, through the real SDK clients. SDK retries are off in the
//! harness, so every refusal reaches the test as the sandbox sent it.

use std::time::{Duration, Instant};

use aws_sdk_identitystore::Client as IdentityStore;
use aws_sdk_organizations::Client as Organizations;
use aws_sdk_ssoadmin::Client as SsoAdmin;
use aws_sdk_ssoadmin::types::{PrincipalType, ProvisionTargetType, StatusValues, TargetType};
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_runtime_api::http::Response as HttpResponse;
use monban_emulator::{Config, FaultSettings, Profile, RunningServer};
use serde_json::{Value, json};

use crate::common;

fn realistic(time_scale: f64) -> Config {
    Config {
        profile: Profile::Realistic,
        time_scale,
        seed: Some(7),
        ..Config::default()
    }
}

/// The HTTP status of a failed SDK call.
fn status<E>(error: &SdkError<E, HttpResponse>) -> u16 {
    error
        .raw_response()
        .map_or(0, |response| response.status().as_u16())
}

/// Seeds `accounts` member accounts (`a00`, `a01`, …), one group and the permission sets
/// `names`; returns (instance ARN, account ids, group id, permission-set ARNs by name).
async fn seed_sso(
    server: &RunningServer,
    accounts: usize,
    names: &[&str],
) -> (String, Vec<String>, String, Vec<String>) {
    let endpoint = server.endpoint_url();
    let accounts_json: Vec<Value> = (0..accounts)
        .map(|index| json!({"name": format!("a{index:02}"), "email": format!("a{index:02}@example.com")}))
        .collect();
    let permission_sets: Vec<Value> = names.iter().map(|name| json!({"name": name})).collect();
    let seeded = common::seed(
        &endpoint,
        &json!({
            "accounts": accounts_json,
            "groups": [{"display_name": "admins"}],
            "permission_sets": permission_sets,
        }),
    )
    .await;
    let account_ids = (0..accounts)
        .map(|index| {
            seeded["accounts"][format!("a{index:02}")]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    let arns = names
        .iter()
        .map(|name| {
            seeded["permission_sets"][*name]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    let instance = common::control_get(&endpoint, "health").await["instance_arn"]
        .as_str()
        .unwrap()
        .to_owned();
    (
        instance,
        account_ids,
        seeded["groups"]["admins"].as_str().unwrap().to_owned(),
        arns,
    )
}

async fn requests(server: &RunningServer) -> Vec<Value> {
    common::control_get(&server.endpoint_url(), "requests").await["requests"]
        .as_array()
        .unwrap()
        .clone()
}

#[tokio::test]
async fn a_burst_beyond_sso_admins_collective_bucket_is_throttled_and_the_bucket_refills() {
    let (server, sdk) = common::start_with(realistic(1.0)).await;
    let client = SsoAdmin::new(&sdk);
    let instance = common::control_get(&server.endpoint_url(), "health").await["instance_arn"]
        .as_str()
        .unwrap()
        .to_owned();
    // 20 of each of two operations at once: one bucket of 20 for the whole API. Each
    // refusal as (HTTP status, is ThrottlingException, message).
    let mut tasks = tokio::task::JoinSet::new();
    for index in 0..40 {
        let client = client.clone();
        let instance = instance.clone();
        tasks.spawn(async move {
            if index % 2 == 0 {
                client
                    .list_instances()
                    .send()
                    .await
                    .map(drop)
                    .map_err(|error| {
                        let code = status(&error);
                        let error = error.into_service_error();
                        let message = error.meta().message().map(str::to_owned);
                        (code, error.is_throttling_exception(), message)
                    })
            } else {
                let result = client
                    .list_permission_sets()
                    .instance_arn(instance)
                    .send()
                    .await;
                result.map(drop).map_err(|error| {
                    let code = status(&error);
                    let error = error.into_service_error();
                    let message = error.meta().message().map(str::to_owned);
                    (code, error.is_throttling_exception(), message)
                })
            }
        });
    }
    let mut ok = 0;
    let mut refused = Vec::new();
    while let Some(result) = tasks.join_next().await {
        match result.unwrap() {
            Ok(()) => ok += 1,
            Err(refusal) => refused.push(refusal),
        }
    }
    // The burst of 20 plus what refilled (20/s) while the 40 were served — with separate
    // buckets per operation all 40 would pass.
    assert!((20..40).contains(&ok), "{ok} succeeded");
    for refusal in &refused {
        assert_eq!(refusal, &(400, true, Some("Rate exceeded".to_owned())));
    }
    // The bucket refills at 20/s.
    tokio::time::sleep(Duration::from_millis(120)).await;
    client.list_instances().send().await.unwrap();
    let log = requests(&server).await;
    assert_eq!(log.len(), 41, "every request is logged once");
    let limited = log
        .iter()
        .filter(|entry| entry["injected"] == "rate-limit")
        .count();
    assert_eq!(limited, refused.len());
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn organizations_buckets_are_per_api_with_awss_error() {
    let (server, sdk) = common::start_with(realistic(1.0)).await;
    let client = Organizations::new(&sdk);
    // DescribeOrganization: 1/s, burst 2.
    client.describe_organization().send().await.unwrap();
    client.describe_organization().send().await.unwrap();
    let error = client.describe_organization().send().await.unwrap_err();
    assert_eq!(status(&error), 400);
    let error = error.into_service_error();
    assert!(error.is_too_many_requests_exception(), "{error:?}");
    let aws_sdk_organizations::operation::describe_organization::DescribeOrganizationError::TooManyRequestsException(
        exception,
    ) = error
    else {
        unreachable!()
    };
    assert_eq!(exception.r#type(), Some("RequestThrottled"));
    assert_eq!(
        exception.message(),
        Some("You have sent too many requests in too short a period of time. Try again later.")
    );
    // Another API has its own bucket (ListAccounts: 8/s, burst 12): at least the burst
    // passes, then it is throttled (a slow machine refills a few tokens meanwhile).
    let mut passed = 0;
    let throttled = loop {
        match client.list_accounts().send().await {
            Ok(_) => passed += 1,
            Err(error) => break error.into_service_error(),
        }
        assert!(passed < 40, "ListAccounts is never throttled");
    };
    assert!(passed >= 12, "{passed}");
    assert!(throttled.is_too_many_requests_exception(), "{throttled:?}");
    // CreateAccount: 0.1/s, burst 3 — the fourth in a row is throttled, and nothing is
    // created for it.
    for index in 0..3 {
        client
            .create_account()
            .email(format!("new{index}@example.com"))
            .account_name(format!("new{index}"))
            .send()
            .await
            .unwrap();
    }
    let error = client
        .create_account()
        .email("new3@example.com")
        .account_name("new3")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(error.is_too_many_requests_exception(), "{error:?}");
    // The DescribeOrganization bucket refills at 1/s.
    tokio::time::sleep(Duration::from_millis(1_050)).await;
    client.describe_organization().send().await.unwrap();
    let statuses = client
        .list_create_account_status()
        .send()
        .await
        .unwrap()
        .create_account_statuses
        .unwrap_or_default();
    assert_eq!(statuses.len(), 3);
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn identity_store_limits_each_api_separately_and_says_when_to_retry() {
    let (server, sdk) = common::start_with(realistic(1.0)).await;
    let store = common::control_get(&server.endpoint_url(), "health").await["identity_store_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let client = IdentityStore::new(&sdk);
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..60 {
        let client = client.clone();
        let store = store.clone();
        tasks.spawn(async move { client.list_users().identity_store_id(store).send().await });
    }
    let mut throttled = None;
    while let Some(result) = tasks.join_next().await {
        if let Err(error) = result.unwrap() {
            throttled = Some(error);
        }
    }
    let error = throttled
        .expect("60 concurrent ListUsers exceed 20/s")
        .into_service_error();
    let aws_sdk_identitystore::operation::list_users::ListUsersError::ThrottlingException(
        exception,
    ) = error
    else {
        panic!("{error:?}")
    };
    assert_eq!(exception.retry_after_seconds(), 1);
    assert!(exception.request_id().is_some());
    // ListGroups has its own bucket.
    client
        .list_groups()
        .identity_store_id(&store)
        .send()
        .await
        .unwrap();
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn the_sixteenth_outstanding_create_account_assignment_is_refused() {
    let (server, sdk) = common::start_with(realistic(1.0)).await;
    let (instance, accounts, group, arns) = seed_sso(&server, 17, &["Admin"]).await;
    let client = SsoAdmin::new(&sdk);
    let create = |account: &str| {
        client
            .create_account_assignment()
            .instance_arn(&instance)
            .target_id(account)
            .target_type(TargetType::AwsAccount)
            .permission_set_arn(&arns[0])
            .principal_type(PrincipalType::Group)
            .principal_id(&group)
            .send()
    };
    for account in &accounts[..15] {
        create(account).await.unwrap();
    }
    let error = create(&accounts[15]).await.unwrap_err();
    assert_eq!(status(&error), 400);
    let error = error.into_service_error();
    assert!(error.is_throttling_exception(), "{error:?}");
    assert_eq!(
        error.meta().message(),
        Some("There are too many requests processing. Please try again later.")
    );
    // Once they complete (4 s in the realistic profile), there is room again.
    common::control_post(
        &server.endpoint_url(),
        "clock/advance",
        &json!({"seconds": 5}),
    )
    .await;
    create(&accounts[15]).await.unwrap();
    create(&accounts[16]).await.unwrap();
    // The refused request created nothing: 17 assignment requests in all.
    let statuses = client
        .list_account_assignment_creation_status()
        .instance_arn(&instance)
        .send()
        .await
        .unwrap()
        .account_assignments_creation_status
        .unwrap_or_default();
    assert_eq!(statuses.len(), 17);
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn the_fourth_concurrent_provisioning_is_refused_and_one_role_update_per_account() {
    let (server, sdk) = common::start_with(realistic(1.0)).await;
    let (instance, accounts, group, arns) = seed_sso(&server, 4, &["Admin", "ReadOnly"]).await;
    let client = SsoAdmin::new(&sdk);
    let provision = |arn: &str, account: &str| {
        client
            .provision_permission_set()
            .instance_arn(&instance)
            .permission_set_arn(arn)
            .target_type(ProvisionTargetType::AwsAccount)
            .target_id(account)
            .send()
    };
    for account in &accounts[..3] {
        provision(&arns[0], account).await.unwrap();
    }
    let error = provision(&arns[0], &accounts[3])
        .await
        .unwrap_err()
        .into_service_error();
    assert!(error.is_throttling_exception(), "{error:?}");
    assert_eq!(
        error.meta().message(),
        Some("There are too many requests processing. Please try again later.")
    );
    // One role update per account at a time: another permission set in a busy account is a
    // conflict, whether an assignment or a provisioning.
    let error = client
        .create_account_assignment()
        .instance_arn(&instance)
        .target_id(&accounts[0])
        .target_type(TargetType::AwsAccount)
        .permission_set_arn(&arns[1])
        .principal_type(PrincipalType::Group)
        .principal_id(&group)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(error.is_conflict_exception(), "{error:?}");
    assert_eq!(
        error.meta().message(),
        Some("There is a conflicting operation in process.")
    );
    common::control_post(
        &server.endpoint_url(),
        "clock/advance",
        &json!({"seconds": 6}),
    )
    .await;
    provision(&arns[0], &accounts[3]).await.unwrap();
    client
        .create_account_assignment()
        .instance_arn(&instance)
        .target_id(&accounts[0])
        .target_type(TargetType::AwsAccount)
        .permission_set_arn(&arns[1])
        .principal_type(PrincipalType::Group)
        .principal_id(&group)
        .send()
        .await
        .unwrap();
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn the_fast_profile_has_no_limits() {
    let (server, sdk) = common::start().await;
    let (instance, accounts, _, arns) = seed_sso(&server, 5, &["Admin"]).await;
    let client = SsoAdmin::new(&sdk);
    for account in &accounts {
        client
            .provision_permission_set()
            .instance_arn(&instance)
            .permission_set_arn(&arns[0])
            .target_type(ProvisionTargetType::AwsAccount)
            .target_id(account)
            .send()
            .await
            .unwrap();
    }
    let organizations = Organizations::new(&sdk);
    for _ in 0..10 {
        organizations.describe_organization().send().await.unwrap();
    }
    let profile = common::control_get(&server.endpoint_url(), "profile").await;
    assert_eq!(profile["profile"], "fast");
    assert_eq!(profile["rate_limits"], false);
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn the_time_scale_makes_every_duration_that_many_times_shorter() {
    let (server, sdk) = common::start_with(realistic(60.0)).await;
    let profile = common::control_get(&server.endpoint_url(), "profile").await;
    assert_eq!(profile["profile"], "realistic");
    assert_eq!(profile["time_scale"], 60.0);
    assert_eq!(profile["async_durations_seconds"]["CreateAccount"], 0.5);
    let (instance, accounts, group, arns) = seed_sso(&server, 1, &["Admin"]).await;
    let organizations = Organizations::new(&sdk);
    let started = organizations
        .create_account()
        .email("scaled@example.com")
        .account_name("scaled")
        .send()
        .await
        .unwrap()
        .create_account_status
        .unwrap();
    let client = SsoAdmin::new(&sdk);
    let assignment = client
        .create_account_assignment()
        .instance_arn(&instance)
        .target_id(&accounts[0])
        .target_type(TargetType::AwsAccount)
        .permission_set_arn(&arns[0])
        .principal_type(PrincipalType::Group)
        .principal_id(&group)
        .send()
        .await
        .unwrap()
        .account_assignment_creation_status
        .unwrap();
    assert_eq!(assignment.status(), Some(&StatusValues::InProgress));
    // 4 s / 60 ≈ 67 ms of real time.
    tokio::time::sleep(Duration::from_millis(150)).await;
    let assignment = client
        .describe_account_assignment_creation_status()
        .instance_arn(&instance)
        .account_assignment_creation_request_id(assignment.request_id().unwrap())
        .send()
        .await
        .unwrap()
        .account_assignment_creation_status
        .unwrap();
    assert_eq!(assignment.status(), Some(&StatusValues::Succeeded));
    // 30 s / 60 = 0.5 s: still running at 150 ms, done by 600 ms, and the stored times are
    // exactly 0.5 s apart.
    let describe = || {
        organizations
            .describe_create_account_status()
            .create_account_request_id(started.id().unwrap())
            .send()
    };
    let status = describe().await.unwrap().create_account_status.unwrap();
    assert_eq!(
        status.state(),
        Some(&aws_sdk_organizations::types::CreateAccountState::InProgress)
    );
    tokio::time::sleep(Duration::from_millis(450)).await;
    let status = describe().await.unwrap().create_account_status.unwrap();
    assert_eq!(
        status.state(),
        Some(&aws_sdk_organizations::types::CreateAccountState::Succeeded)
    );
    let took = status.completed_timestamp().unwrap().as_secs_f64()
        - status.requested_timestamp().unwrap().as_secs_f64();
    assert!((took - 0.5).abs() < 0.002, "{took}");
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_per_operation_fault_fails_only_that_operation_changes_nothing_and_is_logged() {
    let (server, sdk) = common::start_with(Config {
        faults: FaultSettings::parse(
            "CreatePermissionSet.conflict=1,organizations:CreateAccount.conflict=1",
        )
        .unwrap(),
        seed: Some(1),
        ..Config::default()
    })
    .await;
    let instance = common::control_get(&server.endpoint_url(), "health").await["instance_arn"]
        .as_str()
        .unwrap()
        .to_owned();
    let client = SsoAdmin::new(&sdk);
    let error = client
        .create_permission_set()
        .instance_arn(&instance)
        .name("Admin")
        .send()
        .await
        .unwrap_err();
    assert_eq!(status(&error), 400);
    let error = error.into_service_error();
    assert!(error.is_conflict_exception(), "{error:?}");
    assert_eq!(
        error.meta().message(),
        Some("There is a conflicting operation in process.")
    );
    let listed = client
        .list_permission_sets()
        .instance_arn(&instance)
        .send()
        .await
        .unwrap();
    assert!(
        listed.permission_sets().is_empty(),
        "a faulted request created nothing"
    );
    let organizations = Organizations::new(&sdk);
    let error = organizations
        .create_account()
        .email("x@example.com")
        .account_name("x")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(error.is_concurrent_modification_exception(), "{error:?}");
    assert!(
        organizations
            .list_create_account_status()
            .send()
            .await
            .unwrap()
            .create_account_statuses()
            .is_empty()
    );
    let log = requests(&server).await;
    let outcomes: Vec<(&str, &str, Option<&str>)> = log
        .iter()
        .map(|entry| {
            (
                entry["operation"].as_str().unwrap(),
                entry["outcome"].as_str().unwrap(),
                entry["injected"].as_str(),
            )
        })
        .collect();
    assert_eq!(
        outcomes,
        [
            ("CreatePermissionSet", "error", Some("conflict")),
            ("ListPermissionSets", "ok", None),
            ("CreateAccount", "error", Some("conflict")),
            ("ListCreateAccountStatus", "ok", None),
        ]
    );
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn global_faults_set_through_the_control_api_use_each_services_errors_and_clear() {
    let (server, sdk) = common::start().await;
    let endpoint = server.endpoint_url();
    let (code, body) = common::control_post(
        &endpoint,
        "faults",
        &json!({"global": {"server_error": 1.0}, "seed": 3}),
    )
    .await;
    assert_eq!(code, 200, "{body}");
    assert_eq!(common::control_get(&endpoint, "faults").await, body);
    assert_eq!(body["seed"], 3);
    let organizations = Organizations::new(&sdk);
    let error = organizations
        .describe_organization()
        .send()
        .await
        .unwrap_err();
    assert_eq!(status(&error), 500);
    assert!(error.into_service_error().is_service_exception());
    let error = SsoAdmin::new(&sdk)
        .list_instances()
        .send()
        .await
        .unwrap_err();
    assert_eq!(status(&error), 500);
    assert!(error.into_service_error().is_internal_server_exception());
    // POST replaces the settings: now only ListRoots fails, throttled.
    common::control_post(
        &endpoint,
        "faults",
        &json!({"operations": {"ListRoots": {"throttle": 1.0}}}),
    )
    .await;
    let error = organizations.list_roots().send().await.unwrap_err();
    assert_eq!(status(&error), 400);
    assert!(error.into_service_error().is_too_many_requests_exception());
    organizations.describe_organization().send().await.unwrap();
    // Invalid settings are refused and change nothing.
    let (code, body) =
        common::control_post(&endpoint, "faults", &json!({"global": {"throttle": 2.0}})).await;
    assert_eq!(code, 400, "{body}");
    assert_eq!(body["error"], "InvalidFaults");
    assert!(organizations.list_roots().send().await.is_err());
    // DELETE clears.
    let cleared = reqwest::Client::new()
        .delete(format!("{endpoint}/_sandbox/faults"))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(cleared["operations"], json!({}));
    organizations.list_roots().send().await.unwrap();
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn faults_are_reproducible_under_a_seed_and_reset_restores_the_runs_faults() {
    let (server, sdk) = common::start_with(Config {
        faults: FaultSettings::parse("ListRoots.throttle=0.5").unwrap(),
        seed: Some(99),
        ..Config::default()
    })
    .await;
    let endpoint = server.endpoint_url();
    let organizations = Organizations::new(&sdk);
    let run = || async {
        let mut pattern = Vec::new();
        for _ in 0..24 {
            pattern.push(organizations.list_roots().send().await.is_ok());
        }
        pattern
    };
    let first = run().await;
    assert!(first.contains(&true) && first.contains(&false), "{first:?}");
    // Setting the same faults again restarts the decisions from the seed.
    common::control_post(
        &endpoint,
        "faults",
        &json!({"operations": {"ListRoots": {"throttle": 0.5}}}),
    )
    .await;
    assert_eq!(run().await, first);
    // Another seed, another pattern.
    common::control_post(
        &endpoint,
        "faults",
        &json!({"operations": {"ListRoots": {"throttle": 0.5}}, "seed": 100}),
    )
    .await;
    assert_ne!(run().await, first);
    // Reset brings back the run's faults and seed.
    common::control_post(&endpoint, "reset", &json!({})).await;
    assert_eq!(common::control_get(&endpoint, "faults").await["seed"], 99);
    assert_eq!(run().await, first);
    let log = requests(&server).await;
    assert_eq!(log.len(), 24);
    let throttled = first.iter().filter(|ok| !**ok).count();
    assert_eq!(
        log.iter()
            .filter(|entry| entry["injected"] == "throttle")
            .count(),
        throttled
    );
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn injected_latency_delays_requests_divided_by_the_time_scale() {
    let (server, sdk) = common::start_with(Config {
        faults: FaultSettings::parse("DescribeOrganization.latency=200ms").unwrap(),
        time_scale: 2.0,
        ..Config::default()
    })
    .await;
    let organizations = Organizations::new(&sdk);
    let started = Instant::now();
    organizations.describe_organization().send().await.unwrap();
    let slow = started.elapsed();
    assert!(slow >= Duration::from_millis(100), "{slow:?}");
    let started = Instant::now();
    organizations.list_roots().send().await.unwrap();
    assert!(started.elapsed() < slow);
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_fourth_concurrent_account_closure_is_refused_in_the_realistic_profile() {
    // AWS's CloseAccount rate (0.05/s, burst 1) never lets four closures of 30 s overlap;
    // a longer closure (here 300 s, all scaled by 100) does.
    let (server, sdk) = common::start_with(Config {
        async_duration: Some(Duration::from_mins(5)),
        ..realistic(100.0)
    })
    .await;
    let (_, accounts, _, _) = seed_sso(&server, 4, &[]).await;
    let client = Organizations::new(&sdk);
    for account in &accounts[..3] {
        client
            .close_account()
            .account_id(account)
            .send()
            .await
            .unwrap();
        // 0.05/s × 100 = one token every 200 ms.
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let error = client
        .close_account()
        .account_id(&accounts[3])
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    let aws_sdk_organizations::operation::close_account::CloseAccountError::ConstraintViolationException(
        exception,
    ) = error
    else {
        panic!("{error:?}")
    };
    assert_eq!(
        exception.reason(),
        Some(&aws_sdk_organizations::types::ConstraintViolationExceptionReason::CloseAccountRequestsLimitExceeded)
    );
    server.shutdown().await.unwrap();

    // The fast profile has no such limit.
    let (server, sdk) = common::start().await;
    let (_, accounts, _, _) = seed_sso(&server, 4, &[]).await;
    let client = Organizations::new(&sdk);
    for account in &accounts {
        client
            .close_account()
            .account_id(account)
            .send()
            .await
            .unwrap();
    }
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_sixth_create_account_in_progress_is_a_constraint_violation_under_the_rate_limit() {
    // CreateAccount is limited to 0.1/s (burst 3) and to 5 in progress; with accounts taking
    // 300 s (scaled by 100: 3 s) the sixth request within the rate meets the second limit.
    let (server, sdk) = common::start_with(Config {
        async_duration: Some(Duration::from_mins(5)),
        ..realistic(100.0)
    })
    .await;
    let client = Organizations::new(&sdk);
    let create = |index: usize| {
        client
            .create_account()
            .email(format!("new{index}@example.com"))
            .account_name(format!("new{index}"))
            .send()
    };
    for index in 0..5 {
        create(index).await.unwrap();
        // 0.1/s × 100 = one token every 100 ms.
        tokio::time::sleep(Duration::from_millis(120)).await;
    }
    let error = create(5).await.unwrap_err().into_service_error();
    let aws_sdk_organizations::operation::create_account::CreateAccountError::ConstraintViolationException(
        exception,
    ) = error
    else {
        panic!("{error:?}")
    };
    assert_eq!(
        exception.reason(),
        Some(&aws_sdk_organizations::types::ConstraintViolationExceptionReason::AccountCreationRateLimitExceeded)
    );
    server.shutdown().await.unwrap();
}
