//! The HTML view of an audit: one self-contained page (no external asset, no network, works
//! from `file://`) that an auditor can be handed — a people × accounts access matrix with
//! search and filters, a "why" drill-down for every cell, the findings and the IAM users.
//!
//! It reads only the audit report JSON, format 1 (`docs/reference/audit-json.md`, produced by
//! `monban audit --format json`), never the audit's Rust types: the page is a second consumer
//! of the documented format, so anything it shows an automation could show too. Rust checks
//! the version and the shape of every field the page reads (so a wrong document fails here,
//! with its path, and not as a blank page in a browser) and embeds the document in a
//! `<script type="application/json">` element; the page's own JavaScript lays it out.
//!
//! What it is not: a second audit. The page groups, filters and counts what the report
//! holds; every fact (who reaches what, via which group, which finding, its severity) comes
//! from the report.

use std::fmt::Write as _;

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// The audit report format this page reads.
pub const AUDIT_REPORT_FORMAT_VERSION: u64 = 1;

/// The page around the data; `{{TITLE}}`, `{{STYLE}}`, `{{DATA}}` and `{{SCRIPT}}` are
/// replaced once each.
const TEMPLATE: &str = include_str!("audit_html/report.html");
const STYLE: &str = include_str!("audit_html/report.css");
const SCRIPT: &str = include_str!("audit_html/report.js");

/// Why an audit report could not be turned into the HTML page.
#[derive(Debug, thiserror::Error)]
pub enum AuditHtmlError {
    /// Not JSON at all.
    #[error("the audit report is not valid JSON")]
    Syntax(#[source] serde_json::Error),
    /// JSON, but without a numeric top-level `format_version`.
    #[error("the document has no numeric `format_version`, so it is not a monban audit report")]
    MissingFormatVersion,
    /// A report in another version of the format (written by another monban version).
    #[error(
        "the audit report is in format version {found}, and this monban renders version \
         {supported}; run the audit again with this monban version"
    )]
    UnsupportedFormatVersion { found: u64, supported: u64 },
    /// The right version, but a field the page reads is missing or of the wrong kind.
    #[error("the audit report does not match format version {version} at `{path}`")]
    Shape {
        version: u64,
        /// Where in the document, as `findings[3]` or `summary`.
        path: String,
        #[source]
        source: serde_json::Error,
    },
}

/// The audit report (JSON, format 1) as one self-contained HTML page.
///
/// The document is checked first: its `format_version` (another one is
/// [`AuditHtmlError::UnsupportedFormatVersion`]) and then every field the page reads. Fields
/// the page does not know are kept in the embedded document and ignored, as the format
/// allows producers to add fields.
pub fn render_audit_html(report_json: &str) -> Result<String, AuditHtmlError> {
    let value: Value = serde_json::from_str(report_json).map_err(AuditHtmlError::Syntax)?;
    // The version is checked on the untyped value first: a report of another version may
    // not have the shape below at all, and "wrong version" is the error its reader needs.
    let found = value
        .get("format_version")
        .and_then(Value::as_u64)
        .ok_or(AuditHtmlError::MissingFormatVersion)?;
    if found != AUDIT_REPORT_FORMAT_VERSION {
        return Err(AuditHtmlError::UnsupportedFormatVersion {
            found,
            supported: AUDIT_REPORT_FORMAT_VERSION,
        });
    }
    check_shape(&value)?;

    let title = page_title(&value);
    let data = script_safe_json(report_json);
    let mut page = String::with_capacity(TEMPLATE.len() + STYLE.len() + SCRIPT.len() + data.len());
    // The placeholders are replaced in one pass over the template, so text inside the data
    // (which may well contain "{{SCRIPT}}") is never itself searched for placeholders.
    let mut rest = TEMPLATE;
    while let Some(start) = rest.find("{{") {
        page.push_str(&rest[..start]);
        let after = &rest[start..];
        let (replacement, length) = if after.starts_with("{{TITLE}}") {
            (title.as_str(), "{{TITLE}}".len())
        } else if after.starts_with("{{STYLE}}") {
            (STYLE, "{{STYLE}}".len())
        } else if after.starts_with("{{DATA}}") {
            (data.as_str(), "{{DATA}}".len())
        } else if after.starts_with("{{SCRIPT}}") {
            (SCRIPT, "{{SCRIPT}}".len())
        } else {
            ("{{", 2)
        };
        page.push_str(replacement);
        rest = &after[length..];
    }
    page.push_str(rest);
    Ok(page)
}

/// The document, exactly as given (its key order and layout are the producer's), made safe
/// to sit inside a `<script>` element: `<`, `>` and `&` (so no `</script>` or `<!--` can end
/// or change the element), and U+2028/U+2029 (line terminators to older JavaScript
/// parsers) are written as `\uXXXX` escapes. In valid JSON — `text` has just been parsed —
/// these characters can only stand inside strings (whitespace outside them is space, tab,
/// CR and LF), where the escape means the same character, so `JSON.parse` in the page gives
/// back exactly the report.
fn script_safe_json(text: &str) -> String {
    let mut safe = String::with_capacity(text.len() + text.len() / 16);
    for character in text.chars() {
        match character {
            '<' => safe.push_str("\\u003c"),
            '>' => safe.push_str("\\u003e"),
            '&' => safe.push_str("\\u0026"),
            '\u{2028}' => safe.push_str("\\u2028"),
            '\u{2029}' => safe.push_str("\\u2029"),
            other => safe.push(other),
        }
    }
    safe
}

/// `Access review — <organization> — <generated_at>`, HTML-escaped, for the `<title>` (the
/// page sets the same title itself; this one is for tabs and bookmarks before it runs).
fn page_title(value: &Value) -> String {
    let organization = value
        .pointer("/organization/id")
        .and_then(Value::as_str)
        .unwrap_or("organization");
    let generated_at = value
        .get("generated_at")
        .and_then(Value::as_str)
        .unwrap_or("");
    let mut title = String::from("Access review — ");
    escape_html_into(&mut title, organization);
    if !generated_at.is_empty() {
        title.push_str(" — ");
        escape_html_into(&mut title, generated_at);
    }
    title
}

fn escape_html_into(out: &mut String, text: &str) {
    for character in text.chars() {
        match character {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
}

/// Checks every field the page reads, array element by array element so that an error
/// names the element (`inventory[41]`).
fn check_shape(value: &Value) -> Result<(), AuditHtmlError> {
    check::<Header>(value, "(top level)")?;
    check_array::<Account>(value, "accounts")?;
    check_array::<Person>(value, "people")?;
    check_array::<Group>(value, "groups")?;
    check_array::<PermissionSet>(value, "permission_sets")?;
    check_array::<InventoryRow>(value, "inventory")?;
    check_array::<Assignment>(value, "assignments")?;
    check_array::<IamUser>(value, "iam_users")?;
    check_array::<IamScanError>(value, "iam_scan_errors")?;
    check_array::<Finding>(value, "findings")?;
    if let Some(baseline) = value.get("baseline").filter(|baseline| !baseline.is_null()) {
        check::<BaselineHeader>(baseline, "baseline")?;
        for field in ["access_added", "access_removed"] {
            check_array_at::<InventoryRow>(baseline, field, &format!("baseline.{field}"))?;
        }
        for field in ["findings_new", "findings_resolved"] {
            check_array_at::<Finding>(baseline, field, &format!("baseline.{field}"))?;
        }
    }
    Ok(())
}

fn check<T: DeserializeOwned>(value: &Value, path: &str) -> Result<(), AuditHtmlError> {
    T::deserialize(value)
        .map(drop)
        .map_err(|source| AuditHtmlError::Shape {
            version: AUDIT_REPORT_FORMAT_VERSION,
            path: path.to_owned(),
            source,
        })
}

fn check_array<T: DeserializeOwned>(value: &Value, field: &str) -> Result<(), AuditHtmlError> {
    check_array_at::<T>(value, field, field)
}

fn check_array_at<T: DeserializeOwned>(
    value: &Value,
    field: &str,
    path: &str,
) -> Result<(), AuditHtmlError> {
    // `Header` has already required the top-level arrays; the baseline's are required here.
    let items = value.get(field).unwrap_or(&Value::Null);
    let Some(items) = items.as_array() else {
        return check::<Vec<Value>>(items, path);
    };
    for (index, item) in items.iter().enumerate() {
        if let Err(error) = check::<T>(item, "") {
            let AuditHtmlError::Shape { source, .. } = error else {
                return Err(error);
            };
            let mut element = path.to_owned();
            // Writing to a `String` cannot fail.
            let _ = write!(element, "[{index}]");
            return Err(AuditHtmlError::Shape {
                version: AUDIT_REPORT_FORMAT_VERSION,
                path: element,
                source,
            });
        }
    }
    Ok(())
}

// The shapes below mirror `docs/reference/audit-json.md` for the fields the page reads;
// they are only deserialized to be checked (hence the `dead_code` expectations). Strings
// that the format lets be `null`, or that a deleted principal may lack, are `Option`s.

#[derive(Deserialize)]
#[expect(dead_code, reason = "deserialized only to check the document's shape")]
struct Header {
    generated_at: String,
    target: String,
    repo: bool,
    organization: Option<Organization>,
    accounts: Vec<Value>,
    people: Vec<Value>,
    groups: Vec<Value>,
    permission_sets: Vec<Value>,
    inventory: Vec<Value>,
    assignments: Vec<Value>,
    iam_users: Vec<Value>,
    iam_scan_errors: Vec<Value>,
    findings: Vec<Value>,
    summary: Summary,
}

#[derive(Deserialize)]
#[expect(dead_code, reason = "deserialized only to check the document's shape")]
struct Organization {
    id: Option<String>,
    management_account_id: Option<String>,
}

#[derive(Deserialize)]
#[expect(dead_code, reason = "deserialized only to check the document's shape")]
struct Summary {
    people: u64,
    accounts: u64,
    inventory_rows: u64,
    assignments: u64,
    findings: SeverityCounts,
}

#[derive(Deserialize)]
#[expect(dead_code, reason = "deserialized only to check the document's shape")]
struct SeverityCounts {
    critical: u64,
    high: u64,
    medium: u64,
    low: u64,
    info: u64,
}

#[derive(Deserialize)]
#[expect(dead_code, reason = "deserialized only to check the document's shape")]
struct Account {
    id: String,
    name: Option<String>,
    ou: Option<String>,
    status: Option<String>,
    management: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
enum PersonStatus {
    Enabled,
    Disabled,
    Deleted,
}

#[derive(Deserialize)]
#[expect(dead_code, reason = "deserialized only to check the document's shape")]
struct Person {
    user_id: String,
    user_name: Option<String>,
    display_name: Option<String>,
    email: Option<String>,
    status: PersonStatus,
    groups: Vec<String>,
}

#[derive(Deserialize)]
#[expect(dead_code, reason = "deserialized only to check the document's shape")]
struct Group {
    #[serde(rename = "group_id")]
    id: String,
    name: Option<String>,
    members: u64,
}

#[derive(Deserialize)]
#[expect(dead_code, reason = "deserialized only to check the document's shape")]
struct PermissionSet {
    arn: String,
    name: String,
    session_duration: Option<String>,
    declared: Option<bool>,
}

#[derive(Deserialize)]
#[serde(rename_all = "kebab-case")]
enum AccessState {
    Declared,
    LiveOnly,
    DeclaredMissing,
}

#[derive(Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
#[expect(dead_code, reason = "deserialized only to check the document's shape")]
enum Via {
    Group {
        group_id: String,
        group_name: Option<String>,
    },
    Direct,
}

#[derive(Deserialize)]
#[expect(dead_code, reason = "deserialized only to check the document's shape")]
struct InventoryRow {
    user_id: String,
    user_name: Option<String>,
    account_id: String,
    account_name: Option<String>,
    permission_set: String,
    via: Via,
    state: Option<AccessState>,
}

#[derive(Deserialize)]
#[serde(rename_all = "UPPERCASE")]
enum PrincipalType {
    User,
    Group,
}

#[derive(Deserialize)]
#[expect(dead_code, reason = "deserialized only to check the document's shape")]
struct Assignment {
    principal_type: PrincipalType,
    principal_id: String,
    principal_name: Option<String>,
    account_id: String,
    account_name: Option<String>,
    permission_set: String,
    state: Option<AccessState>,
}

#[derive(Deserialize)]
#[expect(dead_code, reason = "deserialized only to check the document's shape")]
struct IamUser {
    account_id: String,
    account_name: Option<String>,
    user_name: String,
    created: Option<String>,
    password_last_used: Option<String>,
    mfa_devices: u64,
    access_keys: Vec<AccessKey>,
}

#[derive(Deserialize)]
#[expect(dead_code, reason = "deserialized only to check the document's shape")]
struct AccessKey {
    id: String,
    status: String,
    created: Option<String>,
    age_days: Option<u64>,
    last_used: Option<String>,
    last_used_service: Option<String>,
}

#[derive(Deserialize)]
#[expect(dead_code, reason = "deserialized only to check the document's shape")]
struct IamScanError {
    account_id: String,
    account_name: Option<String>,
    message: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "lowercase")]
enum Severity {
    Critical,
    High,
    Medium,
    Low,
    Info,
}

#[derive(Deserialize)]
#[expect(dead_code, reason = "deserialized only to check the document's shape")]
struct FindingPrincipal {
    #[serde(rename = "type")]
    principal_type: PrincipalType,
    id: Option<String>,
    name: Option<String>,
}

#[derive(Deserialize)]
#[expect(dead_code, reason = "deserialized only to check the document's shape")]
struct FindingAccount {
    id: String,
    name: Option<String>,
}

#[derive(Deserialize)]
#[expect(dead_code, reason = "deserialized only to check the document's shape")]
struct Finding {
    key: String,
    rule: String,
    severity: Severity,
    title: String,
    principal: Option<FindingPrincipal>,
    account: Option<FindingAccount>,
    permission_set: Option<String>,
    explanation: String,
    fix: String,
}

#[derive(Deserialize)]
#[expect(dead_code, reason = "deserialized only to check the document's shape")]
struct BaselineHeader {
    generated_at: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_safe_json_escapes_what_could_end_or_change_a_script_element() {
        let value = serde_json::json!({
            "name": "</script><img src=x onerror=alert(1)><!-- & \u{2028}\u{2029}"
        });
        let text = serde_json::to_string_pretty(&value).expect("serializes");
        let safe = script_safe_json(&text);
        for forbidden in ['<', '>', '&', '\u{2028}', '\u{2029}'] {
            assert!(!safe.contains(forbidden), "{forbidden:?} left in {safe}");
        }
        let back: Value = serde_json::from_str(&safe).expect("still JSON");
        assert_eq!(back, value);
    }

    #[test]
    fn the_page_assets_cannot_end_their_own_elements() {
        assert!(!STYLE.to_ascii_lowercase().contains("</style"));
        assert!(!SCRIPT.to_ascii_lowercase().contains("</script"));
        for placeholder in ["{{TITLE}}", "{{STYLE}}", "{{DATA}}", "{{SCRIPT}}"] {
            assert_eq!(TEMPLATE.matches(placeholder).count(), 1, "{placeholder}");
        }
    }
}
