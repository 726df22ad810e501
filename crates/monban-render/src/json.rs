//! The JSON view: the plan serialized as the documented, versioned format
//! (`docs/reference/plan-json.md`), and the reverse, which checks `format_version` before
//! trusting the rest of the document.
//!
//! The output is stable: struct fields serialize in declaration order, maps are
//! `BTreeMap`s, lists are already sorted by the plan, so the same plan always gives the
//! same bytes (a CI job can diff two saved plans).

use monban_plan::{PLAN_FORMAT_VERSION, Plan};

/// Why a JSON document could not be read as a plan.
#[derive(Debug, thiserror::Error)]
pub enum PlanJsonError {
    /// Not JSON at all.
    #[error("the plan is not valid JSON")]
    Syntax(#[source] serde_json::Error),
    /// JSON, but without a numeric top-level `format_version`.
    #[error("the document has no numeric `format_version`, so it is not a monban plan")]
    MissingFormatVersion,
    /// A plan in another version of the format (written by another monban version).
    #[error(
        "the plan is in format version {found}, and this monban reads version {supported}; \
         make the plan again with this monban version"
    )]
    UnsupportedFormatVersion { found: u64, supported: u32 },
    /// The right version, but the document does not match the format.
    #[error("the plan does not match format version {version}")]
    Shape {
        version: u32,
        #[source]
        source: serde_json::Error,
    },
}

/// The plan as pretty-printed JSON, ending with a newline.
#[must_use]
pub fn render_json(plan: &Plan) -> String {
    // Serializing a `Plan` cannot fail: every map in it has string keys and every value
    // is plain data (no custom `Serialize` that can refuse).
    let mut text = serde_json::to_string_pretty(plan)
        .expect("a plan always serializes: string-keyed maps and plain data only");
    text.push('\n');
    text
}

/// Reads a plan written by [`render_json`] (or any producer of the same format),
/// refusing another `format_version` with [`PlanJsonError::UnsupportedFormatVersion`].
pub fn parse_json(text: &str) -> Result<Plan, PlanJsonError> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(PlanJsonError::Syntax)?;
    // The version is checked on the untyped value first: a plan of another version may
    // not deserialize at all, and "wrong version" is the error its reader needs to see.
    let found = value
        .get("format_version")
        .and_then(serde_json::Value::as_u64)
        .ok_or(PlanJsonError::MissingFormatVersion)?;
    if found != u64::from(PLAN_FORMAT_VERSION) {
        return Err(PlanJsonError::UnsupportedFormatVersion {
            found,
            supported: PLAN_FORMAT_VERSION,
        });
    }
    serde_json::from_value(value).map_err(|source| PlanJsonError::Shape {
        version: PLAN_FORMAT_VERSION,
        source,
    })
}
