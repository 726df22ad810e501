//! The shared AWS config file (`~/.aws/config`, or `AWS_CONFIG_FILE`) as the developer
//! commands need it: `[profile …]`, `[sso-session …]` and `[services …]` sections, and the
//! endpoint overrides of the SSO portal and SSO OIDC (aws-api-facts §6.2, §6.4).
//!
//! This is a reader, not an editor: `monban profiles sync` keeps its own managed block and
//! only uses [`AwsConfig`] to learn what is there. The format is the AWS one: `[default]`,
//! `[profile NAME]`, `[sso-session NAME]`, `[services NAME]`, `key = value` lines, `#`/`;`
//! comments, and indented `key = value` lines under a `service =` line (a nested section,
//! as in `[services local]\nsso = \n  endpoint_url = http://…`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::SsoError;

/// The scope `aws sso login` registers with when the session names none.
pub const DEFAULT_SCOPE: &str = "sso:account:access";

/// One section: its keys (later duplicates win), and nested sub-sections (`sso =`
/// followed by indented lines).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Section {
    values: BTreeMap<String, String>,
    nested: BTreeMap<String, BTreeMap<String, String>>,
}

impl std::fmt::Debug for Section {
    /// Keys with their values, except secrets a profile may hold
    /// (`aws_secret_access_key`, `aws_session_token`), which show as `<redacted>`.
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let redacted = |values: &BTreeMap<String, String>| -> BTreeMap<String, String> {
            values
                .iter()
                .map(|(key, value)| {
                    let secret = key.contains("secret") || key.contains("token");
                    let shown = if secret {
                        "<redacted>".to_owned()
                    } else {
                        value.clone()
                    };
                    (key.clone(), shown)
                })
                .collect()
        };
        formatter
            .debug_struct("Section")
            .field("values", &redacted(&self.values))
            .field(
                "nested",
                &self
                    .nested
                    .iter()
                    .map(|(key, values)| (key.clone(), redacted(values)))
                    .collect::<BTreeMap<_, _>>(),
            )
            .finish()
    }
}

impl Section {
    /// A key's value (trimmed), if present and not empty.
    #[must_use]
    pub fn get(&self, key: &str) -> Option<&str> {
        self.values
            .get(key)
            .map(String::as_str)
            .filter(|value| !value.is_empty())
    }

    /// A nested key (`[services x]` → `sso =` → `endpoint_url`).
    #[must_use]
    pub fn nested(&self, parent: &str, key: &str) -> Option<&str> {
        self.nested
            .get(parent)
            .and_then(|values| values.get(key))
            .map(String::as_str)
            .filter(|value| !value.is_empty())
    }
}

/// The parsed config file. Missing file = empty config.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AwsConfig {
    /// Where it was read from.
    pub path: PathBuf,
    /// `[default]` is the profile `default`.
    pub profiles: BTreeMap<String, Section>,
    /// `[sso-session NAME]`.
    pub sso_sessions: BTreeMap<String, Section>,
    /// `[services NAME]`.
    pub services: BTreeMap<String, Section>,
}

/// An `[sso-session NAME]` with the keys login needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SsoSession {
    /// The section's name; the token cache file is `sha1(name).json`.
    pub name: String,
    /// `sso_start_url`.
    pub start_url: String,
    /// `sso_region`.
    pub region: String,
    /// `sso_registration_scopes`, split on `,` and trimmed (empty when not set).
    pub registration_scopes: Vec<String>,
}

impl SsoSession {
    /// The scopes to register with: the configured ones, else `sso:account:access` (what
    /// AWS CLI v2 does for an `sso-session`; without it no refresh token is issued).
    #[must_use]
    pub fn scopes_or_default(&self) -> Vec<String> {
        if self.registration_scopes.is_empty() {
            vec![DEFAULT_SCOPE.to_owned()]
        } else {
            self.registration_scopes.clone()
        }
    }
}

/// A profile that gets its credentials from Identity Center (`sso_session`,
/// `sso_account_id`, `sso_role_name`; `region` for the API calls).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SsoProfile {
    pub name: String,
    pub sso_session: String,
    pub account_id: String,
    pub role_name: String,
    pub region: Option<String>,
}

/// The two services the developer commands call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SsoService {
    /// The access portal (`sso`, `portal.sso.<region>.amazonaws.com`).
    Portal,
    /// SSO OIDC (`sso-oidc`, `oidc.<region>.amazonaws.com`).
    Oidc,
}

impl SsoService {
    /// `AWS_ENDPOINT_URL_<SERVICE>`.
    #[must_use]
    pub fn environment_variable(self) -> &'static str {
        match self {
            Self::Portal => "AWS_ENDPOINT_URL_SSO",
            Self::Oidc => "AWS_ENDPOINT_URL_SSO_OIDC",
        }
    }

    /// The keys of a `[services]` section that name this service: the Rust SDK reads
    /// `sso-oidc`, botocore `sso_oidc` (aws-api-facts §6.4, tested); both are accepted.
    #[must_use]
    pub fn services_keys(self) -> &'static [&'static str] {
        match self {
            Self::Portal => &["sso"],
            Self::Oidc => &["sso-oidc", "sso_oidc"],
        }
    }
}

/// The config file's path: `AWS_CONFIG_FILE` (a leading `~/` expanded), else
/// `~/.aws/config`.
#[must_use]
pub fn config_file_path() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("AWS_CONFIG_FILE").filter(|path| !path.is_empty()) {
        let path = PathBuf::from(path);
        if let (Ok(rest), Some(home)) = (path.strip_prefix("~"), home_dir()) {
            return Some(home.join(rest));
        }
        return Some(path);
    }
    home_dir().map(|home| home.join(".aws").join("config"))
}

/// `$HOME` (`%USERPROFILE%` on Windows), as the AWS SDKs find it.
#[must_use]
pub fn home_dir() -> Option<PathBuf> {
    let variable = if cfg!(windows) { "USERPROFILE" } else { "HOME" };
    std::env::var_os(variable)
        .filter(|home| !home.is_empty())
        .map(PathBuf::from)
}

/// The profile commands use when none is named: `AWS_PROFILE`, else `default`.
#[must_use]
pub fn active_profile_name() -> String {
    std::env::var("AWS_PROFILE")
        .ok()
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| "default".to_owned())
}

impl AwsConfig {
    /// Reads [`config_file_path`]; a missing file is an empty config.
    pub fn load() -> Result<Self, SsoError> {
        let path = config_file_path().ok_or(SsoError::NoHome)?;
        Self::load_from(&path)
    }

    /// Reads `path`; a missing file is an empty config.
    pub fn load_from(path: &Path) -> Result<Self, SsoError> {
        match std::fs::read_to_string(path) {
            Ok(text) => Ok(Self::parse(path, &text)),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(Self {
                path: path.to_path_buf(),
                ..Self::default()
            }),
            Err(source) => Err(SsoError::Io {
                path: path.to_path_buf(),
                action: "read",
                source,
            }),
        }
    }

    /// Parses the text of a config file (never fails: unknown lines are skipped, as the
    /// SDKs skip them).
    #[must_use]
    pub fn parse(path: &Path, text: &str) -> Self {
        let mut config = Self {
            path: path.to_path_buf(),
            ..Self::default()
        };
        // (kind, name) of the current section; `None` before the first header or inside
        // a section kind the developer commands ignore.
        let mut current: Option<(&str, String)> = None;
        let mut nested_parent: Option<String> = None;
        for raw in text.lines() {
            let line = strip_comment(raw);
            if line.trim().is_empty() {
                continue;
            }
            let indented = line.starts_with([' ', '\t']);
            let line = line.trim();
            if let Some(header) = line
                .strip_prefix('[')
                .and_then(|rest| rest.strip_suffix(']'))
            {
                current = parse_header(header.trim());
                nested_parent = None;
                continue;
            }
            let Some((key, value)) = line.split_once('=') else {
                continue;
            };
            let (key, value) = (key.trim().to_owned(), value.trim().to_owned());
            let Some((kind, name)) = &current else {
                continue;
            };
            let section = match *kind {
                "profile" => config.profiles.entry(name.clone()).or_default(),
                "sso-session" => config.sso_sessions.entry(name.clone()).or_default(),
                _ => config.services.entry(name.clone()).or_default(),
            };
            if indented && let Some(parent) = &nested_parent {
                section
                    .nested
                    .entry(parent.clone())
                    .or_default()
                    .insert(key, value);
                continue;
            }
            nested_parent = value.is_empty().then(|| key.clone());
            section.values.insert(key, value);
        }
        config
    }

    /// The `[sso-session NAME]` named, or the only one there is.
    pub fn sso_session(&self, name: Option<&str>) -> Result<SsoSession, SsoError> {
        let name = if let Some(name) = name {
            name.to_owned()
        } else {
            {
                let mut names = self.sso_sessions.keys();
                let Some(first) = names.next() else {
                    return Err(SsoError::NoSsoSession {
                        config: self.path.clone(),
                    });
                };
                if names.next().is_some() {
                    return Err(SsoError::AmbiguousSsoSession {
                        config: self.path.clone(),
                        names: self.sso_sessions.keys().cloned().collect(),
                    });
                }
                first.clone()
            }
        };
        let Some(section) = self.sso_sessions.get(&name) else {
            return Err(SsoError::UnknownSsoSession {
                config: self.path.clone(),
                name,
                names: self.sso_sessions.keys().cloned().collect(),
            });
        };
        let required = |key: &'static str| {
            section
                .get(key)
                .map(str::to_owned)
                .ok_or_else(|| SsoError::MissingKey {
                    config: self.path.clone(),
                    section: format!("sso-session {name}"),
                    key,
                })
        };
        Ok(SsoSession {
            start_url: required("sso_start_url")?,
            region: required("sso_region")?,
            registration_scopes: section
                .get("sso_registration_scopes")
                .map(|scopes| {
                    scopes
                        .split(',')
                        .map(str::trim)
                        .filter(|scope| !scope.is_empty())
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default(),
            name,
        })
    }

    /// A profile that uses an `sso_session` (legacy profiles with `sso_start_url` in the
    /// profile itself are refused: they cannot refresh, and monban does not write them).
    pub fn sso_profile(&self, name: &str) -> Result<SsoProfile, SsoError> {
        let Some(section) = self.profiles.get(name) else {
            return Err(SsoError::UnknownProfile {
                config: self.path.clone(),
                name: name.to_owned(),
                names: self.profiles.keys().cloned().collect(),
            });
        };
        let required = |key: &'static str| {
            section
                .get(key)
                .map(str::to_owned)
                .ok_or_else(|| SsoError::MissingKey {
                    config: self.path.clone(),
                    section: profile_header(name),
                    key,
                })
        };
        Ok(SsoProfile {
            sso_session: required("sso_session")?,
            account_id: required("sso_account_id")?,
            role_name: required("sso_role_name")?,
            region: section.get("region").map(str::to_owned),
            name: name.to_owned(),
        })
    }

    /// The endpoint override for `service` as the AWS SDKs resolve it (aws-api-facts §6.4):
    /// `AWS_ENDPOINT_URL_<SERVICE>`, then `AWS_ENDPOINT_URL`, then the profile's
    /// `services` section, then the profile's `endpoint_url`; none of them when
    /// `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true` or the profile says
    /// `ignore_configured_endpoint_urls = true`. `None` = AWS's own endpoint.
    #[must_use]
    pub fn endpoint_url(&self, profile: &str, service: SsoService) -> Option<String> {
        self.endpoint_url_with(profile, service, |variable| std::env::var(variable).ok())
    }

    /// [`AwsConfig::endpoint_url`] with the environment given (for tests).
    #[must_use]
    pub fn endpoint_url_with(
        &self,
        profile: &str,
        service: SsoService,
        environment: impl Fn(&str) -> Option<String>,
    ) -> Option<String> {
        if self.endpoints_ignored(profile, &environment) {
            return None;
        }
        let profile = self.profiles.get(profile);
        let from_environment = |variable: &str| {
            environment(variable)
                .map(|value| value.trim().to_owned())
                .filter(|value| !value.is_empty())
        };
        if let Some(url) = from_environment(service.environment_variable())
            .or_else(|| from_environment("AWS_ENDPOINT_URL"))
        {
            return Some(url);
        }
        let profile = profile?;
        if let Some(services) = profile
            .get("services")
            .and_then(|name| self.services.get(name))
            && let Some(url) = service
                .services_keys()
                .iter()
                .find_map(|key| services.nested(key, "endpoint_url"))
        {
            return Some(url.to_owned());
        }
        profile.get("endpoint_url").map(str::to_owned)
    }

    /// `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true`, else the profile's
    /// `ignore_configured_endpoint_urls = true`: AWS's own endpoints, whatever is configured.
    fn endpoints_ignored(
        &self,
        profile: &str,
        environment: impl Fn(&str) -> Option<String>,
    ) -> bool {
        environment("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")
            .or_else(|| {
                self.profiles
                    .get(profile)
                    .and_then(|section| section.get("ignore_configured_endpoint_urls"))
                    .map(str::to_owned)
            })
            .is_some_and(|value| value.trim().eq_ignore_ascii_case("true"))
    }

    /// The `[services]` sections an sso-session's own endpoints come from, in order: the
    /// one its `services = NAME` names (a monban extension, for a sandbox), then
    /// `[services monban-<session>]`, which `monban profiles sync` writes for a session
    /// whose endpoints were overridden. Sections that do not exist are left out.
    #[must_use]
    pub fn session_services(&self, session: &str) -> Vec<&Section> {
        [
            self.sso_sessions
                .get(session)
                .and_then(|section| section.get("services"))
                .map(str::to_owned),
            Some(format!("monban-{session}")),
        ]
        .into_iter()
        .flatten()
        .filter_map(|name| self.services.get(&name))
        .collect()
    }

    /// The endpoint of `service` for the developer commands of `session` (login, logout,
    /// credentials): [`AwsConfig::endpoint_url`] for `profile` first, then the session's
    /// own sections ([`AwsConfig::session_services`]), so a session pointed at a sandbox
    /// stays there without `AWS_ENDPOINT_URL` once `profiles sync` wrote its section;
    /// nothing of the session's when the endpoints are ignored
    /// (`AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true`, or the profile's
    /// `ignore_configured_endpoint_urls`).
    #[must_use]
    pub fn session_endpoint_url(
        &self,
        profile: &str,
        session: &str,
        service: SsoService,
    ) -> Option<String> {
        self.session_endpoint_url_with(profile, session, service, |variable| {
            std::env::var(variable).ok()
        })
    }

    /// [`AwsConfig::session_endpoint_url`] with the environment given (for tests).
    #[must_use]
    pub fn session_endpoint_url_with(
        &self,
        profile: &str,
        session: &str,
        service: SsoService,
        environment: impl Fn(&str) -> Option<String>,
    ) -> Option<String> {
        if let Some(url) = self.endpoint_url_with(profile, service, &environment) {
            return Some(url);
        }
        if self.endpoints_ignored(profile, &environment) {
            return None;
        }
        self.session_services(session)
            .into_iter()
            .find_map(|services| {
                service
                    .services_keys()
                    .iter()
                    .find_map(|key| services.nested(key, "endpoint_url"))
                    .map(str::to_owned)
            })
    }
}

/// `[default]` or `[profile NAME]`.
fn profile_header(name: &str) -> String {
    if name == "default" {
        "default".to_owned()
    } else {
        format!("profile {name}")
    }
}

/// Removes a comment: a line starting with `#`/`;`, or ` #`/` ;` after a value (as
/// botocore's parser does for inline comments).
fn strip_comment(line: &str) -> &str {
    let trimmed = line.trim_start();
    if trimmed.starts_with(['#', ';']) {
        return "";
    }
    let mut end = line.len();
    for marker in [" #", "\t#", " ;", "\t;"] {
        if let Some(index) = line.find(marker) {
            end = end.min(index);
        }
    }
    &line[..end]
}

/// `default`, `profile NAME`, `sso-session NAME`, `services NAME` → (kind, name).
fn parse_header(header: &str) -> Option<(&'static str, String)> {
    if header == "default" {
        return Some(("profile", "default".to_owned()));
    }
    let (kind, name) = header.split_once(char::is_whitespace)?;
    let name = name.trim().to_owned();
    match kind {
        "profile" => Some(("profile", name)),
        "sso-session" => Some(("sso-session", name)),
        "services" => Some(("services", name)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "\
# a comment
[default]
region = eu-west-1

[profile dev]
sso_session = corp
sso_account_id = 111122223333
sso_role_name = ReadOnly   ; inline comment
region = eu-west-1
services = local

[sso-session corp]
sso_start_url = https://d-1234567890.awsapps.com/start
sso_region = us-east-1
sso_registration_scopes = sso:account:access, extra:scope

[services local]
sso =
  endpoint_url = http://127.0.0.1:1/portal
sso_oidc =
  endpoint_url = http://127.0.0.1:1/oidc
";

    fn config() -> AwsConfig {
        AwsConfig::parse(Path::new("config"), TEXT)
    }

    #[test]
    fn reads_the_only_sso_session_with_scopes() {
        let session = config().sso_session(None).expect("one session");
        assert_eq!(session.name, "corp");
        assert_eq!(session.region, "us-east-1");
        assert_eq!(session.start_url, "https://d-1234567890.awsapps.com/start");
        assert_eq!(
            session.registration_scopes,
            ["sso:account:access", "extra:scope"]
        );
    }

    #[test]
    fn two_sessions_without_a_name_is_an_error_listing_them() {
        let text = format!("{TEXT}\n[sso-session other]\nsso_start_url = x\nsso_region = y\n");
        let error = AwsConfig::parse(Path::new("config"), &text)
            .sso_session(None)
            .expect_err("ambiguous");
        assert!(error.to_string().contains("corp, other"), "{error}");
    }

    #[test]
    fn reads_an_sso_profile_without_inline_comments() {
        let profile = config().sso_profile("dev").expect("a profile");
        assert_eq!(profile.role_name, "ReadOnly");
        assert_eq!(profile.account_id, "111122223333");
        assert_eq!(profile.region.as_deref(), Some("eu-west-1"));
    }

    #[test]
    fn endpoint_precedence_is_service_variable_global_variable_services_profile() {
        let config = config();
        let none = |_: &str| None;
        assert_eq!(
            config
                .endpoint_url_with("dev", SsoService::Oidc, none)
                .as_deref(),
            Some("http://127.0.0.1:1/oidc")
        );
        assert_eq!(
            config.endpoint_url_with("default", SsoService::Oidc, none),
            None
        );
        let global = |name: &str| (name == "AWS_ENDPOINT_URL").then(|| "http://global".to_owned());
        assert_eq!(
            config
                .endpoint_url_with("dev", SsoService::Portal, global)
                .as_deref(),
            Some("http://global")
        );
        let both = |name: &str| match name {
            "AWS_ENDPOINT_URL" => Some("http://global".to_owned()),
            "AWS_ENDPOINT_URL_SSO" => Some("http://portal".to_owned()),
            _ => None,
        };
        assert_eq!(
            config
                .endpoint_url_with("dev", SsoService::Portal, both)
                .as_deref(),
            Some("http://portal")
        );
        let ignored = |name: &str| {
            matches!(name, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS").then(|| "true".to_owned())
        };
        assert_eq!(
            config.endpoint_url_with("dev", SsoService::Oidc, ignored),
            None
        );
    }

    #[test]
    fn debug_hides_static_keys_in_profiles() {
        let config = AwsConfig::parse(
            Path::new("config"),
            "[profile static]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = very-secret\n",
        );
        let debug = format!("{config:?}");
        assert!(!debug.contains("very-secret"), "{debug}");
        assert!(debug.contains("AKIAEXAMPLE"), "{debug}");
    }

    #[test]
    fn a_session_falls_back_on_its_own_services_sections() {
        let text = "[sso-session named]\nsso_start_url = https://x.awsapps.com/start\nsso_region = eu-west-1\nservices = box\n\n[sso-session synced]\nsso_start_url = https://x.awsapps.com/start\nsso_region = eu-west-1\n\n[services box]\nsso =\n  endpoint_url = http://127.0.0.1:1\nsso_oidc =\n  endpoint_url = http://127.0.0.1:1\n\n[services monban-synced]\nsso =\n  endpoint_url = http://127.0.0.1:2\nsso-oidc =\n  endpoint_url = http://127.0.0.1:2\n\n[profile quiet]\nignore_configured_endpoint_urls = true\n";
        let config = AwsConfig::parse(Path::new("config"), text);
        let none = |_: &str| None;
        let url = |session: &str, service| {
            config.session_endpoint_url_with("default", session, service, none)
        };
        assert_eq!(
            url("named", SsoService::Portal).as_deref(),
            Some("http://127.0.0.1:1")
        );
        assert_eq!(
            url("named", SsoService::Oidc).as_deref(),
            Some("http://127.0.0.1:1")
        );
        assert_eq!(
            url("synced", SsoService::Portal).as_deref(),
            Some("http://127.0.0.1:2")
        );
        assert_eq!(
            url("synced", SsoService::Oidc).as_deref(),
            Some("http://127.0.0.1:2")
        );
        assert_eq!(url("other", SsoService::Portal), None);
        // The environment and the profile come first; ignoring endpoints ignores these too.
        let global = |variable: &str| {
            (variable == "AWS_ENDPOINT_URL").then(|| "http://127.0.0.1:3".to_owned())
        };
        assert_eq!(
            config
                .session_endpoint_url_with("default", "named", SsoService::Portal, global)
                .as_deref(),
            Some("http://127.0.0.1:3")
        );
        let ignore = |variable: &str| {
            (variable == "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS").then(|| "true".to_owned())
        };
        assert_eq!(
            config.session_endpoint_url_with("default", "named", SsoService::Portal, ignore),
            None
        );
        assert_eq!(
            config.session_endpoint_url_with("quiet", "synced", SsoService::Portal, none),
            None
        );
    }

    #[test]
    fn services_section_gives_both_spellings() {
        let config = config();
        assert_eq!(
            config
                .services
                .get("local")
                .and_then(|section| section.nested("sso", "endpoint_url")),
            Some("http://127.0.0.1:1/portal")
        );
        assert_eq!(
            config
                .services
                .get("local")
                .and_then(|section| section.nested("sso_oidc", "endpoint_url")),
            Some("http://127.0.0.1:1/oidc")
        );
    }
}
