//! `export terraform` on the example repo: a snapshot of every file, determinism, a one-line
//! repo change giving a one-resource diff, and `terraform fmt -check` when the binary exists.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use jiff::civil::date;
use monban_terraform::export::{Export, ExportInput, export};

fn example_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/holding")
}

fn load(root: &Path) -> monban_model::Repo {
    let options = monban_config::LoadOptions {
        today: date(2026, 11, 29),
        directory: None,
    };
    let (repo, diagnostics) = monban_config::load_repo(root, &options).expect("the repo loads");
    assert!(!diagnostics.has_errors(), "the example repo is valid");
    repo
}

fn export_of(root: &Path) -> Export {
    let repo = load(root);
    export(ExportInput {
        repo: &repo,
        today: date(2026, 11, 29),
        live: None,
    })
}

fn resource_blocks(files: &BTreeMap<PathBuf, String>) -> BTreeMap<String, String> {
    let mut blocks = BTreeMap::new();
    for text in files.values() {
        let mut current: Option<(String, String)> = None;
        for line in text.lines() {
            if let Some((_, body)) = current.as_mut() {
                body.push_str(line);
                body.push('\n');
                if line == "}" {
                    let (name, body) = current.take().expect("a block is open");
                    blocks.insert(name, body);
                }
            } else if line.starts_with("resource ") || line.starts_with("data ") {
                current = Some((line.to_owned(), format!("{line}\n")));
            }
        }
    }
    blocks
}

#[test]
fn the_example_exports_deterministically() {
    let first = export_of(&example_root());
    let second = export_of(&example_root());
    assert_eq!(first, second);
    assert!(first.resources > 100, "{} resources", first.resources);
    for (path, text) in &first.files {
        insta::assert_snapshot!(path.display().to_string(), text);
    }
}

#[test]
fn a_one_line_change_is_a_one_resource_diff() {
    let dir = tempfile::tempdir().expect("temp dir");
    copy_dir(&example_root(), dir.path());
    let before = resource_blocks(&export_of(dir.path()).files);
    let file = dir.path().join("accounts/harbor-sandbox.yaml");
    let text = std::fs::read_to_string(&file).expect("read the account file");
    // Grant one more group on one account, as a pull request would.
    let edited = text.replacen(
        "access:\n",
        "access:\n  ReadOnly:\n    - group: security-auditors\n",
        1,
    );
    assert_ne!(text, edited, "the account file has an access block");
    std::fs::write(&file, edited).expect("write the account file");
    let after = resource_blocks(&export_of(dir.path()).files);
    let added: Vec<_> = after
        .keys()
        .filter(|key| !before.contains_key(*key))
        .collect();
    let removed: Vec<_> = before
        .keys()
        .filter(|key| !after.contains_key(*key))
        .collect();
    let changed: Vec<_> = before
        .iter()
        .filter(|(key, body)| after.get(*key).is_some_and(|other| other != *body))
        .map(|(key, _)| key)
        .collect();
    assert_eq!(removed, Vec::<&String>::new());
    assert_eq!(changed, Vec::<&String>::new());
    assert_eq!(added.len(), 1, "{added:?}");
    assert!(
        added[0].contains("aws_ssoadmin_account_assignment"),
        "{added:?}"
    );
}

#[test]
fn terraform_fmt_accepts_the_export() {
    let terraform = Path::new("/usr/local/bin/terraform");
    let terraform = if terraform.exists() {
        terraform.to_path_buf()
    } else if let Some(found) = std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path)
            .map(|dir| dir.join("terraform"))
            .find(|candidate| candidate.is_file())
    }) {
        found
    } else {
        // Without a terraform binary the layout rules are still held by the unit tests of
        // `export::hcl`; the comparison with `terraform fmt` itself needs the binary.
        return;
    };
    let exported = export_of(&example_root());
    let dir = tempfile::tempdir().expect("temp dir");
    for (path, text) in &exported.files {
        let target = dir.path().join(path);
        std::fs::create_dir_all(target.parent().expect("a parent")).expect("mkdir");
        std::fs::write(target, text).expect("write");
    }
    let output = std::process::Command::new(terraform)
        .args(["fmt", "-check", "-diff", "-recursive", "-no-color"])
        .current_dir(dir.path())
        .env("TF_CLI_CONFIG_FILE", "/dev/null")
        .output()
        .expect("terraform runs");
    assert!(
        output.status.success(),
        "terraform fmt -check disagrees:\n{}",
        String::from_utf8_lossy(&output.stdout)
    );
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            std::fs::create_dir_all(&target).expect("mkdir");
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy");
        }
    }
}
