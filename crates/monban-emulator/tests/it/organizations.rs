//! End-to-end tests of the Organizations operations through the real aws-sdk-organizations.

use aws_sdk_organizations::Client;
use aws_sdk_organizations::types::ChildType;

use crate::common;

async fn root_id(organizations: &Client) -> String {
    organizations.list_roots().send().await.unwrap().roots()[0]
        .id()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn organizational_units_are_created_described_updated_and_deleted() {
    let (server, sdk) = common::start().await;
    let organizations = Client::new(&sdk);
    let root = root_id(&organizations).await;

    let unit = organizations
        .create_organizational_unit()
        .parent_id(&root)
        .name("workloads")
        .send()
        .await
        .unwrap()
        .organizational_unit
        .unwrap();
    let unit_id = unit.id().unwrap().to_owned();
    assert!(unit_id.starts_with(&format!("ou-{}-", root.trim_start_matches("r-"))));
    assert!(unit.arn().unwrap().ends_with(&unit_id));

    let error = organizations
        .create_organizational_unit()
        .parent_id(&root)
        .name("workloads")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        error.is_duplicate_organizational_unit_exception(),
        "{error:?}"
    );

    let error = organizations
        .create_organizational_unit()
        .parent_id("ou-abcd-12345678")
        .name("orphan")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(error.is_parent_not_found_exception(), "{error:?}");

    let described = organizations
        .describe_organizational_unit()
        .organizational_unit_id(&unit_id)
        .send()
        .await
        .unwrap()
        .organizational_unit
        .unwrap();
    assert_eq!(described.name(), Some("workloads"));

    let updated = organizations
        .update_organizational_unit()
        .organizational_unit_id(&unit_id)
        .name("prod")
        .send()
        .await
        .unwrap()
        .organizational_unit
        .unwrap();
    assert_eq!(updated.name(), Some("prod"));

    let child = organizations
        .create_organizational_unit()
        .parent_id(&unit_id)
        .name("team")
        .send()
        .await
        .unwrap()
        .organizational_unit
        .unwrap();
    let error = organizations
        .delete_organizational_unit()
        .organizational_unit_id(&unit_id)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        error.is_organizational_unit_not_empty_exception(),
        "{error:?}"
    );

    organizations
        .delete_organizational_unit()
        .organizational_unit_id(child.id().unwrap())
        .send()
        .await
        .unwrap();
    organizations
        .delete_organizational_unit()
        .organizational_unit_id(&unit_id)
        .send()
        .await
        .unwrap();
    let error = organizations
        .describe_organizational_unit()
        .organizational_unit_id(&unit_id)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        error.is_organizational_unit_not_found_exception(),
        "{error:?}"
    );
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn organizational_units_nest_at_most_five_deep() {
    let (server, sdk) = common::start().await;
    let organizations = Client::new(&sdk);
    let mut parent = root_id(&organizations).await;
    for level in 0..5 {
        parent = organizations
            .create_organizational_unit()
            .parent_id(&parent)
            .name(format!("level-{level}"))
            .send()
            .await
            .unwrap()
            .organizational_unit
            .unwrap()
            .id
            .unwrap();
    }
    let error = organizations
        .create_organizational_unit()
        .parent_id(&parent)
        .name("too-deep")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    match error {
        aws_sdk_organizations::operation::create_organizational_unit::CreateOrganizationalUnitError::ConstraintViolationException(violation) => {
            assert_eq!(
                violation.reason().map(aws_sdk_organizations::types::ConstraintViolationExceptionReason::as_str),
                Some("OU_DEPTH_LIMIT_EXCEEDED")
            );
        }
        other => panic!("{other:?}"),
    }
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn tree_listings_paginate_completely_and_find_parents() {
    let (server, sdk) = common::start().await;
    let organizations = Client::new(&sdk);
    let root = root_id(&organizations).await;
    let mut created = Vec::new();
    for name in ["a", "b", "c"] {
        created.push(
            organizations
                .create_organizational_unit()
                .parent_id(&root)
                .name(name)
                .send()
                .await
                .unwrap()
                .organizational_unit
                .unwrap()
                .id
                .unwrap(),
        );
    }
    created.sort();

    let mut listed = Vec::new();
    let mut token = None;
    loop {
        let page = organizations
            .list_organizational_units_for_parent()
            .parent_id(&root)
            .max_results(1)
            .set_next_token(token)
            .send()
            .await
            .unwrap();
        listed.extend(
            page.organizational_units()
                .iter()
                .map(|unit| unit.id().unwrap().to_owned()),
        );
        token = page.next_token;
        if token.is_none() {
            break;
        }
    }
    assert_eq!(listed, created);

    let mut children = Vec::new();
    let mut token = None;
    loop {
        let page = organizations
            .list_children()
            .parent_id(&root)
            .child_type(ChildType::OrganizationalUnit)
            .max_results(1)
            .set_next_token(token)
            .send()
            .await
            .unwrap();
        children.extend(
            page.children()
                .iter()
                .map(|child| child.id().unwrap().to_owned()),
        );
        token = page.next_token;
        if token.is_none() {
            break;
        }
    }
    assert_eq!(children, created);

    let accounts = organizations
        .list_children()
        .parent_id(&root)
        .child_type(ChildType::Account)
        .send()
        .await
        .unwrap();
    assert_eq!(accounts.children().len(), 1, "the management account");

    let parents = organizations
        .list_parents()
        .child_id(&created[0])
        .send()
        .await
        .unwrap();
    assert_eq!(parents.parents()[0].id(), Some(root.as_str()));
    assert_eq!(
        parents.parents()[0]
            .r#type()
            .map(aws_sdk_organizations::types::ParentType::as_str),
        Some("ROOT")
    );

    let error = organizations
        .list_parents()
        .child_id("999999999999")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(error.is_child_not_found_exception(), "{error:?}");

    let error = organizations
        .list_children()
        .parent_id("ou-abcd-12345678")
        .child_type(ChildType::Account)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(error.is_parent_not_found_exception(), "{error:?}");
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn accounts_are_listed_described_and_moved() {
    let (server, sdk) = common::start().await;
    let endpoint = server.endpoint_url();
    let seeded = common::seed(
        &endpoint,
        &serde_json::json!({
            "accounts": [
                {"name": "dev", "email": "dev@example.com"},
                {"name": "prod", "email": "prod@example.com"}
            ]
        }),
    )
    .await;
    let organizations = Client::new(&sdk);
    let root = root_id(&organizations).await;
    let dev = seeded["accounts"]["dev"].as_str().unwrap().to_owned();

    let mut listed = Vec::new();
    let mut token = None;
    loop {
        let page = organizations
            .list_accounts()
            .max_results(1)
            .set_next_token(token)
            .send()
            .await
            .unwrap();
        listed.extend(page.accounts().iter().map(|a| a.id().unwrap().to_owned()));
        token = page.next_token;
        if token.is_none() {
            break;
        }
    }
    let mut expected = listed.clone();
    expected.sort();
    expected.dedup();
    assert_eq!(listed, expected);
    assert_eq!(listed.len(), 3);

    let account = organizations
        .describe_account()
        .account_id(&dev)
        .send()
        .await
        .unwrap()
        .account
        .unwrap();
    assert_eq!(account.name(), Some("dev"));
    assert_eq!(account.email(), Some("dev@example.com"));
    let error = organizations
        .describe_account()
        .account_id("999999999999")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(error.is_account_not_found_exception(), "{error:?}");

    let unit = organizations
        .create_organizational_unit()
        .parent_id(&root)
        .name("workloads")
        .send()
        .await
        .unwrap()
        .organizational_unit
        .unwrap()
        .id
        .unwrap();
    organizations
        .move_account()
        .account_id(&dev)
        .source_parent_id(&root)
        .destination_parent_id(&unit)
        .send()
        .await
        .unwrap();
    let in_unit = organizations
        .list_accounts_for_parent()
        .parent_id(&unit)
        .send()
        .await
        .unwrap();
    assert_eq!(in_unit.accounts().len(), 1);
    assert_eq!(in_unit.accounts()[0].id(), Some(dev.as_str()));

    let error = organizations
        .move_account()
        .account_id(&dev)
        .source_parent_id(&unit)
        .destination_parent_id(&unit)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(error.is_duplicate_account_exception(), "{error:?}");
    let error = organizations
        .move_account()
        .account_id(&dev)
        .source_parent_id("ou-abcd-12345678")
        .destination_parent_id(&root)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(error.is_source_parent_not_found_exception(), "{error:?}");
    let error = organizations
        .move_account()
        .account_id(&dev)
        .source_parent_id(&unit)
        .destination_parent_id("ou-abcd-12345678")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        error.is_destination_parent_not_found_exception(),
        "{error:?}"
    );
    let error = organizations
        .delete_organizational_unit()
        .organizational_unit_id(&unit)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        error.is_organizational_unit_not_empty_exception(),
        "{error:?}"
    );
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn create_account_with_an_undeliverable_email_fails_with_invalid_email() {
    let (server, sdk) = common::start().await;
    let endpoint = server.endpoint_url();
    let organizations = Client::new(&sdk);
    let started = organizations
        .create_account()
        .email("root@accounts.example.invalid")
        .account_name("nowhere")
        .send()
        .await
        .unwrap()
        .create_account_status
        .unwrap();
    // Accepted first, as AWS does: the failure shows only in the status.
    assert_eq!(
        started
            .state()
            .map(aws_sdk_organizations::types::CreateAccountState::as_str),
        Some("IN_PROGRESS")
    );
    common::control_post(
        &endpoint,
        "clock/advance",
        &serde_json::json!({"seconds": 3600}),
    )
    .await;
    let status = organizations
        .describe_create_account_status()
        .create_account_request_id(started.id().unwrap())
        .send()
        .await
        .unwrap()
        .create_account_status
        .unwrap();
    assert_eq!(
        status
            .failure_reason()
            .map(aws_sdk_organizations::types::CreateAccountFailureReason::as_str),
        Some("INVALID_EMAIL")
    );
    assert!(status.account_id().is_none());
    let accounts = organizations.list_accounts().send().await.unwrap();
    assert_eq!(accounts.accounts().len(), 1, "only the management account");
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn create_account_completes_asynchronously_and_reports_failures() {
    let (server, sdk) = common::start().await;
    let endpoint = server.endpoint_url();
    let organizations = Client::new(&sdk);
    let started = organizations
        .create_account()
        .email("new@example.com")
        .account_name("new")
        .send()
        .await
        .unwrap()
        .create_account_status
        .unwrap();
    assert_eq!(
        started
            .state()
            .map(aws_sdk_organizations::types::CreateAccountState::as_str),
        Some("IN_PROGRESS")
    );
    assert!(started.account_id().is_none());
    let request_id = started.id().unwrap().to_owned();

    let duplicate = organizations
        .create_account()
        .email("new@example.com")
        .account_name("again")
        .send()
        .await
        .unwrap()
        .create_account_status
        .unwrap();

    common::control_post(
        &endpoint,
        "clock/advance",
        &serde_json::json!({"seconds": 86400}),
    )
    .await;
    let done = organizations
        .describe_create_account_status()
        .create_account_request_id(&request_id)
        .send()
        .await
        .unwrap()
        .create_account_status
        .unwrap();
    assert_eq!(
        done.state()
            .map(aws_sdk_organizations::types::CreateAccountState::as_str),
        Some("SUCCEEDED")
    );
    let account_id = done.account_id().unwrap().to_owned();
    let account = organizations
        .describe_account()
        .account_id(&account_id)
        .send()
        .await
        .unwrap()
        .account
        .unwrap();
    assert_eq!(account.name(), Some("new"));
    assert_eq!(
        account
            .joined_method()
            .map(aws_sdk_organizations::types::AccountJoinedMethod::as_str),
        Some("CREATED")
    );

    let failed = organizations
        .describe_create_account_status()
        .create_account_request_id(duplicate.id().unwrap())
        .send()
        .await
        .unwrap()
        .create_account_status
        .unwrap();
    assert_eq!(
        failed
            .state()
            .map(aws_sdk_organizations::types::CreateAccountState::as_str),
        Some("FAILED")
    );
    assert_eq!(
        failed
            .failure_reason()
            .map(aws_sdk_organizations::types::CreateAccountFailureReason::as_str),
        Some("EMAIL_ALREADY_EXISTS")
    );

    let error = organizations
        .describe_create_account_status()
        .create_account_request_id("car-doesnotexist")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        error.is_create_account_status_not_found_exception(),
        "{error:?}"
    );

    let mut listed = Vec::new();
    let mut token = None;
    loop {
        let page = organizations
            .list_create_account_status()
            .max_results(1)
            .set_next_token(token)
            .send()
            .await
            .unwrap();
        listed.extend(
            page.create_account_statuses()
                .iter()
                .map(|status| status.id().unwrap().to_owned()),
        );
        token = page.next_token;
        if token.is_none() {
            break;
        }
    }
    let mut expected = vec![request_id, duplicate.id().unwrap().to_owned()];
    expected.sort();
    assert_eq!(listed, expected);
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn create_account_allows_at_most_five_in_progress() {
    let (server, sdk) = common::start().await;
    let organizations = Client::new(&sdk);
    for index in 0..5 {
        organizations
            .create_account()
            .email(format!("account{index}@example.com"))
            .account_name(format!("account{index}"))
            .send()
            .await
            .unwrap();
    }
    let error = organizations
        .create_account()
        .email("sixth@example.com")
        .account_name("sixth")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    match error {
        aws_sdk_organizations::operation::create_account::CreateAccountError::ConstraintViolationException(violation) => {
            assert_eq!(
                violation.reason().map(aws_sdk_organizations::types::ConstraintViolationExceptionReason::as_str),
                Some("ACCOUNT_CREATION_RATE_LIMIT_EXCEEDED")
            );
        }
        other => panic!("{other:?}"),
    }
    let error = organizations
        .create_account()
        .email("not-an-email")
        .account_name("bad")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(error.is_invalid_input_exception(), "{error:?}");
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn tags_are_added_listed_and_removed() {
    let (server, sdk) = common::start().await;
    let organizations = Client::new(&sdk);
    let root = root_id(&organizations).await;
    let tag = |key: &str, value: &str| {
        aws_sdk_organizations::types::Tag::builder()
            .key(key)
            .value(value)
            .build()
            .unwrap()
    };
    organizations
        .tag_resource()
        .resource_id(&root)
        .tags(tag("team", "platform"))
        .tags(tag("cost", "1"))
        .send()
        .await
        .unwrap();
    organizations
        .untag_resource()
        .resource_id(&root)
        .tag_keys("cost")
        .send()
        .await
        .unwrap();
    let listed = organizations
        .list_tags_for_resource()
        .resource_id(&root)
        .send()
        .await
        .unwrap();
    let pairs: Vec<(&str, &str)> = listed
        .tags()
        .iter()
        .map(|tag| (tag.key(), tag.value()))
        .collect();
    assert_eq!(pairs, [("team", "platform")]);

    let error = organizations
        .tag_resource()
        .resource_id("999999999999")
        .tags(tag("a", "b"))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(error.is_target_not_found_exception(), "{error:?}");

    let mut request = organizations.tag_resource().resource_id(&root);
    for index in 0..50 {
        request = request.tags(tag(&format!("key{index}"), "v"));
    }
    let error = request.send().await.unwrap_err().into_service_error();
    assert!(error.is_constraint_violation_exception(), "{error:?}");
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn accounts_are_closed_and_removed() {
    let (server, sdk) = common::start().await;
    let endpoint = server.endpoint_url();
    let seeded = common::seed(
        &endpoint,
        &serde_json::json!({
            "accounts": [
                {"name": "old", "email": "old@example.com"},
                {"name": "gone", "email": "gone@example.com"}
            ]
        }),
    )
    .await;
    let organizations = Client::new(&sdk);
    let old = seeded["accounts"]["old"].as_str().unwrap();
    let gone = seeded["accounts"]["gone"].as_str().unwrap();
    let management = organizations
        .describe_organization()
        .send()
        .await
        .unwrap()
        .organization
        .unwrap()
        .master_account_id
        .unwrap();

    organizations
        .close_account()
        .account_id(old)
        .send()
        .await
        .unwrap();
    let account = organizations
        .describe_account()
        .account_id(old)
        .send()
        .await
        .unwrap()
        .account
        .unwrap();
    assert_eq!(
        account
            .state()
            .map(aws_sdk_organizations::types::AccountState::as_str),
        Some("PENDING_CLOSURE")
    );
    let error = organizations
        .close_account()
        .account_id(old)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(error.is_account_already_closed_exception(), "{error:?}");
    let error = organizations
        .close_account()
        .account_id(&management)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(error.is_constraint_violation_exception(), "{error:?}");

    // Once the closure completes, the account is CLOSED (status SUSPENDED) and still listed.
    common::control_post(
        &server.endpoint_url(),
        "clock/advance",
        &serde_json::json!({"seconds": 3600}),
    )
    .await;
    let closed = organizations
        .describe_account()
        .account_id(old)
        .send()
        .await
        .unwrap()
        .account
        .unwrap();
    assert_eq!(
        closed
            .state()
            .map(aws_sdk_organizations::types::AccountState::as_str),
        Some("CLOSED")
    );
    assert_eq!(
        closed
            .status()
            .map(aws_sdk_organizations::types::AccountStatus::as_str),
        Some("SUSPENDED")
    );

    organizations
        .remove_account_from_organization()
        .account_id(gone)
        .send()
        .await
        .unwrap();
    let error = organizations
        .describe_account()
        .account_id(gone)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(error.is_account_not_found_exception(), "{error:?}");
    let error = organizations
        .remove_account_from_organization()
        .account_id(&management)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        error.is_master_cannot_leave_organization_exception(),
        "{error:?}"
    );
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn delegated_administrators_need_trusted_access_and_are_listed() {
    let (server, sdk) = common::start().await;
    let endpoint = server.endpoint_url();
    let seeded = common::seed(
        &endpoint,
        &serde_json::json!({
            "accounts": [
                {"name": "security", "email": "security@example.com"},
                {"name": "audit", "email": "audit@example.com"}
            ]
        }),
    )
    .await;
    let organizations = Client::new(&sdk);
    let security = seeded["accounts"]["security"].as_str().unwrap();
    let audit = seeded["accounts"]["audit"].as_str().unwrap();

    let error = organizations
        .register_delegated_administrator()
        .account_id(security)
        .service_principal("sso.amazonaws.com")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(error.is_constraint_violation_exception(), "{error:?}");

    for principal in ["sso.amazonaws.com", "access-analyzer.amazonaws.com"] {
        organizations
            .enable_aws_service_access()
            .service_principal(principal)
            .send()
            .await
            .unwrap();
    }
    let error = organizations
        .enable_aws_service_access()
        .service_principal("not-a-service")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(error.is_invalid_input_exception(), "{error:?}");

    let mut principals = Vec::new();
    let mut token = None;
    loop {
        let page = organizations
            .list_aws_service_access_for_organization()
            .max_results(1)
            .set_next_token(token)
            .send()
            .await
            .unwrap();
        principals.extend(
            page.enabled_service_principals()
                .iter()
                .map(|principal| principal.service_principal().unwrap().to_owned()),
        );
        token = page.next_token;
        if token.is_none() {
            break;
        }
    }
    assert_eq!(
        principals,
        ["access-analyzer.amazonaws.com", "sso.amazonaws.com"]
    );

    for account in [security, audit] {
        organizations
            .register_delegated_administrator()
            .account_id(account)
            .service_principal("sso.amazonaws.com")
            .send()
            .await
            .unwrap();
    }
    let error = organizations
        .register_delegated_administrator()
        .account_id(security)
        .service_principal("sso.amazonaws.com")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(error.is_account_already_registered_exception(), "{error:?}");
    let error = organizations
        .register_delegated_administrator()
        .account_id("999999999999")
        .service_principal("sso.amazonaws.com")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(error.is_account_not_found_exception(), "{error:?}");

    let mut listed = Vec::new();
    let mut token = None;
    loop {
        let page = organizations
            .list_delegated_administrators()
            .service_principal("sso.amazonaws.com")
            .max_results(1)
            .set_next_token(token)
            .send()
            .await
            .unwrap();
        listed.extend(
            page.delegated_administrators()
                .iter()
                .map(|admin| admin.id().unwrap().to_owned()),
        );
        token = page.next_token;
        if token.is_none() {
            break;
        }
    }
    let mut expected = vec![security.to_owned(), audit.to_owned()];
    expected.sort();
    assert_eq!(listed, expected);
    let none = organizations
        .list_delegated_administrators()
        .service_principal("access-analyzer.amazonaws.com")
        .send()
        .await
        .unwrap();
    assert!(none.delegated_administrators().is_empty());
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn create_account_fails_at_the_account_quota() {
    let (server, sdk) = common::start_with(monban_emulator::Config {
        account_quota: 1,
        ..monban_emulator::Config::default()
    })
    .await;
    let organizations = Client::new(&sdk);
    let status = organizations
        .create_account()
        .email("over@example.com")
        .account_name("over")
        .send()
        .await
        .unwrap()
        .create_account_status
        .unwrap();
    common::control_post(
        &server.endpoint_url(),
        "clock/advance",
        &serde_json::json!({"seconds": 86400}),
    )
    .await;
    let done = organizations
        .describe_create_account_status()
        .create_account_request_id(status.id().unwrap())
        .send()
        .await
        .unwrap()
        .create_account_status
        .unwrap();
    assert_eq!(
        done.failure_reason()
            .map(aws_sdk_organizations::types::CreateAccountFailureReason::as_str),
        Some("ACCOUNT_LIMIT_EXCEEDED")
    );
    server.shutdown().await.unwrap();
}
