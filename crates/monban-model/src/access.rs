//! Who gets what where: principals, grants in account files, selector rules, and the
//! concrete assignments (account × permission set × principal) they expand to.

use std::fmt;
use std::sync::LazyLock;

use jiff::civil::Date;
use regex::Regex;

use crate::constraint::{Constraint, ConstraintError};
use crate::names::{AccountName, GroupName, OuPath, PermissionSetName, UserName};
use crate::tags::Tags;

/// A group or a user an assignment names, by IdP name (display name for groups, user name
/// for users); their Identity Store ids are resolved at plan time.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PrincipalRef {
    Group(GroupName),
    User(UserName),
}

impl PrincipalRef {
    /// `group` or `user`, as written in the repo.
    #[must_use]
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Group(_) => "group",
            Self::User(_) => "user",
        }
    }

    /// The group's display name or the user's user name.
    #[must_use]
    pub fn name(&self) -> &str {
        match self {
            Self::Group(name) => name.as_str(),
            Self::User(name) => name.as_str(),
        }
    }
}

impl fmt::Display for PrincipalRef {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{} {}", self.kind(), self.name())
    }
}

static DATE_PATTERN: LazyLock<Regex> = LazyLock::new(|| {
    // The pattern is a literal that is known to compile.
    Regex::new(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$").expect("valid regex")
});

/// The last day of an expiring grant, `YYYY-MM-DD`. Inclusive and in UTC: the grant ends
/// when that day ends in UTC (design §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Until(Date);

impl Until {
    pub fn parse(value: &str) -> Result<Self, ConstraintError> {
        if !DATE_PATTERN.is_match(value) {
            return Err(ConstraintError::new(
                Constraint::Date,
                format!("`{value}` is not a date written YYYY-MM-DD"),
            ));
        }
        // jiff's own message names its parser internals; the plain statement is clearer.
        value.parse::<Date>().map(Self).map_err(|_| {
            ConstraintError::new(
                Constraint::Date,
                format!("`{value}` is not a date of the calendar"),
            )
        })
    }

    #[must_use]
    pub fn from_date(date: Date) -> Self {
        Self(date)
    }

    #[must_use]
    pub fn date(self) -> Date {
        self.0
    }

    /// Whether the grant has ended by `today` (a UTC date): true only after the last day.
    #[must_use]
    pub fn has_passed(self, today: Date) -> bool {
        self.0 < today
    }
}

impl fmt::Display for Until {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{}", self.0)
    }
}

/// One principal under a permission set in an account file, with its optional expiry.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Grant {
    pub principal: PrincipalRef,
    pub until: Option<Until>,
    pub reason: Option<String>,
}

impl Grant {
    #[must_use]
    pub fn new(principal: PrincipalRef) -> Self {
        Self {
            principal,
            until: None,
            reason: None,
        }
    }
}

/// The `ou:` of a selector: which OUs' accounts it matches.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum OuPattern {
    /// `**`: every declared account, those directly under the root included.
    Everything,
    /// `Products/Payments`: accounts directly in that OU.
    Exactly(OuPath),
    /// `Products/**`: accounts in that OU and every OU below it.
    Subtree(OuPath),
}

impl OuPattern {
    pub fn parse(value: &str) -> Result<Self, ConstraintError> {
        if value == "**" {
            return Ok(Self::Everything);
        }
        let into_pattern_error = |error: ConstraintError| {
            ConstraintError::new(
                Constraint::OuPattern,
                format!(
                    "{}; a pattern is `**`, an OU path, or an OU path followed by `/**`",
                    error.reason
                ),
            )
        };
        if let Some(prefix) = value.strip_suffix("/**") {
            return OuPath::parse(prefix)
                .map(Self::Subtree)
                .map_err(into_pattern_error);
        }
        OuPath::parse(value)
            .map(Self::Exactly)
            .map_err(into_pattern_error)
    }

    /// The OU the pattern names, if any (for "unknown OU" checks).
    #[must_use]
    pub fn ou(&self) -> Option<&OuPath> {
        match self {
            Self::Everything => None,
            Self::Exactly(path) | Self::Subtree(path) => Some(path),
        }
    }

    /// Whether an account placed at `ou` (`None` = directly under the root) matches.
    #[must_use]
    pub fn matches(&self, ou: Option<&OuPath>) -> bool {
        match (self, ou) {
            (Self::Everything, _) => true,
            (Self::Exactly(pattern), Some(ou)) => pattern == ou,
            (Self::Subtree(pattern), Some(ou)) => ou.is_within(pattern),
            (_, None) => false,
        }
    }
}

impl fmt::Display for OuPattern {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Everything => formatter.write_str("**"),
            Self::Exactly(path) => write!(formatter, "{path}"),
            Self::Subtree(path) => write!(formatter, "{path}/**"),
        }
    }
}

/// Which declared accounts a rule applies to. Both parts given = both must match; neither
/// given matches nothing (the loader rejects an empty selector).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AccountSelector {
    pub ou: Option<OuPattern>,
    /// Every listed tag must equal the account's declared tag.
    pub tags: Tags,
}

impl AccountSelector {
    /// Whether an account with these declared OU and tags matches.
    #[must_use]
    pub fn matches(&self, ou: Option<&OuPath>, tags: &Tags) -> bool {
        if self.ou.is_none() && self.tags.is_empty() {
            return false;
        }
        self.ou.as_ref().is_none_or(|pattern| pattern.matches(ou))
            && self
                .tags
                .iter()
                .all(|(key, value)| tags.get(key) == Some(value))
    }
}

/// Where a rule was declared: its file (relative to the repo root, `/`-separated) and its
/// position in that file's list (0-based).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RuleId {
    pub file: String,
    pub index: usize,
}

impl fmt::Display for RuleId {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{}#{}", self.file, self.index + 1)
    }
}

/// A selector rule: this permission set for these principals on every matching account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub id: RuleId,
    pub permission_set: PermissionSetName,
    pub principals: Vec<PrincipalRef>,
    pub accounts: AccountSelector,
}

/// Why an assignment exists.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AssignmentOrigin {
    /// Written under `access:` in the account's own file.
    Account,
    /// Produced by a selector rule.
    Rule(RuleId),
}

/// One concrete assignment: a principal holds a permission set on an account.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Assignment {
    pub account: AccountName,
    pub permission_set: PermissionSetName,
    pub principal: PrincipalRef,
    pub until: Option<Until>,
    pub reason: Option<String>,
    pub origin: AssignmentOrigin,
}

impl Assignment {
    /// Whether the assignment is still granted on `today` (UTC): always, unless its `until`
    /// day has passed.
    #[must_use]
    pub fn is_active_on(&self, today: Date) -> bool {
        self.until.is_none_or(|until| !until.has_passed(today))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ou(path: &str) -> OuPath {
        OuPath::parse(path).unwrap()
    }

    #[test]
    fn until_parses_strict_dates() {
        assert!(Until::parse("2026-12-31").is_ok());
        assert!(Until::parse("2026-02-30").is_err());
        assert!(Until::parse("2026-13-01").is_err());
        assert!(Until::parse("20261231").is_err());
        assert!(Until::parse("2026-12-31T00:00:00Z").is_err());
        assert!(Until::parse("31/12/2026").is_err());
    }

    #[test]
    fn until_is_inclusive() {
        let until = Until::parse("2026-12-31").unwrap();
        assert!(!until.has_passed(jiff::civil::date(2026, 12, 30)));
        assert!(!until.has_passed(jiff::civil::date(2026, 12, 31)));
        assert!(until.has_passed(jiff::civil::date(2027, 1, 1)));
    }

    #[test]
    fn ou_patterns() {
        assert_eq!(OuPattern::parse("**").unwrap(), OuPattern::Everything);
        assert_eq!(
            OuPattern::parse("Products/**").unwrap(),
            OuPattern::Subtree(ou("Products"))
        );
        assert_eq!(
            OuPattern::parse("Products").unwrap(),
            OuPattern::Exactly(ou("Products"))
        );
        assert!(OuPattern::parse("Products/*").is_err());
        assert!(OuPattern::parse("**/Payments").is_err());
        assert!(OuPattern::parse("").is_err());
        for text in ["**", "Products/**", "Products/Payments"] {
            assert_eq!(OuPattern::parse(text).unwrap().to_string(), text);
        }
    }

    #[test]
    fn ou_pattern_matching() {
        let everything = OuPattern::Everything;
        assert!(everything.matches(None));
        assert!(everything.matches(Some(&ou("Products"))));
        let exactly = OuPattern::parse("Products").unwrap();
        assert!(exactly.matches(Some(&ou("Products"))));
        assert!(!exactly.matches(Some(&ou("Products/Payments"))));
        assert!(!exactly.matches(None));
        let subtree = OuPattern::parse("Products/**").unwrap();
        assert!(subtree.matches(Some(&ou("Products"))));
        assert!(subtree.matches(Some(&ou("Products/Payments"))));
        assert!(!subtree.matches(Some(&ou("Sandbox"))));
        assert!(!subtree.matches(None));
    }

    #[test]
    fn selector_matching() {
        use crate::tags::{TagKey, TagValue};
        let tags = |pairs: &[(&str, &str)]| -> Tags {
            pairs
                .iter()
                .map(|(k, v)| (TagKey::parse(k).unwrap(), TagValue::parse(v).unwrap()))
                .collect()
        };
        let selector = AccountSelector {
            ou: Some(OuPattern::parse("Products/**").unwrap()),
            tags: tags(&[("env", "prod")]),
        };
        let payments = ou("Products/Payments");
        assert!(selector.matches(Some(&payments), &tags(&[("env", "prod"), ("x", "y")])));
        assert!(!selector.matches(Some(&payments), &tags(&[("env", "dev")])));
        assert!(!selector.matches(Some(&payments), &tags(&[])));
        assert!(!selector.matches(Some(&ou("Sandbox")), &tags(&[("env", "prod")])));
        let tags_only = AccountSelector {
            ou: None,
            tags: tags(&[("env", "prod")]),
        };
        assert!(tags_only.matches(None, &tags(&[("env", "prod")])));
        assert!(!AccountSelector::default().matches(None, &tags(&[])));
    }

    #[test]
    fn assignment_activity() {
        let assignment = Assignment {
            account: AccountName::parse("a").unwrap(),
            permission_set: PermissionSetName::parse("ReadOnly").unwrap(),
            principal: PrincipalRef::User(UserName::parse("alice@example.com").unwrap()),
            until: Some(Until::parse("2026-06-30").unwrap()),
            reason: None,
            origin: AssignmentOrigin::Account,
        };
        assert!(assignment.is_active_on(jiff::civil::date(2026, 6, 30)));
        assert!(!assignment.is_active_on(jiff::civil::date(2026, 7, 1)));
    }
}
