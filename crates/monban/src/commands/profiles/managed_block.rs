//! The pure part of `monban profiles sync`: finding monban's managed block in an AWS
//! shared config file (`~/.aws/config`), naming one profile per account and permission set,
//! rendering the block, and splicing it back so that every byte outside it stays as it was.
//! No I/O here: the command reads the file, the portal and the access repo, and writes.
//!
//! The file format is the INI dialect every SDK reads (botocore's `configparser`, the Rust
//! SDK's profile parser, the JS SDK's `parseIni`): `[profile NAME]`, `[default]`,
//! `[sso-session NAME]` and `[services NAME]` sections, `key = value` lines, indented
//! sub-properties under `services` keys, and whole-line `#`/`;` comments. This module only
//! needs the section headers outside its block (to avoid duplicate profile names and to
//! know whether the `[sso-session]` section exists), so it does not parse values.
//!
//! One block per SSO session, delimited by marker comments naming the session, so that
//! several sessions can be synced into one file and each sync only rewrites its own block.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::ops::Range;

/// The default profile-name template: the account's name, a dot, the permission set.
pub const DEFAULT_TEMPLATE: &str = "{account}.{permission_set}";

/// The placeholders a template may use, with what each one stands for (also the
/// `--template` help text and the guide).
pub const PLACEHOLDERS: [(&str, &str); 5] = [
    (
        "account",
        "the account's name in the access repo when one is found, else its name in the portal",
    ),
    ("account_name", "the account's name as the portal lists it"),
    ("account_id", "the 12-digit account id"),
    (
        "permission_set",
        "the permission set (the portal's role name)",
    ),
    ("session", "the sso-session name"),
];

/// The first line of the managed block of `session`.
fn begin_marker(session: &str) -> String {
    format!("# >>> monban profiles sync (sso-session {session}) >>>")
}

/// The last line of the managed block of `session`.
fn end_marker(session: &str) -> String {
    format!("# <<< monban profiles sync (sso-session {session}) <<<")
}

/// A problem with the config file that makes a sync unsafe: it is reported and nothing is
/// written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BlockError {
    #[error(
        "line {line}: the managed block of sso-session `{session}` starts here but never ends (no `{end}` line)"
    )]
    Unterminated {
        session: String,
        line: usize,
        end: String,
    },
    #[error("line {line}: a second managed block of sso-session `{session}` starts here")]
    Duplicate { session: String, line: usize },
    #[error(
        "line {line}: the managed block of sso-session `{session}` ends here but never started"
    )]
    UnmatchedEnd { session: String, line: usize },
}

/// A template that could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    #[error("unknown placeholder `{{{0}}}` in the profile-name template")]
    UnknownPlaceholder(String),
    #[error("unclosed `{{` in the profile-name template")]
    Unclosed,
    #[error("the profile-name template uses no placeholder that tells accounts apart")]
    NotDistinct,
}

/// A section header of the config file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Section {
    /// `[default]` or `[profile NAME]`: the profile's name (`default` for both defaults).
    Profile(String),
    /// `[sso-session NAME]`.
    SsoSession(String),
    /// `[services NAME]`.
    Services(String),
    /// Anything else (kept, never interpreted).
    Other(String),
}

impl Section {
    /// The section a header line (`[ … ]`, already trimmed) names.
    fn parse(header: &str) -> Self {
        let inner = header.trim_start_matches('[').trim_end_matches(']').trim();
        let mut words = inner.splitn(2, char::is_whitespace);
        let kind = words.next().unwrap_or_default();
        let name = words.next().unwrap_or_default().trim().to_owned();
        match kind {
            "default" if name.is_empty() => Self::Profile("default".to_owned()),
            "profile" if !name.is_empty() => Self::Profile(name),
            "sso-session" if !name.is_empty() => Self::SsoSession(name),
            "services" if !name.is_empty() => Self::Services(name),
            _ => Self::Other(inner.to_owned()),
        }
    }
}

/// A config file's text, with the managed block of one session located.
#[derive(Debug)]
pub struct ConfigText<'text> {
    text: &'text str,
    /// Byte range of the block, from the start of its first marker line to the end of its
    /// last marker line including the line break.
    block: Option<Range<usize>>,
    /// Every section header outside the block, in file order.
    outside: Vec<Section>,
}

impl<'text> ConfigText<'text> {
    /// Locates the block of `session` in `text` and the sections outside it.
    pub fn parse(text: &'text str, session: &str) -> Result<Self, BlockError> {
        let begin = begin_marker(session);
        let end = end_marker(session);
        let mut block: Option<Range<usize>> = None;
        let mut open: Option<(usize, usize)> = None;
        let mut outside = Vec::new();
        let mut offset = 0;
        for (index, line) in text.split_inclusive('\n').enumerate() {
            let number = index + 1;
            let content = line.trim_end_matches(['\n', '\r']);
            let line_end = offset + line.len();
            if content == begin {
                if open.is_some() || block.is_some() {
                    return Err(BlockError::Duplicate {
                        session: session.to_owned(),
                        line: number,
                    });
                }
                open = Some((offset, number));
            } else if content == end {
                let Some((start, _)) = open.take() else {
                    return Err(BlockError::UnmatchedEnd {
                        session: session.to_owned(),
                        line: number,
                    });
                };
                block = Some(start..line_end);
            } else if open.is_none() {
                let trimmed = content.trim();
                if trimmed.starts_with('[') && trimmed.ends_with(']') {
                    outside.push(Section::parse(trimmed));
                }
            }
            offset = line_end;
        }
        if let Some((_, line)) = open {
            return Err(BlockError::Unterminated {
                session: session.to_owned(),
                line,
                end,
            });
        }
        Ok(Self {
            text,
            block,
            outside,
        })
    }

    /// The block as it is now (markers included), if there is one.
    pub fn block(&self) -> Option<&'text str> {
        self.block.clone().map(|range| &self.text[range])
    }

    /// Profile names defined outside the block (by the user, or by another session's block).
    pub fn profiles_outside(&self) -> BTreeSet<String> {
        self.outside
            .iter()
            .filter_map(|section| match section {
                Section::Profile(name) => Some(name.clone()),
                _ => None,
            })
            .collect()
    }

    /// Whether `[sso-session NAME]` exists outside the block.
    pub fn has_session_outside(&self, session: &str) -> bool {
        self.outside
            .iter()
            .any(|section| matches!(section, Section::SsoSession(name) if name == session))
    }

    /// Whether `[services NAME]` exists outside the block.
    pub fn has_services_outside(&self, name: &str) -> bool {
        self.outside
            .iter()
            .any(|section| matches!(section, Section::Services(existing) if existing == name))
    }

    /// The whole file with the block replaced by `block` (or appended after a blank line
    /// when there was none). Everything outside the block is kept byte for byte.
    pub fn with_block(&self, block: &str) -> String {
        if let Some(range) = &self.block {
            let mut text = String::with_capacity(self.text.len() + block.len());
            text.push_str(&self.text[..range.start]);
            text.push_str(block);
            text.push_str(&self.text[range.end..]);
            return text;
        }
        let mut text = self.text.to_owned();
        if !text.is_empty() {
            if !text.ends_with('\n') {
                text.push('\n');
            }
            text.push('\n');
        }
        text.push_str(block);
        text
    }
}

/// One account and permission set the user holds, as the portal lists it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct PortalRole {
    pub account_id: String,
    pub account_name: String,
    pub role_name: String,
}

/// One generated profile.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Profile {
    pub name: String,
    pub account_id: String,
    pub role_name: String,
}

/// A parsed profile-name template: literal text and placeholders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    pieces: Vec<Piece>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Literal(String),
    Placeholder(String),
}

impl Template {
    /// Parses `{placeholder}`s out of `text`; `{{` and `}}` are literal braces.
    pub fn parse(text: &str) -> Result<Self, TemplateError> {
        let mut pieces = Vec::new();
        let mut literal = String::new();
        let mut characters = text.chars().peekable();
        while let Some(character) = characters.next() {
            match character {
                '{' if characters.peek() == Some(&'{') => {
                    characters.next();
                    literal.push('{');
                }
                '}' if characters.peek() == Some(&'}') => {
                    characters.next();
                    literal.push('}');
                }
                '{' => {
                    let mut name = String::new();
                    loop {
                        match characters.next() {
                            Some('}') => break,
                            Some(inner) => name.push(inner),
                            None => return Err(TemplateError::Unclosed),
                        }
                    }
                    let name = name.trim().to_owned();
                    if !PLACEHOLDERS.iter().any(|(known, _)| *known == name) {
                        return Err(TemplateError::UnknownPlaceholder(name));
                    }
                    if !literal.is_empty() {
                        pieces.push(Piece::Literal(std::mem::take(&mut literal)));
                    }
                    pieces.push(Piece::Placeholder(name));
                }
                other => literal.push(other),
            }
        }
        if !literal.is_empty() {
            pieces.push(Piece::Literal(literal));
        }
        // A template without an account placeholder would name every account's profile the
        // same; collisions would then be resolved by suffixes alone, which is never meant.
        if !pieces
            .iter()
            .any(|piece| matches!(piece, Piece::Placeholder(name) if name.starts_with("account")))
        {
            return Err(TemplateError::NotDistinct);
        }
        Ok(Self { pieces })
    }

    /// The raw (unsanitized) name for one role.
    fn expand(&self, role: &PortalRole, account: &str, session: &str) -> String {
        let mut name = String::new();
        for piece in &self.pieces {
            match piece {
                Piece::Literal(text) => name.push_str(text),
                Piece::Placeholder(placeholder) => name.push_str(match placeholder.as_str() {
                    "account" => account,
                    "account_name" => &role.account_name,
                    "account_id" => &role.account_id,
                    "permission_set" => &role.role_name,
                    // `parse` admits only the known placeholders.
                    _ => session,
                }),
            }
        }
        name
    }
}

/// A profile name every SDK and shell handles: ASCII letters, digits, `.`, `_` and `-`;
/// any other run of characters becomes one `-` (dropped next to a `.`), and `-`/`.` are
/// trimmed from both ends.
pub fn sanitize(raw: &str) -> String {
    let mut name = String::with_capacity(raw.len());
    for character in raw.chars() {
        if character.is_ascii_alphanumeric() || matches!(character, '.' | '_' | '-') {
            name.push(character);
        } else if !name.ends_with('-') {
            name.push('-');
        }
    }
    // A replaced character next to a dot (`Web Dev (sandbox).ReadOnly`) would leave `-.`.
    while name.contains("-.") || name.contains(".-") {
        name = name.replace("-.", ".").replace(".-", ".");
    }
    name.trim_matches(['-', '.']).to_owned()
}

/// Names one profile per role, deterministically:
///
/// 1. the template is expanded (`{account}` = the repo's name for the account id when
///    `repo_names` has it, else the portal's name) and sanitized; an empty result becomes
///    `<account id>.<permission set>`;
/// 2. every role whose name is shared with another role or with a profile outside the block
///    (`taken`) gets `-<account id>` appended;
/// 3. any name still shared gets `-2`, `-3`, … in (account id, permission set) order.
///
/// The result is sorted by name. The same inputs always give the same names, whatever
/// order the portal listed them in.
pub fn name_profiles(
    roles: &[PortalRole],
    template: &Template,
    repo_names: &BTreeMap<String, String>,
    session: &str,
    taken: &BTreeSet<String>,
) -> Vec<Profile> {
    let mut roles: Vec<&PortalRole> = roles.iter().collect();
    roles.sort_by(|left, right| {
        (&left.account_id, &left.role_name).cmp(&(&right.account_id, &right.role_name))
    });
    roles.dedup_by(|left, right| {
        left.account_id == right.account_id && left.role_name == right.role_name
    });
    let candidates: Vec<String> = roles
        .iter()
        .map(|role| {
            let account = repo_names
                .get(&role.account_id)
                .map_or(role.account_name.as_str(), String::as_str);
            let account = if account.is_empty() {
                role.account_id.as_str()
            } else {
                account
            };
            let name = sanitize(&template.expand(role, account, session));
            if name.is_empty() {
                sanitize(&format!("{}.{}", role.account_id, role.role_name))
            } else {
                name
            }
        })
        .collect();
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for candidate in &candidates {
        *counts.entry(candidate.as_str()).or_default() += 1;
    }
    let second: Vec<String> = roles
        .iter()
        .zip(&candidates)
        .map(|(role, candidate)| {
            if counts[candidate.as_str()] > 1 || taken.contains(candidate) {
                format!("{candidate}-{}", role.account_id)
            } else {
                candidate.clone()
            }
        })
        .collect();
    let mut used: BTreeSet<String> = taken.clone();
    let mut profiles: Vec<Profile> = roles
        .iter()
        .zip(second)
        .map(|(role, name)| {
            let mut unique = name.clone();
            let mut number = 2;
            while used.contains(&unique) {
                unique = format!("{name}-{number}");
                number += 1;
            }
            used.insert(unique.clone());
            Profile {
                name: unique,
                account_id: role.account_id.clone(),
                role_name: role.role_name.clone(),
            }
        })
        .collect();
    profiles.sort();
    profiles
}

/// The `[sso-session]` section the block writes when the file lacks one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionSection {
    pub start_url: String,
    pub region: String,
    pub registration_scopes: String,
}

/// The endpoint overrides of a sandbox: service → URL, by the service's `[services]` key
/// in botocore's spelling (`sso_admin`); the Rust SDK's spelling (`sso-admin`) is written
/// next to it where the two differ (aws-api-facts §6.4).
pub type Endpoints = BTreeMap<&'static str, String>;

/// The `[services]` keys in botocore's spelling with the Rust SDK's spelling where it
/// differs (aws-api-facts §6.4: botocore snake-cases the service id, the Rust SDK
/// lower-cases it with spaces turned into `-`; each ignores the other's key).
pub const SERVICE_KEYS: [(&str, Option<&str>); 7] = [
    ("identitystore", None),
    ("iam", None),
    ("organizations", None),
    ("sso", None),
    ("sso_admin", Some("sso-admin")),
    ("sso_oidc", Some("sso-oidc")),
    ("sts", None),
];

/// Everything the block holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    pub session: String,
    /// `Some` when the file has no `[sso-session]` section of that name outside the block.
    pub session_section: Option<SessionSection>,
    /// The region of API calls made with the profiles.
    pub region: String,
    pub profiles: Vec<Profile>,
    /// A sandbox's endpoint overrides, written as `[services NAME]` and referenced by every
    /// profile (`services = NAME`); empty for real AWS.
    pub endpoints: Endpoints,
}

impl Block {
    /// The `[services]` section name the block uses for its endpoint overrides.
    pub fn services_name(&self) -> String {
        format!("monban-{}", self.session)
    }

    /// The block's text, markers included, ending with a line break.
    pub fn render(&self) -> String {
        let mut text = String::new();
        // `writeln!` into a String cannot fail; the results are ignored for that reason.
        let _ = writeln!(text, "{}", begin_marker(&self.session));
        let _ = writeln!(
            text,
            "# Written by `monban profiles sync`: the next sync rewrites everything down to the"
        );
        let _ = writeln!(
            text,
            "# end marker, so put your own settings outside this block."
        );
        let services = (!self.endpoints.is_empty()).then(|| self.services_name());
        if let Some(section) = &self.session_section {
            let _ = writeln!(text, "\n[sso-session {}]", self.session);
            let _ = writeln!(text, "sso_start_url = {}", section.start_url);
            let _ = writeln!(text, "sso_region = {}", section.region);
            let _ = writeln!(
                text,
                "sso_registration_scopes = {}",
                section.registration_scopes
            );
        }
        if self.profiles.is_empty() {
            let _ = writeln!(
                text,
                "\n# No account or permission set is assigned to you through this session."
            );
        }
        for profile in &self.profiles {
            let _ = writeln!(text, "\n[profile {}]", profile.name);
            let _ = writeln!(text, "sso_session = {}", self.session);
            let _ = writeln!(text, "sso_account_id = {}", profile.account_id);
            let _ = writeln!(text, "sso_role_name = {}", profile.role_name);
            let _ = writeln!(text, "region = {}", self.region);
            if let Some(services) = &services {
                let _ = writeln!(text, "services = {services}");
            }
        }
        if let Some(services) = &services {
            let _ = writeln!(text, "\n[services {services}]");
            for (key, other_spelling) in SERVICE_KEYS {
                let Some(url) = self.endpoints.get(key) else {
                    continue;
                };
                for spelling in std::iter::once(key).chain(other_spelling) {
                    let _ = writeln!(text, "{spelling} =\n  endpoint_url = {url}");
                }
            }
        }
        let _ = writeln!(text, "\n{}", end_marker(&self.session));
        text
    }
}

/// A unified diff of `before` → `after`, headed with `path`; empty when they are equal.
pub fn unified_diff(before: &str, after: &str, path: &str) -> String {
    if before == after {
        return String::new();
    }
    similar::TextDiff::from_lines(before, after)
        .unified_diff()
        .context_radius(3)
        .header(&format!("{path} (now)"), &format!("{path} (after sync)"))
        .to_string()
}

/// What a sync changes in the set of profiles: names added, removed, kept.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProfileChanges {
    pub added: Vec<String>,
    pub removed: Vec<String>,
    pub kept: Vec<String>,
}

/// Compares the profile names of the old block (if any) with the new profiles.
pub fn profile_changes(old_block: Option<&str>, profiles: &[Profile]) -> ProfileChanges {
    let old: BTreeSet<String> = old_block
        .map(|block| {
            block
                .lines()
                .filter_map(|line| {
                    let trimmed = line.trim();
                    (trimmed.starts_with('[') && trimmed.ends_with(']'))
                        .then(|| Section::parse(trimmed))
                })
                .filter_map(|section| match section {
                    Section::Profile(name) => Some(name),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default();
    let new: BTreeSet<String> = profiles
        .iter()
        .map(|profile| profile.name.clone())
        .collect();
    ProfileChanges {
        added: new.difference(&old).cloned().collect(),
        removed: old.difference(&new).cloned().collect(),
        kept: new.intersection(&old).cloned().collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn role(account_id: &str, account_name: &str, role_name: &str) -> PortalRole {
        PortalRole {
            account_id: account_id.to_owned(),
            account_name: account_name.to_owned(),
            role_name: role_name.to_owned(),
        }
    }

    fn default_template() -> Template {
        Template::parse(DEFAULT_TEMPLATE).expect("the default template parses")
    }

    fn names(profiles: &[Profile]) -> Vec<&str> {
        profiles
            .iter()
            .map(|profile| profile.name.as_str())
            .collect()
    }

    const USER_CONFIG: &str = "\
# my own settings
[default]
region = eu-west-1

[profile work]
; a comment the user wrote
role_arn = arn:aws:iam::123456789012:role/Work
source_profile = default

[sso-session corp]
sso_start_url = https://d-1234567890.awsapps.com/start
sso_region = us-east-1
";

    fn sandbox_block(profiles: Vec<Profile>) -> Block {
        Block {
            session: "corp".to_owned(),
            session_section: None,
            region: "us-east-1".to_owned(),
            profiles,
            endpoints: BTreeMap::new(),
        }
    }

    #[test]
    fn sections_outside_the_block_are_found_and_a_missing_block_is_none() {
        let config = ConfigText::parse(USER_CONFIG, "corp").expect("parses");
        assert!(config.block().is_none());
        assert_eq!(
            config.profiles_outside(),
            BTreeSet::from(["default".to_owned(), "work".to_owned()])
        );
        assert!(config.has_session_outside("corp"));
        assert!(!config.has_session_outside("other"));
    }

    #[test]
    fn the_first_sync_appends_the_block_and_keeps_every_byte_before_it() {
        let config = ConfigText::parse(USER_CONFIG, "corp").expect("parses");
        let profiles = name_profiles(
            &[
                role("210987654321", "payments-prod", "ReadOnly"),
                role("210987654321", "payments-prod", "AdministratorAccess"),
                role("123456789012", "Web Dev (sandbox)", "ReadOnly"),
            ],
            &default_template(),
            &BTreeMap::new(),
            "corp",
            &config.profiles_outside(),
        );
        let written = config.with_block(&sandbox_block(profiles).render());
        assert!(written.starts_with(USER_CONFIG));
        insta::assert_snapshot!(written);
    }

    #[test]
    fn a_resync_replaces_only_the_block_and_is_idempotent() {
        let before_block = "[profile a]\nregion = x\n";
        let after_block = "\n# trailing user comment\n[profile z]\nregion = y";
        let first = ConfigText::parse(before_block, "corp")
            .expect("parses")
            .with_block(
                &sandbox_block(vec![Profile {
                    name: "old.ReadOnly".to_owned(),
                    account_id: "111111111111".to_owned(),
                    role_name: "ReadOnly".to_owned(),
                }])
                .render(),
            );
        let text = format!("{first}{after_block}");
        let new_block = sandbox_block(vec![Profile {
            name: "new.ReadOnly".to_owned(),
            account_id: "222222222222".to_owned(),
            role_name: "ReadOnly".to_owned(),
        }])
        .render();
        let config = ConfigText::parse(&text, "corp").expect("parses");
        let changes = profile_changes(
            config.block(),
            &sandbox_block_profiles("new.ReadOnly", "222222222222"),
        );
        assert_eq!(changes.added, ["new.ReadOnly"]);
        assert_eq!(changes.removed, ["old.ReadOnly"]);
        let second = config.with_block(&new_block);
        assert!(second.starts_with(&format!("{before_block}\n")));
        assert!(
            second.ends_with(after_block),
            "the text after the block is kept"
        );
        assert!(
            !second.contains("old.ReadOnly"),
            "the gone profile is pruned"
        );
        let again = ConfigText::parse(&second, "corp")
            .expect("parses")
            .with_block(&new_block);
        assert_eq!(again, second, "a second sync changes nothing");
        assert_eq!(unified_diff(&second, &again, "config"), "");
    }

    fn sandbox_block_profiles(name: &str, account_id: &str) -> Vec<Profile> {
        vec![Profile {
            name: name.to_owned(),
            account_id: account_id.to_owned(),
            role_name: "ReadOnly".to_owned(),
        }]
    }

    #[test]
    fn a_file_without_a_final_newline_gets_one_before_the_block() {
        let config = ConfigText::parse("[default]\nregion = x", "corp").expect("parses");
        let written = config.with_block("# >>> b\n# <<< b\n");
        assert_eq!(written, "[default]\nregion = x\n\n# >>> b\n# <<< b\n");
        let empty = ConfigText::parse("", "corp").expect("parses");
        assert_eq!(empty.with_block("B\n"), "B\n");
    }

    #[test]
    fn another_sessions_block_is_left_alone_and_its_profiles_count_as_taken() {
        let other = sandbox_block(sandbox_block_profiles("shared.ReadOnly", "1")).render();
        let other = other.replace("sso-session corp", "sso-session other");
        let config = ConfigText::parse(&other, "corp").expect("parses");
        assert!(config.block().is_none());
        assert!(config.profiles_outside().contains("shared.ReadOnly"));
    }

    #[test]
    fn broken_markers_are_errors() {
        let begin = begin_marker("corp");
        let end = end_marker("corp");
        assert!(matches!(
            ConfigText::parse(&format!("a\n{begin}\nb\n"), "corp"),
            Err(BlockError::Unterminated { line: 2, .. })
        ));
        assert!(matches!(
            ConfigText::parse(&format!("{end}\n"), "corp"),
            Err(BlockError::UnmatchedEnd { line: 1, .. })
        ));
        assert!(matches!(
            ConfigText::parse(&format!("{begin}\n{end}\n{begin}\n{end}\n"), "corp"),
            Err(BlockError::Duplicate { line: 3, .. })
        ));
    }

    #[test]
    fn crlf_marker_lines_are_recognised() {
        let text = format!(
            "[default]\r\n{}\r\n[profile x]\r\n{}\r\n",
            begin_marker("corp"),
            end_marker("corp")
        );
        let config = ConfigText::parse(&text, "corp").expect("parses");
        assert_eq!(
            config.profiles_outside(),
            BTreeSet::from(["default".to_owned()])
        );
        assert_eq!(config.with_block("NEW\n"), "[default]\r\nNEW\n");
    }

    #[test]
    fn names_are_sanitized() {
        assert_eq!(
            sanitize("Web Dev (sandbox).ReadOnly"),
            "Web-Dev-sandbox.ReadOnly"
        );
        assert_eq!(sanitize("  payments/prod  "), "payments-prod");
        assert_eq!(sanitize("ünïcode.Admin"), "n-code.Admin");
        assert_eq!(sanitize("..."), "");
    }

    #[test]
    fn repo_names_win_over_portal_names() {
        let profiles = name_profiles(
            &[role("210987654321", "Payments Production", "ReadOnly")],
            &default_template(),
            &BTreeMap::from([("210987654321".to_owned(), "payments-prod".to_owned())]),
            "corp",
            &BTreeSet::new(),
        );
        assert_eq!(names(&profiles), ["payments-prod.ReadOnly"]);
    }

    #[test]
    fn collisions_get_the_account_id_then_a_number_whatever_the_order() {
        let roles = [
            role("333333333333", "app prod", "ReadOnly"),
            role("222222222222", "app-prod", "ReadOnly"),
            role("444444444444", "work", "Admin"),
            role("555555555555", "x", "Read Only"),
            role("555555555555", "x", "Read-Only"),
        ];
        let taken = BTreeSet::from(["work.Admin".to_owned()]);
        let forward = name_profiles(
            &roles,
            &default_template(),
            &BTreeMap::new(),
            "corp",
            &taken,
        );
        let mut reversed_roles = roles.to_vec();
        reversed_roles.reverse();
        let reversed = name_profiles(
            &reversed_roles,
            &default_template(),
            &BTreeMap::new(),
            "corp",
            &taken,
        );
        assert_eq!(forward, reversed);
        assert_eq!(
            names(&forward),
            [
                "app-prod.ReadOnly-222222222222",
                "app-prod.ReadOnly-333333333333",
                "work.Admin-444444444444",
                "x.Read-Only-555555555555",
                "x.Read-Only-555555555555-2",
            ]
        );
    }

    #[test]
    fn templates_parse_their_placeholders_and_refuse_unknown_ones() {
        let template =
            Template::parse("{session}-{account_id}_{{x}}_{permission_set}").expect("parses");
        let profiles = name_profiles(
            &[role("210987654321", "p", "ReadOnly")],
            &template,
            &BTreeMap::new(),
            "corp",
            &BTreeSet::new(),
        );
        assert_eq!(names(&profiles), ["corp-210987654321_-x-_ReadOnly"]);
        assert_eq!(
            Template::parse("{acount}.{permission_set}"),
            Err(TemplateError::UnknownPlaceholder("acount".to_owned()))
        );
        assert_eq!(Template::parse("{account"), Err(TemplateError::Unclosed));
        assert_eq!(
            Template::parse("{permission_set}"),
            Err(TemplateError::NotDistinct)
        );
    }

    #[test]
    fn a_sandbox_block_writes_the_session_and_both_spellings_of_the_overrides() {
        let block = Block {
            session: "sandbox".to_owned(),
            session_section: Some(SessionSection {
                start_url: "https://monban-sandbox.awsapps.com/start".to_owned(),
                region: "us-east-1".to_owned(),
                registration_scopes: "sso:account:access".to_owned(),
            }),
            region: "us-east-1".to_owned(),
            profiles: sandbox_block_profiles("app-prod.ReadOnly", "222222222222"),
            endpoints: SERVICE_KEYS
                .iter()
                .map(|(key, _)| (*key, "http://127.0.0.1:4566".to_owned()))
                .collect(),
        };
        insta::assert_snapshot!(block.render());
    }

    #[test]
    fn an_empty_assignment_list_still_writes_the_markers() {
        insta::assert_snapshot!(sandbox_block(Vec::new()).render());
    }

    #[test]
    fn the_dry_run_diff_is_a_unified_diff() {
        let before = "[default]\nregion = x\n";
        let config = ConfigText::parse(before, "corp").expect("parses");
        let after =
            config.with_block(&sandbox_block(sandbox_block_profiles("a.ReadOnly", "1")).render());
        insta::assert_snapshot!(unified_diff(before, &after, "~/.aws/config"));
    }
}
