//! Role credentials (`GetRoleCredentials`' answer), their `credential_process` JSON
//! (Version 1, aws-api-facts §6.3), and monban's own cache of them.
//!
//! The cache lives in the platform cache directory — `$XDG_CACHE_HOME/monban`, else
//! `~/.cache/monban` (`~/Library/Caches/monban` on macOS, `%LOCALAPPDATA%\monban` on
//! Windows) — as `credentials/<sha1(sso-session name)>/<account>-<role>.json`, mode 0600,
//! written atomically. An entry is used until 5 minutes before the keys expire (SDKs refresh
//! earlier than that, and a key handed out must still be good for the call it is made for).
//! One directory per session, so `monban logout` removes exactly that session's keys.
//!
//! Reading an entry is plain file I/O and JSON: no runtime, no SDK, so a warm
//! `monban credentials` costs little more than starting the process.

use std::fmt;
use std::path::{Path, PathBuf};

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use super::SsoError;
use super::cache::{read_json, sha1_hex, write_json_private};
use super::config::home_dir;

/// How long before expiry a cached key stops being handed out.
pub const CREDENTIALS_EARLY_EXPIRY: SignedDuration = SignedDuration::from_mins(5);

/// Short-lived role keys. `Debug` shows only the access key id.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleCredentials {
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: String,
    pub expiration: Timestamp,
    pub account_id: String,
}

impl fmt::Debug for RoleCredentials {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("RoleCredentials")
            .field("access_key_id", &self.access_key_id)
            .field("expiration", &self.expiration)
            .field("account_id", &self.account_id)
            .finish_non_exhaustive()
    }
}

/// The `credential_process` document (field names and `Version` as the SDKs read them).
#[derive(Serialize)]
struct ProcessOutput<'credentials> {
    #[serde(rename = "Version")]
    version: u8,
    #[serde(rename = "AccessKeyId")]
    access_key_id: &'credentials str,
    #[serde(rename = "SecretAccessKey")]
    secret_access_key: &'credentials str,
    #[serde(rename = "SessionToken")]
    session_token: &'credentials str,
    #[serde(rename = "Expiration")]
    expiration: String,
    #[serde(rename = "AccountId")]
    account_id: &'credentials str,
}

impl RoleCredentials {
    /// The `credential_process` JSON: `{"Version":1,"AccessKeyId":…,"SecretAccessKey":…,
    /// "SessionToken":…,"Expiration":"…Z","AccountId":…}`.
    #[must_use]
    pub fn to_process_json(&self) -> String {
        let output = ProcessOutput {
            version: 1,
            access_key_id: &self.access_key_id,
            secret_access_key: &self.secret_access_key,
            session_token: &self.session_token,
            expiration: super::cache::format_z(self.expiration),
            account_id: &self.account_id,
        };
        // Serializing plain strings and a number cannot fail.
        serde_json::to_string(&output).expect("credential JSON serializes")
    }

    /// Whether the keys may still be handed out at `now`.
    #[must_use]
    pub fn fresh_at(&self, now: Timestamp) -> bool {
        now.checked_add(CREDENTIALS_EARLY_EXPIRY)
            .is_ok_and(|later| later < self.expiration)
    }
}

/// One cache entry: the keys and the start URL they came from (an entry of a session whose
/// start URL changed is not used).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct CacheEntry {
    start_url: String,
    credentials: RoleCredentials,
}

/// monban's cache directory: `$XDG_CACHE_HOME/monban`, else the platform's.
pub fn monban_cache_dir() -> Result<PathBuf, SsoError> {
    if let Some(directory) = std::env::var_os("XDG_CACHE_HOME").filter(|path| !path.is_empty()) {
        return Ok(PathBuf::from(directory).join("monban"));
    }
    if cfg!(windows)
        && let Some(directory) = std::env::var_os("LOCALAPPDATA").filter(|path| !path.is_empty())
    {
        return Ok(PathBuf::from(directory).join("monban"));
    }
    let home = home_dir().ok_or(SsoError::NoHome)?;
    Ok(if cfg!(target_os = "macos") {
        home.join("Library").join("Caches").join("monban")
    } else {
        home.join(".cache").join("monban")
    })
}

/// The directory of one session's cached keys.
#[must_use]
pub fn session_credentials_dir(cache_dir: &Path, session_name: &str) -> PathBuf {
    cache_dir.join("credentials").join(sha1_hex(session_name))
}

/// The cache file of one (session, account, role). Account ids are digits and permission
/// set names `[\w+=,.@-]`, so the name is safe as it is; anything else is hashed.
#[must_use]
pub fn credentials_path(
    cache_dir: &Path,
    session_name: &str,
    account_id: &str,
    role_name: &str,
) -> PathBuf {
    let safe = |text: &str| {
        !text.is_empty()
            && text
                .chars()
                .all(|character| character.is_ascii_alphanumeric() || "+=,.@-_".contains(character))
    };
    let file = if safe(account_id) && safe(role_name) {
        format!("{account_id}-{role_name}.json")
    } else {
        format!("{}.json", sha1_hex(&format!("{account_id}\n{role_name}")))
    };
    session_credentials_dir(cache_dir, session_name).join(file)
}

/// The cached keys at `path` if they came from `start_url` and are fresh at `now`; a
/// missing, unreadable or stale entry is `None` (the caller fetches new keys).
#[must_use]
pub fn load_cached_credentials(
    path: &Path,
    start_url: &str,
    now: Timestamp,
) -> Option<RoleCredentials> {
    let entry: CacheEntry = read_json(path).ok().flatten()?;
    (entry.start_url == start_url && entry.credentials.fresh_at(now)).then_some(entry.credentials)
}

/// Caches `credentials` at `path` (atomically, 0600).
pub fn save_cached_credentials(
    path: &Path,
    start_url: &str,
    credentials: &RoleCredentials,
) -> Result<(), SsoError> {
    write_json_private(
        path,
        &CacheEntry {
            start_url: start_url.to_owned(),
            credentials: credentials.clone(),
        },
    )
}

/// Removes every cached key of a session; how many files there were.
pub fn clear_session_credentials(cache_dir: &Path, session_name: &str) -> Result<usize, SsoError> {
    let directory = session_credentials_dir(cache_dir, session_name);
    let entries = match std::fs::read_dir(&directory) {
        Ok(entries) => entries,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(source) => {
            return Err(SsoError::Io {
                path: directory,
                action: "read",
                source,
            });
        }
    };
    let mut removed = 0;
    for entry in entries.flatten() {
        if super::cache::remove_file(&entry.path())? {
            removed += 1;
        }
    }
    // Leaving an empty directory behind is harmless; removing it is tidier.
    let _ = std::fs::remove_dir(&directory);
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn credentials(expiration: &str) -> RoleCredentials {
        RoleCredentials {
            access_key_id: "ASIAEXAMPLE".into(),
            secret_access_key: "secret-key".into(),
            session_token: "secret-token".into(),
            expiration: expiration.parse().expect("time"),
            account_id: "111122223333".into(),
        }
    }

    #[test]
    fn process_json_is_version_1_with_z_expiration() {
        let json: serde_json::Value =
            serde_json::from_str(&credentials("2030-01-01T00:00:00Z").to_process_json())
                .expect("json");
        assert_eq!(json["Version"], 1);
        assert_eq!(json["Expiration"], "2030-01-01T00:00:00Z");
        assert_eq!(json["AccessKeyId"], "ASIAEXAMPLE");
        assert_eq!(json["AccountId"], "111122223333");
    }

    #[test]
    fn cache_entry_is_used_until_five_minutes_before_expiry() {
        let directory = tempfile::tempdir().expect("tempdir");
        let path = credentials_path(directory.path(), "corp", "111122223333", "ReadOnly");
        let keys = credentials("2030-01-01T01:00:00Z");
        save_cached_credentials(&path, "https://start", &keys).expect("saved");
        let before: Timestamp = "2030-01-01T00:54:59Z".parse().expect("time");
        let inside: Timestamp = "2030-01-01T00:55:01Z".parse().expect("time");
        assert_eq!(
            load_cached_credentials(&path, "https://start", before),
            Some(keys)
        );
        assert_eq!(
            load_cached_credentials(&path, "https://start", inside),
            None
        );
        assert_eq!(
            load_cached_credentials(&path, "https://other", before),
            None
        );
        assert_eq!(
            clear_session_credentials(directory.path(), "corp").expect("cleared"),
            1
        );
        assert_eq!(
            load_cached_credentials(&path, "https://start", before),
            None
        );
    }

    #[test]
    fn debug_hides_the_secrets() {
        let debug = format!("{:?}", credentials("2030-01-01T00:00:00Z"));
        assert!(
            !debug.contains("secret-key") && !debug.contains("secret-token"),
            "{debug}"
        );
    }
}
