//! `monban audit` and `monban show why` on the real binary, against a standalone sandbox
//! with the example organization (`examples/holding`) applied:
//!
//! - the clean organization's findings are exactly the ones its design implies;
//! - planted problems — a console-made assignment, a deleted user still assigned, a
//!   disabled user in a group, an IAM user with a 200-day-old key, an unused permission
//!   set, a permission set whose customer managed policy grants `*:*` in the account —
//!   each add exactly their findings, once, and nothing else (a harmless customer managed
//!   policy adds none; the example's own, deployed by the baseline, never did);
//! - `--fail-on`, CSV, `show why`;
//! - a baseline: apply one change, re-audit against the previous JSON, exactly that change.

use std::collections::BTreeSet;
use std::path::Path;

use predicates::prelude::*;
use serde_json::{Value, json};

use crate::support::{ACCESS_KEY_ID, Repo, SECRET_ACCESS_KEY, Served, monban, monban_with_keys};

/// (rule, principal name, account name, permission set) — ids differ per run.
type Finding = (String, String, String, String);

/// The example applied to a fresh standalone sandbox.
struct Organization {
    served: Served,
    repo: Repo,
}

impl Organization {
    fn applied() -> Self {
        // The customer managed policies the example's permission sets reference, deployed
        // into every account as a real organization's baseline would.
        let served = Served::start(&[
            "--async-duration",
            "0.05",
            "--baseline-policy",
            "tessera-developer-guardrails:/tessera/",
            "--baseline-policy",
            "tessera-developer-workloads:/tessera/",
            "--baseline-policy",
            "tessera-sandbox-boundary:/tessera/boundaries/",
        ]);
        let repo = Repo::new(&[]);
        monban(repo.home())
            .args(["init", "--example"])
            .arg(&repo.root)
            .assert()
            .success();
        seed_accounts(&served, &repo.root);
        monban_with_keys(repo.home())
            .args([
                "sandbox",
                "provision-idp",
                "--endpoint-url",
                &served.url,
                "--repo",
            ])
            .arg(&repo.root)
            .arg(repo.root.join("directory.yaml"))
            .assert()
            .success();
        monban_with_keys(repo.home())
            .args([
                "apply",
                "--auto-approve",
                "--endpoint-url",
                &served.url,
                "--repo",
            ])
            .arg(&repo.root)
            .assert()
            .success();
        Self { served, repo }
    }

    fn command(&self, arguments: &[&str]) -> assert_cmd::Command {
        let mut command = monban_with_keys(self.repo.home());
        command
            .args(arguments)
            .args(["--endpoint-url", &self.served.url, "--repo"])
            .arg(&self.repo.root);
        command
    }

    fn audit_json(&self, extra: &[&str]) -> Value {
        let mut arguments = vec!["audit", "--format", "json"];
        arguments.extend_from_slice(extra);
        let output = self.command(&arguments).output().expect("monban runs");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_slice(&output.stdout).expect("the report is JSON")
    }
}

/// Seeds the example's OUs and member accounts (name, root e-mail, OU) so that apply binds
/// them by e-mail instead of creating them: `CreateAccount` is paced at AWS's 0.1/s and
/// would make every run of this test minutes long. Everything else — tags, permission
/// sets, assignments — is applied by `monban apply`.
fn seed_accounts(served: &Served, root: &Path) {
    let mut ous = BTreeSet::new();
    let mut accounts = Vec::new();
    for entry in std::fs::read_dir(root.join("accounts")).expect("accounts/") {
        let path = entry.expect("an entry").path();
        let name = path
            .file_stem()
            .and_then(|stem| stem.to_str())
            .expect("a file stem")
            .to_owned();
        if name == "org-management" {
            continue;
        }
        let file = std::fs::read_to_string(&path).expect("an account file");
        let field = |key: &str| {
            file.lines()
                .find_map(|line| line.strip_prefix(key))
                .map(|value| value.trim().to_owned())
        };
        let email = field("email:").unwrap_or_else(|| format!("aws-root+{name}@example.com"));
        let ou = field("ou:").expect("every example account names its OU");
        let mut parent = String::new();
        for part in ou.split('/') {
            if !parent.is_empty() {
                parent.push('/');
            }
            parent.push_str(part);
            ous.insert(parent.clone());
        }
        accounts.push(json!({"name": name, "email": email, "ou": ou}));
    }
    let mut ous: Vec<String> = ous.into_iter().collect();
    ous.sort_by_key(|path| path.matches('/').count());
    served.control(
        "POST",
        "seed",
        &json!({"organizational_units": ous, "accounts": accounts}).to_string(),
    );
}

fn text(value: &Value) -> String {
    value.as_str().unwrap_or_default().to_owned()
}

fn findings(report: &Value) -> Vec<Finding> {
    let mut found: Vec<Finding> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|finding| {
            let principal = if finding["principal"]["name"].is_string() {
                text(&finding["principal"]["name"])
            } else if finding["principal"]["id"].is_string() {
                "<deleted>".to_owned()
            } else {
                String::new()
            };
            let account = text(&finding["account"]["name"]);
            (
                text(&finding["rule"]),
                principal,
                account,
                text(&finding["permission_set"]),
            )
        })
        .collect();
    found.sort();
    found
}

fn finding(rule: &str, principal: &str, account: &str, permission_set: &str) -> Finding {
    (
        rule.to_owned(),
        principal.to_owned(),
        account.to_owned(),
        permission_set.to_owned(),
    )
}

/// What the example organization is audited for as designed: SRE and platform groups
/// with standing administrator access (sandbox admins are bounded, break-glass is
/// protected), four direct grants, the two leavers, the 12-hour on-call session and the
/// management account's non-break-glass access.
fn clean_findings() -> Vec<Finding> {
    let mut expected = Vec::new();
    for (group, account) in [
        ("brightreel-sre", "brightreel-prod"),
        ("brightreel-sre", "brightreel-staging"),
        ("brightreel-sre", "brightreel-transcode-prod"),
        ("harbor-sre", "harbor-prod"),
        ("harbor-sre", "harbor-staging"),
        ("kiteway-sre", "kiteway-prod"),
        ("kiteway-sre", "kiteway-staging"),
        ("paylark-sre", "paylark-ledger-prod"),
        ("paylark-sre", "paylark-prod"),
        ("paylark-sre", "paylark-staging"),
        ("platform-admins", "backup-vault"),
        ("platform-admins", "network"),
        ("platform-admins", "shared-services"),
        ("security-engineers", "security-tooling"),
    ] {
        expected.push(finding(
            "admin-outside-break-glass",
            group,
            account,
            "AdministratorAccess",
        ));
    }
    for (user, account, set) in [
        (
            "diego.fernandez@example.com",
            "paylark-ledger-prod",
            "PowerUser",
        ),
        ("emma.schulz@example.com", "management", "Billing"),
        ("tomas.novak@example.com", "harbor-prod", "ReadOnly"),
        ("wei.zhang@example.com", "brightreel-staging", "PowerUser"),
    ] {
        expected.push(finding("direct-user-assignment", user, account, set));
    }
    for (user, account, set) in [
        (
            "rebecca.hall@example.com",
            "kiteway-prod",
            "AdministratorAccess",
        ),
        (
            "rebecca.hall@example.com",
            "kiteway-sandbox",
            "SandboxAdmin",
        ),
        (
            "rebecca.hall@example.com",
            "kiteway-staging",
            "AdministratorAccess",
        ),
        ("tomas.novak@example.com", "harbor-prod", "ReadOnly"),
    ] {
        expected.push(finding("disabled-user-access", user, account, set));
    }
    expected.push(finding("long-session", "", "", "OnCallOperator"));
    for (principal, set) in [
        ("emma.schulz@example.com", "Billing"),
        ("finance-billing", "Billing"),
        ("platform-admins", "ReadOnly"),
        ("security-auditors", "SecurityAudit"),
    ] {
        expected.push(finding(
            "management-account-assignment",
            principal,
            "management",
            set,
        ));
    }
    expected.sort();
    expected
}

fn block_on<F: Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
        .block_on(future)
}

fn identity_store(url: &str, region: &str) -> aws_sdk_identitystore::Client {
    use aws_sdk_identitystore::config::{BehaviorVersion, Credentials, Region};
    aws_sdk_identitystore::Client::from_conf(
        aws_sdk_identitystore::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .endpoint_url(url)
            .region(Region::new(region.to_owned()))
            .credentials_provider(Credentials::new(
                ACCESS_KEY_ID,
                SECRET_ACCESS_KEY,
                None,
                None,
                "audit-test",
            ))
            .build(),
    )
}

fn group_id(report: &Value, name: &str) -> String {
    report["groups"]
        .as_array()
        .expect("groups")
        .iter()
        .find(|group| group["name"] == name)
        .map(|group| text(&group["group_id"]))
        .expect("the group exists")
}

fn days_ago(days: i64) -> String {
    (jiff::Timestamp::now() - jiff::SignedDuration::from_hours(24 * days)).to_string()
}

#[test]
fn planted_problems_are_each_reported_once_and_nothing_else() {
    let organization = Organization::applied();
    let clean = organization.audit_json(&[]);
    assert_eq!(findings(&clean), clean_findings());
    assert_eq!(clean["iam_users"], json!([]));
    assert_eq!(clean["iam_scan_errors"], json!([]));
    assert!(
        clean["assignments"]
            .as_array()
            .expect("assignments")
            .iter()
            .all(|row| row["state"] == "declared")
    );

    // Plant the problems through the control API (as-if made in the console, by the IdP,
    // in an account's IAM) and the Identity Store API.
    let served = &organization.served;
    let seeded = served.control(
        "POST",
        "seed",
        &json!({
            "users": [
                {"user_name": "gone@example.com", "display_name": "Gone", "given_name": "Gone",
                 "family_name": "Away", "email": "gone@example.com", "active": true},
                {"user_name": "leaver@example.com", "display_name": "Leaver", "given_name": "Lea",
                 "family_name": "Ver", "email": "leaver@example.com", "active": false}
            ],
            "permission_sets": [
                {"name": "Unused", "description": "Made in the console, assigned nowhere",
                 "session_duration": "PT1H"},
                {"name": "OpsEverything", "session_duration": "PT1H",
                 "customer_managed_policies": [{"name": "ops-everything", "path": "/ops/"}]},
                {"name": "OpsHarmless", "session_duration": "PT1H",
                 "customer_managed_policies": [{"name": "ops-read-logs", "path": "/ops/"}]},
                {"name": "OpsMissing", "session_duration": "PT1H",
                 "customer_managed_policies": [{"name": "ops-nowhere", "path": "/ops/"}]}
            ],
            "assignments": [
                {"account_name": "harbor-staging", "permission_set": "ReadOnly", "group": "finance-billing"},
                {"account_name": "harbor-staging", "permission_set": "ReadOnly", "user": "gone@example.com"},
                {"account_name": "harbor-staging", "permission_set": "OpsEverything", "group": "finance-billing"},
                {"account_name": "harbor-staging", "permission_set": "OpsHarmless", "group": "finance-billing"},
                // Seeded assignments are provisioned without AWS's policy check: as if
                // ops-nowhere had been deleted by hand after provisioning.
                {"account_name": "harbor-staging", "permission_set": "OpsMissing", "group": "finance-billing"}
            ],
            "iam": [
                {"account": "harbor-staging",
                 "policies": [
                    {"name": "ops-everything", "path": "/ops/",
                     "document": r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*:*","Resource":"*"}]}"#},
                    {"name": "ops-read-logs", "path": "/ops/",
                     "document": r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["logs:Get*","logs:Describe*"],"Resource":"*"}]}"#}
                 ],
                 "users": [
                    {"user_name": "legacy-ci", "created_at": days_ago(300),
                     "access_keys": [{"access_key_id": "AKIALEGACYCI00000001",
                                      "secret_access_key": "legacy-secret",
                                      "created_at": days_ago(200),
                                      "last_used_at": days_ago(1)}]}
                ]}
            ]
        })
        .to_string(),
    );
    let health = served.control("GET", "health", "");
    let identity_store_id = text(&health["identity_store_id"]);
    let client = identity_store(&served.url, &text(&health["region"]));
    let gone = text(&seeded["users"]["gone@example.com"]);
    let leaver = text(&seeded["users"]["leaver@example.com"]);
    let network_engineers = group_id(&clean, "network-engineers");
    block_on(async {
        client
            .delete_user()
            .identity_store_id(&identity_store_id)
            .user_id(&gone)
            .send()
            .await
            .expect("DeleteUser");
        client
            .create_group_membership()
            .identity_store_id(&identity_store_id)
            .group_id(&network_engineers)
            .member_id(aws_sdk_identitystore::types::MemberId::UserId(
                leaver.clone(),
            ))
            .send()
            .await
            .expect("CreateGroupMembership");
    });

    let planted = organization.audit_json(&[]);
    let mut expected = clean_findings();
    expected.extend([
        finding(
            "live-only-assignment",
            "finance-billing",
            "harbor-staging",
            "ReadOnly",
        ),
        finding(
            "principal-deleted",
            "<deleted>",
            "harbor-staging",
            "ReadOnly",
        ),
        finding(
            "disabled-user-access",
            "leaver@example.com",
            "network",
            "PowerUser",
        ),
        finding("iam-user", "", "harbor-staging", ""),
        finding("iam-user-old-key", "", "harbor-staging", ""),
        finding("permission-set-unused", "", "", "Unused"),
        // Administrator access through a customer managed policy that only harbor-staging's
        // IAM holds: seen by the IAM scan alone. Both console-made assignments are live-only;
        // the harmless policy adds nothing else.
        finding(
            "admin-outside-break-glass",
            "finance-billing",
            "harbor-staging",
            "OpsEverything",
        ),
        finding(
            "live-only-assignment",
            "finance-billing",
            "harbor-staging",
            "OpsEverything",
        ),
        finding(
            "live-only-assignment",
            "finance-billing",
            "harbor-staging",
            "OpsHarmless",
        ),
        // The policy harbor-staging's IAM lacks.
        finding(
            "live-only-assignment",
            "finance-billing",
            "harbor-staging",
            "OpsMissing",
        ),
        finding(
            "customer-managed-policy-missing",
            "",
            "harbor-staging",
            "OpsMissing",
        ),
    ]);
    expected.sort();
    assert_eq!(findings(&planted), expected);
    let admin_by_policy = planted["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|finding| {
            finding["rule"] == "admin-outside-break-glass"
                && finding["permission_set"] == "OpsEverything"
        })
        .expect("the finding");
    let explanation = text(&admin_by_policy["explanation"]);
    assert!(
        explanation.contains(&format!(
            "customer managed policy /ops/ops-everything in account harbor-staging ({})",
            account_id(&planted, "harbor-staging")
        )),
        "{explanation}"
    );
    assert_eq!(planted["iam_scan_errors"], json!([]));
    // Every key once.
    let keys: Vec<String> = planted["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|finding| text(&finding["key"]))
        .collect();
    assert_eq!(keys.len(), keys.iter().collect::<BTreeSet<_>>().len());
    assert!(keys.contains(&format!(
        "principal-deleted:USER:{gone}:{}:ReadOnly",
        account_id(&planted, "harbor-staging")
    )));

    // The IAM user, its key masked, aged, last use reported.
    let iam_user = &planted["iam_users"][0];
    assert_eq!(iam_user["user_name"], "legacy-ci");
    assert_eq!(iam_user["account_name"], "harbor-staging");
    let key = &iam_user["access_keys"][0];
    assert_eq!(key["id"], "AKIA…0001");
    assert_eq!(key["age_days"], 200);
    assert_eq!(key["status"], "Active");
    assert!(key["last_used"].is_string());
    assert!(
        !serde_json::to_string(&planted)
            .expect("JSON")
            .contains("AKIALEGACYCI00000001"),
        "the key id never appears whole"
    );
    // The deleted user is a person of the report, the leaver a disabled one.
    let status = |user_name: &str| {
        planted["people"]
            .as_array()
            .expect("people")
            .iter()
            .find(|person| person["user_name"] == user_name)
            .map(|person| text(&person["status"]))
    };
    assert_eq!(
        status(&format!("deleted:{gone}")).as_deref(),
        Some("deleted")
    );
    assert_eq!(status("leaver@example.com").as_deref(), Some("disabled"));
    // The console assignments are live-only, the deleted user's too.
    let live_only: Vec<(String, String, String)> = planted["assignments"]
        .as_array()
        .expect("assignments")
        .iter()
        .filter(|row| row["state"] == "live-only")
        .map(|row| {
            (
                text(&row["principal_type"]),
                text(&row["account_name"]),
                text(&row["permission_set"]),
            )
        })
        .collect();
    let row = |principal_type: &str, permission_set: &str| {
        (
            principal_type.to_owned(),
            "harbor-staging".to_owned(),
            permission_set.to_owned(),
        )
    };
    assert_eq!(
        live_only,
        [
            row("GROUP", "OpsEverything"),
            row("GROUP", "OpsHarmless"),
            row("GROUP", "OpsMissing"),
            row("USER", "ReadOnly"),
            row("GROUP", "ReadOnly")
        ]
    );

    // --fail-on: high findings exist, critical ones do not.
    organization
        .command(&["audit", "--no-iam", "--fail-on", "high"])
        .assert()
        .code(2)
        .stdout(predicate::str::contains("Findings: 0 critical"));
    organization
        .command(&["audit", "--no-iam", "--fail-on", "critical"])
        .assert()
        .code(0);

    // CSV: two files.
    let csv_dir = organization.repo.home().join("csv");
    organization
        .command(&[
            "audit",
            "--no-iam",
            "--format",
            "csv",
            &format!("--out={}", csv_dir.display()),
        ])
        .assert()
        .success();
    let inventory = std::fs::read_to_string(csv_dir.join("inventory.csv")).expect("inventory");
    assert!(inventory.starts_with("user_name,user_id,user_status,account_name"));
    assert!(inventory.contains("leaver@example.com,"));
    let findings_csv = std::fs::read_to_string(csv_dir.join("findings.csv")).expect("findings");
    assert_eq!(
        findings_csv.lines().count(),
        1 + expected.len() - 4,
        "every finding but the two IAM users' and the two customer managed policies' (--no-iam)"
    );

    // show why: the leaver's one path, and "what can they still reach?".
    organization
        .command(&["show", "why", "leaver@example.com", "network"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "network  PowerUser       group:network-engineers",
        ))
        .stderr(predicate::str::contains("DISABLED"));
    let everything = organization
        .command(&["show", "why", "rebecca.hall@example.com"])
        .output()
        .expect("monban runs");
    let everything = String::from_utf8_lossy(&everything.stdout);
    assert_eq!(everything.lines().count(), 4, "{everything}");
    for account in ["kiteway-prod", "kiteway-sandbox", "kiteway-staging"] {
        assert!(everything.contains(account), "{everything}");
    }
    assert!(
        everything.contains("accounts/kiteway-prod.yaml"),
        "{everything}"
    );
}

fn account_id(report: &Value, name: &str) -> String {
    report["accounts"]
        .as_array()
        .expect("accounts")
        .iter()
        .find(|account| account["name"] == name)
        .map(|account| text(&account["id"]))
        .expect("the account exists")
}

fn add_grant(root: &Path) {
    let path = root.join("accounts/network.yaml");
    let text = std::fs::read_to_string(&path).expect("network.yaml");
    let text = text.replacen(
        "access:\n",
        "access:\n  ReadOnly:\n    - user: wei.zhang@example.com\n",
        1,
    );
    std::fs::write(&path, text).expect("write");
}

#[test]
fn a_baseline_reports_exactly_the_applied_change() {
    let organization = Organization::applied();
    let previous = organization.audit_json(&["--no-iam"]);
    let previous_file = organization.repo.home().join("previous.json");
    std::fs::write(&previous_file, previous.to_string()).expect("write");

    add_grant(&organization.repo.root);
    organization
        .command(&["apply", "--auto-approve"])
        .assert()
        .success();
    let baseline_argument = previous_file.to_str().expect("UTF-8").to_owned();
    let current = organization.audit_json(&["--no-iam", "--baseline", &baseline_argument]);
    let baseline = &current["baseline"];
    let rows: Vec<String> = baseline["access_added"]
        .as_array()
        .expect("access_added")
        .iter()
        .map(|row| {
            format!(
                "{} {} {} {}",
                text(&row["user_name"]),
                text(&row["account_name"]),
                text(&row["permission_set"]),
                text(&row["via"]["kind"])
            )
        })
        .collect();
    assert_eq!(rows, ["wei.zhang@example.com network ReadOnly direct"]);
    assert_eq!(baseline["access_removed"], json!([]));
    assert_eq!(baseline["findings_resolved"], json!([]));
    assert_eq!(
        findings(&json!({"findings": baseline["findings_new"]})),
        [finding(
            "direct-user-assignment",
            "wei.zhang@example.com",
            "network",
            "ReadOnly"
        )]
    );
    assert_eq!(baseline["generated_at"], previous["generated_at"]);
    // An audit role the member accounts lack: every account is a scan error, the audit
    // still completes.
    let unscanned = organization.audit_json(&["--audit-role", "NoSuchAuditRole"]);
    let errors = unscanned["iam_scan_errors"].as_array().expect("errors");
    let members = unscanned["accounts"]
        .as_array()
        .expect("accounts")
        .iter()
        .filter(|account| account["management"] == false)
        .count();
    assert_eq!(errors.len(), members);
    assert!(
        errors
            .iter()
            .all(|error| text(&error["message"]).contains("AssumeRole")),
        "{errors:?}"
    );
    assert_eq!(unscanned["iam_users"], json!([]));
    // The summary says it too.
    organization
        .command(&["audit", "--no-iam", "--baseline", &baseline_argument])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "1 access added, 0 removed; 1 new finding(s), 0 resolved",
        ))
        .stdout(predicate::str::contains(
            "+ wei.zhang@example.com ReadOnly on network (direct)",
        ));
}
