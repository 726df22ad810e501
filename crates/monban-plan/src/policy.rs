//! Semantic comparison of permission-set attributes whose text may differ without their
//! meaning differing: inline policy documents (AWS may return a document reformatted, with
//! keys reordered) and session durations (`PT8H` and `PT480M` are the same eight hours).
//! Comparing text would show a perpetual diff, the complaint of Terraform users in
//! hashicorp/terraform-provider-aws#23288.

use monban_model::SessionDuration;
use serde_json::Value;

/// The document as JSON, or as a JSON string when it does not parse (AWS only stores
/// valid JSON, and the loader rejects invalid JSON, so this is a fallback for display).
#[must_use]
pub fn policy_value(document: &str) -> Value {
    serde_json::from_str(document).unwrap_or_else(|_| Value::String(document.to_owned()))
}

/// Whether two inline policies mean the same: equal as parsed JSON values (object key
/// order and whitespace ignored; array order kept, since statement order is part of the
/// document as IAM stores it). Unparseable documents compare as text.
#[must_use]
pub fn same_policy(left: Option<&str>, right: Option<&str>) -> bool {
    match (left, right) {
        (None, None) => true,
        (Some(left), Some(right)) => policy_value(left) == policy_value(right),
        _ => false,
    }
}

/// Whether two session durations are the same length. `None` means AWS's default, one
/// hour. A duration that does not parse compares as text.
#[must_use]
pub fn same_session_duration(left: Option<&str>, right: Option<&str>) -> bool {
    let parse = |value: Option<&str>| match value {
        None => Some(SessionDuration::DEFAULT),
        Some(text) => SessionDuration::parse(text).ok(),
    };
    match (parse(left), parse(right)) {
        (Some(left), Some(right)) => left == right,
        _ => left == right,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policies_compare_by_value_not_text() {
        let repo = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}]}"#;
        let live = "{\"Statement\":[{\"Resource\":\"*\",\"Action\":\"s3:Get*\",\"Effect\":\"Allow\"}],\n\"Version\":\"2012-10-17\"}";
        assert!(same_policy(Some(repo), Some(live)));
        let edited = live.replace("s3:Get*", "s3:*");
        assert!(!same_policy(Some(repo), Some(&edited)));
        assert!(!same_policy(Some(repo), None));
        assert!(same_policy(None, None));
    }

    #[test]
    fn unparseable_policies_compare_as_text() {
        assert!(same_policy(Some("{oops"), Some("{oops")));
        assert!(!same_policy(Some("{oops"), Some("{oops }")));
    }

    #[test]
    fn durations_compare_by_length() {
        assert!(same_session_duration(Some("PT8H"), Some("PT480M")));
        assert!(same_session_duration(None, Some("PT1H")));
        assert!(!same_session_duration(Some("PT8H"), Some("PT4H")));
        assert!(same_session_duration(Some("weird"), Some("weird")));
        assert!(!same_session_duration(Some("weird"), Some("PT1H")));
    }
}
