//! Reviews over time: what changed between a previous report (`--baseline FILE`) and this
//! one — live access added and removed, findings new and resolved — for periodic
//! attestations ("since the last review, these people gained these permissions").
//!
//! Access rows are compared by (user id, account id, permission set, via), ignoring their
//! repo state (a row that became declared is not new access); `declared-missing` rows are
//! not access and are left out. Findings are compared by their stable `key`.

use std::collections::BTreeSet;

use crate::report::{BaselineDiff, Finding, InventoryRow, Report, RowState, Via};

type AccessKey<'row> = (&'row str, &'row str, &'row str, &'row Via);

fn live_access(report: &Report) -> impl Iterator<Item = &InventoryRow> {
    report
        .inventory
        .iter()
        .filter(|row| row.state != Some(RowState::DeclaredMissing))
}

fn access_key(row: &InventoryRow) -> AccessKey<'_> {
    (&row.user_id, &row.account_id, &row.permission_set, &row.via)
}

fn only_in(report: &Report, other: &Report) -> Vec<InventoryRow> {
    let other_keys: BTreeSet<AccessKey> = live_access(other).map(access_key).collect();
    live_access(report)
        .filter(|row| !other_keys.contains(&access_key(row)))
        .cloned()
        .collect()
}

fn findings_only_in(report: &Report, other: &Report) -> Vec<Finding> {
    let other_keys: BTreeSet<&str> = other
        .findings
        .iter()
        .map(|finding| finding.key.as_str())
        .collect();
    report
        .findings
        .iter()
        .filter(|finding| !other_keys.contains(finding.key.as_str()))
        .cloned()
        .collect()
}

/// The difference from `previous` to `current` (both keep their own sort orders).
#[must_use]
pub fn compare(current: &Report, previous: &Report) -> BaselineDiff {
    BaselineDiff {
        generated_at: previous.generated_at,
        access_added: only_in(current, previous),
        access_removed: only_in(previous, current),
        findings_new: findings_only_in(current, previous),
        findings_resolved: findings_only_in(previous, current),
    }
}
