//! `monban grant`, `revoke`, `offboard`, `fmt` and `codeowners` on copies of the example
//! repo: each edit is snapshotted as the unified diff of the whole repo (so every untouched
//! byte is shown to stay identical), then run again to show it is idempotent.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::support::monban;

fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/holding")
}

/// Every file under `root`, relative path → text.
fn files(root: &Path) -> BTreeMap<String, String> {
    let mut found = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(directory) = stack.pop() {
        for entry in std::fs::read_dir(&directory).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let relative = path.strip_prefix(root).unwrap();
                found.insert(
                    monban_config::display_path(relative),
                    std::fs::read_to_string(&path).unwrap(),
                );
            }
        }
    }
    found
}

/// A copy of the example repo in a temporary directory.
struct Copy {
    _temporary: tempfile::TempDir,
    root: PathBuf,
    before: BTreeMap<String, String>,
}

impl Copy {
    fn new() -> Self {
        let temporary = tempfile::tempdir().unwrap();
        let root = temporary.path().join("access");
        for (relative, text) in files(&example()) {
            let path = root.join(&relative);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let before = files(&root);
        Self {
            _temporary: temporary,
            root,
            before,
        }
    }

    /// Runs monban in the repo; returns exit code and stderr.
    fn run(&self, arguments: &[&str]) -> (i32, String, String) {
        let output = monban(&self.root)
            .current_dir(&self.root)
            .args(arguments)
            .args(["--repo", "."])
            .output()
            .unwrap();
        (
            output.status.code().unwrap_or(-1),
            String::from_utf8(output.stdout).unwrap(),
            String::from_utf8(output.stderr).unwrap(),
        )
    }

    /// The unified diff of every file changed since the copy was made (or the last
    /// `checkpoint`).
    fn diff(&self) -> String {
        let after = files(&self.root);
        let mut out = String::new();
        for (path, text) in &after {
            let before = self.before.get(path).map_or("", String::as_str);
            out.push_str(&monban_config::edit::unified_diff(
                before,
                text,
                &format!("a/{path}"),
                &format!("b/{path}"),
            ));
        }
        out
    }

    fn checkpoint(&mut self) {
        self.before = files(&self.root);
    }
}

#[test]
fn grant_adds_one_entry_per_account_at_the_sorted_place_and_is_idempotent() {
    let mut copy = Copy::new();
    let (code, _, stderr) = copy.run(&[
        "grant",
        "--user",
        "wei.zhang@example.com",
        "ReadOnly",
        "harbor-prod",
        "shared-services",
        "--until",
        "2027-01-31",
        "--reason",
        "INC-7: read the logs",
    ]);
    assert_eq!(code, 0, "{stderr}");
    insta::assert_snapshot!("grant_user_diff", copy.diff());
    insta::assert_snapshot!("grant_user_stderr", stderr);
    copy.checkpoint();
    let (code, _, stderr) = copy.run(&[
        "grant",
        "--user",
        "wei.zhang@example.com",
        "ReadOnly",
        "harbor-prod",
        "--until",
        "2027-01-31",
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(copy.diff(), "");
    assert!(
        stderr.contains("already holds `ReadOnly` on `harbor-prod` (until 2027-01-31); unchanged"),
        "{stderr}"
    );
    assert!(stderr.contains("No files changed."), "{stderr}");
}

#[test]
fn grant_of_a_new_permission_set_adds_a_block_where_it_sorts() {
    let copy = Copy::new();
    let (code, _, stderr) = copy.run(&[
        "grant",
        "--group",
        "finance-billing",
        "Billing",
        "paylark-prod",
        "network",
    ]);
    assert_eq!(code, 0, "{stderr}");
    insta::assert_snapshot!("grant_group_new_block_diff", copy.diff());
}

#[test]
fn revoke_deletes_the_entry_with_its_comment_and_an_emptied_block() {
    let mut copy = Copy::new();
    let (code, _, stderr) = copy.run(&[
        "revoke",
        "--user",
        "emma.schulz@example.com",
        "Billing",
        "org-management",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let (code, _, stderr) = copy.run(&[
        "revoke",
        "--user",
        "wei.zhang@example.com",
        "PowerUser",
        "brightreel-staging",
    ]);
    assert_eq!(code, 0, "{stderr}");
    insta::assert_snapshot!("revoke_diff", copy.diff());
    copy.checkpoint();
    let (code, _, stderr) = copy.run(&[
        "revoke",
        "--group",
        "security-auditors",
        "SecurityAudit",
        "brightreel-staging",
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(copy.diff(), "");
    assert!(
        stderr.contains("rule rules/security-audit.yaml#1 grants it"),
        "{stderr}"
    );
}

#[test]
fn offboard_of_the_leaver_removes_exactly_his_lines() {
    let mut copy = Copy::new();
    let (code, _, stderr) = copy.run(&["offboard", "tomas.novak@example.com"]);
    assert_eq!(code, 0, "{stderr}");
    insta::assert_snapshot!("offboard_diff", copy.diff());
    insta::assert_snapshot!("offboard_stderr", stderr);
    copy.checkpoint();
    let (code, _, stderr) = copy.run(&["offboard", "tomas.novak@example.com"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(copy.diff(), "");
    assert!(stderr.contains("nothing to remove"), "{stderr}");
}

#[test]
fn the_example_is_formatted() {
    let copy = Copy::new();
    let (code, stdout, stderr) = copy.run(&["fmt", "--check"]);
    assert_eq!((code, stdout.as_str()), (0, ""), "{stderr}");
}

#[test]
fn fmt_rewrites_a_messy_file_and_prunes_expired_grants() {
    let mut copy = Copy::new();
    std::fs::write(
        copy.root.join("accounts/harbor-prod.yaml"),
        "# Harbor Market (retail).   \naccess:\n    AdministratorAccess: [{ group: harbor-sre }]\n    ReadOnly:\n    - group: harbor-developers\n    # the leaver\n    - { user: tomas.novak@example.com, reason: legacy }\n\n\nowners: [\"@tessera-group/harbor-sre\"]\nou: Harbor/Prod\ntags: { env: prod, business: harbor, cost-center: cc-5100 }\n",
    )
    .unwrap();
    copy.checkpoint();
    let (code, stdout, _) = copy.run(&["fmt", "--check"]);
    assert_eq!((code, stdout.as_str()), (1, "accounts/harbor-prod.yaml\n"));
    assert_eq!(copy.diff(), "", "--check writes nothing");
    let (code, _, stderr) = copy.run(&["fmt"]);
    assert_eq!(code, 0, "{stderr}");
    insta::assert_snapshot!("fmt_diff", copy.diff());
    copy.checkpoint();
    let (code, _, stderr) = copy.run(&["fmt", "--check"]);
    assert_eq!(code, 0, "{stderr}");
    // Diego's grant on paylark-ledger-prod ends on 2027-02-28.
    let (code, _, stderr) = copy.run(&["fmt", "--prune-expired", "--today", "2027-03-01"]);
    assert_eq!(code, 0, "{stderr}");
    insta::assert_snapshot!("fmt_prune_diff", copy.diff());
    assert!(
        stderr.contains(
            "removed `PowerUser` for user: diego.fernandez@example.com (ended 2027-02-28)"
        ),
        "{stderr}"
    );
}

#[test]
fn unknown_names_are_refused_with_a_suggestion_and_nothing_is_written() {
    let copy = Copy::new();
    let cases: [(&[&str], &str); 4] = [
        (
            &["grant", "--group", "harbor-sres", "ReadOnly", "harbor-prod"],
            "there is no group `harbor-sres`\nhint: did you mean `harbor-sre`?",
        ),
        (
            &[
                "grant",
                "--group",
                "harbor-sre",
                "ReadOnlyAccess",
                "harbor-prod",
            ],
            "there is no permission set `ReadOnlyAccess`\nhint: did you mean `ReadOnly`?",
        ),
        (
            &[
                "grant",
                "--group",
                "harbor-sre",
                "ReadOnly",
                "harbor-prod",
                "harbour-prod",
            ],
            "there is no account `harbour-prod`\nhint: did you mean `harbor-prod`?",
        ),
        (
            &[
                "revoke",
                "--user",
                "sofia.rossi@example.com",
                "ReadOnly",
                "harbor-prod",
            ],
            "there is no user `sofia.rossi@example.com`",
        ),
    ];
    for (arguments, expected) in cases {
        let (code, _, stderr) = copy.run(arguments);
        assert_eq!(code, 1, "{arguments:?}: {stderr}");
        assert!(stderr.contains(expected), "{arguments:?}: {stderr}");
        assert!(stderr.contains("Nothing was written."), "{stderr}");
    }
    assert_eq!(copy.diff(), "");
}

#[test]
fn a_flow_style_list_is_refused_and_nothing_is_written() {
    let mut copy = Copy::new();
    let file = copy.root.join("accounts/harbor-prod.yaml");
    let text = std::fs::read_to_string(&file).unwrap().replace(
        "  AdministratorAccess:\n    - group: harbor-sre\n",
        "  AdministratorAccess: [{ group: harbor-sre }]\n",
    );
    std::fs::write(&file, text).unwrap();
    copy.checkpoint();
    let (code, _, stderr) = copy.run(&[
        "revoke",
        "--group",
        "harbor-sre",
        "AdministratorAccess",
        "harbor-prod",
        "harbor-staging",
    ]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains(
            "accounts/harbor-prod.yaml:6:24: `AdministratorAccess` is written in flow style"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("hint: run `monban fmt`"), "{stderr}");
    assert_eq!(copy.diff(), "", "harbor-staging was not edited either");
}

#[test]
fn an_edit_that_leaves_the_repo_invalid_is_refused() {
    let mut copy = Copy::new();
    // Protect a direct user grant; offboarding that user would break the protection.
    let settings = copy.root.join("monban.yaml");
    let text = std::fs::read_to_string(&settings).unwrap().replace(
        "    - { account: org-management, permission_set: AdministratorAccess, group: breakglass }\n",
        "    - { account: org-management, permission_set: AdministratorAccess, group: breakglass }\n    - { account: harbor-prod, permission_set: ReadOnly, user: tomas.novak@example.com }\n",
    );
    std::fs::write(&settings, text).unwrap();
    copy.checkpoint();
    let (code, _, stderr) = copy.run(&["offboard", "tomas.novak@example.com"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(
        stderr.contains("the edited repo would not be valid"),
        "{stderr}"
    );
    assert!(stderr.contains("MB3003"), "{stderr}");
    assert_eq!(copy.diff(), "");
}

#[test]
fn codeowners_writes_the_section_and_check_fails_on_a_stale_file() {
    let temporary = tempfile::tempdir().unwrap();
    let git_root = temporary.path();
    std::fs::create_dir(git_root.join(".git")).unwrap();
    let copy = Copy::new();
    let root = git_root.join("infra/access");
    for (relative, text) in files(&copy.root) {
        let path = root.join(&relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    // A runbook beside an account file is owned with it; the example's
    // `codeowners.default` owns the rest.
    std::fs::write(root.join("accounts/paylark-prod.md"), "# runbook\n").unwrap();
    std::fs::create_dir_all(git_root.join(".github")).unwrap();
    std::fs::write(
        git_root.join(".github/CODEOWNERS"),
        "/docs/ @tessera-group/docs\n",
    )
    .unwrap();

    let run = |arguments: &[&str]| {
        let output = monban(git_root)
            .current_dir(&root)
            .args(arguments)
            .output()
            .unwrap();
        (
            output.status.code().unwrap_or(-1),
            String::from_utf8(output.stdout).unwrap(),
            String::from_utf8(output.stderr).unwrap(),
        )
    };
    let (code, _, stderr) = run(&["codeowners", "--check"]);
    assert_eq!(code, 1, "{stderr}");
    let (code, _, stderr) = run(&["codeowners"]);
    assert_eq!(code, 0, "{stderr}");
    let written = std::fs::read_to_string(git_root.join(".github/CODEOWNERS")).unwrap();
    insta::assert_snapshot!("codeowners_file", written);
    let (code, _, stderr) = run(&["codeowners", "--check"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("is up to date"), "{stderr}");

    let account = root.join("accounts/harbor-prod.yaml");
    let text = std::fs::read_to_string(&account).unwrap().replace(
        "owners: [\"@tessera-group/harbor-sre\"]",
        "owners: [\"@tessera-group/harbor-sre\", \"@tessera-group/retail-security\"]",
    );
    std::fs::write(&account, text).unwrap();
    let (code, stdout, stderr) = run(&["codeowners", "--check"]);
    assert_eq!(code, 1, "{stderr}");
    let shown = std::fs::canonicalize(git_root).unwrap();
    let report =
        format!("{stdout}---\n{stderr}").replace(&shown.display().to_string(), "<git root>");
    insta::assert_snapshot!("codeowners_stale_check", report);
    assert_eq!(
        std::fs::read_to_string(git_root.join(".github/CODEOWNERS")).unwrap(),
        written,
        "--check writes nothing"
    );
}

#[test]
fn validate_warns_about_an_account_nobody_owns() {
    let copy = Copy::new();
    let settings = copy.root.join("monban.yaml");
    let text = std::fs::read_to_string(&settings).unwrap();
    let without_default = &text[..=text.find("\n# Who reviews a pull request").unwrap()];
    std::fs::write(&settings, without_default).unwrap();
    let account = copy.root.join("accounts/network.yaml");
    let text = std::fs::read_to_string(&account)
        .unwrap()
        .replace("owners: [\"@tessera-group/network\"]\n", "");
    std::fs::write(&account, text).unwrap();
    let (code, _, stderr) = copy.run(&["validate"]);
    assert_eq!(code, 0, "a warning, not an error: {stderr}");
    insta::assert_snapshot!("validate_no_owner", stderr);
    let (code, _, _) = copy.run(&["validate", "--deny-warnings"]);
    assert_eq!(code, 1);
}

#[test]
fn grant_to_a_joiner_declares_the_user_checked_against_the_directory() {
    let mut copy = Copy::new();
    let (code, _, stderr) = copy.run(&[
        "grant",
        "--user",
        "sofia.rossi@example.com",
        "ReadOnly",
        "harbor-prod",
        "--reason",
        "loyalty programme rewrite (contractor)",
    ]);
    assert_eq!(code, 0, "{stderr}");
    insta::assert_snapshot!("grant_joiner_diff", copy.diff());
    insta::assert_snapshot!("grant_joiner_stderr", stderr);
    copy.checkpoint();
    let refused: [(&[&str], &str); 2] = [
        (
            &[
                "grant",
                "--user",
                "sofia.rosi@example.com",
                "ReadOnly",
                "harbor-prod",
            ],
            "error: there is no user `sofia.rosi@example.com`\nhint: did you mean `sofia.rossi@example.com`?",
        ),
        (
            &[
                "grant",
                "--user",
                "rebecca.hall@example.com",
                "ReadOnly",
                "kiteway-prod",
            ],
            "error: directory.yaml: user `rebecca.hall@example.com` is deactivated in the directory snapshot (a leaver)",
        ),
    ];
    for (arguments, expected) in refused {
        let (code, _, stderr) = copy.run(arguments);
        assert_eq!(code, 1, "{stderr}");
        assert!(stderr.contains(expected), "{stderr}");
    }
    assert_eq!(copy.diff(), "");
}

#[test]
fn grant_shows_the_warnings_it_introduces() {
    let copy = Copy::new();
    // The security-audit rule already grants this on every account.
    let (code, _, stderr) = copy.run(&[
        "grant",
        "--group",
        "security-auditors",
        "SecurityAudit",
        "harbor-prod",
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("MB4004"), "{stderr}");
    assert!(
        stderr.contains("group security-auditors already holds `SecurityAudit` here"),
        "{stderr}"
    );
    assert!(stderr.contains("Changed 1 file."), "{stderr}");
    // A warning the repo already had (MB4005, an expired grant) is not repeated.
    let (code, _, stderr) = copy.run(&[
        "grant",
        "--group",
        "platform-admins",
        "ReadOnly",
        "paylark-ledger-prod",
        "--today",
        "2027-03-01",
    ]);
    assert_eq!(code, 0, "{stderr}");
    assert!(!stderr.contains("MB4005"), "{stderr}");
}
