//! Saved plans: what a plan touches, and whether it is stale — one plan exercising every
//! kind of change, checked against its own live state (fresh) and against that state
//! with one out-of-band change each (stale, with the message saying what changed).

use std::collections::BTreeSet;

use monban_model::{
    InlinePolicy, LiveAccount, LiveAccountStatus, LiveAssignment, LiveCreationState,
    LivePrincipalType, LiveState, PermissionSet, PermissionSetDescription, PermissionSetName,
};
use monban_plan::{
    Address, Plan, SavedPlanError, Staleness, check_saved, check_saved_resuming, stale_changes,
    stale_changes_resuming, touched, touched_resuming,
};

use crate::support::{
    MANAGEMENT, OTHER, PROD, STAGING, account, arn, email_of, group, lines, live,
    live_permission_set, plan_of, repo, user,
};

/// The id AWS gives the account the plan creates, in the resume tests.
const SANDBOX: &str = "555555555555";

const POLICY: &str = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ecs:*", "Resource": "*"}]}"#;
const OLD_POLICY: &str = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ecs:Describe*", "Resource": "*"}]}"#;

/// A repo and live state whose plan has every kind of change: an OU and an account
/// created, an account moved and re-tagged, permission sets created, updated (policy) and
/// re-provisioned, assignments created (on a live and on a new account) and deleted, and a
/// permission set deleted.
fn scenario() -> (Plan, LiveState) {
    let mut admin = PermissionSet::new(PermissionSetName::parse("Admin").unwrap());
    admin.inline_policy = Some(InlinePolicy::parse(POLICY).unwrap());
    // Not identical to Legacy (which would make it a rename of Legacy).
    let mut new = PermissionSet::new(PermissionSetName::parse("New").unwrap());
    new.description = Some(PermissionSetDescription::parse("new").unwrap());
    let repo = repo()
        .exclusive(true)
        .ou("Products")
        .account(account("org-management").id(MANAGEMENT))
        .account(
            account("prod")
                .id(PROD)
                .ou("Products")
                .tag("team", "payments")
                .grant("ReadOnly", group("engineers"))
                .grant("Admin", user("alice")),
        )
        .account(
            account("sandbox")
                .grant("ReadOnly", group("engineers"))
                .grant("Admin", user("alice")),
        )
        .permission_set("ReadOnly")
        .permission_set_with(admin)
        .permission_set_with(new)
        .build();
    let mut live_admin = live_permission_set("Admin");
    live_admin.inline_policy = Some(OLD_POLICY.to_owned());
    let live = live()
        .account(PROD, "prod", None)
        .user("alice")
        .user("bob")
        .group("engineers", &["alice"])
        .permission_set("ReadOnly")
        .permission_set_with(live_admin)
        .permission_set("Legacy")
        .provisioned("ReadOnly", PROD, false)
        .provisioned("Admin", PROD, true)
        .provisioned("Legacy", PROD, true)
        .assign(PROD, "Admin", &user("alice"))
        .assign(PROD, "Legacy", &group("engineers"))
        .build();
    let plan = plan_of(&repo, &live);
    assert_eq!(
        lines(&plan),
        [
            "create ou/Products",
            "update account/prod",
            "create account/sandbox",
            "update permission_set/Admin",
            "create permission_set/New",
            "provision permission_set/ReadOnly",
            "create assignment/prod/ReadOnly/group:engineers",
            "create assignment/sandbox/Admin/user:alice",
            "create assignment/sandbox/ReadOnly/group:engineers",
            "delete assignment/prod/Legacy/group:engineers",
            "delete permission_set/Legacy",
        ]
    );
    assert!(plan.applyable, "{:#?}", plan.warnings);
    (plan, live)
}

/// The staleness of the scenario's plan against its live state changed by `edit`.
fn stale_after(edit: impl FnOnce(&mut LiveState)) -> Vec<Staleness> {
    let (plan, mut live) = scenario();
    edit(&mut live);
    stale_changes(&plan, &live)
}

/// The staleness messages as `address: what changed` lines.
fn texts(stale: &[Staleness]) -> Vec<String> {
    stale.iter().map(ToString::to_string).collect()
}

fn address(text: &str, plan: &Plan) -> Address {
    plan.changes
        .iter()
        .find(|change| change.address.to_string() == text)
        .unwrap_or_else(|| panic!("no change at {text}"))
        .address
        .clone()
}

fn assignment(account_id: &str, permission_set: &str, principal_id: &str) -> LiveAssignment {
    LiveAssignment {
        account_id: account_id.to_owned(),
        permission_set_arn: arn(permission_set),
        principal_type: if principal_id.starts_with("g-") {
            LivePrincipalType::Group
        } else {
            LivePrincipalType::User
        },
        principal_id: principal_id.to_owned(),
    }
}

#[test]
fn a_plan_against_the_live_state_it_was_made_from_is_fresh() {
    let (plan, live) = scenario();
    assert_eq!(stale_changes(&plan, &live), []);
    assert_eq!(check_saved(&plan, &live, &plan.tool_version), Ok(()));
}

#[test]
fn a_plan_parsed_back_from_json_checks_fresh() {
    let (plan, live) = scenario();
    let text = serde_json::to_string_pretty(&plan).unwrap();
    let parsed: Plan = serde_json::from_str(&text).unwrap();
    assert_eq!(parsed, plan);
    assert_eq!(check_saved(&parsed, &live, &plan.tool_version), Ok(()));
}

#[test]
fn touched_names_what_the_changes_depend_on() {
    let (plan, _) = scenario();
    let touched = touched(&plan);
    assert_eq!(
        touched.account_ids,
        BTreeSet::from([PROD.to_owned()]),
        "the accounts changed or assigned on (not those only provisioned into)"
    );
    assert_eq!(
        touched.new_account_emails,
        BTreeSet::from([email_of("sandbox")])
    );
    assert_eq!(
        touched.new_account_names,
        BTreeSet::from(["sandbox".to_owned()])
    );
    assert_eq!(touched.ou_paths, BTreeSet::from(["Products".to_owned()]));
    assert_eq!(
        touched.permission_set_names,
        ["Admin", "Legacy", "New", "ReadOnly"]
            .map(str::to_owned)
            .into(),
    );
    assert_eq!(
        touched.group_names,
        BTreeSet::from(["engineers".to_owned()])
    );
    assert_eq!(touched.user_names, BTreeSet::from(["alice".to_owned()]));
}

#[test]
fn changes_outside_the_touched_addresses_and_memberships_keep_the_plan_fresh() {
    let stale = stale_after(|live| {
        // Another account, a user, a membership: none is an address the plan changes,
        // and memberships are the IdP's (the access diff is informational).
        live.accounts.push(LiveAccount {
            id: "999999999999".to_owned(),
            name: "elsewhere".to_owned(),
            email: email_of("elsewhere"),
            status: LiveAccountStatus::Active,
            ou_path: None,
            tags: std::collections::BTreeMap::new(),
        });
        live.users.retain(|user| user.user_name != "bob");
        live.memberships.clear();
        // A policy document AWS returns reformatted means the same.
        let admin = live
            .permission_sets
            .iter_mut()
            .find(|set| set.name == "Admin")
            .unwrap();
        admin.inline_policy = Some(
            r#"{"Statement":[{"Resource":"*","Action":"ecs:Describe*","Effect":"Allow"}],"Version":"2012-10-17"}"#
                .to_owned(),
        );
    });
    assert_eq!(texts(&stale), Vec::<String>::new());
}

#[test]
fn an_assignment_created_outside_monban_makes_its_create_stale() {
    let stale = stale_after(|live| {
        live.assignments
            .push(assignment(PROD, "ReadOnly", "g-engineers"));
    });
    assert_eq!(
        texts(&stale),
        [
            "assignment/prod/ReadOnly/group:engineers: assignment of ReadOnly to \
          group:engineers on account prod was created outside monban"
        ]
    );
}

#[test]
fn an_assignment_deleted_outside_monban_makes_its_delete_stale() {
    let stale = stale_after(|live| {
        live.assignments
            .retain(|assignment| assignment.permission_set_arn != arn("Legacy"));
    });
    assert_eq!(
        texts(&stale),
        [
            "assignment/prod/Legacy/group:engineers: assignment of Legacy to group:engineers on \
          account prod was deleted outside monban"
        ]
    );
}

#[test]
fn an_edited_permission_set_policy_is_stale() {
    let stale = stale_after(|live| {
        let admin = live
            .permission_sets
            .iter_mut()
            .find(|set| set.name == "Admin")
            .unwrap();
        admin.inline_policy = Some(OLD_POLICY.replace("ecs:Describe*", "ecs:List*"));
        admin.managed_policies = vec!["arn:aws:iam::aws:policy/ReadOnlyAccess".to_owned()];
    });
    assert_eq!(
        texts(&stale),
        [
            "permission_set/Admin: permission set Admin: managed_policies changed outside \
             monban; permission set Admin: inline_policy changed outside monban"
        ]
    );
}

#[test]
fn a_permission_set_deleted_or_created_outside_monban_is_stale() {
    let stale = stale_after(|live| {
        live.permission_sets.retain(|set| set.name != "Admin");
        live.permission_sets.push(live_permission_set("New"));
    });
    assert_eq!(
        texts(&stale),
        [
            "permission_set/Admin: permission set Admin was deleted outside monban".to_owned(),
            format!(
                "permission_set/New: permission set New was created outside monban ({})",
                arn("New")
            ),
        ]
    );
}

#[test]
fn a_permission_set_recreated_under_the_same_name_is_stale() {
    let stale = stale_after(|live| {
        let admin = live
            .permission_sets
            .iter_mut()
            .find(|set| set.name == "Admin")
            .unwrap();
        admin.arn = "arn:aws:sso:::permissionSet/ssoins-test/ps-other".to_owned();
    });
    assert_eq!(
        texts(&stale),
        [
            "permission_set/Admin: permission set Admin was deleted and re-created outside monban \
          (now arn:aws:sso:::permissionSet/ssoins-test/ps-other)"
        ]
    );
}

#[test]
fn provisioning_that_changed_outside_monban_is_stale() {
    let stale = stale_after(|live| {
        // Admin (updated: re-provisioned in PROD) is now also in the management account,
        // and ReadOnly's role (re-provisioned in PROD) is outdated there too.
        live.provisioned.push(monban_model::LiveProvisioned {
            permission_set_arn: arn("Admin"),
            account_id: MANAGEMENT.to_owned(),
            current: true,
        });
        live.provisioned.push(monban_model::LiveProvisioned {
            permission_set_arn: arn("ReadOnly"),
            account_id: MANAGEMENT.to_owned(),
            current: false,
        });
    });
    assert_eq!(
        texts(&stale),
        [
            format!(
                "permission_set/Admin: permission set Admin is now provisioned in account \
                 org-management ({MANAGEMENT}) too, which the plan does not re-provision"
            ),
            format!(
                "permission_set/ReadOnly: permission set ReadOnly: the role is now outdated in \
                 account org-management ({MANAGEMENT}) too, which the plan does not re-provision"
            ),
        ]
    );
}

#[test]
fn a_role_that_became_current_meanwhile_is_not_stale() {
    let stale = stale_after(|live| {
        for entry in &mut live.provisioned {
            entry.current = true;
        }
    });
    assert_eq!(texts(&stale), Vec::<String>::new());
}

#[test]
fn a_role_no_longer_provisioned_is_stale() {
    let stale = stale_after(|live| {
        live.provisioned
            .retain(|entry| entry.permission_set_arn != arn("ReadOnly"));
    });
    assert_eq!(
        texts(&stale),
        [format!(
            "permission_set/ReadOnly: permission set ReadOnly is no longer provisioned in \
             account prod ({PROD})"
        )]
    );
}

#[test]
fn a_permission_set_to_delete_assigned_again_outside_monban_is_stale() {
    let stale = stale_after(|live| {
        live.assignments
            .push(assignment(MANAGEMENT, "Legacy", "u-bob"));
    });
    assert_eq!(
        texts(&stale),
        [format!(
            "permission_set/Legacy: permission set Legacy is now assigned to user:bob on \
             account org-management ({MANAGEMENT}), which the plan does not remove (assigned \
             outside monban)"
        )]
    );
}

#[test]
fn a_permission_set_to_delete_provisioned_outside_monban_is_stale() {
    // Legacy is now provisioned where the plan deletes no assignment of it: deleting its
    // assignment on prod no longer deprovisions it everywhere, and AWS would refuse the
    // deletion.
    let stale = stale_after(|live| {
        live.provisioned.push(monban_model::LiveProvisioned {
            permission_set_arn: arn("Legacy"),
            account_id: MANAGEMENT.to_owned(),
            current: true,
        });
    });
    assert_eq!(
        texts(&stale),
        [format!(
            "permission_set/Legacy: permission set Legacy is now provisioned in account \
             org-management ({MANAGEMENT}) where the plan deletes no assignment of it \
             (provisioned outside monban), so it cannot be deleted"
        )]
    );
}

#[test]
fn a_permission_set_created_outside_monban_under_another_case_is_stale() {
    // `new` takes the name `New` needs: names are unique regardless of case.
    let stale = stale_after(|live| {
        live.permission_sets.push(live_permission_set("new"));
    });
    assert_eq!(
        texts(&stale),
        [format!(
            "permission_set/New: permission set new was created outside monban ({}); its name \
             differs from New only in case, which makes New impossible to create",
            arn("new")
        )]
    );
}

#[test]
fn an_account_moved_or_retagged_outside_monban_is_stale() {
    let stale = stale_after(|live| {
        let prod = live
            .accounts
            .iter_mut()
            .find(|account| account.id == PROD)
            .unwrap();
        prod.ou_path = Some("Sandbox".to_owned());
        prod.tags.insert("owner".to_owned(), "finance".to_owned());
    });
    assert_eq!(
        texts(&stale),
        [format!(
            "account/prod: account prod ({PROD}) was moved from the root to Sandbox outside \
             monban; account prod ({PROD}): tags changed outside monban (added owner=finance)"
        )]
    );
}

#[test]
fn an_account_closed_or_gone_is_stale() {
    let closed = stale_after(|live| {
        live.accounts
            .iter_mut()
            .find(|account| account.id == PROD)
            .unwrap()
            .status = LiveAccountStatus::Suspended;
    });
    assert_eq!(
        texts(&closed),
        [format!(
            "account/prod: account prod ({PROD}) is now SUSPENDED (was ACTIVE)"
        )]
    );
    let gone = stale_after(|live| live.accounts.retain(|account| account.id != PROD));
    assert!(
        texts(&gone).contains(&format!(
            "account/prod: account prod ({PROD}) is no longer in the organization"
        )),
        "{gone:#?}"
    );
}

#[test]
fn an_account_created_by_someone_else_is_stale() {
    let stale = stale_after(|live| {
        live.accounts.push(LiveAccount {
            id: SANDBOX.to_owned(),
            name: "Sandbox (console)".to_owned(),
            email: email_of("sandbox").to_uppercase(),
            status: LiveAccountStatus::Active,
            ou_path: None,
            tags: std::collections::BTreeMap::new(),
        });
    });
    assert_eq!(
        texts(&stale),
        [format!(
            "account/sandbox: an account with root e-mail {} now exists ({SANDBOX}, `Sandbox \
             (console)`): it was created outside monban",
            email_of("sandbox")
        )]
    );
}

#[test]
fn an_account_being_created_by_someone_else_is_stale() {
    let (plan, _) = scenario();
    let (_, base) = scenario();
    let live = crate::support::LiveBuilder::from(base)
        .creation("sandbox", LiveCreationState::InProgress)
        .build();
    assert_eq!(
        texts(&stale_changes(&plan, &live)),
        [
            "account/sandbox: a CreateAccount for sandbox is in progress (request car-sandbox), \
          started outside this plan"
        ]
    );
}

#[test]
fn an_ou_created_outside_monban_is_stale() {
    let (plan, base) = scenario();
    let live = crate::support::LiveBuilder::from(base)
        .ou("Products")
        .build();
    assert_eq!(
        texts(&stale_changes(&plan, &live)),
        ["ou/Products: OU Products was created outside monban (ou-products)"]
    );
}

#[test]
fn a_principal_deleted_in_the_identity_store_is_stale() {
    let stale = stale_after(|live| {
        live.groups.clear();
        live.memberships.clear();
    });
    assert_eq!(
        texts(&stale),
        [
            "assignment/prod/ReadOnly/group:engineers: group:engineers no longer exists in the \
             Identity Store (deleted since the plan was made)",
            "assignment/sandbox/ReadOnly/group:engineers: group:engineers no longer exists in \
             the Identity Store (deleted since the plan was made)",
            "assignment/prod/Legacy/group:engineers: group:engineers no longer exists in the \
             Identity Store (deleted since the plan was made)",
        ]
    );
}

#[test]
fn a_principal_recreated_under_the_same_name_is_stale() {
    let stale = stale_after(|live| {
        live.users
            .iter_mut()
            .find(|user| user.user_name == "alice")
            .unwrap()
            .id = "u-alice-2".to_owned();
    });
    assert_eq!(
        texts(&stale),
        [
            "assignment/sandbox/Admin/user:alice: user:alice was deleted and re-created in the \
          Identity Store (id u-alice, now u-alice-2)"
        ]
    );
}

#[test]
fn another_target_or_tool_version_is_refused() {
    let (plan, live) = scenario();
    let version = plan.tool_version.clone();
    let mut other = live.clone();
    other.organization.id = "o-other".to_owned();
    other.caller.account_id = PROD.to_owned();
    let Err(SavedPlanError::OtherTarget { differences }) = check_saved(&plan, &other, &version)
    else {
        panic!("another organization must be refused");
    };
    assert_eq!(
        differences,
        [
            "the plan is for organization o-test, the credentials reach organization o-other",
            "the plan was made with credentials of account 111111111111, these are of account \
             222222222222",
        ]
    );
    let mut other = live.clone();
    other.instance = None;
    let error = check_saved(&plan, &other, &version).unwrap_err();
    assert!(
        error.to_string().contains(
            "the plan's IAM Identity Center instance is arn:aws:sso:::instance/ssoins-test, the \
             organization's is none"
        ),
        "{error}"
    );
    let error = check_saved(&plan, &live, "99.0.0").unwrap_err();
    assert_eq!(
        error,
        SavedPlanError::ToolVersion {
            planned_with: version.clone(),
            running: "99.0.0".to_owned(),
        }
    );
    assert!(error.to_string().contains("monban plan --out"), "{error}");
    let mut older = plan.clone();
    older.format_version = 0;
    assert!(matches!(
        check_saved(&older, &live, &version),
        Err(SavedPlanError::FormatVersion { found: 0, .. })
    ));
    let mut blocked = plan;
    blocked.applyable = false;
    assert_eq!(
        check_saved(&blocked, &live, &version),
        Err(SavedPlanError::NotApplyable)
    );
}

#[test]
fn a_stale_plan_is_refused_with_what_changed_and_what_to_do() {
    let (plan, mut live) = scenario();
    live.assignments
        .push(assignment(PROD, "ReadOnly", "g-engineers"));
    let error = check_saved(&plan, &live, &plan.tool_version).unwrap_err();
    let SavedPlanError::Stale { changes } = &error else {
        panic!("expected a stale plan, got {error}");
    };
    assert_eq!(changes.len(), 1);
    assert_eq!(
        error.to_string(),
        "saved plan is stale: the live state of 1 address it changes changed since the plan \
         was made:\n  - assignment/prod/ReadOnly/group:engineers: assignment of ReadOnly to \
         group:engineers on account prod was created outside monban\nNothing was applied. \
         Re-run `monban plan --out FILE`, review the new plan, and apply that."
    );
}

/// The live state after an apply of the scenario was interrupted having created the OU,
/// the account (as `SANDBOX`), the permission set `New`, and `alice`'s Admin assignment on
/// the new account (which provisioned Admin there).
fn interrupted() -> (Plan, LiveState, BTreeSet<Address>) {
    let (plan, base) = scenario();
    let mut new_live = live_permission_set("New");
    new_live.description = Some("new".to_owned());
    let mut live = crate::support::LiveBuilder::from(base)
        .ou("Products")
        .account(SANDBOX, "sandbox", None)
        .permission_set_with(new_live)
        .provisioned("Admin", SANDBOX, true)
        .assign(SANDBOX, "Admin", &user("alice"))
        .build();
    live.permission_sets
        .sort_by(|left, right| left.name.cmp(&right.name));
    let completed = [
        "ou/Products",
        "account/sandbox",
        "permission_set/New",
        "assignment/sandbox/Admin/user:alice",
    ]
    .into_iter()
    .map(|text| address(text, &plan))
    .collect();
    (plan, live, completed)
}

#[test]
fn completed_addresses_are_skipped_when_resuming() {
    let (plan, live, completed) = interrupted();
    assert_eq!(stale_changes_resuming(&plan, &live, &completed), []);
    assert_eq!(
        check_saved_resuming(&plan, &live, &plan.tool_version, &completed),
        Ok(())
    );
    // Without them, the work already done looks like someone else's.
    assert_eq!(
        texts(&stale_changes(&plan, &live)),
        [
            "ou/Products: OU Products was created outside monban (ou-products)".to_owned(),
            format!(
                "account/sandbox: an account with root e-mail {} now exists ({SANDBOX}, \
                 `sandbox`): it was created outside monban",
                email_of("sandbox")
            ),
            format!(
                "permission_set/Admin: permission set Admin is now provisioned in account \
                 sandbox ({SANDBOX}) too, which the plan does not re-provision"
            ),
            format!(
                "permission_set/New: permission set New was created outside monban ({})",
                arn("New")
            ),
            "assignment/sandbox/Admin/user:alice: assignment of Admin to user:alice on account \
             sandbox was created outside monban"
                .to_owned(),
        ]
    );
}

#[test]
fn a_remaining_change_on_an_account_the_plan_created_is_still_checked() {
    let (plan, mut live, completed) = interrupted();
    // ReadOnly for engineers on the new account is not done, yet exists: the account is
    // found by its root e-mail, so this is seen.
    live.assignments
        .push(assignment(SANDBOX, "ReadOnly", "g-engineers"));
    assert_eq!(
        texts(&stale_changes_resuming(&plan, &live, &completed)),
        [
            "assignment/sandbox/ReadOnly/group:engineers: assignment of ReadOnly to \
          group:engineers on account sandbox was created outside monban"
        ]
    );
}

#[test]
fn touched_when_resuming_leaves_out_completed_changes() {
    let (plan, _, completed) = interrupted();
    let touched = touched_resuming(&plan, &completed);
    assert!(touched.ou_paths.is_empty());
    assert!(touched.new_account_names.is_empty());
    assert!(!touched.permission_set_names.contains("New"));
    assert!(touched.user_names.is_empty(), "{touched:#?}");
    // The remaining assignment on the new account finds it by its root e-mail.
    assert_eq!(
        touched.new_account_emails,
        BTreeSet::from([email_of("sandbox")])
    );
    let done: BTreeSet<Address> = plan
        .changes
        .iter()
        .map(|change| change.address.clone())
        .collect();
    assert!(touched_resuming(&plan, &done).is_empty());
}

/// A plan with a replacement (Legacy renamed to Renamed), an account closed and an
/// orphaned assignment deleted.
fn rename_scenario() -> (Plan, LiveState) {
    let repo = repo()
        .exclusive(true)
        .account(account("org-management").id(MANAGEMENT))
        .account(account("old").id(STAGING).close())
        .account(
            account("prod")
                .id(PROD)
                .grant("Renamed", group("engineers")),
        )
        .permission_set("Renamed")
        .permission_set("ReadOnly")
        .build();
    let live = live()
        .account(PROD, "prod", None)
        .account(STAGING, "old", None)
        .user("alice")
        .group("engineers", &["alice"])
        .permission_set("Legacy")
        .permission_set("ReadOnly")
        .provisioned("Legacy", PROD, true)
        .provisioned("ReadOnly", PROD, true)
        .assign(PROD, "Legacy", &group("engineers"))
        .assign(PROD, "ReadOnly", &group("gone"))
        .build();
    let plan = plan_of(&repo, &live);
    assert_eq!(
        lines(&plan),
        [
            "close account/old",
            "replace permission_set/Renamed",
            "create assignment/prod/Renamed/group:engineers",
            "delete assignment/prod/Legacy/group:engineers",
            "delete assignment/prod/ReadOnly/group:<deleted g-gone>",
        ]
    );
    assert!(plan.applyable, "{:#?}", plan.warnings);
    (plan, live)
}

#[test]
fn a_replacement_a_closure_and_an_orphan_removal_check_fresh() {
    let (plan, live) = rename_scenario();
    assert_eq!(check_saved(&plan, &live, &plan.tool_version), Ok(()));
    assert_eq!(
        touched(&plan).permission_set_names,
        BTreeSet::from(["Legacy".to_owned(), "Renamed".to_owned()])
    );
    // The orphan is known by id only: nothing in the Identity Store to re-read for it.
    assert_eq!(
        touched(&plan).group_names,
        BTreeSet::from(["engineers".to_owned()])
    );
}

#[test]
fn a_replacement_whose_old_permission_set_changed_or_new_name_was_taken_is_stale() {
    let (plan, base) = rename_scenario();
    let live = crate::support::LiveBuilder::from(base)
        .permission_set("Renamed")
        .provisioned("Legacy", MANAGEMENT, true)
        .assign(MANAGEMENT, "Legacy", &user("alice"))
        .build();
    assert_eq!(
        texts(&stale_changes(&plan, &live)),
        [format!(
            "permission_set/Renamed: permission set Renamed was created outside monban ({}); \
             permission set Legacy is now provisioned in account org-management ({MANAGEMENT}) \
             too, which the plan does not replace; permission set Legacy is now assigned to \
             user:alice on account org-management ({MANAGEMENT}), which the plan does not \
             remove (assigned outside monban)",
            arn("Renamed")
        )]
    );
}

#[test]
fn an_account_to_close_that_changed_or_an_orphan_already_removed_is_stale() {
    let (plan, mut live) = rename_scenario();
    live.accounts
        .iter_mut()
        .find(|account| account.id == STAGING)
        .unwrap()
        .status = LiveAccountStatus::PendingClosure;
    live.assignments
        .retain(|assignment| assignment.principal_id != "g-gone");
    assert_eq!(
        texts(&stale_changes(&plan, &live)),
        [
            format!("account/old: account old ({STAGING}) is now PENDING_CLOSURE (was ACTIVE)"),
            "assignment/prod/ReadOnly/group:<deleted g-gone>: assignment of ReadOnly to \
             group:<deleted g-gone> on account prod was deleted outside monban"
                .to_owned(),
        ]
    );
}

#[test]
fn an_invitation_is_stale_once_the_account_has_joined() {
    let repo = repo()
        .account(account("org-management").id(MANAGEMENT))
        .account(account("partner").id(OTHER))
        .build();
    let live_before = live().build();
    let plan = plan_of(&repo, &live_before);
    assert_eq!(lines(&plan), ["invite account/partner"]);
    assert!(stale_changes(&plan, &live_before).is_empty());
    let joined = live().account(OTHER, "partner", None).build();
    assert_eq!(
        texts(&stale_changes(&plan, &joined)),
        [
            "account/partner: account partner (444444444444) has joined the organization since the plan was made"
        ]
    );
}
