//! Accounts and OUs: binding by id or root e-mail, create, move, re-tag, close,
//! in-progress creations, undeclared accounts and OUs.

use monban_model::{LiveAccount, LiveAccountStatus, LiveCreationState};
use monban_plan::{Action, Blocker, Cause, Resource, Severity, WarningCode};

use crate::support::{MANAGEMENT, OTHER, PROD, account, change, group, lines, live, plan_of, repo};

fn codes(plan: &monban_plan::Plan) -> Vec<WarningCode> {
    plan.warnings.iter().map(|warning| warning.code).collect()
}

#[test]
fn an_account_bound_by_id_only_reports_a_different_live_name() {
    let repo = repo()
        .account(account("org-management").id(MANAGEMENT))
        .account(account("payments-prod").id(PROD))
        .build();
    let live = live().account(PROD, "Payments Production", None).build();
    let plan = plan_of(&repo, &live);
    assert!(plan.changes.is_empty(), "{:#?}", lines(&plan));
    let warning = plan
        .warnings
        .iter()
        .find(|warning| warning.code == WarningCode::AccountNameDiffers)
        .unwrap();
    assert_eq!(warning.severity, Severity::Info);
    assert!(warning.message.contains("Payments Production"));
    assert!(plan.applyable && plan.complete);
}

#[test]
fn an_account_without_id_is_matched_by_root_email_ignoring_case() {
    let repo = repo()
        .account(account("org-management").id(MANAGEMENT))
        .account(account("payments-prod").email("Payments.Root@Example.com"))
        .build();
    let live = live()
        .account_with(LiveAccount {
            id: PROD.to_owned(),
            name: "payments-prod".to_owned(),
            email: "payments.root@example.com".to_owned(),
            status: LiveAccountStatus::Active,
            ou_path: None,
            tags: std::collections::BTreeMap::new(),
        })
        .build();
    let plan = plan_of(&repo, &live);
    assert!(plan.changes.is_empty(), "{:#?}", lines(&plan));
    assert!(plan.unmanaged.accounts.is_empty());
}

#[test]
fn an_unmatched_account_is_created_with_its_email_ou_and_tags() {
    let repo = repo()
        .ou("Products")
        .account(account("org-management").id(MANAGEMENT))
        .account(account("payments-prod").ou("Products").tag("env", "prod"))
        .build();
    let live = live().ou("Products").build();
    let plan = plan_of(&repo, &live);
    assert_eq!(lines(&plan), ["create account/payments-prod"]);
    let Some(Resource::Account(after)) = &change(&plan, "account/payments-prod").after else {
        panic!("an account create has an account after it");
    };
    assert_eq!(
        after.email.as_deref(),
        Some("aws-root+payments-prod@example.com")
    );
    assert_eq!(after.ou.as_deref(), Some("Products"));
    assert_eq!(after.tags["env"], "prod");
    assert_eq!(after.id, None);
}

#[test]
fn an_account_being_created_is_not_created_again() {
    let repo = repo()
        .account(account("org-management").id(MANAGEMENT))
        .account(account("payments-prod").grant("ReadOnly", group("engineers")))
        .permission_set("ReadOnly")
        .build();
    let live = live()
        .permission_set("ReadOnly")
        .group("engineers", &[])
        .creation("payments-prod", LiveCreationState::InProgress)
        .build();
    let plan = plan_of(&repo, &live);
    // The account is not created a second time; its access is still planned.
    assert_eq!(
        lines(&plan),
        ["create assignment/payments-prod/ReadOnly/group:engineers"]
    );
    assert!(codes(&plan).contains(&WarningCode::AccountBeingCreated));
    assert!(plan.applyable);
}

#[test]
fn an_account_whose_creation_failed_is_planned_again_with_a_warning() {
    let repo = repo()
        .account(account("org-management").id(MANAGEMENT))
        .account(account("payments-prod"))
        .build();
    let live = live()
        .creation("payments-prod", LiveCreationState::Failed)
        .build();
    let plan = plan_of(&repo, &live);
    assert_eq!(lines(&plan), ["create account/payments-prod"]);
    let warning = plan
        .warnings
        .iter()
        .find(|warning| warning.code == WarningCode::AccountCreationFailed)
        .unwrap();
    assert!(warning.message.contains("EMAIL_ALREADY_EXISTS"));
}

#[test]
fn an_ou_difference_is_an_update_that_moves_the_account() {
    let repo = repo()
        .ou("Products/Payments")
        .account(account("org-management").id(MANAGEMENT))
        .account(account("payments-prod").id(PROD).ou("Products/Payments"))
        .build();
    let live = live()
        .ou("Products")
        .ou("Products/Payments")
        .account(PROD, "payments-prod", Some("Products"))
        .build();
    let plan = plan_of(&repo, &live);
    assert_eq!(lines(&plan), ["update account/payments-prod"]);
    let update = change(&plan, "account/payments-prod");
    assert_eq!(update.fields.len(), 1);
    assert_eq!(update.fields[0].field, "ou");
    assert_eq!(update.fields[0].before, "Products");
    assert_eq!(update.fields[0].after, "Products/Payments");
    assert!(
        update
            .reason
            .contains("moves from Products to Products/Payments")
    );
}

#[test]
fn a_tag_difference_is_an_update() {
    let repo = repo()
        .account(account("org-management").id(MANAGEMENT))
        .account(account("payments-prod").id(PROD).tag("env", "prod"))
        .build();
    let live = live().account(PROD, "payments-prod", None).build();
    let plan = plan_of(&repo, &live);
    let update = change(&plan, "account/payments-prod");
    assert_eq!(update.action, Action::Update);
    assert_eq!(update.fields[0].field, "tags");
    assert_eq!(update.fields[0].after, serde_json::json!({"env": "prod"}));
}

#[test]
fn close_true_closes_the_account_and_drops_its_access() {
    let repo = repo()
        .account(account("org-management").id(MANAGEMENT))
        .account(
            account("old-sandbox")
                .id(PROD)
                .close()
                .grant("ReadOnly", group("engineers")),
        )
        .permission_set("ReadOnly")
        .build();
    let live = live()
        .account(PROD, "old-sandbox", None)
        .permission_set("ReadOnly")
        .user("alice")
        .group("engineers", &["alice"])
        .assign(PROD, "ReadOnly", &group("engineers"))
        .build();
    let plan = plan_of(&repo, &live);
    // Closing removes the access with the account: no assignment change of its own.
    assert_eq!(lines(&plan), ["close account/old-sandbox"]);
    assert!(plan.applyable);
    let alice = &plan.access[0];
    assert_eq!(alice.losses.len(), 1);
    assert_eq!(
        alice.losses[0].via[0].removal,
        Some(monban_plan::Cause::Closed)
    );
}

#[test]
fn closing_the_management_account_is_an_error_and_unapplyable() {
    let repo = repo()
        .account(account("org-management").id(MANAGEMENT).close())
        .build();
    let plan = plan_of(&repo, &live().build());
    let close = change(&plan, "account/org-management");
    assert_eq!(close.action, Action::Close);
    assert_eq!(close.blocked_by, [Blocker::CloseManagementAccount]);
    assert!(codes(&plan).contains(&WarningCode::CloseManagementAccount));
    assert!(!plan.applyable);
}

#[test]
fn an_account_id_the_organization_lacks_is_invited_and_its_access_planned() {
    let repo = repo()
        .account(account("org-management").id(MANAGEMENT))
        .account(
            account("payments-prod")
                .id(PROD)
                .ou("Products")
                .tag("team", "payments")
                .grant("ReadOnly", group("engineers")),
        )
        .ou("Products")
        .permission_set("ReadOnly")
        .build();
    let live = live()
        .ou("Products")
        .permission_set("ReadOnly")
        .group("engineers", &[])
        .build();
    let plan = plan_of(&repo, &live);
    assert_eq!(
        lines(&plan),
        [
            "invite account/payments-prod",
            "create assignment/payments-prod/ReadOnly/group:engineers",
        ]
    );
    let invite = change(&plan, "account/payments-prod");
    assert_eq!(invite.cause, Cause::Declared);
    assert!(invite.before.is_none() && invite.is_applyable());
    let Some(Resource::Account(after)) = &invite.after else {
        panic!("the invitation's after side is the account: {invite:#?}");
    };
    assert_eq!(after.id.as_deref(), Some(PROD));
    assert_eq!(after.ou.as_deref(), Some("Products"));
    assert_eq!(after.tags["team"], "payments");
    // The assignment waits for the account: no id until it has joined.
    let assignment = change(&plan, "assignment/payments-prod/ReadOnly/group:engineers");
    let Some(Resource::Assignment(state)) = &assignment.after else {
        panic!("an assignment: {assignment:#?}");
    };
    assert_eq!(state.account.id, None);
    assert!(!codes(&plan).contains(&WarningCode::AccountNotFound));
    assert!(plan.complete && plan.applyable);
    // Neither added nor removed until the owner accepts: counted as a change.
    let summary = plan.summary();
    assert_eq!((summary.add, summary.change, summary.remove), (1, 1, 0));
}

#[test]
fn an_open_invitation_is_pending_and_not_sent_again() {
    let repo = repo()
        .account(account("org-management").id(MANAGEMENT))
        .account(
            account("payments-prod")
                .id(PROD)
                .grant("ReadOnly", group("engineers")),
        )
        .permission_set("ReadOnly")
        .build();
    let live = live()
        .invitation(PROD)
        .invitation(OTHER)
        .permission_set("ReadOnly")
        .group("engineers", &[])
        .build();
    let plan = plan_of(&repo, &live);
    assert_eq!(
        lines(&plan),
        ["create assignment/payments-prod/ReadOnly/group:engineers"]
    );
    let pending: Vec<_> = plan
        .warnings
        .iter()
        .filter(|warning| warning.code == WarningCode::InvitationPending)
        .collect();
    assert_eq!(pending.len(), 1, "{:#?}", plan.warnings);
    assert_eq!(pending[0].severity, Severity::Info);
    assert!(
        pending[0].message.contains("h-222222222222")
            && pending[0]
                .message
                .contains("pending until the account's owner accepts it"),
        "{}",
        pending[0].message
    );
    assert!(plan.complete && plan.applyable);
}

#[test]
fn a_delegated_administrator_cannot_invite_so_a_missing_id_is_an_error() {
    let repo = repo()
        .account(account("org-management").id(MANAGEMENT))
        .account(
            account("payments-prod")
                .id(PROD)
                .grant("ReadOnly", group("engineers")),
        )
        .permission_set("ReadOnly")
        .build();
    let live = live()
        .delegated()
        .permission_set("ReadOnly")
        .group("engineers", &[])
        .build();
    let plan = plan_of(&repo, &live);
    assert!(lines(&plan).is_empty(), "{:#?}", lines(&plan));
    assert!(codes(&plan).contains(&WarningCode::AccountNotFound));
    assert!(!plan.complete && !plan.applyable);
}

#[test]
fn undeclared_live_accounts_are_reported_and_never_changed() {
    let repo = repo()
        .account(account("org-management").id(MANAGEMENT))
        .permission_set("ReadOnly")
        .build();
    let live = live()
        .account(PROD, "legacy-prod", None)
        .permission_set("ReadOnly")
        .group("engineers", &[])
        .assign(PROD, "ReadOnly", &group("engineers"))
        .build();
    let plan = plan_of(&repo, &live);
    // exclusive is on, yet nothing on the undeclared account is removed.
    assert!(plan.changes.is_empty(), "{:#?}", lines(&plan));
    assert_eq!(plan.unmanaged.accounts.len(), 1);
    assert_eq!(plan.unmanaged.accounts[0].name, "legacy-prod");
    assert_eq!(plan.unmanaged.assignments.len(), 1);
    assert_eq!(
        plan.unmanaged.assignments[0].kept_because,
        monban_plan::UnmanagedBecause::UndeclaredAccount
    );
    assert!(codes(&plan).contains(&WarningCode::UndeclaredAccount));
}

#[test]
fn missing_ous_are_created_parents_first() {
    let repo = repo()
        .ou("Products/Payments/Cards")
        .ou("Sandbox")
        .account(account("org-management").id(MANAGEMENT))
        .build();
    let live = live().ou("Products").build();
    let plan = plan_of(&repo, &live);
    assert_eq!(
        lines(&plan),
        [
            "create ou/Sandbox",
            "create ou/Products/Payments",
            "create ou/Products/Payments/Cards",
        ]
    );
}

#[test]
fn undeclared_ous_are_reported_only() {
    let repo = repo()
        .ou("Products")
        .account(account("org-management").id(MANAGEMENT))
        .build();
    let live = live().ou("Products").ou("Legacy").ou("Legacy/Old").build();
    let plan = plan_of(&repo, &live);
    assert!(plan.changes.is_empty());
    assert_eq!(plan.unmanaged.ous, ["Legacy", "Legacy/Old"]);
    assert!(codes(&plan).contains(&WarningCode::UndeclaredOu));
}

#[test]
fn two_files_meaning_one_account_is_an_error_and_only_the_first_is_planned() {
    let repo = repo()
        .account(account("org-management").id(MANAGEMENT))
        .account(
            account("payments-prod")
                .id(PROD)
                .grant("ReadOnly", group("engineers")),
        )
        .account(account("payments").email(&crate::support::email_of("payments-prod")))
        .permission_set("ReadOnly")
        .build();
    let live = live()
        .account(PROD, "payments-prod", None)
        .permission_set("ReadOnly")
        .group("engineers", &[])
        .assign(PROD, "ReadOnly", &group("engineers"))
        .build();
    let plan = plan_of(&repo, &live);
    assert!(plan.changes.is_empty(), "{:#?}", lines(&plan));
    let warning = plan
        .warnings
        .iter()
        .find(|warning| warning.code == WarningCode::AccountBoundTwice)
        .unwrap();
    assert!(
        warning
            .message
            .contains("accounts/payments-prod.yaml and accounts/payments.yaml")
    );
    assert!(!plan.complete && !plan.applyable);
}

#[test]
fn an_account_holding_protected_access_cannot_be_closed() {
    let repo = repo()
        .account(account("org-management").id(MANAGEMENT))
        .account(account("security").id(PROD).close())
        .protect("security", "AdministratorAccess", group("breakglass"))
        .build();
    let live = live().account(PROD, "security", None).build();
    let plan = plan_of(&repo, &live);
    let close = change(&plan, "account/security");
    assert!(matches!(
        &close.blocked_by[..],
        [Blocker::ProtectedAssignment { permission_set, .. }] if permission_set == "AdministratorAccess"
    ));
    assert!(!plan.applyable);
}

#[test]
fn a_management_account_file_bound_to_another_account_means_the_wrong_target() {
    let mut repo = repo().account(account("org-management").id(PROD)).build();
    repo.settings.organization.management_account =
        Some(monban_model::AccountName::parse("org-management").unwrap());
    let live = live().account(PROD, "org-management", None).build();
    let plan = plan_of(&repo, &live);
    let warning = plan
        .warnings
        .iter()
        .find(|warning| warning.code == WarningCode::ManagementAccountMismatch)
        .unwrap();
    assert_eq!(warning.severity, Severity::Error);
    assert!(warning.message.contains(MANAGEMENT));
    assert!(!plan.applyable);

    repo.accounts.values_mut().next().unwrap().id =
        Some(monban_model::AccountId::parse(MANAGEMENT).unwrap());
    assert!(plan_of(&repo, &live).applyable);
}

#[test]
fn unreadable_invitations_block_an_account_to_invite() {
    let repo = repo()
        .account(account("org-management").id(MANAGEMENT))
        .account(
            account("payments-prod")
                .id(PROD)
                .grant("ReadOnly", group("engineers")),
        )
        .permission_set("ReadOnly")
        .build();
    let mut live = live()
        .permission_set("ReadOnly")
        .group("engineers", &[])
        .build();
    live.invitations_unreadable = Some("AccessDeniedException".to_owned());
    let plan = plan_of(&repo, &live);
    assert!(
        !plan
            .changes
            .iter()
            .any(|change| change.action == Action::Invite),
        "no invitation sent blind"
    );
    let error = plan
        .warnings
        .iter()
        .find(|warning| warning.code == WarningCode::AccountNotFound)
        .expect("an error naming the account");
    assert_eq!(error.severity, Severity::Error);
    assert!(
        error.message.contains("AccessDeniedException"),
        "{}",
        error.message
    );
    assert!(!plan.complete && !plan.applyable);
}
