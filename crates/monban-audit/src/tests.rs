//! Unit tests of the audit over hand-built live states: row expansion, every rule, the
//! declared side from a real plan of a loaded repo, the baseline diff, `--fail-on`, and
//! the JSON form.

use std::collections::BTreeMap;

use jiff::Timestamp;
use monban_model::{
    LiveAccount, LiveAccountStatus, LiveAssignment, LiveCaller, LiveGroup, LiveInstance,
    LiveMembership, LiveOrganization, LivePermissionSet, LivePrincipalType, LiveProvisioned,
    LiveState, LiveUser,
};

use crate::{
    AccessKeyRecord, AuditInput, CustomerManagedPolicyRecord, Declared, IamAccountError, IamScan,
    IamUserRecord, PolicyContent, Report, RowState, Severity, Via, audit, compare,
};

const MANAGEMENT: &str = "111111111111";
const PROD: &str = "222222222222";
const DEV: &str = "333333333333";
const ADMIN_ARN: &str = "arn:aws:sso:::permissionSet/ssoins-1/ps-admin";
const READ_ARN: &str = "arn:aws:sso:::permissionSet/ssoins-1/ps-read";
const UNUSED_ARN: &str = "arn:aws:sso:::permissionSet/ssoins-1/ps-unused";

fn now() -> Timestamp {
    "2026-11-29T12:00:00Z".parse().unwrap()
}

fn account(id: &str, name: &str) -> LiveAccount {
    LiveAccount {
        id: id.to_owned(),
        name: name.to_owned(),
        email: format!("aws-root+{name}@example.com"),
        status: LiveAccountStatus::Active,
        ou_path: (id != MANAGEMENT).then(|| "Workloads".to_owned()),
        tags: BTreeMap::new(),
    }
}

fn permission_set(arn: &str, name: &str, managed: &[&str], duration: &str) -> LivePermissionSet {
    LivePermissionSet {
        arn: arn.to_owned(),
        name: name.to_owned(),
        description: None,
        session_duration: Some(duration.to_owned()),
        relay_state: None,
        inline_policy: None,
        managed_policies: managed.iter().map(|arn| (*arn).to_owned()).collect(),
        customer_managed_policies: Vec::new(),
        permissions_boundary: None,
        tags: BTreeMap::new(),
    }
}

fn user(id: &str, name: &str, enabled: bool) -> LiveUser {
    LiveUser {
        id: id.to_owned(),
        user_name: name.to_owned(),
        display_name: Some(name.to_owned()),
        email: Some(name.to_owned()),
        enabled,
    }
}

fn group(id: &str, name: &str) -> LiveGroup {
    LiveGroup {
        id: id.to_owned(),
        display_name: name.to_owned(),
        description: None,
    }
}

fn assignment(account: &str, arn: &str, kind: LivePrincipalType, id: &str) -> LiveAssignment {
    LiveAssignment {
        account_id: account.to_owned(),
        permission_set_arn: arn.to_owned(),
        principal_type: kind,
        principal_id: id.to_owned(),
    }
}

/// (account, permission set, principal, state, declared in) of one assignment row.
type RowSummary = (String, String, String, Option<RowState>, Vec<String>);

/// Management, prod and dev; admins (bob) hold `AdministratorAccess` on prod, engineers
/// (alice, bob, carol the disabled) `ReadOnly` on prod and dev, alice `ReadOnly` directly on
/// dev, a deleted user `ReadOnly` on prod, an empty group `ReadOnly` on dev, breakglass
/// (bob) `AdministratorAccess` on management; `Unused` is assigned nowhere and has a 12-hour
/// session; `ReadOnly` is outdated in dev.
fn live() -> LiveState {
    use LivePrincipalType::{Group, User};
    LiveState {
        format_version: monban_model::LIVE_FORMAT_VERSION,
        read_at: now(),
        caller: LiveCaller {
            account_id: MANAGEMENT.to_owned(),
            is_management_account: true,
        },
        organization: LiveOrganization {
            id: "o-test".to_owned(),
            management_account_id: MANAGEMENT.to_owned(),
            root_id: "r-test".to_owned(),
        },
        ous: Vec::new(),
        accounts: vec![
            account(MANAGEMENT, "management"),
            account(PROD, "prod"),
            account(DEV, "dev"),
        ],
        account_creations: Vec::new(),
        invitations: Vec::new(),
        invitations_unreadable: None,
        instance: Some(LiveInstance {
            arn: "arn:aws:sso:::instance/ssoins-1".to_owned(),
            identity_store_id: "d-1".to_owned(),
        }),
        permission_sets: vec![
            permission_set(
                ADMIN_ARN,
                "AdministratorAccess",
                &["arn:aws:iam::aws:policy/AdministratorAccess"],
                "PT1H",
            ),
            permission_set(
                READ_ARN,
                "ReadOnly",
                &["arn:aws:iam::aws:policy/ReadOnlyAccess"],
                "PT8H",
            ),
            permission_set(UNUSED_ARN, "Unused", &[], "PT12H"),
        ],
        provisioned: vec![
            LiveProvisioned {
                permission_set_arn: READ_ARN.to_owned(),
                account_id: DEV.to_owned(),
                current: false,
            },
            LiveProvisioned {
                permission_set_arn: READ_ARN.to_owned(),
                account_id: PROD.to_owned(),
                current: true,
            },
        ],
        assignments: vec![
            assignment(PROD, ADMIN_ARN, Group, "g-admins"),
            assignment(PROD, READ_ARN, Group, "g-engineers"),
            assignment(DEV, READ_ARN, Group, "g-engineers"),
            assignment(DEV, READ_ARN, User, "u-alice"),
            assignment(PROD, READ_ARN, User, "u-gone"),
            assignment(DEV, READ_ARN, Group, "g-empty"),
            assignment(MANAGEMENT, ADMIN_ARN, Group, "g-breakglass"),
        ],
        users: vec![
            user("u-alice", "alice@example.com", true),
            user("u-bob", "bob@example.com", true),
            user("u-carol", "carol@example.com", false),
        ],
        groups: vec![
            group("g-admins", "admins"),
            group("g-breakglass", "breakglass"),
            group("g-empty", "empty"),
            group("g-engineers", "engineers"),
        ],
        memberships: vec![
            LiveMembership {
                group_id: "g-admins".to_owned(),
                user_id: "u-bob".to_owned(),
            },
            LiveMembership {
                group_id: "g-breakglass".to_owned(),
                user_id: "u-bob".to_owned(),
            },
            LiveMembership {
                group_id: "g-engineers".to_owned(),
                user_id: "u-alice".to_owned(),
            },
            LiveMembership {
                group_id: "g-engineers".to_owned(),
                user_id: "u-bob".to_owned(),
            },
            LiveMembership {
                group_id: "g-engineers".to_owned(),
                user_id: "u-carol".to_owned(),
            },
        ],
    }
}

fn input<'input>(
    live: &'input LiveState,
    iam: Option<&'input IamScan>,
    declared: Option<Declared<'input>>,
) -> AuditInput<'input> {
    AuditInput {
        live,
        declared,
        iam,
        now: now(),
        target: "embedded sandbox".to_owned(),
        tool_version: "0.1.0".to_owned(),
    }
}

fn keys(report: &Report) -> Vec<String> {
    report
        .findings
        .iter()
        .map(|finding| finding.key.clone())
        .collect()
}

#[test]
fn groups_are_expanded_and_deleted_users_kept() {
    let live = live();
    let report = audit(&input(&live, None, None));
    let rows: Vec<(String, String, String, String)> = report
        .inventory
        .iter()
        .map(|row| {
            (
                row.user_name.clone(),
                row.account_name.clone(),
                row.permission_set.clone(),
                row.via.to_string(),
            )
        })
        .collect();
    let expected = [
        ("alice@example.com", "dev", "ReadOnly", "direct"),
        ("alice@example.com", "dev", "ReadOnly", "group:engineers"),
        ("alice@example.com", "prod", "ReadOnly", "group:engineers"),
        ("bob@example.com", "dev", "ReadOnly", "group:engineers"),
        (
            "bob@example.com",
            "management",
            "AdministratorAccess",
            "group:breakglass",
        ),
        (
            "bob@example.com",
            "prod",
            "AdministratorAccess",
            "group:admins",
        ),
        ("bob@example.com", "prod", "ReadOnly", "group:engineers"),
        ("carol@example.com", "dev", "ReadOnly", "group:engineers"),
        ("carol@example.com", "prod", "ReadOnly", "group:engineers"),
        ("deleted:u-gone", "prod", "ReadOnly", "direct"),
    ];
    let expected: Vec<(String, String, String, String)> = expected
        .iter()
        .map(|(a, b, c, d)| {
            (
                (*a).to_owned(),
                (*b).to_owned(),
                (*c).to_owned(),
                (*d).to_owned(),
            )
        })
        .collect();
    assert_eq!(rows, expected);
    assert!(report.inventory.iter().all(|row| row.state.is_none()));
    assert_eq!(report.assignments.len(), 7);
    assert_eq!(report.people.len(), 4);
    assert_eq!(report.summary.people, 3);
    assert_eq!(report.summary.inventory_rows, 10);
    assert!(!report.repo);
    assert!(!report.iam_scanned);
}

#[test]
fn every_rule_fires_once_on_its_problem() {
    let live = live();
    let report = audit(&input(&live, None, None));
    let mut found = keys(&report);
    found.sort();
    let mut expected = vec![
        "admin-outside-break-glass:GROUP:g-admins:222222222222:AdministratorAccess",
        "direct-user-assignment:USER:u-alice:333333333333:ReadOnly",
        "disabled-user-access:u-carol:222222222222:ReadOnly",
        "disabled-user-access:u-carol:333333333333:ReadOnly",
        "group-without-members:g-empty",
        "long-session:Unused",
        "permission-set-outdated:ReadOnly:333333333333",
        "permission-set-unused:Unused",
        "principal-deleted:USER:u-gone:222222222222:ReadOnly",
    ];
    expected.sort_unstable();
    assert_eq!(found, expected);
    // Sorted by severity, most severe first.
    let severities: Vec<Severity> = report
        .findings
        .iter()
        .map(|finding| finding.severity)
        .collect();
    let mut sorted = severities.clone();
    sorted.sort_by(|left, right| right.cmp(left));
    assert_eq!(severities, sorted);
    assert_eq!(report.summary.findings.high, 4);
    assert_eq!(report.summary.findings.low, 4);
    assert_eq!(report.summary.findings.medium, 1);
}

#[test]
fn management_account_access_outside_break_glass_is_reported() {
    let mut live = live();
    live.assignments.push(assignment(
        MANAGEMENT,
        READ_ARN,
        LivePrincipalType::Group,
        "g-engineers",
    ));
    let report = audit(&input(&live, None, None));
    assert!(keys(&report).contains(
        &"management-account-assignment:GROUP:g-engineers:111111111111:ReadOnly".to_owned()
    ));
    assert!(
        !keys(&report).iter().any(|key| key.contains("g-breakglass")),
        "break-glass is exempt"
    );
}

#[test]
fn a_permissions_boundary_makes_administrator_access_bounded() {
    let mut live = live();
    live.permission_sets[0].permissions_boundary =
        Some(monban_model::LivePermissionsBoundary::ManagedPolicy(
            "arn:aws:iam::aws:policy/PowerUserAccess".to_owned(),
        ));
    let report = audit(&input(&live, None, None));
    assert!(
        !keys(&report)
            .iter()
            .any(|key| key.starts_with("admin-outside-break-glass"))
    );
}

#[test]
fn inline_policy_lint() {
    let mut live = live();
    live.permission_sets[1].inline_policy = Some(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:PassRole"],"Resource":"*"}]}"#
            .to_owned(),
    );
    live.permission_sets[0].inline_policy = Some(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#
            .to_owned(),
    );
    let report = audit(&input(&live, None, None));
    let found = keys(&report);
    assert!(found.contains(&"passrole-wildcard:ReadOnly".to_owned()));
    assert!(found.contains(&"redundant-inline-policy:AdministratorAccess".to_owned()));
}

fn iam_scan() -> IamScan {
    let days_ago = |days: i64| now() - jiff::SignedDuration::from_hours(24 * days);
    IamScan {
        users: vec![
            IamUserRecord {
                account_id: PROD.to_owned(),
                user_name: "legacy-ci".to_owned(),
                created: days_ago(400),
                password_last_used: None,
                mfa_devices: 0,
                access_keys: vec![
                    AccessKeyRecord {
                        masked_id: "AKIA…0001".to_owned(),
                        status: "Active".to_owned(),
                        created: days_ago(200),
                        last_used: Some(days_ago(1)),
                        last_used_service: Some("s3".to_owned()),
                    },
                    AccessKeyRecord {
                        masked_id: "AKIA…0002".to_owned(),
                        status: "Active".to_owned(),
                        created: days_ago(30),
                        last_used: None,
                        last_used_service: None,
                    },
                    AccessKeyRecord {
                        masked_id: "AKIA…0003".to_owned(),
                        status: "Inactive".to_owned(),
                        created: days_ago(300),
                        last_used: None,
                        last_used_service: None,
                    },
                ],
            },
            IamUserRecord {
                account_id: DEV.to_owned(),
                user_name: "forgotten".to_owned(),
                created: days_ago(120),
                password_last_used: None,
                mfa_devices: 1,
                access_keys: vec![AccessKeyRecord {
                    masked_id: "AKIA…0004".to_owned(),
                    status: "Active".to_owned(),
                    created: days_ago(100),
                    last_used: Some(days_ago(95)),
                    last_used_service: Some("sts".to_owned()),
                }],
            },
        ],
        errors: vec![IamAccountError {
            account_id: MANAGEMENT.to_owned(),
            message: "AccessDenied".to_owned(),
        }],
        policies: Vec::new(),
    }
}

fn customer_managed(
    account_id: &str,
    path: &str,
    name: &str,
    content: PolicyContent,
) -> CustomerManagedPolicyRecord {
    CustomerManagedPolicyRecord {
        account_id: account_id.to_owned(),
        name: name.to_owned(),
        path: path.to_owned(),
        arn: format!("arn:aws:iam::{account_id}:policy{path}{name}"),
        content,
    }
}

const EVERYTHING: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*:*","Resource":"*"}]}"#;
const PASS_ANY_ROLE: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ec2:RunInstances","iam:PassRole"],"Resource":"*"}]}"#;
const HARMLESS: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#;

/// `ReadOnly` (provisioned to prod and dev) referencing `/team/ops` and `/gone`, and the
/// scan of both accounts with `policies`.
fn with_customer_managed(policies: Vec<CustomerManagedPolicyRecord>) -> (LiveState, IamScan) {
    let mut live = live();
    live.permission_sets[1].customer_managed_policies = vec![
        monban_model::LiveCustomerManagedPolicy {
            name: "ops".to_owned(),
            path: "/team/".to_owned(),
        },
        monban_model::LiveCustomerManagedPolicy {
            name: "gone".to_owned(),
            path: "/".to_owned(),
        },
    ];
    let scan = IamScan {
        policies,
        ..IamScan::default()
    };
    (live, scan)
}

fn finding_of<'report>(report: &'report Report, key: &str) -> &'report crate::Finding {
    report
        .findings
        .iter()
        .find(|finding| finding.key == key)
        .unwrap_or_else(|| panic!("{key} in {:?}", keys(report)))
}

#[test]
fn customer_managed_policies_are_judged_per_account() {
    let (live, scan) = with_customer_managed(vec![
        customer_managed(
            PROD,
            "/team/",
            "ops",
            PolicyContent::Document(EVERYTHING.to_owned()),
        ),
        customer_managed(
            DEV,
            "/team/",
            "ops",
            PolicyContent::Document(PASS_ANY_ROLE.to_owned()),
        ),
        customer_managed(DEV, "/", "gone", PolicyContent::Missing),
        customer_managed(
            PROD,
            "/",
            "gone",
            PolicyContent::Unreadable(
                "AccessDenied: not authorized to perform iam:GetPolicy".to_owned(),
            ),
        ),
    ]);
    let without = audit(&input(&live, None, None));
    let report = audit(&input(&live, Some(&scan), None));
    let mut added: Vec<String> = keys(&report)
        .into_iter()
        .filter(|key| !keys(&without).contains(key))
        .collect();
    added.sort();
    // The administrator copy is in prod only: one finding per prod assignment of a living
    // principal (the deleted user's row says only that it is deleted), none in dev.
    assert_eq!(
        added,
        [
            "admin-outside-break-glass:GROUP:g-engineers:222222222222:ReadOnly",
            "customer-managed-policy-missing:ReadOnly:333333333333:/gone",
            "passrole-wildcard:ReadOnly",
        ]
    );
    let admin = finding_of(
        &report,
        "admin-outside-break-glass:GROUP:g-engineers:222222222222:ReadOnly",
    );
    assert!(
        admin
            .explanation
            .contains("customer managed policy /team/ops in account prod (222222222222)"),
        "{}",
        admin.explanation
    );
    let pass_role = finding_of(&report, "passrole-wildcard:ReadOnly");
    assert!(
        pass_role.explanation.contains(
            "customer managed policy /team/ops allows iam:PassRole on `*` in dev (333333333333)"
        ),
        "{}",
        pass_role.explanation
    );
    assert!(
        !pass_role.explanation.contains("prod"),
        "{}",
        pass_role.explanation
    );
    let missing = finding_of(
        &report,
        "customer-managed-policy-missing:ReadOnly:333333333333:/gone",
    );
    assert_eq!(missing.severity, Severity::Medium);
    assert_eq!(
        missing.account.as_ref().map(|account| account.id.as_str()),
        Some(DEV)
    );
    // The unreadable copy is a scan error naming the policy, not a finding.
    assert_eq!(report.iam_scan_errors.len(), 1);
    assert_eq!(report.iam_scan_errors[0].account_id, PROD);
    assert!(
        report.iam_scan_errors[0]
            .message
            .contains("arn:aws:iam::222222222222:policy/gone"),
        "{}",
        report.iam_scan_errors[0].message
    );
}

#[test]
fn copies_that_agree_are_listed_together_and_harmless_ones_say_nothing() {
    let (live, scan) = with_customer_managed(vec![
        customer_managed(
            PROD,
            "/team/",
            "ops",
            PolicyContent::Document(PASS_ANY_ROLE.to_owned()),
        ),
        customer_managed(
            DEV,
            "/team/",
            "ops",
            PolicyContent::Document(PASS_ANY_ROLE.to_owned()),
        ),
        customer_managed(
            PROD,
            "/",
            "gone",
            PolicyContent::Document(HARMLESS.to_owned()),
        ),
        customer_managed(
            DEV,
            "/",
            "gone",
            PolicyContent::Document(HARMLESS.to_owned()),
        ),
    ]);
    let report = audit(&input(&live, Some(&scan), None));
    let pass_role = finding_of(&report, "passrole-wildcard:ReadOnly");
    assert!(
        pass_role
            .explanation
            .contains("in dev (333333333333), prod (222222222222)"),
        "{}",
        pass_role.explanation
    );
    let (live, scan) = with_customer_managed(vec![
        customer_managed(
            PROD,
            "/team/",
            "ops",
            PolicyContent::Document(HARMLESS.to_owned()),
        ),
        customer_managed(
            DEV,
            "/team/",
            "ops",
            PolicyContent::Document(HARMLESS.to_owned()),
        ),
        customer_managed(
            PROD,
            "/",
            "gone",
            PolicyContent::Document(HARMLESS.to_owned()),
        ),
        customer_managed(
            DEV,
            "/",
            "gone",
            PolicyContent::Document(HARMLESS.to_owned()),
        ),
    ]);
    assert_eq!(
        keys(&audit(&input(&live, Some(&scan), None))),
        keys(&audit(&input(&live, None, None)))
    );
    // A permissions boundary makes an administrator copy bounded, as it does a managed one.
    let (mut live, scan) = with_customer_managed(vec![customer_managed(
        PROD,
        "/team/",
        "ops",
        PolicyContent::Document(EVERYTHING.to_owned()),
    )]);
    live.permission_sets[1].permissions_boundary =
        Some(monban_model::LivePermissionsBoundary::ManagedPolicy(
            "arn:aws:iam::aws:policy/PowerUserAccess".to_owned(),
        ));
    assert!(
        !keys(&audit(&input(&live, Some(&scan), None)))
            .iter()
            .any(|key| key.starts_with("admin-outside-break-glass:GROUP:g-engineers"))
    );
}

#[test]
fn iam_users_and_their_keys() {
    let live = live();
    let scan = iam_scan();
    let report = audit(&input(&live, Some(&scan), None));
    let iam_keys: Vec<&str> = report
        .findings
        .iter()
        .filter(|finding| finding.rule.starts_with("iam-"))
        .map(|finding| finding.key.as_str())
        .collect();
    assert_eq!(
        iam_keys,
        [
            "iam-user-old-key:222222222222:legacy-ci:AKIA…0001",
            "iam-user-old-key:333333333333:forgotten:AKIA…0004",
            "iam-user-unused-key:333333333333:forgotten:AKIA…0004",
            "iam-user:222222222222:legacy-ci",
            "iam-user:333333333333:forgotten",
        ]
    );
    assert_eq!(report.iam_users[0].account_name, "dev");
    assert_eq!(report.iam_users[1].access_keys[0].age_days, 200);
    assert_eq!(report.iam_scan_errors[0].account_name, "management");
    assert!(report.iam_scanned);
}

#[test]
fn fail_on_counts_only_at_or_above_the_threshold() {
    let live = live();
    let report = audit(&input(&live, None, None));
    assert!(report.fails_at(Severity::High));
    assert!(report.fails_at(Severity::Info));
    assert!(!report.fails_at(Severity::Critical));
    assert_eq!(Severity::parse("HIGH"), Some(Severity::High));
    assert_eq!(Severity::parse("severe"), None);
}

#[test]
fn json_round_trips_and_refuses_other_versions() {
    let live = live();
    let scan = iam_scan();
    let report = audit(&input(&live, Some(&scan), None));
    let json = report.to_json();
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value["format_version"], 1);
    assert_eq!(value["generated_at"], "2026-11-29T12:00:00Z");
    assert_eq!(value["inventory"][0]["via"]["kind"], "direct");
    assert_eq!(value["inventory"][1]["via"]["kind"], "group");
    assert_eq!(value["inventory"][1]["via"]["group_name"], "engineers");
    assert_eq!(value["assignments"][0]["principal_type"], "USER");
    assert_eq!(value["findings"][0]["severity"], "high");
    assert!(value["findings"][0]["principal"]["type"].is_string());
    assert!(value["baseline"].is_null());
    assert_eq!(value["summary"]["findings"]["critical"], 0);
    assert!(!json.contains("AKIAMONBAN"), "no whole key id");
    assert_eq!(Report::from_json(&json).unwrap(), report);
    let other = json.replacen("\"format_version\": 1", "\"format_version\": 7", 1);
    assert!(Report::from_json(&other).is_err());
    assert!(Report::from_json("{}").is_err());
}

#[test]
fn baseline_reports_exactly_what_changed() {
    let before_state = live();
    let before = audit(&input(&before_state, None, None));
    let mut after_state = live();
    // alice's direct grant goes, dave joins admins.
    after_state
        .assignments
        .retain(|assignment| assignment.principal_id != "u-alice");
    after_state
        .users
        .push(user("u-dave", "dave@example.com", true));
    after_state.memberships.push(LiveMembership {
        group_id: "g-admins".to_owned(),
        user_id: "u-dave".to_owned(),
    });
    let after = audit(&input(&after_state, None, None));
    let diff = compare(&after, &before);
    let describe = |rows: &[crate::InventoryRow]| -> Vec<String> {
        rows.iter()
            .map(|row| {
                format!(
                    "{} {} {} {}",
                    row.user_name, row.account_name, row.permission_set, row.via
                )
            })
            .collect()
    };
    assert_eq!(
        describe(&diff.access_added),
        ["dave@example.com prod AdministratorAccess group:admins"]
    );
    assert_eq!(
        describe(&diff.access_removed),
        ["alice@example.com dev ReadOnly direct"]
    );
    assert!(diff.findings_new.is_empty(), "{:?}", diff.findings_new);
    assert_eq!(
        diff.findings_resolved
            .iter()
            .map(|finding| finding.key.as_str())
            .collect::<Vec<_>>(),
        ["direct-user-assignment:USER:u-alice:333333333333:ReadOnly"]
    );
    assert_eq!(diff.generated_at, before.generated_at);
}

#[test]
fn paths_answer_why() {
    let live = live();
    let report = audit(&input(&live, None, None));
    let paths: Vec<String> = report
        .paths("alice@example.com", "dev")
        .iter()
        .map(|row| row.via.to_string())
        .collect();
    assert_eq!(paths, ["direct", "group:engineers"]);
    assert!(report.paths("alice@example.com", "management").is_empty());
    assert_eq!(report.paths("u-bob", PROD).len(), 2);
}

/// A repo declaring part of the live state: the rest is live-only, what it declares and
/// AWS lacks is declared-missing, and the rows say where the repo declares them.
#[test]
fn declared_side_comes_from_the_plan() {
    let dir = tempfile::tempdir().unwrap();
    let files = [
        (
            "monban.yaml",
            "organization:\n  management_account: management\n  ous: [Workloads]\nidentity_center:\n  region: us-east-1\n  identity_source: external\nsafety:\n  exclusive: false\n",
        ),
        (
            "accounts/management.yaml",
            "id: \"111111111111\"\naccess:\n  AdministratorAccess:\n    - group: breakglass\n",
        ),
        (
            "accounts/prod.yaml",
            "id: \"222222222222\"\nou: Workloads\naccess:\n  ReadOnly:\n    - group: engineers\n    - user: bob@example.com\n",
        ),
        ("accounts/dev.yaml", "id: \"333333333333\"\nou: Workloads\n"),
        (
            "rules/engineers.yaml",
            "- permission_set: ReadOnly\n  principals: [{ group: engineers }]\n  accounts: { ou: Workloads }\n",
        ),
        (
            "permission-sets/AdministratorAccess.yaml",
            "session_duration: PT1H\nmanaged_policies: [arn:aws:iam::aws:policy/AdministratorAccess]\n",
        ),
        (
            "permission-sets/ReadOnly.yaml",
            "session_duration: PT8H\nmanaged_policies: [arn:aws:iam::aws:policy/ReadOnlyAccess]\n",
        ),
        (
            "groups.yaml",
            "groups: [breakglass, engineers]\nusers: [bob@example.com]\n",
        ),
    ];
    for (path, text) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let today = jiff::civil::date(2026, 11, 29);
    let (repo, diagnostics) = monban_config::load_repo(
        dir.path(),
        &monban_config::LoadOptions::new().with_today(today),
    )
    .unwrap();
    assert!(!diagnostics.has_errors(), "{diagnostics:?}");
    let live = live();
    let plan = monban_plan::plan(
        &repo,
        &live,
        &monban_plan::PlanContext::new(today, monban_plan::TargetEndpoint::EmbeddedSandbox),
    );
    let report = audit(&input(
        &live,
        None,
        Some(Declared {
            repo: &repo,
            plan: &plan,
        }),
    ));
    let states: Vec<RowSummary> = report
        .assignments
        .iter()
        .map(|row| {
            (
                row.account_name.clone(),
                row.permission_set.clone(),
                row.principal_name
                    .clone()
                    .unwrap_or_else(|| row.principal_id.clone()),
                row.state,
                row.declared_in.clone(),
            )
        })
        .collect();
    let row = |account: &str, set: &str, principal: &str, state, declared: &[&str]| {
        (
            account.to_owned(),
            set.to_owned(),
            principal.to_owned(),
            Some(state),
            declared
                .iter()
                .map(|text| (*text).to_owned())
                .collect::<Vec<_>>(),
        )
    };
    assert_eq!(
        states,
        [
            row(
                "dev",
                "ReadOnly",
                "alice@example.com",
                RowState::LiveOnly,
                &[]
            ),
            row("dev", "ReadOnly", "empty", RowState::LiveOnly, &[]),
            row(
                "dev",
                "ReadOnly",
                "engineers",
                RowState::Declared,
                &["rules/engineers.yaml#1"]
            ),
            row(
                "management",
                "AdministratorAccess",
                "breakglass",
                RowState::Declared,
                &["accounts/management.yaml"]
            ),
            row(
                "prod",
                "AdministratorAccess",
                "admins",
                RowState::LiveOnly,
                &[]
            ),
            row("prod", "ReadOnly", "u-gone", RowState::LiveOnly, &[]),
            row(
                "prod",
                "ReadOnly",
                "bob@example.com",
                RowState::DeclaredMissing,
                &["accounts/prod.yaml"]
            ),
            row(
                "prod",
                "ReadOnly",
                "engineers",
                RowState::Declared,
                &["accounts/prod.yaml", "rules/engineers.yaml#1"]
            ),
        ]
    );
    let found = keys(&report);
    assert!(found.contains(
        &"live-only-assignment:GROUP:g-admins:222222222222:AdministratorAccess".to_owned()
    ));
    assert!(found.contains(
        &"declared-missing-assignment:USER:bob@example.com:222222222222:ReadOnly".to_owned()
    ));
    // The deleted user's row is reported once, as deleted, not also as live-only.
    assert!(
        !found
            .iter()
            .any(|key| key.starts_with("live-only-assignment:USER:u-gone"))
    );
    assert_eq!(
        report
            .permission_sets
            .iter()
            .map(|set| (set.name.as_str(), set.declared))
            .collect::<Vec<_>>(),
        [
            ("AdministratorAccess", Some(true)),
            ("ReadOnly", Some(true)),
            ("Unused", Some(false))
        ]
    );
    let bob_rows: Vec<&crate::InventoryRow> = report
        .inventory
        .iter()
        .filter(|row| row.user_name == "bob@example.com" && row.via == Via::Direct)
        .collect();
    assert_eq!(bob_rows.len(), 1);
    assert_eq!(bob_rows[0].state, Some(RowState::DeclaredMissing));
}
