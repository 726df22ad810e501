//! The account baseline through the real SDKs: customer managed policies that exist in every
//! member account — accounts there were before the baseline and accounts that join after it
//! (`CreateAccount`, the seed, an accepted invitation) — so an assignment of a permission set
//! that references them (and a customer managed boundary) succeeds; without the baseline it
//! fails with AWS's 404 reason. The control endpoint sets and reads it, and it survives a
//! restart.

use aws_sdk_organizations::types::{HandshakeParty, HandshakePartyType};
use aws_sdk_ssoadmin::types::{
    CustomerManagedPolicyReference, PermissionsBoundary, PrincipalType, StatusValues, TargetType,
};
use monban_emulator::{BaselinePolicy, Config, Server};
use serde_json::{Value, json};

use crate::common;

/// The policies the permission set of these tests references: two customer managed
/// policies (one under a path) and the boundary.
fn baseline() -> Vec<BaselinePolicy> {
    vec![
        BaselinePolicy::new("app-deploy", "/"),
        BaselinePolicy::new("app-read", "/team/payments/"),
        BaselinePolicy::new("deploy-boundary", "/boundaries/"),
    ]
}

fn baseline_json() -> Value {
    json!({"policies": [
        {"name": "app-deploy", "path": "/", "document": null},
        {"name": "app-read", "path": "/team/payments/", "document": null},
        {"name": "deploy-boundary", "path": "/boundaries/", "document": null},
    ]})
}

async fn advance(endpoint: &str, seconds: u64) {
    let (status, body) =
        common::control_post(endpoint, "clock/advance", &json!({ "seconds": seconds })).await;
    assert_eq!(status, 200, "{body}");
}

async fn instance_arn(sso: &aws_sdk_ssoadmin::Client) -> String {
    sso.list_instances().send().await.unwrap().instances()[0]
        .instance_arn()
        .unwrap()
        .to_owned()
}

/// A permission set named `name` referencing `app-deploy` (`/`), `app-read`
/// (`/team/payments/`) and the boundary `deploy-boundary` (`/boundaries/`).
async fn permission_set(sso: &aws_sdk_ssoadmin::Client, instance: &str, name: &str) -> String {
    let arn = sso
        .create_permission_set()
        .instance_arn(instance)
        .name(name)
        .send()
        .await
        .unwrap()
        .permission_set
        .unwrap()
        .permission_set_arn
        .unwrap();
    for (policy, path) in [("app-deploy", "/"), ("app-read", "/team/payments/")] {
        sso.attach_customer_managed_policy_reference_to_permission_set()
            .instance_arn(instance)
            .permission_set_arn(&arn)
            .customer_managed_policy_reference(
                CustomerManagedPolicyReference::builder()
                    .name(policy)
                    .path(path)
                    .build()
                    .unwrap(),
            )
            .send()
            .await
            .unwrap();
    }
    sso.put_permissions_boundary_to_permission_set()
        .instance_arn(instance)
        .permission_set_arn(&arn)
        .permissions_boundary(
            PermissionsBoundary::builder()
                .customer_managed_policy_reference(
                    CustomerManagedPolicyReference::builder()
                        .name("deploy-boundary")
                        .path("/boundaries/")
                        .build()
                        .unwrap(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    arn
}

/// Assigns `permission_set` in `account` to `user`; the creation's final status and reason.
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

/// Creates an account with `CreateAccount` and waits (on the sandbox clock) until it joined.
async fn create_account(
    organizations: &aws_sdk_organizations::Client,
    endpoint: &str,
    name: &str,
) -> String {
    let request_id = organizations
        .create_account()
        .account_name(name)
        .email(format!("{name}@example.com"))
        .send()
        .await
        .unwrap()
        .create_account_status
        .unwrap()
        .id
        .unwrap();
    advance(endpoint, 600).await;
    let status = organizations
        .describe_create_account_status()
        .create_account_request_id(request_id)
        .send()
        .await
        .unwrap()
        .create_account_status
        .unwrap();
    assert_eq!(
        status.state(),
        Some(&aws_sdk_organizations::types::CreateAccountState::Succeeded)
    );
    status.account_id.unwrap()
}

/// The customer managed policies (`path` + `name`) in `account`, listed by a session of
/// its `OrganizationAccountAccessRole` — as a real user would look.
async fn policies_in(sdk: &aws_config::SdkConfig, endpoint: &str, account: &str) -> Vec<String> {
    let credentials = aws_sdk_sts::Client::new(sdk)
        .assume_role()
        .role_arn(format!(
            "arn:aws:iam::{account}:role/OrganizationAccountAccessRole"
        ))
        .role_session_name("baseline-check")
        .send()
        .await
        .unwrap()
        .credentials
        .unwrap();
    let member = common::sdk_config(
        endpoint,
        credentials.access_key_id(),
        credentials.secret_access_key(),
        Some(credentials.session_token()),
    )
    .await;
    let mut listed: Vec<String> = aws_sdk_iam::Client::new(&member)
        .list_policies()
        .scope(aws_sdk_iam::types::PolicyScopeType::Local)
        .send()
        .await
        .unwrap()
        .policies()
        .iter()
        .map(|policy| {
            format!(
                "{}{}",
                policy.path().unwrap(),
                policy.policy_name().unwrap()
            )
        })
        .collect();
    listed.sort();
    listed
}

fn baseline_listed() -> Vec<String> {
    vec![
        "/app-deploy".to_owned(),
        "/boundaries/deploy-boundary".to_owned(),
        "/team/payments/app-read".to_owned(),
    ]
}

#[tokio::test]
async fn with_a_baseline_assignments_succeed_in_accounts_from_before_and_after_it() {
    let state = tempfile::tempdir().unwrap();
    let in_state = |account_baseline: Vec<BaselinePolicy>| Config {
        state_dir: Some(state.path().to_owned()),
        account_baseline,
        ..Config::default()
    };

    // An account that exists before any baseline.
    let (server, _) = common::start_with(in_state(Vec::new())).await;
    let seeded = common::seed(
        &server.endpoint_url(),
        &json!({
            "accounts": [{"name": "older", "email": "older@example.com"}],
            "users": [{"user_name": "alice"}]
        }),
    )
    .await;
    let older = seeded["accounts"]["older"].as_str().unwrap().to_owned();
    let alice = seeded["users"]["alice"].as_str().unwrap().to_owned();
    server.shutdown().await.unwrap();

    // The baseline is configured at start: the older account gets it then, a new one when
    // its creation completes.
    let (server, sdk) = common::start_with(in_state(baseline())).await;
    let endpoint = server.endpoint_url();
    let organizations = aws_sdk_organizations::Client::new(&sdk);
    let newer = create_account(&organizations, &endpoint, "newer").await;
    assert_eq!(
        policies_in(&sdk, &endpoint, &older).await,
        baseline_listed()
    );
    assert_eq!(
        policies_in(&sdk, &endpoint, &newer).await,
        baseline_listed()
    );

    let sso = aws_sdk_ssoadmin::Client::new(&sdk);
    let instance = instance_arn(&sso).await;
    let deployer = permission_set(&sso, &instance, "Deployer").await;
    for account in [&older, &newer] {
        let (status, reason) = assign(&sso, &endpoint, &instance, &deployer, account, &alice).await;
        assert_eq!(status, StatusValues::Succeeded, "{account}: {reason:?}");
        assert_eq!(reason, None);
    }
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn without_a_baseline_the_assignment_fails_with_the_404_reason_until_one_is_posted() {
    let (server, sdk) = common::start().await;
    let endpoint = server.endpoint_url();
    assert_eq!(
        common::control_get(&endpoint, "account-baseline").await,
        json!({"policies": []})
    );
    let organizations = aws_sdk_organizations::Client::new(&sdk);
    let account = create_account(&organizations, &endpoint, "workload").await;
    let seeded = common::seed(&endpoint, &json!({"users": [{"user_name": "bob"}]})).await;
    let bob = seeded["users"]["bob"].as_str().unwrap().to_owned();
    let sso = aws_sdk_ssoadmin::Client::new(&sdk);
    let instance = instance_arn(&sso).await;
    let deployer = permission_set(&sso, &instance, "Deployer").await;

    let (status, reason) = assign(&sso, &endpoint, &instance, &deployer, &account, &bob).await;
    assert_eq!(status, StatusValues::Failed);
    let reason = reason.unwrap();
    assert!(
        reason.starts_with("Received a 404 status error: Not supported policy"),
        "{reason}"
    );
    assert!(
        reason.contains(&format!("arn:aws:iam::{account}:policy/")),
        "{reason}"
    );

    // Posting the baseline creates its policies in every account at once (the management
    // account and the workload account: three each).
    let (status, answer) =
        common::control_post(&endpoint, "account-baseline", &baseline_json()).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["created"], 6);
    assert_eq!(answer["policies"], baseline_json()["policies"]);
    assert_eq!(
        common::control_get(&endpoint, "account-baseline").await,
        baseline_json()
    );
    assert_eq!(
        policies_in(&sdk, &endpoint, &account).await,
        baseline_listed()
    );
    let (status, reason) = assign(&sso, &endpoint, &instance, &deployer, &account, &bob).await;
    assert_eq!(status, StatusValues::Succeeded, "{reason:?}");

    // Posting it again creates nothing new; an unusable policy changes nothing.
    let (status, answer) =
        common::control_post(&endpoint, "account-baseline", &baseline_json()).await;
    assert_eq!((status, answer["created"].clone()), (200, json!(0)));
    for bad in [
        json!({"policies": [{"name": "no spaces allowed", "path": "/"}]}),
        json!({"policies": [{"name": "ok", "path": "missing-slashes"}]}),
        json!({"policies": [{"name": "ok", "document": "{\"Statement\": 3}"}]}),
        json!({"policies": [{"name": "twice"}, {"name": "TWICE", "path": "/x/"}]}),
    ] {
        let (status, answer) = common::control_post(&endpoint, "account-baseline", &bad).await;
        assert_eq!(status, 400, "{bad} → {answer}");
        assert_eq!(answer["error"], "InvalidBaseline", "{answer}");
    }
    assert_eq!(
        common::control_get(&endpoint, "account-baseline").await,
        baseline_json()
    );
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_baseline_set_through_the_control_api_survives_a_restart_and_reaches_later_accounts() {
    let state = tempfile::tempdir().unwrap();
    let config = || Config {
        state_dir: Some(state.path().to_owned()),
        ..Config::default()
    };
    let (server, _) = common::start_with(config()).await;
    let (status, answer) =
        common::control_post(&server.endpoint_url(), "account-baseline", &baseline_json()).await;
    assert_eq!(status, 200, "{answer}");
    server.shutdown().await.unwrap();

    // Started again without a configured baseline: the stored one stays in force.
    let (server, sdk) = common::start_with(config()).await;
    let endpoint = server.endpoint_url();
    assert_eq!(
        common::control_get(&endpoint, "account-baseline").await,
        baseline_json()
    );
    let organizations = aws_sdk_organizations::Client::new(&sdk);
    let later = create_account(&organizations, &endpoint, "later").await;
    assert_eq!(
        policies_in(&sdk, &endpoint, &later).await,
        baseline_listed()
    );
    let seeded = common::seed(&endpoint, &json!({"users": [{"user_name": "carol"}]})).await;
    let carol = seeded["users"]["carol"].as_str().unwrap().to_owned();
    let sso = aws_sdk_ssoadmin::Client::new(&sdk);
    let instance = instance_arn(&sso).await;
    let deployer = permission_set(&sso, &instance, "Deployer").await;
    let (status, reason) = assign(&sso, &endpoint, &instance, &deployer, &later, &carol).await;
    assert_eq!(status, StatusValues::Succeeded, "{reason:?}");
    server.shutdown().await.unwrap();

    // A configured baseline replaces the stored one; what accounts hold stays theirs.
    let (server, sdk) = common::start_with(Config {
        account_baseline: vec![BaselinePolicy::new("audit-extra", "/")],
        ..config()
    })
    .await;
    let endpoint = server.endpoint_url();
    assert_eq!(
        common::control_get(&endpoint, "account-baseline").await,
        json!({"policies": [{"name": "audit-extra", "path": "/", "document": null}]})
    );
    let mut expected = baseline_listed();
    expected.push("/audit-extra".to_owned());
    expected.sort();
    assert_eq!(policies_in(&sdk, &endpoint, &later).await, expected);

    // Reset restores the baseline the server started with, in the fresh World.
    let (status, _) = common::control_post(&endpoint, "reset", &json!({})).await;
    assert_eq!(status, 200);
    assert_eq!(
        common::control_get(&endpoint, "account-baseline").await["policies"][0]["name"],
        "audit-extra"
    );
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn seeded_and_invited_accounts_get_the_baseline_and_a_seeded_policy_of_the_same_name_wins() {
    let (server, sdk) = common::start_with(Config {
        account_baseline: baseline(),
        ..Config::default()
    })
    .await;
    let endpoint = server.endpoint_url();
    let own_document = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#;
    let seeded = common::seed(
        &endpoint,
        &json!({
            "accounts": [{"name": "seeded", "email": "seeded@example.com"}],
            "iam": [{"account": "seeded", "policies": [
                {"name": "app-deploy", "path": "/own/", "document": own_document}
            ]}]
        }),
    )
    .await;
    let seeded_account = seeded["accounts"]["seeded"].as_str().unwrap().to_owned();
    assert_eq!(
        policies_in(&sdk, &endpoint, &seeded_account).await,
        vec![
            "/boundaries/deploy-boundary".to_owned(),
            "/own/app-deploy".to_owned(),
            "/team/payments/app-read".to_owned(),
        ]
    );

    // An account outside the organization has no baseline; once it accepts an invitation
    // it has (listed with its owner's key: invited accounts have no
    // OrganizationAccountAccessRole).
    let (status, created) = common::control_post(
        &endpoint,
        "standalone-accounts",
        &json!({"name": "acquired", "email": "acquired@example.com"}),
    )
    .await;
    assert_eq!(status, 200, "{created}");
    let owner = common::sdk_config(
        &endpoint,
        created["access_key_id"].as_str().unwrap(),
        created["secret_access_key"].as_str().unwrap(),
        None,
    )
    .await;
    let owner_policies = || async {
        let mut listed: Vec<String> = aws_sdk_iam::Client::new(&owner)
            .list_policies()
            .scope(aws_sdk_iam::types::PolicyScopeType::Local)
            .send()
            .await
            .unwrap()
            .policies()
            .iter()
            .map(|policy| {
                format!(
                    "{}{}",
                    policy.path().unwrap(),
                    policy.policy_name().unwrap()
                )
            })
            .collect();
        listed.sort();
        listed
    };
    assert!(owner_policies().await.is_empty());
    let handshake = aws_sdk_organizations::Client::new(&sdk)
        .invite_account_to_organization()
        .target(
            HandshakeParty::builder()
                .r#type(HandshakePartyType::Account)
                .id(created["id"].as_str().unwrap())
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap()
        .handshake
        .unwrap();
    let (status, answer) = common::control_post(
        &endpoint,
        &format!("handshakes/{}/accept", handshake.id().unwrap()),
        &json!({}),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(owner_policies().await, baseline_listed());
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn an_unusable_configured_baseline_refuses_to_start() {
    let error = Server::start(Config {
        account_baseline: vec![BaselinePolicy::new("bad name", "/")],
        ..Config::default()
    })
    .await
    .unwrap_err();
    assert!(error.to_string().contains("bad name"), "{error}");
}
