//! The account baseline: IAM customer managed policies that exist in every member account.
//!
//! In a real organization the customer managed policies that permission sets reference
//! (and permissions boundaries) are deployed into every account by something outside
//! Identity Center — CloudFormation StackSets with automatic deployment, Control Tower
//! customizations. The sandbox stands in for that with one list of policies: each exists in
//! every member account, created for the accounts there are when the baseline is set (or the
//! server starts) and for every account that joins later. Documented in
//! docs/reference/sandbox.md, "Account baseline".

use serde::{Deserialize, Serialize};

/// The document of a baseline policy given without one: allows nothing. A policy must have
/// a statement, so it allows an action no service has (`none:null`), the usual placeholder;
/// it grants nothing and, unlike a `Deny`, takes nothing away from other policies.
pub const ALLOW_NOTHING_DOCUMENT: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"none:null","Resource":"*"}]}"#;

/// One IAM customer managed policy of the account baseline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BaselinePolicy {
    /// `PolicyName`.
    pub name: String,
    /// `Path` (`/` by default).
    #[serde(default = "root_path")]
    pub path: String,
    /// The policy document; [`ALLOW_NOTHING_DOCUMENT`] when `None`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<String>,
}

fn root_path() -> String {
    "/".into()
}

impl BaselinePolicy {
    /// A policy at `path` with the default (allow-nothing) document.
    #[must_use]
    pub fn new(name: impl Into<String>, path: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            path: path.into(),
            document: None,
        }
    }

    /// The document the policy is created with.
    #[must_use]
    pub fn document_or_default(&self) -> &str {
        self.document.as_deref().unwrap_or(ALLOW_NOTHING_DOCUMENT)
    }
}
