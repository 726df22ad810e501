//! End-to-end tests of `monban show account`, `monban show who` and `monban init` on the
//! real binary: real rows from `examples/holding`, the errors, and a starter repo that
//! validates clean.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;

fn holding() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/holding")
}

/// The binary with a fixed "today", no colour, and no inherited repo.
fn monban() -> Command {
    let mut command = Command::cargo_bin("monban").expect("the monban binary is built");
    command
        .env("MONBAN_TODAY", "2026-06-15")
        .env("NO_COLOR", "1")
        .env_remove("MONBAN_REPO");
    command
}

/// The stdout lines whose whitespace-separated cells start with `cells`.
fn rows_starting(stdout: &[u8], cells: &[&str]) -> usize {
    String::from_utf8_lossy(stdout)
        .lines()
        .filter(|line| {
            let words: Vec<&str> = line.split_whitespace().collect();
            words.len() >= cells.len() && words[..cells.len()] == *cells
        })
        .count()
}

#[test]
fn show_account_lists_direct_and_rule_grants() {
    let output = monban()
        .args(["show", "account", "org-management", "--repo"])
        .arg(holding())
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(
        rows_starting(
            &output,
            &[
                "AdministratorAccess",
                "group:breakglass",
                "direct",
                "-",
                "-"
            ]
        ),
        1
    );
    assert_eq!(
        rows_starting(
            &output,
            &[
                "Billing",
                "user:emma.schulz@example.com",
                "direct",
                "2027-06-30",
                "FIN-88"
            ]
        ),
        1
    );
    assert_eq!(
        rows_starting(
            &output,
            &[
                "SecurityAudit",
                "group:security-auditors",
                "rule",
                "rules/security-audit.yaml#0"
            ]
        ),
        1
    );
}

#[test]
fn show_account_with_directory_expands_groups_into_people() {
    let output = monban()
        .args(["show", "account", "org-management", "--repo"])
        .arg(holding())
        .arg("--directory")
        .arg(holding().join("directory.yaml"))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(
        rows_starting(
            &output,
            &[
                "AdministratorAccess",
                "user:haruto.sato@example.com",
                "via",
                "group:breakglass",
                "direct"
            ]
        ),
        1
    );
}

#[test]
fn show_who_for_a_group() {
    let output = monban()
        .args(["show", "who", "group:breakglass", "--repo"])
        .arg(holding())
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(
        rows_starting(
            &output,
            &["org-management", "AdministratorAccess", "direct"]
        ),
        1
    );
    // Without --directory nobody is expanded: no row names a person.
    assert!(!String::from_utf8_lossy(&output).contains("user:"));
}

#[test]
fn show_who_for_a_user_includes_their_groups_with_directory() {
    let output = monban()
        .args(["show", "who", "haruto.sato@example.com", "--repo"])
        .arg(holding())
        .arg("--directory")
        .arg(holding().join("directory.yaml"))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(
        rows_starting(
            &output,
            &[
                "org-management",
                "AdministratorAccess",
                "group:breakglass,",
                "direct"
            ]
        ),
        1
    );
}

#[test]
fn show_who_for_a_user_without_directory_has_no_group_rows() {
    monban()
        .args(["show", "who", "user:emma.schulz@example.com", "--repo"])
        .arg(holding())
        .assert()
        .success()
        .stdout(predicate::str::contains("org-management  Billing"))
        .stdout(predicate::str::contains("group:").not());
}

#[test]
fn show_account_unknown_suggests_the_closest_name() {
    monban()
        .args(["show", "account", "org-managment", "--repo"])
        .arg(holding())
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains(
            "no account `org-managment` in this repo (did you mean `org-management`?)",
        ));
}

#[test]
fn show_refuses_an_invalid_repo() {
    let invalid = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../monban-config/tests/fixtures/invalid/bare-principal-name");
    monban()
        .args(["show", "account", "anything", "--repo"])
        .arg(invalid)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("hint: run `monban validate"));
}

#[test]
fn init_writes_a_repo_that_validates_clean() {
    let temporary = tempfile::tempdir().expect("a temporary directory");
    let repo = temporary.path().join("access");
    monban().arg("init").arg(&repo).assert().success();
    monban()
        .args(["validate", "--deny-warnings", "--repo"])
        .arg(&repo)
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "is valid: 1 account, 1 permission set, 1 principal, 0 rules, 1 assignment",
        ));
    let account = std::fs::read_to_string(repo.join("accounts/management.yaml"))
        .expect("init wrote the management account");
    assert!(account.contains("id: \"111111111111\""));
}

#[test]
fn init_example_writes_the_tessera_example_from_any_directory() {
    let temporary = tempfile::tempdir().expect("a temporary directory");
    let repo = temporary.path().join("tessera");
    monban()
        .current_dir(temporary.path())
        .env("HOME", temporary.path())
        .args(["init", "--example", "tessera"])
        .assert()
        .success();
    monban()
        .args(["validate", "--repo"])
        .arg(&repo)
        .arg("--directory")
        .arg(repo.join("directory.yaml"))
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "is valid with 1 warning: 20 accounts, 8 permission sets, 19 principals, 2 rules, 74 assignments",
        ));
}

#[test]
fn init_refuses_an_existing_repo() {
    let temporary = tempfile::tempdir().expect("a temporary directory");
    std::fs::write(temporary.path().join("monban.yaml"), "# mine\n").expect("write monban.yaml");
    monban()
        .arg("init")
        .arg(temporary.path())
        .assert()
        .code(1)
        .stderr(predicate::str::contains("already holds monban.yaml"));
    let kept = std::fs::read_to_string(temporary.path().join("monban.yaml")).expect("read back");
    assert_eq!(kept, "# mine\n");
}
