//! Developer sign-in end to end, through the real `aws-sdk-ssooidc`, `aws-sdk-sso` and
//! `aws-sdk-sts` clients and plain HTTP for the HTML forms: the device flow (pending → the
//! sign-in form → token → portal → role keys → GetCallerIdentity), the authorization-code
//! flow with PKCE, refresh, logout, slow_down, expiry on the sandbox clock, a disabled or
//! deleted user locked out, the exact error encoding, the console-federation stand-in and
//! tokens surviving a restart.

#![expect(
    clippy::doc_markdown,
    reason = "docs name AWS operations and permission sets (GetCallerIdentity, ReadOnly) as prose"
)]

use aws_config::SdkConfig;
use aws_sdk_ssooidc::config::http::HttpResponse;
use aws_sdk_ssooidc::error::SdkError;
use aws_sdk_ssooidc::operation::create_token::{CreateTokenError, CreateTokenOutput};
use serde_json::{Value, json};

use crate::common;

const PASSWORD: &str = "monban-sandbox";
const MANAGEMENT: &str = "111111111111";
const DEVICE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";

/// alice holds Admin (PT2H) in the management account and ReadOnly in dev directly; bob
/// holds ReadOnly in dev and prod through the `developers` group; carol is disabled.
async fn seed_people(endpoint: &str) -> Value {
    common::seed(
        endpoint,
        &json!({
            "accounts": [
                {"name": "dev", "email": "dev@example.com"},
                {"name": "prod", "email": "prod@example.com"}
            ],
            "users": [
                {"user_name": "alice"},
                {"user_name": "bob"},
                {"user_name": "carol", "active": false}
            ],
            "groups": [{"display_name": "developers", "members": ["bob"]}],
            "permission_sets": [
                {"name": "Admin", "session_duration": "PT2H"},
                {"name": "ReadOnly"}
            ],
            "assignments": [
                {"account_id": MANAGEMENT, "permission_set": "Admin", "user": "alice"},
                {"account_name": "dev", "permission_set": "ReadOnly", "user": "alice"},
                {"account_name": "dev", "permission_set": "ReadOnly", "group": "developers"},
                {"account_name": "prod", "permission_set": "ReadOnly", "group": "developers"}
            ]
        }),
    )
    .await
}

async fn advance(endpoint: &str, seconds: f64) {
    let (status, body) =
        common::control_post(endpoint, "clock/advance", &json!({ "seconds": seconds })).await;
    assert_eq!(status, 200, "{body}");
}

fn oidc(sdk: &SdkConfig) -> aws_sdk_ssooidc::Client {
    aws_sdk_ssooidc::Client::new(sdk)
}

fn portal(sdk: &SdkConfig) -> aws_sdk_sso::Client {
    aws_sdk_sso::Client::new(sdk)
}

/// A registered client: (client id, secret).
async fn register(sdk: &SdkConfig, refreshable: bool) -> (String, String) {
    let mut request = oidc(sdk)
        .register_client()
        .client_name("monban-tests")
        .client_type("public");
    if refreshable {
        request = request.scopes("sso:account:access");
    }
    let output = request.send().await.unwrap();
    (
        output.client_id().unwrap().to_owned(),
        output.client_secret().unwrap().to_owned(),
    )
}

fn error_of(error: SdkError<CreateTokenError, HttpResponse>) -> (u16, CreateTokenError) {
    let status = error.raw_response().map(|r| r.status().as_u16()).unwrap();
    (status, error.into_service_error())
}

async fn poll(
    sdk: &SdkConfig,
    client: &(String, String),
    device_code: &str,
) -> Result<CreateTokenOutput, (u16, CreateTokenError)> {
    oidc(sdk)
        .create_token()
        .client_id(&client.0)
        .client_secret(&client.1)
        .grant_type(DEVICE_GRANT)
        .device_code(device_code)
        .send()
        .await
        .map_err(error_of)
}

/// GETs the verification page and posts its form as a person would; (status, page).
async fn sign_in_on_page(
    endpoint: &str,
    verification_uri_complete: &str,
    user_name: &str,
    password: &str,
    action: &str,
) -> (u16, String) {
    let http = reqwest::Client::new();
    let page = http.get(verification_uri_complete).send().await.unwrap();
    assert_eq!(page.status().as_u16(), 200);
    assert!(
        page.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = page.text().await.unwrap();
    let user_code = verification_uri_complete
        .split("user_code=")
        .nth(1)
        .unwrap()
        .to_owned();
    assert_eq!(html.matches("<form").count(), 1, "{html}");
    assert!(html.contains("name=\"user_name\""), "{html}");
    assert!(html.contains("name=\"password\""), "{html}");
    assert!(html.contains(&format!("value=\"{user_code}\"")), "{html}");
    let response = http
        .post(format!("{endpoint}/device"))
        .form(&[
            ("user_code", user_code.as_str()),
            ("user_name", user_name),
            ("password", password),
            ("action", action),
        ])
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.text().await.unwrap())
}

/// The whole device flow for `user_name`; returns the token output.
async fn device_login(
    endpoint: &str,
    sdk: &SdkConfig,
    client: &(String, String),
    user_name: &str,
) -> CreateTokenOutput {
    let started = oidc(sdk)
        .start_device_authorization()
        .client_id(&client.0)
        .client_secret(&client.1)
        .start_url("https://d-1234567890.awsapps.com/start")
        .send()
        .await
        .unwrap();
    let device_code = started.device_code().unwrap();
    let (status, _) = poll(sdk, client, device_code).await.unwrap_err();
    assert_eq!(status, 400);
    let (status, page) = sign_in_on_page(
        endpoint,
        started.verification_uri_complete().unwrap(),
        user_name,
        PASSWORD,
        "approve",
    )
    .await;
    assert_eq!(status, 200, "{page}");
    // The next poll must respect `interval` (1 s).
    advance(endpoint, 1.0).await;
    poll(sdk, client, device_code).await.unwrap()
}

#[tokio::test]
async fn device_flow_end_to_end_gives_keys_that_are_the_sso_role() {
    let (server, sdk) = common::start().await;
    let endpoint = server.endpoint_url();
    let seeded = seed_people(&endpoint).await;
    let dev = seeded["accounts"]["dev"].as_str().unwrap().to_owned();
    let client = register(&sdk, true).await;

    let started = oidc(&sdk)
        .start_device_authorization()
        .client_id(&client.0)
        .client_secret(&client.1)
        .start_url("https://d-1234567890.awsapps.com/start")
        .send()
        .await
        .unwrap();
    assert_eq!(started.expires_in(), 600);
    assert_eq!(started.interval(), 1);
    assert_eq!(
        started.verification_uri().unwrap(),
        format!("{endpoint}/device")
    );
    let user_code = started.user_code().unwrap();
    assert_eq!(
        started.verification_uri_complete().unwrap(),
        format!("{endpoint}/device?user_code={user_code}")
    );
    let device_code = started.device_code().unwrap();

    let (status, pending) = poll(&sdk, &client, device_code).await.unwrap_err();
    assert_eq!(status, 400);
    assert!(pending.is_authorization_pending_exception(), "{pending:?}");

    let (status, page) = sign_in_on_page(
        &endpoint,
        started.verification_uri_complete().unwrap(),
        "alice",
        PASSWORD,
        "approve",
    )
    .await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("approved"), "{page}");

    advance(&endpoint, 1.0).await;
    let token = poll(&sdk, &client, device_code).await.unwrap();
    assert_eq!(token.token_type(), Some("Bearer"));
    assert_eq!(token.expires_in(), 3600);
    assert!(token.refresh_token().is_some());
    let access_token = token.access_token().unwrap();

    // A device code is single-use.
    advance(&endpoint, 1.0).await;
    let (_, reused) = poll(&sdk, &client, device_code).await.unwrap_err();
    assert!(reused.is_invalid_grant_exception(), "{reused:?}");

    let portal = portal(&sdk);
    let accounts = portal
        .list_accounts()
        .access_token(access_token)
        .send()
        .await
        .unwrap();
    let mut ids: Vec<&str> = accounts
        .account_list()
        .iter()
        .map(|account| account.account_id().unwrap())
        .collect();
    ids.sort_unstable();
    let mut expected = vec![MANAGEMENT, dev.as_str()];
    expected.sort_unstable();
    assert_eq!(ids, expected);
    let dev_info = accounts
        .account_list()
        .iter()
        .find(|account| account.account_id() == Some(dev.as_str()))
        .unwrap();
    assert_eq!(dev_info.account_name(), Some("dev"));
    assert_eq!(dev_info.email_address(), Some("dev@example.com"));

    // max_result pages with opaque tokens.
    let first = portal
        .list_accounts()
        .access_token(access_token)
        .max_results(1)
        .send()
        .await
        .unwrap();
    assert_eq!(first.account_list().len(), 1);
    let second = portal
        .list_accounts()
        .access_token(access_token)
        .max_results(1)
        .next_token(first.next_token().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(second.account_list().len(), 1);
    assert!(second.next_token().is_none());

    let roles = portal
        .list_account_roles()
        .access_token(access_token)
        .account_id(MANAGEMENT)
        .send()
        .await
        .unwrap();
    let names: Vec<&str> = roles
        .role_list()
        .iter()
        .map(|role| role.role_name().unwrap())
        .collect();
    assert_eq!(names, ["Admin"]);

    let before = jiff::Timestamp::now();
    let credentials = portal
        .get_role_credentials()
        .access_token(access_token)
        .account_id(MANAGEMENT)
        .role_name("Admin")
        .send()
        .await
        .unwrap();
    let credentials = credentials.role_credentials().unwrap();
    // Epoch milliseconds, the permission set's two hours later.
    let expiration = credentials.expiration();
    let lifetime = expiration - before.as_millisecond();
    assert!(
        (7_190_000..=7_210_000).contains(&lifetime),
        "expiration {expiration} is not two hours out"
    );
    let access_key_id = credentials.access_key_id().unwrap();
    assert!(access_key_id.starts_with("ASIA"));

    let role_sdk = common::sdk_config(
        &endpoint,
        access_key_id,
        credentials.secret_access_key().unwrap(),
        credentials.session_token(),
    )
    .await;
    let identity = aws_sdk_sts::Client::new(&role_sdk)
        .get_caller_identity()
        .send()
        .await
        .unwrap();
    let arn = identity.arn().unwrap();
    let role_name = arn
        .strip_prefix("arn:aws:sts::111111111111:assumed-role/")
        .and_then(|rest| rest.strip_suffix("/alice"))
        .unwrap_or_else(|| panic!("unexpected ARN {arn}"));
    let suffix = role_name.strip_prefix("AWSReservedSSO_Admin_").unwrap();
    assert_eq!(suffix.len(), 16);
    assert!(suffix.bytes().all(|b| b.is_ascii_hexdigit()));
    assert_eq!(identity.account(), Some(MANAGEMENT));
    // The same role IAM lists in the account.
    let iam_roles = aws_sdk_iam::Client::new(&sdk)
        .list_roles()
        .send()
        .await
        .unwrap();
    assert!(
        iam_roles
            .roles()
            .iter()
            .any(|role| role.role_name() == role_name),
        "{role_name} is not among the management account's IAM roles"
    );
    // A management-account administrator session can use SSO Admin.
    aws_sdk_ssoadmin::Client::new(&role_sdk)
        .list_instances()
        .send()
        .await
        .unwrap();

    // A role alice does not hold: ForbiddenException "No access" (403), as the real portal.
    let not_held = portal
        .get_role_credentials()
        .access_token(access_token)
        .account_id(&dev)
        .role_name("Admin")
        .send()
        .await
        .unwrap_err();
    assert_eq!(not_held.raw_response().unwrap().status().as_u16(), 403);
    assert_eq!(
        not_held.into_service_error().meta().code(),
        Some("ForbiddenException")
    );

    // Past the session duration the keys are expired.
    advance(&endpoint, 2.0 * 3600.0 + 5.0).await;
    let expired = aws_sdk_sts::Client::new(&role_sdk)
        .get_caller_identity()
        .send()
        .await
        .unwrap_err();
    assert_eq!(expired.raw_response().unwrap().status().as_u16(), 403);
    assert_eq!(
        expired.into_service_error().meta().code(),
        Some("ExpiredToken")
    );
}

#[tokio::test]
async fn group_members_get_the_group_roles() {
    let (server, sdk) = common::start().await;
    let endpoint = server.endpoint_url();
    let seeded = seed_people(&endpoint).await;
    let client = register(&sdk, false).await;
    let token = device_login(&endpoint, &sdk, &client, "bob").await;
    // The legacy (scope-less) registration: eight hours, no refresh token.
    assert_eq!(token.expires_in(), 8 * 3600);
    assert!(token.refresh_token().is_none());
    let accounts = portal(&sdk)
        .list_accounts()
        .access_token(token.access_token().unwrap())
        .send()
        .await
        .unwrap();
    let mut ids: Vec<String> = accounts
        .account_list()
        .iter()
        .map(|account| account.account_id().unwrap().to_owned())
        .collect();
    ids.sort();
    let mut expected = vec![
        seeded["accounts"]["dev"].as_str().unwrap().to_owned(),
        seeded["accounts"]["prod"].as_str().unwrap().to_owned(),
    ];
    expected.sort();
    assert_eq!(ids, expected);
    // An account without roles lists none.
    let roles = portal(&sdk)
        .list_account_roles()
        .access_token(token.access_token().unwrap())
        .account_id(MANAGEMENT)
        .send()
        .await
        .unwrap();
    assert!(roles.role_list().is_empty());
}

/// `base64url(sha256(verifier))`, computed here independently of the sandbox.
fn challenge(verifier: &str) -> String {
    use base64::Engine as _;
    use sha2::Digest as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sha2::Sha256::digest(verifier))
}

/// Runs `/authorize` as a browser would and returns the code from the redirect.
async fn authorize(endpoint: &str, client_id: &str, redirect_uri: &str, verifier: &str) -> String {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let query = [
        ("response_type", "code"),
        ("client_id", client_id),
        ("redirect_uri", redirect_uri),
        ("state", "state-123"),
        ("code_challenge_method", "S256"),
        ("scopes", "sso:account:access"),
        ("code_challenge", &challenge(verifier)),
    ];
    let page = http
        .get(format!("{endpoint}/authorize"))
        .query(&query)
        .send()
        .await
        .unwrap();
    assert_eq!(page.status().as_u16(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("name=\"user_name\"") && html.contains("name=\"password\""));
    let mut form: Vec<(&str, &str)> = query.to_vec();
    form.extend([("user_name", "alice"), ("password", PASSWORD)]);
    let response = http
        .post(format!("{endpoint}/authorize"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 302);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        location.starts_with(&format!("{redirect_uri}?")),
        "{location}"
    );
    let parsed = reqwest::Url::parse(&location).unwrap();
    let pairs: std::collections::BTreeMap<String, String> =
        parsed.query_pairs().into_owned().collect();
    assert_eq!(pairs["state"], "state-123");
    pairs["code"].clone()
}

#[tokio::test]
async fn authorization_code_with_pkce() {
    let (server, sdk) = common::start().await;
    let endpoint = server.endpoint_url();
    seed_people(&endpoint).await;
    // As AWS CLI v2 registers: no port in the registered URI.
    let registered = oidc(&sdk)
        .register_client()
        .client_name("botocore-client-dev")
        .client_type("public")
        .grant_types("authorization_code")
        .grant_types("refresh_token")
        .redirect_uris("http://127.0.0.1/oauth/callback")
        .issuer_url("https://d-1234567890.awsapps.com/start")
        .scopes("sso:account:access")
        .send()
        .await
        .unwrap();
    let client_id = registered.client_id().unwrap();
    let secret = registered.client_secret().unwrap();
    let redirect_uri = "http://127.0.0.1:54321/oauth/callback";
    let verifier = "v".repeat(64);

    // A wrong verifier fails, and burns the code.
    let code = authorize(&endpoint, client_id, redirect_uri, &verifier).await;
    let exchange = |code: String, verifier: String| {
        oidc(&sdk)
            .create_token()
            .client_id(client_id)
            .client_secret(secret)
            .grant_type("authorization_code")
            .code(code)
            .redirect_uri(redirect_uri)
            .code_verifier(verifier)
            .send()
    };
    let wrong = exchange(code.clone(), "w".repeat(64)).await.unwrap_err();
    assert!(wrong.into_service_error().is_invalid_grant_exception());
    let burnt = exchange(code, verifier.clone()).await.unwrap_err();
    assert!(burnt.into_service_error().is_invalid_grant_exception());

    let code = authorize(&endpoint, client_id, redirect_uri, &verifier).await;
    let token = exchange(code.clone(), verifier.clone()).await.unwrap();
    assert!(token.refresh_token().is_some());
    let accounts = portal(&sdk)
        .list_accounts()
        .access_token(token.access_token().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(accounts.account_list().len(), 2);
    let reused = exchange(code, verifier).await.unwrap_err();
    assert!(reused.into_service_error().is_invalid_grant_exception());

    // A redirect URI that is not loopback, or not registered, is refused with a page, not
    // followed.
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    for bad in [
        "http://example.com/oauth/callback",
        "http://127.0.0.1:1/elsewhere",
    ] {
        let response = http
            .get(format!("{endpoint}/authorize"))
            .query(&[
                ("response_type", "code"),
                ("client_id", client_id),
                ("redirect_uri", bad),
                ("code_challenge_method", "S256"),
                ("code_challenge", "x"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 400, "{bad}");
    }
}

#[tokio::test]
async fn refresh_then_logout_revokes_the_session() {
    let (server, sdk) = common::start().await;
    let endpoint = server.endpoint_url();
    seed_people(&endpoint).await;
    let client = register(&sdk, true).await;
    let token = device_login(&endpoint, &sdk, &client, "alice").await;
    let refresh_token = token.refresh_token().unwrap();

    // The access token expires after an hour; the refresh token renews it.
    advance(&endpoint, 3601.0).await;
    let expired = portal(&sdk)
        .list_accounts()
        .access_token(token.access_token().unwrap())
        .send()
        .await
        .unwrap_err();
    assert_eq!(expired.raw_response().unwrap().status().as_u16(), 401);
    assert!(expired.into_service_error().is_unauthorized_exception());
    let refreshed = oidc(&sdk)
        .create_token()
        .client_id(&client.0)
        .client_secret(&client.1)
        .grant_type("refresh_token")
        .refresh_token(refresh_token)
        .send()
        .await
        .unwrap();
    let fresh = refreshed.access_token().unwrap();
    assert_ne!(fresh, token.access_token().unwrap());
    portal(&sdk)
        .list_accounts()
        .access_token(fresh)
        .send()
        .await
        .unwrap();

    portal(&sdk)
        .logout()
        .access_token(fresh)
        .send()
        .await
        .unwrap();
    let after = portal(&sdk)
        .list_accounts()
        .access_token(fresh)
        .send()
        .await
        .unwrap_err();
    assert!(after.into_service_error().is_unauthorized_exception());
    let refresh_after = oidc(&sdk)
        .create_token()
        .client_id(&client.0)
        .client_secret(&client.1)
        .grant_type("refresh_token")
        .refresh_token(refresh_token)
        .send()
        .await
        .unwrap_err();
    assert!(
        refresh_after
            .into_service_error()
            .is_invalid_grant_exception()
    );
}

#[tokio::test]
async fn polling_too_fast_slows_down_and_device_codes_and_clients_expire() {
    let (server, sdk) = common::start().await;
    let endpoint = server.endpoint_url();
    seed_people(&endpoint).await;
    let client = register(&sdk, true).await;
    let started = oidc(&sdk)
        .start_device_authorization()
        .client_id(&client.0)
        .client_secret(&client.1)
        .start_url("https://d-1234567890.awsapps.com/start")
        .send()
        .await
        .unwrap();
    let device_code = started.device_code().unwrap();
    let (_, first) = poll(&sdk, &client, device_code).await.unwrap_err();
    assert!(first.is_authorization_pending_exception());
    let (status, second) = poll(&sdk, &client, device_code).await.unwrap_err();
    assert_eq!(status, 400);
    assert!(second.is_slow_down_exception(), "{second:?}");
    advance(&endpoint, 1.0).await;
    let (_, third) = poll(&sdk, &client, device_code).await.unwrap_err();
    assert!(third.is_authorization_pending_exception());

    advance(&endpoint, 600.0).await;
    let (_, expired) = poll(&sdk, &client, device_code).await.unwrap_err();
    assert!(expired.is_expired_token_exception(), "{expired:?}");
    let page = reqwest::get(started.verification_uri_complete().unwrap())
        .await
        .unwrap();
    assert_eq!(page.status().as_u16(), 400);

    // A denied request is AccessDenied.
    let denied = oidc(&sdk)
        .start_device_authorization()
        .client_id(&client.0)
        .client_secret(&client.1)
        .start_url("https://d-1234567890.awsapps.com/start")
        .send()
        .await
        .unwrap();
    let (status, _) = sign_in_on_page(
        &endpoint,
        denied.verification_uri_complete().unwrap(),
        "alice",
        PASSWORD,
        "deny",
    )
    .await;
    assert_eq!(status, 200);
    let (_, refused) = poll(&sdk, &client, denied.device_code().unwrap())
        .await
        .unwrap_err();
    assert!(refused.is_access_denied_exception(), "{refused:?}");

    // Registrations last 90 days.
    advance(&endpoint, 90.0 * 24.0 * 3600.0).await;
    let stale = oidc(&sdk)
        .start_device_authorization()
        .client_id(&client.0)
        .client_secret(&client.1)
        .start_url("https://d-1234567890.awsapps.com/start")
        .send()
        .await
        .unwrap_err();
    assert_eq!(stale.raw_response().unwrap().status().as_u16(), 401);
    assert!(stale.into_service_error().is_invalid_client_exception());
}

#[tokio::test]
async fn disabled_and_deleted_users_are_locked_out() {
    use aws_sdk_identitystore::types::AttributeOperation;
    let (server, sdk) = common::start().await;
    let endpoint = server.endpoint_url();
    let seeded = seed_people(&endpoint).await;
    let client = register(&sdk, true).await;
    let alice_token = device_login(&endpoint, &sdk, &client, "alice").await;
    let bob_token = device_login(&endpoint, &sdk, &client, "bob").await;

    // Refused sign-ins: 403, nothing approved.
    let started = oidc(&sdk)
        .start_device_authorization()
        .client_id(&client.0)
        .client_secret(&client.1)
        .start_url("https://d-1234567890.awsapps.com/start")
        .send()
        .await
        .unwrap();
    let uri = started.verification_uri_complete().unwrap();
    for (user, password) in [
        ("carol", PASSWORD),
        ("alice", "wrong"),
        ("nobody", PASSWORD),
    ] {
        let (status, page) = sign_in_on_page(&endpoint, uri, user, password, "approve").await;
        assert_eq!(status, 403, "{user}: {page}");
    }
    let (_, pending) = poll(&sdk, &client, started.device_code().unwrap())
        .await
        .unwrap_err();
    assert!(pending.is_authorization_pending_exception());

    // Keys issued before the deactivation run out at their expiry, as in AWS.
    let issued = portal(&sdk)
        .get_role_credentials()
        .access_token(alice_token.access_token().unwrap())
        .account_id(MANAGEMENT)
        .role_name("Admin")
        .send()
        .await
        .unwrap();
    let issued = issued.role_credentials().unwrap();
    let issued_sdk = common::sdk_config(
        &endpoint,
        issued.access_key_id().unwrap(),
        issued.secret_access_key().unwrap(),
        issued.session_token(),
    )
    .await;

    // Deactivate alice in the Identity Store: her token and refresh stop at once.
    let identity_store = aws_sdk_identitystore::Client::new(&sdk);
    let store_id = common::control_get(&endpoint, "health").await["identity_store_id"]
        .as_str()
        .unwrap()
        .to_owned();
    identity_store
        .update_user()
        .identity_store_id(&store_id)
        .user_id(seeded["users"]["alice"].as_str().unwrap())
        .operations(
            AttributeOperation::builder()
                .attribute_path("userStatus")
                .attribute_value(aws_smithy_types::Document::String("DISABLED".into()))
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let refused = portal(&sdk)
        .list_accounts()
        .access_token(alice_token.access_token().unwrap())
        .send()
        .await
        .unwrap_err();
    assert_eq!(refused.raw_response().unwrap().status().as_u16(), 401);
    aws_sdk_sts::Client::new(&issued_sdk)
        .get_caller_identity()
        .send()
        .await
        .unwrap();
    let refresh = oidc(&sdk)
        .create_token()
        .client_id(&client.0)
        .client_secret(&client.1)
        .grant_type("refresh_token")
        .refresh_token(alice_token.refresh_token().unwrap())
        .send()
        .await
        .unwrap_err();
    assert!(refresh.into_service_error().is_invalid_grant_exception());
    let again = oidc(&sdk)
        .start_device_authorization()
        .client_id(&client.0)
        .client_secret(&client.1)
        .start_url("https://d-1234567890.awsapps.com/start")
        .send()
        .await
        .unwrap();
    let (status, _) = sign_in_on_page(
        &endpoint,
        again.verification_uri_complete().unwrap(),
        "alice",
        PASSWORD,
        "approve",
    )
    .await;
    assert_eq!(status, 403);

    // Deleting bob does the same.
    identity_store
        .delete_user()
        .identity_store_id(&store_id)
        .user_id(seeded["users"]["bob"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    let gone = portal(&sdk)
        .get_role_credentials()
        .access_token(bob_token.access_token().unwrap())
        .account_id(seeded["accounts"]["dev"].as_str().unwrap())
        .role_name("ReadOnly")
        .send()
        .await
        .unwrap_err();
    assert_eq!(gone.raw_response().unwrap().status().as_u16(), 401);
}

#[tokio::test]
async fn errors_are_encoded_as_aws_sends_them() {
    let (server, sdk) = common::start().await;
    let endpoint = server.endpoint_url();
    seed_people(&endpoint).await;
    let client = register(&sdk, true).await;
    let started = oidc(&sdk)
        .start_device_authorization()
        .client_id(&client.0)
        .client_secret(&client.1)
        .start_url("https://d-1234567890.awsapps.com/start")
        .send()
        .await
        .unwrap();
    let http = reqwest::Client::new();
    let post = |body: Value| http.post(format!("{endpoint}/token")).json(&body).send();

    let pending = post(json!({
        "clientId": client.0, "clientSecret": client.1,
        "grantType": DEVICE_GRANT, "deviceCode": started.device_code().unwrap()
    }))
    .await
    .unwrap();
    assert_eq!(pending.status().as_u16(), 400);
    assert_eq!(
        pending.headers()["x-amzn-ErrorType"].to_str().unwrap(),
        "AuthorizationPendingException:http://internal.amazon.com/coral/com.amazonaws.sso.oidc/"
    );
    assert_eq!(
        pending.json::<Value>().await.unwrap(),
        json!({"error": "authorization_pending", "error_description": "Authorization is still pending"})
    );

    let bad_client = post(json!({
        "clientId": "nope", "clientSecret": "nope", "grantType": DEVICE_GRANT, "deviceCode": "x"
    }))
    .await
    .unwrap();
    assert_eq!(bad_client.status().as_u16(), 401);
    assert!(
        bad_client.headers()["x-amzn-ErrorType"]
            .to_str()
            .unwrap()
            .starts_with("InvalidClientException:")
    );
    assert_eq!(
        bad_client.json::<Value>().await.unwrap()["error"],
        "invalid_client"
    );

    let bad_grant = post(json!({
        "clientId": client.0, "clientSecret": client.1, "grantType": "password"
    }))
    .await
    .unwrap();
    assert_eq!(bad_grant.status().as_u16(), 400);
    assert_eq!(
        bad_grant.json::<Value>().await.unwrap()["error"],
        "unsupported_grant_type"
    );

    let missing = post(json!({"clientId": client.0, "grantType": DEVICE_GRANT}))
        .await
        .unwrap();
    assert_eq!(missing.status().as_u16(), 400);
    assert!(
        missing.headers()["x-amzn-ErrorType"]
            .to_str()
            .unwrap()
            .starts_with("InvalidRequestException:")
    );

    let unauthorized = http
        .get(format!("{endpoint}/assignment/accounts"))
        .header("x-amz-sso_bearer_token", "not-a-token")
        .send()
        .await
        .unwrap();
    assert_eq!(unauthorized.status().as_u16(), 401);
    assert_eq!(
        unauthorized.headers()["x-amzn-ErrorType"].to_str().unwrap(),
        "UnauthorizedException"
    );
    assert_eq!(
        unauthorized.json::<Value>().await.unwrap(),
        json!({"message": "Session token not found or invalid"})
    );

    let with_iam = http
        .post(format!("{endpoint}/token?aws_iam=t"))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(with_iam.status().as_u16(), 400);

    // The bare verification URI asks for the code.
    let page = http.get(format!("{endpoint}/device")).send().await.unwrap();
    assert_eq!(page.status().as_u16(), 200);
    assert!(page.text().await.unwrap().contains("name=\"user_code\""));

    // The request log names the new services.
    let log = common::control_get(&endpoint, "requests").await;
    let services: Vec<&str> = log["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| entry["service"].as_str().unwrap())
        .collect();
    for service in ["sso-oidc", "sso", "signin"] {
        assert!(services.contains(&service), "{service} not in {services:?}");
    }

    // awsJson dispatch is unaffected by the new routes.
    aws_sdk_ssoadmin::Client::new(&sdk)
        .list_instances()
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn console_federation_stand_in_accepts_only_portal_keys() {
    let (server, sdk) = common::start().await;
    let endpoint = server.endpoint_url();
    seed_people(&endpoint).await;
    let client = register(&sdk, true).await;
    let token = device_login(&endpoint, &sdk, &client, "alice").await;
    let credentials = portal(&sdk)
        .get_role_credentials()
        .access_token(token.access_token().unwrap())
        .account_id(MANAGEMENT)
        .role_name("Admin")
        .send()
        .await
        .unwrap();
    let credentials = credentials.role_credentials().unwrap();
    let http = reqwest::Client::new();
    let get_token = |session: Value| {
        http.get(format!("{endpoint}/federation"))
            .query(&[
                ("Action", "getSigninToken".to_owned()),
                ("Session", session.to_string()),
            ])
            .send()
    };
    let response = get_token(json!({
        "sessionId": credentials.access_key_id().unwrap(),
        "sessionKey": credentials.secret_access_key().unwrap(),
        "sessionToken": credentials.session_token().unwrap(),
    }))
    .await
    .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let signin_token = response.json::<Value>().await.unwrap()["SigninToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let login = || {
        http.get(format!("{endpoint}/federation"))
            .query(&[
                ("Action", "login"),
                ("Issuer", "https://example.com"),
                ("Destination", "https://console.aws.amazon.com/"),
                ("SigninToken", signin_token.as_str()),
            ])
            .send()
    };
    let page = login().await.unwrap();
    assert_eq!(page.status().as_u16(), 200);
    let html = page.text().await.unwrap();
    for expected in ["alice", MANAGEMENT, "Admin", "AWSReservedSSO_Admin_"] {
        assert!(html.contains(expected), "{expected} missing from {html}");
    }
    // Single use.
    assert_eq!(login().await.unwrap().status().as_u16(), 403);

    // The management account's long-term key is not a portal session.
    let refused = get_token(json!({
        "sessionId": common::ACCESS_KEY_ID,
        "sessionKey": common::SECRET_ACCESS_KEY,
        "sessionToken": "",
    }))
    .await
    .unwrap();
    assert_eq!(refused.status().as_u16(), 403);
}

#[tokio::test]
async fn tokens_survive_a_restart() {
    let state = tempfile::tempdir().unwrap();
    let config = monban_emulator::Config {
        state_dir: Some(state.path().to_owned()),
        sign_in_password: "hunter2".into(),
        ..monban_emulator::Config::default()
    };
    let (server, sdk) = common::start_with(config.clone()).await;
    let endpoint = server.endpoint_url();
    seed_people(&endpoint).await;
    let client = register(&sdk, true).await;
    let started = oidc(&sdk)
        .start_device_authorization()
        .client_id(&client.0)
        .client_secret(&client.1)
        .start_url("https://d-1234567890.awsapps.com/start")
        .send()
        .await
        .unwrap();
    // The configured password, not the default.
    let uri = started.verification_uri_complete().unwrap();
    let (status, _) = sign_in_on_page(&endpoint, uri, "alice", PASSWORD, "approve").await;
    assert_eq!(status, 403);
    let (status, _) = sign_in_on_page(&endpoint, uri, "alice", "hunter2", "approve").await;
    assert_eq!(status, 200);
    let token = poll(&sdk, &client, started.device_code().unwrap())
        .await
        .unwrap();
    server.shutdown().await.unwrap();

    let (server, sdk) = common::start_with(config).await;
    let accounts = portal(&sdk)
        .list_accounts()
        .access_token(token.access_token().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(accounts.account_list().len(), 2);
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn the_portal_follows_assignments_made_through_sso_admin() {
    use aws_sdk_ssoadmin::types::{PrincipalType, TargetType};
    // Assignments take 30 s, so the portal is seen before they complete.
    let (server, sdk) = common::start_with(monban_emulator::Config {
        async_duration: Some(std::time::Duration::from_secs(30)),
        ..monban_emulator::Config::default()
    })
    .await;
    let endpoint = server.endpoint_url();
    let seeded = seed_people(&endpoint).await;
    let prod = seeded["accounts"]["prod"].as_str().unwrap().to_owned();
    let client = register(&sdk, true).await;
    let token = device_login(&endpoint, &sdk, &client, "alice").await;
    let access_token = token.access_token().unwrap();
    let roles_in_prod = || {
        portal(&sdk)
            .list_account_roles()
            .access_token(access_token)
            .account_id(&prod)
            .send()
    };
    assert!(roles_in_prod().await.unwrap().role_list().is_empty());

    let admin = aws_sdk_ssoadmin::Client::new(&sdk);
    let instance = common::control_get(&endpoint, "health").await["instance_arn"]
        .as_str()
        .unwrap()
        .to_owned();
    let assign = admin
        .create_account_assignment()
        .instance_arn(&instance)
        .target_id(&prod)
        .target_type(TargetType::AwsAccount)
        .permission_set_arn(seeded["permission_sets"]["Admin"].as_str().unwrap())
        .principal_type(PrincipalType::User)
        .principal_id(seeded["users"]["alice"].as_str().unwrap());
    assign.clone().send().await.unwrap();
    // Still IN_PROGRESS: not held yet.
    assert!(roles_in_prod().await.unwrap().role_list().is_empty());
    advance(&endpoint, 31.0).await;
    let roles = roles_in_prod().await.unwrap();
    let names: Vec<&str> = roles
        .role_list()
        .iter()
        .map(|role| role.role_name().unwrap())
        .collect();
    assert_eq!(names, ["Admin"]);

    admin
        .delete_account_assignment()
        .instance_arn(&instance)
        .target_id(&prod)
        .target_type(TargetType::AwsAccount)
        .permission_set_arn(seeded["permission_sets"]["Admin"].as_str().unwrap())
        .principal_type(PrincipalType::User)
        .principal_id(seeded["users"]["alice"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    advance(&endpoint, 31.0).await;
    assert!(roles_in_prod().await.unwrap().role_list().is_empty());
    let refused = portal(&sdk)
        .get_role_credentials()
        .access_token(access_token)
        .account_id(&prod)
        .role_name("Admin")
        .send()
        .await
        .unwrap_err();
    assert_eq!(refused.raw_response().unwrap().status().as_u16(), 403);
}
