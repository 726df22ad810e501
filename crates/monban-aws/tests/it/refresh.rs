//! Targeted refresh against a real sandbox: re-reading what changed on top of a cached
//! snapshot gives the same state as a full read, for a fraction of the calls, and leaves
//! what was not asked for as cached.

use std::collections::{BTreeMap, BTreeSet};

use aws_sdk_ssoadmin::types::{PrincipalType, TargetType};
use monban_aws::{Clients, RefreshScope};
use monban_model::LiveState;
use serde_json::{Value, json};

use crate::common;

struct World {
    server: monban_emulator::RunningServer,
    clients: Clients,
    seeded: Value,
    instance: String,
    admin: String,
    read_only: String,
}

impl World {
    fn endpoint(&self) -> String {
        self.server.endpoint_url()
    }

    fn id(&self, kind: &str, name: &str) -> String {
        self.seeded[kind][name].as_str().unwrap().to_owned()
    }

    async fn create_set(&self, name: &str) -> String {
        self.clients
            .sso_admin()
            .create_permission_set()
            .instance_arn(&self.instance)
            .name(name)
            .send()
            .await
            .unwrap()
            .permission_set
            .unwrap()
            .permission_set_arn
            .unwrap()
    }

    async fn assign(&self, set: &str, account: &str, principal_type: PrincipalType, id: &str) {
        self.clients
            .sso_admin()
            .create_account_assignment()
            .instance_arn(&self.instance)
            .permission_set_arn(set)
            .target_id(account)
            .target_type(TargetType::AwsAccount)
            .principal_type(principal_type)
            .principal_id(id)
            .send()
            .await
            .unwrap();
        common::settle(&self.endpoint()).await;
    }

    async fn tag(&self, account: &str, key: &str, value: &str) {
        self.clients
            .organizations()
            .tag_resource()
            .resource_id(account)
            .tags(
                aws_sdk_organizations::types::Tag::builder()
                    .key(key)
                    .value(value)
                    .build()
                    .unwrap(),
            )
            .send()
            .await
            .unwrap();
    }
}

/// Accounts dev, prod (in Products) and staging; users alice, bob; group admins; `Admin` on
/// dev for admins and on prod for bob; `ReadOnly` on dev for alice.
async fn world() -> World {
    let (server, clients) = common::sandbox().await;
    let seeded = common::seed(
        &server.endpoint_url(),
        &json!({
            "organizational_units": ["Products"],
            "accounts": [
                {"name": "dev", "email": "dev@example.com", "ou": "Products", "tags": {"env": "dev"}},
                {"name": "prod", "email": "prod@example.com", "ou": "Products", "tags": {"env": "prod"}},
                {"name": "staging", "email": "staging@example.com"}
            ],
            "users": [{"user_name": "alice"}, {"user_name": "bob"}],
            "groups": [{"display_name": "admins", "members": ["alice"]}]
        }),
    )
    .await;
    let instance = clients
        .sso_admin()
        .list_instances()
        .send()
        .await
        .unwrap()
        .instances()[0]
        .instance_arn()
        .unwrap()
        .to_owned();
    let mut world = World {
        server,
        clients,
        seeded,
        instance,
        admin: String::new(),
        read_only: String::new(),
    };
    world.admin = world.create_set("Admin").await;
    world.read_only = world.create_set("ReadOnly").await;
    let (dev, prod) = (world.id("accounts", "dev"), world.id("accounts", "prod"));
    let (alice, bob) = (world.id("users", "alice"), world.id("users", "bob"));
    let admins = world.id("groups", "admins");
    world
        .assign(&world.admin, &dev, PrincipalType::Group, &admins)
        .await;
    world
        .assign(&world.admin, &prod, PrincipalType::User, &bob)
        .await;
    world
        .assign(&world.read_only, &dev, PrincipalType::User, &alice)
        .await;
    world
}

/// The state without its read time (which differs between reads by design).
fn comparable(state: &LiveState) -> LiveState {
    let mut state = state.clone();
    state.read_at = jiff::Timestamp::UNIX_EPOCH;
    state
}

#[tokio::test]
async fn a_targeted_refresh_equals_a_full_read_of_everything_that_changed() {
    let world = world().await;
    let cached = monban_aws::read_live_state(&world.clients)
        .await
        .unwrap()
        .state;
    let (dev, prod) = (world.id("accounts", "dev"), world.id("accounts", "prod"));
    let alice = world.id("users", "alice");

    // Out-of-band changes: a tag on dev; prod moved into a new OU and given ReadOnly; a
    // policy on ReadOnly; a new permission set on dev; a new user.
    world.tag(&dev, "cost-center", "42").await;
    let organizations = world.clients.organizations();
    let security = organizations
        .create_organizational_unit()
        .parent_id(&cached.organization.root_id)
        .name("Security")
        .send()
        .await
        .unwrap()
        .organizational_unit
        .unwrap()
        .id
        .unwrap();
    let products = cached.ous.iter().find(|ou| ou.path == "Products").unwrap();
    organizations
        .move_account()
        .account_id(&prod)
        .source_parent_id(&products.id)
        .destination_parent_id(&security)
        .send()
        .await
        .unwrap();
    world
        .assign(&world.read_only, &prod, PrincipalType::User, &alice)
        .await;
    world
        .clients
        .sso_admin()
        .attach_managed_policy_to_permission_set()
        .instance_arn(&world.instance)
        .permission_set_arn(&world.read_only)
        .managed_policy_arn("arn:aws:iam::aws:policy/ReadOnlyAccess")
        .send()
        .await
        .unwrap();
    let billing = world.create_set("Billing").await;
    world
        .assign(&billing, &dev, PrincipalType::User, &alice)
        .await;
    common::seed(
        &world.endpoint(),
        &json!({"users": [{"user_name": "dave"}]}),
    )
    .await;

    let scope = RefreshScope {
        account_ids: BTreeSet::from([dev.clone(), prod.clone()]),
        permission_set_names: BTreeSet::from(["ReadOnly".to_owned()]),
        identity_store: true,
        ..RefreshScope::default()
    };
    let refreshed = monban_aws::refresh(&world.clients, &cached, &scope)
        .await
        .unwrap();
    let full = monban_aws::read_live_state(&world.clients).await.unwrap();
    assert_eq!(comparable(&refreshed.state), comparable(&full.state));
    assert_eq!(
        refreshed.state.read_at, cached.read_at,
        "as old as its oldest part"
    );
    assert!(refreshed.stats.total_calls() < full.stats.total_calls());
    // What the checks above rest on: the changes are really there.
    let prod_now = refreshed.state.account_by_id(&prod).unwrap();
    assert_eq!(prod_now.ou_path.as_deref(), Some("Security"));
    assert!(
        refreshed
            .state
            .permission_sets
            .iter()
            .any(|set| set.name == "Billing")
    );
}

#[tokio::test]
async fn refreshing_one_account_costs_only_that_accounts_calls_and_keeps_the_rest_cached() {
    let world = world().await;
    let cached = monban_aws::read_live_state(&world.clients)
        .await
        .unwrap()
        .state;
    let (dev, prod) = (world.id("accounts", "dev"), world.id("accounts", "prod"));
    world.tag(&dev, "cost-center", "42").await;
    world.tag(&prod, "cost-center", "7").await;
    let before = common::served(&world.endpoint()).await;

    let refreshed = monban_aws::refresh(
        &world.clients,
        &cached,
        &RefreshScope {
            account_ids: BTreeSet::from([dev.clone()]),
            ..RefreshScope::default()
        },
    )
    .await
    .unwrap();

    // dev has Admin and ReadOnly provisioned: one ListAccountAssignments each.
    let expected: BTreeMap<String, u64> = [
        ("organizations:DescribeAccount", 1),
        ("organizations:ListParents", 1),
        ("organizations:ListTagsForResource", 1),
        ("sso-admin:ListPermissionSetsProvisionedToAccount", 2),
        ("sso-admin:ListAccountAssignments", 2),
    ]
    .into_iter()
    .map(|(key, count)| (key.to_owned(), count))
    .collect();
    assert_eq!(refreshed.stats.calls, expected);
    assert_eq!(
        common::difference(&common::served(&world.endpoint()).await, &before),
        expected
    );
    let state = &refreshed.state;
    assert_eq!(
        state.account_by_id(&dev).unwrap().tags.get("cost-center"),
        Some(&"42".to_owned())
    );
    assert_eq!(
        state.account_by_id(&prod).unwrap().tags.get("cost-center"),
        None,
        "prod was not asked for, so it is as cached"
    );
    assert_eq!(
        state.account_by_id(&dev).unwrap().ou_path.as_deref(),
        Some("Products")
    );
    assert_eq!(state.assignments, cached.assignments);
    assert_eq!(state.provisioned, cached.provisioned);
}

#[tokio::test]
async fn a_deleted_permission_set_drops_out_and_a_closed_account_is_seen_closing() {
    let world = world().await;
    let staging = world.id("accounts", "staging");
    let bob = world.id("users", "bob");
    let temporary = world.create_set("Temporary").await;
    world
        .assign(&temporary, &staging, PrincipalType::User, &bob)
        .await;
    let cached = monban_aws::read_live_state(&world.clients)
        .await
        .unwrap()
        .state;
    assert!(
        cached
            .assignments
            .iter()
            .any(|assignment| assignment.permission_set_arn == temporary)
    );

    let sso = world.clients.sso_admin();
    sso.delete_account_assignment()
        .instance_arn(&world.instance)
        .permission_set_arn(&temporary)
        .target_id(&staging)
        .target_type(TargetType::AwsAccount)
        .principal_type(PrincipalType::User)
        .principal_id(&bob)
        .send()
        .await
        .unwrap();
    common::settle(&world.endpoint()).await;
    sso.delete_permission_set()
        .instance_arn(&world.instance)
        .permission_set_arn(&temporary)
        .send()
        .await
        .unwrap();

    world
        .clients
        .organizations()
        .close_account()
        .account_id(&staging)
        .send()
        .await
        .unwrap();

    let refreshed = monban_aws::refresh(
        &world.clients,
        &cached,
        &RefreshScope {
            account_ids: BTreeSet::from([staging.clone()]),
            permission_set_names: BTreeSet::from(["Temporary".to_owned()]),
            ..RefreshScope::default()
        },
    )
    .await
    .unwrap();
    let full = monban_aws::read_live_state(&world.clients).await.unwrap();
    assert_eq!(comparable(&refreshed.state), comparable(&full.state));
    assert!(refreshed.state.permission_set_by_arn(&temporary).is_none());
    assert_ne!(
        refreshed.state.account_by_id(&staging).unwrap().status,
        monban_model::LiveAccountStatus::Active
    );
}

#[tokio::test]
async fn refreshing_named_groups_reads_their_members_and_only_them() {
    let world = world().await;
    let cached = monban_aws::read_live_state(&world.clients)
        .await
        .unwrap()
        .state;
    // Out of band: a new user joins admins; a new group appears with bob in it.
    let seeded = common::seed(
        &world.endpoint(),
        &json!({
            "users": [{"user_name": "erin", "display_name": "Erin"}],
            "groups": [{"display_name": "ops", "description": "On call", "members": ["bob"]}]
        }),
    )
    .await;
    let store = cached.instance.as_ref().unwrap().identity_store_id.clone();
    world
        .clients
        .identity_store()
        .create_group_membership()
        .identity_store_id(&store)
        .group_id(world.id("groups", "admins"))
        .member_id(aws_sdk_identitystore::types::MemberId::UserId(
            seeded["users"]["erin"].as_str().unwrap().to_owned(),
        ))
        .send()
        .await
        .unwrap();
    let before = common::served(&world.endpoint()).await;

    let refreshed = monban_aws::refresh(
        &world.clients,
        &cached,
        &RefreshScope {
            group_names: BTreeSet::from(["admins".to_owned(), "ops".to_owned()]),
            ..RefreshScope::default()
        },
    )
    .await
    .unwrap();

    let expected: BTreeMap<String, u64> = [
        ("identitystore:GetGroupId", 2),
        ("identitystore:DescribeGroup", 2),
        ("identitystore:ListGroupMemberships", 2),
        ("identitystore:DescribeUser", 1),
    ]
    .into_iter()
    .map(|(key, count)| (key.to_owned(), count))
    .collect();
    assert_eq!(refreshed.stats.calls, expected);
    assert_eq!(
        common::difference(&common::served(&world.endpoint()).await, &before),
        expected
    );
    let full = monban_aws::read_live_state(&world.clients).await.unwrap();
    assert_eq!(comparable(&refreshed.state), comparable(&full.state));
}
