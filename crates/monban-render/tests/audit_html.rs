//! The HTML audit report from the hand-written fixture (`tests/fixtures/audit-report.json`,
//! format 1 of `docs/reference/audit-json.md`): a self-contained page that embeds the
//! report unchanged, hostile names that cannot break out of the data element, and the
//! refusal of documents in another format version or shape. What the page does in a
//! browser is tested in headless Chromium by `scripts/peers/chromium_report.sh`.

use monban_render::{AUDIT_REPORT_FORMAT_VERSION, AuditHtmlError, render_audit_html};
use serde_json::{Value, json};

const FIXTURE: &str = include_str!("fixtures/audit-report.json");

fn fixture() -> Value {
    serde_json::from_str(FIXTURE).expect("the fixture is JSON")
}

/// The JSON text inside `<script type="application/json" id="audit-data">`.
fn embedded_text(page: &str) -> &str {
    let opening = "<script type=\"application/json\" id=\"audit-data\">";
    let start = page.find(opening).expect("the data element") + opening.len();
    let length = page[start..]
        .find("</script>")
        .expect("the data element ends");
    &page[start..start + length]
}

fn embedded(page: &str) -> Value {
    serde_json::from_str(embedded_text(page)).expect("the embedded data is JSON")
}

#[test]
fn the_fixture_renders_as_one_self_contained_page() {
    let page = render_audit_html(FIXTURE).expect("the fixture renders");
    assert!(page.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
    assert!(page.trim_end().ends_with("</html>"));
    assert!(page.contains("<title>Access review — o-tessera0001 — 2026-11-29T12:00:00Z</title>"));
    // No external asset and no network: no URL, no element that loads one, and a content
    // security policy that would block any that slipped in.
    assert!(
        !page.contains("http://") && !page.contains("https://"),
        "a URL in the page"
    );
    for loader in ["<link", "<img", "<iframe", " src=", "@import", "url("] {
        assert!(!page.contains(loader), "{loader} in the page");
    }
    assert!(page.contains("content=\"default-src 'none';"));
    // Exactly the two script elements: the data and the page's own code.
    assert_eq!(page.matches("<script").count(), 2);
    assert_eq!(page.matches("</script>").count(), 2);
    assert_eq!(page.matches("<style>").count(), 1);
}

#[test]
fn the_report_is_embedded_unchanged() {
    let page = render_audit_html(FIXTURE).expect("the fixture renders");
    assert_eq!(embedded(&page), fixture());
}

#[test]
fn the_report_text_is_kept_as_the_producer_wrote_it() {
    // Key order and layout are the producer's: only the characters that could end or change
    // the script element are escaped.
    let report = r#"{"format_version": 1, "zeta": "<b>&</b>", "alpha": 1}"#;
    let mut full = fixture();
    let object = full.as_object_mut().expect("an object");
    object.remove("format_version");
    let rest = serde_json::to_string(&full).expect("serializes");
    let text = format!("{}, {}", report.trim_end_matches('}'), &rest[1..]);
    let page = render_audit_html(&text).expect("renders");
    assert!(
        embedded_text(&page).starts_with(
            r#"{"format_version": 1, "zeta": "\u003cb\u003e\u0026\u003c/b\u003e", "alpha": 1, "#
        ),
        "{}",
        &embedded_text(&page)[..120]
    );
}

#[test]
fn hostile_names_cannot_break_out_of_the_data_element() {
    let hostile = "</script><img src=x onerror=alert(1)><!-- & \u{2028}\u{2029} </SCRIPT >";
    let mut report = fixture();
    report["people"][1]["display_name"] = json!(hostile);
    report["accounts"][0]["name"] = json!(hostile);
    report["findings"][0]["explanation"] = json!(hostile);
    report["organization"]["id"] = json!("<b>o-evil</b>");
    let text = serde_json::to_string_pretty(&report).expect("serializes");

    let page = render_audit_html(&text).expect("renders");
    let data = embedded_text(&page);
    for forbidden in ["<", ">", "&", "\u{2028}", "\u{2029}"] {
        assert!(
            !data.contains(forbidden),
            "{forbidden:?} unescaped in the data"
        );
    }
    assert_eq!(page.matches("</script>").count(), 2);
    assert_eq!(page.to_ascii_lowercase().matches("</script").count(), 2);
    assert!(!page.contains("<img"));
    assert!(page.contains("<title>Access review — &lt;b&gt;o-evil&lt;/b&gt; — "));
    // And the page still receives exactly the report.
    assert_eq!(embedded(&page), report);
}

#[test]
fn text_inside_the_report_is_not_taken_for_a_placeholder() {
    let mut report = fixture();
    report["target"] = json!("{{SCRIPT}} {{DATA}} {{TITLE}}");
    let page = render_audit_html(&report.to_string()).expect("renders");
    assert_eq!(embedded(&page)["target"], "{{SCRIPT}} {{DATA}} {{TITLE}}");
    assert_eq!(page.matches("<script").count(), 2);
}

#[test]
fn another_format_version_is_refused() {
    let mut report = fixture();
    report["format_version"] = json!(2);
    let error = render_audit_html(&report.to_string()).expect_err("version 2 is refused");
    assert!(matches!(
        error,
        AuditHtmlError::UnsupportedFormatVersion {
            found: 2,
            supported: AUDIT_REPORT_FORMAT_VERSION
        }
    ));
    insta::assert_snapshot!(error.to_string(), @"the audit report is in format version 2, and this monban renders version 1; run the audit again with this monban version");
}

#[test]
fn a_document_without_a_format_version_is_refused() {
    let mut report = fixture();
    report
        .as_object_mut()
        .expect("an object")
        .remove("format_version");
    let error = render_audit_html(&report.to_string()).expect_err("refused");
    assert!(matches!(error, AuditHtmlError::MissingFormatVersion));

    let error = render_audit_html(r#"{"format_version": "1"}"#).expect_err("a string version");
    assert!(matches!(error, AuditHtmlError::MissingFormatVersion));

    let error = render_audit_html("<html>").expect_err("not JSON");
    assert!(matches!(error, AuditHtmlError::Syntax(_)));
}

#[test]
fn a_wrong_shape_names_the_element() {
    let mut report = fixture();
    report["findings"][3]["severity"] = json!("severe");
    let error = render_audit_html(&report.to_string()).expect_err("refused");
    let AuditHtmlError::Shape { path, source, .. } = &error else {
        panic!("expected a shape error, got {error:?}");
    };
    assert_eq!(path, "findings[3]");
    assert!(
        source.to_string().contains("unknown variant `severe`"),
        "{source}"
    );
    insta::assert_snapshot!(error.to_string(), @"the audit report does not match format version 1 at `findings[3]`");

    let mut report = fixture();
    report["inventory"][0]["via"] = json!({ "kind": "rule" });
    let error = render_audit_html(&report.to_string()).expect_err("refused");
    assert!(matches!(&error, AuditHtmlError::Shape { path, .. } if path == "inventory[0]"));

    let mut report = fixture();
    report.as_object_mut().expect("an object").remove("people");
    let error = render_audit_html(&report.to_string()).expect_err("refused");
    assert!(matches!(&error, AuditHtmlError::Shape { path, .. } if path == "(top level)"));

    let mut report = fixture();
    report["baseline"] = json!({ "generated_at": "2026-10-01T00:00:00Z", "access_added": [], "access_removed": [], "findings_new": [{}] });
    let error = render_audit_html(&report.to_string()).expect_err("refused");
    assert!(
        matches!(&error, AuditHtmlError::Shape { path, .. } if path == "baseline.findings_new[0]"),
        "{error:?}"
    );
}

#[test]
fn fields_the_producer_adds_are_kept_and_do_not_fail() {
    let mut report = fixture();
    report["accounts"][0]["tags"] = json!({ "env": "prod" });
    report["statistics"] = json!({ "api_calls": 42 });
    let page = render_audit_html(&report.to_string()).expect("renders");
    assert_eq!(embedded(&page)["statistics"]["api_calls"], 42);
}

#[test]
fn a_baseline_renders() {
    let mut report = fixture();
    let row = report["inventory"][0].clone();
    let finding = report["findings"][0].clone();
    report["baseline"] = json!({
        "generated_at": "2026-10-01T00:00:00Z",
        "access_added": [row], "access_removed": [],
        "findings_new": [finding], "findings_resolved": [],
    });
    let page = render_audit_html(&report.to_string()).expect("renders");
    assert_eq!(
        embedded(&page)["baseline"]["generated_at"],
        "2026-10-01T00:00:00Z"
    );
}

/// The fixture itself follows the contract's own rules, so the tests above (and the
/// browser test) run against a realistic report: counts agree with the lists, every
/// inventory row names a listed person and account, and it holds what the page must show.
#[test]
fn the_fixture_is_consistent() {
    let report = fixture();
    let summary = &report["summary"];
    let length = |field: &str| report[field].as_array().expect(field).len() as u64;
    // `summary.people` counts Identity Store users; deleted ones are rows but not counted.
    let deleted = report["people"]
        .as_array()
        .expect("people")
        .iter()
        .filter(|person| person["status"] == "deleted")
        .count() as u64;
    assert_eq!(summary["people"], length("people") - deleted);
    assert_eq!(summary["accounts"], length("accounts"));
    assert_eq!(summary["inventory_rows"], length("inventory"));
    assert_eq!(summary["assignments"], length("assignments"));
    let findings = report["findings"].as_array().expect("findings");
    for severity in ["critical", "high", "medium", "low", "info"] {
        let count = findings
            .iter()
            .filter(|finding| finding["severity"] == severity)
            .count() as u64;
        assert_eq!(summary["findings"][severity], count, "{severity}");
    }
    let people: Vec<&Value> = report["people"]
        .as_array()
        .expect("people")
        .iter()
        .collect();
    let accounts: Vec<&Value> = report["accounts"]
        .as_array()
        .expect("accounts")
        .iter()
        .collect();
    for row in report["inventory"].as_array().expect("inventory") {
        assert!(
            people
                .iter()
                .any(|person| person["user_id"] == row["user_id"])
        );
        assert!(
            accounts
                .iter()
                .any(|account| account["id"] == row["account_id"])
        );
    }
    for status in ["enabled", "disabled", "deleted"] {
        assert!(
            people.iter().any(|person| person["status"] == status),
            "{status}"
        );
    }
    let ous: std::collections::BTreeSet<&str> = accounts
        .iter()
        .map(|account| account["ou"].as_str().expect("ou"))
        .collect();
    assert_eq!(ous.len(), 3);
    assert!(length("iam_users") > 0 && length("groups") > 0);
}
