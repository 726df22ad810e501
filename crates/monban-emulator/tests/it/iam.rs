//! IAM through the real `aws-sdk-iam` client (awsQuery): users, access keys (ages on the
//! sandbox clock, last use recorded by the auth layer), MFA devices, customer managed
//! policies with their errors, pagination with Marker/MaxItems, the roles AWS creates, and
//! SSO Admin provisioning that fails while a referenced customer managed policy is missing
//! from the target account.

use aws_sdk_iam::Client;
use aws_sdk_ssoadmin::types::{
    CustomerManagedPolicyReference, PermissionsBoundary, PrincipalType, ProvisionTargetType,
    StatusValues, TargetType,
};
use serde_json::json;

use crate::common;

const POLICY: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"secretsmanager:*","Resource":"*"}]}"#;

async fn advance(endpoint: &str, seconds: u64) {
    let (status, body) =
        common::control_post(endpoint, "clock/advance", &json!({ "seconds": seconds })).await;
    assert_eq!(status, 200, "{body}");
}

async fn sandbox_now(endpoint: &str) -> jiff::Timestamp {
    common::control_get(endpoint, "health").await["now"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap()
}

fn timestamp(date: &aws_smithy_types::DateTime) -> jiff::Timestamp {
    jiff::Timestamp::from_second(date.secs()).unwrap()
}

/// The error code and HTTP status of a failed IAM call.
fn code<E: aws_sdk_iam::error::ProvideErrorMetadata + std::fmt::Debug>(
    error: &aws_sdk_iam::error::SdkError<E, aws_sdk_iam::config::http::HttpResponse>,
) -> (u16, String) {
    let status = error
        .raw_response()
        .map_or(0, |response| response.status().as_u16());
    let code = aws_sdk_iam::error::ProvideErrorMetadata::code(error);
    (status, code.unwrap_or_default().to_owned())
}

#[tokio::test]
async fn users_access_keys_key_age_last_use_and_mfa() {
    let (server, sdk) = common::start().await;
    let endpoint = server.endpoint_url();
    let created_long_ago = "2025-01-01T00:00:00Z";
    common::seed(
        &endpoint,
        &json!({"iam": [{"account": "111111111111", "users": [{
            "user_name": "legacy-ci",
            "path": "/ci/",
            "created_at": created_long_ago,
            "access_keys": [{
                "access_key_id": "AKIALEGACYCI00000001",
                "secret_access_key": "legacy-secret",
                "last_used_at": "2025-06-01T12:00:00Z"
            }],
            "mfa_devices": ["arn:aws:iam::111111111111:mfa/legacy-ci"]
        }]}]}),
    )
    .await;
    let iam = Client::new(&sdk);

    let created = iam
        .create_user()
        .user_name("alice")
        .send()
        .await
        .unwrap()
        .user
        .unwrap();
    assert_eq!(created.path(), "/");
    assert_eq!(created.arn(), "arn:aws:iam::111111111111:user/alice");
    assert!(created.user_id().starts_with("AIDA"));
    let duplicate = iam
        .create_user()
        .user_name("ALICE")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&duplicate), (409, "EntityAlreadyExists".into()));
    let invalid = iam
        .create_user()
        .user_name("bad name")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&invalid), (400, "ValidationError".into()));

    // Pages of one with Marker/IsTruncated, complete and in name order.
    let mut names = Vec::new();
    let mut marker = None;
    loop {
        let page = iam
            .list_users()
            .max_items(1)
            .set_marker(marker.clone())
            .send()
            .await
            .unwrap();
        names.extend(page.users().iter().map(|user| user.user_name().to_owned()));
        if !page.is_truncated() {
            assert!(page.marker().is_none());
            break;
        }
        marker = page.marker().map(str::to_owned);
    }
    assert_eq!(names, ["alice", "legacy-ci"]);
    let ci_only = iam.list_users().path_prefix("/ci/").send().await.unwrap();
    assert_eq!(ci_only.users().len(), 1);
    let too_many = iam.list_users().max_items(1001).send().await.unwrap_err();
    assert_eq!(code(&too_many), (400, "ValidationError".into()));

    // A new key's creation date is the sandbox clock's now; ages follow the clock.
    let before = sandbox_now(&endpoint).await;
    let key = iam
        .create_access_key()
        .user_name("alice")
        .send()
        .await
        .unwrap()
        .access_key
        .unwrap();
    assert!(key.access_key_id().starts_with("AKIA") && key.access_key_id().len() == 20);
    assert_eq!(key.secret_access_key().len(), 40);
    let key_created = timestamp(key.create_date().unwrap());
    assert!(
        key_created.as_second() >= before.as_second() - 1
            && key_created.as_second() <= before.as_second() + 5
    );
    iam.create_access_key()
        .user_name("alice")
        .send()
        .await
        .unwrap();
    let third = iam
        .create_access_key()
        .user_name("alice")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&third), (409, "LimitExceeded".into()));
    let nobody = iam
        .list_access_keys()
        .user_name("nobody")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&nobody), (404, "NoSuchEntity".into()));

    let legacy_keys = iam
        .list_access_keys()
        .user_name("legacy-ci")
        .send()
        .await
        .unwrap();
    let legacy = &legacy_keys.access_key_metadata()[0];
    assert_eq!(legacy.access_key_id(), Some("AKIALEGACYCI00000001"));
    assert_eq!(
        legacy.status().map(aws_sdk_iam::types::StatusType::as_str),
        Some("Active")
    );
    assert_eq!(
        timestamp(legacy.create_date().unwrap()).to_string(),
        created_long_ago
    );
    let last_used = iam
        .get_access_key_last_used()
        .access_key_id("AKIALEGACYCI00000001")
        .send()
        .await
        .unwrap();
    assert_eq!(last_used.user_name(), Some("legacy-ci"));
    let used = last_used.access_key_last_used().unwrap();
    assert_eq!(
        timestamp(used.last_used_date().unwrap()).to_string(),
        "2025-06-01T12:00:00Z"
    );

    // Never used: N/A. Then used to sign (any service): date, service and region.
    let fresh = iam
        .get_access_key_last_used()
        .access_key_id(key.access_key_id())
        .send()
        .await
        .unwrap();
    let never = fresh.access_key_last_used().unwrap();
    assert!(never.last_used_date().is_none());
    assert_eq!(never.service_name(), "N/A");
    assert_eq!(never.region(), "N/A");
    advance(&endpoint, 90 * 86_400).await;
    let alice = common::sdk_config(
        &endpoint,
        key.access_key_id(),
        key.secret_access_key(),
        None,
    )
    .await;
    aws_sdk_organizations::Client::new(&alice)
        .describe_organization()
        .send()
        .await
        .unwrap();
    let used = iam
        .get_access_key_last_used()
        .access_key_id(key.access_key_id())
        .send()
        .await
        .unwrap()
        .access_key_last_used
        .unwrap();
    assert_eq!(used.service_name(), "organizations");
    assert_eq!(used.region(), "eu-west-1");
    let used_at = timestamp(used.last_used_date().unwrap());
    let age_days = used_at.duration_since(key_created).as_secs() / 86_400;
    assert_eq!(age_days, 90);
    // Without UserName, the signing user's own keys and user.
    let own = Client::new(&alice).list_access_keys().send().await.unwrap();
    assert_eq!(own.access_key_metadata().len(), 2);
    assert_eq!(
        Client::new(&alice)
            .get_user()
            .send()
            .await
            .unwrap()
            .user
            .unwrap()
            .user_name(),
        "alice"
    );
    let root_without_user = iam.list_access_keys().send().await.unwrap_err();
    assert_eq!(code(&root_without_user), (400, "ValidationError".into()));
    let unknown_key = iam
        .get_access_key_last_used()
        .access_key_id("AKIANOSUCHKEY0000000")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&unknown_key), (403, "AccessDenied".into()));

    let devices = iam
        .list_mfa_devices()
        .user_name("legacy-ci")
        .send()
        .await
        .unwrap();
    assert_eq!(
        devices.mfa_devices()[0].serial_number(),
        "arn:aws:iam::111111111111:mfa/legacy-ci"
    );
    let none = iam
        .list_mfa_devices()
        .user_name("alice")
        .send()
        .await
        .unwrap();
    assert!(none.mfa_devices().is_empty());

    // A user with keys cannot be deleted; a deleted key stops authenticating.
    let conflict = iam
        .delete_user()
        .user_name("alice")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&conflict), (409, "DeleteConflict".into()));
    for metadata in own.access_key_metadata() {
        iam.delete_access_key()
            .user_name("alice")
            .access_key_id(metadata.access_key_id().unwrap())
            .send()
            .await
            .unwrap();
    }
    let refused = aws_sdk_sts::Client::new(&alice)
        .get_caller_identity()
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(
        aws_sdk_sts::error::ProvideErrorMetadata::code(&refused),
        Some("InvalidClientTokenId")
    );
    iam.delete_user().user_name("alice").send().await.unwrap();
    let gone = iam.get_user().user_name("alice").send().await.unwrap_err();
    assert_eq!(code(&gone), (404, "NoSuchEntity".into()));
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn customer_managed_policies_create_list_get_delete_and_errors() {
    let (server, sdk) = common::start().await;
    let iam = Client::new(&sdk);
    let policy = iam
        .create_policy()
        .policy_name("deny-secrets")
        .path("/platform/")
        .description("No secrets")
        .policy_document(POLICY)
        .send()
        .await
        .unwrap()
        .policy
        .unwrap();
    let arn = policy.arn().unwrap().to_owned();
    assert_eq!(
        arn,
        "arn:aws:iam::111111111111:policy/platform/deny-secrets"
    );
    assert_eq!(policy.default_version_id(), Some("v1"));
    assert_eq!(policy.attachment_count(), Some(0));
    assert!(policy.policy_id().unwrap().starts_with("ANPA"));

    let fetched = iam
        .get_policy()
        .policy_arn(&arn)
        .send()
        .await
        .unwrap()
        .policy
        .unwrap();
    assert_eq!(fetched.description(), Some("No secrets"));
    let version = iam
        .get_policy_version()
        .policy_arn(&arn)
        .version_id("v1")
        .send()
        .await
        .unwrap()
        .policy_version
        .unwrap();
    // IAM returns documents URL-encoded (RFC 3986).
    let document = version.document().unwrap();
    assert!(document.starts_with("%7B%22Version%22"), "{document}");

    for (name, path) in [("b-second", "/"), ("c-third", "/")] {
        iam.create_policy()
            .policy_name(name)
            .path(path)
            .policy_document(POLICY)
            .send()
            .await
            .unwrap();
    }
    let mut names = Vec::new();
    let mut marker = None;
    loop {
        let page = iam
            .list_policies()
            .scope(aws_sdk_iam::types::PolicyScopeType::Local)
            .max_items(2)
            .set_marker(marker)
            .send()
            .await
            .unwrap();
        names.extend(
            page.policies()
                .iter()
                .map(|policy| policy.policy_name().unwrap().to_owned()),
        );
        if !page.is_truncated() {
            break;
        }
        marker = page.marker().map(str::to_owned);
    }
    assert_eq!(names, ["b-second", "c-third", "deny-secrets"]);
    let under_platform = iam
        .list_policies()
        .path_prefix("/platform/")
        .send()
        .await
        .unwrap();
    assert_eq!(under_platform.policies().len(), 1);
    let aws_scope = iam
        .list_policies()
        .scope(aws_sdk_iam::types::PolicyScopeType::Aws)
        .send()
        .await
        .unwrap();
    assert!(aws_scope.policies().is_empty());

    let duplicate = iam
        .create_policy()
        .policy_name("DENY-SECRETS")
        .policy_document(POLICY)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&duplicate), (409, "EntityAlreadyExists".into()));
    for document in [
        "not json",
        r#"{"Version":"2012-10-17"}"#,
        r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}"#,
    ] {
        let malformed = iam
            .create_policy()
            .policy_name("broken")
            .policy_document(document)
            .send()
            .await
            .unwrap_err();
        assert_eq!(code(&malformed), (400, "MalformedPolicyDocument".into()));
    }
    let bad_path = iam
        .create_policy()
        .policy_name("x")
        .path("no-slash")
        .policy_document(POLICY)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&bad_path), (400, "ValidationError".into()));
    let other_account = iam
        .get_policy()
        .policy_arn("arn:aws:iam::222222222222:policy/deny-secrets")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&other_account), (403, "AccessDenied".into()));

    iam.delete_policy().policy_arn(&arn).send().await.unwrap();
    let missing = iam.get_policy().policy_arn(&arn).send().await.unwrap_err();
    assert_eq!(code(&missing), (404, "NoSuchEntity".into()));
    let again = iam
        .delete_policy()
        .policy_arn(&arn)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&again), (404, "NoSuchEntity".into()));
    server.shutdown().await.unwrap();
}

/// Assigns `permission_set` in `account` and returns the creation's final status and
/// failure reason (after advancing the clock past its completion).
async fn assign(
    sso: &aws_sdk_ssoadmin::Client,
    endpoint: &str,
    instance: &str,
    permission_set: &str,
    account: &str,
    user: &str,
) -> (StatusValues, Option<String>) {
    let request_id = sso
        .create_account_assignment()
        .instance_arn(instance)
        .permission_set_arn(permission_set)
        .target_id(account)
        .target_type(TargetType::AwsAccount)
        .principal_type(PrincipalType::User)
        .principal_id(user)
        .send()
        .await
        .unwrap()
        .account_assignment_creation_status
        .unwrap()
        .request_id
        .unwrap();
    advance(endpoint, 60).await;
    let status = sso
        .describe_account_assignment_creation_status()
        .instance_arn(instance)
        .account_assignment_creation_request_id(request_id)
        .send()
        .await
        .unwrap()
        .account_assignment_creation_status
        .unwrap();
    (status.status.unwrap(), status.failure_reason)
}

async fn provision(
    sso: &aws_sdk_ssoadmin::Client,
    endpoint: &str,
    instance: &str,
    permission_set: &str,
    account: &str,
) -> (StatusValues, Option<String>) {
    let request_id = sso
        .provision_permission_set()
        .instance_arn(instance)
        .permission_set_arn(permission_set)
        .target_id(account)
        .target_type(ProvisionTargetType::AwsAccount)
        .send()
        .await
        .unwrap()
        .permission_set_provisioning_status
        .unwrap()
        .request_id
        .unwrap();
    advance(endpoint, 60).await;
    let status = sso
        .describe_permission_set_provisioning_status()
        .instance_arn(instance)
        .provision_permission_set_request_id(request_id)
        .send()
        .await
        .unwrap()
        .permission_set_provisioning_status
        .unwrap();
    (status.status.unwrap(), status.failure_reason)
}

#[tokio::test]
async fn provisioning_fails_while_a_customer_managed_policy_is_missing_in_the_account() {
    let (server, sdk) = common::start().await;
    let endpoint = server.endpoint_url();
    let seeded = common::seed(
        &endpoint,
        &json!({
            "accounts": [{"name": "dev", "email": "dev@example.com"}],
            "users": [{"user_name": "alice"}]
        }),
    )
    .await;
    let dev = seeded["accounts"]["dev"].as_str().unwrap().to_owned();
    let alice = seeded["users"]["alice"].as_str().unwrap().to_owned();
    let sso = aws_sdk_ssoadmin::Client::new(&sdk);
    let instance = sso.list_instances().send().await.unwrap().instances()[0]
        .instance_arn()
        .unwrap()
        .to_owned();
    let permission_set = sso
        .create_permission_set()
        .instance_arn(&instance)
        .name("Developer")
        .send()
        .await
        .unwrap()
        .permission_set
        .unwrap()
        .permission_set_arn
        .unwrap();
    sso.attach_customer_managed_policy_reference_to_permission_set()
        .instance_arn(&instance)
        .permission_set_arn(&permission_set)
        .customer_managed_policy_reference(
            CustomerManagedPolicyReference::builder()
                .name("deny-secrets")
                .path("/platform/")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();

    // Missing in dev: the assignment (which provisions) and ProvisionPermissionSet fail.
    let (status, reason) = assign(&sso, &endpoint, &instance, &permission_set, &dev, &alice).await;
    assert_eq!(status, StatusValues::Failed);
    let reason = reason.unwrap();
    assert!(
        reason.starts_with("Received a 404 status error: Not supported policy")
            && reason.contains(&format!("arn:aws:iam::{dev}:policy/platform/deny-secrets")),
        "{reason}"
    );
    let (status, reason) = provision(&sso, &endpoint, &instance, &permission_set, &dev).await;
    assert_eq!(status, StatusValues::Failed);
    assert!(reason.unwrap().contains("deny-secrets"));
    let provisioned = sso
        .list_permission_sets_provisioned_to_account()
        .instance_arn(&instance)
        .account_id(&dev)
        .send()
        .await
        .unwrap();
    assert!(provisioned.permission_sets().is_empty());

    // A policy of that name in the management account does not help: it must be in dev.
    let iam = Client::new(&sdk);
    iam.create_policy()
        .policy_name("deny-secrets")
        .path("/platform/")
        .policy_document(POLICY)
        .send()
        .await
        .unwrap();
    let (status, _) = provision(&sso, &endpoint, &instance, &permission_set, &dev).await;
    assert_eq!(status, StatusValues::Failed);

    // Created in dev (through OrganizationAccountAccessRole), provisioning succeeds.
    let assumed = aws_sdk_sts::Client::new(&sdk)
        .assume_role()
        .role_arn(format!(
            "arn:aws:iam::{dev}:role/OrganizationAccountAccessRole"
        ))
        .role_session_name("platform-bootstrap")
        .send()
        .await
        .unwrap();
    let credentials = assumed.credentials().unwrap();
    let dev_sdk = common::sdk_config(
        &endpoint,
        credentials.access_key_id(),
        credentials.secret_access_key(),
        Some(credentials.session_token()),
    )
    .await;
    let dev_iam = Client::new(&dev_sdk);
    let policy_arn = dev_iam
        .create_policy()
        .policy_name("deny-secrets")
        .path("/platform/")
        .policy_document(POLICY)
        .send()
        .await
        .unwrap()
        .policy
        .unwrap()
        .arn
        .unwrap();
    let (status, reason) = assign(&sso, &endpoint, &instance, &permission_set, &dev, &alice).await;
    assert_eq!(status, StatusValues::Succeeded, "{reason:?}");

    // The role appears in dev's IAM, and it uses the policy.
    let roles = dev_iam
        .list_roles()
        .path_prefix("/aws-reserved/")
        .send()
        .await
        .unwrap();
    let role = &roles.roles()[0];
    assert!(role.role_name().starts_with("AWSReservedSSO_Developer_"));
    assert_eq!(role.path(), "/aws-reserved/sso.amazonaws.com/");
    let policy = dev_iam
        .get_policy()
        .policy_arn(&policy_arn)
        .send()
        .await
        .unwrap()
        .policy
        .unwrap();
    assert_eq!(policy.attachment_count(), Some(1));
    let in_use = dev_iam
        .delete_policy()
        .policy_arn(&policy_arn)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(&in_use), (409, "DeleteConflict".into()));

    // A customer managed permissions boundary is checked the same way.
    sso.put_permissions_boundary_to_permission_set()
        .instance_arn(&instance)
        .permission_set_arn(&permission_set)
        .permissions_boundary(
            PermissionsBoundary::builder()
                .customer_managed_policy_reference(
                    CustomerManagedPolicyReference::builder()
                        .name("boundary")
                        .build()
                        .unwrap(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    let (status, reason) = provision(&sso, &endpoint, &instance, &permission_set, &dev).await;
    assert_eq!(status, StatusValues::Failed);
    assert!(
        reason
            .unwrap()
            .contains(&format!("arn:aws:iam::{dev}:policy/boundary"))
    );
    dev_iam
        .create_policy()
        .policy_name("boundary")
        .policy_document(POLICY)
        .send()
        .await
        .unwrap();
    let (status, reason) = provision(&sso, &endpoint, &instance, &permission_set, &dev).await;
    assert_eq!(status, StatusValues::Succeeded, "{reason:?}");
    server.shutdown().await.unwrap();
}
