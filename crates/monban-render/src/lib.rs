//! The views of a plan: human (a terminal), Markdown (a pull-request comment) and JSON
//! (the versioned machine format), all presenting the same typed [`monban_plan::Plan`].
//!
//! Renderers decide nothing and compute nothing about access: every fact they show —
//! who gains what, why a change is planned, whether the plan is complete or applyable,
//! the counts of the summary line — comes from the plan. They only choose how to lay it
//! out (grouping, symbols, colour, and the summarizing that keeps a PR comment under
//! GitHub's size limit). They return `String`s; printing is the binary's job.
//!
//! The symbols and layouts are described for users in `docs/reference/plan-output.md`;
//! the JSON format in `docs/reference/plan-json.md`.
//!
//! Also the HTML view of an audit ([`render_audit_html`]): one self-contained page built
//! from the audit report JSON alone (`docs/reference/audit-html.md`).

mod audit_html;
mod human;
mod json;
mod markdown;
mod text;

pub use audit_html::{AUDIT_REPORT_FORMAT_VERSION, AuditHtmlError, render_audit_html};
pub use human::{HumanOptions, render_human};
pub use json::{PlanJsonError, parse_json, render_json};
pub use markdown::{GITHUB_COMMENT_LIMIT, MARKDOWN_MARKER, MarkdownOptions, render_markdown};
pub use text::describe_endpoint;
