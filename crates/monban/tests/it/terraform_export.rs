//! `monban export terraform` and `monban init --from-live` end to end against a standalone
//! sandbox with the example organization applied: every exported resource that exists
//! live gets an import block, and the adopted repo plans to "No changes.".

use predicates::prelude::*;

use crate::support::{Served, monban, monban_with_keys};

/// The example repo in a temporary HOME, applied to its embedded sandbox (unpaced, so
/// fast), and a standalone `monban sandbox serve` on that sandbox's state for the commands
/// that need an endpoint.
fn applied_example() -> (tempfile::TempDir, std::path::PathBuf, Served) {
    let home = tempfile::tempdir().expect("a temporary directory");
    let repo = home.path().join("repo");
    monban(home.path())
        .args(["init", "--example"])
        .arg(&repo)
        .assert()
        .success();
    monban(home.path())
        .args(["sandbox", "provision-idp", "--repo"])
        .arg(&repo)
        .arg(repo.join("directory.yaml"))
        .assert()
        .success();
    monban(home.path())
        .args(["apply", "--auto-approve", "--repo"])
        .arg(&repo)
        .assert()
        .success()
        .stderr(predicate::str::contains("Apply complete"));
    let state = repo.join(".monban/sandbox");
    let served = Served::start(&["--state", state.to_str().expect("a UTF-8 path")]);
    (home, repo, served)
}

fn count(text: &str, needle: &str) -> usize {
    text.matches(needle).count()
}

#[test]
fn export_with_a_target_imports_everything_that_exists_and_from_live_round_trips() {
    let (home, repo, served) = applied_example();

    // Export with the live ids: after the apply, everything exported exists live.
    let out = home.path().join("terraform");
    monban_with_keys(home.path())
        .args([
            "export",
            "terraform",
            "--endpoint-url",
            &served.url,
            "--repo",
        ])
        .arg(&repo)
        .arg(&out)
        .assert()
        .success()
        .stderr(predicate::str::contains("import block(s)"));
    let read = |name: &str| std::fs::read_to_string(out.join(name)).expect("an exported file");
    let resources: usize = ["organization.tf", "permission_sets.tf", "assignments.tf"]
        .iter()
        .map(|file| count(&read(file), "\nresource \""))
        .sum();
    let imports = read("imports.tf");
    assert!(resources > 100, "{resources} resources");
    assert_eq!(count(&imports, "\nimport {"), resources, "{imports}");
    assert!(
        imports.contains(",GROUP,"),
        "assignment ids carry the principal type"
    );
    assert!(
        imports.contains("arn:aws:sso:::instance/"),
        "ids carry the instance ARN"
    );

    // Without a target, no import blocks; the stale imports.tf of the last export goes.
    monban(home.path())
        .args(["export", "terraform", "--repo"])
        .arg(&repo)
        .arg(&out)
        .assert()
        .success();
    assert!(!out.join("imports.tf").exists());
    assert!(out.join("policies/OnCallOperator.json").exists());

    // Adopt the live organization into a new repo: valid, and its plan is empty.
    let adopted = home.path().join("adopted");
    monban_with_keys(home.path())
        .args(["init", "--from-live", "--endpoint-url", &served.url])
        .arg(&adopted)
        .assert()
        .success()
        .stderr(predicate::str::contains("should say"));
    monban(home.path())
        .args(["validate", "--repo"])
        .arg(&adopted)
        .assert()
        .success();
    monban_with_keys(home.path())
        .args([
            "plan",
            "--detailed-exitcode",
            "--refresh",
            "full",
            "--endpoint-url",
            &served.url,
            "--repo",
        ])
        .arg(&adopted)
        .assert()
        .code(0)
        .stdout(predicate::str::contains("No changes"));
}

#[test]
fn from_live_needs_an_explicit_target() {
    let home = tempfile::tempdir().expect("a temporary directory");
    monban(home.path())
        .args(["init", "--from-live"])
        .arg(home.path().join("adopted"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains("--endpoint-url URL"));
    assert!(!home.path().join("adopted").exists());
}
