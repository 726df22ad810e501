//! SSO Admin (IAM Identity Center admin API) through the real `aws-sdk-ssoadmin` client:
//! permission sets and their policies, account assignments and provisioning (asynchronous,
//! completed by advancing the sandbox clock), referential integrity, overlapping writes,
//! validation, authorization, tags, pagination and the control API's seed.

use std::time::Duration;

use aws_sdk_ssoadmin::Client;
use aws_sdk_ssoadmin::types::{
    CustomerManagedPolicyReference, PermissionsBoundary, PrincipalType, ProvisionTargetType,
    ProvisioningStatus, StatusValues, Tag, TargetType,
};
use monban_emulator::{Config, RunningServer};
use serde_json::json;

use crate::common;

/// A sandbox whose asynchronous operations take an hour, so they stay `IN_PROGRESS` until a
/// test advances the clock.
async fn start_slow() -> (RunningServer, aws_config::SdkConfig) {
    common::start_with(Config {
        async_duration: Some(Duration::from_hours(1)),
        ..Config::default()
    })
    .await
}

async fn advance(endpoint: &str, seconds: u64) {
    let (status, body) =
        common::control_post(endpoint, "clock/advance", &json!({ "seconds": seconds })).await;
    assert_eq!(status, 200, "{body}");
}

async fn instance_arn(client: &Client) -> String {
    client.list_instances().send().await.unwrap().instances()[0]
        .instance_arn()
        .unwrap()
        .to_owned()
}

async fn create_permission_set(client: &Client, instance: &str, name: &str) -> String {
    client
        .create_permission_set()
        .instance_arn(instance)
        .name(name)
        .send()
        .await
        .unwrap()
        .permission_set
        .unwrap()
        .permission_set_arn
        .unwrap()
}

/// Seeds one account `dev`, users `alice` and `bob` and group `admins`; returns the seed
/// result.
async fn seed_directory(endpoint: &str) -> serde_json::Value {
    common::seed(
        endpoint,
        &json!({
            "accounts": [
                {"name": "dev", "email": "dev@example.com"},
                {"name": "prod", "email": "prod@example.com"}
            ],
            "users": [{"user_name": "alice"}, {"user_name": "bob"}],
            "groups": [{"display_name": "admins", "members": ["alice"]}]
        }),
    )
    .await
}

async fn provisioned_to(client: &Client, instance: &str, account: &str) -> Vec<String> {
    client
        .list_permission_sets_provisioned_to_account()
        .instance_arn(instance)
        .account_id(account)
        .send()
        .await
        .unwrap()
        .permission_sets()
        .to_vec()
}

async fn accounts_for(
    client: &Client,
    instance: &str,
    permission_set: &str,
    status: Option<ProvisioningStatus>,
) -> Vec<String> {
    client
        .list_accounts_for_provisioned_permission_set()
        .instance_arn(instance)
        .permission_set_arn(permission_set)
        .set_provisioning_status(status)
        .send()
        .await
        .unwrap()
        .account_ids()
        .to_vec()
}

#[tokio::test]
async fn permission_set_lifecycle_with_names_unique_and_pages_of_one() {
    let (server, sdk) = common::start().await;
    let client = Client::new(&sdk);
    let instance = instance_arn(&client).await;
    let created = client
        .create_permission_set()
        .instance_arn(&instance)
        .name("ReadOnly")
        .description("Read-only access")
        .session_duration("PT8H")
        .relay_state("https://console.aws.amazon.com/s3")
        .tags(
            Tag::builder()
                .key("team")
                .value("platform")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap()
        .permission_set
        .unwrap();
    let arn = created.permission_set_arn().unwrap().to_owned();
    assert!(arn.starts_with(&format!(
        "arn:aws:sso:::permissionSet/{}/ps-",
        instance.rsplit('/').next().unwrap()
    )));
    assert_eq!(created.session_duration(), Some("PT8H"));
    assert!(created.created_date().is_some());

    let duplicate = client
        .create_permission_set()
        .instance_arn(&instance)
        .name("ReadOnly")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(duplicate.is_conflict_exception(), "{duplicate:?}");
    assert!(
        duplicate
            .meta()
            .message()
            .unwrap()
            .contains("already exists"),
        "{duplicate:?}"
    );

    client
        .update_permission_set()
        .instance_arn(&instance)
        .permission_set_arn(&arn)
        .session_duration("PT2H")
        .description("Changed")
        .send()
        .await
        .unwrap();
    let described = client
        .describe_permission_set()
        .instance_arn(&instance)
        .permission_set_arn(&arn)
        .send()
        .await
        .unwrap()
        .permission_set
        .unwrap();
    assert_eq!(described.name(), Some("ReadOnly"));
    assert_eq!(described.session_duration(), Some("PT2H"));
    assert_eq!(described.description(), Some("Changed"));
    assert_eq!(
        described.relay_state(),
        Some("https://console.aws.amazon.com/s3")
    );

    let mut created_arns = vec![arn.clone()];
    for name in ["Admin", "Billing", "Support"] {
        created_arns.push(create_permission_set(&client, &instance, name).await);
    }
    created_arns.sort();
    let mut listed = Vec::new();
    let mut token = None;
    loop {
        let page = client
            .list_permission_sets()
            .instance_arn(&instance)
            .max_results(1)
            .set_next_token(token)
            .send()
            .await
            .unwrap();
        assert!(page.permission_sets().len() <= 1);
        listed.extend(page.permission_sets().iter().cloned());
        token = page.next_token;
        if let Some(token) = &token {
            assert!(!token.contains(':') && !token.contains('.'), "{token}");
        } else {
            break;
        }
    }
    assert_eq!(listed, created_arns);

    client
        .delete_permission_set()
        .instance_arn(&instance)
        .permission_set_arn(&arn)
        .send()
        .await
        .unwrap();
    let gone = client
        .describe_permission_set()
        .instance_arn(&instance)
        .permission_set_arn(&arn)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(gone.is_resource_not_found_exception(), "{gone:?}");
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn invalid_inputs_are_validation_exceptions() {
    let (server, sdk) = common::start().await;
    let client = Client::new(&sdk);
    let instance = instance_arn(&client).await;
    for (name, duration, relay_state, description) in [
        ("has space", None, None, None),
        (&"x".repeat(33) as &str, None, None, None),
        ("Ok", Some("PT13H"), None, None),
        ("Ok", Some("PT30M"), None, None),
        ("Ok", Some("eight hours"), None, None),
        ("Ok", None, Some("<script>"), None),
        ("Ok", None, None, Some(&"d".repeat(701) as &str)),
    ] {
        let error = client
            .create_permission_set()
            .instance_arn(&instance)
            .name(name)
            .set_session_duration(duration.map(str::to_owned))
            .set_relay_state(relay_state.map(str::to_owned))
            .set_description(description.map(str::to_owned))
            .send()
            .await
            .unwrap_err()
            .into_service_error();
        assert!(
            error.is_validation_exception(),
            "{name} {duration:?}: {error:?}"
        );
    }
    let error = client
        .create_permission_set()
        .instance_arn("arn:aws:sso:::instance/not-an-instance")
        .name("Ok")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(error.is_validation_exception(), "{error:?}");
    let error = client
        .create_permission_set()
        .instance_arn("arn:aws:sso:::instance/ssoins-0000000000000000")
        .name("Ok")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(error.is_resource_not_found_exception(), "{error:?}");
    let bad_tag = client
        .create_permission_set()
        .instance_arn(&instance)
        .name("Ok")
        .tags(Tag::builder().key("bad*key").value("v").build().unwrap())
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(bad_tag.is_validation_exception(), "{bad_tag:?}");
    for max_results in [0, 101] {
        let error = client
            .list_permission_sets()
            .instance_arn(&instance)
            .max_results(max_results)
            .send()
            .await
            .unwrap_err()
            .into_service_error();
        assert!(error.is_validation_exception(), "{error:?}");
    }
    let error = client
        .list_permission_sets()
        .instance_arn(&instance)
        .next_token("forged-token")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(error.is_validation_exception(), "{error:?}");
    let missing = client
        .describe_permission_set()
        .instance_arn(&instance)
        .permission_set_arn(format!(
            "arn:aws:sso:::permissionSet/{}/ps-0000000000000000",
            instance.rsplit('/').next().unwrap()
        ))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(missing.is_resource_not_found_exception(), "{missing:?}");
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn policies_attach_list_detach_with_quota_and_duplicates() {
    let (server, sdk) = common::start().await;
    let client = Client::new(&sdk);
    let instance = instance_arn(&client).await;
    let arn = create_permission_set(&client, &instance, "Engineer").await;

    let none = client
        .get_inline_policy_for_permission_set()
        .instance_arn(&instance)
        .permission_set_arn(&arn)
        .send()
        .await
        .unwrap();
    assert!(none.inline_policy().is_none_or(str::is_empty));
    let document = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:Get*","Resource":"*"}]}"#;
    client
        .put_inline_policy_to_permission_set()
        .instance_arn(&instance)
        .permission_set_arn(&arn)
        .inline_policy(document)
        .send()
        .await
        .unwrap();
    let got = client
        .get_inline_policy_for_permission_set()
        .instance_arn(&instance)
        .permission_set_arn(&arn)
        .send()
        .await
        .unwrap();
    assert_eq!(got.inline_policy(), Some(document));
    let malformed = client
        .put_inline_policy_to_permission_set()
        .instance_arn(&instance)
        .permission_set_arn(&arn)
        .inline_policy("not a policy")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(malformed.is_validation_exception(), "{malformed:?}");
    client
        .delete_inline_policy_from_permission_set()
        .instance_arn(&instance)
        .permission_set_arn(&arn)
        .send()
        .await
        .unwrap();

    let managed = "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess";
    client
        .attach_managed_policy_to_permission_set()
        .instance_arn(&instance)
        .permission_set_arn(&arn)
        .managed_policy_arn(managed)
        .send()
        .await
        .unwrap();
    let again = client
        .attach_managed_policy_to_permission_set()
        .instance_arn(&instance)
        .permission_set_arn(&arn)
        .managed_policy_arn(managed)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(again.is_conflict_exception(), "{again:?}");
    let not_aws = client
        .attach_managed_policy_to_permission_set()
        .instance_arn(&instance)
        .permission_set_arn(&arn)
        .managed_policy_arn("arn:aws:iam::123456789012:policy/Mine")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(not_aws.is_validation_exception(), "{not_aws:?}");
    let listed = client
        .list_managed_policies_in_permission_set()
        .instance_arn(&instance)
        .permission_set_arn(&arn)
        .send()
        .await
        .unwrap();
    let policy = &listed.attached_managed_policies()[0];
    assert_eq!(policy.name(), Some("ViewOnlyAccess"));
    assert_eq!(policy.arn(), Some(managed));

    let reference = CustomerManagedPolicyReference::builder()
        .name("DeployAccess")
        .path("/team/")
        .build()
        .unwrap();
    client
        .attach_customer_managed_policy_reference_to_permission_set()
        .instance_arn(&instance)
        .permission_set_arn(&arn)
        .customer_managed_policy_reference(reference.clone())
        .send()
        .await
        .unwrap();
    let default_path = CustomerManagedPolicyReference::builder()
        .name("Other")
        .build()
        .unwrap();
    client
        .attach_customer_managed_policy_reference_to_permission_set()
        .instance_arn(&instance)
        .permission_set_arn(&arn)
        .customer_managed_policy_reference(default_path)
        .send()
        .await
        .unwrap();
    let references = client
        .list_customer_managed_policy_references_in_permission_set()
        .instance_arn(&instance)
        .permission_set_arn(&arn)
        .send()
        .await
        .unwrap();
    let listed: Vec<(String, Option<String>)> = references
        .customer_managed_policy_references()
        .iter()
        .map(|reference| {
            (
                reference.name().to_owned(),
                reference.path().map(str::to_owned),
            )
        })
        .collect();
    assert_eq!(
        listed,
        [
            ("Other".to_owned(), Some("/".to_owned())),
            ("DeployAccess".to_owned(), Some("/team/".to_owned()))
        ]
    );
    client
        .detach_customer_managed_policy_reference_from_permission_set()
        .instance_arn(&instance)
        .permission_set_arn(&arn)
        .customer_managed_policy_reference(reference.clone())
        .send()
        .await
        .unwrap();
    let detached_twice = client
        .detach_customer_managed_policy_reference_from_permission_set()
        .instance_arn(&instance)
        .permission_set_arn(&arn)
        .customer_managed_policy_reference(reference)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        detached_twice.is_resource_not_found_exception(),
        "{detached_twice:?}"
    );

    // 2 attached; the quota is 25 AWS managed + customer managed policies.
    for index in 0..23 {
        client
            .attach_managed_policy_to_permission_set()
            .instance_arn(&instance)
            .permission_set_arn(&arn)
            .managed_policy_arn(format!("arn:aws:iam::aws:policy/Policy{index:02}"))
            .send()
            .await
            .unwrap();
    }
    let over = client
        .attach_managed_policy_to_permission_set()
        .instance_arn(&instance)
        .permission_set_arn(&arn)
        .managed_policy_arn("arn:aws:iam::aws:policy/OneTooMany")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(over.is_service_quota_exceeded_exception(), "{over:?}");
    client
        .detach_managed_policy_from_permission_set()
        .instance_arn(&instance)
        .permission_set_arn(&arn)
        .managed_policy_arn(managed)
        .send()
        .await
        .unwrap();
    let detached = client
        .detach_managed_policy_from_permission_set()
        .instance_arn(&instance)
        .permission_set_arn(&arn)
        .managed_policy_arn(managed)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(detached.is_resource_not_found_exception(), "{detached:?}");

    let no_boundary = client
        .get_permissions_boundary_for_permission_set()
        .instance_arn(&instance)
        .permission_set_arn(&arn)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        no_boundary.is_resource_not_found_exception(),
        "{no_boundary:?}"
    );
    client
        .put_permissions_boundary_to_permission_set()
        .instance_arn(&instance)
        .permission_set_arn(&arn)
        .permissions_boundary(
            PermissionsBoundary::builder()
                .managed_policy_arn("arn:aws:iam::aws:policy/PowerUserAccess")
                .build(),
        )
        .send()
        .await
        .unwrap();
    let boundary = client
        .get_permissions_boundary_for_permission_set()
        .instance_arn(&instance)
        .permission_set_arn(&arn)
        .send()
        .await
        .unwrap()
        .permissions_boundary
        .unwrap();
    assert_eq!(
        boundary.managed_policy_arn(),
        Some("arn:aws:iam::aws:policy/PowerUserAccess")
    );
    let empty_boundary = client
        .put_permissions_boundary_to_permission_set()
        .instance_arn(&instance)
        .permission_set_arn(&arn)
        .permissions_boundary(PermissionsBoundary::builder().build())
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        empty_boundary.is_validation_exception(),
        "{empty_boundary:?}"
    );
    client
        .delete_permissions_boundary_from_permission_set()
        .instance_arn(&instance)
        .permission_set_arn(&arn)
        .send()
        .await
        .unwrap();
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn tags_on_permission_sets_and_their_limits() {
    let (server, sdk) = common::start().await;
    let client = Client::new(&sdk);
    let instance = instance_arn(&client).await;
    let arn = create_permission_set(&client, &instance, "Tagged").await;
    client
        .tag_resource()
        .instance_arn(&instance)
        .resource_arn(&arn)
        .tags(Tag::builder().key("env").value("prod").build().unwrap())
        .tags(
            Tag::builder()
                .key("team")
                .value("payments")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    client
        .untag_resource()
        .instance_arn(&instance)
        .resource_arn(&arn)
        .tag_keys("env")
        .send()
        .await
        .unwrap();
    let tags = client
        .list_tags_for_resource()
        .instance_arn(&instance)
        .resource_arn(&arn)
        .send()
        .await
        .unwrap();
    let listed: Vec<(&str, &str)> = tags
        .tags()
        .iter()
        .map(|tag| (tag.key(), tag.value()))
        .collect();
    assert_eq!(listed, [("team", "payments")]);

    let too_many = (0..50)
        .map(|index| {
            Tag::builder()
                .key(format!("key{index}"))
                .value("v")
                .build()
                .unwrap()
        })
        .collect::<Vec<_>>();
    let error = client
        .tag_resource()
        .resource_arn(&arn)
        .set_tags(Some(too_many))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(error.is_service_quota_exceeded_exception(), "{error:?}");
    let error = client
        .list_tags_for_resource()
        .resource_arn(format!(
            "arn:aws:sso:::permissionSet/{}/ps-0000000000000000",
            instance.rsplit('/').next().unwrap()
        ))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(error.is_resource_not_found_exception(), "{error:?}");
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn assignments_are_asynchronous_provision_and_deprovision() {
    let (server, sdk) = start_slow().await;
    let endpoint = server.endpoint_url();
    let seeded = seed_directory(&endpoint).await;
    let dev = seeded["accounts"]["dev"].as_str().unwrap().to_owned();
    let alice = seeded["users"]["alice"].as_str().unwrap().to_owned();
    let admins = seeded["groups"]["admins"].as_str().unwrap().to_owned();
    let client = Client::new(&sdk);
    let instance = instance_arn(&client).await;
    let arn = create_permission_set(&client, &instance, "Developer").await;

    let started = client
        .create_account_assignment()
        .instance_arn(&instance)
        .target_id(&dev)
        .target_type(TargetType::AwsAccount)
        .permission_set_arn(&arn)
        .principal_type(PrincipalType::Group)
        .principal_id(&admins)
        .send()
        .await
        .unwrap()
        .account_assignment_creation_status
        .unwrap();
    assert_eq!(started.status(), Some(&StatusValues::InProgress));
    let request_id = started.request_id().unwrap().to_owned();
    assert_eq!(request_id.len(), 36);
    assert_eq!(started.target_id(), Some(dev.as_str()));
    assert!(provisioned_to(&client, &instance, &dev).await.is_empty());

    // A second write on the same permission set and account while the first is in
    // progress is the propagation conflict, not the "already exists" one.
    let overlapping = client
        .create_account_assignment()
        .instance_arn(&instance)
        .target_id(&dev)
        .target_type(TargetType::AwsAccount)
        .permission_set_arn(&arn)
        .principal_type(PrincipalType::User)
        .principal_id(&alice)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(overlapping.is_conflict_exception(), "{overlapping:?}");
    assert!(
        !overlapping
            .meta()
            .message()
            .unwrap()
            .contains("already exists"),
        "{overlapping:?}"
    );
    let provision_overlap = client
        .provision_permission_set()
        .instance_arn(&instance)
        .permission_set_arn(&arn)
        .target_type(ProvisionTargetType::AwsAccount)
        .target_id(&dev)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        provision_overlap.is_conflict_exception(),
        "{provision_overlap:?}"
    );

    advance(&endpoint, 3601).await;
    let done = client
        .describe_account_assignment_creation_status()
        .instance_arn(&instance)
        .account_assignment_creation_request_id(&request_id)
        .send()
        .await
        .unwrap()
        .account_assignment_creation_status
        .unwrap();
    assert_eq!(done.status(), Some(&StatusValues::Succeeded));
    assert_eq!(
        provisioned_to(&client, &instance, &dev).await,
        std::slice::from_ref(&arn)
    );
    assert_eq!(
        accounts_for(&client, &instance, &arn, None).await,
        std::slice::from_ref(&dev)
    );

    // Creating the same assignment again succeeds without duplicating it.
    let again = client
        .create_account_assignment()
        .instance_arn(&instance)
        .target_id(&dev)
        .target_type(TargetType::AwsAccount)
        .permission_set_arn(&arn)
        .principal_type(PrincipalType::Group)
        .principal_id(&admins)
        .send()
        .await
        .unwrap()
        .account_assignment_creation_status
        .unwrap();
    assert_ne!(again.request_id(), Some(request_id.as_str()));
    advance(&endpoint, 3601).await;
    let assignments = client
        .list_account_assignments()
        .instance_arn(&instance)
        .account_id(&dev)
        .permission_set_arn(&arn)
        .send()
        .await
        .unwrap();
    assert_eq!(assignments.account_assignments().len(), 1);
    let assignment = &assignments.account_assignments()[0];
    assert_eq!(assignment.principal_id(), Some(admins.as_str()));
    assert_eq!(assignment.principal_type(), Some(&PrincipalType::Group));

    // Deleting the last assignment deprovisions the permission set from the account.
    let deletion = client
        .delete_account_assignment()
        .instance_arn(&instance)
        .target_id(&dev)
        .target_type(TargetType::AwsAccount)
        .permission_set_arn(&arn)
        .principal_type(PrincipalType::Group)
        .principal_id(&admins)
        .send()
        .await
        .unwrap()
        .account_assignment_deletion_status
        .unwrap();
    assert_eq!(deletion.status(), Some(&StatusValues::InProgress));
    assert_ne!(deletion.request_id(), Some(request_id.as_str()));
    let still_provisioned = client
        .delete_permission_set()
        .instance_arn(&instance)
        .permission_set_arn(&arn)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        still_provisioned.is_conflict_exception(),
        "{still_provisioned:?}"
    );
    advance(&endpoint, 3601).await;
    let deleted = client
        .describe_account_assignment_deletion_status()
        .instance_arn(&instance)
        .account_assignment_deletion_request_id(deletion.request_id().unwrap())
        .send()
        .await
        .unwrap()
        .account_assignment_deletion_status
        .unwrap();
    assert_eq!(deleted.status(), Some(&StatusValues::Succeeded));
    assert!(provisioned_to(&client, &instance, &dev).await.is_empty());
    let missing = client
        .delete_account_assignment()
        .instance_arn(&instance)
        .target_id(&dev)
        .target_type(TargetType::AwsAccount)
        .permission_set_arn(&arn)
        .principal_type(PrincipalType::Group)
        .principal_id(&admins)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(missing.is_resource_not_found_exception(), "{missing:?}");

    let succeeded = client
        .list_account_assignment_creation_status()
        .instance_arn(&instance)
        .filter(
            aws_sdk_ssoadmin::types::OperationStatusFilter::builder()
                .status(StatusValues::Succeeded)
                .build(),
        )
        .max_results(1)
        .send()
        .await
        .unwrap();
    assert_eq!(succeeded.account_assignments_creation_status().len(), 1);
    assert_eq!(
        succeeded.account_assignments_creation_status()[0].request_id(),
        Some(request_id.as_str())
    );
    assert!(succeeded.next_token().is_some());
    let in_progress = client
        .list_account_assignment_deletion_status()
        .instance_arn(&instance)
        .filter(
            aws_sdk_ssoadmin::types::OperationStatusFilter::builder()
                .status(StatusValues::InProgress)
                .build(),
        )
        .send()
        .await
        .unwrap();
    assert!(in_progress.account_assignments_deletion_status().is_empty());

    client
        .delete_permission_set()
        .instance_arn(&instance)
        .permission_set_arn(&arn)
        .send()
        .await
        .unwrap();
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn changes_mark_accounts_not_provisioned_until_provision_permission_set() {
    let (server, sdk) = start_slow().await;
    let endpoint = server.endpoint_url();
    let seeded = seed_directory(&endpoint).await;
    let client = Client::new(&sdk);
    let instance = instance_arn(&client).await;
    let arn = create_permission_set(&client, &instance, "Operator").await;
    let alice = seeded["users"]["alice"].as_str().unwrap();
    let mut accounts = Vec::new();
    for name in ["dev", "prod"] {
        let account = seeded["accounts"][name].as_str().unwrap().to_owned();
        client
            .create_account_assignment()
            .instance_arn(&instance)
            .target_id(&account)
            .target_type(TargetType::AwsAccount)
            .permission_set_arn(&arn)
            .principal_type(PrincipalType::User)
            .principal_id(alice)
            .send()
            .await
            .unwrap();
        accounts.push(account);
    }
    accounts.sort();
    advance(&endpoint, 3601).await;
    let latest = Some(ProvisioningStatus::LatestPermissionSetProvisioned);
    let stale = Some(ProvisioningStatus::LatestPermissionSetNotProvisioned);
    assert_eq!(
        accounts_for(&client, &instance, &arn, latest.clone()).await,
        accounts
    );

    client
        .attach_managed_policy_to_permission_set()
        .instance_arn(&instance)
        .permission_set_arn(&arn)
        .managed_policy_arn("arn:aws:iam::aws:policy/ReadOnlyAccess")
        .send()
        .await
        .unwrap();
    assert_eq!(
        accounts_for(&client, &instance, &arn, stale.clone()).await,
        accounts
    );
    assert!(
        accounts_for(&client, &instance, &arn, latest.clone())
            .await
            .is_empty()
    );
    let to_dev = client
        .list_permission_sets_provisioned_to_account()
        .instance_arn(&instance)
        .account_id(&accounts[0])
        .provisioning_status(ProvisioningStatus::LatestPermissionSetNotProvisioned)
        .send()
        .await
        .unwrap();
    assert_eq!(to_dev.permission_sets(), std::slice::from_ref(&arn));

    let no_target = client
        .provision_permission_set()
        .instance_arn(&instance)
        .permission_set_arn(&arn)
        .target_type(ProvisionTargetType::AwsAccount)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(no_target.is_validation_exception(), "{no_target:?}");

    let provisioning = client
        .provision_permission_set()
        .instance_arn(&instance)
        .permission_set_arn(&arn)
        .target_type(ProvisionTargetType::AllProvisionedAccounts)
        .send()
        .await
        .unwrap()
        .permission_set_provisioning_status
        .unwrap();
    assert_eq!(provisioning.status(), Some(&StatusValues::InProgress));
    assert!(provisioning.account_id().is_none());
    let overlapping = client
        .delete_account_assignment()
        .instance_arn(&instance)
        .target_id(&accounts[1])
        .target_type(TargetType::AwsAccount)
        .permission_set_arn(&arn)
        .principal_type(PrincipalType::User)
        .principal_id(alice)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(overlapping.is_conflict_exception(), "{overlapping:?}");
    advance(&endpoint, 3601).await;
    let described = client
        .describe_permission_set_provisioning_status()
        .instance_arn(&instance)
        .provision_permission_set_request_id(provisioning.request_id().unwrap())
        .send()
        .await
        .unwrap()
        .permission_set_provisioning_status
        .unwrap();
    assert_eq!(described.status(), Some(&StatusValues::Succeeded));
    assert_eq!(
        accounts_for(&client, &instance, &arn, latest).await,
        accounts
    );
    assert!(
        accounts_for(&client, &instance, &arn, stale)
            .await
            .is_empty()
    );
    let listed = client
        .list_permission_set_provisioning_status()
        .instance_arn(&instance)
        .send()
        .await
        .unwrap();
    assert_eq!(listed.permission_sets_provisioning_status().len(), 1);
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn referential_integrity_and_orphaned_assignments() {
    let (server, sdk) = start_slow().await;
    let endpoint = server.endpoint_url();
    let seeded = seed_directory(&endpoint).await;
    let dev = seeded["accounts"]["dev"].as_str().unwrap().to_owned();
    let prod = seeded["accounts"]["prod"].as_str().unwrap().to_owned();
    let bob = seeded["users"]["bob"].as_str().unwrap().to_owned();
    let client = Client::new(&sdk);
    let instance = instance_arn(&client).await;
    let arn = create_permission_set(&client, &instance, "Auditor").await;
    let assign = |account: String, principal: String, principal_type: PrincipalType| {
        client
            .create_account_assignment()
            .instance_arn(&instance)
            .target_id(account)
            .target_type(TargetType::AwsAccount)
            .permission_set_arn(&arn)
            .principal_type(principal_type)
            .principal_id(principal)
            .send()
    };

    let unknown_account = assign("999999999999".into(), bob.clone(), PrincipalType::User)
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        unknown_account.is_resource_not_found_exception(),
        "{unknown_account:?}"
    );
    let unknown_user = assign(
        dev.clone(),
        "906752b26f-9039c8fc-c296-4863-a233-a59111da7aa3".into(),
        PrincipalType::User,
    )
    .await
    .unwrap_err()
    .into_service_error();
    assert!(
        unknown_user.is_resource_not_found_exception(),
        "{unknown_user:?}"
    );
    // A user id given as a group is not a group.
    let wrong_type = assign(dev.clone(), bob.clone(), PrincipalType::Group)
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        wrong_type.is_resource_not_found_exception(),
        "{wrong_type:?}"
    );
    let malformed = assign(dev.clone(), "bob".into(), PrincipalType::User)
        .await
        .unwrap_err()
        .into_service_error();
    assert!(malformed.is_validation_exception(), "{malformed:?}");

    // An account that is closing accepts the request, which then fails with a reason.
    let organizations = aws_sdk_organizations::Client::new(&sdk);
    organizations
        .close_account()
        .account_id(&prod)
        .send()
        .await
        .unwrap();
    let failing = assign(prod.clone(), bob.clone(), PrincipalType::User)
        .await
        .unwrap()
        .account_assignment_creation_status
        .unwrap();
    assign(dev.clone(), bob.clone(), PrincipalType::User)
        .await
        .unwrap();
    advance(&endpoint, 3601).await;
    let failed = client
        .describe_account_assignment_creation_status()
        .instance_arn(&instance)
        .account_assignment_creation_request_id(failing.request_id().unwrap())
        .send()
        .await
        .unwrap()
        .account_assignment_creation_status
        .unwrap();
    assert_eq!(failed.status(), Some(&StatusValues::Failed));
    assert!(failed.failure_reason().unwrap().contains(&prod));
    assert!(provisioned_to(&client, &instance, &prod).await.is_empty());
    let failed_only = client
        .list_account_assignment_creation_status()
        .instance_arn(&instance)
        .filter(
            aws_sdk_ssoadmin::types::OperationStatusFilter::builder()
                .status(StatusValues::Failed)
                .build(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(failed_only.account_assignments_creation_status().len(), 1);

    // Deleting the user leaves the assignment behind, as in AWS; it can still be removed.
    let identity_store = aws_sdk_identitystore::Client::new(&sdk);
    let store_id = client.list_instances().send().await.unwrap().instances()[0]
        .identity_store_id()
        .unwrap()
        .to_owned();
    identity_store
        .delete_user()
        .identity_store_id(&store_id)
        .user_id(&bob)
        .send()
        .await
        .unwrap();
    let orphaned = client
        .list_account_assignments()
        .instance_arn(&instance)
        .account_id(&dev)
        .permission_set_arn(&arn)
        .send()
        .await
        .unwrap();
    assert_eq!(
        orphaned.account_assignments()[0].principal_id(),
        Some(bob.as_str())
    );
    let for_principal = client
        .list_account_assignments_for_principal()
        .instance_arn(&instance)
        .principal_id(&bob)
        .principal_type(PrincipalType::User)
        .send()
        .await
        .unwrap();
    assert_eq!(for_principal.account_assignments().len(), 1);
    client
        .delete_account_assignment()
        .instance_arn(&instance)
        .target_id(&dev)
        .target_type(TargetType::AwsAccount)
        .permission_set_arn(&arn)
        .principal_type(PrincipalType::User)
        .principal_id(&bob)
        .send()
        .await
        .unwrap();
    advance(&endpoint, 3601).await;
    assert!(provisioned_to(&client, &instance, &dev).await.is_empty());
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn listings_of_assignments_are_complete_at_max_results_one() {
    let (server, sdk) = common::start().await;
    let endpoint = server.endpoint_url();
    let seeded = common::seed(
        &endpoint,
        &json!({
            "accounts": [
                {"name": "a", "email": "a@example.com"},
                {"name": "b", "email": "b@example.com"},
                {"name": "c", "email": "c@example.com"}
            ],
            "users": [{"user_name": "u1"}, {"user_name": "u2"}, {"user_name": "u3"}]
        }),
    )
    .await;
    let client = Client::new(&sdk);
    let instance = instance_arn(&client).await;
    let arn = create_permission_set(&client, &instance, "Reader").await;
    let accounts: Vec<String> = ["a", "b", "c"]
        .iter()
        .map(|name| seeded["accounts"][name].as_str().unwrap().to_owned())
        .collect();
    let users: Vec<String> = ["u1", "u2", "u3"]
        .iter()
        .map(|name| seeded["users"][name].as_str().unwrap().to_owned())
        .collect();
    for account in &accounts {
        for user in &users {
            // The fast profile completes each request in 300 ms; wait out the overlap.
            loop {
                let result = client
                    .create_account_assignment()
                    .instance_arn(&instance)
                    .target_id(account)
                    .target_type(TargetType::AwsAccount)
                    .permission_set_arn(&arn)
                    .principal_type(PrincipalType::User)
                    .principal_id(user)
                    .send()
                    .await;
                match result {
                    Ok(_) => break,
                    Err(error) => {
                        let error = error.into_service_error();
                        assert!(error.is_conflict_exception(), "{error:?}");
                        advance(&endpoint, 1).await;
                    }
                }
            }
        }
    }
    advance(&endpoint, 1).await;

    let mut principals = Vec::new();
    let mut token = None;
    loop {
        let page = client
            .list_account_assignments()
            .instance_arn(&instance)
            .account_id(&accounts[0])
            .permission_set_arn(&arn)
            .max_results(1)
            .set_next_token(token)
            .send()
            .await
            .unwrap();
        principals.extend(
            page.account_assignments()
                .iter()
                .map(|assignment| assignment.principal_id().unwrap().to_owned()),
        );
        token = page.next_token;
        if token.is_none() {
            break;
        }
    }
    let mut expected = users.clone();
    expected.sort();
    assert_eq!(principals, expected);

    let mut seen = Vec::new();
    let mut token = None;
    loop {
        let page = client
            .list_account_assignments_for_principal()
            .instance_arn(&instance)
            .principal_id(&users[1])
            .principal_type(PrincipalType::User)
            .max_results(1)
            .set_next_token(token)
            .send()
            .await
            .unwrap();
        seen.extend(
            page.account_assignments()
                .iter()
                .map(|assignment| assignment.account_id().unwrap().to_owned()),
        );
        token = page.next_token;
        if token.is_none() {
            break;
        }
    }
    let mut expected = accounts.clone();
    expected.sort();
    assert_eq!(seen, expected);
    let filtered = client
        .list_account_assignments_for_principal()
        .instance_arn(&instance)
        .principal_id(&users[1])
        .principal_type(PrincipalType::User)
        .filter(
            aws_sdk_ssoadmin::types::ListAccountAssignmentsFilter::builder()
                .account_id(&accounts[2])
                .build(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(filtered.account_assignments().len(), 1);

    let mut request_ids = Vec::new();
    let mut token = None;
    loop {
        let page = client
            .list_account_assignment_creation_status()
            .instance_arn(&instance)
            .max_results(1)
            .set_next_token(token)
            .send()
            .await
            .unwrap();
        request_ids.extend(
            page.account_assignments_creation_status()
                .iter()
                .map(|status| status.request_id().unwrap().to_owned()),
        );
        token = page.next_token;
        if token.is_none() {
            break;
        }
    }
    let unique: std::collections::BTreeSet<_> = request_ids.iter().collect();
    assert_eq!(request_ids.len(), 9);
    assert_eq!(unique.len(), 9);
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn only_the_management_account_and_delegated_administrators_may_administer() {
    let (server, sdk) = start_slow().await;
    let endpoint = server.endpoint_url();
    let seeded = common::seed(
        &endpoint,
        &json!({
            "accounts": [
                {"name": "member", "email": "member@example.com"},
                {"name": "identity", "email": "identity@example.com"}
            ],
            "users": [{"user_name": "carol"}]
        }),
    )
    .await;
    let member = seeded["accounts"]["member"].as_str().unwrap().to_owned();
    let identity = seeded["accounts"]["identity"].as_str().unwrap().to_owned();
    let carol = seeded["users"]["carol"].as_str().unwrap().to_owned();
    common::seed(
        &endpoint,
        &json!({"credentials": [
            {"access_key_id": "AKIAMEMBER0000000000", "secret_access_key": "member-secret",
             "account_id": member},
            {"access_key_id": "AKIAIDENTITY00000000", "secret_access_key": "identity-secret",
             "account_id": identity}
        ]}),
    )
    .await;
    let client = Client::new(&sdk);
    let instance = instance_arn(&client).await;
    let management_set = create_permission_set(&client, &instance, "ManagementAdmin").await;
    client
        .create_account_assignment()
        .instance_arn(&instance)
        .target_id("111111111111")
        .target_type(TargetType::AwsAccount)
        .permission_set_arn(&management_set)
        .principal_type(PrincipalType::User)
        .principal_id(&carol)
        .send()
        .await
        .unwrap();
    advance(&endpoint, 3601).await;

    let member_client = Client::new(
        &common::sdk_config(&endpoint, "AKIAMEMBER0000000000", "member-secret", None).await,
    );
    let denied = member_client
        .create_permission_set()
        .instance_arn(&instance)
        .name("Sneaky")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(denied.is_access_denied_exception(), "{denied:?}");
    assert!(
        member_client
            .list_instances()
            .send()
            .await
            .unwrap()
            .instances()
            .is_empty()
    );

    let organizations = aws_sdk_organizations::Client::new(&sdk);
    organizations
        .enable_aws_service_access()
        .service_principal("sso.amazonaws.com")
        .send()
        .await
        .unwrap();
    organizations
        .register_delegated_administrator()
        .account_id(&identity)
        .service_principal("sso.amazonaws.com")
        .send()
        .await
        .unwrap();
    let delegated = Client::new(
        &common::sdk_config(&endpoint, "AKIAIDENTITY00000000", "identity-secret", None).await,
    );
    let delegated_set = create_permission_set(&delegated, &instance, "Delegated").await;
    delegated
        .create_account_assignment()
        .instance_arn(&instance)
        .target_id(&member)
        .target_type(TargetType::AwsAccount)
        .permission_set_arn(&delegated_set)
        .principal_type(PrincipalType::User)
        .principal_id(&carol)
        .send()
        .await
        .unwrap();
    let to_management = delegated
        .create_account_assignment()
        .instance_arn(&instance)
        .target_id("111111111111")
        .target_type(TargetType::AwsAccount)
        .permission_set_arn(&delegated_set)
        .principal_type(PrincipalType::User)
        .principal_id(&carol)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        to_management.is_access_denied_exception(),
        "{to_management:?}"
    );
    let management_provisioned = delegated
        .put_inline_policy_to_permission_set()
        .instance_arn(&instance)
        .permission_set_arn(&management_set)
        .inline_policy("{}")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        management_provisioned.is_access_denied_exception(),
        "{management_provisioned:?}"
    );
    let for_principal = delegated
        .list_account_assignments_for_principal()
        .instance_arn(&instance)
        .principal_id(&carol)
        .principal_type(PrincipalType::User)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        for_principal.is_access_denied_exception(),
        "{for_principal:?}"
    );
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn seeded_permission_sets_and_assignments_are_provisioned_and_complete() {
    let (server, sdk) = common::start().await;
    let endpoint = server.endpoint_url();
    let seeded = common::seed(
        &endpoint,
        &json!({
            "accounts": [
                {"name": "dev", "email": "dev@example.com", "id": "222222222222"},
                {"name": "prod", "email": "prod@example.com"}
            ],
            "users": [{"user_name": "alice"}],
            "groups": [{"display_name": "admins", "members": ["alice"]}],
            "permission_sets": [
                {
                    "name": "Admin",
                    "description": "Full access",
                    "session_duration": "PT4H",
                    "relay_state": "https://console.aws.amazon.com/",
                    "inline_policy": "{\"Version\":\"2012-10-17\",\"Statement\":[]}",
                    "managed_policies": ["arn:aws:iam::aws:policy/AdministratorAccess"],
                    "customer_managed_policies": [{"name": "Extra", "path": "/team/"}],
                    "permissions_boundary": {"managed_policy_arn": "arn:aws:iam::aws:policy/PowerUserAccess"},
                    "tags": {"owner": "platform"}
                },
                {"name": "ReadOnly"}
            ],
            "assignments": [
                {"account_id": "222222222222", "permission_set": "Admin", "group": "admins"},
                {"account_name": "prod", "permission_set": "Admin", "user": "alice"},
                {"account_name": "prod", "permission_set": "ReadOnly", "group": "admins"}
            ]
        }),
    )
    .await;
    assert_eq!(seeded["assignments"], 3);
    let admin = seeded["permission_sets"]["Admin"]
        .as_str()
        .unwrap()
        .to_owned();
    let prod = seeded["accounts"]["prod"].as_str().unwrap().to_owned();
    let client = Client::new(&sdk);
    let instance = instance_arn(&client).await;

    let described = client
        .describe_permission_set()
        .instance_arn(&instance)
        .permission_set_arn(&admin)
        .send()
        .await
        .unwrap()
        .permission_set
        .unwrap();
    assert_eq!(described.session_duration(), Some("PT4H"));
    assert_eq!(described.description(), Some("Full access"));
    let policies = client
        .list_managed_policies_in_permission_set()
        .instance_arn(&instance)
        .permission_set_arn(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(
        policies.attached_managed_policies()[0].name(),
        Some("AdministratorAccess")
    );
    let boundary = client
        .get_permissions_boundary_for_permission_set()
        .instance_arn(&instance)
        .permission_set_arn(&admin)
        .send()
        .await
        .unwrap()
        .permissions_boundary
        .unwrap();
    assert_eq!(
        boundary.managed_policy_arn(),
        Some("arn:aws:iam::aws:policy/PowerUserAccess")
    );
    let tags = client
        .list_tags_for_resource()
        .resource_arn(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(tags.tags()[0].key(), "owner");

    let mut accounts = accounts_for(
        &client,
        &instance,
        &admin,
        Some(ProvisioningStatus::LatestPermissionSetProvisioned),
    )
    .await;
    accounts.sort();
    let mut expected = vec!["222222222222".to_owned(), prod.clone()];
    expected.sort();
    assert_eq!(accounts, expected);
    assert_eq!(provisioned_to(&client, &instance, &prod).await.len(), 2);
    let assignments = client
        .list_account_assignments()
        .instance_arn(&instance)
        .account_id(&prod)
        .permission_set_arn(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(
        assignments.account_assignments()[0].principal_id(),
        seeded["users"]["alice"].as_str()
    );
    // Seeded assignments are in effect without status records.
    let statuses = client
        .list_account_assignment_creation_status()
        .instance_arn(&instance)
        .send()
        .await
        .unwrap();
    assert!(statuses.account_assignments_creation_status().is_empty());

    // All or nothing: one bad item and nothing is created.
    for bad in [
        json!({"permission_sets": [{"name": "Fine"}, {"name": "bad name"}]}),
        json!({"permission_sets": [{"name": "admin"}]}),
        json!({"permission_sets": [{"name": "Fine", "session_duration": "PT24H"}]}),
        json!({"assignments": [{"account_id": "999999999999", "permission_set": "Admin", "user": "alice"}]}),
        json!({"assignments": [{"account_id": "222222222222", "permission_set": "Nope", "user": "alice"}]}),
        json!({"assignments": [{"account_id": "222222222222", "permission_set": "Admin", "user": "nobody"}]}),
        json!({"assignments": [{"account_id": "222222222222", "permission_set": "Admin", "group": "admins"}]}),
    ] {
        let (status, body) = common::control_post(&endpoint, "seed", &bad).await;
        assert_eq!(status, 400, "{bad}: {body}");
    }
    let listed = client
        .list_permission_sets()
        .instance_arn(&instance)
        .send()
        .await
        .unwrap();
    assert_eq!(listed.permission_sets().len(), 2);
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_large_seed_applies_quickly_and_lists_completely() {
    let (server, sdk) = common::start().await;
    let endpoint = server.endpoint_url();
    let accounts: Vec<serde_json::Value> = (0..100)
        .map(|index| {
            json!({"name": format!("account-{index}"), "email": format!("a{index}@example.com"),
                   "id": format!("3000000{index:05}")})
        })
        .collect();
    let groups: Vec<serde_json::Value> = (0..20)
        .map(|index| json!({"display_name": format!("group-{index}")}))
        .collect();
    let permission_sets: Vec<serde_json::Value> = (0..200)
        .map(|index| json!({"name": format!("Set{index:03}")}))
        .collect();
    let mut assignments = Vec::new();
    for account in 0..100 {
        for set in 0..10 {
            for group in 0..2 {
                assignments.push(json!({
                    "account_id": format!("3000000{account:05}"),
                    "permission_set": format!("Set{:03}", (account + set * 17) % 200),
                    "group": format!("group-{}", (account + group * 7 + set) % 20),
                }));
            }
        }
    }
    let started = std::time::Instant::now();
    let seeded = common::seed(
        &endpoint,
        &json!({"accounts": accounts, "groups": groups,
                "permission_sets": permission_sets, "assignments": assignments}),
    )
    .await;
    assert_eq!(seeded["assignments"], 2000);
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
    let client = Client::new(&sdk);
    let instance = instance_arn(&client).await;
    let mut total = 0;
    let mut token = None;
    loop {
        let page = client
            .list_permission_sets_provisioned_to_account()
            .instance_arn(&instance)
            .account_id("300000000042")
            .max_results(3)
            .set_next_token(token)
            .send()
            .await
            .unwrap();
        total += page.permission_sets().len();
        token = page.next_token;
        if token.is_none() {
            break;
        }
    }
    assert_eq!(total, 10);
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn an_in_progress_assignment_survives_a_restart_and_completes_after_it() {
    let state = tempfile::tempdir().unwrap();
    let config = Config {
        state_dir: Some(state.path().to_owned()),
        async_duration: Some(Duration::from_hours(1)),
        ..Config::default()
    };
    let (server, sdk) = common::start_with(config.clone()).await;
    let seeded = seed_directory(&server.endpoint_url()).await;
    let dev = seeded["accounts"]["dev"].as_str().unwrap().to_owned();
    let client = Client::new(&sdk);
    let instance = instance_arn(&client).await;
    let arn = create_permission_set(&client, &instance, "Durable").await;
    let started = client
        .create_account_assignment()
        .instance_arn(&instance)
        .target_id(&dev)
        .target_type(TargetType::AwsAccount)
        .permission_set_arn(&arn)
        .principal_type(PrincipalType::User)
        .principal_id(seeded["users"]["bob"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .account_assignment_creation_status
        .unwrap();
    server.shutdown().await.unwrap();

    let (server, sdk) = common::start_with(config).await;
    let client = Client::new(&sdk);
    let describe = || {
        client
            .describe_account_assignment_creation_status()
            .instance_arn(&instance)
            .account_assignment_creation_request_id(started.request_id().unwrap())
            .send()
    };
    let status = describe()
        .await
        .unwrap()
        .account_assignment_creation_status
        .unwrap();
    assert_eq!(status.status(), Some(&StatusValues::InProgress));
    assert!(provisioned_to(&client, &instance, &dev).await.is_empty());
    advance(&server.endpoint_url(), 3601).await;
    let status = describe()
        .await
        .unwrap()
        .account_assignment_creation_status
        .unwrap();
    assert_eq!(status.status(), Some(&StatusValues::Succeeded));
    assert_eq!(
        provisioned_to(&client, &instance, &dev).await,
        std::slice::from_ref(&arn)
    );
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn quotas_filters_and_instance_tags() {
    let (server, sdk) = common::start().await;
    let client = Client::new(&sdk);
    let instance = instance_arn(&client).await;
    let arn = create_permission_set(&client, &instance, "Big").await;
    // 10,241 non-whitespace characters, inside the model's 32,768.
    let padding = "a".repeat(10_241 - r#"{"Sid":""}"#.len());
    let too_big = format!(r#"{{"Sid":"{padding}"}}"#);
    let error = client
        .put_inline_policy_to_permission_set()
        .instance_arn(&instance)
        .permission_set_arn(&arn)
        .inline_policy(too_big)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(error.is_service_quota_exceeded_exception(), "{error:?}");
    let error = client
        .list_accounts_for_provisioned_permission_set()
        .instance_arn(&instance)
        .permission_set_arn(&arn)
        .provisioning_status(ProvisioningStatus::from("SOMETIMES"))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(error.is_validation_exception(), "{error:?}");
    let error = client
        .provision_permission_set()
        .instance_arn(&instance)
        .permission_set_arn(&arn)
        .target_type(ProvisionTargetType::AllProvisionedAccounts)
        .target_id("222222222222")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(error.is_validation_exception(), "{error:?}");
    let error = client
        .describe_account_assignment_creation_status()
        .instance_arn(&instance)
        .account_assignment_creation_request_id("00000000-0000-4000-8000-000000000000")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(error.is_resource_not_found_exception(), "{error:?}");

    client
        .tag_resource()
        .resource_arn(&instance)
        .tags(
            Tag::builder()
                .key("cost-centre")
                .value("42")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let tags = client
        .list_tags_for_resource()
        .resource_arn(&instance)
        .send()
        .await
        .unwrap();
    assert_eq!(tags.tags()[0].value(), "42");
    server.shutdown().await.unwrap();
}
