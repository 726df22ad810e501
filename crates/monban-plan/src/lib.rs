//! The diff engine of monban: compares the access repo (`monban_model::Repo`) with the live
//! state of a target (`monban_model::LiveState`) and returns a typed [`Plan`] — the
//! resource changes in apply order, the per-person access diff, what the live state holds
//! outside the repo, warnings, and the `complete` / `applyable` flags.
//!
//! Pure: no I/O, no clock (the caller passes `today`), no printing. The renderers
//! (`monban-render`) present a [`Plan`] without computing anything; the apply engine
//! executes its [`Change`]s and never reads their display-only `reason`.
//!
//! The identity rules of design §2 hold here: every address is name-keyed (OU path,
//! account file name, permission set name, principal kind + name), so adding or renaming
//! one thing never recreates another; accounts bind by `id:` or by root e-mail; live
//! things the repo does not declare are reported, and removed only where
//! `safety.exclusive` allows it. The JSON form of a [`Plan`] is a documented, versioned
//! format: `docs/reference/plan-json.md`; the planning decisions are in
//! `docs/reference/plan.md`.
//!
//! A saved plan is checked before it is applied ([`check_saved`]): same tool version and
//! target, and the live side of every change still what the plan recorded ([`touched`] says
//! what to re-read, [`stale_changes`] what differs).

mod access;
mod before;
mod change;
mod digest;
mod engine;
mod highlights;
mod operator;
mod plan;
mod policy;
mod saved;

pub use access::{AccessChange, AccessPath, PersonAccess};
pub use change::{
    AccountRef, AccountState, Action, Address, AssignmentState, Blocker, BoundaryState, Cause,
    Change, CustomerManagedPolicyState, FieldChange, Origin, OuState, PermissionSetState,
    Principal, PrincipalKind, Resource,
};
pub use digest::{canonical_json, repo_digest, state_digest};
pub use engine::{LiveIndex, PlanContext, plan};
pub use highlights::{
    ExpiredOnly, ExpiringGrant, Risk, RiskKind, is_administrator, only_expired, parse_days,
};
pub use operator::{SsoOperator, operator_losses};
pub use plan::{
    KeptBecause, PLAN_FORMAT_VERSION, Plan, PlanTarget, Severity, Summary, TargetEndpoint,
    Unmanaged, UnmanagedAccount, UnmanagedAssignment, UnmanagedBecause, UnmanagedPermissionSet,
    Warning, WarningCode,
};
pub use saved::{
    SavedPlanError, Staleness, Touched, check_saved, check_saved_resuming, stale_changes,
    stale_changes_resuming, target_differences, touched, touched_resuming,
};
