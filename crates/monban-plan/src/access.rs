//! The per-person access diff: for each person (Identity Store user), which (account,
//! permission set) they gain or lose if the plan is applied, and through which path —
//! directly or via a group, declared where, removed why. What a reviewer reads first.
//!
//! Part of the documented JSON plan format (`docs/reference/plan-json.md`).

use serde::{Deserialize, Serialize};

use crate::change::{AccountRef, Cause, Origin, Principal};

/// One person's net access changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonAccess {
    /// The Identity Store user name.
    pub user_name: String,
    pub display_name: Option<String>,
    /// `false` for a disabled user (who cannot sign in whatever they hold).
    pub enabled: bool,
    /// Access held after the plan and not before, sorted by account then permission set.
    pub gains: Vec<AccessChange>,
    /// Access held before the plan and not after, sorted the same way.
    pub losses: Vec<AccessChange>,
}

/// One (account, permission set) gained or lost, with every path that grants it (after
/// the plan, for a gain) or granted it (before, for a loss).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessChange {
    pub account: AccountRef,
    pub permission_set: String,
    /// Sorted: direct grants first, then groups by name.
    pub via: Vec<AccessPath>,
}

/// One path to access: an assignment to the person directly or to a group they belong to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessPath {
    /// The user themself (a direct grant) or the group.
    pub principal: Principal,
    /// For a gain: where the repo declares the assignment (account file or rule).
    pub origins: Vec<Origin>,
    /// For a loss: why the assignment goes (expired, orphaned, undeclared under
    /// `exclusive`, replaced, account closed).
    pub removal: Option<Cause>,
}
