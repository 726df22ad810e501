//! Assignments: creates with every origin, de-duplication, expiry, unresolved principals,
//! `exclusive`, orphans, and name-keyed stability.

use monban_plan::{Action, Blocker, Cause, Origin, PrincipalKind, Resource, WarningCode};

use crate::support::{
    MANAGEMENT, PROD, STAGING, account, change, group, lines, live, plan_of, repo, user,
};

#[test]
fn a_declared_assignment_missing_live_is_created_and_a_live_one_is_kept() {
    let repo = repo()
        .account(account("org-management").id(MANAGEMENT))
        .account(
            account("payments-prod")
                .id(PROD)
                .grant("ReadOnly", group("engineers"))
                .grant("ReadOnly", user("alice")),
        )
        .permission_set("ReadOnly")
        .build();
    let live = live()
        .account(PROD, "payments-prod", None)
        .permission_set("ReadOnly")
        .user("alice")
        .group("engineers", &[])
        .assign(PROD, "ReadOnly", &group("engineers"))
        .build();
    let plan = plan_of(&repo, &live);
    assert_eq!(
        lines(&plan),
        ["create assignment/payments-prod/ReadOnly/user:alice"]
    );
    let Some(Resource::Assignment(after)) = &plan.changes[0].after else {
        panic!("an assignment create has an assignment after it");
    };
    assert_eq!(after.principal.id.as_deref(), Some("u-alice"));
    assert_eq!(after.account.id.as_deref(), Some(PROD));
    assert_eq!(
        after.permission_set_arn.as_deref(),
        Some(crate::support::arn("ReadOnly").as_str())
    );
    assert_eq!(
        plan.changes[0].reason,
        "declared in accounts/payments-prod.yaml"
    );
}

#[test]
fn the_same_assignment_from_a_file_and_a_rule_is_one_change_with_both_origins() {
    let repo = repo()
        .ou("Products")
        .account(account("org-management").id(MANAGEMENT))
        .account(
            account("payments-prod")
                .id(PROD)
                .ou("Products")
                .grant("ReadOnly", group("engineers")),
        )
        .permission_set("ReadOnly")
        .rule("ReadOnly", vec![group("engineers")], "Products/**")
        .build();
    let live = live()
        .ou("Products")
        .account(PROD, "payments-prod", Some("Products"))
        .permission_set("ReadOnly")
        .group("engineers", &[])
        .build();
    let plan = plan_of(&repo, &live);
    assert_eq!(
        lines(&plan),
        ["create assignment/payments-prod/ReadOnly/group:engineers"]
    );
    let Some(Resource::Assignment(after)) = &plan.changes[0].after else {
        panic!("an assignment create has an assignment after it");
    };
    assert_eq!(
        after.origins,
        [
            Origin::Account {
                account: "payments-prod".to_owned(),
                until: None,
                reason: None
            },
            Origin::Rule {
                file: "rules/test.yaml".to_owned(),
                entry: 1
            },
        ]
    );
    assert_eq!(
        plan.changes[0].reason,
        "declared in accounts/payments-prod.yaml, rule rules/test.yaml#1"
    );
}

#[test]
fn a_selector_rule_expands_over_matching_declared_accounts_only() {
    let repo = repo()
        .ou("Products")
        .ou("Sandbox")
        .account(account("org-management").id(MANAGEMENT))
        .account(account("payments-prod").id(PROD).ou("Products"))
        .account(account("playground").id(STAGING).ou("Sandbox"))
        .permission_set("ReadOnly")
        .rule("ReadOnly", vec![group("auditors")], "Products/**")
        .build();
    let live = live()
        .ou("Products")
        .ou("Sandbox")
        .account(PROD, "payments-prod", Some("Products"))
        .account(STAGING, "playground", Some("Sandbox"))
        .permission_set("ReadOnly")
        .group("auditors", &[])
        .build();
    let plan = plan_of(&repo, &live);
    assert_eq!(
        lines(&plan),
        ["create assignment/payments-prod/ReadOnly/group:auditors"]
    );
}

#[test]
fn an_expired_grant_still_live_is_deleted_with_the_expiry_as_reason() {
    let repo = repo()
        .account(account("org-management").id(MANAGEMENT))
        .account(account("payments-prod").id(PROD).grant_until(
            "ReadOnly",
            user("alice"),
            Some("2026-11-28"),
            Some("INC-4211"),
        ))
        .permission_set("ReadOnly")
        .build();
    let live = live()
        .account(PROD, "payments-prod", None)
        .permission_set("ReadOnly")
        .user("alice")
        .assign(PROD, "ReadOnly", &user("alice"))
        .build();
    let plan = plan_of(&repo, &live);
    let delete = change(&plan, "assignment/payments-prod/ReadOnly/user:alice");
    assert_eq!(delete.action, Action::Delete);
    assert_eq!(
        delete.cause,
        Cause::Expired {
            until: jiff::civil::date(2026, 11, 28)
        }
    );
    assert_eq!(
        delete.reason,
        "expired on 2026-11-29 (until 2026-11-28; INC-4211)"
    );
    // Even with exclusive off: the repo itself says the grant is over.
    let mut not_exclusive = repo.clone();
    not_exclusive.settings.safety.exclusive = false;
    assert_eq!(plan_of(&not_exclusive, &live).changes.len(), 1);
}

#[test]
fn a_grant_is_active_through_its_until_day() {
    let repo = repo()
        .account(account("org-management").id(MANAGEMENT))
        .account(account("payments-prod").id(PROD).grant_until(
            "ReadOnly",
            user("alice"),
            Some("2026-11-29"),
            None,
        ))
        .permission_set("ReadOnly")
        .build();
    let live = live()
        .account(PROD, "payments-prod", None)
        .permission_set("ReadOnly")
        .user("alice")
        .assign(PROD, "ReadOnly", &user("alice"))
        .build();
    assert!(plan_of(&repo, &live).changes.is_empty());
}

#[test]
fn an_expired_grant_not_live_and_one_with_another_active_origin_change_nothing() {
    let repo = repo()
        .account(account("org-management").id(MANAGEMENT))
        .account(
            account("payments-prod")
                .id(PROD)
                .grant_until("ReadOnly", user("alice"), Some("2026-01-31"), None)
                .grant_until("Billing", user("bob"), Some("2026-01-31"), None)
                .grant("Billing", user("bob")),
        )
        .permission_set("ReadOnly")
        .permission_set("Billing")
        .build();
    let live = live()
        .account(PROD, "payments-prod", None)
        .permission_set("ReadOnly")
        .permission_set("Billing")
        .user("alice")
        .user("bob")
        .assign(PROD, "Billing", &user("bob"))
        .build();
    let plan = plan_of(&repo, &live);
    assert!(plan.changes.is_empty(), "{:#?}", lines(&plan));
}

#[test]
fn a_principal_missing_live_makes_the_plan_incomplete_and_is_named() {
    let repo = repo()
        .account(account("org-management").id(MANAGEMENT))
        .account(
            account("payments-prod")
                .id(PROD)
                .grant("ReadOnly", group("payments-sre"))
                .grant("ReadOnly", group("engineers")),
        )
        .permission_set("ReadOnly")
        .build();
    let live = live()
        .account(PROD, "payments-prod", None)
        .permission_set("ReadOnly")
        .group("engineers", &[])
        .build();
    let plan = plan_of(&repo, &live);
    assert!(!plan.complete && !plan.applyable);
    let missing = change(
        &plan,
        "assignment/payments-prod/ReadOnly/group:payments-sre",
    );
    assert_eq!(missing.action, Action::Create);
    assert!(matches!(
        &missing.blocked_by[..],
        [Blocker::PrincipalNotFound { principal }]
            if principal.name.as_deref() == Some("payments-sre")
    ));
    assert!(change(&plan, "assignment/payments-prod/ReadOnly/group:engineers").is_applyable());
    let warning = plan
        .warnings
        .iter()
        .find(|warning| warning.code == WarningCode::PrincipalNotFound)
        .unwrap();
    assert!(warning.message.contains("group `payments-sre`"));
}

#[test]
fn exclusive_removes_undeclared_access_on_declared_accounts_otherwise_it_is_reported() {
    let repo = repo()
        .account(account("org-management").id(MANAGEMENT))
        .account(account("payments-prod").id(PROD))
        .permission_set("AdministratorAccess")
        .build();
    let live = live()
        .account(PROD, "payments-prod", None)
        .permission_set("AdministratorAccess")
        .user("mallory")
        .assign(PROD, "AdministratorAccess", &user("mallory"))
        .build();
    let plan = plan_of(&repo, &live);
    let delete = change(
        &plan,
        "assignment/payments-prod/AdministratorAccess/user:mallory",
    );
    assert_eq!(delete.cause, Cause::Undeclared);
    assert_eq!(plan.access[0].user_name, "mallory");
    assert_eq!(
        plan.access[0].losses[0].via[0].removal,
        Some(Cause::Undeclared)
    );

    let mut not_exclusive = repo.clone();
    not_exclusive.settings.safety.exclusive = false;
    let plan = plan_of(&not_exclusive, &live);
    assert!(plan.changes.is_empty());
    assert_eq!(
        plan.unmanaged.assignments[0].kept_because,
        monban_plan::UnmanagedBecause::NotExclusive
    );
    assert!(plan.access.is_empty());
}

#[test]
fn an_orphaned_assignment_is_deleted_on_declared_accounts_and_reported_elsewhere() {
    let repo = repo()
        .exclusive(false)
        .account(account("org-management").id(MANAGEMENT))
        .account(account("payments-prod").id(PROD))
        .permission_set("ReadOnly")
        .build();
    let live = live()
        .account(PROD, "payments-prod", None)
        .account(STAGING, "legacy", None)
        .permission_set("ReadOnly")
        // Users deleted in the IdP: their assignments remain in Identity Center.
        .assign(PROD, "ReadOnly", &user("gone"))
        .assign(STAGING, "ReadOnly", &user("gone"))
        .build();
    let plan = plan_of(&repo, &live);
    assert_eq!(
        lines(&plan),
        ["delete assignment/payments-prod/ReadOnly/user:<deleted u-gone>"]
    );
    let delete = &plan.changes[0];
    assert_eq!(delete.cause, Cause::Orphaned);
    assert_eq!(
        delete.reason,
        "principal no longer exists (deleted in the IdP)"
    );
    let Some(Resource::Assignment(before)) = &delete.before else {
        panic!("an assignment delete has the assignment before it");
    };
    assert_eq!(before.principal.kind, PrincipalKind::User);
    assert_eq!(before.principal.id.as_deref(), Some("u-gone"));
    assert!(plan.unmanaged.assignments[0].orphaned);
    assert_eq!(plan.unmanaged.assignments[0].account.name, "legacy");
}

#[test]
fn adding_or_renaming_one_thing_never_recreates_unrelated_assignments() {
    let base = repo()
        .account(account("org-management").id(MANAGEMENT))
        .account(
            account("payments-prod")
                .id(PROD)
                .grant("ReadOnly", group("engineers")),
        )
        .permission_set("ReadOnly");
    let live = live()
        .account(PROD, "payments-prod", None)
        .permission_set("ReadOnly")
        .group("engineers", &[])
        .assign(PROD, "ReadOnly", &group("engineers"))
        .build();
    assert!(plan_of(&base.clone().build(), &live).changes.is_empty());

    // Adding a permission set and an account: only they are created.
    let added = base
        .clone()
        .permission_set("Billing")
        .account(account("payments-staging").grant("Billing", group("engineers")))
        .build();
    assert_eq!(
        lines(&plan_of(&added, &live)),
        [
            "create account/payments-staging",
            "create permission_set/Billing",
            "create assignment/payments-staging/Billing/group:engineers",
        ]
    );

    // Renaming the account file (bound by id): addresses follow, nothing is recreated.
    let renamed = repo()
        .account(account("org-management").id(MANAGEMENT))
        .account(
            account("payments-production")
                .id(PROD)
                .grant("ReadOnly", group("engineers")),
        )
        .permission_set("ReadOnly")
        .build();
    let plan = plan_of(&renamed, &live);
    assert!(plan.changes.is_empty(), "{:#?}", lines(&plan));
}

#[test]
fn assignments_on_an_account_to_be_created_are_planned_without_an_id() {
    let repo = repo()
        .account(account("org-management").id(MANAGEMENT))
        .account(account("payments-prod").grant("ReadOnly", group("engineers")))
        .permission_set("ReadOnly")
        .build();
    let live = live().group("engineers", &[]).build();
    let plan = plan_of(&repo, &live);
    assert_eq!(
        lines(&plan),
        [
            "create account/payments-prod",
            "create permission_set/ReadOnly",
            "create assignment/payments-prod/ReadOnly/group:engineers",
        ]
    );
    let Some(Resource::Assignment(after)) = &plan.changes[2].after else {
        panic!("an assignment create has an assignment after it");
    };
    assert_eq!(after.account.id, None);
    assert_eq!(after.permission_set_arn, None);
    assert!(plan.applyable);
}
