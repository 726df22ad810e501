//! Targeted refresh (design §6 step 2): a plan for a change that touches a few files reads
//! only what those files can affect, on top of a cached snapshot of the rest.
//!
//! Which files changed comes from git (`plan --changed-since REV`: committed, staged,
//! unstaged and untracked changes since REV) or, without that flag, from a manifest of the
//! repo files' hashes saved beside the snapshot at the last plan. The snapshot is used as is
//! when `--changed-since` is given (CI restores one from the main branch), and otherwise only
//! while it is younger than [`AUTO_MAX_AGE`]: older live state is read in full, so drift
//! made outside the repo is never hidden for long. `--refresh full` always reads everything,
//! and `monban sandbox provision-idp` drops the embedded sandbox's snapshot (it has just
//! changed the Identity Store behind it).
//!
//! What a changed file can affect:
//!
//! | file | re-read |
//! |---|---|
//! | `accounts/NAME.yaml` | that account (by `id:`, else by its root e-mail in the snapshot): OU, tags, provisioning, assignments; nothing for an account still to be created; the Identity Store too when the file names a group or user the snapshot lacks |
//! | `permission-sets/NAME.yaml`, `NAME.policy.json` | that permission set: definition, policies, provisioning, its assignments |
//! | `groups.yaml` | the Identity Store (users, groups, memberships) |
//! | `monban.yaml`, `rules/*` | everything (settings and selector rules can reach any account) |
//! | anything else (README, `directory.yaml`) | nothing: monban does not read it |

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

use anyhow::Context as _;
use monban_model::{LiveState, PrincipalRef, Repo};
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

/// How old a cached snapshot may be for a plan without `--changed-since` to build on it.
pub const AUTO_MAX_AGE: jiff::SignedDuration = jiff::SignedDuration::from_mins(10);

/// The manifest's file name in the snapshot directory.
const MANIFEST_FILE: &str = "repo-files.json";

/// The repo files monban reads, by path relative to the root (`/`-separated), with the
/// SHA-256 of their contents.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepoManifest {
    pub files: BTreeMap<String, String>,
}

impl RepoManifest {
    /// Hashes `monban.yaml`, `groups.yaml` and every file under `accounts/`,
    /// `permission-sets/` and `rules/`.
    pub fn of(root: &Path) -> anyhow::Result<Self> {
        let mut manifest = Self::default();
        for file in ["monban.yaml", "groups.yaml"] {
            manifest.add(root, &root.join(file))?;
        }
        for dir in ["accounts", "permission-sets", "rules"] {
            manifest.add_tree(root, &root.join(dir))?;
        }
        Ok(manifest)
    }

    fn add_tree(&mut self, root: &Path, dir: &Path) -> anyhow::Result<()> {
        let entries = match std::fs::read_dir(dir) {
            Ok(entries) => entries,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(error) => {
                return Err(error).with_context(|| format!("could not list {}", dir.display()));
            }
        };
        for entry in entries {
            let path = entry
                .with_context(|| format!("could not list {}", dir.display()))?
                .path();
            if path.is_dir() {
                self.add_tree(root, &path)?;
            } else {
                self.add(root, &path)?;
            }
        }
        Ok(())
    }

    fn add(&mut self, root: &Path, path: &Path) -> anyhow::Result<()> {
        let bytes = match std::fs::read(path) {
            Ok(bytes) => bytes,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(error) => {
                return Err(error).with_context(|| format!("could not read {}", path.display()));
            }
        };
        let relative = path
            .strip_prefix(root)
            .unwrap_or(path)
            .components()
            .map(|component| component.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/");
        self.files
            .insert(relative, hex::encode(Sha256::digest(&bytes)));
        Ok(())
    }

    /// The files added, removed or changed between `self` (older) and `newer`.
    #[must_use]
    pub fn changed(&self, newer: &Self) -> BTreeSet<String> {
        let mut changed = BTreeSet::new();
        for (file, hash) in &newer.files {
            if self.files.get(file) != Some(hash) {
                changed.insert(file.clone());
            }
        }
        for file in self.files.keys() {
            if !newer.files.contains_key(file) {
                changed.insert(file.clone());
            }
        }
        changed
    }

    /// The manifest saved in a snapshot directory, if any (an unreadable one counts as none).
    #[must_use]
    pub fn load(dir: &Path) -> Option<Self> {
        let text = std::fs::read(dir.join(MANIFEST_FILE)).ok()?;
        serde_json::from_slice(&text).ok()
    }

    /// Saves the manifest in a snapshot directory (atomically).
    pub fn save(&self, dir: &Path) -> anyhow::Result<()> {
        let path = dir.join(MANIFEST_FILE);
        let mut file = tempfile::NamedTempFile::new_in(dir)
            .with_context(|| format!("could not write {}", path.display()))?;
        serde_json::to_writer_pretty(&mut file, self)
            .with_context(|| format!("could not write {}", path.display()))?;
        file.persist(&path)
            .with_context(|| format!("could not write {}", path.display()))?;
        Ok(())
    }
}

/// The repo files changed since `revision`: committed since, staged, unstaged and untracked
/// (relative to the repo root, `/`-separated).
pub fn git_changed_since(root: &Path, revision: &str) -> anyhow::Result<BTreeSet<String>> {
    let run = |arguments: &[&str]| -> anyhow::Result<String> {
        let output = Command::new("git")
            .arg("-C")
            .arg(root)
            .args(arguments)
            .output()
            .context("could not run git (needed by --changed-since)")?;
        if !output.status.success() {
            anyhow::bail!(
                "`git {}` failed: {}",
                arguments.join(" "),
                String::from_utf8_lossy(&output.stderr).trim()
            );
        }
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    };
    let mut changed = BTreeSet::new();
    // `--relative` makes paths relative to the repo root even inside a larger Git tree.
    for list in [
        run(&["diff", "--name-only", "--relative", revision, "--"])?,
        run(&["ls-files", "--others", "--exclude-standard"])?,
    ] {
        changed.extend(
            list.lines()
                .filter(|line| !line.is_empty())
                .map(str::to_owned),
        );
    }
    Ok(changed)
}

/// What to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadPlan {
    /// Everything, and why.
    Full { why: String },
    /// Only `scope`, on top of the cached snapshot; `files` are the changed repo files.
    Targeted {
        scope: monban_aws::RefreshScope,
        files: BTreeSet<String>,
    },
}

/// What the changed files can affect (see the module doc's table).
#[must_use]
pub fn scope_for(changed: &BTreeSet<String>, repo: &Repo, cached: &LiveState) -> ReadPlan {
    let mut scope = monban_aws::RefreshScope::default();
    let mut files = BTreeSet::new();
    for file in changed {
        let (dir, name) = file.rsplit_once('/').unwrap_or(("", file.as_str()));
        match dir {
            "" if file == "monban.yaml" => {
                return ReadPlan::Full {
                    why: "monban.yaml changed".to_owned(),
                };
            }
            "" if file == "groups.yaml" => scope.identity_store = true,
            "rules" => {
                return ReadPlan::Full {
                    why: format!("{file} changed (a selector rule can reach any account)"),
                };
            }
            "accounts" => {
                let Some(stem) = name.strip_suffix(".yaml") else {
                    continue;
                };
                if let Some(id) = account_id(repo, cached, stem) {
                    scope.account_ids.insert(id);
                }
                // A principal the snapshot does not know may have been pushed by the IdP
                // since: re-read the Identity Store rather than report it missing.
                if names_unknown_principal(repo, cached, stem) {
                    scope.identity_store = true;
                }
            }
            "permission-sets" => {
                let Some(stem) = name
                    .strip_suffix(".policy.json")
                    .or_else(|| name.strip_suffix(".yaml"))
                else {
                    continue;
                };
                scope.permission_set_names.insert(stem.to_owned());
            }
            _ => continue,
        }
        files.insert(file.clone());
    }
    ReadPlan::Targeted { scope, files }
}

/// Whether the account file `name` grants access to a group or user the snapshot lacks.
fn names_unknown_principal(repo: &Repo, cached: &LiveState, name: &str) -> bool {
    let Some((_, account)) = repo
        .accounts
        .iter()
        .find(|(account_name, _)| account_name.as_str() == name)
    else {
        return false;
    };
    account
        .access
        .values()
        .flatten()
        .any(|grant| match &grant.principal {
            PrincipalRef::Group(group) => !cached
                .groups
                .iter()
                .any(|live| live.display_name.eq_ignore_ascii_case(group.as_str())),
            PrincipalRef::User(user) => !cached
                .users
                .iter()
                .any(|live| live.user_name.eq_ignore_ascii_case(user.as_str())),
        })
}

/// The live id of the account file `name`: its `id:`, else the cached account with its root
/// e-mail. `None` for an account still to be created (or a deleted file).
fn account_id(repo: &Repo, cached: &LiveState, name: &str) -> Option<String> {
    let account = repo
        .accounts
        .iter()
        .find(|(account_name, _)| account_name.as_str() == name)?
        .1;
    if let Some(id) = &account.id {
        return Some(id.as_str().to_owned());
    }
    let email = account.root_email.as_ref()?.address.as_str().to_lowercase();
    cached
        .accounts
        .iter()
        .find(|live| live.email.to_lowercase() == email)
        .map(|live| live.id.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example() -> (std::path::PathBuf, Repo) {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/holding");
        let (repo, _) =
            monban_config::load_repo(&root, &monban_config::LoadOptions::new()).unwrap();
        (root, repo)
    }

    fn empty_state() -> LiveState {
        serde_json::from_value(serde_json::json!({
            "format_version": 1,
            "read_at": "2026-11-29T09:00:00Z",
            "caller": { "account_id": "111111111111", "is_management_account": true },
            "organization": { "id": "o-1", "management_account_id": "111111111111", "root_id": "r-1" },
            "ous": [],
            "accounts": [
                { "id": "222222222222", "name": "paylark-prod", "email": "AWS-root+paylark-prod@example.com",
                  "status": "ACTIVE", "ou_path": null }
            ],
            "instance": null
        }))
        .unwrap()
    }

    fn files(list: &[&str]) -> BTreeSet<String> {
        list.iter().map(|file| (*file).to_owned()).collect()
    }

    #[test]
    fn account_and_permission_set_files_scope_to_themselves() {
        let (_, repo) = example();
        let plan = scope_for(
            &files(&[
                "accounts/paylark-prod.yaml",
                "accounts/org-management.yaml",
                "accounts/kiteway-prod.yaml",
                "permission-sets/OnCallOperator.policy.json",
                "permission-sets/ReadOnly.yaml",
                "README.md",
            ]),
            &repo,
            &empty_state(),
        );
        let ReadPlan::Targeted { scope, files } = plan else {
            panic!("targeted: {plan:?}");
        };
        // By `id:` (org-management) and by root e-mail, case-insensitively (paylark-prod);
        // kiteway-prod is still to be created: nothing to read.
        assert_eq!(
            scope.account_ids,
            BTreeSet::from(["111111111111".to_owned(), "222222222222".to_owned()])
        );
        assert_eq!(
            scope.permission_set_names,
            BTreeSet::from(["OnCallOperator".to_owned(), "ReadOnly".to_owned()])
        );
        // The snapshot knows none of the groups these files name: the IdP may have pushed
        // them since.
        assert!(scope.identity_store);
        assert!(!files.contains("README.md"));
    }

    #[test]
    fn settings_and_rules_need_a_full_read_and_groups_the_identity_store() {
        let (_, repo) = example();
        let state = empty_state();
        assert!(matches!(
            scope_for(&files(&["monban.yaml"]), &repo, &state),
            ReadPlan::Full { .. }
        ));
        assert!(matches!(
            scope_for(&files(&["rules/prod-oncall.yaml"]), &repo, &state),
            ReadPlan::Full { .. }
        ));
        let ReadPlan::Targeted { scope, .. } = scope_for(&files(&["groups.yaml"]), &repo, &state)
        else {
            panic!("targeted");
        };
        assert!(scope.identity_store);
        assert!(scope.account_ids.is_empty());
        // Permission-set files name no principals: the Identity Store stays cached.
        let ReadPlan::Targeted { scope, .. } =
            scope_for(&files(&["permission-sets/ReadOnly.yaml"]), &repo, &state)
        else {
            panic!("targeted");
        };
        assert!(!scope.identity_store);
    }

    #[test]
    fn the_manifest_sees_added_changed_and_removed_files() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("accounts")).unwrap();
        std::fs::write(root.join("monban.yaml"), "a").unwrap();
        std::fs::write(root.join("accounts/one.yaml"), "1").unwrap();
        std::fs::write(root.join("accounts/two.yaml"), "2").unwrap();
        let before = RepoManifest::of(root).unwrap();
        std::fs::write(root.join("accounts/one.yaml"), "1 changed").unwrap();
        std::fs::remove_file(root.join("accounts/two.yaml")).unwrap();
        std::fs::write(root.join("accounts/three.yaml"), "3").unwrap();
        std::fs::write(root.join("README.md"), "not read").unwrap();
        let after = RepoManifest::of(root).unwrap();
        assert_eq!(
            before.changed(&after),
            files(&[
                "accounts/one.yaml",
                "accounts/three.yaml",
                "accounts/two.yaml"
            ])
        );
        let snapshots = root.join("snapshots");
        std::fs::create_dir_all(&snapshots).unwrap();
        after.save(&snapshots).unwrap();
        assert_eq!(RepoManifest::load(&snapshots), Some(after));
    }
}
