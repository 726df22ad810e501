//! Guard rails: protected assignments, `max_removals`, and a delegated administrator's
//! inability to touch the management account.

use monban_plan::{Blocker, Severity, UnmanagedBecause, WarningCode};

use crate::support::{
    MANAGEMENT, PROD, account, change, group, lines, live, plan_of, repo, today, user,
};

#[test]
fn a_protected_assignment_is_never_removed() {
    let repo = repo()
        .account(account("org-management").id(MANAGEMENT))
        .permission_set("AdministratorAccess")
        .protect("org-management", "AdministratorAccess", group("breakglass"))
        .build();
    let live = live()
        .permission_set("AdministratorAccess")
        .group("breakglass", &[])
        .assign(MANAGEMENT, "AdministratorAccess", &group("breakglass"))
        .build();
    let plan = plan_of(&repo, &live);
    // exclusive would remove it; protected wins, and says so.
    assert!(plan.changes.is_empty(), "{:#?}", lines(&plan));
    let warning = plan
        .warnings
        .iter()
        .find(|warning| warning.code == WarningCode::ProtectedAssignment)
        .unwrap();
    assert!(
        warning
            .message
            .contains("group:breakglass keeps AdministratorAccess on org-management")
    );
    assert_eq!(
        plan.unmanaged.assignments[0].kept_because,
        UnmanagedBecause::Protected
    );
    assert!(plan.applyable);
}

fn many_removals(count: usize) -> (monban_model::Repo, monban_model::LiveState) {
    let repo = repo()
        .max_removals(2)
        .account(account("org-management").id(MANAGEMENT))
        .account(account("payments-prod").id(PROD))
        .permission_set("ReadOnly")
        .build();
    let mut live = live()
        .account(PROD, "payments-prod", None)
        .permission_set("ReadOnly");
    for index in 0..count {
        let name = format!("user{index}");
        live = live.user(&name).assign(PROD, "ReadOnly", &user(&name));
    }
    (repo, live.build())
}

#[test]
fn more_removals_than_max_removals_are_unapplyable_unless_allowed() {
    let (repo, live) = many_removals(2);
    assert!(plan_of(&repo, &live).applyable);

    let (repo, live) = many_removals(3);
    let plan = plan_of(&repo, &live);
    assert_eq!(plan.summary().remove, 3);
    assert!(plan.complete && !plan.applyable);
    let warning = plan
        .warnings
        .iter()
        .find(|warning| warning.code == WarningCode::MassRemoval)
        .unwrap();
    assert_eq!(warning.severity, Severity::Error);
    assert!(warning.message.contains("--allow-mass-removal"));

    let mut context =
        monban_plan::PlanContext::new(today(), monban_plan::TargetEndpoint::EmbeddedSandbox);
    context.allow_mass_removal = true;
    let plan = monban_plan::plan(&repo, &live, &context);
    assert!(plan.applyable);
    assert_eq!(
        plan.warnings
            .iter()
            .find(|warning| warning.code == WarningCode::MassRemoval)
            .unwrap()
            .severity,
        Severity::Warning
    );
}

#[test]
fn a_delegated_admin_cannot_change_access_to_the_management_account() {
    let repo = repo()
        .account(
            account("org-management")
                .id(MANAGEMENT)
                .grant("ReadOnly", group("engineers")),
        )
        .account(
            account("payments-prod")
                .id(PROD)
                .grant("ReadOnly", group("engineers")),
        )
        .permission_set("ReadOnly")
        .build();
    let live = live()
        .account(PROD, "payments-prod", None)
        .permission_set("ReadOnly")
        .group("engineers", &[])
        .delegated()
        .build();
    let plan = plan_of(&repo, &live);
    assert!(plan.target.delegated_admin);
    assert_eq!(
        change(&plan, "assignment/org-management/ReadOnly/group:engineers").blocked_by,
        [Blocker::ManagementAccountFromDelegatedAdmin]
    );
    assert!(change(&plan, "assignment/payments-prod/ReadOnly/group:engineers").is_applyable());
    assert!(plan.complete && !plan.applyable);
    assert!(
        plan.warnings
            .iter()
            .any(|warning| warning.code == WarningCode::ManagementAccountFromDelegatedAdmin)
    );
}

#[test]
fn a_delegated_admin_cannot_reprovision_into_the_management_account() {
    let repo = repo()
        .account(account("org-management").id(MANAGEMENT))
        .permission_set("ReadOnly")
        .build();
    let live = live()
        .permission_set("ReadOnly")
        .provisioned("ReadOnly", MANAGEMENT, false)
        .delegated()
        .build();
    let plan = plan_of(&repo, &live);
    assert_eq!(
        change(&plan, "permission_set/ReadOnly").blocked_by,
        [Blocker::ManagementAccountFromDelegatedAdmin]
    );
    assert!(!plan.applyable);
}
