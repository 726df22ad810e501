//! Where the World lives between runs: `<state dir>/world.json`, guarded by `<state dir>/lock`.
//!
//! The file is replaced atomically after every mutating request (a temp file in the same
//! directory, written, fsynced, renamed over the old one, then the directory fsynced), so a
//! crash leaves either the old or the new World, never half of one. An exclusive lock on the
//! lock file, held for the server's lifetime, makes sure two servers never share a state
//! dir; the OS releases it if the process dies. The lock is std's `File::try_lock` (flock on
//! Unix, `LockFileEx` on Windows, stable since Rust 1.89), so no locking crate is needed.

use std::fs::{self, File, OpenOptions, TryLockError};
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::world::{FORMAT_VERSION, World};

const WORLD_FILE: &str = "world.json";
const LOCK_FILE: &str = "lock";

/// Why a state directory could not be used.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    /// Another sandbox (or `reset`) holds the state directory.
    #[error(
        "the sandbox state directory {path} is in use by another sandbox server; stop it or use another --state directory"
    )]
    Locked {
        /// The state directory.
        path: PathBuf,
    },
    /// A file operation failed.
    #[error("cannot {action} {path}")]
    Io {
        /// What was being done.
        action: &'static str,
        /// The file or directory.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// `world.json` is not a World.
    #[error("{path} is not a valid sandbox state file; run `monban sandbox reset` to start over")]
    Corrupt {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: serde_json::Error,
    },
    /// `world.json` was written by another format version.
    #[error(
        "{path} has state format version {found}, this monban reads version {FORMAT_VERSION}; run `monban sandbox reset` to start over"
    )]
    UnsupportedVersion {
        /// The file.
        path: PathBuf,
        /// The version found.
        found: u64,
    },
}

fn io_error(action: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> StateError {
    let path = path.to_owned();
    move |source| StateError::Io {
        action,
        path,
        source,
    }
}

/// A locked state directory. The lock is released when this is dropped.
#[derive(Debug)]
pub struct StateDir {
    dir: PathBuf,
    _lock: File,
}

impl StateDir {
    /// Creates `dir` if needed and locks it.
    pub fn open(dir: &Path) -> Result<Self, StateError> {
        fs::create_dir_all(dir).map_err(io_error("create the state directory", dir))?;
        let lock_path = dir.join(LOCK_FILE);
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(io_error("open the lock file", &lock_path))?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                return Err(StateError::Locked {
                    path: dir.to_owned(),
                });
            }
            Err(TryLockError::Error(source)) => {
                return Err(StateError::Io {
                    action: "lock",
                    path: lock_path,
                    source,
                });
            }
        }
        Ok(Self {
            dir: dir.to_owned(),
            _lock: lock,
        })
    }

    /// The directory.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// The saved World, if there is one.
    pub fn load(&self) -> Result<Option<World>, StateError> {
        let path = self.dir.join(WORLD_FILE);
        let text = match fs::read_to_string(&path) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => {
                return Err(StateError::Io {
                    action: "read",
                    path,
                    source,
                });
            }
        };
        let value: serde_json::Value =
            serde_json::from_str(&text).map_err(|source| StateError::Corrupt {
                path: path.clone(),
                source,
            })?;
        let version = value
            .get("format_version")
            .and_then(serde_json::Value::as_u64)
            .unwrap_or(0);
        if version != u64::from(FORMAT_VERSION) {
            return Err(StateError::UnsupportedVersion {
                path,
                found: version,
            });
        }
        serde_json::from_value(value)
            .map(Some)
            .map_err(|source| StateError::Corrupt { path, source })
    }

    /// Atomically replaces the saved World with `world`.
    pub fn save(&self, world: &World) -> Result<(), StateError> {
        let path = self.dir.join(WORLD_FILE);
        let mut file = tempfile::NamedTempFile::new_in(&self.dir)
            .map_err(io_error("create a temporary file in", &self.dir))?;
        let bytes = serde_json::to_vec_pretty(world).map_err(|source| StateError::Corrupt {
            path: path.clone(),
            source,
        })?;
        file.write_all(&bytes)
            .map_err(io_error("write", file.path()))?;
        file.as_file()
            .sync_all()
            .map_err(io_error("flush", file.path()))?;
        file.persist(&path).map_err(|error| StateError::Io {
            action: "replace",
            path: path.clone(),
            source: error.error,
        })?;
        // Make the rename itself durable.
        File::open(&self.dir)
            .and_then(|dir| dir.sync_all())
            .map_err(io_error("flush", &self.dir))?;
        Ok(())
    }

    /// Deletes the saved World (the next start is fresh).
    pub fn clear(&self) -> Result<(), StateError> {
        let path = self.dir.join(WORLD_FILE);
        match fs::remove_file(&path) {
            Ok(()) => Ok(()),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(source) => Err(StateError::Io {
                action: "remove",
                path,
                source,
            }),
        }
    }
}

/// Resets the sandbox state in `dir` (what `monban sandbox reset` does): the next server
/// started on it begins with a fresh World. Fails with [`StateError::Locked`] while a server
/// is running on it (use the control API's `POST /_sandbox/reset` for a running one).
pub fn reset(dir: &Path) -> Result<(), StateError> {
    if !dir.exists() {
        return Ok(());
    }
    StateDir::open(dir)?.clear()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    #[test]
    fn saves_loads_and_locks() {
        let temp = tempfile::tempdir().unwrap();
        let state = StateDir::open(temp.path()).unwrap();
        assert!(state.load().unwrap().is_none());
        let world = World::fresh(&Config::default());
        state.save(&world).unwrap();
        assert_eq!(state.load().unwrap().as_ref(), Some(&world));

        assert!(matches!(
            StateDir::open(temp.path()),
            Err(StateError::Locked { .. })
        ));
        assert!(matches!(reset(temp.path()), Err(StateError::Locked { .. })));
        drop(state);

        reset(temp.path()).unwrap();
        assert!(
            StateDir::open(temp.path())
                .unwrap()
                .load()
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn refuses_another_format_version() {
        let temp = tempfile::tempdir().unwrap();
        fs::write(temp.path().join(WORLD_FILE), r#"{"format_version": 99}"#).unwrap();
        let state = StateDir::open(temp.path()).unwrap();
        assert!(matches!(
            state.load(),
            Err(StateError::UnsupportedVersion { found: 99, .. })
        ));
    }
}
