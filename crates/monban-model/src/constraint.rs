//! The error every validating constructor in this crate returns, and the list of constraints
//! it can name. `monban-config` maps each [`Constraint`] to a stable diagnostic code, so a
//! constraint stated here is reported the same way wherever it is checked.

use std::fmt;

/// Which rule a value broke. One variant per rule family; the message says the detail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Constraint {
    AccountId,
    AccountName,
    OuName,
    OuPath,
    Email,
    RootEmailTemplate,
    PermissionSetName,
    PermissionSetDescription,
    SessionDuration,
    RelayState,
    ManagedPolicyArn,
    CustomerManagedPolicyName,
    CustomerManagedPolicyPath,
    InlinePolicy,
    PolicyCount,
    TagKey,
    TagValue,
    TagCount,
    GroupName,
    UserName,
    Date,
    OuPattern,
    Region,
    ProfileName,
    Text,
}

impl Constraint {
    /// A short human name of the thing the constraint is about, used in messages.
    #[must_use]
    pub fn subject(self) -> &'static str {
        match self {
            Self::AccountId => "account id",
            Self::AccountName => "account name",
            Self::OuName => "OU name",
            Self::OuPath => "OU path",
            Self::Email => "e-mail address",
            Self::RootEmailTemplate => "root e-mail template",
            Self::PermissionSetName => "permission set name",
            Self::PermissionSetDescription => "permission set description",
            Self::SessionDuration => "session duration",
            Self::RelayState => "relay state",
            Self::ManagedPolicyArn => "managed policy ARN",
            Self::CustomerManagedPolicyName => "customer-managed policy name",
            Self::CustomerManagedPolicyPath => "customer-managed policy path",
            Self::InlinePolicy => "inline policy",
            Self::PolicyCount => "number of policies",
            Self::TagKey => "tag key",
            Self::TagValue => "tag value",
            Self::TagCount => "number of tags",
            Self::GroupName => "group name",
            Self::UserName => "user name",
            Self::Date => "date",
            Self::OuPattern => "OU pattern",
            Self::Region => "region",
            Self::ProfileName => "profile name",
            Self::Text => "text",
        }
    }
}

/// A value that breaks a constraint: which one, and why, in words a user can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ConstraintError {
    pub constraint: Constraint,
    pub reason: String,
}

impl ConstraintError {
    pub(crate) fn new(constraint: Constraint, reason: impl Into<String>) -> Self {
        Self {
            constraint,
            reason: reason.into(),
        }
    }
}

impl fmt::Display for ConstraintError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            formatter,
            "invalid {}: {}",
            self.constraint.subject(),
            self.reason
        )
    }
}

/// Checks a length in characters (AWS's `min`/`max` count characters, not bytes).
pub(crate) fn check_length(
    constraint: Constraint,
    value: &str,
    min: usize,
    max: usize,
) -> Result<(), ConstraintError> {
    let length = value.chars().count();
    if length < min {
        return Err(if min == 1 {
            ConstraintError::new(constraint, "must not be empty")
        } else {
            ConstraintError::new(
                constraint,
                format!("`{value}` is {length} characters long; the minimum is {min}"),
            )
        });
    }
    if length > max {
        return Err(ConstraintError::new(
            constraint,
            format!("is {length} characters long; the maximum is {max}"),
        ));
    }
    Ok(())
}

/// Returns the first character not accepted by `allowed`, for "character X is not allowed".
pub(crate) fn first_disallowed(value: &str, allowed: impl Fn(char) -> bool) -> Option<char> {
    value.chars().find(|&character| !allowed(character))
}

/// Describes a character for an error message, escaping invisible ones.
pub(crate) fn describe_char(character: char) -> String {
    if character.is_control() || character.is_whitespace() {
        format!("{character:?}")
    } else {
        format!("`{character}`")
    }
}

/// The IAM name character class `[\w+=,.@-]`. AWS's regexes are Java regexes, where `\w` is
/// ASCII-only (`[a-zA-Z0-9_]`), so this is ASCII too.
pub(crate) fn is_iam_name_char(character: char) -> bool {
    character.is_ascii_alphanumeric() || "_+=,.@-".contains(character)
}
