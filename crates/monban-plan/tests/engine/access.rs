//! The per-person access diff: groups expanded through live memberships, paths and
//! origins, removals with their causes, new accounts, deterministic order.

use monban_plan::{Cause, Origin, PrincipalKind};

use crate::support::{MANAGEMENT, PROD, STAGING, account, group, live, plan_of, repo, user};

#[test]
fn a_new_group_assignment_is_a_gain_for_each_member_via_the_group() {
    let repo = repo()
        .ou("Products")
        .account(account("org-management").id(MANAGEMENT))
        .account(account("payments-prod").id(PROD).ou("Products"))
        .permission_set("ReadOnly")
        .rule("ReadOnly", vec![group("engineers")], "Products/**")
        .build();
    let live = live()
        .ou("Products")
        .account(PROD, "payments-prod", Some("Products"))
        .permission_set("ReadOnly")
        .user("bob")
        .user("alice")
        .user("carol")
        .group("engineers", &["bob", "alice"])
        .build();
    let plan = plan_of(&repo, &live);
    let people: Vec<&str> = plan
        .access
        .iter()
        .map(|person| person.user_name.as_str())
        .collect();
    assert_eq!(people, ["alice", "bob"]);
    let gain = &plan.access[0].gains[0];
    assert_eq!(gain.account.name, "payments-prod");
    assert_eq!(gain.permission_set, "ReadOnly");
    assert_eq!(gain.via.len(), 1);
    assert_eq!(gain.via[0].principal.kind, PrincipalKind::Group);
    assert_eq!(gain.via[0].principal.name.as_deref(), Some("engineers"));
    assert_eq!(
        gain.via[0].origins,
        [Origin::Rule {
            file: "rules/test.yaml".to_owned(),
            entry: 1
        }]
    );
    assert!(plan.access[0].losses.is_empty());
    assert_eq!(plan.summary().people_gaining, 2);
}

#[test]
fn losing_one_of_two_paths_is_no_loss_of_access() {
    let repo = repo()
        .account(account("org-management").id(MANAGEMENT))
        .account(
            account("payments-prod")
                .id(PROD)
                .grant("ReadOnly", group("engineers"))
                .grant_until("ReadOnly", user("alice"), Some("2026-10-31"), None)
                .grant_until("Billing", user("alice"), Some("2026-10-31"), Some("FIN-88")),
        )
        .permission_set("ReadOnly")
        .permission_set("Billing")
        .build();
    let live = live()
        .account(PROD, "payments-prod", None)
        .permission_set("ReadOnly")
        .permission_set("Billing")
        .user("alice")
        .group("engineers", &["alice"])
        .assign(PROD, "ReadOnly", &group("engineers"))
        .assign(PROD, "ReadOnly", &user("alice"))
        .assign(PROD, "Billing", &user("alice"))
        .build();
    let plan = plan_of(&repo, &live);
    assert_eq!(plan.changes.len(), 2);
    // ReadOnly stays through the group; Billing is lost, with its expiry.
    assert_eq!(plan.access.len(), 1);
    let alice = &plan.access[0];
    assert!(alice.gains.is_empty());
    assert_eq!(alice.losses.len(), 1);
    assert_eq!(alice.losses[0].permission_set, "Billing");
    assert_eq!(
        alice.losses[0].via[0].removal,
        Some(Cause::Expired {
            until: jiff::civil::date(2026, 10, 31)
        })
    );
}

#[test]
fn access_on_an_account_the_plan_creates_is_a_gain() {
    let repo = repo()
        .account(account("org-management").id(MANAGEMENT))
        .account(account("payments-prod").grant("AdministratorAccess", group("sre")))
        .permission_set("AdministratorAccess")
        .build();
    let live = live().user("alice").group("sre", &["alice"]).build();
    let plan = plan_of(&repo, &live);
    let gain = &plan.access[0].gains[0];
    assert_eq!(gain.account.name, "payments-prod");
    assert_eq!(gain.account.id, None);
    assert_eq!(gain.permission_set, "AdministratorAccess");
}

#[test]
fn paths_list_direct_grants_first_and_people_sort_by_user_name() {
    let repo = repo()
        .account(account("org-management").id(MANAGEMENT))
        .account(
            account("payments-prod")
                .id(PROD)
                .grant("ReadOnly", group("zeta"))
                .grant("ReadOnly", group("alpha"))
                .grant("ReadOnly", user("alice")),
        )
        .account(
            account("payments-staging")
                .id(STAGING)
                .grant("ReadOnly", user("alice")),
        )
        .permission_set("ReadOnly")
        .build();
    let live = live()
        .account(PROD, "payments-prod", None)
        .account(STAGING, "payments-staging", None)
        .permission_set("ReadOnly")
        .user("zed")
        .user("alice")
        .group("zeta", &["alice", "zed"])
        .group("alpha", &["alice"])
        .build();
    let plan = plan_of(&repo, &live);
    let people: Vec<&str> = plan
        .access
        .iter()
        .map(|person| person.user_name.as_str())
        .collect();
    assert_eq!(people, ["alice", "zed"]);
    let alice = &plan.access[0];
    let accounts: Vec<&str> = alice
        .gains
        .iter()
        .map(|gain| gain.account.name.as_str())
        .collect();
    assert_eq!(accounts, ["payments-prod", "payments-staging"]);
    let via: Vec<String> = alice.gains[0]
        .via
        .iter()
        .map(|path| path.principal.to_string())
        .collect();
    assert_eq!(via, ["user:alice", "group:alpha", "group:zeta"]);
    // The same inputs give the same plan, byte for byte.
    assert_eq!(
        serde_json::to_string(&plan).unwrap(),
        serde_json::to_string(&plan_of(&repo, &live)).unwrap()
    );
}
