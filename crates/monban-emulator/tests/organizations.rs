//! End-to-end tests of the Organizations operations through the real aws-sdk-organizations.

mod common;

use aws_sdk_organizations::Client;
use aws_sdk_organizations::types::ChildType;

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
