//! Access review, pure: the live organization (and, when given, the access repo) → an
//! inventory of who may reach which account with which permission set and why, and
//! findings with stable rule ids and severities (`docs/reference/audit-rules.md`). No I/O:
//! `monban-aws` reads, this crate decides, `monban-render` lays the result out.
//!
//! - [`audit`]`(&`[`AuditInput`]`) -> `[`Report`]: the whole review; the report's serde
//!   form is the versioned JSON format (`docs/reference/audit-json.md`).
//! - [`compare`]: the baseline diff against a previous report ([`Report::from_json`]).
//! - [`Report::fails_at`]: the `--fail-on` decision; [`Report::paths`]: `show why`.
//! - [`inventory_csv`], [`findings_csv`]: the spreadsheet views.

mod audit;
mod baseline;
mod csv;
mod policy;
mod report;
#[cfg(test)]
mod tests;

pub use audit::{AuditInput, Declared, KEY_AGE_LIMIT_DAYS, SESSION_LIMIT_SECONDS, audit};
// The scan's records live in monban-model, shared with the scanner (monban-aws).
pub use baseline::compare;
pub use csv::{findings_csv, inventory_csv};
pub use monban_model::{
    AccessKeyRecord, CustomerManagedPolicyRecord, IamAccountError, IamScan, IamUserRecord,
    PolicyContent,
};
pub use report::{
    AUDIT_FORMAT_VERSION, AccessKey, AccountInfo, AssignmentRow, BaselineDiff, Finding,
    FindingAccount, FindingPrincipal, GroupInfo, IamScanError, IamUser, InventoryRow,
    OrganizationInfo, PermissionSetInfo, Person, PersonStatus, Report, RowState, Severity,
    SeverityCounts, Summary, Via,
};

/// Why a previous report cannot be used as a baseline.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    /// The file is not JSON.
    #[error("the baseline is not JSON")]
    NotJson(#[source] serde_json::Error),
    /// Another (or no) `format_version`.
    #[error(
        "the baseline is audit format version {found}; this monban reads version {AUDIT_FORMAT_VERSION}"
    )]
    Version { found: String },
    /// JSON of another shape.
    #[error("the baseline is not a monban audit report")]
    Shape(#[source] serde_json::Error),
}
