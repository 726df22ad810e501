//! End-to-end tests of invitations and handshakes through the real aws-sdk-organizations:
//! standalone accounts created through the control API, invited by id and by e-mail,
//! accepted, declined, canceled and expired; the answers an owner gives through the control
//! API; duplicates, invalid transitions, who may call what, and pagination.

use aws_sdk_organizations::Client;
use aws_sdk_organizations::types::{
    AccountJoinedMethod, ActionType, Handshake, HandshakeFilter, HandshakeParty,
    HandshakePartyType, HandshakeResourceType, HandshakeState,
};
use serde_json::{Value, json};

use crate::common;

/// A standalone account created through the control API, with a client signing as its owner.
struct Standalone {
    id: String,
    email: String,
    client: Client,
}

async fn standalone(endpoint: &str, name: &str, email: &str) -> Standalone {
    let (status, created) = common::control_post(
        endpoint,
        "standalone-accounts",
        &json!({"name": name, "email": email}),
    )
    .await;
    assert_eq!(status, 200, "{created}");
    let sdk = common::sdk_config(
        endpoint,
        created["access_key_id"].as_str().unwrap(),
        created["secret_access_key"].as_str().unwrap(),
        None,
    )
    .await;
    Standalone {
        id: created["id"].as_str().unwrap().to_owned(),
        email: email.to_owned(),
        client: Client::new(&sdk),
    }
}

fn target(party_type: HandshakePartyType, id: &str) -> HandshakeParty {
    HandshakeParty::builder()
        .r#type(party_type)
        .id(id)
        .build()
        .unwrap()
}

async fn invite(organizations: &Client, party_type: HandshakePartyType, id: &str) -> Handshake {
    organizations
        .invite_account_to_organization()
        .target(target(party_type, id))
        .send()
        .await
        .unwrap()
        .handshake
        .unwrap()
}

async fn describe(client: &Client, handshake_id: &str) -> Handshake {
    client
        .describe_handshake()
        .handshake_id(handshake_id)
        .send()
        .await
        .unwrap()
        .handshake
        .unwrap()
}

async fn member_ids(organizations: &Client) -> Vec<String> {
    organizations
        .list_accounts()
        .send()
        .await
        .unwrap()
        .accounts()
        .iter()
        .map(|account| account.id().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn an_invitation_by_account_id_is_open_for_15_days_and_accepted_by_the_invitee() {
    let (server, sdk) = common::start().await;
    let endpoint = server.endpoint_url();
    let organizations = Client::new(&sdk);
    let health = common::control_get(&endpoint, "health").await;
    let organization_id = health["organization_id"].as_str().unwrap();
    let invitee = standalone(&endpoint, "legacy-billing", "legacy-billing@example.com").await;

    // Outside the organization, the invitee's key reads nothing of it.
    let error = invitee
        .client
        .describe_organization()
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        error.is_aws_organizations_not_in_use_exception(),
        "{error:?}"
    );

    let handshake = organizations
        .invite_account_to_organization()
        .target(target(HandshakePartyType::Account, &invitee.id))
        .notes("Welcome to the platform organization")
        .tags(
            aws_sdk_organizations::types::Tag::builder()
                .key("team")
                .value("billing")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap()
        .handshake
        .unwrap();
    let handshake_id = handshake.id().unwrap().to_owned();
    assert!(handshake_id.starts_with("h-"), "{handshake_id}");
    assert_eq!(handshake.state(), Some(&HandshakeState::Open));
    assert_eq!(
        handshake.action(),
        Some(&ActionType::InviteAccountToOrganization)
    );
    assert_eq!(
        handshake.arn().unwrap(),
        format!(
            "arn:aws:organizations::111111111111:handshake/{organization_id}/invite/{handshake_id}"
        )
    );
    let requested = handshake.requested_timestamp().unwrap().secs();
    let expires = handshake.expiration_timestamp().unwrap().secs();
    assert_eq!(expires - requested, 15 * 24 * 3600);
    let parties: Vec<(&str, &HandshakePartyType)> = handshake
        .parties()
        .iter()
        .map(|party| (party.id(), party.r#type()))
        .collect();
    assert_eq!(
        parties,
        [
            (organization_id, &HandshakePartyType::Organization),
            (invitee.id.as_str(), &HandshakePartyType::Account)
        ]
    );
    let resources = handshake.resources();
    assert_eq!(
        resources[0].r#type(),
        Some(&HandshakeResourceType::Organization)
    );
    assert_eq!(resources[0].value(), Some(organization_id));
    let sender: Vec<_> = resources[0]
        .resources()
        .iter()
        .map(|resource| {
            (
                resource.r#type().unwrap().as_str(),
                resource.value().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        sender,
        [
            ("MASTER_EMAIL", "management@example.com"),
            ("MASTER_NAME", "management"),
            ("ORGANIZATION_FEATURE_SET", "ALL")
        ]
    );
    assert_eq!(resources[1].r#type(), Some(&HandshakeResourceType::Account));
    assert_eq!(resources[1].value(), Some(invitee.id.as_str()));
    assert_eq!(resources[2].r#type(), Some(&HandshakeResourceType::Notes));
    assert_eq!(
        resources[2].value(),
        Some("Welcome to the platform organization")
    );

    // The invitee finds it among the handshakes it received and reads it.
    let received = invitee
        .client
        .list_handshakes_for_account()
        .send()
        .await
        .unwrap();
    assert_eq!(received.handshakes().len(), 1);
    assert_eq!(received.handshakes()[0].id(), Some(handshake_id.as_str()));
    assert_eq!(
        describe(&invitee.client, &handshake_id).await.state(),
        Some(&HandshakeState::Open)
    );
    assert!(!member_ids(&organizations).await.contains(&invitee.id));

    // The sender cannot accept for the invitee.
    let error = organizations
        .accept_handshake()
        .handshake_id(&handshake_id)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(error.is_access_denied_exception(), "{error:?}");

    let accepted = invitee
        .client
        .accept_handshake()
        .handshake_id(&handshake_id)
        .send()
        .await
        .unwrap()
        .handshake
        .unwrap();
    assert_eq!(accepted.state(), Some(&HandshakeState::Accepted));

    let account = organizations
        .describe_account()
        .account_id(&invitee.id)
        .send()
        .await
        .unwrap()
        .account
        .unwrap();
    assert_eq!(account.name(), Some("legacy-billing"));
    assert_eq!(account.email(), Some("legacy-billing@example.com"));
    assert_eq!(account.joined_method(), Some(&AccountJoinedMethod::Invited));
    let tags = organizations
        .list_tags_for_resource()
        .resource_id(&invitee.id)
        .send()
        .await
        .unwrap();
    assert_eq!(tags.tags()[0].key(), "team");
    let root = health["root_id"].as_str().unwrap();
    let under_root = organizations
        .list_accounts_for_parent()
        .parent_id(root)
        .send()
        .await
        .unwrap();
    assert!(
        under_root
            .accounts()
            .iter()
            .any(|account| account.id() == Some(invitee.id.as_str()))
    );
    // Now a member, the invitee's key reads the organization.
    let organization = invitee
        .client
        .describe_organization()
        .send()
        .await
        .unwrap()
        .organization
        .unwrap();
    assert_eq!(organization.id(), Some(organization_id));

    // Accepting again: already in that state. Inviting a member: already in an organization.
    let error = invitee
        .client
        .accept_handshake()
        .handshake_id(&handshake_id)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(error.is_handshake_already_in_state_exception(), "{error:?}");
    let error = organizations
        .invite_account_to_organization()
        .target(target(HandshakePartyType::Account, &invitee.id))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        error.is_handshake_constraint_violation_exception(),
        "{error:?}"
    );
    let aws_sdk_organizations::operation::invite_account_to_organization::InviteAccountToOrganizationError::HandshakeConstraintViolationException(violation) = error else {
        unreachable!("checked above");
    };
    assert_eq!(
        violation
            .reason()
            .map(aws_sdk_organizations::types::HandshakeConstraintViolationExceptionReason::as_str),
        Some("ALREADY_IN_AN_ORGANIZATION")
    );
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn an_invitation_by_email_is_accepted_by_the_owner_of_that_email() {
    let (server, sdk) = common::start().await;
    let endpoint = server.endpoint_url();
    let organizations = Client::new(&sdk);
    let invitee = standalone(&endpoint, "acquired", "Root+Acquired@Example.com").await;
    let bystander = standalone(&endpoint, "bystander", "bystander@example.com").await;

    // The e-mail is matched case-insensitively.
    let handshake = invite(
        &organizations,
        HandshakePartyType::Email,
        "root+acquired@example.com",
    )
    .await;
    let handshake_id = handshake.id().unwrap();
    assert_eq!(handshake.parties()[1].r#type(), &HandshakePartyType::Email);
    assert_eq!(
        handshake.resources()[1].r#type(),
        Some(&HandshakeResourceType::Email)
    );

    // Another standalone account neither sees nor answers it.
    for error in [
        bystander
            .client
            .describe_handshake()
            .handshake_id(handshake_id)
            .send()
            .await
            .unwrap_err()
            .into_service_error()
            .is_handshake_not_found_exception(),
        bystander
            .client
            .accept_handshake()
            .handshake_id(handshake_id)
            .send()
            .await
            .unwrap_err()
            .into_service_error()
            .is_handshake_not_found_exception(),
    ] {
        assert!(error);
    }
    assert!(
        bystander
            .client
            .list_handshakes_for_account()
            .send()
            .await
            .unwrap()
            .handshakes()
            .is_empty()
    );
    // The same account invited by id while the e-mail invitation is open is a duplicate.
    let error = organizations
        .invite_account_to_organization()
        .target(target(HandshakePartyType::Account, &invitee.id))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(error.is_duplicate_handshake_exception(), "{error:?}");

    invitee
        .client
        .accept_handshake()
        .handshake_id(handshake_id)
        .send()
        .await
        .unwrap();
    let account = organizations
        .describe_account()
        .account_id(&invitee.id)
        .send()
        .await
        .unwrap()
        .account
        .unwrap();
    assert_eq!(account.email(), Some(invitee.email.as_str()));
    assert_eq!(account.joined_method(), Some(&AccountJoinedMethod::Invited));
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_declined_invitation_leaves_the_account_outside_and_can_be_sent_again() {
    let (server, sdk) = common::start().await;
    let endpoint = server.endpoint_url();
    let organizations = Client::new(&sdk);
    let invitee = standalone(&endpoint, "agency", "agency@example.com").await;
    let handshake = invite(&organizations, HandshakePartyType::Account, &invitee.id).await;
    let handshake_id = handshake.id().unwrap();

    // The invitee cannot cancel (that is the sender's); it declines.
    let error = invitee
        .client
        .cancel_handshake()
        .handshake_id(handshake_id)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(error.is_access_denied_exception(), "{error:?}");
    let declined = invitee
        .client
        .decline_handshake()
        .handshake_id(handshake_id)
        .send()
        .await
        .unwrap()
        .handshake
        .unwrap();
    assert_eq!(declined.state(), Some(&HandshakeState::Declined));
    assert!(!member_ids(&organizations).await.contains(&invitee.id));

    let error = invitee
        .client
        .decline_handshake()
        .handshake_id(handshake_id)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(error.is_handshake_already_in_state_exception(), "{error:?}");
    let error = invitee
        .client
        .accept_handshake()
        .handshake_id(handshake_id)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        error.is_invalid_handshake_transition_exception(),
        "{error:?}"
    );
    let error = organizations
        .cancel_handshake()
        .handshake_id(handshake_id)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        error.is_invalid_handshake_transition_exception(),
        "{error:?}"
    );
    // The declined one is no longer open: a new invitation is not a duplicate.
    let again = invite(&organizations, HandshakePartyType::Account, &invitee.id).await;
    assert_ne!(again.id(), Some(handshake_id));
    assert_eq!(again.state(), Some(&HandshakeState::Open));
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_canceled_invitation_cannot_be_answered_and_duplicates_are_refused_while_open() {
    let (server, sdk) = common::start().await;
    let endpoint = server.endpoint_url();
    let organizations = Client::new(&sdk);
    let invitee = standalone(&endpoint, "partner", "partner@example.com").await;
    let handshake = invite(&organizations, HandshakePartyType::Email, &invitee.email).await;
    let handshake_id = handshake.id().unwrap();

    let error = organizations
        .invite_account_to_organization()
        .target(target(HandshakePartyType::Email, &invitee.email))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(error.is_duplicate_handshake_exception(), "{error:?}");

    let canceled = organizations
        .cancel_handshake()
        .handshake_id(handshake_id)
        .send()
        .await
        .unwrap()
        .handshake
        .unwrap();
    assert_eq!(canceled.state(), Some(&HandshakeState::Canceled));
    let error = organizations
        .cancel_handshake()
        .handshake_id(handshake_id)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(error.is_handshake_already_in_state_exception(), "{error:?}");
    let error = invitee
        .client
        .accept_handshake()
        .handshake_id(handshake_id)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        error.is_invalid_handshake_transition_exception(),
        "{error:?}"
    );
    assert_eq!(
        describe(&invitee.client, handshake_id).await.state(),
        Some(&HandshakeState::Canceled)
    );
    // Unknown and malformed ids.
    let error = organizations
        .describe_handshake()
        .handshake_id("h-00000000000000000000000000000000")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(error.is_handshake_not_found_exception(), "{error:?}");
    let error = organizations
        .describe_handshake()
        .handshake_id("not-a-handshake")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(error.is_invalid_input_exception(), "{error:?}");
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn an_unanswered_invitation_expires_after_15_days_on_the_sandbox_clock() {
    let (server, sdk) = common::start().await;
    let endpoint = server.endpoint_url();
    let organizations = Client::new(&sdk);
    let invitee = standalone(&endpoint, "slow", "slow@example.com").await;
    let handshake = invite(&organizations, HandshakePartyType::Account, &invitee.id).await;
    let handshake_id = handshake.id().unwrap();

    // One minute before expiry it is still open.
    let (status, _) = common::control_post(
        &endpoint,
        "clock/advance",
        &json!({"seconds": 15 * 24 * 3600 - 60}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        describe(&organizations, handshake_id).await.state(),
        Some(&HandshakeState::Open)
    );
    common::control_post(&endpoint, "clock/advance", &json!({"seconds": 61})).await;
    assert_eq!(
        describe(&organizations, handshake_id).await.state(),
        Some(&HandshakeState::Expired)
    );
    let error = invitee
        .client
        .accept_handshake()
        .handshake_id(handshake_id)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        error.is_invalid_handshake_transition_exception(),
        "{error:?}"
    );
    assert!(!member_ids(&organizations).await.contains(&invitee.id));
    // An expired invitation is no duplicate.
    invite(&organizations, HandshakePartyType::Account, &invitee.id).await;

    // Listed for 30 days after it expired, then gone.
    let listed = organizations
        .list_handshakes_for_organization()
        .send()
        .await
        .unwrap();
    assert_eq!(listed.handshakes().len(), 2);
    common::control_post(
        &endpoint,
        "clock/advance",
        &json!({"seconds": 30 * 24 * 3600}),
    )
    .await;
    let listed = organizations
        .list_handshakes_for_organization()
        .send()
        .await
        .unwrap();
    // The second invitation expired too, 15 days after it was sent: less than 30 days ago.
    let listed_states: Vec<_> = listed
        .handshakes()
        .iter()
        .map(|handshake| handshake.state().unwrap().clone())
        .collect();
    assert_eq!(listed_states, [HandshakeState::Expired]);
    let error = organizations
        .describe_handshake()
        .handshake_id(handshake_id)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(error.is_handshake_not_found_exception(), "{error:?}");
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn the_control_api_answers_as_the_owner_of_the_invited_account() {
    let (server, sdk) = common::start().await;
    let endpoint = server.endpoint_url();
    let organizations = Client::new(&sdk);
    let (status, created) = common::control_post(
        &endpoint,
        "standalone-accounts",
        &json!({"name": "shared-services", "email": "shared@example.com", "id": "222222222222"}),
    )
    .await;
    assert_eq!(status, 200, "{created}");
    assert_eq!(created["id"], "222222222222");
    assert!(
        created["access_key_id"]
            .as_str()
            .unwrap()
            .starts_with("AKIA")
    );

    let declined = invite(&organizations, HandshakePartyType::Account, "222222222222").await;
    let path = format!("handshakes/{}/decline", declined.id().unwrap());
    let (status, answer) = common::control_post(&endpoint, &path, &json!({})).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["Handshake"]["State"], "DECLINED");
    let (status, answer) = common::control_post(&endpoint, &path, &json!({})).await;
    assert_eq!(status, 400);
    assert_eq!(answer["error"], "HandshakeAlreadyInStateException");

    let accepted = invite(
        &organizations,
        HandshakePartyType::Email,
        "shared@example.com",
    )
    .await;
    let path = format!("handshakes/{}/accept", accepted.id().unwrap());
    let (status, answer) = common::control_post(&endpoint, &path, &json!({})).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["Handshake"]["State"], "ACCEPTED");
    assert!(
        member_ids(&organizations)
            .await
            .contains(&"222222222222".to_owned())
    );

    // Nobody owns an unknown e-mail: the sandbox keeps the invitation open, but cannot answer
    // it for anyone.
    let nobody = invite(
        &organizations,
        HandshakePartyType::Email,
        "nobody@example.com",
    )
    .await;
    assert_eq!(nobody.state(), Some(&HandshakeState::Open));
    let (status, answer) = common::control_post(
        &endpoint,
        &format!("handshakes/{}/accept", nobody.id().unwrap()),
        &json!({}),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(answer["error"], "NoRecipient", "{answer}");
    // A standalone account created later with that e-mail can accept it.
    let late = standalone(&endpoint, "late", "nobody@example.com").await;
    late.client
        .accept_handshake()
        .handshake_id(nobody.id().unwrap())
        .send()
        .await
        .unwrap();
    assert!(member_ids(&organizations).await.contains(&late.id));

    // Standalone e-mails and ids are unique across all accounts.
    for body in [
        json!({"name": "again", "email": "SHARED@example.com"}),
        json!({"name": "again", "email": "again@example.com", "id": "111111111111"}),
        json!({"name": "again", "email": "not-an-email"}),
    ] {
        let (status, answer) = common::control_post(&endpoint, "standalone-accounts", &body).await;
        assert_eq!(status, 400, "{answer}");
        assert_eq!(answer["error"], "InvalidRequest");
    }
    let (status, answer): (u16, Value) = common::control_post(
        &endpoint,
        "handshakes/h-00000000000000000000000000000000/accept",
        &json!({}),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(answer["error"], "HandshakeNotFoundException");
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn handshake_operations_check_the_caller_and_the_input() {
    let (server, sdk) = common::start().await;
    let endpoint = server.endpoint_url();
    let organizations = Client::new(&sdk);
    let seeded = common::seed(
        &endpoint,
        &json!({
            "accounts": [{"name": "member", "email": "member@example.com", "id": "333333333333"}],
            "credentials": [{"access_key_id": "AKIAMEMBER0000000000", "secret_access_key": "member-secret", "account_id": "333333333333"}]
        }),
    )
    .await;
    assert_eq!(seeded["accounts"]["member"], "333333333333");
    let member = Client::new(
        &common::sdk_config(&endpoint, "AKIAMEMBER0000000000", "member-secret", None).await,
    );
    let invitee = standalone(&endpoint, "outsider", "outsider@example.com").await;

    // Only the management account invites; a standalone account is in no organization.
    let error = member
        .invite_account_to_organization()
        .target(target(HandshakePartyType::Account, &invitee.id))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(error.is_access_denied_exception(), "{error:?}");
    let error = invitee
        .client
        .invite_account_to_organization()
        .target(target(HandshakePartyType::Account, "444444444444"))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        error.is_aws_organizations_not_in_use_exception(),
        "{error:?}"
    );
    let error = member
        .list_handshakes_for_organization()
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(error.is_access_denied_exception(), "{error:?}");

    // Targets: ORGANIZATION is only for responses; ids and e-mails must be well-formed; the
    // management account and members are already in an organization.
    for (party_type, id, reason) in [
        (
            HandshakePartyType::Organization,
            "o-abcdefghij",
            "INVALID_PARTY_TYPE_TARGET",
        ),
        (HandshakePartyType::Account, "12345", "INVALID_PATTERN"),
        (
            HandshakePartyType::Email,
            "no-at-sign",
            "INVALID_EMAIL_ADDRESS_TARGET",
        ),
    ] {
        let error = organizations
            .invite_account_to_organization()
            .target(target(party_type, id))
            .send()
            .await
            .unwrap_err()
            .into_service_error();
        let aws_sdk_organizations::operation::invite_account_to_organization::InviteAccountToOrganizationError::InvalidInputException(invalid) = error else {
            panic!("{id}: {error:?}");
        };
        assert_eq!(
            invalid
                .reason()
                .map(aws_sdk_organizations::types::InvalidInputExceptionReason::as_str),
            Some(reason)
        );
    }
    for (party_type, id) in [
        (HandshakePartyType::Account, "111111111111"),
        (HandshakePartyType::Email, "MEMBER@example.com"),
    ] {
        let error = organizations
            .invite_account_to_organization()
            .target(target(party_type, id))
            .send()
            .await
            .unwrap_err()
            .into_service_error();
        assert!(
            error.is_handshake_constraint_violation_exception(),
            "{id}: {error:?}"
        );
    }
    let error = organizations
        .invite_account_to_organization()
        .target(target(HandshakePartyType::Account, &invitee.id))
        .notes("x".repeat(1025))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(error.is_invalid_input_exception(), "{error:?}");

    // A member account that is not a delegated administrator does not see the invitation.
    let handshake = invite(&organizations, HandshakePartyType::Account, &invitee.id).await;
    let error = member
        .describe_handshake()
        .handshake_id(handshake.id().unwrap())
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(error.is_handshake_not_found_exception(), "{error:?}");
    let error = member
        .cancel_handshake()
        .handshake_id(handshake.id().unwrap())
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(error.is_handshake_not_found_exception(), "{error:?}");

    // Filters: ActionType and ParentHandshakeId are exclusive.
    let error = organizations
        .list_handshakes_for_organization()
        .filter(
            HandshakeFilter::builder()
                .action_type(ActionType::InviteAccountToOrganization)
                .parent_handshake_id("h-0123456789")
                .build(),
        )
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(error.is_invalid_input_exception(), "{error:?}");
    let invitations = organizations
        .list_handshakes_for_organization()
        .filter(
            HandshakeFilter::builder()
                .action_type(ActionType::InviteAccountToOrganization)
                .build(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(invitations.handshakes().len(), 1);
    let others = organizations
        .list_handshakes_for_organization()
        .filter(
            HandshakeFilter::builder()
                .action_type(ActionType::EnableAllFeatures)
                .build(),
        )
        .send()
        .await
        .unwrap();
    assert!(others.handshakes().is_empty());
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn handshake_lists_page_one_at_a_time() {
    let (server, sdk) = common::start().await;
    let endpoint = server.endpoint_url();
    let organizations = Client::new(&sdk);
    let invitee = standalone(&endpoint, "many", "many@example.com").await;
    let mut sent = Vec::new();
    for index in 0..3 {
        sent.push(
            invite(
                &organizations,
                HandshakePartyType::Email,
                &format!("prospect-{index}@example.com"),
            )
            .await
            .id()
            .unwrap()
            .to_owned(),
        );
    }
    // Two invitations reach the invitee: one by id, one by its e-mail after the first is
    // canceled.
    let by_id = invite(&organizations, HandshakePartyType::Account, &invitee.id).await;
    organizations
        .cancel_handshake()
        .handshake_id(by_id.id().unwrap())
        .send()
        .await
        .unwrap();
    let by_email = invite(&organizations, HandshakePartyType::Email, &invitee.email).await;
    sent.push(by_id.id().unwrap().to_owned());
    sent.push(by_email.id().unwrap().to_owned());
    sent.sort();

    let mut seen = Vec::new();
    let mut token = None;
    loop {
        let page = organizations
            .list_handshakes_for_organization()
            .max_results(1)
            .set_next_token(token)
            .send()
            .await
            .unwrap();
        assert!(page.handshakes().len() <= 1);
        seen.extend(
            page.handshakes()
                .iter()
                .map(|handshake| handshake.id().unwrap().to_owned()),
        );
        token = page.next_token().map(str::to_owned);
        if token.is_none() {
            break;
        }
    }
    assert_eq!(seen, sent);

    let mut received = Vec::new();
    let mut token = None;
    loop {
        let page = invitee
            .client
            .list_handshakes_for_account()
            .max_results(1)
            .set_next_token(token)
            .send()
            .await
            .unwrap();
        received.extend(
            page.handshakes()
                .iter()
                .map(|handshake| handshake.id().unwrap().to_owned()),
        );
        token = page.next_token().map(str::to_owned);
        if token.is_none() {
            break;
        }
    }
    let mut expected = vec![
        by_id.id().unwrap().to_owned(),
        by_email.id().unwrap().to_owned(),
    ];
    expected.sort();
    assert_eq!(received, expected);

    // A token does not work with another filter.
    let first = organizations
        .list_handshakes_for_organization()
        .max_results(1)
        .send()
        .await
        .unwrap();
    let error = organizations
        .list_handshakes_for_organization()
        .filter(
            HandshakeFilter::builder()
                .action_type(ActionType::InviteAccountToOrganization)
                .build(),
        )
        .set_next_token(first.next_token().map(str::to_owned))
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(error.is_invalid_input_exception(), "{error:?}");
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_removed_member_becomes_standalone_and_can_be_invited_back() {
    let (server, sdk) = common::start().await;
    let endpoint = server.endpoint_url();
    let organizations = Client::new(&sdk);
    common::seed(
        &endpoint,
        &json!({
            "accounts": [{"name": "leaver", "email": "leaver@example.com", "id": "555555555555"}],
            "credentials": [{"access_key_id": "AKIALEAVER0000000000", "secret_access_key": "leaver-secret", "account_id": "555555555555"}]
        }),
    )
    .await;
    let leaver = Client::new(
        &common::sdk_config(&endpoint, "AKIALEAVER0000000000", "leaver-secret", None).await,
    );
    organizations
        .remove_account_from_organization()
        .account_id("555555555555")
        .send()
        .await
        .unwrap();
    let error = leaver
        .describe_organization()
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        error.is_aws_organizations_not_in_use_exception(),
        "{error:?}"
    );
    // Its e-mail stays taken across AWS.
    let (status, _) = common::control_post(
        &endpoint,
        "standalone-accounts",
        &json!({"name": "copy", "email": "leaver@example.com"}),
    )
    .await;
    assert_eq!(status, 400);

    let handshake = invite(
        &organizations,
        HandshakePartyType::Email,
        "leaver@example.com",
    )
    .await;
    leaver
        .accept_handshake()
        .handshake_id(handshake.id().unwrap())
        .send()
        .await
        .unwrap();
    let account = organizations
        .describe_account()
        .account_id("555555555555")
        .send()
        .await
        .unwrap()
        .account
        .unwrap();
    assert_eq!(account.name(), Some("leaver"));
    assert_eq!(account.joined_method(), Some(&AccountJoinedMethod::Invited));
    server.shutdown().await.unwrap();
}

#[tokio::test]
async fn an_open_invitation_and_the_standalone_key_survive_a_restart() {
    let state = tempfile::tempdir().unwrap();
    let config = monban_emulator::Config {
        state_dir: Some(state.path().to_owned()),
        ..monban_emulator::Config::default()
    };
    let (server, sdk) = common::start_with(config.clone()).await;
    let endpoint = server.endpoint_url();
    let (status, created) = common::control_post(
        &endpoint,
        "standalone-accounts",
        &json!({"name": "durable", "email": "durable@example.com",
                "access_key_id": "AKIADURABLE000000000", "secret_access_key": "durable-secret"}),
    )
    .await;
    assert_eq!(status, 200, "{created}");
    let account_id = created["id"].as_str().unwrap().to_owned();
    let handshake = invite(&Client::new(&sdk), HandshakePartyType::Account, &account_id).await;
    server.shutdown().await.unwrap();

    let (server, sdk) = common::start_with(config).await;
    let endpoint = server.endpoint_url();
    let invitee = Client::new(
        &common::sdk_config(&endpoint, "AKIADURABLE000000000", "durable-secret", None).await,
    );
    let accepted = invitee
        .accept_handshake()
        .handshake_id(handshake.id().unwrap())
        .send()
        .await
        .unwrap()
        .handshake
        .unwrap();
    assert_eq!(accepted.state(), Some(&HandshakeState::Accepted));
    assert_eq!(
        accepted.expiration_timestamp(),
        handshake.expiration_timestamp()
    );
    assert!(member_ids(&Client::new(&sdk)).await.contains(&account_id));
    server.shutdown().await.unwrap();
}
