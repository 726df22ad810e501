//! Permission sets and everything they carry: description, session duration, relay state,
//! managed and customer-managed policies, the inline policy, the permissions boundary.

use std::sync::LazyLock;

use jiff::SignedDuration;
use regex::Regex;

use crate::constraint::{
    Constraint, ConstraintError, check_length, describe_char, first_disallowed, is_iam_name_char,
};
use crate::names::PermissionSetName;
use crate::newtype::string_newtype;
use crate::tags::Tags;

string_newtype!(
    /// botocore `sso-admin` `PermissionSetDescription`: min 1, max 700,
    /// `[\u0009\u000A\u000D\u0020-\u007E\u00A1-\u00FF]*`.
    PermissionSetDescription
);

impl PermissionSetDescription {
    fn validate(value: &str) -> Result<(), ConstraintError> {
        check_length(Constraint::PermissionSetDescription, value, 1, 700)?;
        if let Some(character) = first_disallowed(
            value,
            |c| matches!(c, '\t' | '\n' | '\r' | ' '..='~' | '\u{A1}'..='\u{FF}'),
        ) {
            return Err(ConstraintError::new(
                Constraint::PermissionSetDescription,
                format!(
                    "contains {}; only ASCII and Latin-1 letters are allowed",
                    describe_char(character)
                ),
            ));
        }
        Ok(())
    }
}

/// How long a session lasts. IAM Identity Center accepts PT1H to PT12H (user guide, "Set
/// session duration"); the default is PT1H.
///
/// botocore `sso-admin` `Duration`: min 1, max 100, an ISO-8601 duration. monban accepts
/// the time part only (`PT8H`, `PT1H30M`, `PT5400S`): any date part would exceed 12 hours.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SessionDuration(SignedDuration);

static DURATION_PATTERN: LazyLock<Regex> = LazyLock::new(|| {
    // The pattern is a literal that is known to compile.
    Regex::new(r"^PT(?:[0-9]+H)?(?:[0-9]+M)?(?:[0-9]+(?:\.[0-9]+)?S)?$").expect("valid regex")
});

impl SessionDuration {
    pub const MIN: Self = Self(SignedDuration::from_hours(1));
    pub const MAX: Self = Self(SignedDuration::from_hours(12));
    pub const DEFAULT: Self = Self::MIN;

    /// Parses an ISO-8601 duration in the range PT1H..=PT12H.
    pub fn parse(value: &str) -> Result<Self, ConstraintError> {
        let fail = |reason: String| Err(ConstraintError::new(Constraint::SessionDuration, reason));
        if value.len() > 100 || !DURATION_PATTERN.is_match(value) || value == "PT" {
            return fail(format!(
                "`{value}` is not an ISO-8601 duration such as `PT8H` or `PT1H30M`"
            ));
        }
        let duration: SignedDuration = match value.parse() {
            Ok(duration) => duration,
            Err(error) => return fail(format!("`{value}` is not a valid duration: {error}")),
        };
        if duration < Self::MIN.0 || duration > Self::MAX.0 {
            return fail(format!(
                "`{value}` is outside the range IAM Identity Center allows, PT1H to PT12H"
            ));
        }
        Ok(Self(duration))
    }

    #[must_use]
    pub fn as_duration(self) -> SignedDuration {
        self.0
    }
}

impl Default for SessionDuration {
    fn default() -> Self {
        Self::DEFAULT
    }
}

impl std::fmt::Display for SessionDuration {
    /// The ISO-8601 form, e.g. `PT8H` (jiff prints the largest units, hours at most).
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(formatter, "{}", self.0)
    }
}

string_newtype!(
    /// The URL the console opens after sign-in. botocore `sso-admin` `RelayState`: min 1,
    /// max 240, `[a-zA-Z0-9&$@#\\\/%?=~\-_'"|!:,.;*+\[\]\ \(\)\{\}]+`.
    RelayState
);

impl RelayState {
    fn validate(value: &str) -> Result<(), ConstraintError> {
        check_length(Constraint::RelayState, value, 1, 240)?;
        if let Some(character) = first_disallowed(value, |c| {
            c.is_ascii_alphanumeric() || "&$@#\\/%?=~-_'\"|!:,.;*+[] (){}".contains(c)
        }) {
            return Err(ConstraintError::new(
                Constraint::RelayState,
                format!(
                    "contains {}, which AWS does not allow",
                    describe_char(character)
                ),
            ));
        }
        Ok(())
    }
}

static MANAGED_POLICY_ARN_PATTERN: LazyLock<Regex> = LazyLock::new(|| {
    // The pattern is a literal that is known to compile.
    Regex::new(
        r"^arn:aws(-[a-z]{1,5}){0,3}:iam::aws:policy((/[A-Za-z0-9\.,\+@=_-]+)*)/([A-Za-z0-9\.,\+=@_-]+)$",
    )
    .expect("valid regex")
});

string_newtype!(
    /// An AWS-managed policy. botocore `sso-admin` `ManagedPolicyArn`: min 20, max 2048,
    /// `arn:aws(-[a-z]{1,5}){0,3}:iam::aws:policy((/[A-Za-z0-9\.,\+@=_-]+)*)/([A-Za-z0-9\.,\+=@_-]+)`.
    /// Only AWS-managed (`iam::aws:`) ARNs; policies of your own are referenced by name and
    /// path as [`CustomerManagedPolicy`].
    ManagedPolicyArn
);

impl ManagedPolicyArn {
    fn validate(value: &str) -> Result<(), ConstraintError> {
        check_length(Constraint::ManagedPolicyArn, value, 20, 2048)?;
        if !MANAGED_POLICY_ARN_PATTERN.is_match(value) {
            let hint = if value.starts_with("arn:aws:iam::") {
                " (only AWS-managed `arn:aws:iam::aws:policy/…` ARNs go here; reference your \
                 own policies under `customer_managed_policies`)"
            } else {
                ""
            };
            return Err(ConstraintError::new(
                Constraint::ManagedPolicyArn,
                format!("`{value}` is not an AWS-managed policy ARN{hint}"),
            ));
        }
        Ok(())
    }
}

string_newtype!(
    /// botocore `sso-admin` `ManagedPolicyName`: min 1, max 128, `[\w+=,.@-]+`.
    CustomerManagedPolicyName
);

impl CustomerManagedPolicyName {
    fn validate(value: &str) -> Result<(), ConstraintError> {
        check_length(Constraint::CustomerManagedPolicyName, value, 1, 128)?;
        if let Some(character) = first_disallowed(value, is_iam_name_char) {
            return Err(ConstraintError::new(
                Constraint::CustomerManagedPolicyName,
                format!(
                    "`{value}` contains {}; only letters, digits and `_+=,.@-` are allowed",
                    describe_char(character)
                ),
            ));
        }
        Ok(())
    }
}

string_newtype!(
    /// botocore `sso-admin` `ManagedPolicyPath`: min 1, max 512,
    /// `((/[A-Za-z0-9\.,\+@=_-]+)*)/` — begins and ends with `/`; default `/`.
    CustomerManagedPolicyPath
);

impl CustomerManagedPolicyPath {
    fn validate(value: &str) -> Result<(), ConstraintError> {
        check_length(Constraint::CustomerManagedPolicyPath, value, 1, 512)?;
        let well_formed = value.starts_with('/')
            && value.ends_with('/')
            && value[1..value.len().max(1)]
                .split_terminator('/')
                .all(|segment| {
                    !segment.is_empty()
                        && segment
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || ".,+@=_-".contains(c))
                });
        if !well_formed {
            return Err(ConstraintError::new(
                Constraint::CustomerManagedPolicyPath,
                format!(
                    "`{value}` is not an IAM path: it must begin and end with `/`, e.g. `/` or `/team/`"
                ),
            ));
        }
        Ok(())
    }

    /// The root path `/`, the default.
    #[must_use]
    pub fn root() -> Self {
        Self("/".to_owned())
    }
}

impl Default for CustomerManagedPolicyPath {
    fn default() -> Self {
        Self::root()
    }
}

/// A customer-managed policy, referenced by name and path (botocore `sso-admin`
/// `CustomerManagedPolicyReference`: `Name` required, `Path` default `/`). The policy must
/// exist in every account the permission set is provisioned to.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CustomerManagedPolicy {
    pub name: CustomerManagedPolicyName,
    pub path: CustomerManagedPolicyPath,
}

/// The inline policy of a permission set (`<Name>.policy.json`).
///
/// botocore `sso-admin` `PermissionSetPolicyDocument`: min 1, max 32768,
/// `[\u0009\u000A\u000D\u0020-\u00FF]+`; IAM Identity Center quota: 32,768 bytes in total,
/// at most 10,240 of them non-whitespace. Whether it is JSON is checked by the loader (this
/// crate has no JSON parser).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct InlinePolicy(String);

/// Most bytes of an inline policy, whitespace included.
pub const MAX_INLINE_POLICY_BYTES: usize = 32_768;
/// Most non-whitespace bytes of an inline policy.
pub const MAX_INLINE_POLICY_NON_WHITESPACE_BYTES: usize = 10_240;

impl InlinePolicy {
    pub fn parse(value: &str) -> Result<Self, ConstraintError> {
        let fail = |reason: String| Err(ConstraintError::new(Constraint::InlinePolicy, reason));
        if value.trim().is_empty() {
            return fail("is empty".to_owned());
        }
        if value.len() > MAX_INLINE_POLICY_BYTES {
            return fail(format!(
                "is {} bytes; the maximum is {MAX_INLINE_POLICY_BYTES}",
                value.len()
            ));
        }
        let non_whitespace: usize = value
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(char::len_utf8)
            .sum();
        if non_whitespace > MAX_INLINE_POLICY_NON_WHITESPACE_BYTES {
            return fail(format!(
                "has {non_whitespace} non-whitespace bytes; the maximum is \
                 {MAX_INLINE_POLICY_NON_WHITESPACE_BYTES}"
            ));
        }
        if let Some(character) =
            first_disallowed(value, |c| matches!(c, '\t' | '\n' | '\r' | ' '..='\u{FF}'))
        {
            return fail(format!(
                "contains {}; AWS accepts only characters up to U+00FF (use \\u escapes in JSON strings)",
                describe_char(character)
            ));
        }
        Ok(Self(value.to_owned()))
    }

    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The permissions boundary of a permission set: either an AWS-managed policy or a
/// customer-managed one (botocore `sso-admin` `PermissionsBoundary`, one of its two members).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PermissionsBoundary {
    ManagedPolicy(ManagedPolicyArn),
    CustomerManagedPolicy(CustomerManagedPolicy),
}

/// Most AWS-managed plus customer-managed policies one permission set may attach: 25 (IAM
/// Identity Center quotas, "AWS managed and customer managed policies per permission set").
pub const MAX_POLICIES_PER_PERMISSION_SET: usize = 25;
/// IAM's default quota of managed policies per role: 10. A permission set attaching more
/// only provisions into accounts whose IAM quota was raised.
pub const IAM_DEFAULT_POLICIES_PER_ROLE: usize = 10;

/// The outcome of [`check_policy_count`] when the count is within AWS's limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyCount {
    /// At most 10: provisions everywhere.
    WithinIamDefault,
    /// 11 to 25: needs the IAM role quota raised in every target account.
    AboveIamDefault,
}

/// Checks the number of managed plus customer-managed policies of one permission set.
pub fn check_policy_count(count: usize) -> Result<PolicyCount, ConstraintError> {
    if count > MAX_POLICIES_PER_PERMISSION_SET {
        Err(ConstraintError::new(
            Constraint::PolicyCount,
            format!(
                "{count} managed and customer-managed policies; IAM Identity Center allows at most \
                 {MAX_POLICIES_PER_PERMISSION_SET} per permission set"
            ),
        ))
    } else if count > IAM_DEFAULT_POLICIES_PER_ROLE {
        Ok(PolicyCount::AboveIamDefault)
    } else {
        Ok(PolicyCount::WithinIamDefault)
    }
}

/// A permission set as the repo declares it. Its name is its file stem.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PermissionSet {
    pub name: PermissionSetName,
    pub description: Option<PermissionSetDescription>,
    pub session_duration: SessionDuration,
    pub relay_state: Option<RelayState>,
    pub managed_policies: Vec<ManagedPolicyArn>,
    pub customer_managed_policies: Vec<CustomerManagedPolicy>,
    pub inline_policy: Option<InlinePolicy>,
    pub permissions_boundary: Option<PermissionsBoundary>,
    pub tags: Tags,
}

impl PermissionSet {
    /// A permission set with every optional setting at its default.
    #[must_use]
    pub fn new(name: PermissionSetName) -> Self {
        Self {
            name,
            description: None,
            session_duration: SessionDuration::DEFAULT,
            relay_state: None,
            managed_policies: Vec::new(),
            customer_managed_policies: Vec::new(),
            inline_policy: None,
            permissions_boundary: None,
            tags: Tags::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn description_rules() {
        assert!(PermissionSetDescription::parse("Read-only access, café").is_ok());
        assert!(PermissionSetDescription::parse("line\nbreak\ttab").is_ok());
        assert!(PermissionSetDescription::parse(&"d".repeat(700)).is_ok());
        assert!(PermissionSetDescription::parse(&"d".repeat(701)).is_err());
        assert!(PermissionSetDescription::parse("").is_err());
        assert!(PermissionSetDescription::parse("読み取り専用").is_err());
        assert!(PermissionSetDescription::parse("em — dash").is_err());
    }

    #[test]
    fn session_duration_range() {
        assert_eq!(
            SessionDuration::parse("PT1H").unwrap(),
            SessionDuration::MIN
        );
        assert_eq!(
            SessionDuration::parse("PT12H").unwrap(),
            SessionDuration::MAX
        );
        assert_eq!(SessionDuration::parse("PT8H").unwrap().to_string(), "PT8H");
        assert_eq!(
            SessionDuration::parse("PT90M").unwrap().to_string(),
            "PT1H30M"
        );
        assert!(SessionDuration::parse("PT1H30M").is_ok());
        assert!(SessionDuration::parse("PT3600S").is_ok());
        assert!(SessionDuration::parse("PT59M").is_err());
        assert!(SessionDuration::parse("PT12H1S").is_err());
        assert!(SessionDuration::parse("PT13H").is_err());
        assert!(SessionDuration::parse("P1D").is_err());
        assert!(SessionDuration::parse("8h").is_err());
        assert!(SessionDuration::parse("pt8h").is_err());
        assert!(SessionDuration::parse("PT").is_err());
        assert!(SessionDuration::parse("-PT8H").is_err());
        assert!(SessionDuration::parse("").is_err());
        assert_eq!(SessionDuration::default().to_string(), "PT1H");
    }

    #[test]
    fn relay_state_rules() {
        assert!(
            RelayState::parse(
                "https://console.aws.amazon.com/ec2/home?region=ap-northeast-1#Instances:"
            )
            .is_ok()
        );
        assert!(RelayState::parse(&"r".repeat(240)).is_ok());
        assert!(RelayState::parse(&"r".repeat(241)).is_err());
        assert!(RelayState::parse("").is_err());
        assert!(RelayState::parse("https://example.com/<script>").is_err());
        assert!(RelayState::parse("https://example.com/^").is_err());
    }

    #[test]
    fn managed_policy_arn_rules() {
        assert!(ManagedPolicyArn::parse("arn:aws:iam::aws:policy/ReadOnlyAccess").is_ok());
        assert!(
            ManagedPolicyArn::parse("arn:aws:iam::aws:policy/job-function/ViewOnlyAccess").is_ok()
        );
        assert!(ManagedPolicyArn::parse("arn:aws-us-gov:iam::aws:policy/ReadOnlyAccess").is_ok());
        assert!(ManagedPolicyArn::parse("arn:aws:iam::123456789012:policy/Mine").is_err());
        assert!(ManagedPolicyArn::parse("arn:aws:iam::aws:policy/").is_err());
        assert!(ManagedPolicyArn::parse("ReadOnlyAccess").is_err());
        assert!(ManagedPolicyArn::parse("arn:aws:iam::aws:policy/Read Only").is_err());
    }

    #[test]
    fn customer_managed_policy_rules() {
        assert!(CustomerManagedPolicyName::parse("deny-secrets").is_ok());
        assert!(CustomerManagedPolicyName::parse(&"n".repeat(128)).is_ok());
        assert!(CustomerManagedPolicyName::parse(&"n".repeat(129)).is_err());
        assert!(CustomerManagedPolicyName::parse("deny secrets").is_err());
        assert!(CustomerManagedPolicyName::parse("").is_err());
        assert!(CustomerManagedPolicyPath::parse("/").is_ok());
        assert!(CustomerManagedPolicyPath::parse("/team/").is_ok());
        assert!(CustomerManagedPolicyPath::parse("/team/sub.path/").is_ok());
        assert!(CustomerManagedPolicyPath::parse("team/").is_err());
        assert!(CustomerManagedPolicyPath::parse("/team").is_err());
        assert!(CustomerManagedPolicyPath::parse("//").is_err());
        assert!(CustomerManagedPolicyPath::parse("/te am/").is_err());
        assert!(CustomerManagedPolicyPath::parse("").is_err());
        assert!(CustomerManagedPolicyPath::parse(&format!("/{}/", "p".repeat(510))).is_ok());
        assert!(CustomerManagedPolicyPath::parse(&format!("/{}/", "p".repeat(511))).is_err());
        assert_eq!(CustomerManagedPolicyPath::default().as_str(), "/");
    }

    #[test]
    fn inline_policy_limits() {
        assert!(InlinePolicy::parse(r#"{"Version":"2012-10-17","Statement":[]}"#).is_ok());
        assert!(InlinePolicy::parse("").is_err());
        assert!(InlinePolicy::parse("  \n").is_err());
        // 10,240 non-whitespace bytes pass, one more fails.
        assert!(InlinePolicy::parse(&"x".repeat(10_240)).is_ok());
        assert!(InlinePolicy::parse(&"x".repeat(10_241)).is_err());
        // Whitespace counts toward the 32,768 total only.
        let padded = format!("{}{}", "x".repeat(10_000), " ".repeat(22_768));
        assert!(InlinePolicy::parse(&padded).is_ok());
        let too_long = format!("{}{}", "x".repeat(10_000), " ".repeat(22_769));
        assert!(InlinePolicy::parse(&too_long).is_err());
        assert!(InlinePolicy::parse("{\"a\":\"é\"}").is_ok());
        assert!(InlinePolicy::parse("{\"a\":\"日本\"}").is_err());
    }

    #[test]
    fn policy_count_limits() {
        assert_eq!(check_policy_count(0), Ok(PolicyCount::WithinIamDefault));
        assert_eq!(check_policy_count(10), Ok(PolicyCount::WithinIamDefault));
        assert_eq!(check_policy_count(11), Ok(PolicyCount::AboveIamDefault));
        assert_eq!(check_policy_count(25), Ok(PolicyCount::AboveIamDefault));
        assert!(check_policy_count(26).is_err());
    }
}
