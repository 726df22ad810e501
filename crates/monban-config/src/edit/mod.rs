//! Editing the access repo the way a person would: minimal edits of the YAML *source text*,
//! located with the loader's spans — never a re-serialization. Every byte an edit does not
//! mean to change stays identical, comments and order included, and each principal is one
//! line (or one entry of a few lines), so the pull request's diff shows exactly who was
//! added or removed.
//!
//! An edit runs on a [`Workspace`]: it reads files, replaces their text in memory, and
//! writes nothing until the caller has loaded the edited repo from memory
//! ([`Workspace::load`]) and found it valid; [`Workspace::write`] then replaces each
//! changed file atomically. What the edits do is documented in
//! `docs/reference/editing.md`.

mod access;
mod format;
mod text;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use monban_model::Repo;

pub use access::{
    GrantOutcome, GrantRequest, Removal, RevokeOutcome, account_file, closest, declare_user, grant,
    offboard, resolve_names, revoke,
};
pub use format::{Formatted, PrunedGrant, format_account};

use crate::diagnostics::{Diagnostics, display_path};
use crate::load::{LoadError, LoadOptions, load_repo_with_overlay};

/// Why an edit cannot be made. Nothing has been written when one is returned.
#[derive(Debug, thiserror::Error)]
pub enum EditError {
    /// A name the request uses does not exist in the repo.
    #[error("there is no {kind} `{name}`")]
    UnknownName {
        kind: &'static str,
        name: String,
        /// A close known name, for "did you mean".
        suggestion: Option<String>,
        /// What to do when there is no close name.
        fix: String,
    },
    /// The file is written in a way the edit cannot change by whole lines (flow style, a
    /// multi-line value); the hint says how to make it editable.
    #[error("{location}: {message}")]
    Unsupported {
        location: String,
        message: String,
        hint: String,
    },
    #[error("{location}: not valid YAML: {message}")]
    Syntax { location: String, message: String },
    #[error("cannot read `{}`", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot write `{}`", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl EditError {
    /// The next step for the user, printed as `hint:`.
    #[must_use]
    pub fn hint(&self) -> Option<String> {
        match self {
            Self::UnknownName {
                suggestion, fix, ..
            } => Some(suggestion.as_ref().map_or_else(
                || fix.clone(),
                |candidate| format!("did you mean `{candidate}`?"),
            )),
            Self::Unsupported { hint, .. } => Some(hint.clone()),
            Self::Syntax { .. } => {
                Some("fix the file first (`monban validate` shows every problem)".to_owned())
            }
            Self::Read { .. } | Self::Write { .. } => None,
        }
    }
}

/// `file:line:col` of a byte offset in `text`.
pub(crate) fn location(file: &Path, text: &str, offset: usize) -> String {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before
        .rfind('\n')
        .map_or(before, |index| &before[index + 1..])
        .chars()
        .count()
        + 1;
    format!("{}:{line}:{column}", display_path(file))
}

/// A unified diff (3 lines of context) from `before` to `after`, headed by the two names;
/// empty when they are equal.
#[must_use]
pub fn unified_diff(before: &str, after: &str, before_name: &str, after_name: &str) -> String {
    if before == after {
        return String::new();
    }
    similar::TextDiff::from_lines(before, after)
        .unified_diff()
        .context_radius(3)
        .header(before_name, after_name)
        .to_string()
}

/// One file an edit changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileChange {
    /// Relative to the repo root.
    pub path: PathBuf,
    pub before: String,
    pub after: String,
}

/// The files of one repo as an edit sees them: read on first use, changed in memory.
#[derive(Debug)]
pub struct Workspace {
    root: PathBuf,
    original: BTreeMap<PathBuf, String>,
    current: BTreeMap<PathBuf, String>,
}

impl Workspace {
    #[must_use]
    pub fn new(root: &Path) -> Self {
        Self {
            root: root.to_path_buf(),
            original: BTreeMap::new(),
            current: BTreeMap::new(),
        }
    }

    #[must_use]
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Whether `relative` exists (in memory or on disk).
    #[must_use]
    pub fn exists(&self, relative: &Path) -> bool {
        self.current.contains_key(relative) || self.root.join(relative).is_file()
    }

    /// The current text of `relative` (relative to the root).
    pub fn text(&mut self, relative: &Path) -> Result<String, EditError> {
        if let Some(text) = self.current.get(relative) {
            return Ok(text.clone());
        }
        let path = self.root.join(relative);
        let text = std::fs::read_to_string(&path).map_err(|source| EditError::Read {
            path: path.clone(),
            source,
        })?;
        self.original.insert(relative.to_path_buf(), text.clone());
        self.current.insert(relative.to_path_buf(), text.clone());
        Ok(text)
    }

    /// Replaces the text of `relative` in memory.
    pub fn replace(&mut self, relative: &Path, text: String) {
        self.current.insert(relative.to_path_buf(), text);
    }

    /// The files whose text differs from the disk, in path order.
    #[must_use]
    pub fn changes(&self) -> Vec<FileChange> {
        self.current
            .iter()
            .filter_map(|(path, after)| {
                let before = self.original.get(path)?;
                (before != after).then(|| FileChange {
                    path: path.clone(),
                    before: before.clone(),
                    after: after.clone(),
                })
            })
            .collect()
    }

    /// Loads the repo as it would be after the edit, from memory.
    pub fn load(&self, options: &LoadOptions) -> Result<(Repo, Diagnostics), LoadError> {
        let overlay: BTreeMap<PathBuf, String> = self
            .changes()
            .into_iter()
            .map(|change| (change.path, change.after))
            .collect();
        load_repo_with_overlay(&self.root, options, &overlay)
    }

    /// Writes every changed file: first each to a temporary file beside it, then each
    /// renamed over the original (a rename within a directory is atomic), so a reader never
    /// sees a half-written file and a failure while writing leaves every file as it was.
    pub fn write(&self) -> Result<Vec<FileChange>, EditError> {
        let changes = self.changes();
        let mut staged: Vec<(PathBuf, PathBuf)> = Vec::new();
        for change in &changes {
            let path = self.root.join(&change.path);
            let file_name = path
                .file_name()
                .map(|name| name.to_string_lossy().into_owned())
                .unwrap_or_default();
            let temporary =
                path.with_file_name(format!(".{file_name}.monban-{}", std::process::id()));
            if let Err(source) = std::fs::write(&temporary, &change.after) {
                let _ = std::fs::remove_file(&temporary);
                for (temporary, _) in &staged {
                    let _ = std::fs::remove_file(temporary);
                }
                return Err(EditError::Write { path, source });
            }
            if let Ok(metadata) = std::fs::metadata(&path) {
                // Keep the file's permissions (a rename would give the new file default ones).
                let _ = std::fs::set_permissions(&temporary, metadata.permissions());
            }
            staged.push((temporary, path));
        }
        for (temporary, path) in &staged {
            std::fs::rename(temporary, path).map_err(|source| EditError::Write {
                path: path.clone(),
                source,
            })?;
        }
        Ok(changes)
    }
}
