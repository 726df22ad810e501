//! The emulator core end to end: real SDK clients over HTTP for the first operations of each
//! service, `SigV4` acceptance and rejection, the error wire format, pagination, the control
//! API, persistence across a restart and the state-dir lock.

use std::time::SystemTime;

use aws_credential_types::Credentials;
use aws_sdk_identitystore::error::ProvideErrorMetadata as _;
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4::SigningParams;
use aws_smithy_runtime_api::client::identity::Identity;
use monban_emulator::{Config, Server, ServerError, StateError};
use serde_json::{Value, json};

use crate::common;

const AWS_JSON: &str = "application/x-amz-json-1.1";

/// A raw awsJson request, signed here with `aws-sigv4` (a second signer besides the SDK's)
/// unless `secret` is `None`. Returns (status, headers, JSON body).
async fn raw_request(
    endpoint: &str,
    target: &str,
    signing_name: &str,
    body: &str,
    secret: Option<&str>,
) -> (u16, reqwest::header::HeaderMap, Value) {
    let url = format!("{endpoint}/");
    let host = endpoint.trim_start_matches("http://");
    let mut request = http::Request::builder()
        .method("POST")
        .uri(&url)
        .header("content-type", AWS_JSON)
        .header("host", host)
        .header("x-amz-target", target)
        .body(body.to_owned())
        .unwrap();
    if let Some(secret) = secret {
        let identity: Identity =
            Credentials::new(common::ACCESS_KEY_ID, secret, None, None, "test").into();
        let params = SigningParams::builder()
            .identity(&identity)
            .region("ap-northeast-1")
            .name(signing_name)
            .time(SystemTime::now())
            .settings(SigningSettings::default())
            .build()
            .unwrap()
            .into();
        let headers: Vec<(String, String)> = request
            .headers()
            .iter()
            .map(|(name, value)| (name.to_string(), value.to_str().unwrap().to_owned()))
            .collect();
        let signable = SignableRequest::new(
            "POST",
            url.clone(),
            headers.iter().map(|(n, v)| (n.as_str(), v.as_str())),
            SignableBody::Bytes(body.as_bytes()),
        )
        .unwrap();
        let (instructions, _) = sign(signable, &params).unwrap().into_parts();
        instructions.apply_to_request_http1x(&mut request);
    }
    let mut builder = reqwest::Client::new().post(&url).body(body.to_owned());
    for (name, value) in request.headers() {
        if name != "host" {
            builder = builder.header(name.as_str(), value.to_str().unwrap());
        }
    }
    let response = builder.send().await.unwrap();
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().await.unwrap();
    let json = serde_json::from_str(&text).unwrap_or_else(|_| panic!("not JSON: {text}"));
    (status, headers, json)
}

fn header<'a>(headers: &'a reqwest::header::HeaderMap, name: &str) -> &'a str {
    headers
        .get(name)
        .map_or("", |value| value.to_str().unwrap())
}

#[tokio::test]
async fn organizations_describe_organization_and_list_roots_through_the_sdk() {
    let (server, sdk) = common::start().await;
    let organizations = aws_sdk_organizations::Client::new(&sdk);

    let organization = organizations
        .describe_organization()
        .send()
        .await
        .unwrap()
        .organization
        .unwrap();
    let id = organization.id().unwrap();
    assert!(id.starts_with("o-") && id.len() == 12, "{id}");
    assert_eq!(organization.master_account_id(), Some("111111111111"));
    assert_eq!(
        organization.master_account_email(),
        Some("management@example.com")
    );
    assert_eq!(
        organization.feature_set(),
        Some(&aws_sdk_organizations::types::OrganizationFeatureSet::All)
    );
    assert_eq!(
        organization.arn(),
        Some(format!("arn:aws:organizations::111111111111:organization/{id}").as_str())
    );

    let roots = organizations.list_roots().send().await.unwrap();
    assert_eq!(roots.roots().len(), 1);
    assert_eq!(roots.next_token(), None);
    let root = &roots.roots()[0];
    assert!(root.id().unwrap().starts_with("r-"));
    assert_eq!(root.name(), Some("Root"));
    assert!(
        root.arn()
            .unwrap()
            .ends_with(&format!("{id}/{}", root.id().unwrap()))
    );
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn sso_admin_list_and_describe_instance_through_the_sdk() {
    let (server, sdk) = common::start_with(Config {
        region: "ap-northeast-1".into(),
        ..Config::default()
    })
    .await;
    let sso_admin = aws_sdk_ssoadmin::Client::new(&sdk);

    let instances = sso_admin.list_instances().send().await.unwrap();
    assert_eq!(instances.instances().len(), 1);
    let instance = &instances.instances()[0];
    let arn = instance.instance_arn().unwrap();
    assert!(arn.starts_with("arn:aws:sso:::instance/ssoins-"), "{arn}");
    assert!(instance.identity_store_id().unwrap().starts_with("d-"));
    assert_eq!(instance.owner_account_id(), Some("111111111111"));
    assert_eq!(
        instance.status(),
        Some(&aws_sdk_ssoadmin::types::InstanceStatus::Active)
    );
    assert_eq!(instance.primary_region(), Some("ap-northeast-1"));
    assert!(instance.created_date().unwrap().secs() > 1_700_000_000);

    let described = sso_admin
        .describe_instance()
        .instance_arn(arn)
        .send()
        .await
        .unwrap();
    assert_eq!(described.instance_arn(), Some(arn));
    assert_eq!(described.identity_store_id(), instance.identity_store_id());

    let missing = sso_admin
        .describe_instance()
        .instance_arn("arn:aws:sso:::instance/ssoins-0000000000000000")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(missing.is_access_denied_exception(), "{missing:?}");

    let malformed = sso_admin
        .describe_instance()
        .instance_arn("not-an-arn")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(malformed.is_validation_exception(), "{malformed:?}");
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn identity_store_list_users_empty_then_paginated_through_the_sdk() {
    let (server, sdk) = common::start().await;
    let endpoint = server.endpoint_url();
    let identity_store_id = common::control_get(&endpoint, "health").await["identity_store_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let identity_store = aws_sdk_identitystore::Client::new(&sdk);

    let empty = identity_store
        .list_users()
        .identity_store_id(&identity_store_id)
        .send()
        .await
        .unwrap();
    assert!(empty.users().is_empty());
    assert_eq!(empty.next_token(), None);

    let seeded = common::seed(
        &endpoint,
        &json!({
            "users": [
                {"user_name": "alice", "display_name": "Alice A", "email": "alice@example.com"},
                {"user_name": "bob", "given_name": "Bob", "family_name": "B"},
                {"user_name": "carol", "active": false}
            ]
        }),
    )
    .await;

    // MaxResults=1 through the SDK's own paginator: complete and duplicate-free.
    let pages: Vec<_> = identity_store
        .list_users()
        .identity_store_id(&identity_store_id)
        .max_results(1)
        .into_paginator()
        .send()
        .collect::<Vec<_>>()
        .await;
    let mut names: Vec<String> = Vec::new();
    for page in pages {
        let page = page.unwrap();
        assert!(page.users().len() <= 1);
        names.extend(
            page.users()
                .iter()
                .map(|user| user.user_name().unwrap().to_owned()),
        );
    }
    names.sort();
    assert_eq!(names, ["alice", "bob", "carol"]);

    #[expect(
        deprecated,
        reason = "ListUsers filters are deprecated by AWS but still served"
    )]
    let alice = identity_store
        .list_users()
        .identity_store_id(&identity_store_id)
        .filters(
            aws_sdk_identitystore::types::Filter::builder()
                .attribute_path("UserName")
                .attribute_value("alice")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let user = &alice.users()[0];
    assert_eq!(user.user_id(), seeded["users"]["alice"].as_str().unwrap());
    assert!(user.user_arn().starts_with("arn:aws:identitystore:::user/"));
    assert_eq!(user.revision(), "1");
    assert_eq!(user.display_name(), Some("Alice A"));
    assert_eq!(user.emails()[0].value(), Some("alice@example.com"));
    assert_eq!(
        user.user_status(),
        Some(&aws_sdk_identitystore::types::UserStatus::Enabled)
    );
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn modeled_error_members_reach_the_sdk() {
    let (server, sdk) = common::start().await;

    // Identity Store: ResourceType/ResourceId/RequestId members.
    let identity_store = aws_sdk_identitystore::Client::new(&sdk);
    let error = identity_store
        .list_users()
        .identity_store_id("d-0000000000")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    let aws_sdk_identitystore::operation::list_users::ListUsersError::ResourceNotFoundException(
        not_found,
    ) = &error
    else {
        panic!("expected ResourceNotFoundException, got {error:?}");
    };
    assert_eq!(
        not_found.resource_type(),
        Some(&aws_sdk_identitystore::types::ResourceType::IdentityStore)
    );
    assert_eq!(not_found.resource_id(), Some("d-0000000000"));
    assert!(not_found.request_id().is_some_and(|id| id.len() == 36));

    // Organizations: InvalidInputException with its Reason, for bounds and bad tokens.
    let organizations = aws_sdk_organizations::Client::new(&sdk);
    for (max_results, token, reason) in [
        (Some(21), None, "MAX_VALUE_EXCEEDED"),
        (Some(0), None, "MIN_VALUE_EXCEEDED"),
        (None, Some("bm90LWEtdG9rZW4"), "INVALID_NEXT_TOKEN"),
    ] {
        let error = organizations
            .list_roots()
            .set_max_results(max_results)
            .set_next_token(token.map(str::to_owned))
            .send()
            .await
            .unwrap_err()
            .into_service_error();
        let aws_sdk_organizations::operation::list_roots::ListRootsError::InvalidInputException(
            invalid,
        ) = &error
        else {
            panic!("expected InvalidInputException, got {error:?}");
        };
        assert_eq!(
            invalid
                .reason()
                .map(aws_sdk_organizations::types::InvalidInputExceptionReason::as_str),
            Some(reason)
        );
    }

    // SSO Admin: ValidationException for a bad token.
    let sso_admin = aws_sdk_ssoadmin::Client::new(&sdk);
    let error = sso_admin
        .list_instances()
        .next_token("garbage")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(error.is_validation_exception(), "{error:?}");
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn an_unimplemented_operation_is_an_error_the_sdk_decodes() {
    let (server, sdk) = common::start().await;
    let organizations = aws_sdk_organizations::Client::new(&sdk);
    // DescribePolicy is in the model but not served by the sandbox (policies are not
    // modelled).
    let error = organizations
        .describe_policy()
        .policy_id("p-0123456789")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(error.code(), Some("UnknownOperationException"));
    assert!(error.message().unwrap().contains("DescribePolicy"));
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn sigv4_unknown_key_and_wrong_secret_are_rejected_through_the_sdk() {
    let (server, _) = common::start().await;
    let endpoint = server.endpoint_url();

    let unknown = common::sdk_config(&endpoint, "AKIAUNKNOWN000000000", "whatever", None).await;
    let error = aws_sdk_organizations::Client::new(&unknown)
        .describe_organization()
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(error.code(), Some("UnrecognizedClientException"));

    let wrong_secret =
        common::sdk_config(&endpoint, common::ACCESS_KEY_ID, "not-the-secret", None).await;
    let error = aws_sdk_ssoadmin::Client::new(&wrong_secret)
        .list_instances()
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(error.code(), Some("InvalidSignatureException"));
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn raw_requests_show_the_wire_format() {
    let (server, _) = common::start().await;
    let endpoint = server.endpoint_url();

    // Signed by a second signer (aws-sigv4 directly), region ap-northeast-1: accepted.
    let (status, headers, body) = raw_request(
        &endpoint,
        "SWBExternalService.ListInstances",
        "sso",
        "{}",
        Some(common::SECRET_ACCESS_KEY),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(header(&headers, "content-type"), AWS_JSON);
    assert_eq!(header(&headers, "x-amzn-requestid").len(), 36);
    assert_eq!(body["Instances"].as_array().unwrap().len(), 1);

    // Unsigned: 403 MissingAuthenticationTokenException, header + __type + Message.
    let (status, headers, body) = raw_request(
        &endpoint,
        "AWSOrganizationsV20161128.DescribeOrganization",
        "organizations",
        "{}",
        None,
    )
    .await;
    assert_eq!(status, 403);
    assert_eq!(
        header(&headers, "x-amzn-errortype"),
        "MissingAuthenticationTokenException"
    );
    assert_eq!(body["__type"], "MissingAuthenticationTokenException");
    assert!(body["Message"].is_string());
    assert!(body.get("code").is_none());

    // Signed for the wrong service: InvalidSignatureException.
    let (status, _, body) = raw_request(
        &endpoint,
        "AWSOrganizationsV20161128.DescribeOrganization",
        "sso",
        "{}",
        Some(common::SECRET_ACCESS_KEY),
    )
    .await;
    assert_eq!(
        (status, body["__type"].as_str()),
        (400, Some("InvalidSignatureException"))
    );

    // Malformed JSON: SerializationException.
    let (status, headers, body) = raw_request(
        &endpoint,
        "AWSIdentityStore.ListUsers",
        "identitystore",
        "{not json",
        Some(common::SECRET_ACCESS_KEY),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(
        header(&headers, "x-amzn-errortype"),
        "SerializationException"
    );
    assert_eq!(body["__type"], "SerializationException");

    // A missing required member: the service's ValidationException, with the Identity
    // Store's RequestId member equal to the header.
    let (status, headers, body) = raw_request(
        &endpoint,
        "AWSIdentityStore.ListUsers",
        "identitystore",
        "{}",
        Some(common::SECRET_ACCESS_KEY),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(body["__type"], "ValidationException");
    assert!(
        body["Message"]
            .as_str()
            .unwrap()
            .contains("'identityStoreId'")
    );
    assert_eq!(body["RequestId"], header(&headers, "x-amzn-requestid"));

    // An unknown target prefix and an unknown operation: UnknownOperationException.
    for target in ["NoSuchService.DoThings", "AWSIdentityStore.NoSuchOperation"] {
        let (status, headers, body) = raw_request(
            &endpoint,
            target,
            "identitystore",
            "{}",
            Some(common::SECRET_ACCESS_KEY),
        )
        .await;
        assert_eq!(status, 400, "{target}");
        assert_eq!(
            header(&headers, "x-amzn-errortype"),
            "UnknownOperationException"
        );
        assert_eq!(body["__type"], "UnknownOperationException");
    }

    // No X-Amz-Target at all, any path: still a well-formed AWS error, not a bare 404.
    let response = reqwest::Client::new()
        .get(format!("{endpoint}/some/where"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 400);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["__type"], "UnknownOperationException");
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn member_accounts_and_session_tokens() {
    let (server, _) = common::start().await;
    let endpoint = server.endpoint_url();
    common::seed(
        &endpoint,
        &json!({
            "accounts": [{"name": "dev", "email": "dev@example.com", "id": "222222222222"}],
            "credentials": [{
                "access_key_id": "ASIAMEMBER0000000000",
                "secret_access_key": "member-secret",
                "session_token": "member-session-token",
                "account_id": "222222222222"
            }]
        }),
    )
    .await;

    let member = common::sdk_config(
        &endpoint,
        "ASIAMEMBER0000000000",
        "member-secret",
        Some("member-session-token"),
    )
    .await;
    let organizations = aws_sdk_organizations::Client::new(&member);
    // Any member may describe its organization …
    organizations.describe_organization().send().await.unwrap();
    // … but only the management account (or a delegated admin) may list roots.
    let error = organizations
        .list_roots()
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(error.is_access_denied_exception(), "{error:?}");
    // A member account sees no Identity Center instance.
    let instances = aws_sdk_ssoadmin::Client::new(&member)
        .list_instances()
        .send()
        .await
        .unwrap();
    assert!(instances.instances().is_empty());
    // Nor may it write to the organization, or read the identity store.
    let error = organizations
        .create_account()
        .email("sneaky@example.com")
        .account_name("sneaky")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(error.is_access_denied_exception(), "{error:?}");
    let store_id = common::control_get(&endpoint, "health").await["identity_store_id"]
        .as_str()
        .expect("health names the identity store")
        .to_owned();
    let error = aws_sdk_identitystore::Client::new(&member)
        .list_users()
        .identity_store_id(store_id)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(error.is_access_denied_exception(), "{error:?}");

    // The temporary key without its session token is not recognized.
    let without_token =
        common::sdk_config(&endpoint, "ASIAMEMBER0000000000", "member-secret", None).await;
    let error = aws_sdk_organizations::Client::new(&without_token)
        .describe_organization()
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(error.code(), Some("UnrecognizedClientException"));
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn the_request_log_records_every_operation_with_its_outcome() {
    let (server, sdk) = common::start().await;
    let endpoint = server.endpoint_url();
    let organizations = aws_sdk_organizations::Client::new(&sdk);
    organizations.describe_organization().send().await.unwrap();
    organizations
        .list_roots()
        .max_results(99)
        .send()
        .await
        .unwrap_err();

    let log = common::control_get(&endpoint, "requests").await;
    let entries = log["requests"].as_array().unwrap();
    assert_eq!(entries.len(), 2, "{log}");
    assert_eq!(entries[0]["service"], "organizations");
    assert_eq!(entries[0]["operation"], "DescribeOrganization");
    assert_eq!(entries[0]["outcome"], "ok");
    assert_eq!(entries[1]["operation"], "ListRoots");
    assert_eq!(entries[1]["outcome"], "error");
    assert_eq!(entries[1]["error_code"], "InvalidInputException");
    assert_ne!(entries[0]["request_id"], entries[1]["request_id"]);
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn clock_advance_and_reset_through_the_control_api() {
    let (server, _) = common::start().await;
    let endpoint = server.endpoint_url();
    let before = common::control_get(&endpoint, "health").await;
    assert_eq!(before["status"], "ok");

    let (status, advanced) =
        common::control_post(&endpoint, "clock/advance", &json!({"seconds": 86400})).await;
    assert_eq!(status, 200);
    assert_eq!(advanced["clock_offset_seconds"], 86400.0);
    let now: jiff::Timestamp = advanced["now"].as_str().unwrap().parse().unwrap();
    let then: jiff::Timestamp = before["now"].as_str().unwrap().parse().unwrap();
    assert!(now.duration_since(then) >= jiff::SignedDuration::from_hours(24));

    let (status, refused) =
        common::control_post(&endpoint, "clock/advance", &json!({"seconds": -5})).await;
    assert_eq!(
        (status, refused["error"].as_str()),
        (400, Some("InvalidRequest"))
    );

    let (status, _) = common::control_post(&endpoint, "reset", &json!({})).await;
    assert_eq!(status, 200);
    let after = common::control_get(&endpoint, "health").await;
    assert_eq!(after["clock_offset_seconds"], 0.0);
    assert_ne!(after["organization_id"], before["organization_id"]);
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn an_invalid_seed_changes_nothing() {
    let (server, _) = common::start().await;
    let endpoint = server.endpoint_url();
    let (status, body) = common::control_post(
        &endpoint,
        "seed",
        &json!({
            "users": [{"user_name": "alice"}],
            "groups": [{"display_name": "engineers", "members": ["alice", "nobody"]}]
        }),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(body["error"], "InvalidSeed");
    // alice was not kept: seeding her now works.
    common::seed(&endpoint, &json!({"users": [{"user_name": "alice"}]})).await;
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn state_persists_across_a_restart_and_the_state_dir_is_locked() {
    let state = tempfile::tempdir().unwrap();
    let config = Config {
        state_dir: Some(state.path().to_owned()),
        ..Config::default()
    };
    let (server, _) = common::start_with(config.clone()).await;
    let endpoint = server.endpoint_url();
    assert!(endpoint.starts_with("http://127.0.0.1:") && !endpoint.ends_with(":0"));
    let seeded = common::seed(
        &endpoint,
        &json!({
            "organizational_units": ["Products/Payments"],
            "accounts": [{"name": "payments-prod", "email": "payments@example.com", "ou": "Products/Payments"}],
            "users": [{"user_name": "alice"}],
            "groups": [{"display_name": "payments-sre", "members": ["alice"]}]
        }),
    )
    .await;
    common::control_post(&endpoint, "clock/advance", &json!({"seconds": 3600})).await;
    let before = common::control_get(&endpoint, "health").await;

    // A second server cannot take the same state dir while the first runs.
    let error = Server::start(config.clone()).await.unwrap_err();
    assert!(
        matches!(error, ServerError::State(StateError::Locked { .. })),
        "{error:?}"
    );
    assert!(matches!(
        monban_emulator::reset(state.path()),
        Err(StateError::Locked { .. })
    ));
    server.shutdown().await.unwrap();

    let (server, sdk) = common::start_with(config.clone()).await;
    let endpoint = server.endpoint_url();
    let after = common::control_get(&endpoint, "health").await;
    assert_eq!(after["organization_id"], before["organization_id"]);
    assert_eq!(after["instance_arn"], before["instance_arn"]);
    assert!(after["clock_offset_seconds"].as_f64().unwrap() >= 3600.0);
    let users = aws_sdk_identitystore::Client::new(&sdk)
        .list_users()
        .identity_store_id(after["identity_store_id"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(users.users().len(), 1);
    assert_eq!(
        users.users()[0].user_id(),
        seeded["users"]["alice"].as_str().unwrap()
    );
    server.shutdown().await.unwrap();

    // `reset` on a stopped sandbox: the next start is fresh.
    monban_emulator::reset(state.path()).unwrap();
    let (server, _) = common::start_with(config).await;
    let fresh = common::control_get(&server.endpoint_url(), "health").await;
    assert_ne!(fresh["organization_id"], before["organization_id"]);
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn only_loopback_addresses_are_served() {
    let error = Server::start(Config {
        addr: "0.0.0.0:0".parse().unwrap(),
        ..Config::default()
    })
    .await
    .unwrap_err();
    assert!(
        matches!(error, ServerError::NotLoopback { .. }),
        "{error:?}"
    );
}
