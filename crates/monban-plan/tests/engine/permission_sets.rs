//! Permission sets: create, semantic update, re-provisioning, delete under `exclusive`
//! (never while provisioned where no assignment is left to delete), rename as a loud
//! replacement, and names that differ only in case (never created).

use monban_model::{
    InlinePolicy, ManagedPolicyArn, PermissionSet, PermissionSetName, SessionDuration,
};
use monban_plan::{Action, Blocker, Cause, KeptBecause, Resource, Severity, WarningCode};

use crate::support::{
    MANAGEMENT, PROD, RepoBuilder, STAGING, account, change, group, lines, live,
    live_permission_set, plan_of, repo,
};

fn permission_set(name: &str) -> PermissionSet {
    PermissionSet::new(PermissionSetName::parse(name).unwrap())
}

fn managed(arn: &str) -> ManagedPolicyArn {
    ManagedPolicyArn::parse(arn).unwrap()
}

const POLICY: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [{ "Effect": "Allow", "Action": ["ecs:UpdateService"], "Resource": "*" }]
}"#;

#[test]
fn a_missing_permission_set_is_created() {
    let repo = repo()
        .account(account("org-management").id(MANAGEMENT))
        .permission_set("ReadOnly")
        .build();
    let plan = plan_of(&repo, &live().build());
    assert_eq!(lines(&plan), ["create permission_set/ReadOnly"]);
    let Some(Resource::PermissionSet(after)) = &plan.changes[0].after else {
        panic!("a permission-set create has a permission set after it");
    };
    assert_eq!(after.session_duration.as_deref(), Some("PT1H"));
}

#[test]
fn a_reformatted_inline_policy_is_no_change() {
    let mut set = permission_set("OnCall");
    set.inline_policy = Some(InlinePolicy::parse(POLICY).unwrap());
    let repo = repo()
        .account(account("org-management").id(MANAGEMENT))
        .permission_set_with(set)
        .build();
    let mut live_set = live_permission_set("OnCall");
    // AWS returns the document minified with its keys in another order.
    live_set.inline_policy = Some(
        r#"{"Statement":[{"Resource":"*","Action":["ecs:UpdateService"],"Effect":"Allow"}],"Version":"2012-10-17"}"#
            .to_owned(),
    );
    let plan = plan_of(&repo, &live().permission_set_with(live_set).build());
    assert!(plan.changes.is_empty(), "{:#?}", lines(&plan));
}

#[test]
fn an_edited_inline_policy_is_an_update_that_reprovisions_everywhere() {
    let mut set = permission_set("OnCall");
    set.inline_policy = Some(InlinePolicy::parse(POLICY).unwrap());
    let repo = repo()
        .account(account("org-management").id(MANAGEMENT))
        .account(account("payments-prod").id(PROD))
        .account(account("payments-staging").id(STAGING))
        .permission_set_with(set)
        .build();
    let mut live_set = live_permission_set("OnCall");
    live_set.inline_policy = Some(POLICY.replace("ecs:UpdateService", "ecs:*"));
    let live = live()
        .account(PROD, "payments-prod", None)
        .account(STAGING, "payments-staging", None)
        .permission_set_with(live_set)
        .provisioned("OnCall", PROD, true)
        .provisioned("OnCall", STAGING, true)
        .build();
    let plan = plan_of(&repo, &live);
    let update = change(&plan, "permission_set/OnCall");
    assert_eq!(update.action, Action::Update);
    assert_eq!(update.fields.len(), 1);
    assert_eq!(update.fields[0].field, "inline_policy");
    // Parsed documents, so a renderer can show them pretty-printed.
    assert_eq!(
        update.fields[0].after["Statement"][0]["Action"][0],
        "ecs:UpdateService"
    );
    let provisioned: Vec<&str> = update
        .provision
        .iter()
        .map(|account| account.name.as_str())
        .collect();
    assert_eq!(provisioned, ["payments-prod", "payments-staging"]);
    assert!(
        update
            .reason
            .contains("re-provisions the role in 2 accounts")
    );
}

#[test]
fn policy_lists_compare_as_sets_and_durations_by_length() {
    let mut set = permission_set("ReadOnly");
    set.managed_policies = vec![
        managed("arn:aws:iam::aws:policy/ReadOnlyAccess"),
        managed("arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"),
    ];
    set.session_duration = SessionDuration::parse("PT8H").unwrap();
    let repo = repo()
        .account(account("org-management").id(MANAGEMENT))
        .permission_set_with(set.clone())
        .build();
    let mut live_set = live_permission_set("ReadOnly");
    live_set.managed_policies = vec![
        "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess".to_owned(),
        "arn:aws:iam::aws:policy/ReadOnlyAccess".to_owned(),
    ];
    live_set.session_duration = Some("PT480M".to_owned());
    let plan = plan_of(&repo, &live().permission_set_with(live_set.clone()).build());
    assert!(plan.changes.is_empty(), "{:#?}", lines(&plan));

    live_set.managed_policies.pop();
    let plan = plan_of(&repo, &live().permission_set_with(live_set).build());
    let update = change(&plan, "permission_set/ReadOnly");
    assert_eq!(update.fields[0].field, "managed_policies");
    assert!(update.provision.is_empty());
}

#[test]
fn an_outdated_but_unchanged_permission_set_is_provisioned() {
    let repo = repo()
        .account(account("org-management").id(MANAGEMENT))
        .account(account("payments-prod").id(PROD))
        .account(account("payments-staging").id(STAGING))
        .permission_set("ReadOnly")
        .build();
    let live = live()
        .account(PROD, "payments-prod", None)
        .account(STAGING, "payments-staging", None)
        .permission_set("ReadOnly")
        .provisioned("ReadOnly", PROD, false)
        .provisioned("ReadOnly", STAGING, true)
        .build();
    let plan = plan_of(&repo, &live);
    assert_eq!(lines(&plan), ["provision permission_set/ReadOnly"]);
    let provision = &plan.changes[0];
    assert_eq!(provision.cause, Cause::Outdated);
    assert_eq!(provision.provision.len(), 1);
    assert_eq!(provision.provision[0].name, "payments-prod");
    assert_eq!(plan.summary().change, 1);
}

#[test]
fn an_undeclared_permission_set_is_deleted_under_exclusive_after_its_assignments() {
    let repo = repo()
        .account(account("org-management").id(MANAGEMENT))
        .account(account("payments-prod").id(PROD))
        .build();
    let live = live()
        .account(PROD, "payments-prod", None)
        .permission_set("Legacy")
        .group("engineers", &[])
        .assign(PROD, "Legacy", &group("engineers"))
        .build();
    let plan = plan_of(&repo, &live);
    assert_eq!(
        lines(&plan),
        [
            "delete assignment/payments-prod/Legacy/group:engineers",
            "delete permission_set/Legacy",
        ]
    );
    let not_exclusive = repo_not_exclusive(&repo);
    let plan = plan_of(&not_exclusive, &live);
    assert!(plan.changes.is_empty(), "{:#?}", lines(&plan));
    assert_eq!(
        plan.unmanaged.permission_sets[0].kept_because,
        KeptBecause::NotExclusive
    );
}

fn repo_not_exclusive(repo: &monban_model::Repo) -> monban_model::Repo {
    let mut repo = repo.clone();
    repo.settings.safety.exclusive = false;
    repo
}

#[test]
fn a_permission_set_still_assigned_on_an_undeclared_account_is_not_deleted() {
    let repo = repo()
        .account(account("org-management").id(MANAGEMENT))
        .account(account("payments-prod").id(PROD))
        .build();
    let live = live()
        .account(PROD, "payments-prod", None)
        .account(STAGING, "legacy-staging", None)
        .permission_set("Legacy")
        .group("engineers", &[])
        .assign(PROD, "Legacy", &group("engineers"))
        .assign(STAGING, "Legacy", &group("engineers"))
        .build();
    let plan = plan_of(&repo, &live);
    // The assignment on the declared account goes; the permission set stays.
    assert_eq!(
        lines(&plan),
        ["delete assignment/payments-prod/Legacy/group:engineers"]
    );
    assert_eq!(
        plan.unmanaged.permission_sets[0].kept_because,
        KeptBecause::StillAssigned
    );
    let warning = plan
        .warnings
        .iter()
        .find(|warning| warning.code == WarningCode::PermissionSetStillAssigned)
        .unwrap();
    assert!(warning.message.contains("legacy-staging"));
}

#[test]
fn a_rename_is_a_replacement_with_a_loud_warning() {
    let repo = repo()
        .account(account("org-management").id(MANAGEMENT))
        .account(
            account("payments-prod")
                .id(PROD)
                .grant("Operator", group("sre")),
        )
        .account(
            account("payments-staging")
                .id(STAGING)
                .grant("Operator", group("sre")),
        )
        .permission_set("Operator")
        .build();
    let live = live()
        .account(PROD, "payments-prod", None)
        .account(STAGING, "payments-staging", None)
        .permission_set("OnCallOperator")
        .provisioned("OnCallOperator", PROD, true)
        .provisioned("OnCallOperator", STAGING, true)
        .user("alice")
        .group("sre", &["alice"])
        .assign(PROD, "OnCallOperator", &group("sre"))
        .assign(STAGING, "OnCallOperator", &group("sre"))
        .build();
    let plan = plan_of(&repo, &live);
    assert_eq!(
        lines(&plan),
        [
            "replace permission_set/Operator",
            "create assignment/payments-prod/Operator/group:sre",
            "create assignment/payments-staging/Operator/group:sre",
            "delete assignment/payments-prod/OnCallOperator/group:sre",
            "delete assignment/payments-staging/OnCallOperator/group:sre",
        ]
    );
    let replace = change(&plan, "permission_set/Operator");
    assert_eq!(
        replace.cause,
        Cause::Renamed {
            from: "OnCallOperator".to_owned()
        }
    );
    assert_eq!(replace.provision.len(), 2);
    assert_eq!(
        change(&plan, "assignment/payments-prod/OnCallOperator/group:sre").cause,
        Cause::Replaced {
            by: "Operator".to_owned()
        }
    );
    let warning = plan
        .warnings
        .iter()
        .find(|warning| warning.code == WarningCode::PermissionSetReplaced)
        .unwrap();
    assert_eq!(warning.severity, Severity::Warning);
    assert!(warning.message.starts_with("RENAME = REPLACEMENT"));
    assert!(warning.message.contains("new ARNs"));
    assert!(warning.message.contains("payments-prod, payments-staging"));
    let summary = plan.summary();
    assert_eq!((summary.add, summary.remove), (3, 3));
    // Alice's access moves from the old name to the new one on both accounts.
    assert_eq!(plan.access[0].gains.len(), 2);
    assert_eq!(plan.access[0].losses.len(), 2);
}

#[test]
fn a_new_permission_set_with_different_content_is_no_rename() {
    let mut set = permission_set("Operator");
    set.session_duration = SessionDuration::parse("PT4H").unwrap();
    let repo = repo()
        .account(account("org-management").id(MANAGEMENT))
        .permission_set_with(set)
        .build();
    let plan = plan_of(&repo, &live().permission_set("OnCallOperator").build());
    assert_eq!(
        lines(&plan),
        [
            "create permission_set/Operator",
            "delete permission_set/OnCallOperator"
        ]
    );
    assert!(
        !plan
            .warnings
            .iter()
            .any(|warning| warning.code == WarningCode::PermissionSetReplaced)
    );
}

#[test]
fn without_an_identity_center_instance_the_plan_is_incomplete() {
    let repo = repo()
        .account(account("org-management").id(MANAGEMENT))
        .permission_set("ReadOnly")
        .build();
    let plan = plan_of(&repo, &live().without_instance().build());
    assert_eq!(
        plan.changes[0].blocked_by,
        [monban_plan::Blocker::NoIdentityCenterInstance]
    );
    assert!(!plan.complete && !plan.applyable);
}

#[test]
fn a_permission_set_assigned_on_a_closing_account_is_kept_until_the_account_is_gone() {
    let repo = repo()
        .account(account("org-management").id(MANAGEMENT))
        .account(account("old-sandbox").id(PROD).close())
        .build();
    let live = live()
        .account(PROD, "old-sandbox", None)
        .permission_set("Legacy")
        .group("engineers", &[])
        .assign(PROD, "Legacy", &group("engineers"))
        .build();
    let plan = plan_of(&repo, &live);
    assert_eq!(lines(&plan), ["close account/old-sandbox"]);
    let warning = plan
        .warnings
        .iter()
        .find(|warning| warning.code == WarningCode::PermissionSetStillAssigned)
        .unwrap();
    assert!(
        warning.message.contains("old-sandbox"),
        "{}",
        warning.message
    );
}

/// The warning of one code (panics when there is none).
fn warning_of(plan: &monban_plan::Plan, code: WarningCode) -> &monban_plan::Warning {
    plan.warnings
        .iter()
        .find(|warning| warning.code == code)
        .unwrap_or_else(|| panic!("no {code:?} warning: {:#?}", plan.warnings))
}

#[test]
fn an_undeclared_permission_set_provisioned_where_nobody_is_assigned_it_is_kept() {
    // ProvisionPermissionSet called directly on staging: no assignment there to delete,
    // and DeletePermissionSet is refused while it is provisioned anywhere.
    let repo = repo()
        .account(account("org-management").id(MANAGEMENT))
        .account(account("payments-staging").id(STAGING))
        .build();
    let live = live()
        .account(STAGING, "payments-staging", None)
        .permission_set("Legacy")
        .provisioned("Legacy", STAGING, true)
        .build();
    let plan = plan_of(&repo, &live);
    assert!(plan.changes.is_empty(), "{:#?}", lines(&plan));
    assert!(plan.applyable);
    assert_eq!(
        plan.unmanaged.permission_sets[0].kept_because,
        KeptBecause::StillProvisioned
    );
    let warning = warning_of(&plan, WarningCode::PermissionSetStillProvisioned);
    assert_eq!(warning.severity, Severity::Warning);
    assert!(
        warning.message.contains("`Legacy`")
            && warning
                .message
                .contains(&format!("payments-staging ({STAGING})"))
            && warning.message.contains("console"),
        "{}",
        warning.message
    );
    assert!(
        !plan
            .warnings
            .iter()
            .any(|warning| warning.code == WarningCode::PermissionSetStillAssigned)
    );
}

#[test]
fn a_permission_set_is_deleted_only_when_the_plan_deletes_its_last_assignment_everywhere_it_is_provisioned()
 {
    let repo = repo()
        .account(account("org-management").id(MANAGEMENT))
        .account(account("payments-prod").id(PROD))
        .account(account("payments-staging").id(STAGING))
        .build();
    let assigned = live()
        .account(PROD, "payments-prod", None)
        .account(STAGING, "payments-staging", None)
        .permission_set("Legacy")
        .provisioned("Legacy", PROD, true)
        .provisioned("Legacy", STAGING, true)
        .group("engineers", &[])
        .assign(PROD, "Legacy", &group("engineers"))
        .assign(STAGING, "Legacy", &group("engineers"));
    // Every provisioned account loses its last assignment: deprovisioned, then deleted.
    let plan = plan_of(&repo, &assigned.clone().build());
    assert_eq!(
        lines(&plan),
        [
            "delete assignment/payments-prod/Legacy/group:engineers",
            "delete assignment/payments-staging/Legacy/group:engineers",
            "delete permission_set/Legacy",
        ]
    );
    // Also provisioned in the management account, where nobody is assigned it: the
    // assignments still go (exclusive), the permission set stays.
    let plan = plan_of(
        &repo,
        &assigned.provisioned("Legacy", MANAGEMENT, true).build(),
    );
    assert_eq!(
        lines(&plan),
        [
            "delete assignment/payments-prod/Legacy/group:engineers",
            "delete assignment/payments-staging/Legacy/group:engineers",
        ]
    );
    assert!(plan.applyable);
    assert_eq!(
        plan.unmanaged.permission_sets[0].kept_because,
        KeptBecause::StillProvisioned
    );
    let message = &warning_of(&plan, WarningCode::PermissionSetStillProvisioned).message;
    assert!(
        message.contains(&format!(
            "in 1 account where nobody is assigned it (org-management ({MANAGEMENT}))"
        )),
        "{message}"
    );
}

#[test]
fn still_assigned_and_still_provisioned_are_both_reported() {
    let repo = repo()
        .account(account("org-management").id(MANAGEMENT))
        .build();
    let live = live()
        .account(PROD, "legacy-prod", None)
        .account(STAGING, "legacy-staging", None)
        .permission_set("Legacy")
        .provisioned("Legacy", PROD, true)
        .provisioned("Legacy", STAGING, true)
        .group("engineers", &[])
        .assign(PROD, "Legacy", &group("engineers"))
        .build();
    let plan = plan_of(&repo, &live);
    assert!(plan.changes.is_empty(), "{:#?}", lines(&plan));
    assert_eq!(
        plan.unmanaged.permission_sets[0].kept_because,
        KeptBecause::StillAssigned
    );
    assert!(
        warning_of(&plan, WarningCode::PermissionSetStillAssigned)
            .message
            .contains("legacy-prod")
    );
    let provisioned = &warning_of(&plan, WarningCode::PermissionSetStillProvisioned).message;
    assert!(
        provisioned.contains("legacy-staging") && !provisioned.contains("legacy-prod"),
        "{provisioned}"
    );
}

#[test]
fn a_rename_whose_old_permission_set_stays_provisioned_is_a_create_and_a_kept_set() {
    let repo = repo()
        .account(account("org-management").id(MANAGEMENT))
        .account(
            account("payments-prod")
                .id(PROD)
                .grant("Operator", group("sre")),
        )
        .permission_set("Operator")
        .build();
    let live = live()
        .account(PROD, "payments-prod", None)
        .account(STAGING, "payments-staging", None)
        .permission_set("OnCallOperator")
        .provisioned("OnCallOperator", PROD, true)
        .provisioned("OnCallOperator", STAGING, true)
        .group("sre", &[])
        .assign(PROD, "OnCallOperator", &group("sre"))
        .build();
    let plan = plan_of(&repo, &live);
    // Replacing would end in a DeletePermissionSet AWS refuses (staging keeps it).
    assert_eq!(
        lines(&plan),
        [
            "create permission_set/Operator",
            "create assignment/payments-prod/Operator/group:sre",
            "delete assignment/payments-prod/OnCallOperator/group:sre",
        ]
    );
    assert!(plan.applyable);
    assert_eq!(
        plan.unmanaged.permission_sets[0].kept_because,
        KeptBecause::StillProvisioned
    );
    assert!(
        !plan
            .warnings
            .iter()
            .any(|warning| warning.code == WarningCode::PermissionSetReplaced)
    );
}

/// The live side of the case-only rename tests: `Deploy`, assigned and provisioned on
/// payments-prod.
fn live_deploy() -> monban_model::LiveState {
    live()
        .account(PROD, "payments-prod", None)
        .permission_set("Deploy")
        .provisioned("Deploy", PROD, true)
        .user("alice")
        .group("engineers", &["alice"])
        .assign(PROD, "Deploy", &group("engineers"))
        .build()
}

fn repo_deploy(name: &str) -> RepoBuilder {
    repo()
        .account(account("org-management").id(MANAGEMENT))
        .account(
            account("payments-prod")
                .id(PROD)
                .grant(name, group("engineers")),
        )
}

#[test]
fn a_case_only_rename_is_a_blocked_replacement_with_an_error() {
    let plan = plan_of(
        &repo_deploy("deploy").permission_set("deploy").build(),
        &live_deploy(),
    );
    assert_eq!(
        lines(&plan),
        [
            "replace permission_set/deploy",
            "create assignment/payments-prod/deploy/group:engineers",
            "delete assignment/payments-prod/Deploy/group:engineers",
        ]
    );
    assert_eq!(
        change(&plan, "permission_set/deploy").blocked_by,
        [Blocker::PermissionSetNameClash {
            permission_set: "Deploy".to_owned()
        }]
    );
    assert!(!plan.applyable);
    let error = warning_of(&plan, WarningCode::PermissionSetNameClash);
    assert_eq!(error.severity, Severity::Error);
    assert!(
        error
            .message
            .contains("`deploy` cannot be created while `Deploy` exists")
            && error.message.contains("two plans")
            && error.message.contains("keep the name `Deploy`"),
        "{}",
        error.message
    );
}

#[test]
fn a_name_that_differs_from_a_live_one_only_in_case_is_never_created() {
    // Not exclusive: no rename, and `Deploy` stays — still `deploy` cannot be created.
    let repo = repo_deploy("deploy")
        .permission_set("deploy")
        .exclusive(false)
        .build();
    let plan = plan_of(&repo, &live_deploy());
    assert_eq!(
        lines(&plan),
        [
            "create permission_set/deploy",
            "create assignment/payments-prod/deploy/group:engineers",
        ]
    );
    assert_eq!(
        change(&plan, "permission_set/deploy").blocked_by,
        [Blocker::PermissionSetNameClash {
            permission_set: "Deploy".to_owned()
        }]
    );
    assert!(!plan.applyable);
    // Different content under exclusive: a create and a delete, the create blocked.
    let mut set = permission_set("deploy");
    set.session_duration = SessionDuration::parse("PT4H").unwrap();
    let plan = plan_of(
        &repo_deploy("deploy").permission_set_with(set).build(),
        &live_deploy(),
    );
    assert_eq!(
        lines(&plan),
        [
            "create permission_set/deploy",
            "create assignment/payments-prod/deploy/group:engineers",
            "delete assignment/payments-prod/Deploy/group:engineers",
            "delete permission_set/Deploy",
        ]
    );
    assert!(!change(&plan, "permission_set/deploy").is_applyable());
    assert!(!plan.applyable);
    // Keeping the old case plans nothing at all.
    let plan = plan_of(
        &repo_deploy("Deploy").permission_set("Deploy").build(),
        &live_deploy(),
    );
    assert!(plan.changes.is_empty(), "{:#?}", lines(&plan));
    assert!(
        plan.applyable && plan.warnings.is_empty(),
        "{:#?}",
        plan.warnings
    );
}

#[test]
fn two_declared_names_that_differ_only_in_case_are_both_blocked() {
    let repo = repo()
        .account(account("org-management").id(MANAGEMENT))
        .permission_set("Deploy")
        .permission_set("deploy")
        .build();
    let plan = plan_of(&repo, &live().build());
    assert_eq!(
        lines(&plan),
        [
            "create permission_set/Deploy",
            "create permission_set/deploy"
        ]
    );
    assert!(plan.changes.iter().all(|change| !change.is_applyable()));
    assert!(
        warning_of(&plan, WarningCode::PermissionSetNameClash)
            .message
            .contains("the repo declares permission sets")
    );
    assert!(!plan.applyable);
}
