//! Names and ids: accounts, OUs, permission sets, IdP groups and users, regions. Each type
//! validates on parse against the constraint of the AWS service model it ends up in.

use std::fmt;
use std::sync::LazyLock;

use regex::Regex;

use crate::constraint::{
    Constraint, ConstraintError, check_length, describe_char, first_disallowed, is_iam_name_char,
};
use crate::newtype::string_newtype;

string_newtype!(
    /// A 12-digit AWS account id.
    ///
    /// botocore `sso-admin` `AccountId`/`TargetId` (min 12, max 12, `\d{12}`) and
    /// `organizations` `AccountId` (max 12, `^\d{12}$`).
    AccountId
);

impl AccountId {
    fn validate(value: &str) -> Result<(), ConstraintError> {
        if value.len() == 12 && value.bytes().all(|byte| byte.is_ascii_digit()) {
            Ok(())
        } else {
            Err(ConstraintError::new(
                Constraint::AccountId,
                format!("`{value}` is not exactly 12 digits"),
            ))
        }
    }
}

string_newtype!(
    /// The name of an account: the stem of its file under `accounts/`, and the name monban
    /// gives the account when it creates it.
    ///
    /// botocore `organizations` `CreateAccountName`: min 1, max 50, `[\u0020-\u007E]+`
    /// (printable ASCII). The output shape `AccountName` is looser (128, anything), but
    /// monban creates accounts under this name, so the input rule applies.
    AccountName
);

impl AccountName {
    fn validate(value: &str) -> Result<(), ConstraintError> {
        check_length(Constraint::AccountName, value, 1, 50)?;
        if let Some(character) = first_disallowed(value, |c| (' '..='~').contains(&c)) {
            return Err(ConstraintError::new(
                Constraint::AccountName,
                format!(
                    "character {} is not allowed (only printable ASCII is)",
                    describe_char(character)
                ),
            ));
        }
        Ok(())
    }
}

string_newtype!(
    /// The name of one OU (one segment of an [`OuPath`]).
    ///
    /// botocore `organizations` `OrganizationalUnitName`: min 1, max 128, `[\s\S]*`. monban
    /// adds, because OU names are written as paths and matched by patterns: no `/`, no `*`,
    /// no control characters, no leading or trailing whitespace.
    OuName
);

impl OuName {
    fn validate(value: &str) -> Result<(), ConstraintError> {
        check_length(Constraint::OuName, value, 1, 128)?;
        if let Some(character) =
            first_disallowed(value, |c| c != '/' && c != '*' && !c.is_control())
        {
            return Err(ConstraintError::new(
                Constraint::OuName,
                format!(
                    "`{value}` contains {}, which is reserved for OU paths and patterns",
                    describe_char(character)
                ),
            ));
        }
        if value.trim() != value {
            return Err(ConstraintError::new(
                Constraint::OuName,
                format!("`{value}` starts or ends with whitespace"),
            ));
        }
        Ok(())
    }
}

/// The deepest OU nesting Organizations allows: five levels under the root (Organizations
/// quotas, `ConstraintViolationException` reason `OU_DEPTH_LIMIT_EXCEEDED` in botocore
/// `organizations` `ConstraintViolationExceptionReason`).
pub const MAX_OU_DEPTH: usize = 5;

/// An OU's position under the root, written `Products/Payments`: the names of the OUs from
/// the root down, separated by `/`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OuPath(Vec<OuName>);

impl OuPath {
    /// Parses `Products/Payments`; every segment must be a valid [`OuName`] and the depth
    /// at most [`MAX_OU_DEPTH`].
    pub fn parse(value: &str) -> Result<Self, ConstraintError> {
        if value.is_empty() {
            return Err(ConstraintError::new(
                Constraint::OuPath,
                "must not be empty",
            ));
        }
        let mut segments = Vec::new();
        for segment in value.split('/') {
            if segment.is_empty() {
                return Err(ConstraintError::new(
                    Constraint::OuPath,
                    format!("`{value}` has an empty segment (leading, trailing or double `/`)"),
                ));
            }
            segments.push(
                OuName::parse(segment)
                    .map_err(|error| ConstraintError::new(Constraint::OuPath, error.reason))?,
            );
        }
        if segments.len() > MAX_OU_DEPTH {
            return Err(ConstraintError::new(
                Constraint::OuPath,
                format!(
                    "`{value}` is {} levels deep; AWS Organizations allows at most {MAX_OU_DEPTH}",
                    segments.len()
                ),
            ));
        }
        Ok(Self(segments))
    }

    /// The OU names from the root down.
    #[must_use]
    pub fn segments(&self) -> &[OuName] {
        &self.0
    }

    /// The name of the OU itself (the last segment).
    #[must_use]
    pub fn name(&self) -> &OuName {
        // An OuPath always has at least one segment: `parse` rejects the empty path and
        // `parent` never returns an empty one.
        &self.0[self.0.len() - 1]
    }

    /// The parent OU, or `None` for an OU directly under the root.
    #[must_use]
    pub fn parent(&self) -> Option<Self> {
        (self.0.len() > 1).then(|| Self(self.0[..self.0.len() - 1].to_vec()))
    }

    /// This OU and every ancestor, from the top down.
    #[must_use]
    pub fn with_ancestors(&self) -> Vec<Self> {
        (1..=self.0.len())
            .map(|length| Self(self.0[..length].to_vec()))
            .collect()
    }

    /// Whether `self` is `other` or lies below it.
    #[must_use]
    pub fn is_within(&self, other: &Self) -> bool {
        self.0.starts_with(&other.0)
    }

    /// The depth under the root (1 for a top-level OU).
    #[must_use]
    pub fn depth(&self) -> usize {
        self.0.len()
    }
}

impl fmt::Display for OuPath {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, segment) in self.0.iter().enumerate() {
            if index > 0 {
                formatter.write_str("/")?;
            }
            formatter.write_str(segment.as_str())?;
        }
        Ok(())
    }
}

impl std::str::FromStr for OuPath {
    type Err = ConstraintError;

    fn from_str(value: &str) -> Result<Self, Self::Err> {
        Self::parse(value)
    }
}

string_newtype!(
    /// The name of a permission set: the stem of its file under `permission-sets/`.
    ///
    /// botocore `sso-admin` `PermissionSetName`: min 1, max 32, `[\w+=,.@-]+`.
    PermissionSetName
);

impl PermissionSetName {
    fn validate(value: &str) -> Result<(), ConstraintError> {
        check_length(Constraint::PermissionSetName, value, 1, 32)?;
        if let Some(character) = first_disallowed(value, is_iam_name_char) {
            return Err(ConstraintError::new(
                Constraint::PermissionSetName,
                format!(
                    "`{value}` contains {}; only letters, digits and `_+=,.@-` are allowed",
                    describe_char(character)
                ),
            ));
        }
        Ok(())
    }
}

/// `[\p{L}\p{M}\p{S}\p{N}\p{P}]` with optional extra whitespace: the Identity Store's
/// character classes (botocore `identitystore` `UserName`, `GroupDisplayName`).
static USER_NAME_PATTERN: LazyLock<Regex> = LazyLock::new(|| {
    // The pattern is a literal that is known to compile.
    Regex::new(r"^[\p{L}\p{M}\p{S}\p{N}\p{P}]+$").expect("valid regex")
});
static DISPLAY_NAME_PATTERN: LazyLock<Regex> = LazyLock::new(|| {
    // The pattern is a literal that is known to compile.
    Regex::new(r"^[\p{L}\p{M}\p{S}\p{N}\p{P}\t\n\r \u{00A0}\u{3000}]+$").expect("valid regex")
});

/// User and group names the Identity Store reserves (botocore `identitystore`
/// `CreateUser`/`CreateGroup` member docs: "`Administrator` and `AWSAdministrators` are reserved
/// names and can't be used for users or groups").
const RESERVED_IDENTITY_NAMES: [&str; 2] = ["Administrator", "AWSAdministrators"];

string_newtype!(
    /// An IdP group, referenced by its Identity Store display name.
    ///
    /// botocore `identitystore` `GroupDisplayName`: min 1, max 1024,
    /// `[\p{L}\p{M}\p{S}\p{N}\p{P}\t\n\r  　]+`; `Administrator` and `AWSAdministrators` are
    /// reserved.
    GroupName
);

impl GroupName {
    fn validate(value: &str) -> Result<(), ConstraintError> {
        check_length(Constraint::GroupName, value, 1, 1024)?;
        check_identity_text(Constraint::GroupName, value, &DISPLAY_NAME_PATTERN)
    }
}

string_newtype!(
    /// An IdP user, referenced by its Identity Store user name (often an e-mail address).
    ///
    /// botocore `identitystore` `UserName`: min 1, max 128, `[\p{L}\p{M}\p{S}\p{N}\p{P}]+`
    /// (no whitespace); `Administrator` and `AWSAdministrators` are reserved.
    UserName
);

impl UserName {
    fn validate(value: &str) -> Result<(), ConstraintError> {
        check_length(Constraint::UserName, value, 1, 128)?;
        check_identity_text(Constraint::UserName, value, &USER_NAME_PATTERN)
    }
}

fn check_identity_text(
    constraint: Constraint,
    value: &str,
    pattern: &Regex,
) -> Result<(), ConstraintError> {
    if RESERVED_IDENTITY_NAMES.contains(&value) {
        return Err(ConstraintError::new(
            constraint,
            format!("`{value}` is reserved by the Identity Store"),
        ));
    }
    if !pattern.is_match(value) {
        let bad = value
            .chars()
            .find(|&c| !pattern.is_match(c.encode_utf8(&mut [0; 4])))
            .map_or_else(String::new, describe_char);
        return Err(ConstraintError::new(
            constraint,
            format!("`{value}` contains {bad}, which the Identity Store does not allow"),
        ));
    }
    Ok(())
}

string_newtype!(
    /// An AWS region code such as `ap-northeast-1`.
    ///
    /// No botocore shape constrains region names (they are endpoint configuration, not API
    /// input); monban checks the documented shape `<area>-<direction>-<digit>` with optional
    /// partition infix (`us-gov-west-1`, `cn-north-1`, `eu-isoe-west-1`) to catch typos.
    Region
);

static REGION_PATTERN: LazyLock<Regex> = LazyLock::new(|| {
    // The pattern is a literal that is known to compile.
    Regex::new(r"^[a-z]{2}(-(gov|iso[a-z]?))?-[a-z]+-[0-9]{1,2}$").expect("valid regex")
});

impl Region {
    fn validate(value: &str) -> Result<(), ConstraintError> {
        if REGION_PATTERN.is_match(value) {
            Ok(())
        } else {
            Err(ConstraintError::new(
                Constraint::Region,
                format!("`{value}` is not a region code like `ap-northeast-1`"),
            ))
        }
    }
}

string_newtype!(
    /// The name of a profile in `~/.aws/config`. Not an API value; monban only requires a
    /// non-empty name without whitespace or brackets, which `~/.aws/config` section headers
    /// cannot hold.
    ProfileName
);

impl ProfileName {
    fn validate(value: &str) -> Result<(), ConstraintError> {
        check_length(Constraint::ProfileName, value, 1, 256)?;
        if let Some(character) =
            first_disallowed(value, |c| !c.is_whitespace() && c != '[' && c != ']')
        {
            return Err(ConstraintError::new(
                Constraint::ProfileName,
                format!("`{value}` contains {}", describe_char(character)),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_id_is_twelve_digits() {
        assert!(AccountId::parse("210987654321").is_ok());
        assert!(AccountId::parse("012345678901").is_ok());
        assert!(AccountId::parse("21098765432").is_err());
        assert!(AccountId::parse("2109876543210").is_err());
        assert!(AccountId::parse("21098765432a").is_err());
        assert!(AccountId::parse("").is_err());
        assert!(AccountId::parse("２１０９８７６５４３２１").is_err());
    }

    #[test]
    fn account_name_is_printable_ascii_up_to_fifty() {
        assert!(AccountName::parse("payments-prod").is_ok());
        assert!(AccountName::parse("Payments Prod (legacy)").is_ok());
        assert!(AccountName::parse(&"a".repeat(50)).is_ok());
        assert!(AccountName::parse(&"a".repeat(51)).is_err());
        assert!(AccountName::parse("").is_err());
        assert!(AccountName::parse("café").is_err());
        assert!(AccountName::parse("tab\there").is_err());
    }

    #[test]
    fn ou_name_rules() {
        assert!(OuName::parse("Products").is_ok());
        assert!(OuName::parse("Shared Services").is_ok());
        assert!(OuName::parse(&"o".repeat(128)).is_ok());
        assert!(OuName::parse(&"o".repeat(129)).is_err());
        assert!(OuName::parse("").is_err());
        assert!(OuName::parse("a/b").is_err());
        assert!(OuName::parse("a*").is_err());
        assert!(OuName::parse(" padded").is_err());
        assert!(OuName::parse("line\nbreak").is_err());
    }

    #[test]
    fn ou_path_rules() {
        let path = OuPath::parse("Products/Payments").unwrap();
        assert_eq!(path.to_string(), "Products/Payments");
        assert_eq!(path.name().as_str(), "Payments");
        assert_eq!(path.parent().unwrap().to_string(), "Products");
        assert_eq!(path.with_ancestors().len(), 2);
        assert!(path.is_within(&OuPath::parse("Products").unwrap()));
        assert!(!OuPath::parse("Products").unwrap().is_within(&path));
        assert!(
            !OuPath::parse("ProductsX")
                .unwrap()
                .is_within(&OuPath::parse("Products").unwrap())
        );
        assert!(OuPath::parse("a/b/c/d/e").is_ok());
        assert!(OuPath::parse("a/b/c/d/e/f").is_err());
        assert!(OuPath::parse("").is_err());
        assert!(OuPath::parse("/Products").is_err());
        assert!(OuPath::parse("Products/").is_err());
        assert!(OuPath::parse("Products//Payments").is_err());
        assert!(OuPath::parse("Products/*").is_err());
    }

    #[test]
    fn permission_set_name_rules() {
        assert!(PermissionSetName::parse("AdministratorAccess").is_ok());
        assert!(PermissionSetName::parse("a_b+c=d,e.f@g-h").is_ok());
        assert!(PermissionSetName::parse(&"P".repeat(32)).is_ok());
        assert!(PermissionSetName::parse(&"P".repeat(33)).is_err());
        assert!(PermissionSetName::parse("").is_err());
        assert!(PermissionSetName::parse("Read Only").is_err());
        assert!(PermissionSetName::parse("Lesen/Schreiben").is_err());
        assert!(PermissionSetName::parse("Zugriffsrechte-ä").is_err());
    }

    #[test]
    fn group_name_rules() {
        assert!(GroupName::parse("payments-sre").is_ok());
        assert!(GroupName::parse("Payments SRE").is_ok());
        assert!(GroupName::parse("決済チーム").is_ok());
        assert!(GroupName::parse(&"g".repeat(1024)).is_ok());
        assert!(GroupName::parse(&"g".repeat(1025)).is_err());
        assert!(GroupName::parse("").is_err());
        assert!(GroupName::parse("Administrator").is_err());
        assert!(GroupName::parse("AWSAdministrators").is_err());
        assert!(GroupName::parse("bell\u{7}").is_err());
    }

    #[test]
    fn user_name_rules() {
        assert!(UserName::parse("alice@example.com").is_ok());
        assert!(UserName::parse("田中").is_ok());
        assert!(UserName::parse(&"u".repeat(128)).is_ok());
        assert!(UserName::parse(&"u".repeat(129)).is_err());
        assert!(UserName::parse("alice tanaka").is_err());
        assert!(UserName::parse("").is_err());
        assert!(UserName::parse("Administrator").is_err());
    }

    #[test]
    fn region_rules() {
        assert!(Region::parse("ap-northeast-1").is_ok());
        assert!(Region::parse("us-gov-west-1").is_ok());
        assert!(Region::parse("eu-isoe-west-1").is_ok());
        assert!(Region::parse("tokyo").is_err());
        assert!(Region::parse("ap-northeast").is_err());
        assert!(Region::parse("AP-NORTHEAST-1").is_err());
    }

    #[test]
    fn profile_name_rules() {
        assert!(ProfileName::parse("org-admin").is_ok());
        assert!(ProfileName::parse("").is_err());
        assert!(ProfileName::parse("org admin").is_err());
        assert!(ProfileName::parse("[org]").is_err());
    }
}
