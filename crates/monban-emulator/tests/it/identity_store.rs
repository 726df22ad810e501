//! The Identity Store through the real `aws-sdk-identitystore` client: users, groups and
//! memberships with their AWS errors and pagination.

use aws_sdk_identitystore::Client;
use aws_sdk_identitystore::operation::create_group::CreateGroupError;
use aws_sdk_identitystore::operation::create_group_membership::CreateGroupMembershipError;
use aws_sdk_identitystore::operation::create_user::CreateUserError;
use aws_sdk_identitystore::operation::delete_group::DeleteGroupError;
use aws_sdk_identitystore::operation::delete_user::DeleteUserError;
use aws_sdk_identitystore::operation::describe_group::DescribeGroupError;
use aws_sdk_identitystore::operation::describe_group_membership::DescribeGroupMembershipError;
use aws_sdk_identitystore::operation::describe_user::DescribeUserError;
use aws_sdk_identitystore::operation::get_group_id::GetGroupIdError;
use aws_sdk_identitystore::operation::get_user_id::GetUserIdError;
use aws_sdk_identitystore::operation::update_group::UpdateGroupError;
use aws_sdk_identitystore::operation::update_user::UpdateUserError;
use aws_sdk_identitystore::types::{
    AlternateIdentifier, AttributeOperation, ConflictExceptionReason, Email, MemberId,
    ResourceType, UniqueAttribute, UserStatus,
};

use crate::common;

/// A fresh sandbox, its Identity Store client and store id.
async fn start() -> (monban_emulator::RunningServer, Client, String) {
    let (server, sdk) = common::start().await;
    let identity_store_id =
        common::control_get(&server.endpoint_url(), "health").await["identity_store_id"]
            .as_str()
            .expect("health names the identity store")
            .to_owned();
    (server, Client::new(&sdk), identity_store_id)
}

#[tokio::test]
async fn create_describe_and_delete_a_user() {
    let (_server, client, store) = start().await;
    let created = client
        .create_user()
        .identity_store_id(&store)
        .user_name("alice")
        .display_name("Alice Doe")
        .emails(
            Email::builder()
                .value("alice@example.com")
                .primary(true)
                .build(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(created.revision(), "1");
    assert!(created.user_arn().ends_with(created.user_id()));

    let described = client
        .describe_user()
        .identity_store_id(&store)
        .user_id(created.user_id())
        .send()
        .await
        .unwrap();
    assert_eq!(described.user_name(), Some("alice"));
    assert_eq!(described.display_name(), Some("Alice Doe"));
    assert_eq!(described.emails()[0].value(), Some("alice@example.com"));
    assert_eq!(described.user_status(), Some(&UserStatus::Enabled));

    // A stale revision is a concurrent modification.
    let error = client
        .delete_user()
        .identity_store_id(&store)
        .user_id(created.user_id())
        .revision("7")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    let DeleteUserError::ConflictException(conflict) = error else {
        panic!("expected ConflictException, got {error:?}");
    };
    assert_eq!(
        conflict.reason(),
        Some(&ConflictExceptionReason::ConcurrentModification)
    );

    client
        .delete_user()
        .identity_store_id(&store)
        .user_id(created.user_id())
        .revision("1")
        .send()
        .await
        .unwrap();
    let error = client
        .describe_user()
        .identity_store_id(&store)
        .user_id(created.user_id())
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    let DescribeUserError::ResourceNotFoundException(not_found) = error else {
        panic!("expected ResourceNotFoundException, got {error:?}");
    };
    assert_eq!(not_found.resource_type(), Some(&ResourceType::User));
    assert_eq!(not_found.resource_id(), Some(created.user_id()));
}

#[tokio::test]
async fn user_names_are_unique_and_reserved_names_are_refused() {
    let (_server, client, store) = start().await;
    client
        .create_user()
        .identity_store_id(&store)
        .user_name("bob")
        .send()
        .await
        .unwrap();
    let error = client
        .create_user()
        .identity_store_id(&store)
        .user_name("BOB")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    let CreateUserError::ConflictException(conflict) = error else {
        panic!("expected ConflictException, got {error:?}");
    };
    assert_eq!(
        conflict.reason(),
        Some(&ConflictExceptionReason::UniquenessConstraintViolation)
    );
    let error = client
        .create_user()
        .identity_store_id(&store)
        .user_name("Administrator")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        matches!(error, CreateUserError::ValidationException(_)),
        "{error:?}"
    );
    let error = client
        .create_user()
        .identity_store_id("d-0000000000")
        .user_name("carol")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    let CreateUserError::ResourceNotFoundException(not_found) = error else {
        panic!("expected ResourceNotFoundException, got {error:?}");
    };
    assert_eq!(
        not_found.resource_type(),
        Some(&ResourceType::IdentityStore)
    );
}

#[tokio::test]
async fn created_users_paginate_completely_with_max_results_one() {
    let (_server, client, store) = start().await;
    let mut created = Vec::new();
    for name in ["u1", "u2", "u3"] {
        let user = client
            .create_user()
            .identity_store_id(&store)
            .user_name(name)
            .send()
            .await
            .unwrap();
        created.push(user.user_id().to_owned());
    }
    let pages: Vec<_> = client
        .list_users()
        .identity_store_id(&store)
        .max_results(1)
        .into_paginator()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .unwrap();
    let mut listed: Vec<String> = pages
        .iter()
        .flat_map(|page| page.users().iter().map(|user| user.user_id().to_owned()))
        .collect();
    assert!(pages.iter().all(|page| page.users().len() <= 1));
    listed.sort();
    created.sort();
    assert_eq!(listed, created);
}

fn unique(path: &str, value: &str) -> AlternateIdentifier {
    AlternateIdentifier::UniqueAttribute(
        UniqueAttribute::builder()
            .attribute_path(path)
            .attribute_value(value.into())
            .build()
            .unwrap(),
    )
}

#[tokio::test]
async fn get_user_id_by_user_name_and_email() {
    let (_server, client, store) = start().await;
    let created = client
        .create_user()
        .identity_store_id(&store)
        .user_name("dave")
        .emails(Email::builder().value("dave@example.com").build())
        .send()
        .await
        .unwrap();
    for identifier in [
        unique("userName", "dave"),
        unique("emails.value", "dave@example.com"),
    ] {
        let found = client
            .get_user_id()
            .identity_store_id(&store)
            .alternate_identifier(identifier)
            .send()
            .await
            .unwrap();
        assert_eq!(found.user_id(), created.user_id());
    }
    let error = client
        .get_user_id()
        .identity_store_id(&store)
        .alternate_identifier(unique("userName", "nobody"))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    let GetUserIdError::ResourceNotFoundException(not_found) = error else {
        panic!("expected ResourceNotFoundException, got {error:?}");
    };
    assert_eq!(not_found.resource_type(), Some(&ResourceType::User));
}

#[tokio::test]
async fn groups_create_describe_find_list_and_delete() {
    let (_server, client, store) = start().await;
    let mut created = Vec::new();
    for name in ["admins", "devs", "ops"] {
        let group = client
            .create_group()
            .identity_store_id(&store)
            .display_name(name)
            .description(format!("the {name}"))
            .send()
            .await
            .unwrap();
        assert_eq!(group.revision(), "1");
        created.push(group.group_id().to_owned());
    }
    let described = client
        .describe_group()
        .identity_store_id(&store)
        .group_id(&created[1])
        .send()
        .await
        .unwrap();
    assert_eq!(described.display_name(), Some("devs"));
    assert_eq!(described.description(), Some("the devs"));

    let found = client
        .get_group_id()
        .identity_store_id(&store)
        .alternate_identifier(unique("displayName", "ops"))
        .send()
        .await
        .unwrap();
    assert_eq!(found.group_id(), created[2]);
    let error = client
        .get_group_id()
        .identity_store_id(&store)
        .alternate_identifier(unique("displayName", "missing"))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        matches!(error, GetGroupIdError::ResourceNotFoundException(_)),
        "{error:?}"
    );

    let error = client
        .create_group()
        .identity_store_id(&store)
        .display_name("DEVS")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    let CreateGroupError::ConflictException(conflict) = error else {
        panic!("expected ConflictException, got {error:?}");
    };
    assert_eq!(
        conflict.reason(),
        Some(&ConflictExceptionReason::UniquenessConstraintViolation)
    );
    let error = client
        .create_group()
        .identity_store_id(&store)
        .display_name("AWSAdministrators")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        matches!(error, CreateGroupError::ValidationException(_)),
        "{error:?}"
    );

    let pages: Vec<_> = client
        .list_groups()
        .identity_store_id(&store)
        .max_results(1)
        .into_paginator()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .unwrap();
    assert!(pages.iter().all(|page| page.groups().len() <= 1));
    let mut listed: Vec<String> = pages
        .iter()
        .flat_map(|page| {
            page.groups()
                .iter()
                .map(|group| group.group_id().to_owned())
        })
        .collect();
    listed.sort();
    let mut expected = created.clone();
    expected.sort();
    assert_eq!(listed, expected);

    let error = client
        .delete_group()
        .identity_store_id(&store)
        .group_id(&created[0])
        .revision("2")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        matches!(error, DeleteGroupError::ConflictException(_)),
        "{error:?}"
    );
    client
        .delete_group()
        .identity_store_id(&store)
        .group_id(&created[0])
        .send()
        .await
        .unwrap();
    let error = client
        .describe_group()
        .identity_store_id(&store)
        .group_id(&created[0])
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    let DescribeGroupError::ResourceNotFoundException(not_found) = error else {
        panic!("expected ResourceNotFoundException, got {error:?}");
    };
    assert_eq!(not_found.resource_type(), Some(&ResourceType::Group));
}

#[tokio::test]
async fn memberships_are_created_found_listed_and_deleted() {
    let (_server, client, store) = start().await;
    let user = client
        .create_user()
        .identity_store_id(&store)
        .user_name("erin")
        .send()
        .await
        .unwrap()
        .user_id()
        .to_owned();
    let member = MemberId::UserId(user.clone());
    let mut groups = Vec::new();
    let mut memberships = Vec::new();
    for name in ["g1", "g2", "g3"] {
        let group = client
            .create_group()
            .identity_store_id(&store)
            .display_name(name)
            .send()
            .await
            .unwrap()
            .group_id()
            .to_owned();
        let membership = client
            .create_group_membership()
            .identity_store_id(&store)
            .group_id(&group)
            .member_id(member.clone())
            .send()
            .await
            .unwrap();
        memberships.push(membership.membership_id().to_owned());
        groups.push(group);
    }
    let error = client
        .create_group_membership()
        .identity_store_id(&store)
        .group_id(&groups[0])
        .member_id(member.clone())
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    let CreateGroupMembershipError::ConflictException(conflict) = error else {
        panic!("expected ConflictException, got {error:?}");
    };
    assert_eq!(
        conflict.reason(),
        Some(&ConflictExceptionReason::UniquenessConstraintViolation)
    );

    let found = client
        .get_group_membership_id()
        .identity_store_id(&store)
        .group_id(&groups[1])
        .member_id(member.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(found.membership_id(), memberships[1]);
    let described = client
        .describe_group_membership()
        .identity_store_id(&store)
        .membership_id(&memberships[1])
        .send()
        .await
        .unwrap();
    assert_eq!(described.group_id(), groups[1]);
    assert_eq!(described.member_id(), Some(&member));

    let pages: Vec<_> = client
        .list_group_memberships_for_member()
        .identity_store_id(&store)
        .member_id(member.clone())
        .max_results(1)
        .into_paginator()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .unwrap();
    assert!(pages.iter().all(|page| page.group_memberships().len() <= 1));
    let mut listed: Vec<String> = pages
        .iter()
        .flat_map(|page| {
            page.group_memberships()
                .iter()
                .map(|membership| membership.membership_id().to_owned())
        })
        .collect();
    listed.sort();
    let mut expected = memberships.clone();
    expected.sort();
    assert_eq!(listed, expected);

    let in_group = client
        .list_group_memberships()
        .identity_store_id(&store)
        .group_id(&groups[2])
        .max_results(1)
        .into_paginator()
        .send()
        .collect::<Result<Vec<_>, _>>()
        .await
        .unwrap();
    let listed: Vec<_> = in_group
        .iter()
        .flat_map(|page| page.group_memberships().iter())
        .collect();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].membership_id(), memberships[2].as_str());

    client
        .delete_group_membership()
        .identity_store_id(&store)
        .membership_id(&memberships[0])
        .send()
        .await
        .unwrap();
    let results = client
        .is_member_in_groups()
        .identity_store_id(&store)
        .member_id(member.clone())
        .group_ids(&groups[0])
        .group_ids(&groups[1])
        .send()
        .await
        .unwrap();
    let exists: Vec<bool> = results
        .results()
        .iter()
        .map(aws_sdk_identitystore::types::GroupMembershipExistenceResult::membership_exists)
        .collect();
    assert_eq!(exists, [false, true]);
    let error = client
        .describe_group_membership()
        .identity_store_id(&store)
        .membership_id(&memberships[0])
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    let DescribeGroupMembershipError::ResourceNotFoundException(not_found) = error else {
        panic!("expected ResourceNotFoundException, got {error:?}");
    };
    assert_eq!(
        not_found.resource_type(),
        Some(&ResourceType::GroupMembership)
    );
}

fn set(path: &str, value: &str) -> AttributeOperation {
    AttributeOperation::builder()
        .attribute_path(path)
        .attribute_value(value.into())
        .build()
        .unwrap()
}

#[tokio::test]
async fn update_user_applies_operations_and_checks_revision_and_uniqueness() {
    let (_server, client, store) = start().await;
    let user = client
        .create_user()
        .identity_store_id(&store)
        .user_name("frank")
        .send()
        .await
        .unwrap()
        .user_id()
        .to_owned();
    client
        .create_user()
        .identity_store_id(&store)
        .user_name("grace")
        .send()
        .await
        .unwrap();
    let updated = client
        .update_user()
        .identity_store_id(&store)
        .user_id(&user)
        .revision("1")
        .operations(set("displayName", "Frank F"))
        .operations(set("name.givenName", "Frank"))
        .operations(set("userStatus", "DISABLED"))
        .send()
        .await
        .unwrap();
    assert_eq!(updated.revision(), "2");
    let described = client
        .describe_user()
        .identity_store_id(&store)
        .user_id(&user)
        .send()
        .await
        .unwrap();
    assert_eq!(described.display_name(), Some("Frank F"));
    assert_eq!(
        described.name().and_then(|name| name.given_name()),
        Some("Frank")
    );
    assert_eq!(described.user_status(), Some(&UserStatus::Disabled));

    let error = client
        .update_user()
        .identity_store_id(&store)
        .user_id(&user)
        .revision("1")
        .operations(set("title", "x"))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    let UpdateUserError::ConflictException(conflict) = error else {
        panic!("expected ConflictException, got {error:?}");
    };
    assert_eq!(
        conflict.reason(),
        Some(&ConflictExceptionReason::ConcurrentModification)
    );
    let error = client
        .update_user()
        .identity_store_id(&store)
        .user_id(&user)
        .operations(set("userName", "Grace"))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    let UpdateUserError::ConflictException(conflict) = error else {
        panic!("expected ConflictException, got {error:?}");
    };
    assert_eq!(
        conflict.reason(),
        Some(&ConflictExceptionReason::UniquenessConstraintViolation)
    );
}

#[tokio::test]
async fn update_group_renames_and_keeps_names_unique() {
    let (_server, client, store) = start().await;
    let group = client
        .create_group()
        .identity_store_id(&store)
        .display_name("qa")
        .send()
        .await
        .unwrap()
        .group_id()
        .to_owned();
    client
        .create_group()
        .identity_store_id(&store)
        .display_name("sre")
        .send()
        .await
        .unwrap();
    let updated = client
        .update_group()
        .identity_store_id(&store)
        .group_id(&group)
        .operations(set("displayName", "quality"))
        .operations(set("description", "testers"))
        .send()
        .await
        .unwrap();
    assert_eq!(updated.revision(), "2");
    let described = client
        .describe_group()
        .identity_store_id(&store)
        .group_id(&group)
        .send()
        .await
        .unwrap();
    assert_eq!(described.display_name(), Some("quality"));
    assert_eq!(described.description(), Some("testers"));
    let error = client
        .update_group()
        .identity_store_id(&store)
        .group_id(&group)
        .operations(set("displayName", "SRE"))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    let UpdateGroupError::ConflictException(conflict) = error else {
        panic!("expected ConflictException, got {error:?}");
    };
    assert_eq!(
        conflict.reason(),
        Some(&ConflictExceptionReason::UniquenessConstraintViolation)
    );
}

#[tokio::test]
async fn update_user_replaces_list_attributes_given_as_scim_objects() {
    use aws_smithy_types::Document;
    use std::collections::HashMap;

    let (_server, client, store) = start().await;
    let user = client
        .create_user()
        .identity_store_id(&store)
        .user_name("heidi")
        .send()
        .await
        .unwrap()
        .user_id()
        .to_owned();
    let email = Document::Array(vec![Document::Object(HashMap::from([
        (
            "value".to_owned(),
            Document::String("heidi@example.com".to_owned()),
        ),
        ("type".to_owned(), Document::String("work".to_owned())),
        ("primary".to_owned(), Document::Bool(true)),
    ]))]);
    client
        .update_user()
        .identity_store_id(&store)
        .user_id(&user)
        .operations(
            AttributeOperation::builder()
                .attribute_path("emails")
                .attribute_value(email)
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let described = client
        .describe_user()
        .identity_store_id(&store)
        .user_id(&user)
        .send()
        .await
        .unwrap();
    let emails = described.emails();
    assert_eq!(emails.len(), 1);
    assert_eq!(emails[0].value(), Some("heidi@example.com"));
    assert_eq!(emails[0].r#type(), Some("work"));
    assert!(emails[0].primary());

    // Two e-mails exceed the model's list length; a string is not a list.
    let two = Document::Array(vec![
        Document::Object(HashMap::from([(
            "value".to_owned(),
            Document::String("a@example.com".to_owned()),
        )])),
        Document::Object(HashMap::from([(
            "value".to_owned(),
            Document::String("b@example.com".to_owned()),
        )])),
    ]);
    for value in [two, Document::String("heidi@example.com".to_owned())] {
        let error = client
            .update_user()
            .identity_store_id(&store)
            .user_id(&user)
            .operations(
                AttributeOperation::builder()
                    .attribute_path("emails")
                    .attribute_value(value)
                    .build()
                    .unwrap(),
            )
            .send()
            .await
            .unwrap_err()
            .into_service_error();
        assert!(error.is_validation_exception(), "{error:?}");
    }
    // Removing the attribute empties the list.
    client
        .update_user()
        .identity_store_id(&store)
        .user_id(&user)
        .operations(
            AttributeOperation::builder()
                .attribute_path("emails")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let described = client
        .describe_user()
        .identity_store_id(&store)
        .user_id(&user)
        .send()
        .await
        .unwrap();
    assert!(described.emails().is_empty());
}
