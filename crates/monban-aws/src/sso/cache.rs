//! The SSO token cache exactly as AWS CLI v2 writes it (aws-api-facts §6.1), so that `aws`,
//! boto3 and every SDK reuse what `monban login` wrote, and monban reuses what they wrote:
//!
//! - the token: `~/.aws/sso/cache/<sha1(sso-session name)>.json` with `startUrl`, `region`,
//!   `accessToken`, `expiresAt`, and the refresh fields `refreshToken`, `clientId`,
//!   `clientSecret`, `registrationExpiresAt`;
//! - the client registration: `~/.aws/sso/cache/<sha1(registration key)>.json` with
//!   `clientId`, `clientSecret`, `expiresAt`, `scopes`, `grantTypes`, keyed as the CLI keys
//!   it (a Python `json.dumps(…, sort_keys=True)` of region, scopes, session name, start
//!   URL and `"tool": "botocore"`).
//!
//! Timestamps are written `YYYY-MM-DDTHH:MM:SSZ`: the Rust SDK refuses any other form
//! (offsets, `UTC`; tested, §6.1). Files are written atomically (a temporary file in the same
//! directory, renamed) with mode 0600, as botocore does; the directory is created 0700.
//! Nothing here talks to AWS.

use std::fmt::{self, Write as _};
use std::io::Write as _;
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use sha1::Digest as _;

use super::SsoError;
use super::config::{SsoSession, home_dir};

/// `~/.aws/sso/cache` (there is no variable to move it; botocore and the SDKs use HOME).
pub fn token_cache_dir() -> Result<PathBuf, SsoError> {
    Ok(home_dir()
        .ok_or(SsoError::NoHome)?
        .join(".aws")
        .join("sso")
        .join("cache"))
}

/// Lower-case hex SHA-1 of `text`: the cache's file naming.
#[must_use]
pub fn sha1_hex(text: &str) -> String {
    hex::encode(sha1::Sha1::digest(text.as_bytes()))
}

/// The token file of an `sso-session`: `<dir>/<sha1(name)>.json`.
#[must_use]
pub fn token_path(cache_dir: &Path, session_name: &str) -> PathBuf {
    cache_dir.join(format!("{}.json", sha1_hex(session_name)))
}

/// A cached SSO access token (one per `sso-session`). Secrets are never shown by `Debug`.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CachedToken {
    pub start_url: String,
    pub region: String,
    pub access_token: String,
    #[serde(with = "z_timestamp")]
    pub expires_at: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "optional_z_timestamp"
    )]
    pub registration_expires_at: Option<Timestamp>,
}

impl fmt::Debug for CachedToken {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("CachedToken")
            .field("start_url", &self.start_url)
            .field("region", &self.region)
            .field("access_token", &"<redacted>")
            .field("expires_at", &self.expires_at)
            .field(
                "refresh_token",
                &self.refresh_token.as_ref().map(|_| "<redacted>"),
            )
            .field("client_id", &self.client_id)
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| "<redacted>"),
            )
            .field("registration_expires_at", &self.registration_expires_at)
            .finish()
    }
}

impl CachedToken {
    /// Whether the access token is still usable at `now` with `margin` to spare.
    #[must_use]
    pub fn is_valid_at(&self, now: Timestamp, margin: jiff::SignedDuration) -> bool {
        now.checked_add(margin)
            .is_ok_and(|later| later < self.expires_at)
    }

    /// The refresh inputs, when all four are present and the registration has not expired
    /// (the condition botocore and the Rust SDK apply).
    #[must_use]
    pub fn refreshable(&self, now: Timestamp) -> Option<Refresh<'_>> {
        let registration_valid = self
            .registration_expires_at
            .is_some_and(|expires| now < expires);
        match (&self.refresh_token, &self.client_id, &self.client_secret) {
            (Some(refresh_token), Some(client_id), Some(client_secret)) if registration_valid => {
                Some(Refresh {
                    refresh_token,
                    client_id,
                    client_secret,
                })
            }
            _ => None,
        }
    }

    /// Whether this token belongs to `session` (same start URL and region); a token cached
    /// for a session whose URL was since changed is not used.
    #[must_use]
    pub fn matches(&self, session: &SsoSession) -> bool {
        self.start_url == session.start_url && self.region == session.region
    }
}

/// What a refresh-token grant sends.
#[derive(Clone, Copy)]
pub struct Refresh<'token> {
    pub refresh_token: &'token str,
    pub client_id: &'token str,
    pub client_secret: &'token str,
}

impl fmt::Debug for Refresh<'_> {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("Refresh")
            .field("client_id", &self.client_id)
            .finish_non_exhaustive()
    }
}

/// Reads the token file of `session_name`; `Ok(None)` when there is none.
pub fn load_token(cache_dir: &Path, session_name: &str) -> Result<Option<CachedToken>, SsoError> {
    read_json(&token_path(cache_dir, session_name))
}

/// Writes the token file of `session_name` (atomically, 0600).
pub fn save_token(
    cache_dir: &Path,
    session_name: &str,
    token: &CachedToken,
) -> Result<PathBuf, SsoError> {
    let path = token_path(cache_dir, session_name);
    write_json_private(&path, token)?;
    Ok(path)
}

/// Deletes the token file of `session_name`; whether there was one.
pub fn delete_token(cache_dir: &Path, session_name: &str) -> Result<bool, SsoError> {
    remove_file(&token_path(cache_dir, session_name))
}

/// A cached OIDC client registration (`RegisterClient`'s answer). `Debug` hides the secret.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CachedRegistration {
    pub client_id: String,
    pub client_secret: String,
    #[serde(with = "z_timestamp")]
    pub expires_at: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scopes: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grant_types: Option<Vec<String>>,
}

impl fmt::Debug for CachedRegistration {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("CachedRegistration")
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .field("expires_at", &self.expires_at)
            .field("scopes", &self.scopes)
            .field("grant_types", &self.grant_types)
            .finish()
    }
}

impl CachedRegistration {
    /// Whether it can be used for a flow at `now`: not within 15 minutes of expiry (the
    /// CLI's window), and registered for that flow (an authorization-code registration
    /// lists `authorization_code` in `grantTypes`; a device one does not).
    #[must_use]
    pub fn usable_for(&self, authorization_code: bool, now: Timestamp) -> bool {
        let fresh = now
            .checked_add(jiff::SignedDuration::from_mins(15))
            .is_ok_and(|later| later < self.expires_at);
        let is_authorization_code = self
            .grant_types
            .as_ref()
            .is_some_and(|grants| grants.iter().any(|grant| grant == "authorization_code"));
        fresh && is_authorization_code == authorization_code
    }
}

/// The registration cache key AWS CLI v2 uses: the SHA-1 of Python's
/// `json.dumps({"region", "scopes", "session_name", "startUrl", "tool": "botocore"},
/// sort_keys=True)` (default separators `", "` and `": "`, ASCII escapes).
#[must_use]
pub fn registration_cache_key(session: &SsoSession, scopes: &[String]) -> String {
    let scopes = if scopes.is_empty() {
        "null".to_owned()
    } else {
        let quoted: Vec<String> = scopes
            .iter()
            .map(|scope| python_json_string(scope))
            .collect();
        format!("[{}]", quoted.join(", "))
    };
    let text = format!(
        "{{\"region\": {}, \"scopes\": {scopes}, \"session_name\": {}, \"startUrl\": {}, \"tool\": \"botocore\"}}",
        python_json_string(&session.region),
        python_json_string(&session.name),
        python_json_string(&session.start_url),
    );
    sha1_hex(&text)
}

/// A JSON string as Python's `json.dumps` writes it (`ensure_ascii=True`).
fn python_json_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for character in text.chars() {
        match character {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            ' '..='~' => out.push(character),
            _ => {
                let mut units = [0_u16; 2];
                for unit in character.encode_utf16(&mut units) {
                    // Writing to a String cannot fail.
                    let _ = write!(out, "\\u{unit:04x}");
                }
            }
        }
    }
    out.push('"');
    out
}

/// Reads the registration cached for `session` and `scopes`.
pub fn load_registration(
    cache_dir: &Path,
    session: &SsoSession,
    scopes: &[String],
) -> Result<Option<CachedRegistration>, SsoError> {
    let key = registration_cache_key(session, scopes);
    read_json(&cache_dir.join(format!("{key}.json")))
}

/// Writes the registration cached for `session` and `scopes` (atomically, 0600).
pub fn save_registration(
    cache_dir: &Path,
    session: &SsoSession,
    scopes: &[String],
    registration: &CachedRegistration,
) -> Result<(), SsoError> {
    let key = registration_cache_key(session, scopes);
    write_json_private(&cache_dir.join(format!("{key}.json")), registration)
}

/// Reads a JSON file; `Ok(None)` when it does not exist.
pub(crate) fn read_json<T: serde::de::DeserializeOwned>(
    path: &Path,
) -> Result<Option<T>, SsoError> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(SsoError::Io {
                path: path.to_path_buf(),
                action: "read",
                source,
            });
        }
    };
    serde_json::from_slice(&bytes)
        .map(Some)
        .map_err(|source| SsoError::Format {
            path: path.to_path_buf(),
            source,
        })
}

/// Writes `value` as JSON to `path` through a temporary file in the same directory (mode
/// 0600 from creation, so the secret is never readable by others even for a moment), then
/// renames it over `path`. Creates the directory (0700) if needed.
pub(crate) fn write_json_private<T: Serialize>(path: &Path, value: &T) -> Result<(), SsoError> {
    let io = |action: &'static str, path: &Path| {
        let path = path.to_path_buf();
        move |source| SsoError::Io {
            path,
            action,
            source,
        }
    };
    let directory = path.parent().unwrap_or_else(|| Path::new("."));
    create_private_dir(directory).map_err(io("create directory", directory))?;
    // `tempfile` creates the file with mode 0600 on Unix.
    let mut file = tempfile::NamedTempFile::new_in(directory).map_err(io("create", directory))?;
    let json = serde_json::to_vec(value).map_err(|source| SsoError::Format {
        path: path.to_path_buf(),
        source,
    })?;
    file.write_all(&json).map_err(io("write", path))?;
    file.as_file().sync_all().map_err(io("write", path))?;
    file.persist(path)
        .map_err(|error| io("rename", path)(error.error))?;
    Ok(())
}

/// Removes a file; whether it existed.
pub(crate) fn remove_file(path: &Path) -> Result<bool, SsoError> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(true),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(source) => Err(SsoError::Io {
            path: path.to_path_buf(),
            action: "delete",
            source,
        }),
    }
}

/// Creates a directory (and parents) readable only by the user.
pub(crate) fn create_private_dir(directory: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt as _;
        builder.mode(0o700);
    }
    builder.create(directory)
}

/// `YYYY-MM-DDTHH:MM:SSZ`, the only form every SDK reads.
#[must_use]
pub fn format_z(timestamp: Timestamp) -> String {
    timestamp.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Serde for a `Z` timestamp (reads any RFC 3339 form, as botocore does; writes `Z`).
mod z_timestamp {
    use jiff::Timestamp;
    use serde::{Deserialize as _, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(
        timestamp: &Timestamp,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&super::format_z(*timestamp))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Timestamp, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// [`z_timestamp`] for an optional field.
mod optional_z_timestamp {
    use jiff::Timestamp;
    use serde::{Deserialize as _, Deserializer, Serializer};

    #[expect(
        clippy::ref_option,
        reason = "serde's `with` passes the field by reference"
    )]
    pub fn serialize<S: Serializer>(
        timestamp: &Option<Timestamp>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match timestamp {
            Some(timestamp) => serializer.serialize_str(&super::format_z(*timestamp)),
            None => serializer.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Timestamp>, D::Error> {
        let text = Option::<String>::deserialize(deserializer)?;
        text.map(|text| text.parse().map_err(serde::de::Error::custom))
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session() -> SsoSession {
        SsoSession {
            name: "my-sso".into(),
            start_url: "https://d-1234567890.awsapps.com/start".into(),
            region: "us-east-1".into(),
            registration_scopes: vec![],
        }
    }

    #[test]
    fn token_file_name_is_sha1_of_the_session_name() {
        // aws-api-facts §6.1: the Rust SDK loaded exactly this file.
        assert_eq!(
            token_path(Path::new("d"), "my-sso"),
            Path::new("d/0ad374308c5a4e22f723adf10145eafad7c4031c.json")
        );
    }

    #[test]
    fn registration_key_matches_aws_cli_v2() {
        // aws-api-facts §6.1's worked example.
        assert_eq!(
            registration_cache_key(&session(), &["sso:account:access".to_owned()]),
            "a8343d65418848d0bc13a5f25cbb32508ceec5d1"
        );
    }

    #[test]
    fn token_round_trips_with_z_timestamps_and_mode_0600() {
        let directory = tempfile::tempdir().expect("tempdir");
        let token = CachedToken {
            start_url: "https://x/start".into(),
            region: "us-east-1".into(),
            access_token: "secret-access".into(),
            expires_at: "2030-01-01T00:00:00Z".parse().expect("time"),
            refresh_token: Some("secret-refresh".into()),
            client_id: Some("client".into()),
            client_secret: Some("secret-client".into()),
            registration_expires_at: Some("2030-03-01T00:00:00Z".parse().expect("time")),
        };
        let path = save_token(directory.path(), "corp", &token).expect("saved");
        let text = std::fs::read_to_string(&path).expect("read");
        assert!(
            text.contains(r#""expiresAt":"2030-01-01T00:00:00Z""#),
            "{text}"
        );
        assert!(
            text.contains(r#""registrationExpiresAt":"2030-03-01T00:00:00Z""#),
            "{text}"
        );
        assert_eq!(
            load_token(directory.path(), "corp").expect("loads"),
            Some(token.clone())
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&path)
                .expect("metadata")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let debug = format!("{token:?}");
        assert!(!debug.contains("secret-"), "{debug}");
    }

    #[test]
    fn reads_offsets_written_by_other_tools() {
        let token: CachedToken = serde_json::from_str(
            r#"{"startUrl":"u","region":"r","accessToken":"a","expiresAt":"2030-01-01T00:00:00+00:00"}"#,
        )
        .expect("parses");
        assert_eq!(format_z(token.expires_at), "2030-01-01T00:00:00Z");
        assert!(token.refreshable(Timestamp::UNIX_EPOCH).is_none());
    }
}
