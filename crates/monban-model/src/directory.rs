//! The IdP directory snapshot (design §2): what an IdP such as Okta holds — users, groups
//! and memberships. monban reads it where it needs membership offline; it never writes the
//! IdP.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::Regex;

use crate::constraint::{Constraint, ConstraintError, check_length};
use crate::names::{GroupName, UserName};
use crate::newtype::string_newtype;

static SENSITIVE_STRING_PATTERN: LazyLock<Regex> = LazyLock::new(|| {
    // The pattern is a literal that is known to compile.
    Regex::new(r"^[\p{L}\p{M}\p{S}\p{N}\p{P}\t\n\r \u{00A0}\u{3000}]+$").expect("valid regex")
});

string_newtype!(
    /// A free-text Identity Store attribute (display name, given/family name, e-mail value,
    /// group description). botocore `identitystore` `SensitiveStringType`: min 1, max 1024,
    /// `[\p{L}\p{M}\p{S}\p{N}\p{P}\t\n\r  　]+`.
    IdentityText
);

impl IdentityText {
    fn validate(value: &str) -> Result<(), ConstraintError> {
        check_length(Constraint::Text, value, 1, 1024)?;
        if !SENSITIVE_STRING_PATTERN.is_match(value) {
            return Err(ConstraintError::new(
                Constraint::Text,
                format!("`{value}` contains characters the Identity Store does not allow"),
            ));
        }
        Ok(())
    }
}

/// A user as the IdP holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectoryUser {
    pub user_name: UserName,
    pub display_name: IdentityText,
    pub given_name: IdentityText,
    pub family_name: IdentityText,
    pub email: IdentityText,
    /// `false` = deactivated (a leaver the IdP has not deleted).
    pub active: bool,
}

/// A group as the IdP holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectoryGroup {
    pub display_name: GroupName,
    pub description: Option<IdentityText>,
    /// Members by user name, in file order.
    pub members: Vec<UserName>,
}

/// The snapshot: users by user name, groups by display name.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Directory {
    pub users: BTreeMap<UserName, DirectoryUser>,
    pub groups: BTreeMap<GroupName, DirectoryGroup>,
}

impl Directory {
    /// The groups `user` is a member of.
    pub fn groups_of<'directory>(
        &'directory self,
        user: &'directory UserName,
    ) -> impl Iterator<Item = &'directory DirectoryGroup> {
        self.groups
            .values()
            .filter(move |group| group.members.contains(user))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_text_rules() {
        assert!(IdentityText::parse("Alice Tanaka").is_ok());
        assert!(IdentityText::parse("田中 花子").is_ok());
        assert!(IdentityText::parse("").is_err());
        assert!(IdentityText::parse(&"x".repeat(1025)).is_err());
        assert!(IdentityText::parse("bell\u{7}").is_err());
    }
}
