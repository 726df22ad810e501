//! The snapshot cache: a [`LiveState`] saved as JSON under a per-target directory (the CLI
//! passes `<repo>/.monban/snapshots/<Target::key>/`), written atomically (temporary file in
//! the same directory, flushed, then renamed over the old one) so a crash never leaves half
//! a snapshot behind. The time it was read is `LiveState::read_at`.

use std::io::Write;
use std::path::{Path, PathBuf};

use monban_model::{LIVE_FORMAT_VERSION, LiveState};

use crate::error::AwsError;

/// The snapshot's file name inside its directory.
pub const SNAPSHOT_FILE: &str = "state.json";

/// The snapshot file for `directory`.
#[must_use]
pub fn snapshot_path(directory: &Path) -> PathBuf {
    directory.join(SNAPSHOT_FILE)
}

/// Saves `state` as `<directory>/state.json` (creating the directory), atomically.
/// Returns the file's path.
pub fn save_snapshot(directory: &Path, state: &LiveState) -> Result<PathBuf, AwsError> {
    std::fs::create_dir_all(directory).map_err(|source| AwsError::Snapshot {
        path: directory.to_path_buf(),
        action: "create directory",
        source,
    })?;
    let path = snapshot_path(directory);
    let write_error = |source| AwsError::Snapshot {
        path: path.clone(),
        action: "write",
        source,
    };
    let mut file = tempfile::NamedTempFile::new_in(directory).map_err(write_error)?;
    let json = serde_json::to_vec_pretty(state).map_err(|source| AwsError::SnapshotFormat {
        path: path.clone(),
        source,
    })?;
    file.write_all(&json).map_err(write_error)?;
    file.write_all(b"\n").map_err(write_error)?;
    file.as_file().sync_all().map_err(write_error)?;
    file.persist(&path).map_err(|error| AwsError::Snapshot {
        path: path.clone(),
        action: "rename",
        source: error.error,
    })?;
    Ok(path)
}

/// Loads `<directory>/state.json`. `Ok(None)` when there is none, or when it was written in
/// another format version (it is then simply re-read, never trusted).
pub fn load_snapshot(directory: &Path) -> Result<Option<LiveState>, AwsError> {
    let path = snapshot_path(directory);
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(AwsError::Snapshot {
                path,
                action: "read",
                source,
            });
        }
    };
    // Check the version before the shape: an older format may not parse at all.
    let version = serde_json::from_slice::<serde_json::Value>(&bytes)
        .map_err(|source| AwsError::SnapshotFormat {
            path: path.clone(),
            source,
        })?
        .get("format_version")
        .and_then(serde_json::Value::as_u64);
    if version != Some(u64::from(LIVE_FORMAT_VERSION)) {
        return Ok(None);
    }
    serde_json::from_slice(&bytes)
        .map(Some)
        .map_err(|source| AwsError::SnapshotFormat { path, source })
}

#[cfg(test)]
mod tests {
    use super::*;
    use monban_model::{LiveCaller, LiveOrganization};

    fn state() -> LiveState {
        LiveState {
            format_version: LIVE_FORMAT_VERSION,
            read_at: "2026-11-29T09:00:00Z".parse().expect("a valid timestamp"),
            caller: LiveCaller {
                account_id: "111111111111".into(),
                is_management_account: true,
            },
            organization: LiveOrganization {
                id: "o-abcdefghij".into(),
                management_account_id: "111111111111".into(),
                root_id: "r-abcd".into(),
            },
            ous: Vec::new(),
            accounts: Vec::new(),
            account_creations: Vec::new(),
            invitations: Vec::new(),
            invitations_unreadable: None,
            instance: None,
            permission_sets: Vec::new(),
            provisioned: Vec::new(),
            assignments: Vec::new(),
            users: Vec::new(),
            groups: Vec::new(),
            memberships: Vec::new(),
        }
    }

    #[test]
    fn a_saved_snapshot_loads_back_equal_and_leaves_no_temporary_file() {
        let directory = tempfile::tempdir().expect("a temporary directory");
        let nested = directory.path().join("snapshots").join("sandbox");
        assert!(load_snapshot(&nested).expect("no error").is_none());
        let path = save_snapshot(&nested, &state()).expect("saved");
        assert_eq!(path, nested.join(SNAPSHOT_FILE));
        assert_eq!(load_snapshot(&nested).expect("loads"), Some(state()));
        // Overwrite: still one file.
        save_snapshot(&nested, &state()).expect("saved again");
        let entries: Vec<_> = std::fs::read_dir(&nested)
            .expect("listable")
            .map(|entry| entry.expect("an entry").file_name())
            .collect();
        assert_eq!(entries, vec![std::ffi::OsString::from(SNAPSHOT_FILE)]);
    }

    #[test]
    fn a_snapshot_of_another_version_is_ignored_and_garbage_is_an_error() {
        let directory = tempfile::tempdir().expect("a temporary directory");
        let mut json = serde_json::to_value(state()).expect("serializable");
        json["format_version"] = serde_json::json!(LIVE_FORMAT_VERSION + 1);
        std::fs::write(
            snapshot_path(directory.path()),
            serde_json::to_vec(&json).expect("serializable"),
        )
        .expect("written");
        assert!(load_snapshot(directory.path()).expect("no error").is_none());
        std::fs::write(snapshot_path(directory.path()), b"{not json").expect("written");
        assert!(matches!(
            load_snapshot(directory.path()),
            Err(AwsError::SnapshotFormat { .. })
        ));
    }
}
