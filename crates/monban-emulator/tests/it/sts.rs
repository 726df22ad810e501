//! STS through the real `aws-sdk-sts` client (awsQuery): `GetCallerIdentity` for every kind of
//! key, `AssumeRole` from the management account into a member account's
//! `OrganizationAccountAccessRole`, the temporary keys working on other services until the
//! sandbox clock passes their expiration, and `AssumeRole`'s refusals.

use aws_sdk_sts::Client;
use aws_sdk_sts::config::http::HttpResponse;
use aws_sdk_sts::error::SdkError;
use aws_sdk_sts::operation::assume_role::AssumeRoleError;
use serde_json::json;

use crate::common;

/// The HTTP status and error code of a failed `AssumeRole`.
fn code(error: SdkError<AssumeRoleError, HttpResponse>) -> (Option<u16>, Option<String>) {
    let status = error
        .raw_response()
        .map(|response| response.status().as_u16());
    let error = error.into_service_error();
    (status, error.meta().code().map(str::to_owned))
}

async fn advance(endpoint: &str, seconds: u64) {
    let (status, body) =
        common::control_post(endpoint, "clock/advance", &json!({ "seconds": seconds })).await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn get_caller_identity_for_root_member_and_iam_user_keys() {
    let (server, sdk) = common::start().await;
    let endpoint = server.endpoint_url();
    // The member's id is only known after seeding it, so its root key is seeded next.
    let seeded = common::seed(
        &endpoint,
        &json!({"accounts": [{"name": "dev", "email": "dev@example.com"}]}),
    )
    .await;
    let dev = seeded["accounts"]["dev"].as_str().unwrap().to_owned();
    common::seed(
        &endpoint,
        &json!({
            "credentials": [{
                "access_key_id": "AKIADEVROOT000000000",
                "secret_access_key": "dev-secret",
                "account_id": dev
            }],
            "iam": [{"account": "dev", "users": [{
                "user_name": "deployer",
                "access_keys": [{"access_key_id": "AKIADEVDEPLOYER00000", "secret_access_key": "deployer-secret"}]
            }]}]
        }),
    )
    .await;

    let management = Client::new(&sdk)
        .get_caller_identity()
        .send()
        .await
        .unwrap();
    assert_eq!(management.account(), Some("111111111111"));
    assert_eq!(management.arn(), Some("arn:aws:iam::111111111111:root"));
    assert_eq!(management.user_id(), Some("111111111111"));

    let member_sdk =
        common::sdk_config(&endpoint, "AKIADEVROOT000000000", "dev-secret", None).await;
    let member = Client::new(&member_sdk)
        .get_caller_identity()
        .send()
        .await
        .unwrap();
    assert_eq!(member.account(), Some(dev.as_str()));
    assert_eq!(
        member.arn(),
        Some(format!("arn:aws:iam::{dev}:root").as_str())
    );

    let user_sdk =
        common::sdk_config(&endpoint, "AKIADEVDEPLOYER00000", "deployer-secret", None).await;
    let user = Client::new(&user_sdk)
        .get_caller_identity()
        .send()
        .await
        .unwrap();
    assert_eq!(
        user.arn(),
        Some(format!("arn:aws:iam::{dev}:user/deployer").as_str())
    );
    let user_id = user.user_id().unwrap();
    assert!(
        user_id.starts_with("AIDA") && user_id.len() == 21,
        "{user_id}"
    );
    let iam = aws_sdk_iam::Client::new(&user_sdk);
    let listed = iam.get_user().send().await.unwrap();
    assert_eq!(listed.user().unwrap().user_id(), user_id);

    let unknown_sdk = common::sdk_config(&endpoint, "AKIAUNKNOWN000000000", "x", None).await;
    let error = Client::new(&unknown_sdk)
        .get_caller_identity()
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        error.raw_response().unwrap().status().as_u16(),
        403,
        "{error:?}"
    );
    assert_eq!(
        error.into_service_error().meta().code(),
        Some("InvalidClientTokenId")
    );
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn assume_role_into_a_member_account_then_use_and_expire_the_keys() {
    let (server, sdk) = common::start().await;
    let endpoint = server.endpoint_url();
    let seeded = common::seed(
        &endpoint,
        &json!({
            "accounts": [{"name": "dev", "email": "dev@example.com"}],
            "iam": [{"account": "dev", "users": [{"user_name": "legacy-ci"}]}]
        }),
    )
    .await;
    let dev = seeded["accounts"]["dev"].as_str().unwrap().to_owned();
    let role_arn = format!("arn:aws:iam::{dev}:role/OrganizationAccountAccessRole");

    let assumed = Client::new(&sdk)
        .assume_role()
        .role_arn(&role_arn)
        .role_session_name("monban-audit")
        .duration_seconds(900)
        .send()
        .await
        .unwrap();
    let credentials = assumed.credentials().unwrap();
    assert!(credentials.access_key_id().starts_with("ASIA"));
    assert_eq!(credentials.access_key_id().len(), 20);
    let user = assumed.assumed_role_user().unwrap();
    assert_eq!(
        user.arn(),
        format!("arn:aws:sts::{dev}:assumed-role/OrganizationAccountAccessRole/monban-audit")
    );
    assert!(user.assumed_role_id().starts_with("AROA"));
    assert!(user.assumed_role_id().ends_with(":monban-audit"));
    let now = common::control_get(&endpoint, "health").await["now"]
        .as_str()
        .unwrap()
        .parse::<jiff::Timestamp>()
        .unwrap();
    let expiration = jiff::Timestamp::from_second(credentials.expiration().secs()).unwrap();
    let lifetime = expiration.duration_since(now).as_secs();
    assert!((898..=900).contains(&lifetime), "{lifetime}");

    let temporary = common::sdk_config(
        &endpoint,
        credentials.access_key_id(),
        credentials.secret_access_key(),
        Some(credentials.session_token()),
    )
    .await;
    let identity = Client::new(&temporary)
        .get_caller_identity()
        .send()
        .await
        .unwrap();
    assert_eq!(identity.account(), Some(dev.as_str()));
    assert_eq!(identity.arn(), Some(user.arn()));
    assert_eq!(identity.user_id(), Some(user.assumed_role_id()));
    // The member account's IAM, as the role sees it.
    let users = aws_sdk_iam::Client::new(&temporary)
        .list_users()
        .send()
        .await
        .unwrap();
    let names: Vec<&str> = users
        .users()
        .iter()
        .map(aws_sdk_iam::types::User::user_name)
        .collect();
    assert_eq!(names, ["legacy-ci"]);
    // The JSON services see the member account as the caller: it may not create accounts.
    let organizations = aws_sdk_organizations::Client::new(&temporary);
    let refused = organizations
        .create_account()
        .account_name("x")
        .email("x@example.com")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(refused.is_access_denied_exception(), "{refused:?}");

    // Past the expiration on the sandbox clock the key is refused, on every protocol.
    advance(&endpoint, 901).await;
    let error = Client::new(&temporary)
        .get_caller_identity()
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.raw_response().unwrap().status().as_u16(), 403);
    assert_eq!(
        error.into_service_error().meta().code(),
        Some("ExpiredToken")
    );
    let error = organizations
        .describe_organization()
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(
        error.meta().code(),
        Some("ExpiredTokenException"),
        "{error:?}"
    );
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn assume_role_refusals() {
    let (server, sdk) = common::start().await;
    let endpoint = server.endpoint_url();
    let seeded = common::seed(
        &endpoint,
        &json!({
            "accounts": [{"name": "dev", "email": "dev@example.com"}],
        }),
    )
    .await;
    let dev = seeded["accounts"]["dev"].as_str().unwrap().to_owned();
    common::seed(
        &endpoint,
        &json!({"credentials": [{
            "access_key_id": "AKIADEVROOT000000000",
            "secret_access_key": "dev-secret",
            "account_id": dev
        }]}),
    )
    .await;
    let sts = Client::new(&sdk);
    let role_arn = format!("arn:aws:iam::{dev}:role/OrganizationAccountAccessRole");

    let missing = sts
        .assume_role()
        .role_arn(format!("arn:aws:iam::{dev}:role/NoSuchRole"))
        .role_session_name("s1")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(missing), (Some(403), Some("AccessDenied".into())));

    let short = sts
        .assume_role()
        .role_arn(&role_arn)
        .role_session_name("s1")
        .duration_seconds(60)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(short), (Some(400), Some("ValidationError".into())));

    // OrganizationAccountAccessRole's MaxSessionDuration is one hour, as in AWS.
    let long = sts
        .assume_role()
        .role_arn(&role_arn)
        .role_session_name("s1")
        .duration_seconds(7200)
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(long), (Some(400), Some("ValidationError".into())));

    let bad_session = sts
        .assume_role()
        .role_arn(&role_arn)
        .role_session_name("has space")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        code(bad_session),
        (Some(400), Some("ValidationError".into()))
    );

    // The role trusts the management account only.
    let member = common::sdk_config(&endpoint, "AKIADEVROOT000000000", "dev-secret", None).await;
    let untrusted = Client::new(&member)
        .assume_role()
        .role_arn(&role_arn)
        .role_session_name("s1")
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(untrusted), (Some(403), Some("AccessDenied".into())));

    // The management account itself has no OrganizationAccountAccessRole.
    let management_role = sts
        .assume_role()
        .role_arn("arn:aws:iam::111111111111:role/OrganizationAccountAccessRole")
        .role_session_name("s1")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        code(management_role),
        (Some(403), Some("AccessDenied".into()))
    );
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_created_account_gets_the_role_when_creation_completes() {
    let (server, sdk) = common::start().await;
    let endpoint = server.endpoint_url();
    let organizations = aws_sdk_organizations::Client::new(&sdk);
    let status = organizations
        .create_account()
        .account_name("payments")
        .email("payments@example.com")
        .send()
        .await
        .unwrap()
        .create_account_status
        .unwrap();
    let request_id = status.id().unwrap().to_owned();
    advance(&endpoint, 3600).await;
    let account_id = organizations
        .describe_create_account_status()
        .create_account_request_id(&request_id)
        .send()
        .await
        .unwrap()
        .create_account_status
        .unwrap()
        .account_id
        .unwrap();
    let assumed = Client::new(&sdk)
        .assume_role()
        .role_arn(format!(
            "arn:aws:iam::{account_id}:role/OrganizationAccountAccessRole"
        ))
        .role_session_name("bootstrap")
        .send()
        .await
        .unwrap();
    let credentials = assumed.credentials().unwrap();
    let temporary = common::sdk_config(
        &endpoint,
        credentials.access_key_id(),
        credentials.secret_access_key(),
        Some(credentials.session_token()),
    )
    .await;
    let role = aws_sdk_iam::Client::new(&temporary)
        .get_role()
        .role_name("OrganizationAccountAccessRole")
        .send()
        .await
        .unwrap()
        .role
        .unwrap();
    assert_eq!(role.max_session_duration(), Some(3600));
    assert!(role.role_id().starts_with("AROA"));
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn errors_are_aws_query_xml_with_the_request_id() {
    let (server, _sdk) = common::start().await;
    let endpoint = server.endpoint_url();
    let response = reqwest::Client::new()
        .post(format!("{endpoint}/"))
        .header(
            "content-type",
            "application/x-www-form-urlencoded; charset=utf-8",
        )
        .body("Action=GetCallerIdentity&Version=2011-06-15")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 403);
    assert_eq!(response.headers()["content-type"], "text/xml");
    let request_id = response.headers()["x-amzn-requestid"]
        .to_str()
        .unwrap()
        .to_owned();
    let body = response.text().await.unwrap();
    assert_eq!(
        body,
        format!(
            "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error>\
             <Type>Sender</Type><Code>MissingAuthenticationToken</Code>\
             <Message>Missing Authentication Token</Message></Error>\
             <RequestId>{request_id}</RequestId></ErrorResponse>"
        )
    );
    let log = common::control_get(&endpoint, "requests").await;
    let entry = &log["requests"][0];
    assert_eq!(entry["service"], "sts");
    assert_eq!(entry["operation"], "GetCallerIdentity");
    assert_eq!(entry["error_code"], "MissingAuthenticationToken");
    assert_eq!(entry["status"], 403);
    server.shutdown().await.unwrap();
}
