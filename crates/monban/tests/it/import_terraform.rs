//! End-to-end tests of `monban import terraform` on the real binary: the fixtures of
//! `monban-terraform` imported into a new directory, which `monban validate` then accepts;
//! notes printed and written; an existing repo never overwritten; and an imported repo,
//! once the (sandbox) organization holds what it declares, plans "No changes".

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;

use crate::support;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../monban-terraform/tests/fixtures/import")
        .join(name)
        .join("terraform")
}

/// The binary with no colour and no inherited repo.
fn monban() -> Command {
    let mut command = Command::cargo_bin("monban").expect("the monban binary is built");
    command.env("NO_COLOR", "1").env_remove("MONBAN_REPO");
    command
}

#[test]
fn imported_module_style_repo_validates() {
    let out = tempfile::tempdir().expect("temp dir");
    let repo = out.path().join("repo");
    monban()
        .args(["import", "terraform"])
        .arg(fixture("module-style"))
        .arg("--out")
        .arg(&repo)
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "2 account(s), 3 permission set(s), 8 assignment(s)",
        ));
    for file in [
        "monban.yaml",
        "accounts/shared-services.yaml",
        "accounts/workloads-prod.yaml",
        "permission-sets/Developer.yaml",
        "permission-sets/Developer.policy.json",
        "groups.yaml",
        "directory.yaml",
        "IMPORT-NOTES.md",
    ] {
        assert!(repo.join(file).is_file(), "{file} was not written");
    }
    monban()
        .args(["validate", "--repo"])
        .arg(&repo)
        .assert()
        .success()
        .stderr(predicate::str::contains("is valid"));
}

#[test]
fn imported_state_fixture_validates() {
    let out = tempfile::tempdir().expect("temp dir");
    let repo = out.path().join("repo");
    monban()
        .args(["import", "terraform"])
        .arg(fixture("state"))
        .arg("--state")
        .arg(fixture("state").join("terraform.tfstate"))
        .arg("--out")
        .arg(&repo)
        .assert()
        .success();
    let account =
        std::fs::read_to_string(repo.join("accounts/log-archive.yaml")).expect("log-archive");
    assert!(account.contains("id: \"555555555555\""), "{account}");
    assert!(
        account.contains("user: \"oncall@example.com\""),
        "{account}"
    );
    monban()
        .args(["validate", "--repo"])
        .arg(&repo)
        .assert()
        .success();
}

#[test]
fn untranslated_constructs_are_printed_and_written_with_their_lines() {
    let out = tempfile::tempdir().expect("temp dir");
    let repo = out.path().join("repo");
    monban()
        .args(["import", "terraform"])
        .arg(fixture("unsupported"))
        .arg("--out")
        .arg(&repo)
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "note: main.tf:19: `aws_organizations_policy.deny_leave`",
        ))
        .stderr(predicate::str::contains(
            "note: main.tf:24: module `sso_from_registry`",
        ));
    let notes = std::fs::read_to_string(repo.join("IMPORT-NOTES.md")).expect("notes");
    assert!(notes.contains("- `main.tf:14`: "), "{notes}");
    assert!(notes.contains("- `main.tf:35`: "), "{notes}");
    monban()
        .args(["validate", "--repo"])
        .arg(&repo)
        .assert()
        .success();
}

#[test]
fn an_existing_repo_is_not_overwritten() {
    let out = tempfile::tempdir().expect("temp dir");
    std::fs::write(out.path().join("monban.yaml"), "organization: {}\n").expect("write");
    monban()
        .args(["import", "terraform"])
        .arg(fixture("raw-for-each"))
        .arg("--out")
        .arg(out.path())
        .assert()
        .failure()
        .stderr(predicate::str::contains("already holds monban.yaml"));
}

#[test]
fn a_missing_required_variable_is_an_error_at_its_declaration() {
    let out = tempfile::tempdir().expect("temp dir");
    let terraform = out.path().join("terraform");
    std::fs::create_dir_all(&terraform).expect("dir");
    std::fs::write(
        terraform.join("variables.tf"),
        "\nvariable \"accounts\" {\n  type = map(string)\n}\n",
    )
    .expect("write");
    monban()
        .args(["import", "terraform"])
        .arg(&terraform)
        .arg("--out")
        .arg(out.path().join("repo"))
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "variables.tf:2:1: no value for the required variable `accounts`",
        ));
    monban()
        .args(["import", "terraform"])
        .arg(&terraform)
        .args(["--var", "accounts={ prod = \"111111111111\" }", "--out"])
        .arg(out.path().join("repo"))
        .assert()
        .success();
}

/// The adoption loop of docs/guides/adopting-terraform.md on the embedded sandbox, which
/// stands in for the organization Terraform built: the identities Terraform created go to
/// the IdP (`provision-idp`), the organization is brought to what the configuration
/// declares (`apply`), and the imported repo then plans no changes — nothing it declares is
/// read back differently (root e-mail matching, tags with `default_tags`, the inline
/// policy, the boundary, assignments by group and by user).
#[test]
fn an_imported_repo_plans_no_changes_once_the_organization_holds_it() {
    let home = tempfile::tempdir().expect("temp dir");
    let repo = home.path().join("access");
    support::monban(home.path())
        .args(["import", "terraform"])
        .arg(fixture("greenfield"))
        .arg("--out")
        .arg(&repo)
        .assert()
        .success()
        .stderr(predicate::str::contains("0 construct(s) not translated"))
        .stderr(predicate::str::contains("--directory"));
    support::monban(home.path())
        .args(["sandbox", "provision-idp", "--repo"])
        .arg(&repo)
        .arg(repo.join("directory.yaml"))
        .assert()
        .success();
    support::monban(home.path())
        .args(["apply", "--auto-approve", "--repo"])
        .arg(&repo)
        .assert()
        .success()
        .stderr(predicate::str::contains("Apply complete"));
    support::monban(home.path())
        .args(["plan", "--detailed-exitcode", "--refresh", "full", "--repo"])
        .arg(&repo)
        .assert()
        .code(0)
        .stdout(predicate::str::contains("No changes"));
}

/// A CDKTF stack (`cdk.tf.json`) next to hand-written `.tf`: the notes point at lines of
/// the JSON, and the repo validates.
#[test]
fn a_cdktf_json_configuration_imports_with_notes_at_json_lines() {
    let out = tempfile::tempdir().expect("temp dir");
    let repo = out.path().join("repo");
    monban()
        .args(["import", "terraform"])
        .arg(fixture("cdktf"))
        .arg("--out")
        .arg(&repo)
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "note: cdk.tf.json:167: `aws_organizations_policy.deny_leave`",
        ))
        .stderr(predicate::str::contains(
            "2 account(s), 3 permission set(s), 4 assignment(s), 1 OU(s)",
        ));
    let notes = std::fs::read_to_string(repo.join("IMPORT-NOTES.md")).expect("notes");
    assert!(notes.contains("- `cdk.tf.json:213`: "), "{notes}");
    monban()
        .args(["validate", "--repo"])
        .arg(&repo)
        .assert()
        .success();
}

/// `TF_VAR_*` from the process environment, below every file; `--var` and `--var-file`
/// in the order given (the file after the first `--var` wins over it).
#[test]
fn environment_variables_and_flags_apply_in_terraform_precedence() {
    let out = tempfile::tempdir().expect("temp dir");
    let repo = out.path().join("repo");
    let terraform = fixture("precedence");
    let mut command = monban();
    for name in [
        "from_environment",
        "from_tfvars",
        "from_tfvars_json",
        "from_auto_a",
        "from_auto_b_json",
        "from_auto_c",
        "from_var_file",
        "from_var",
    ] {
        command.env(format!("TF_VAR_{name}"), "environment");
    }
    command
        .env("TF_VAR_session_durations", "{ environment = \"PT2H\" }")
        .args(["import", "terraform"])
        .arg(&terraform)
        .args(["--var", "from_var_file=--var-early", "--var-file"])
        .arg(terraform.join("prod.tfvars.json"))
        .args(["--var", "from_var=--var", "--out"])
        .arg(&repo)
        .assert()
        .success();
    let description = |name: &str| -> String {
        let text = std::fs::read_to_string(repo.join(format!("permission-sets/{name}.yaml")))
            .unwrap_or_else(|error| panic!("{name}: {error}"));
        text.lines()
            .find_map(|line| line.strip_prefix("description: "))
            .unwrap_or_else(|| panic!("{name} has no description:\n{text}"))
            .trim_matches('"')
            .to_owned()
    };
    for (name, winner) in [
        ("default", "default"),
        ("environment", "environment"),
        ("tfvars", "terraform.tfvars"),
        ("tfvars-json", "terraform.tfvars.json"),
        ("auto-a", "a.auto.tfvars"),
        ("auto-b-json", "b.auto.tfvars.json"),
        ("auto-c", "c.auto.tfvars"),
        ("var-file", "prod.tfvars.json"),
        ("var", "--var"),
    ] {
        assert_eq!(description(name), winner, "{name}");
    }
    let environment = std::fs::read_to_string(repo.join("permission-sets/environment.yaml"))
        .expect("environment.yaml");
    assert!(environment.contains("PT2H"), "{environment}");
    monban()
        .env("TF_VAR_session_durations", "{ environment = ")
        .args(["import", "terraform"])
        .arg(&terraform)
        .arg("--out")
        .arg(out.path().join("other"))
        .assert()
        .failure()
        .stderr(predicate::str::contains(
            "the environment variable `TF_VAR_session_durations`: ",
        ));
    monban()
        .args(["import", "terraform"])
        .arg(&terraform)
        .args(["--var", "from_var", "--out"])
        .arg(out.path().join("other"))
        .assert()
        .failure()
        .stderr(predicate::str::contains("expected NAME=VALUE"));
}
