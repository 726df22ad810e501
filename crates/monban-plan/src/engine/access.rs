//! Effective access before and after the plan, per person, and the difference.
//!
//! Before: every live assignment, groups expanded through the Identity Store's live
//! memberships. After: the live assignments the plan keeps plus those it creates (with a
//! principal the Identity Store has), expanded the same way. Membership itself belongs to
//! the IdP and is the same on both sides. A person gains (account, permission set) when
//! some path grants it after and none before, and loses it in the opposite case; paths
//! that change while access stays (a direct grant replaced by a group) are not a change
//! of access and are not listed. Only the (account, permission set) pairs the plan creates
//! or removes an assignment of are expanded, so the cost follows the size of the change,
//! not of the organization.
//!
//! Access is counted by assignment, not by where a permission set happens to be
//! provisioned: counting provisioned roles over-reports (cartography#2120).

use std::collections::BTreeMap;

use monban_model::LivePrincipalType;

use super::assignments::live_key;
use super::{NameKey, Planner};
use crate::access::{AccessChange, AccessPath, PersonAccess};
use crate::change::{AccountRef, Cause, Origin, PrincipalKind};

/// One assignment as a path to access, borrowed from the planner's state.
#[derive(Debug, Clone, Copy)]
struct Path<'plan> {
    principal_type: LivePrincipalType,
    principal_id: &'plan str,
    /// Where the repo declares it (after side).
    origins: &'plan [Origin],
    /// Why it goes (before side, when the plan removes it).
    removal: Option<&'plan Cause>,
}

/// The assignments of one (account, permission set) before and after the plan.
#[derive(Debug, Default)]
struct Pair<'plan> {
    before: Vec<Path<'plan>>,
    after: Vec<Path<'plan>>,
    /// Whether the plan removes or creates any assignment of the pair; only then can
    /// anyone's access to it change.
    changed: bool,
}

/// A person's gains and losses, unsorted.
#[derive(Debug, Default)]
struct Delta {
    gains: Vec<AccessChange>,
    losses: Vec<AccessChange>,
}

fn sort_paths(paths: &mut [AccessPath]) {
    paths.sort_by(|left, right| {
        let rank = |path: &AccessPath| path.principal.kind != PrincipalKind::User;
        rank(left)
            .cmp(&rank(right))
            .then_with(|| left.principal.name.cmp(&right.principal.name))
            .then_with(|| left.principal.id.cmp(&right.principal.id))
    });
}

fn sort_changes(changes: &mut [AccessChange]) {
    changes.sort_by(|left, right| {
        (&left.account, &left.permission_set).cmp(&(&right.account, &right.permission_set))
    });
}

impl Planner<'_> {
    /// The people a side of a pair grants access to, each with the indexes of the paths
    /// that do.
    fn people_of<'plan>(&'plan self, paths: &[Path<'plan>]) -> BTreeMap<&'plan str, Vec<usize>> {
        let mut people: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for (position, path) in paths.iter().enumerate() {
            for person in self.index.people(path.principal_type, path.principal_id) {
                people.entry(person).or_default().push(position);
            }
        }
        people
    }

    fn access_path(&self, path: &Path<'_>) -> AccessPath {
        AccessPath {
            principal: self.index.principal(path.principal_type, path.principal_id),
            origins: path.origins.to_vec(),
            removal: path.removal.cloned(),
        }
    }

    pub(super) fn access_diff(&self) -> Vec<PersonAccess> {
        let live = self.live();
        let mut pairs: BTreeMap<(AccountRef, &str), Pair> = BTreeMap::new();
        for assignment in &live.assignments {
            // A deleted principal stands for nobody: a deleted user is no person any more,
            // and a deleted group has no members.
            let principal = self
                .index
                .principal(assignment.principal_type, &assignment.principal_id);
            let Some(principal_name) = principal.name else {
                continue;
            };
            let account = self.account_ref_by_id(&assignment.account_id);
            let permission_set = self
                .index
                .permission_set_name(&assignment.permission_set_arn);
            let removal = self.removed.get(&live_key(assignment));
            let origins: &[Origin] = if self
                .declared_by_id
                .contains_key(assignment.account_id.as_str())
            {
                let key: NameKey = (
                    account.name.clone(),
                    permission_set.to_owned(),
                    principal.kind,
                    principal_name,
                );
                self.declared
                    .get(&key)
                    .map_or(&[], |declared| declared.origins.as_slice())
            } else {
                &[]
            };
            let pair = pairs.entry((account, permission_set)).or_default();
            let path = Path {
                principal_type: assignment.principal_type,
                principal_id: &assignment.principal_id,
                origins,
                removal,
            };
            pair.before.push(Path {
                origins: &[],
                ..path
            });
            if removal.is_some() {
                pair.changed = true;
            } else {
                pair.after.push(path);
            }
        }
        for created in &self.created {
            let pair = pairs
                .entry((created.account.clone(), created.permission_set.as_str()))
                .or_default();
            pair.changed = true;
            pair.after.push(Path {
                principal_type: match created.kind {
                    PrincipalKind::Group => LivePrincipalType::Group,
                    PrincipalKind::User => LivePrincipalType::User,
                },
                principal_id: &created.principal_id,
                origins: &created.origins,
                removal: None,
            });
        }
        let mut deltas: BTreeMap<&str, Delta> = BTreeMap::new();
        for ((account, permission_set), pair) in &pairs {
            if !pair.changed {
                continue;
            }
            let before = self.people_of(&pair.before);
            let after = self.people_of(&pair.after);
            let mut record = |person: &str, paths: &[Path], positions: &[usize], gain: bool| {
                let mut via: Vec<AccessPath> = positions
                    .iter()
                    .map(|position| self.access_path(&paths[*position]))
                    .collect();
                sort_paths(&mut via);
                let change = AccessChange {
                    account: account.clone(),
                    permission_set: (*permission_set).to_owned(),
                    via,
                };
                let Some((person, _)) = self.index.users_by_id.get_key_value(person) else {
                    return;
                };
                let delta = deltas.entry(person).or_default();
                if gain {
                    delta.gains.push(change);
                } else {
                    delta.losses.push(change);
                }
            };
            for (person, positions) in &after {
                if !before.contains_key(person) {
                    record(person, &pair.after, positions, true);
                }
            }
            for (person, positions) in &before {
                if !after.contains_key(person) {
                    record(person, &pair.before, positions, false);
                }
            }
        }
        let mut access: Vec<PersonAccess> = deltas
            .into_iter()
            .filter_map(|(person, mut delta)| {
                let user = self.index.users_by_id.get(person)?;
                sort_changes(&mut delta.gains);
                sort_changes(&mut delta.losses);
                Some(PersonAccess {
                    user_name: user.user_name.clone(),
                    display_name: user.display_name.clone(),
                    enabled: user.enabled,
                    gains: delta.gains,
                    losses: delta.losses,
                })
            })
            .collect();
        access.sort_by(|left, right| left.user_name.cmp(&right.user_name));
        access
    }
}
