//! Resource tags: key/value rules and the per-resource limits of Organizations and
//! IAM Identity Center.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::Regex;

use crate::constraint::{Constraint, ConstraintError, check_length};
use crate::newtype::string_newtype;

/// `[\p{L}\p{Z}\p{N}_.:/=+\-@]*`: the tag character class of botocore `organizations`
/// `TagKey`/`TagValue` and `sso-admin` `TagKey`/`TagValue` (the same in both).
static TAG_PATTERN: LazyLock<Regex> = LazyLock::new(|| {
    // The pattern is a literal that is known to compile.
    Regex::new(r"^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$").expect("valid regex")
});

fn check_tag_characters(constraint: Constraint, value: &str) -> Result<(), ConstraintError> {
    if TAG_PATTERN.is_match(value) {
        return Ok(());
    }
    let bad = value
        .chars()
        .find(|&c| !TAG_PATTERN.is_match(c.encode_utf8(&mut [0; 4])))
        .map_or_else(String::new, crate::constraint::describe_char);
    Err(ConstraintError::new(
        constraint,
        format!("`{value}` contains {bad}; tags allow letters, digits, spaces and `_.:/=+-@`"),
    ))
}

string_newtype!(
    /// A tag key. botocore `organizations`/`sso-admin` `TagKey`: min 1, max 128, pattern
    /// above. Keys beginning with `aws:` are reserved for AWS's own use (AWS tagging
    /// documentation, "Tag naming limits and requirements").
    TagKey
);

impl TagKey {
    fn validate(value: &str) -> Result<(), ConstraintError> {
        check_length(Constraint::TagKey, value, 1, 128)?;
        check_tag_characters(Constraint::TagKey, value)?;
        if value.to_ascii_lowercase().starts_with("aws:") {
            return Err(ConstraintError::new(
                Constraint::TagKey,
                format!("`{value}` begins with `aws:`, which is reserved for AWS"),
            ));
        }
        Ok(())
    }
}

string_newtype!(
    /// A tag value. botocore `organizations`/`sso-admin` `TagValue`: min 0, max 256,
    /// pattern above.
    TagValue
);

impl TagValue {
    fn validate(value: &str) -> Result<(), ConstraintError> {
        check_length(Constraint::TagValue, value, 0, 256)?;
        check_tag_characters(Constraint::TagValue, value)
    }
}

/// Tags of one resource, ordered by key (a key appears once).
pub type Tags = BTreeMap<TagKey, TagValue>;

/// Most tags an account may carry: 50 (Organizations quotas, "Tags per root/OU/account";
/// exceeding it fails with `ConstraintViolationException` reason `MAX_TAG_LIMIT_EXCEEDED` in
/// botocore `organizations` `ConstraintViolationExceptionReason`).
pub const MAX_ACCOUNT_TAGS: usize = 50;

/// Most tags a permission set may carry: 75 (botocore `sso-admin` `TagList`: max 75).
pub const MAX_PERMISSION_SET_TAGS: usize = 75;

/// Checks a tag count against a limit.
pub fn check_tag_count(count: usize, limit: usize) -> Result<(), ConstraintError> {
    if count > limit {
        return Err(ConstraintError::new(
            Constraint::TagCount,
            format!("{count} tags; at most {limit} are allowed"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_key_rules() {
        assert!(TagKey::parse("env").is_ok());
        assert!(TagKey::parse("cost center:team/a=b+c-d@e_f.g").is_ok());
        assert!(TagKey::parse("環境").is_ok());
        assert!(TagKey::parse(&"k".repeat(128)).is_ok());
        assert!(TagKey::parse(&"k".repeat(129)).is_err());
        assert!(TagKey::parse("").is_err());
        assert!(TagKey::parse("env!").is_err());
        assert!(TagKey::parse("aws:createdBy").is_err());
        assert!(TagKey::parse("AWS:x").is_err());
    }

    #[test]
    fn tag_value_rules() {
        assert!(TagValue::parse("").is_ok());
        assert!(TagValue::parse("prod").is_ok());
        assert!(TagValue::parse(&"v".repeat(256)).is_ok());
        assert!(TagValue::parse(&"v".repeat(257)).is_err());
        assert!(TagValue::parse("a,b").is_err());
        assert!(TagValue::parse("new\nline").is_err());
    }

    #[test]
    fn tag_count_rules() {
        assert!(check_tag_count(50, MAX_ACCOUNT_TAGS).is_ok());
        assert!(check_tag_count(51, MAX_ACCOUNT_TAGS).is_err());
        assert!(check_tag_count(75, MAX_PERMISSION_SET_TAGS).is_ok());
        assert!(check_tag_count(76, MAX_PERMISSION_SET_TAGS).is_err());
    }
}
