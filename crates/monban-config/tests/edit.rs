//! `monban_config::edit` on small files: where an entry goes, what a deletion takes with
//! it, and what is refused. (The commands are tested end to end on the example repo in
//! `crates/monban/tests/it/edit.rs`.)

use std::path::Path;

use monban_config::edit::{self, EditError, GrantOutcome, GrantRequest, RevokeOutcome, Workspace};
use monban_config::model::{
    AccountName, GroupName, PermissionSetName, PrincipalRef, Until, UserName,
};
use monban_config::{LoadOptions, load_repo};

const SETTINGS: &str = "organization:\n  root_email: \"aws+{account}@example.com\"\nidentity_center:\n  region: eu-central-1\ncodeowners:\n  default: [\"@example/platform\"]\n";
const GROUPS: &str =
    "groups: [admins, developers, auditors]\nusers:\n  - alice@example.com\n  - bob@example.com\n";

/// A repo with `accounts/a.yaml` = `account` and the given rule file.
fn repo(account: &str, rules: Option<&str>) -> tempfile::TempDir {
    let directory = tempfile::tempdir().unwrap();
    let root = directory.path();
    std::fs::write(root.join("monban.yaml"), SETTINGS).unwrap();
    std::fs::write(root.join("groups.yaml"), GROUPS).unwrap();
    std::fs::create_dir_all(root.join("accounts")).unwrap();
    std::fs::create_dir_all(root.join("permission-sets")).unwrap();
    for name in ["ReadOnly", "Admin", "Billing"] {
        std::fs::write(root.join(format!("permission-sets/{name}.yaml")), "").unwrap();
    }
    std::fs::write(root.join("accounts/a.yaml"), account).unwrap();
    if let Some(rules) = rules {
        std::fs::create_dir_all(root.join("rules")).unwrap();
        std::fs::write(root.join("rules/r.yaml"), rules).unwrap();
    }
    directory
}

fn account() -> AccountName {
    AccountName::parse("a").unwrap()
}

fn group(name: &str) -> PrincipalRef {
    PrincipalRef::Group(GroupName::parse(name).unwrap())
}

fn user(name: &str) -> PrincipalRef {
    PrincipalRef::User(UserName::parse(name).unwrap())
}

fn request(principal: PrincipalRef, permission_set: &str) -> GrantRequest {
    GrantRequest {
        principal,
        permission_set: PermissionSetName::parse(permission_set).unwrap(),
        until: None,
        reason: None,
    }
}

/// Runs `edit` on a workspace of `root` and returns the edited `accounts/a.yaml` (not
/// written), checking the edited repo still loads without errors.
fn edited(root: &Path, edit: impl FnOnce(&mut Workspace)) -> String {
    let mut workspace = Workspace::new(root);
    edit(&mut workspace);
    let (_, diagnostics) = workspace.load(&LoadOptions::new()).unwrap();
    assert!(!diagnostics.has_errors(), "{diagnostics:#?}");
    workspace.text(Path::new("accounts/a.yaml")).unwrap()
}

#[test]
fn grant_goes_to_the_sorted_place_of_a_sorted_list_before_the_next_entrys_comment() {
    let directory = repo(
        "access:\n  ReadOnly:\n    - group: admins\n    # Bob, temporarily\n    - user: bob@example.com\n",
        None,
    );
    let text = edited(directory.path(), |workspace| {
        let mut grant = request(user("alice@example.com"), "ReadOnly");
        grant.until = Some(Until::parse("2030-01-31").unwrap());
        grant.reason = Some("INC-1: on call".to_owned());
        let outcome = edit::grant(workspace, &account(), &grant).unwrap();
        assert!(
            matches!(outcome, GrantOutcome::Added { line: 4, .. }),
            "{outcome:?}"
        );
    });
    assert_eq!(
        text,
        "access:\n  ReadOnly:\n    - group: admins\n    - user: alice@example.com\n      until: 2030-01-31\n      reason: \"INC-1: on call\"\n    # Bob, temporarily\n    - user: bob@example.com\n"
    );
}

#[test]
fn grant_appends_to_an_unsorted_list_with_its_indentation() {
    let directory = repo(
        "access:\n    ReadOnly:\n      - group: developers\n      - group: admins\n",
        None,
    );
    let text = edited(directory.path(), |workspace| {
        edit::grant(
            workspace,
            &account(),
            &request(group("auditors"), "ReadOnly"),
        )
        .unwrap();
    });
    assert_eq!(
        text,
        "access:\n    ReadOnly:\n      - group: developers\n      - group: admins\n      - group: auditors\n"
    );
}

#[test]
fn grant_adds_a_permission_set_or_access_where_missing() {
    let directory = repo("# comment\nou:\n", None);
    let text = edited(directory.path(), |workspace| {
        edit::grant(workspace, &account(), &request(group("admins"), "Admin")).unwrap();
        edit::grant(workspace, &account(), &request(group("admins"), "ReadOnly")).unwrap();
        edit::grant(
            workspace,
            &account(),
            &request(group("auditors"), "Billing"),
        )
        .unwrap();
    });
    assert_eq!(
        text,
        "# comment\nou:\naccess:\n  Admin:\n    - group: admins\n  Billing:\n    - group: auditors\n  ReadOnly:\n    - group: admins\n"
    );
    let empty = repo("", None);
    let text = edited(empty.path(), |workspace| {
        edit::grant(workspace, &account(), &request(group("admins"), "Admin")).unwrap();
    });
    assert_eq!(text, "access:\n  Admin:\n    - group: admins\n");
}

#[test]
fn grant_of_an_existing_entry_changes_nothing() {
    let original = "access:\n  ReadOnly:\n    - user: bob@example.com\n      until: 2030-01-01\n";
    let directory = repo(original, None);
    let text = edited(directory.path(), |workspace| {
        let outcome = edit::grant(
            workspace,
            &account(),
            &request(user("bob@example.com"), "ReadOnly"),
        )
        .unwrap();
        assert_eq!(
            outcome,
            GrantOutcome::AlreadyGranted {
                file: "accounts/a.yaml".into(),
                line: 3,
                until: Some("2030-01-01".to_owned())
            }
        );
        assert!(workspace.changes().is_empty());
    });
    assert_eq!(text, original);
}

#[test]
fn revoke_takes_the_comment_above_and_empties_upwards() {
    let directory = repo(
        "# file comment\nid: \"123456789012\"\n# the access\naccess:\n  ReadOnly:\n    - group: admins\n    # Bob\n    - user: bob@example.com  # until Friday\n      reason: x\n",
        None,
    );
    let text = edited(directory.path(), |workspace| {
        let permission_set = PermissionSetName::parse("ReadOnly").unwrap();
        let outcome = edit::revoke(
            workspace,
            &account(),
            &permission_set,
            &user("bob@example.com"),
        )
        .unwrap();
        let RevokeOutcome::Removed(removal) = outcome else {
            panic!("{outcome:?}")
        };
        assert_eq!(removal.line, 7);
        assert_eq!(
            workspace.text(Path::new("accounts/a.yaml")).unwrap(),
            "# file comment\nid: \"123456789012\"\n# the access\naccess:\n  ReadOnly:\n    - group: admins\n"
        );
        edit::revoke(workspace, &account(), &permission_set, &group("admins")).unwrap();
        let again = edit::revoke(workspace, &account(), &permission_set, &group("admins")).unwrap();
        assert!(matches!(again, RevokeOutcome::NotGranted { .. }));
    });
    assert_eq!(text, "# file comment\nid: \"123456789012\"\n");
}

#[test]
fn offboard_removes_rule_principals_and_rules_left_empty() {
    let rules = "# keep\n- permission_set: ReadOnly\n  principals:\n    - group: auditors\n    - user: alice@example.com\n  accounts: { ou: \"**\" }\n# Alice's own rule\n- permission_set: Billing\n  principals:\n    - { user: alice@example.com }\n  accounts: { ou: \"**\" }\n";
    let directory = repo(
        "access:\n  Admin:\n    - user: alice@example.com\n    - group: admins\n",
        Some(rules),
    );
    let (repo_value, diagnostics) = load_repo(directory.path(), &LoadOptions::new()).unwrap();
    assert!(!diagnostics.has_errors(), "{diagnostics:#?}");
    let mut workspace = Workspace::new(directory.path());
    let removals = edit::offboard(
        &mut workspace,
        &repo_value,
        &UserName::parse("alice@example.com").unwrap(),
    )
    .unwrap();
    let summary: Vec<(String, usize, String)> = removals
        .iter()
        .map(|removal| {
            (
                monban_config::display_path(&removal.file),
                removal.line,
                removal.what.clone(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("accounts/a.yaml".to_owned(), 3, "`Admin` on `a`".to_owned()),
            (
                "rules/r.yaml".to_owned(),
                7,
                "`Billing` by rule rules/r.yaml#2".to_owned()
            ),
            (
                "rules/r.yaml".to_owned(),
                5,
                "`ReadOnly` by rule rules/r.yaml#1".to_owned()
            ),
            (
                "groups.yaml".to_owned(),
                3,
                "the declaration of the user".to_owned()
            ),
        ]
    );
    assert_eq!(
        workspace.text(Path::new("rules/r.yaml")).unwrap(),
        "# keep\n- permission_set: ReadOnly\n  principals:\n    - group: auditors\n  accounts: { ou: \"**\" }\n"
    );
}

#[test]
fn flow_style_users_in_groups_yaml_are_refused() {
    let directory = repo("access:\n  Admin:\n    - user: alice@example.com\n", None);
    std::fs::write(
        directory.path().join("groups.yaml"),
        "groups: [admins]\nusers: [alice@example.com]\n",
    )
    .unwrap();
    let (repo_value, _) = load_repo(directory.path(), &LoadOptions::new()).unwrap();
    let mut workspace = Workspace::new(directory.path());
    let error = edit::offboard(
        &mut workspace,
        &repo_value,
        &UserName::parse("alice@example.com").unwrap(),
    )
    .unwrap_err();
    assert!(
        matches!(&error, EditError::Unsupported { location, .. } if location == "groups.yaml:2:8"),
        "{error}"
    );
    assert!(error.hint().unwrap().contains("one entry per line"));
}

#[test]
fn unknown_names_are_refused_with_the_closest_name() {
    let directory = repo("", None);
    let (repo_value, _) = load_repo(directory.path(), &LoadOptions::new()).unwrap();
    let error = edit::resolve_names(&repo_value, "group", "admin", "ReadOnly", &["a".to_owned()])
        .unwrap_err();
    assert_eq!(error.to_string(), "there is no group `admin`");
    assert_eq!(error.hint().unwrap(), "did you mean `admins`?");
    let error = edit::resolve_names(&repo_value, "user", "carol", "ReadOnly", &[]).unwrap_err();
    assert_eq!(
        error.hint().unwrap(),
        "declare `carol` under `users` in groups.yaml first"
    );
    let error = edit::resolve_names(&repo_value, "group", "admins", "readonly", &[]).unwrap_err();
    assert_eq!(error.hint().unwrap(), "did you mean `ReadOnly`?");
}

#[test]
fn declaring_a_user_keeps_a_sorted_list_sorted() {
    let directory = repo("", None);
    let mut workspace = Workspace::new(directory.path());
    let carol = UserName::parse("carol@example.com").unwrap();
    assert_eq!(edit::declare_user(&mut workspace, &carol).unwrap(), Some(5));
    assert_eq!(edit::declare_user(&mut workspace, &carol).unwrap(), None);
    assert_eq!(
        workspace.text(Path::new("groups.yaml")).unwrap(),
        "groups: [admins, developers, auditors]\nusers:\n  - alice@example.com\n  - bob@example.com\n  - carol@example.com\n"
    );
    std::fs::write(directory.path().join("groups.yaml"), "groups: [admins]\n").unwrap();
    let mut workspace = Workspace::new(directory.path());
    assert_eq!(edit::declare_user(&mut workspace, &carol).unwrap(), Some(3));
    assert_eq!(
        workspace.text(Path::new("groups.yaml")).unwrap(),
        "groups: [admins]\nusers:\n  - carol@example.com\n"
    );
}

/// On every account of the example repo, granting something new and revoking it again
/// gives back the file byte for byte: the edits touch nothing but their own lines.
#[test]
fn grant_then_revoke_restores_every_example_file_exactly() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/holding");
    let (repo_value, diagnostics) = load_repo(&root, &LoadOptions::new()).unwrap();
    assert!(!diagnostics.has_errors());
    let principals = [
        group("platform-admins"),
        group("security-auditors"),
        user("wei.zhang@example.com"),
        user("diego.fernandez@example.com"),
    ];
    let mut edits = 0;
    for (name, account) in &repo_value.accounts {
        let file = edit::account_file(name);
        let original = std::fs::read_to_string(root.join(&file)).unwrap();
        for permission_set in repo_value.permission_sets.keys() {
            for principal in &principals {
                let held = account
                    .access
                    .get(permission_set)
                    .is_some_and(|grants| grants.iter().any(|grant| &grant.principal == principal));
                if held {
                    continue;
                }
                let mut workspace = Workspace::new(&root);
                let mut grant = request(principal.clone(), permission_set.as_str());
                grant.until = Some(Until::parse("2031-12-31").unwrap());
                grant.reason = Some("test: a reason".to_owned());
                let outcome = edit::grant(&mut workspace, name, &grant).unwrap();
                assert!(matches!(outcome, GrantOutcome::Added { .. }), "{outcome:?}");
                // Loading the whole repo after each of ~600 edits is slow in a debug build;
                // every fourth edit (each principal in turn) shows the edits load cleanly.
                if edits % 4 == 0 {
                    let (_, diagnostics) = workspace.load(&LoadOptions::new()).unwrap();
                    assert!(
                        !diagnostics.has_errors(),
                        "{name} {permission_set} {principal}: {diagnostics:#?}"
                    );
                }
                let outcome =
                    edit::revoke(&mut workspace, name, permission_set, principal).unwrap();
                assert!(matches!(outcome, RevokeOutcome::Removed(_)), "{outcome:?}");
                assert_eq!(
                    workspace.text(&file).unwrap(),
                    original,
                    "{name}: grant + revoke of {principal} {permission_set}"
                );
                edits += 1;
            }
        }
    }
    assert!(edits > 500, "{edits}");
}
