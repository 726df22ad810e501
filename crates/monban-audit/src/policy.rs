//! Reading IAM policy documents for the permission-set lint: which `Allow` statements an
//! inline or customer managed policy has, whether one grants everything (`*` / `*:*` on
//! `*`), whether one lets a role pass any role (`iam:PassRole` on `*`), and whether an
//! inline policy only repeats what an attached AWS managed policy already grants.
//!
//! Only what a document itself says is judged. Inline policies come with the permission
//! set; customer managed policies live in each account's IAM, so the audit's IAM scan reads
//! them per account (`monban-aws`'s `iam_scan`) and the caller judges each account's copy
//! with these same functions — the copies may differ. AWS managed policies are known by
//! the few whose meaning is fixed (`AdministratorAccess` grants everything,
//! `PowerUserAccess` everything outside `iam:`, `organizations:` and `account:`).

use serde_json::Value;

/// The ARN suffix of AWS's `AdministratorAccess` managed policy (any partition).
const ADMINISTRATOR_ACCESS: &str = ":iam::aws:policy/AdministratorAccess";
/// The ARN suffix of AWS's `PowerUserAccess` managed policy (any partition).
const POWER_USER_ACCESS: &str = ":iam::aws:policy/PowerUserAccess";
/// The services `PowerUserAccess` leaves out (its `NotAction`).
const POWER_USER_EXCLUDED: [&str; 3] = ["iam", "organizations", "account"];

/// One `Allow` statement, as lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Allow {
    pub(crate) actions: Vec<String>,
    pub(crate) resources: Vec<String>,
    /// Whether it has a `Condition` (then it grants less than its actions say).
    pub(crate) conditional: bool,
}

fn strings(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::String(text)) => vec![text.clone()],
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|item| item.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    }
}

/// The `Allow` statements (with `Action`, not `NotAction`) of a policy document; none when
/// it is not valid JSON.
pub(crate) fn allows(document: &str) -> Vec<Allow> {
    let Ok(value) = serde_json::from_str::<Value>(document) else {
        return Vec::new();
    };
    let statements = match value.get("Statement") {
        Some(Value::Array(statements)) => statements.clone(),
        Some(statement @ Value::Object(_)) => vec![statement.clone()],
        _ => Vec::new(),
    };
    statements
        .iter()
        .filter(|statement| statement.get("Effect").and_then(Value::as_str) == Some("Allow"))
        .filter(|statement| statement.get("Action").is_some())
        .map(|statement| Allow {
            actions: strings(statement.get("Action")),
            resources: strings(statement.get("Resource")),
            conditional: statement.get("Condition").is_some(),
        })
        .collect()
}

/// Whether `pattern` (IAM wildcards `*` and `?`, case-insensitive) matches `text`.
pub(crate) fn wildcard_matches(pattern: &str, text: &str) -> bool {
    let pattern: Vec<char> = pattern.to_lowercase().chars().collect();
    let text: Vec<char> = text.to_lowercase().chars().collect();
    // Classic two-pointer glob match with backtracking to the last `*`.
    let (mut pattern_at, mut text_at) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while text_at < text.len() {
        if pattern_at < pattern.len()
            && (pattern[pattern_at] == '?' || pattern[pattern_at] == text[text_at])
        {
            pattern_at += 1;
            text_at += 1;
        } else if pattern_at < pattern.len() && pattern[pattern_at] == '*' {
            star = Some((pattern_at, text_at));
            pattern_at += 1;
        } else if let Some((star_pattern, star_text)) = star {
            pattern_at = star_pattern + 1;
            text_at = star_text + 1;
            star = Some((star_pattern, star_text + 1));
        } else {
            return false;
        }
    }
    pattern[pattern_at..]
        .iter()
        .all(|character| *character == '*')
}

fn is_everything(action: &str) -> bool {
    action == "*" || action == "*:*"
}

fn on_every_resource(allow: &Allow) -> bool {
    allow.resources.iter().any(|resource| resource == "*")
}

/// Whether a statement grants every action on every resource, unconditionally.
fn statement_grants_everything(allow: &Allow) -> bool {
    !allow.conditional
        && on_every_resource(allow)
        && allow.actions.iter().any(|action| is_everything(action))
}

/// Why a permission set amounts to full administrator access, if it does: the
/// `AdministratorAccess` managed policy, or an inline `*:*` on `*`.
pub(crate) fn administrator_reason(
    managed_policies: &[String],
    inline_policy: Option<&str>,
) -> Option<String> {
    if let Some(arn) = managed_policies
        .iter()
        .find(|arn| arn.ends_with(ADMINISTRATOR_ACCESS))
    {
        return Some(format!("it attaches the AWS managed policy {arn}"));
    }
    grants_everything(inline_policy?)
        .then(|| "its inline policy allows `*` on every resource (`*:*`)".to_owned())
}

/// Whether a policy document (inline or customer managed) has a statement that grants
/// every action on every resource, unconditionally.
pub(crate) fn grants_everything(document: &str) -> bool {
    allows(document).iter().any(statement_grants_everything)
}

/// The `iam:PassRole`-matching actions a policy document (inline or customer managed)
/// allows on `*` (without the full wildcard, which the administrator rule reports).
pub(crate) fn pass_role_wildcards(inline_policy: Option<&str>) -> Vec<String> {
    let Some(inline) = inline_policy else {
        return Vec::new();
    };
    let mut found: Vec<String> = allows(inline)
        .iter()
        .filter(|allow| on_every_resource(allow))
        .flat_map(|allow| allow.actions.iter())
        .filter(|action| !is_everything(action) && wildcard_matches(action, "iam:PassRole"))
        .cloned()
        .collect();
    found.sort();
    found.dedup();
    found
}

/// Whether an action pattern is certainly granted by an attached managed policy.
fn covered(action: &str, managed_policies: &[String]) -> bool {
    if managed_policies
        .iter()
        .any(|arn| arn.ends_with(ADMINISTRATOR_ACCESS))
    {
        return true;
    }
    if managed_policies
        .iter()
        .any(|arn| arn.ends_with(POWER_USER_ACCESS))
    {
        let Some((service, _)) = action.split_once(':') else {
            return false;
        };
        // A service wildcard (`*:Get*`) may reach an excluded service.
        return !service.contains(['*', '?'])
            && !POWER_USER_EXCLUDED
                .iter()
                .any(|excluded| excluded.eq_ignore_ascii_case(service));
    }
    false
}

/// How many of the inline policy's `Allow` statements grant nothing the attached managed
/// policies do not already grant (they grant their actions on every resource without a
/// condition, so a statement whose every action they cover adds nothing), and which
/// managed policy covers them.
pub(crate) fn redundant_statements(
    managed_policies: &[String],
    inline_policy: Option<&str>,
) -> Option<(usize, String)> {
    let inline = inline_policy?;
    let covering = managed_policies
        .iter()
        .find(|arn| arn.ends_with(ADMINISTRATOR_ACCESS) || arn.ends_with(POWER_USER_ACCESS))?;
    let redundant = allows(inline)
        .iter()
        .filter(|allow| {
            !allow.actions.is_empty()
                && allow
                    .actions
                    .iter()
                    .all(|action| covered(action, managed_policies))
        })
        .count();
    (redundant > 0).then(|| (redundant, covering.clone()))
}

/// Seconds of an ISO-8601 duration of hours, minutes and seconds (`PT8H`, `PT1H30M`), the
/// form Identity Center uses for session durations.
pub(crate) fn duration_seconds(text: &str) -> Option<u64> {
    let rest = text.strip_prefix("PT")?;
    let mut total = 0_u64;
    let mut number = String::new();
    for character in rest.chars() {
        if character.is_ascii_digit() {
            number.push(character);
            continue;
        }
        let value: u64 = number.parse().ok()?;
        number.clear();
        total += value
            * match character {
                'H' => 3600,
                'M' => 60,
                'S' => 1,
                _ => return None,
            };
    }
    number.is_empty().then_some(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ADMIN: &str = "arn:aws:iam::aws:policy/AdministratorAccess";
    const POWER: &str = "arn:aws:iam::aws:policy/PowerUserAccess";

    #[test]
    fn wildcards_match_like_iam() {
        assert!(wildcard_matches("iam:PassRole", "iam:PassRole"));
        assert!(wildcard_matches("iam:pass*", "iam:PassRole"));
        assert!(wildcard_matches("iam:*", "iam:PassRole"));
        assert!(wildcard_matches("*", "iam:PassRole"));
        assert!(wildcard_matches("iam:P?ssRole", "iam:PassRole"));
        assert!(!wildcard_matches("iam:Get*", "iam:PassRole"));
        assert!(!wildcard_matches("s3:*", "iam:PassRole"));
    }

    #[test]
    fn administrator_by_managed_policy_or_inline_wildcard() {
        assert!(administrator_reason(&[ADMIN.to_owned()], None).is_some());
        let star = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#;
        assert!(administrator_reason(&[], Some(star)).is_some());
        let scoped =
            r#"{"Statement":[{"Effect":"Allow","Action":"*","Resource":"arn:aws:s3:::b/*"}]}"#;
        assert!(administrator_reason(&[], Some(scoped)).is_none());
        let conditional = r#"{"Statement":[{"Effect":"Allow","Action":"*:*","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}]}"#;
        assert!(administrator_reason(&[], Some(conditional)).is_none());
        let deny = r#"{"Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}"#;
        assert!(administrator_reason(&[], Some(deny)).is_none());
        assert!(administrator_reason(&[POWER.to_owned()], None).is_none());
    }

    #[test]
    fn pass_role_on_every_resource() {
        let pass = r#"{"Statement":[{"Effect":"Allow","Action":["s3:GetObject","iam:PassRole"],"Resource":"*"}]}"#;
        assert_eq!(pass_role_wildcards(Some(pass)), vec!["iam:PassRole"]);
        let iam_star = r#"{"Statement":[{"Effect":"Allow","Action":"iam:*","Resource":["*"]}]}"#;
        assert_eq!(pass_role_wildcards(Some(iam_star)), vec!["iam:*"]);
        let scoped = r#"{"Statement":[{"Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::1:role/x"}]}"#;
        assert!(pass_role_wildcards(Some(scoped)).is_empty());
        let everything = r#"{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;
        assert!(pass_role_wildcards(Some(everything)).is_empty());
        assert!(pass_role_wildcards(Some("not json")).is_empty());
    }

    #[test]
    fn redundant_inline_statements() {
        let s3 = r#"{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"},{"Effect":"Deny","Action":"s3:DeleteBucket","Resource":"*"}]}"#;
        assert_eq!(
            redundant_statements(&[ADMIN.to_owned()], Some(s3)),
            Some((1, ADMIN.to_owned()))
        );
        assert_eq!(
            redundant_statements(&[POWER.to_owned()], Some(s3)),
            Some((1, POWER.to_owned()))
        );
        let iam = r#"{"Statement":[{"Effect":"Allow","Action":"iam:CreateRole","Resource":"*"}]}"#;
        assert_eq!(redundant_statements(&[POWER.to_owned()], Some(iam)), None);
        let deny_only = r#"{"Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*"}]}"#;
        assert_eq!(
            redundant_statements(&[ADMIN.to_owned()], Some(deny_only)),
            None
        );
        assert_eq!(redundant_statements(&[], Some(s3)), None);
    }

    #[test]
    fn session_durations() {
        assert_eq!(duration_seconds("PT8H"), Some(28_800));
        assert_eq!(duration_seconds("PT1H30M"), Some(5_400));
        assert_eq!(duration_seconds("PT12H"), Some(43_200));
        assert_eq!(duration_seconds("PT90S"), Some(90));
        assert_eq!(duration_seconds("P1D"), None);
        assert_eq!(duration_seconds("PT8"), None);
    }
}
