//! The audit report as a value — and, through serde, the versioned JSON format
//! (`docs/reference/audit-json.md`, format [`AUDIT_FORMAT_VERSION`]) that the HTML report
//! in `monban-render` reads and a later `--baseline` run compares against.
//!
//! Change it additively only: fields may be added, never renamed or dropped (the HTML
//! report and saved baselines depend on them); anything else bumps the version.

use std::fmt;

use jiff::Timestamp;
use monban_model::LivePrincipalType;
use serde::{Deserialize, Serialize};

/// The version of the JSON report format.
pub const AUDIT_FORMAT_VERSION: u32 = 1;

/// A whole access review of one target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    /// [`AUDIT_FORMAT_VERSION`].
    pub format_version: u32,
    /// When the audit ran (the clock the caller passed), to the second.
    pub generated_at: Timestamp,
    /// The monban version that produced it.
    pub monban_version: String,
    /// The target, in the words `plan` prints on its first line.
    pub target: String,
    /// Whether an access repo was compared (the declared side of every row).
    pub repo: bool,
    /// Whether member accounts were scanned for IAM users (`false` with `--no-iam`).
    #[serde(default)]
    pub iam_scanned: bool,
    pub organization: OrganizationInfo,
    /// Sorted by name, then id.
    pub accounts: Vec<AccountInfo>,
    /// Every Identity Store user, plus deleted users still named by an assignment; sorted
    /// by user name.
    pub people: Vec<Person>,
    /// Sorted by name.
    pub groups: Vec<GroupInfo>,
    /// Sorted by name.
    pub permission_sets: Vec<PermissionSetInfo>,
    /// One row per (person, account, permission set, via); sorted by user name, account
    /// name, permission set, via (direct first, then groups by name).
    pub inventory: Vec<InventoryRow>,
    /// The principal-level rows (groups not expanded), as `aws-sso-util admin
    /// assignments` lists them; sorted by account name, permission set, principal type,
    /// principal name, principal id.
    pub assignments: Vec<AssignmentRow>,
    /// Sorted by account name, user name.
    pub iam_users: Vec<IamUser>,
    /// Accounts whose IAM could not be scanned (or one of whose customer managed policies
    /// could not be read: one entry each), sorted by account name, id and message.
    pub iam_scan_errors: Vec<IamScanError>,
    /// Sorted by severity (critical first), rule, key.
    pub findings: Vec<Finding>,
    pub summary: Summary,
    /// What changed since a previous report (`--baseline FILE`).
    pub baseline: Option<BaselineDiff>,
}

/// The organization's ids.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrganizationInfo {
    pub id: String,
    pub management_account_id: String,
}

/// An account of the organization.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountInfo {
    pub id: String,
    /// Its name in AWS.
    pub name: String,
    /// The OU path as the repo writes it (`Products/Payments`); `null` directly under the
    /// root.
    pub ou: Option<String>,
    /// `ACTIVE`, `SUSPENDED`, `PENDING_CLOSURE`.
    pub status: String,
    /// Whether this is the organization's management account.
    pub management: bool,
}

/// Whether a person can sign in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PersonStatus {
    Enabled,
    /// `UserStatus` `DISABLED`: cannot sign in, still holds what is assigned.
    Disabled,
    /// No longer in the Identity Store, still named by an assignment.
    Deleted,
}

/// A person: an Identity Store user (or a deleted one still assigned).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub user_id: String,
    /// The Identity Store user name; `deleted:<user id>` for a deleted user.
    pub user_name: String,
    pub display_name: Option<String>,
    pub email: Option<String>,
    pub status: PersonStatus,
    /// Display names of the groups the person is a member of, sorted.
    pub groups: Vec<String>,
}

/// An Identity Store group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupInfo {
    pub group_id: String,
    pub name: String,
    /// How many members it has.
    pub members: usize,
}

/// A permission set of the instance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PermissionSetInfo {
    pub arn: String,
    pub name: String,
    /// ISO-8601 (`PT8H`) as AWS returns it.
    pub session_duration: Option<String>,
    /// Whether the repo declares it; `null` when no repo was compared.
    pub declared: Option<bool>,
    /// How many assignments it has.
    #[serde(default)]
    pub assignments: usize,
}

/// How a person reaches an (account, permission set).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Via {
    /// An assignment to the person themself.
    Direct,
    /// An assignment to a group the person is a member of.
    Group {
        group_id: String,
        group_name: String,
    },
}

impl fmt::Display for Via {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Direct => formatter.write_str("direct"),
            Self::Group { group_name, .. } => write!(formatter, "group:{group_name}"),
        }
    }
}

/// Where a row stands against the access repo.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RowState {
    /// Live, and the repo declares it.
    Declared,
    /// Live, and the repo does not declare it (made outside the repo: drift).
    LiveOnly,
    /// The repo declares it and it is not live (not applied yet, or removed by hand).
    DeclaredMissing,
}

impl RowState {
    /// `declared`, `live-only`, `declared-missing`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Declared => "declared",
            Self::LiveOnly => "live-only",
            Self::DeclaredMissing => "declared-missing",
        }
    }
}

/// One person × account × permission set × path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InventoryRow {
    pub user_id: String,
    pub user_name: String,
    pub account_id: String,
    pub account_name: String,
    pub permission_set: String,
    pub via: Via,
    /// `null` when no repo was compared.
    pub state: Option<RowState>,
    /// Where the repo declares the assignment behind this row (`accounts/x.yaml`,
    /// `rules/y.yaml#2`); empty when it does not, or no repo was compared.
    #[serde(default)]
    pub declared_in: Vec<String>,
}

/// One account assignment as AWS holds it (a group is one row, not its members).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssignmentRow {
    pub principal_type: LivePrincipalType,
    pub principal_id: String,
    /// The group's display name or the user's user name; `null` for a deleted principal.
    pub principal_name: Option<String>,
    pub account_id: String,
    pub account_name: String,
    pub permission_set: String,
    /// `null` only for a declared-missing row whose permission set does not exist yet.
    pub permission_set_arn: Option<String>,
    /// `null` when no repo was compared.
    pub state: Option<RowState>,
    /// Where the repo declares it; empty when it does not.
    #[serde(default)]
    pub declared_in: Vec<String>,
}

/// An IAM user of a member account (the anti-pattern: long-lived credentials).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IamUser {
    pub account_id: String,
    pub account_name: String,
    pub user_name: String,
    pub created: Timestamp,
    pub password_last_used: Option<Timestamp>,
    /// How many MFA devices it has.
    pub mfa_devices: usize,
    pub access_keys: Vec<AccessKey>,
}

/// An access key of an IAM user; the id is masked (`AKIA…WXYZ`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessKey {
    /// The first 4 and last 4 characters: the key id is never shown whole.
    pub id: String,
    /// `Active`, `Inactive`, `Expired`.
    pub status: String,
    pub created: Timestamp,
    /// Whole days since `created`.
    pub age_days: i64,
    pub last_used: Option<Timestamp>,
    pub last_used_service: Option<String>,
}

/// An account whose IAM could not be scanned.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IamScanError {
    pub account_id: String,
    pub account_name: String,
    pub message: String,
}

/// How much a finding matters. Ordered: `Info` < `Low` < … < `Critical`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    /// Every severity, most severe first.
    pub const ALL: [Self; 5] = [
        Self::Critical,
        Self::High,
        Self::Medium,
        Self::Low,
        Self::Info,
    ];

    /// `info`, `low`, `medium`, `high`, `critical`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Info => "info",
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
            Self::Critical => "critical",
        }
    }

    /// Parses `info` … `critical`.
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|severity| severity.as_str().eq_ignore_ascii_case(text))
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}

/// The principal a finding concerns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingPrincipal {
    #[serde(rename = "type")]
    pub principal_type: LivePrincipalType,
    pub id: String,
    /// `null` when the principal no longer exists.
    pub name: Option<String>,
}

/// The account a finding concerns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingAccount {
    pub id: String,
    pub name: Option<String>,
}

/// One problem, with a stable rule id (`docs/reference/audit-rules.md`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// Stable across runs for the same problem: baselines compare findings by it.
    pub key: String,
    /// The rule id (`disabled-user-access`, …).
    pub rule: String,
    pub severity: Severity,
    /// One line.
    pub title: String,
    pub principal: Option<FindingPrincipal>,
    pub account: Option<FindingAccount>,
    pub permission_set: Option<String>,
    /// What was found and why it matters.
    pub explanation: String,
    /// What to do about it.
    pub fix: String,
}

/// Counts for the summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// Identity Store users (deleted ones not counted).
    pub people: usize,
    pub accounts: usize,
    pub inventory_rows: usize,
    pub assignments: usize,
    pub findings: SeverityCounts,
}

/// Findings per severity (every key always present).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeverityCounts {
    pub critical: usize,
    pub high: usize,
    pub medium: usize,
    pub low: usize,
    pub info: usize,
}

impl SeverityCounts {
    /// The count of one severity.
    #[must_use]
    pub fn of(&self, severity: Severity) -> usize {
        match severity {
            Severity::Critical => self.critical,
            Severity::High => self.high,
            Severity::Medium => self.medium,
            Severity::Low => self.low,
            Severity::Info => self.info,
        }
    }

    pub(crate) fn count(findings: &[Finding]) -> Self {
        let mut counts = Self::default();
        for finding in findings {
            *match finding.severity {
                Severity::Critical => &mut counts.critical,
                Severity::High => &mut counts.high,
                Severity::Medium => &mut counts.medium,
                Severity::Low => &mut counts.low,
                Severity::Info => &mut counts.info,
            } += 1;
        }
        counts
    }

    /// All findings.
    #[must_use]
    pub fn total(&self) -> usize {
        self.critical + self.high + self.medium + self.low + self.info
    }
}

/// What changed since a previous report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BaselineDiff {
    /// When the previous report was generated.
    pub generated_at: Timestamp,
    /// Live access (rows that are not `declared-missing`) now and not then.
    pub access_added: Vec<InventoryRow>,
    /// Live access then and not now.
    pub access_removed: Vec<InventoryRow>,
    /// Findings whose key is new.
    pub findings_new: Vec<Finding>,
    /// Findings of the previous report whose key is gone.
    pub findings_resolved: Vec<Finding>,
}

impl Report {
    /// The report as the JSON format, pretty-printed, with a final newline.
    #[must_use]
    pub fn to_json(&self) -> String {
        // Serializing these plain structs (string keys, no maps with non-string keys)
        // cannot fail.
        let mut text = serde_json::to_string_pretty(self).expect("the report serializes");
        text.push('\n');
        text
    }

    /// Reads a report written by [`Report::to_json`] (a baseline).
    pub fn from_json(text: &str) -> Result<Self, crate::AuditError> {
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(crate::AuditError::NotJson)?;
        let version = value
            .get("format_version")
            .and_then(serde_json::Value::as_u64);
        if version != Some(u64::from(AUDIT_FORMAT_VERSION)) {
            return Err(crate::AuditError::Version {
                found: version.map_or_else(|| "none".to_owned(), |version| version.to_string()),
            });
        }
        serde_json::from_value(value).map_err(crate::AuditError::Shape)
    }

    /// Whether any finding is at least as severe as `threshold` (`--fail-on`).
    #[must_use]
    pub fn fails_at(&self, threshold: Severity) -> bool {
        self.findings
            .iter()
            .any(|finding| finding.severity >= threshold)
    }

    /// Every row that gives `user` (user name or id) access to `account` (name or id):
    /// the answer to "why can this person get in there?".
    #[must_use]
    pub fn paths<'report>(&'report self, user: &str, account: &str) -> Vec<&'report InventoryRow> {
        self.inventory
            .iter()
            .filter(|row| {
                (row.user_name == user || row.user_id == user)
                    && (row.account_name == account || row.account_id == account)
            })
            .collect()
    }
}
