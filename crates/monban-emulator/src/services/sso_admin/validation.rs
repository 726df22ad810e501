//! Input constraints from the sso-admin model (`sso-admin/2020-07-20/service-2.json`): lengths,
//! patterns and enums, checked by hand (the crate has no regex engine) and reported the way
//! AWS's Coral front end does: `1 validation error detected: Value '<v>' at '<member>' failed
//! to satisfy constraint: Member must …`, with the member path in camelCase.
//!
//! Model patterns are matched against the whole value, as Coral does.

use super::SsoAdminError;

/// A `ValidationException` without a KMS reason.
pub(super) fn validation(message: String) -> SsoAdminError {
    SsoAdminError::ValidationException {
        message,
        reason: None,
    }
}

fn pattern_error(member: &str, value: &str, pattern: &str) -> SsoAdminError {
    validation(format!(
        "1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: Member must satisfy regular expression pattern: {pattern}"
    ))
}

/// Checks a length (in characters, as Java counts them closely enough for these inputs).
pub(super) fn check_length(
    member: &str,
    value: &str,
    min: usize,
    max: usize,
) -> Result<(), SsoAdminError> {
    let length = value.chars().count();
    if length < min {
        return Err(validation(format!(
            "1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: Member must have length greater than or equal to {min}"
        )));
    }
    if length > max {
        // Long values are not echoed back (policy documents, descriptions).
        return Err(validation(format!(
            "1 validation error detected: Value at '{member}' failed to satisfy constraint: Member must have length less than or equal to {max}"
        )));
    }
    Ok(())
}

fn is_word_or(character: char, extra: &str) -> bool {
    character.is_ascii_alphanumeric() || character == '_' || extra.contains(character)
}

pub(super) const INSTANCE_ARN_PATTERN: &str =
    "arn:aws(-[a-z]{1,5}){0,3}:sso:::instance/(sso)?ins-[a-zA-Z0-9-.]{16}";
pub(super) const PERMISSION_SET_ARN_PATTERN: &str = "arn:aws(-[a-z]{1,5}){0,3}:sso:::permissionSet/(sso)?ins-[a-zA-Z0-9-.]{16}/ps-[a-zA-Z0-9-./]{16}";

/// `arn:aws(-[a-z]{1,5}){0,3}:` — returns the rest after the partition.
fn strip_partition(arn: &str) -> Option<&str> {
    let rest = arn.strip_prefix("arn:aws")?;
    let (suffix, rest) = rest.split_once(':')?;
    let mut groups = 0;
    for group in suffix.split('-').skip(1) {
        groups += 1;
        if group.is_empty() || group.len() > 5 || !group.bytes().all(|b| b.is_ascii_lowercase()) {
            return None;
        }
    }
    let well_formed = groups <= 3 && (suffix.is_empty() || suffix.starts_with('-'));
    well_formed.then_some(rest)
}

/// `(sso)?ins-[a-zA-Z0-9-.]{16}` at the start of `text`; returns the rest.
fn strip_instance_id(text: &str) -> Option<&str> {
    let text = text.strip_prefix("sso").unwrap_or(text);
    let text = text.strip_prefix("ins-")?;
    let id = text.get(..16)?;
    id.bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
        .then(|| &text[16..])
}

/// The model's `InstanceArn` pattern.
pub(super) fn is_instance_arn(arn: &str) -> bool {
    strip_partition(arn)
        .and_then(|rest| rest.strip_prefix("sso:::instance/"))
        .and_then(strip_instance_id)
        .is_some_and(str::is_empty)
}

/// The model's `PermissionSetArn` pattern.
pub(super) fn is_permission_set_arn(arn: &str) -> bool {
    strip_partition(arn)
        .and_then(|rest| rest.strip_prefix("sso:::permissionSet/"))
        .and_then(strip_instance_id)
        .and_then(|rest| rest.strip_prefix("/ps-"))
        .is_some_and(|id| {
            id.len() == 16
                && id
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-./".contains(&b))
        })
}

/// `InstanceArn`: length 10..1224 and the pattern.
pub(super) fn check_instance_arn(member: &str, arn: &str) -> Result<(), SsoAdminError> {
    check_length(member, arn, 10, 1224)?;
    if !is_instance_arn(arn) {
        return Err(pattern_error(member, arn, INSTANCE_ARN_PATTERN));
    }
    Ok(())
}

/// `PermissionSetArn`: length 10..1224 and the pattern.
pub(super) fn check_permission_set_arn(member: &str, arn: &str) -> Result<(), SsoAdminError> {
    check_length(member, arn, 10, 1224)?;
    if !is_permission_set_arn(arn) {
        return Err(pattern_error(member, arn, PERMISSION_SET_ARN_PATTERN));
    }
    Ok(())
}

/// `PermissionSetName`: 1..32 of `[\w+=,.@-]`.
pub(super) fn check_permission_set_name(name: &str) -> Result<(), SsoAdminError> {
    check_length("name", name, 1, 32)?;
    if !name.chars().all(|c| is_word_or(c, "+=,.@-")) {
        return Err(pattern_error("name", name, "[\\w+=,.@-]+"));
    }
    Ok(())
}

/// `PermissionSetDescription`: 1..700 of tab, LF, CR, `\u0020-\u007E`, `\u00A1-\u00FF`.
pub(super) fn check_description(description: &str) -> Result<(), SsoAdminError> {
    check_length("description", description, 1, 700)?;
    let allowed =
        |c: char| matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{7E}' | '\u{A1}'..='\u{FF}');
    if !description.chars().all(allowed) {
        return Err(pattern_error(
            "description",
            description,
            "[\\u0009\\u000A\\u000D\\u0020-\\u007E\\u00A1-\\u00FF]*",
        ));
    }
    Ok(())
}

/// `RelayState`: 1..240 of the model's URL character class.
pub(super) fn check_relay_state(relay_state: &str) -> Result<(), SsoAdminError> {
    check_length("relayState", relay_state, 1, 240)?;
    if !relay_state
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "&$@#\\/%?=~-_'\"|!:,.;*+[] (){}".contains(c))
    {
        return Err(pattern_error(
            "relayState",
            relay_state,
            "[a-zA-Z0-9&$@#\\\\\\/%?=~\\-_'\"|!:,.;*+\\[\\]\\ \\(\\)\\{\\}]+",
        ));
    }
    Ok(())
}

const DURATION_PATTERN: &str = "(-?)P(?=\\d|T\\d)(?:(\\d+)Y)?(?:(\\d+)M)?(?:(\\d+)([DW]))?(?:T(?:(\\d+)H)?(?:(\\d+)M)?(?:(\\d+(?:\\.\\d+)?)S)?)?";

/// Parses the model's ISO-8601 `Duration` pattern into seconds (a year counted as 365 days,
/// a month as 30: only the PT1H..PT12H range matters). `None` when it does not match.
fn duration_seconds(text: &str) -> Option<f64> {
    let (negative, rest) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let rest = rest.strip_prefix('P')?;
    // The lookahead: a digit, or `T` and a digit, must follow `P`.
    let starts_well = rest.starts_with(|c: char| c.is_ascii_digit())
        || rest
            .strip_prefix('T')
            .is_some_and(|after| after.starts_with(|c: char| c.is_ascii_digit()));
    if !starts_well {
        return None;
    }
    let (date, time) = match rest.split_once('T') {
        Some((date, time)) => (date, Some(time)),
        None => (rest, None),
    };
    let mut seconds = 0.0;
    // Date part: components in the order Y, M, D|W, each at most once.
    let mut remaining = date;
    for (units, scale) in [("Y", 365.0 * 86_400.0), ("M", 30.0 * 86_400.0), ("DW", 0.0)] {
        let digits = remaining.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            continue;
        }
        let unit = remaining[digits..].chars().next()?;
        if !units.contains(unit) {
            continue;
        }
        let value: f64 = remaining[..digits].parse().ok()?;
        let scale = match unit {
            'D' => 86_400.0,
            'W' => 7.0 * 86_400.0,
            _ => scale,
        };
        seconds += value * scale;
        remaining = &remaining[digits + 1..];
    }
    if !remaining.is_empty() {
        return None;
    }
    if let Some(time) = time {
        let mut remaining = time;
        for (unit, scale) in [('H', 3600.0), ('M', 60.0), ('S', 1.0)] {
            let length = remaining
                .bytes()
                .take_while(|b| b.is_ascii_digit() || (unit == 'S' && *b == b'.'))
                .count();
            if length == 0 || !remaining[length..].starts_with(unit) {
                continue;
            }
            let number = &remaining[..length];
            let well_formed = !number.starts_with('.')
                && !number.ends_with('.')
                && number.matches('.').count() <= 1;
            if !well_formed {
                return None;
            }
            seconds += number.parse::<f64>().ok()? * scale;
            remaining = &remaining[length + 1..];
        }
        if !remaining.is_empty() {
            return None;
        }
    }
    Some(if negative { -seconds } else { seconds })
}

/// `Duration`: length 1..100, the ISO-8601 pattern, and the service's range PT1H..PT12H.
pub(super) fn check_session_duration(duration: &str) -> Result<(), SsoAdminError> {
    check_length("sessionDuration", duration, 1, 100)?;
    let Some(seconds) = duration_seconds(duration) else {
        return Err(pattern_error("sessionDuration", duration, DURATION_PATTERN));
    };
    if !(3600.0..=43_200.0).contains(&seconds) {
        return Err(validation(format!(
            "The session duration {duration} is not valid. It must be between PT1H (1 hour) and PT12H (12 hours)."
        )));
    }
    Ok(())
}

/// The most non-whitespace characters an inline policy may have (IAM Identity Center quota).
pub(super) const INLINE_POLICY_NON_WHITESPACE_LIMIT: usize = 10_240;

/// `PermissionSetPolicyDocument`: 1..32768 of tab, LF, CR, `\u0020-\u00FF`, and a JSON
/// object (IAM refuses anything else as a malformed policy).
pub(super) fn check_inline_policy(policy: &str) -> Result<(), SsoAdminError> {
    check_length("inlinePolicy", policy, 1, 32_768)?;
    if !policy
        .chars()
        .all(|c| matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{FF}'))
    {
        return Err(validation(
            "1 validation error detected: Value at 'inlinePolicy' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\u0009\\u000A\\u000D\\u0020-\\u00FF]+".into(),
        ));
    }
    match serde_json::from_str::<serde_json::Value>(policy) {
        Ok(serde_json::Value::Object(_)) => Ok(()),
        _ => Err(validation(
            "The policy document is malformed: it must be a JSON object (an IAM policy).".into(),
        )),
    }
}

const MANAGED_POLICY_ARN_PATTERN: &str = "arn:aws(-[a-z]{1,5}){0,3}:iam::aws:policy((/[A-Za-z0-9\\.,\\+@=_-]+)*)/([A-Za-z0-9\\.,\\+=@_-]+)";

fn is_policy_path_character(c: char) -> bool {
    c.is_ascii_alphanumeric() || ".,+@=_-".contains(c)
}

/// `ManagedPolicyArn` (length 20..2048, AWS managed policies only); returns the policy's
/// name (the last path segment).
pub(super) fn check_managed_policy_arn<'a>(
    member: &str,
    arn: &'a str,
) -> Result<&'a str, SsoAdminError> {
    check_length(member, arn, 20, 2048)?;
    let segments = strip_partition(arn)
        .and_then(|rest| rest.strip_prefix("iam::aws:policy/"))
        .filter(|path| {
            path.split('/')
                .all(|segment| !segment.is_empty() && segment.chars().all(is_policy_path_character))
        });
    match segments {
        Some(path) => Ok(path.rsplit('/').next().unwrap_or(path)),
        None => Err(pattern_error(member, arn, MANAGED_POLICY_ARN_PATTERN)),
    }
}

/// `ManagedPolicyName`: 1..128 of `[\w+=,.@-]`.
pub(super) fn check_managed_policy_name(member: &str, name: &str) -> Result<(), SsoAdminError> {
    check_length(member, name, 1, 128)?;
    if !name.chars().all(|c| is_word_or(c, "+=,.@-")) {
        return Err(pattern_error(member, name, "[\\w+=,.@-]+"));
    }
    Ok(())
}

/// `ManagedPolicyPath`: 1..512, `((/[A-Za-z0-9\.,\+@=_-]+)*)/` (starts and ends with `/`).
pub(super) fn check_managed_policy_path(member: &str, path: &str) -> Result<(), SsoAdminError> {
    check_length(member, path, 1, 512)?;
    let well_formed = path.strip_suffix('/').is_some_and(|inner| {
        inner.is_empty()
            || inner.strip_prefix('/').is_some_and(|segments| {
                segments.split('/').all(|segment| {
                    !segment.is_empty() && segment.chars().all(is_policy_path_character)
                })
            })
    });
    if !well_formed {
        return Err(pattern_error(
            member,
            path,
            "((/[A-Za-z0-9\\.,\\+@=_-]+)*)/",
        ));
    }
    Ok(())
}

/// `TargetId` / `AccountId`: 12 digits.
pub(super) fn check_account_id(member: &str, account_id: &str) -> Result<(), SsoAdminError> {
    check_length(member, account_id, 12, 12)?;
    if !account_id.bytes().all(|b| b.is_ascii_digit()) {
        return Err(pattern_error(member, account_id, "\\d{12}"));
    }
    Ok(())
}

fn is_uuid(text: &str, hex: impl Fn(u8) -> bool) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(group, length)| group.len() == length && group.bytes().all(&hex))
}

/// `PrincipalId`: 1..47, `([0-9a-f]{10}-|)` then a UUID (either hex case).
pub(super) fn check_principal_id(principal_id: &str) -> Result<(), SsoAdminError> {
    check_length("principalId", principal_id, 1, 47)?;
    let any_case = |b: u8| b.is_ascii_hexdigit();
    let well_formed = is_uuid(principal_id, any_case)
        || principal_id.split_once('-').is_some_and(|(prefix, uuid)| {
            prefix.len() == 10
                && prefix
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
                && is_uuid(uuid, any_case)
        });
    if !well_formed {
        return Err(pattern_error(
            "principalId",
            principal_id,
            "([0-9a-f]{10}-|)[A-Fa-f0-9]{8}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{12}",
        ));
    }
    Ok(())
}

/// `UUId` (request ids): 36 characters, lowercase hex.
pub(super) fn check_request_id(member: &str, request_id: &str) -> Result<(), SsoAdminError> {
    check_length(member, request_id, 36, 36)?;
    if !is_uuid(request_id, |b| {
        b.is_ascii_digit() || (b'a'..=b'f').contains(&b)
    }) {
        return Err(pattern_error(
            member,
            request_id,
            "\\b[0-9a-f]{8}\\b-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-\\b[0-9a-f]{12}\\b",
        ));
    }
    Ok(())
}

/// `([\p{L}\p{Z}\p{N}_.:/=+\-@]*)`: letters, separators (spaces), numbers and `_.:/=+-@`.
fn is_tag_text(text: &str) -> bool {
    text.chars().all(|c| {
        c.is_alphanumeric()
            || c == ' '
            || c.is_whitespace() && !c.is_control()
            || "_.:/=+-@".contains(c)
    })
}

const TAG_PATTERN: &str = "([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)";

/// One tag key (`TagKey`: 1..128) at `member`.
pub(super) fn check_tag_key(member: &str, key: &str) -> Result<(), SsoAdminError> {
    check_length(member, key, 1, 128)?;
    if !is_tag_text(key) {
        return Err(pattern_error(member, key, TAG_PATTERN));
    }
    Ok(())
}

/// One tag value (`TagValue`: 0..256) at `member`.
pub(super) fn check_tag_value(member: &str, value: &str) -> Result<(), SsoAdminError> {
    check_length(member, value, 0, 256)?;
    if !is_tag_text(value) {
        return Err(pattern_error(member, value, TAG_PATTERN));
    }
    Ok(())
}

/// A list's length (`TagList` 0..75, `TagKeyList` 1..75).
pub(super) fn check_list_length(
    member: &str,
    length: usize,
    min: usize,
    max: usize,
) -> Result<(), SsoAdminError> {
    if length < min {
        return Err(validation(format!(
            "1 validation error detected: Value at '{member}' failed to satisfy constraint: Member must have length greater than or equal to {min}"
        )));
    }
    if length > max {
        return Err(validation(format!(
            "1 validation error detected: Value at '{member}' failed to satisfy constraint: Member must have length less than or equal to {max}"
        )));
    }
    Ok(())
}

/// An enum member: `value` must be one of `allowed`.
pub(super) fn check_enum(member: &str, value: &str, allowed: &[&str]) -> Result<(), SsoAdminError> {
    if allowed.contains(&value) {
        return Ok(());
    }
    Err(validation(format!(
        "1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: Member must satisfy enum value set: [{}]",
        allowed.join(", ")
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arns() {
        assert!(is_instance_arn(
            "arn:aws:sso:::instance/ssoins-0123456789abcdef"
        ));
        assert!(is_instance_arn(
            "arn:aws-us-gov:sso:::instance/ins-0123456789abcdef"
        ));
        assert!(!is_instance_arn("arn:aws:sso:::instance/ssoins-short"));
        assert!(!is_instance_arn(
            "arn:aws:sso:::instance/ssoins-0123456789abcdef0"
        ));
        assert!(is_permission_set_arn(
            "arn:aws:sso:::permissionSet/ssoins-0123456789abcdef/ps-0123456789abcdef"
        ));
        assert!(!is_permission_set_arn(
            "arn:aws:sso:::permissionSet/ssoins-0123456789abcdef/ps-0123"
        ));
        assert!(!is_permission_set_arn(
            "arn:aws:sso:::instance/ssoins-0123456789abcdef"
        ));
    }

    #[test]
    fn session_durations() {
        assert_eq!(duration_seconds("PT1H"), Some(3600.0));
        assert_eq!(duration_seconds("PT12H"), Some(43_200.0));
        assert_eq!(duration_seconds("PT90M"), Some(5400.0));
        assert_eq!(duration_seconds("PT1H30M"), Some(5400.0));
        assert_eq!(duration_seconds("P1D"), Some(86_400.0));
        assert_eq!(duration_seconds("PT1.5S"), Some(1.5));
        assert_eq!(duration_seconds("PT"), None);
        assert_eq!(duration_seconds("1H"), None);
        assert_eq!(duration_seconds("PT1X"), None);
        assert!(check_session_duration("PT8H").is_ok());
        assert!(check_session_duration("PT30M").is_err());
        assert!(check_session_duration("PT13H").is_err());
        assert!(check_session_duration("P1D").is_err());
    }

    #[test]
    fn names_paths_and_policies() {
        assert!(check_permission_set_name("AdministratorAccess").is_ok());
        assert!(check_permission_set_name("has space").is_err());
        assert!(check_permission_set_name(&"a".repeat(33)).is_err());
        assert_eq!(
            check_managed_policy_arn("m", "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess")
                .unwrap(),
            "ViewOnlyAccess"
        );
        assert!(check_managed_policy_arn("m", "arn:aws:iam::123456789012:policy/Mine").is_err());
        assert!(check_managed_policy_path("p", "/").is_ok());
        assert!(check_managed_policy_path("p", "/team/a/").is_ok());
        assert!(check_managed_policy_path("p", "team/").is_err());
        assert!(check_managed_policy_path("p", "//").is_err());
        assert!(check_principal_id("906752b26f-9039c8fc-c296-4863-a233-a59111da7aa3").is_ok());
        assert!(check_principal_id("64b8e4d8-2021-7077-f761-7e9cb2c9b7ea").is_ok());
        assert!(check_principal_id("alice").is_err());
        assert!(check_inline_policy("{\"Version\":\"2012-10-17\"}").is_ok());
        assert!(check_inline_policy("not json").is_err());
        assert!(check_tag_key("k", "team:cost-centre/a b").is_ok());
        assert!(check_tag_key("k", "bad*").is_err());
    }
}
