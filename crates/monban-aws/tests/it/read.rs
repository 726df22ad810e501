//! The live-state reader against a real sandbox over HTTP: a seeded organization reads back
//! exactly, the calls made equal the documented formula and what the sandbox served, and
//! every List operation is followed across page boundaries.

use std::collections::BTreeMap;

use monban_model::{LiveAccountStatus, LivePrincipalType};
use serde_json::json;

use crate::common;

#[tokio::test]
async fn a_seeded_organization_reads_back_exactly_with_the_formulas_calls() {
    let (server, clients) = common::sandbox().await;
    let endpoint = server.endpoint_url();
    let seeded = common::seed(
        &endpoint,
        &json!({
            "organizational_units": ["Products/Payments", "Products/Identity", "Security"],
            "accounts": [
                {"name": "payments-prod", "email": "payments-prod@example.com",
                 "ou": "Products/Payments", "tags": {"env": "prod", "team": "payments"}},
                {"name": "payments-dev", "email": "payments-dev@example.com",
                 "ou": "Products/Payments", "tags": {"env": "dev"}},
                {"name": "identity-prod", "email": "identity-prod@example.com",
                 "ou": "Products/Identity"},
                {"name": "security-audit", "email": "audit@example.com", "ou": "Security"},
                {"name": "sandbox-1", "email": "sandbox-1@example.com"}
            ],
            "users": [
                {"user_name": "alice", "display_name": "Alice Tanaka", "given_name": "Alice",
                 "family_name": "Tanaka", "email": "alice@example.com"},
                {"user_name": "bob", "display_name": "Bob Sato", "email": "bob@example.com"},
                {"user_name": "carol", "active": false}
            ],
            "groups": [
                {"display_name": "admins", "members": ["alice"]},
                {"display_name": "developers", "description": "Everyone who ships",
                 "members": ["alice", "bob"]},
                {"display_name": "auditors"}
            ]
        }),
    )
    .await;
    let before = common::served(&endpoint).await;

    let read = monban_aws::read_live_state(&clients).await.unwrap();
    let state = read.state;

    // Organization and caller.
    assert_eq!(state.organization.management_account_id, "111111111111");
    assert!(state.organization.id.starts_with("o-"));
    assert!(state.organization.root_id.starts_with("r-"));
    assert_eq!(state.caller.account_id, "111111111111");
    assert!(state.caller.is_management_account);

    // OUs: parents before children, paths from the root.
    let ous: Vec<(&str, &str)> = state
        .ous
        .iter()
        .map(|ou| (ou.path.as_str(), ou.name.as_str()))
        .collect();
    assert_eq!(
        ous,
        vec![
            ("Products", "Products"),
            ("Security", "Security"),
            ("Products/Identity", "Identity"),
            ("Products/Payments", "Payments"),
        ]
    );
    let ou_ids = &seeded["organizational_units"];
    let payments = state
        .ous
        .iter()
        .find(|ou| ou.path == "Products/Payments")
        .unwrap();
    assert_eq!(payments.id, ou_ids["Products/Payments"].as_str().unwrap());
    let products = state.ous.iter().find(|ou| ou.path == "Products").unwrap();
    assert_eq!(payments.parent_id, products.id);
    assert_eq!(products.parent_id, state.organization.root_id);

    // Accounts: sorted by id, each with its OU path and tags.
    let ids: Vec<&str> = state
        .accounts
        .iter()
        .map(|account| account.id.as_str())
        .collect();
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    assert_eq!(ids, sorted);
    assert_eq!(
        state.accounts.len(),
        6,
        "five seeded + the management account"
    );
    let account = |name: &str| {
        state
            .accounts
            .iter()
            .find(|account| account.name == name)
            .unwrap_or_else(|| panic!("account {name}"))
    };
    let payments_prod = account("payments-prod");
    assert_eq!(
        payments_prod.id,
        seeded["accounts"]["payments-prod"].as_str().unwrap()
    );
    assert_eq!(payments_prod.email, "payments-prod@example.com");
    assert_eq!(payments_prod.status, LiveAccountStatus::Active);
    assert_eq!(payments_prod.ou_path.as_deref(), Some("Products/Payments"));
    assert_eq!(
        payments_prod.tags,
        BTreeMap::from([
            ("env".to_owned(), "prod".to_owned()),
            ("team".to_owned(), "payments".to_owned()),
        ])
    );
    assert_eq!(
        account("identity-prod").ou_path.as_deref(),
        Some("Products/Identity")
    );
    assert_eq!(
        account("security-audit").ou_path.as_deref(),
        Some("Security")
    );
    assert_eq!(account("sandbox-1").ou_path, None);
    assert!(account("sandbox-1").tags.is_empty());
    assert!(state.account_creations.is_empty());

    // The instance, no permission sets yet.
    let instance = state
        .instance
        .as_ref()
        .expect("the sandbox has an instance");
    assert!(instance.arn.starts_with("arn:aws:sso:::instance/ssoins-"));
    assert!(state.permission_sets.is_empty());
    assert!(state.assignments.is_empty());

    // The Identity Store.
    let users: Vec<(&str, Option<&str>, Option<&str>, bool)> = state
        .users
        .iter()
        .map(|user| {
            (
                user.user_name.as_str(),
                user.display_name.as_deref(),
                user.email.as_deref(),
                user.enabled,
            )
        })
        .collect();
    assert_eq!(
        users,
        vec![
            (
                "alice",
                Some("Alice Tanaka"),
                Some("alice@example.com"),
                true
            ),
            ("bob", Some("Bob Sato"), Some("bob@example.com"), true),
            ("carol", None, None, false),
        ]
    );
    let groups: Vec<(&str, Option<&str>)> = state
        .groups
        .iter()
        .map(|group| (group.display_name.as_str(), group.description.as_deref()))
        .collect();
    assert_eq!(
        groups,
        vec![
            ("admins", None),
            ("auditors", None),
            ("developers", Some("Everyone who ships")),
        ]
    );
    let user_name = |id: &str| state.user_by_id(id).unwrap().user_name.clone();
    let group_name = |id: &str| state.group_by_id(id).unwrap().display_name.clone();
    let mut memberships: Vec<(String, String)> = state
        .memberships
        .iter()
        .map(|membership| {
            (
                group_name(&membership.group_id),
                user_name(&membership.user_id),
            )
        })
        .collect();
    memberships.sort();
    assert_eq!(
        memberships,
        vec![
            ("admins".to_owned(), "alice".to_owned()),
            ("developers".to_owned(), "alice".to_owned()),
            ("developers".to_owned(), "bob".to_owned()),
        ]
    );

    // Calls: the formula, what the sandbox served, and the hand count all agree.
    let sandbox_log = common::difference(&common::served(&endpoint).await, &before);
    assert_eq!(read.stats.calls, common::formula(&state, 0));
    assert_eq!(read.stats.calls, sandbox_log);
    // 2 (organization) + 5 + 5 (root and four OUs, OUs and accounts) + 6 tags + 1
    // creations + 1 invitations + 2 (instance, permission sets) + 2 (users, groups) + 3
    // memberships.
    assert_eq!(read.stats.total_calls(), 27);
    assert_eq!(read.stats.total_throttles(), 0);
}

#[tokio::test]
async fn every_list_is_followed_across_page_boundaries() {
    let (server, clients) = common::sandbox().await;
    let endpoint = server.endpoint_url();
    // 25 OUs under the root (2 pages of 20), 45 accounts in the root (3 pages) and 21 in
    // one OU (2 pages), 130 users (2 pages of 100), a group of 120 members (2 pages).
    let ous: Vec<String> = (0..25).map(|index| format!("unit-{index:02}")).collect();
    let mut accounts: Vec<serde_json::Value> = (0..45)
        .map(|index| json!({"name": format!("root-{index}"), "email": format!("root-{index}@example.com")}))
        .collect();
    accounts.extend((0..21).map(|index| {
        json!({"name": format!("unit-{index}"), "email": format!("unit-{index}@example.com"), "ou": "unit-07"})
    }));
    let users: Vec<serde_json::Value> = (0..130)
        .map(|index| json!({"user_name": format!("user-{index:03}")}))
        .collect();
    let members: Vec<String> = (0..120).map(|index| format!("user-{index:03}")).collect();
    common::seed(
        &endpoint,
        &json!({
            "organizational_units": ous,
            "accounts": accounts,
            "users": users,
            "groups": [{"display_name": "big", "members": members}, {"display_name": "small"}]
        }),
    )
    .await;
    let before = common::served(&endpoint).await;

    let read = monban_aws::read_live_state(&clients).await.unwrap();
    let state = &read.state;
    assert_eq!(state.ous.len(), 25);
    assert_eq!(state.accounts.len(), 45 + 21 + 1);
    assert_eq!(
        state
            .accounts
            .iter()
            .filter(|account| account.ou_path.as_deref() == Some("unit-07"))
            .count(),
        21
    );
    assert_eq!(state.users.len(), 130);
    assert_eq!(state.memberships.len(), 120);

    let sandbox_log = common::difference(&common::served(&endpoint).await, &before);
    assert_eq!(read.stats.calls, common::formula(state, 0));
    assert_eq!(read.stats.calls, sandbox_log);
    assert_eq!(
        read.stats
            .calls_of("organizations:ListOrganizationalUnitsForParent"),
        2 + 25,
        "the root needs two pages, each OU one"
    );
    assert_eq!(
        read.stats.calls_of("organizations:ListAccountsForParent"),
        3 + 2 + 24
    );
    assert_eq!(read.stats.calls_of("identitystore:ListUsers"), 2);
    assert_eq!(
        read.stats.calls_of("identitystore:ListGroupMemberships"),
        2 + 1
    );
}

#[tokio::test]
async fn permission_sets_provisioning_and_assignments_read_back_with_the_formulas_calls() {
    use aws_sdk_ssoadmin::types::{
        CustomerManagedPolicyReference, PermissionsBoundary, PrincipalType, Tag, TargetType,
    };

    let (server, clients) = common::sandbox().await;
    let endpoint = server.endpoint_url();
    let seeded = common::seed(
        &endpoint,
        &json!({
            "accounts": [
                {"name": "dev", "email": "dev@example.com"},
                {"name": "prod", "email": "prod@example.com"}
            ],
            "users": [{"user_name": "alice"}, {"user_name": "bob"}],
            "groups": [{"display_name": "admins", "members": ["alice"]}],
            // The customer managed policy Admin references exists in both accounts it is
            // assigned in (as an account baseline deploys it): provisioning needs it.
            "iam": [
                {"account": "dev", "policies": [{"name": "extra", "path": "/team/"}]},
                {"account": "prod", "policies": [{"name": "extra", "path": "/team/"}]}
            ]
        }),
    )
    .await;
    let dev = seeded["accounts"]["dev"].as_str().unwrap().to_owned();
    let prod = seeded["accounts"]["prod"].as_str().unwrap().to_owned();
    let alice = seeded["users"]["alice"].as_str().unwrap().to_owned();
    let bob = seeded["users"]["bob"].as_str().unwrap().to_owned();
    let admins = seeded["groups"]["admins"].as_str().unwrap().to_owned();

    let sso = clients.sso_admin();
    let instance = sso.list_instances().send().await.unwrap().instances()[0]
        .instance_arn()
        .unwrap()
        .to_owned();
    let create = |name: &'static str| {
        let instance = instance.clone();
        async move {
            sso.create_permission_set()
                .instance_arn(instance)
                .name(name)
                .send()
                .await
                .unwrap()
                .permission_set
                .unwrap()
                .permission_set_arn
                .unwrap()
        }
    };
    let admin = sso
        .create_permission_set()
        .instance_arn(&instance)
        .name("Admin")
        .description("Full access")
        .session_duration("PT8H")
        .tags(
            Tag::builder()
                .key("owner")
                .value("platform")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap()
        .permission_set
        .unwrap()
        .permission_set_arn
        .unwrap();
    let read_only = create("ReadOnly").await;
    let policy = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#;
    sso.put_inline_policy_to_permission_set()
        .instance_arn(&instance)
        .permission_set_arn(&admin)
        .inline_policy(policy)
        .send()
        .await
        .unwrap();
    sso.attach_managed_policy_to_permission_set()
        .instance_arn(&instance)
        .permission_set_arn(&admin)
        .managed_policy_arn("arn:aws:iam::aws:policy/AdministratorAccess")
        .send()
        .await
        .unwrap();
    sso.attach_customer_managed_policy_reference_to_permission_set()
        .instance_arn(&instance)
        .permission_set_arn(&admin)
        .customer_managed_policy_reference(
            CustomerManagedPolicyReference::builder()
                .name("extra")
                .path("/team/")
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    sso.put_permissions_boundary_to_permission_set()
        .instance_arn(&instance)
        .permission_set_arn(&admin)
        .permissions_boundary(
            PermissionsBoundary::builder()
                .managed_policy_arn("arn:aws:iam::aws:policy/PowerUserAccess")
                .build(),
        )
        .send()
        .await
        .unwrap();
    for (set, account, principal_type, principal) in [
        (&admin, &dev, PrincipalType::Group, &admins),
        (&admin, &prod, PrincipalType::User, &bob),
        (&read_only, &dev, PrincipalType::User, &alice),
        (&read_only, &dev, PrincipalType::User, &bob),
    ] {
        sso.create_account_assignment()
            .instance_arn(&instance)
            .permission_set_arn(set)
            .target_id(account)
            .target_type(TargetType::AwsAccount)
            .principal_type(principal_type)
            .principal_id(principal)
            .send()
            .await
            .unwrap();
        // One role update per account at a time (aws-api-facts §5.1.4): let each finish.
        common::settle(&endpoint).await;
    }
    // Changing ReadOnly after it was provisioned leaves its role in dev outdated.
    sso.put_inline_policy_to_permission_set()
        .instance_arn(&instance)
        .permission_set_arn(&read_only)
        .inline_policy(policy)
        .send()
        .await
        .unwrap();
    let before = common::served(&endpoint).await;

    let read = monban_aws::read_live_state(&clients).await.unwrap();
    let state = &read.state;

    let names: Vec<&str> = state
        .permission_sets
        .iter()
        .map(|set| set.name.as_str())
        .collect();
    assert_eq!(names, vec!["Admin", "ReadOnly"]);
    let admin_set = state.permission_set_by_arn(&admin).unwrap();
    assert_eq!(admin_set.description.as_deref(), Some("Full access"));
    assert_eq!(admin_set.session_duration.as_deref(), Some("PT8H"));
    assert_eq!(admin_set.inline_policy.as_deref(), Some(policy));
    assert_eq!(
        admin_set.managed_policies,
        vec!["arn:aws:iam::aws:policy/AdministratorAccess".to_owned()]
    );
    assert_eq!(
        admin_set.customer_managed_policies,
        vec![monban_model::LiveCustomerManagedPolicy {
            name: "extra".into(),
            path: "/team/".into()
        }]
    );
    assert_eq!(
        admin_set.permissions_boundary,
        Some(monban_model::LivePermissionsBoundary::ManagedPolicy(
            "arn:aws:iam::aws:policy/PowerUserAccess".into()
        ))
    );
    assert_eq!(
        admin_set.tags,
        BTreeMap::from([("owner".to_owned(), "platform".to_owned())])
    );
    let read_only_set = state.permission_set_by_arn(&read_only).unwrap();
    assert_eq!(read_only_set.permissions_boundary, None);
    assert!(read_only_set.managed_policies.is_empty());

    let mut provisioned: Vec<(&str, &str, bool)> = state
        .provisioned
        .iter()
        .map(|pair| {
            (
                state
                    .permission_set_by_arn(&pair.permission_set_arn)
                    .unwrap()
                    .name
                    .as_str(),
                state.account_by_id(&pair.account_id).unwrap().name.as_str(),
                pair.current,
            )
        })
        .collect();
    provisioned.sort_unstable();
    assert_eq!(
        provisioned,
        vec![
            ("Admin", "dev", true),
            ("Admin", "prod", true),
            ("ReadOnly", "dev", false)
        ]
    );

    let mut assignments: Vec<(String, String, LivePrincipalType, String)> = state
        .assignments
        .iter()
        .map(|assignment| {
            let principal = match assignment.principal_type {
                LivePrincipalType::User => state
                    .user_by_id(&assignment.principal_id)
                    .unwrap()
                    .user_name
                    .clone(),
                LivePrincipalType::Group => state
                    .group_by_id(&assignment.principal_id)
                    .unwrap()
                    .display_name
                    .clone(),
            };
            (
                state
                    .permission_set_by_arn(&assignment.permission_set_arn)
                    .unwrap()
                    .name
                    .clone(),
                state
                    .account_by_id(&assignment.account_id)
                    .unwrap()
                    .name
                    .clone(),
                assignment.principal_type,
                principal,
            )
        })
        .collect();
    assignments.sort();
    let row = |set: &str, account: &str, kind, principal: &str| {
        (
            set.to_owned(),
            account.to_owned(),
            kind,
            principal.to_owned(),
        )
    };
    assert_eq!(
        assignments,
        vec![
            row("Admin", "dev", LivePrincipalType::Group, "admins"),
            row("Admin", "prod", LivePrincipalType::User, "bob"),
            row("ReadOnly", "dev", LivePrincipalType::User, "alice"),
            row("ReadOnly", "dev", LivePrincipalType::User, "bob"),
        ]
    );

    let sandbox_log = common::difference(&common::served(&endpoint).await, &before);
    assert_eq!(read.stats.calls, common::formula(state, 0));
    assert_eq!(read.stats.calls, sandbox_log);
    // 2 permission sets × 6 + 2 × 2 provisioning lists + 3 provisioned pairs.
    let identity_center: u64 = read
        .stats
        .calls
        .iter()
        .filter(|(key, _)| key.starts_with("sso-admin:"))
        .map(|(_, count)| count)
        .sum();
    assert_eq!(identity_center, 1 + 1 + 12 + 4 + 3);
}

#[tokio::test]
async fn at_aws_rates_the_reader_waits_for_its_tokens() {
    let (server, _) = common::sandbox().await;
    let endpoint = server.endpoint_url();
    let accounts: Vec<serde_json::Value> = (0..30)
        .map(|index| json!({"name": format!("account-{index}"), "email": format!("account-{index}@example.com")}))
        .collect();
    common::seed(&endpoint, &json!({ "accounts": accounts })).await;
    let clients = monban_aws::connect(
        &monban_aws::TargetSpec::embedded_sandbox(endpoint),
        &monban_aws::ConnectOptions {
            rate_limits: monban_aws::RateLimits::aws(),
            ..monban_aws::ConnectOptions::default()
        },
    )
    .await
    .unwrap();
    let read = monban_aws::read_live_state(&clients).await.unwrap();
    // Organizations ListTagsForResource: 10/s, burst 15. 31 active accounts (with the
    // management account) = 15 at once + 16 at 10/s: at least 1.6 s.
    assert_eq!(read.stats.calls_of("organizations:ListTagsForResource"), 31);
    assert!(
        read.stats.elapsed >= std::time::Duration::from_millis(1_550),
        "{:?}",
        read.stats.elapsed
    );
    assert!(
        read.stats.elapsed < std::time::Duration::from_secs(5),
        "{:?}",
        read.stats.elapsed
    );
    assert!(read.stats.rate_limit_wait > std::time::Duration::ZERO);
    assert_eq!(read.stats.total_throttles(), 0);
}
