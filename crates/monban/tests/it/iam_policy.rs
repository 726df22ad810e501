//! `monban iam-policy`: the policies printed cover every AWS operation a plan and an apply
//! actually make — taken from the sandbox's request log, not from the code — and the plan
//! job's policy holds no write action.

use std::collections::BTreeSet;

use crate::support::{Repo, Served, monban, monban_with_keys};

const SETTINGS: &str = r#"organization:
  management_account: management
  root_email: "aws-root+{account}@example.com"
  ous: [Workloads, Workloads/Prod]
identity_center:
  region: us-east-1
  identity_source: external
"#;

fn repo() -> Repo {
    Repo::new(&[
        ("monban.yaml", SETTINGS),
        (
            "accounts/management.yaml",
            "id: \"111111111111\"\naccess:\n  Admin:\n    - group: admins\n",
        ),
        (
            "accounts/app-prod.yaml",
            "ou: Workloads/Prod\ntags: { env: prod }\naccess:\n  ReadOnly:\n    - group: engineers\n    - user: alice@example.com\n",
        ),
        (
            "permission-sets/Admin.yaml",
            "managed_policies: [arn:aws:iam::aws:policy/AdministratorAccess]\n",
        ),
        (
            "permission-sets/ReadOnly.yaml",
            "session_duration: PT8H\nmanaged_policies: [arn:aws:iam::aws:policy/ReadOnlyAccess]\npermissions_boundary: { managed_policy: arn:aws:iam::aws:policy/PowerUserAccess }\ntags: { team: platform }\n",
        ),
        (
            "permission-sets/ReadOnly.policy.json",
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"secretsmanager:GetSecretValue","Resource":"*"}]}"#,
        ),
        (
            "groups.yaml",
            "groups: [admins, engineers]\nusers: [alice@example.com]\n",
        ),
        (
            "directory.yaml",
            "users:\n  - { user_name: alice@example.com, display_name: Alice, given_name: Alice, family_name: A, email: alice@example.com }\ngroups:\n  - { display_name: admins, members: [alice@example.com] }\n  - { display_name: engineers, members: [alice@example.com] }\n",
        ),
    ])
}

fn policy_actions(home: &std::path::Path, job: &str) -> Vec<String> {
    let output = monban(home)
        .args(["iam-policy", "--for", job])
        .output()
        .expect("monban runs");
    assert!(output.status.success());
    let document: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(document["Version"], "2012-10-17");
    document["Statement"]
        .as_array()
        .expect("statements")
        .iter()
        .flat_map(|statement| {
            assert_eq!(statement["Effect"], "Allow");
            statement["Action"]
                .as_array()
                .expect("an action list")
                .iter()
                .map(|action| action.as_str().expect("a string").to_owned())
                .collect::<Vec<_>>()
        })
        .collect()
}

/// `service:Operation` of every request served from position `from` on.
fn operations_since(served: &Served, from: usize) -> BTreeSet<(String, String)> {
    served
        .requests()
        .iter()
        .skip(from)
        .map(|request| {
            (
                request["service"].as_str().expect("a service").to_owned(),
                request["operation"]
                    .as_str()
                    .expect("an operation")
                    .to_owned(),
            )
        })
        .collect()
}

/// The IAM action of an operation: Identity Center's SSO Admin API is `sso:`; STS's
/// `GetCallerIdentity` needs none.
fn action_of(service: &str, operation: &str) -> Option<String> {
    match (service, operation) {
        ("sts", "GetCallerIdentity") => None,
        ("sso-admin", _) => Some(format!("sso:{operation}")),
        _ => Some(format!("{service}:{operation}")),
    }
}

fn assert_covered(operations: &BTreeSet<(String, String)>, actions: &[String], job: &str) {
    let missing: Vec<String> = operations
        .iter()
        .filter_map(|(service, operation)| action_of(service, operation))
        .filter(|action| !actions.contains(action))
        .collect();
    assert!(
        missing.is_empty(),
        "the {job} policy lacks {missing:?} (the job called {operations:?})"
    );
}

#[test]
fn the_policies_cover_what_a_plan_and_an_apply_call_and_the_plan_policy_only_reads() {
    let repo = repo();
    let served = Served::start(&[]);
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
    let plan_actions = policy_actions(repo.home(), "plan");
    let apply_actions = policy_actions(repo.home(), "apply");
    let read_only = ["Describe", "List", "Get"];
    for action in &plan_actions {
        let (_, name) = action.split_once(':').expect("service:Action");
        assert!(
            read_only.iter().any(|verb| name.starts_with(verb)),
            "the plan policy holds the write action {action}"
        );
    }

    let mut plan_calls = BTreeSet::new();
    let mut apply_calls = BTreeSet::new();
    // Create everything, then change and remove things, so updates, detaches and deletes
    // are called too; each apply preceded by a plan (full, then targeted on a snapshot).
    for step in 0..2 {
        if step == 1 {
            repo.write(
                "permission-sets/ReadOnly.yaml",
                "session_duration: PT4H\nmanaged_policies: [arn:aws:iam::aws:policy/ViewOnlyAccess]\ntags: { team: security }\n",
            );
            std::fs::remove_file(repo.root.join("permission-sets/ReadOnly.policy.json"))
                .expect("remove");
            repo.write(
                "accounts/app-prod.yaml",
                "ou: Workloads\ntags: { env: production }\naccess:\n  ReadOnly:\n    - group: engineers\n",
            );
        }
        for refresh in ["full", "auto"] {
            let before = served.requests().len();
            monban_with_keys(repo.home())
                .args([
                    "plan",
                    "--refresh",
                    refresh,
                    "--endpoint-url",
                    &served.url,
                    "--repo",
                ])
                .arg(&repo.root)
                .assert()
                .success();
            plan_calls.extend(operations_since(&served, before));
        }
        let before = served.requests().len();
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
        apply_calls.extend(operations_since(&served, before));
    }
    // A saved plan's apply re-reads what it touches (a targeted read).
    repo.write(
        "accounts/app-prod.yaml",
        "ou: Workloads\ntags: { env: production }\naccess:\n  ReadOnly:\n    - group: engineers\n    - user: alice@example.com\n",
    );
    let plan_file = repo.home().join("plan.json");
    monban_with_keys(repo.home())
        .args(["plan", "--endpoint-url", &served.url, "--out"])
        .arg(&plan_file)
        .arg("--repo")
        .arg(&repo.root)
        .assert()
        .success();
    let before = served.requests().len();
    monban_with_keys(repo.home())
        .args(["apply", "--endpoint-url", &served.url, "--repo"])
        .arg(&repo.root)
        .arg(&plan_file)
        .assert()
        .success();
    apply_calls.extend(operations_since(&served, before));

    // The audit: its reads with the job's role, its IAM-user scan through the member
    // accounts' access role (whose calls the job's policy does not need, and which only
    // read).
    let before = served.requests().len();
    let audit = monban_with_keys(repo.home())
        .args(["audit", "--endpoint-url", &served.url, "--repo"])
        .arg(&repo.root)
        .output()
        .expect("monban runs");
    assert!(
        matches!(audit.status.code(), Some(0 | 2)),
        "{}",
        String::from_utf8_lossy(&audit.stderr)
    );
    let (member_calls, audit_calls): (BTreeSet<_>, BTreeSet<_>) = operations_since(&served, before)
        .into_iter()
        .partition(|(service, _)| service == "iam");
    assert!(
        audit_calls.contains(&("sts".to_owned(), "AssumeRole".to_owned())),
        "{audit_calls:?}"
    );
    for (_, operation) in &member_calls {
        assert!(
            read_only.iter().any(|verb| operation.starts_with(verb)),
            "the IAM scan only reads: {operation}"
        );
    }
    let audit_actions = policy_actions(repo.home(), "audit");
    assert_covered(&audit_calls, &audit_actions, "audit");
    let schedule_actions = policy_actions(repo.home(), "schedule");
    assert_covered(&audit_calls, &schedule_actions, "schedule");
    assert_covered(&apply_calls, &schedule_actions, "schedule");

    assert_covered(&plan_calls, &plan_actions, "plan");
    assert_covered(&apply_calls, &apply_actions, "apply");
    // The runs really exercised reads and writes of all three services.
    for expected in [
        ("sso-admin", "ListAccountAssignments"),
        ("identitystore", "ListUsers"),
        ("organizations", "ListAccountsForParent"),
    ] {
        let expected = (expected.0.to_owned(), expected.1.to_owned());
        assert!(
            plan_calls.contains(&expected),
            "{expected:?} in {plan_calls:?}"
        );
    }
    for expected in [
        ("sso-admin", "CreateAccountAssignment"),
        ("sso-admin", "DeleteAccountAssignment"),
        ("sso-admin", "UpdatePermissionSet"),
        ("sso-admin", "DetachManagedPolicyFromPermissionSet"),
        ("sso-admin", "DeleteInlinePolicyFromPermissionSet"),
        ("organizations", "CreateAccount"),
        ("organizations", "MoveAccount"),
        ("organizations", "CreateOrganizationalUnit"),
    ] {
        let expected = (expected.0.to_owned(), expected.1.to_owned());
        assert!(
            apply_calls.contains(&expected),
            "{expected:?} in {apply_calls:?}"
        );
    }
}
