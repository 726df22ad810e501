//! End-to-end tests of the real `monban` binary: exit codes, where output goes, and the
//! exact rendered diagnostics (insta snapshots under `tests/snapshots/`).
//!
//! Snapshots are written with `INSTA_UPDATE=always` (never under `CI=true`); review the
//! `.snap` diff like code. `MONBAN_BLESS=1` rewrites `docs/schema/` from `monban schema`.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn corpus() -> PathBuf {
    workspace().join("crates/monban-config/tests/fixtures/invalid")
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

/// Runs `validate` on a corpus case from inside the corpus (so paths are relative) and
/// returns exit code and stderr.
fn validate_case(case: &str, extra: &[&str]) -> (i32, String, String) {
    let output = monban()
        .current_dir(corpus())
        .args(["validate", "--repo", case])
        .args(extra)
        .output()
        .expect("monban runs");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8(output.stdout).expect("UTF-8 stdout"),
        String::from_utf8(output.stderr).expect("UTF-8 stderr"),
    )
}

#[test]
fn the_example_repo_is_valid() {
    monban()
        .env("MONBAN_TODAY", "2026-11-29")
        .args(["validate", "--deny-warnings", "--repo"])
        .arg(workspace().join("examples/holding"))
        .assert()
        .success()
        .stdout("")
        .stderr(predicate::str::contains("is valid: 20 accounts"));
}

#[test]
fn the_example_repo_is_valid_against_its_directory_snapshot() {
    let example = workspace().join("examples/holding");
    monban()
        .env("MONBAN_TODAY", "2026-11-29")
        .args(["validate", "--repo"])
        .arg(&example)
        .arg("--directory")
        .arg(example.join("directory.yaml"))
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "checked against the directory snapshot",
        ));
}

#[test]
fn a_broken_repo_fails_with_the_problem_on_stderr() {
    monban()
        .current_dir(corpus())
        .args(["validate", "--repo", "unknown-group"])
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains(
            "group `enginers` is not declared in groups.yaml",
        ))
        .stderr(predicate::str::contains(
            "unknown-group/accounts/payments-prod.yaml:5:14",
        ))
        .stderr(predicate::str::contains("did you mean `engineers`?"))
        .stderr(predicate::str::contains(
            "error: unknown-group is not valid: 1 error",
        ));
}

#[test]
fn warnings_pass_unless_denied() {
    let (code, _, stderr) = validate_case("grant-expired", &[]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("is valid with 1 warning"), "{stderr}");
    let (code, _, stderr) = validate_case("grant-expired", &["--deny-warnings"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("1 warning (--deny-warnings)"), "{stderr}");
}

#[test]
fn the_repo_is_found_upwards_and_paths_are_shown_from_where_you_are() {
    monban()
        .current_dir(corpus().join("unknown-user/accounts"))
        .arg("validate")
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "╭─[../accounts/payments-prod.yaml:5:13]",
        ))
        .stderr(predicate::str::contains("error: .. is not valid"));
}

#[test]
fn outside_a_repo_the_error_says_what_to_do() {
    let empty = tempfile::tempdir().expect("a temporary directory");
    monban()
        .current_dir(empty.path())
        .arg("validate")
        .assert()
        .code(1)
        .stderr(predicate::str::starts_with(
            "error: no access repo found in",
        ))
        .stderr(predicate::str::contains(
            "\nhint: run monban inside an access repo, or pass `--repo DIR`",
        ));
}

#[test]
fn a_directory_without_monban_yaml_is_refused() {
    let empty = tempfile::tempdir().expect("a temporary directory");
    monban()
        .args(["validate", "--repo"])
        .arg(empty.path())
        .assert()
        .code(1)
        .stderr(predicate::str::contains(
            "is not an access repo: it has no monban.yaml",
        ));
}

#[test]
fn json_output_goes_to_stdout() {
    let (code, stdout, stderr) = validate_case("many-problems-one-file", &["--format", "json"]);
    assert_eq!(code, 1);
    assert_eq!(stderr, "");
    insta::assert_snapshot!("json_many_problems", stdout);
}

/// The rendered text of a handful of representative cases.
#[test]
fn rendered_diagnostics() {
    for case in [
        "many-problems-one-file",
        "yaml-syntax-account",
        "inline-policy-invalid-json",
        "unknown-key-permission-set",
        "duplicate-root-email",
        "protected-not-granted",
        "grant-expired",
        "ignored-file",
        "not-utf8",
        // Columns count characters, in the header too (miette counts bytes).
        "non-ascii-column",
    ] {
        let (_, stdout, stderr) = validate_case(case, &[]);
        assert_eq!(stdout, "", "{case}: human output goes to stderr");
        insta::assert_snapshot!(format!("human_{case}"), stderr);
    }
}

#[test]
fn directory_snapshot_diagnostics_name_the_snapshot_as_given() {
    let output = monban()
        .current_dir(corpus())
        .args([
            "validate",
            "--repo",
            "directory-missing-principals",
            "--directory",
            "directory-broken/directory.yaml",
        ])
        .output()
        .expect("monban runs");
    let stderr = String::from_utf8(output.stderr).expect("UTF-8 stderr");
    assert_eq!(output.status.code(), Some(1));
    insta::assert_snapshot!("human_directory_snapshot", stderr);
}

#[test]
fn the_committed_schema_is_up_to_date() {
    let output = monban().arg("schema").output().expect("monban runs");
    assert!(output.status.success());
    let printed = String::from_utf8(output.stdout).expect("UTF-8 schema");
    let committed_path = workspace().join("docs/schema/monban-repo.schema.json");
    if std::env::var_os("MONBAN_BLESS").is_some() {
        std::fs::create_dir_all(committed_path.parent().expect("docs/schema"))
            .expect("create docs/schema");
        std::fs::write(&committed_path, &printed).expect("write the schema");
    }
    let committed = std::fs::read_to_string(&committed_path).unwrap_or_default();
    assert!(
        committed == printed,
        "docs/schema/monban-repo.schema.json is stale: run `cargo run -- schema > docs/schema/monban-repo.schema.json`"
    );
}

#[test]
fn schema_of_one_kind_points_at_its_definition() {
    monban()
        .args(["schema", "--kind", "account"])
        .assert()
        .success()
        .stdout(predicate::str::contains("\"$ref\": \"#/$defs/account\""));
}
