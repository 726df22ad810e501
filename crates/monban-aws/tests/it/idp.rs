//! The IdP push (`monban sandbox provision-idp`) against a real sandbox: it creates, updates
//! and deletes users, groups and memberships until the Identity Store matches the
//! directory, and a second run writes nothing.

use std::collections::BTreeMap;

use monban_aws::ProvisionReport;
use monban_model::{Directory, DirectoryGroup, DirectoryUser, GroupName, IdentityText, UserName};
use serde_json::json;

use crate::common;

fn text(value: &str) -> IdentityText {
    IdentityText::parse(value).unwrap()
}

fn user(name: &str, display: &str, given: &str, family: &str, active: bool) -> DirectoryUser {
    DirectoryUser {
        user_name: UserName::parse(name).unwrap(),
        display_name: text(display),
        given_name: text(given),
        family_name: text(family),
        email: text(&format!("{name}@example.com")),
        active,
    }
}

fn group(name: &str, description: Option<&str>, members: &[&str]) -> DirectoryGroup {
    DirectoryGroup {
        display_name: GroupName::parse(name).unwrap(),
        description: description.map(text),
        members: members
            .iter()
            .map(|member| UserName::parse(member).unwrap())
            .collect(),
    }
}

fn directory(users: Vec<DirectoryUser>, groups: Vec<DirectoryGroup>) -> Directory {
    Directory {
        users: users
            .into_iter()
            .map(|user| (user.user_name.clone(), user))
            .collect(),
        groups: groups
            .into_iter()
            .map(|group| (group.display_name.clone(), group))
            .collect(),
    }
}

/// The store as (user name → (display name, e-mail, enabled)) and (group → (description,
/// sorted members)).
type Users = BTreeMap<String, (Option<String>, Option<String>, bool)>;
type Groups = BTreeMap<String, (Option<String>, Vec<String>)>;

async fn store(clients: &monban_aws::Clients) -> (Users, Groups) {
    let state = monban_aws::read_live_state(clients).await.unwrap().state;
    let users = state
        .users
        .iter()
        .map(|user| {
            (
                user.user_name.clone(),
                (user.display_name.clone(), user.email.clone(), user.enabled),
            )
        })
        .collect();
    let groups = state
        .groups
        .iter()
        .map(|group| {
            let mut members: Vec<String> = state
                .memberships
                .iter()
                .filter(|membership| membership.group_id == group.id)
                .map(|membership| {
                    state
                        .user_by_id(&membership.user_id)
                        .unwrap()
                        .user_name
                        .clone()
                })
                .collect();
            members.sort();
            (
                group.display_name.clone(),
                (group.description.clone(), members),
            )
        })
        .collect();
    (users, groups)
}

fn expected_users(directory: &Directory) -> Users {
    directory
        .users
        .values()
        .map(|user| {
            (
                user.user_name.to_string(),
                (
                    Some(user.display_name.to_string()),
                    Some(user.email.to_string()),
                    user.active,
                ),
            )
        })
        .collect()
}

fn expected_groups(directory: &Directory) -> Groups {
    directory
        .groups
        .values()
        .map(|group| {
            let mut members: Vec<String> = group.members.iter().map(ToString::to_string).collect();
            members.sort();
            (
                group.display_name.to_string(),
                (group.description.as_ref().map(ToString::to_string), members),
            )
        })
        .collect()
}

fn counts(report: &ProvisionReport) -> [usize; 8] {
    [
        report.users_created,
        report.users_updated,
        report.users_deleted,
        report.groups_created,
        report.groups_updated,
        report.groups_deleted,
        report.memberships_created,
        report.memberships_deleted,
    ]
}

#[tokio::test]
async fn a_push_makes_the_store_match_and_a_second_push_writes_nothing() {
    let (server, clients) = common::sandbox().await;
    let endpoint = server.endpoint_url();
    common::seed(
        &endpoint,
        &json!({
            "users": [
                {"user_name": "alice", "display_name": "Old Name", "given_name": "Alice",
                 "family_name": "Tanaka", "email": "alice@example.com"},
                {"user_name": "leaver", "display_name": "Leaver", "email": "leaver@example.com"}
            ],
            "groups": [
                {"display_name": "admins", "description": "to be cleared", "members": ["leaver"]},
                {"display_name": "old-group", "members": ["leaver", "alice"]}
            ]
        }),
    )
    .await;
    let wanted = directory(
        vec![
            user("alice", "Alice Tanaka", "Alice", "Tanaka", true),
            user("bob", "Bob Sato", "Bob", "Sato", true),
            user("carol", "Carol Ito", "Carol", "Ito", false),
        ],
        vec![
            group("admins", None, &["alice"]),
            group("developers", Some("Everyone who ships"), &["alice", "bob"]),
        ],
    );

    let first = monban_aws::provision_directory(&clients, &wanted)
        .await
        .unwrap();
    // users +bob +carol ~alice -leaver; groups +developers ~admins -old-group;
    // memberships +admins/alice +developers/alice +developers/bob
    //             -admins/leaver -old-group/leaver -old-group/alice.
    assert_eq!(counts(&first), [2, 1, 1, 1, 1, 1, 3, 3]);
    assert!(!first.is_unchanged());
    // carol is created, then disabled: CreateUser has no UserStatus member.
    assert_eq!(first.stats.calls_of("identitystore:CreateUser"), 2);
    assert_eq!(first.stats.calls_of("identitystore:UpdateUser"), 2);

    let (users, groups) = store(&clients).await;
    assert_eq!(users, expected_users(&wanted));
    assert_eq!(groups, expected_groups(&wanted));

    let second = monban_aws::provision_directory(&clients, &wanted)
        .await
        .unwrap();
    assert!(second.is_unchanged(), "{second:?}");
    let writes: u64 = second
        .stats
        .calls
        .iter()
        .filter(|(key, _)| !key.contains(":List"))
        .map(|(_, count)| count)
        .sum();
    assert_eq!(writes, 0, "{:?}", second.stats.calls);

    // A leaver: bob deactivated and removed from developers; a group renamed in case only.
    let changed = directory(
        vec![
            user("alice", "Alice Tanaka", "Alice", "Tanaka", true),
            user("bob", "Bob Sato", "Bob", "Sato", false),
            user("carol", "Carol Ito", "Carol", "Ito", false),
        ],
        vec![
            group("Admins", None, &["alice"]),
            group("developers", Some("Everyone who ships"), &["alice"]),
        ],
    );
    let third = monban_aws::provision_directory(&clients, &changed)
        .await
        .unwrap();
    assert_eq!(counts(&third), [0, 1, 0, 0, 1, 0, 0, 1]);
    let (users, groups) = store(&clients).await;
    assert_eq!(users, expected_users(&changed));
    assert_eq!(groups, expected_groups(&changed));
}

#[tokio::test]
async fn a_member_who_is_not_a_user_is_an_error_before_anything_is_written() {
    let (server, clients) = common::sandbox().await;
    let before = common::served(&server.endpoint_url()).await;
    let wanted = directory(
        vec![user("alice", "Alice Tanaka", "Alice", "Tanaka", true)],
        vec![group("admins", None, &["alice", "ghost"])],
    );
    let error = monban_aws::provision_directory(&clients, &wanted)
        .await
        .unwrap_err();
    assert!(
        matches!(&error, monban_aws::AwsError::UnknownMember { group, member } if group == "admins" && member == "ghost"),
        "{error}"
    );
    assert_eq!(common::served(&server.endpoint_url()).await, before);
}

#[tokio::test]
async fn a_real_aws_target_is_refused_before_any_call() {
    // Static keys and a given caller: connecting makes no call, so no network is needed.
    let clients = monban_aws::connect(
        &monban_aws::TargetSpec {
            kind: monban_aws::TargetKind::Aws { profile: None },
            region: Some("eu-west-1".into()),
            credentials: Some(monban_aws::StaticCredentials {
                access_key_id: "AKIAEXAMPLE".into(),
                secret_access_key: "secret".into(),
                session_token: None,
            }),
            caller_account_id: Some("123456789012".into()),
        },
        &monban_aws::ConnectOptions::default(),
    )
    .await
    .unwrap();
    let error = monban_aws::provision_directory(&clients, &Directory::default())
        .await
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "pushing an IdP directory only works on a sandbox or an endpoint, not on AWS (eu-west-1), account 123456789012"
    );
}

#[tokio::test]
async fn an_e_mail_change_is_pushed_without_replacing_the_user() {
    let (server, clients) = common::sandbox().await;
    common::seed(
        &server.endpoint_url(),
        &json!({"users": [{"user_name": "alice", "display_name": "Alice Tanaka",
                           "given_name": "Alice", "family_name": "Tanaka",
                           "email": "old-alice@example.com"}]}),
    )
    .await;
    let before = monban_aws::read_live_state(&clients).await.unwrap().state;
    let wanted = directory(
        vec![user("alice", "Alice Tanaka", "Alice", "Tanaka", true)],
        Vec::new(),
    );
    let report = monban_aws::provision_directory(&clients, &wanted)
        .await
        .unwrap();
    assert_eq!(counts(&report), [0, 1, 0, 0, 0, 0, 0, 0]);
    let after = monban_aws::read_live_state(&clients).await.unwrap().state;
    assert_eq!(after.users[0].id, before.users[0].id);
    assert_eq!(after.users[0].email.as_deref(), Some("alice@example.com"));
}
