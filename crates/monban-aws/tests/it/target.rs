//! Targets: how each kind names itself (the plan's first line, the snapshot key), how the
//! caller is learned, and that missing credentials for an AWS target are an error naming the
//! target — never a fallback.

use monban_aws::{
    AwsError, CallerSource, ConnectOptions, StaticCredentials, TargetKindName, TargetSpec,
};

use crate::common;

#[tokio::test]
async fn the_embedded_sandbox_names_itself_and_its_management_caller() {
    let (server, clients) = common::sandbox().await;
    let target = clients.target();
    assert_eq!(target.kind, TargetKindName::Sandbox);
    assert_eq!(target.region, "us-east-1");
    assert_eq!(target.caller_account_id, "111111111111");
    assert_eq!(target.caller_source, CallerSource::AssumedManagement);
    assert_eq!(target.key(), "sandbox");
    assert_eq!(
        target.to_string(),
        format!(
            "embedded sandbox {} (us-east-1), account 111111111111 (assumed: management account)",
            server.endpoint_url()
        )
    );
    // The description round-trips through JSON (a saved plan records it).
    let json = serde_json::to_string(target).unwrap();
    assert_eq!(
        &serde_json::from_str::<monban_aws::Target>(&json).unwrap(),
        target
    );
}

#[tokio::test]
async fn an_endpoint_resolves_the_caller_through_sts() {
    let (server, _) = common::sandbox().await;
    let url = server.endpoint_url();
    let clients = monban_aws::connect(
        &TargetSpec::endpoint(
            url.clone(),
            Some("eu-west-1".into()),
            Some(StaticCredentials::sandbox_default()),
        ),
        &ConnectOptions::default(),
    )
    .await
    .unwrap();
    let target = clients.target();
    assert_eq!(target.kind, TargetKindName::Endpoint);
    assert_eq!(target.region, "eu-west-1");
    // The sandbox answers STS GetCallerIdentity (its key is the management account's).
    assert_eq!(target.caller_account_id, "111111111111");
    assert_eq!(target.caller_source, CallerSource::Sts);
    let port = url.rsplit(':').next().unwrap();
    assert_eq!(target.key(), format!("endpoint-127.0.0.1-{port}"));

    let given = monban_aws::connect(
        &TargetSpec::embedded_sandbox(url).with_caller_account_id("222222222222"),
        &ConnectOptions::default(),
    )
    .await
    .unwrap();
    assert_eq!(given.target().caller_account_id, "222222222222");
    assert_eq!(given.target().caller_source, CallerSource::Given);
    // A read reports the caller as the organization sees it: not the management account.
    let state = monban_aws::read_live_state_parts(
        &given,
        monban_aws::ReadParts {
            organization: false,
            identity_center: false,
            identity_store: false,
            tags: true,
            policy_references: true,
        },
    )
    .await
    .unwrap()
    .state;
    assert!(!state.caller.is_management_account);
}

#[tokio::test]
async fn wrong_sandbox_keys_are_an_error_naming_the_operation() {
    let (server, _) = common::sandbox().await;
    let error = monban_aws::connect(
        &TargetSpec::endpoint(
            server.endpoint_url(),
            None,
            Some(StaticCredentials {
                access_key_id: "AKIAMONBANSANDBOX000".into(),
                secret_access_key: "wrong".into(),
                session_token: None,
            }),
        ),
        &ConnectOptions::default(),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(
            error,
            AwsError::Call {
                operation: "DescribeOrganization",
                ..
            }
        ),
        "{error}"
    );
}

/// Runs `missing_credentials_child` in a fresh process whose environment has no AWS
/// configuration at all (no keys, no config files, no instance metadata), so the standard
/// credential chain finds nothing whatever the machine running the tests has.
#[test]
fn missing_credentials_for_an_aws_target_are_an_error_naming_the_target() {
    let home = tempfile::tempdir().unwrap();
    let output = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "target::missing_credentials_child",
            "--exact",
            "--ignored",
            "--nocapture",
        ])
        .env_clear()
        .env("MONBAN_AWS_CREDENTIALS_CHILD", "1")
        .env("HOME", home.path())
        .env("AWS_CONFIG_FILE", home.path().join("config"))
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            home.path().join("credentials"),
        )
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("1 passed"), "{stdout}");
}

/// The child half of the test above; does nothing unless started by it.
#[tokio::test]
#[ignore = "run by missing_credentials_for_an_aws_target_are_an_error_naming_the_target in an empty environment"]
async fn missing_credentials_child() {
    if std::env::var_os("MONBAN_AWS_CREDENTIALS_CHILD").is_none() {
        return;
    }
    let error = monban_aws::connect(
        &TargetSpec::aws(Some("prod-admin".into()), Some("eu-west-1".into())),
        &ConnectOptions::default(),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(error, AwsError::MissingCredentials { .. }),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        "no AWS credentials found for AWS profile `prod-admin` (eu-west-1); sign in \
         (`aws sso login --profile prod-admin`) or set AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY"
    );

    let error = monban_aws::connect(
        &TargetSpec::aws(None, Some("eu-west-1".into())),
        &ConnectOptions::default(),
    )
    .await
    .unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("no AWS credentials found for AWS (default credential chain) (eu-west-1)"),
        "{error}"
    );

    let error = monban_aws::connect(&TargetSpec::aws(None, None), &ConnectOptions::default())
        .await
        .unwrap_err();
    assert!(matches!(error, AwsError::MissingRegion { .. }), "{error:?}");
}

#[tokio::test]
async fn a_delegated_administrator_reads_the_same_state_and_is_not_the_management_account() {
    let (server, management) = common::sandbox().await;
    let url = server.endpoint_url();
    common::seed(
        &url,
        &serde_json::json!({
            "organizational_units": ["Security"],
            "accounts": [{"name": "security", "email": "security@example.com",
                          "id": "222222222222", "ou": "Security"}],
            "users": [{"user_name": "alice"}],
            "groups": [{"display_name": "admins", "members": ["alice"]}],
            "credentials": [{"access_key_id": "AKIADELEGATED0000001",
                             "secret_access_key": "delegated-secret",
                             "account_id": "222222222222"}]
        }),
    )
    .await;
    let organizations = management.organizations();
    organizations
        .enable_aws_service_access()
        .service_principal("sso.amazonaws.com")
        .send()
        .await
        .unwrap();
    organizations
        .register_delegated_administrator()
        .account_id("222222222222")
        .service_principal("sso.amazonaws.com")
        .send()
        .await
        .unwrap();
    let delegated = monban_aws::connect(
        &TargetSpec::endpoint(
            url,
            None,
            Some(StaticCredentials {
                access_key_id: "AKIADELEGATED0000001".into(),
                secret_access_key: "delegated-secret".into(),
                session_token: None,
            }),
        )
        .with_caller_account_id("222222222222"),
        &ConnectOptions::default(),
    )
    .await
    .unwrap();

    let as_management = monban_aws::read_live_state(&management)
        .await
        .unwrap()
        .state;
    let mut as_delegated = monban_aws::read_live_state(&delegated).await.unwrap().state;
    assert_eq!(as_delegated.caller.account_id, "222222222222");
    assert!(!as_delegated.caller.is_management_account);
    as_delegated.caller = as_management.caller.clone();
    as_delegated.read_at = as_management.read_at;
    assert_eq!(as_delegated, as_management);
}
