//! Effective access before and after the plan, per person, and the difference.
//!
//! Before: every live assignment, groups expanded through the Identity Store's live
//! memberships. After: the live assignments the plan keeps plus those it creates (with a
//! principal the Identity Store has), expanded the same way. Membership itself belongs to
//! identity provider and is the same on both sides. A person gains (account, permission set) when
//! some path grants it after and none before, and loses it in the opposite case; paths
//! that change while access stays (a direct grant replaced by a group) are not a change
//! of access and are not listed.
//!
//! Access is counted by assignment, not by where a permission set happens to be
//! provisioned: counting provisioned roles over-reports (cartography#2120).

use std::collections::{BTreeMap, BTreeSet};

use monban_model::LivePrincipalType;

use super::assignments::live_key;
use super::{NameKey, Planner};
use crate::access::{AccessChange, AccessPath, PersonAccess};
use crate::change::{AccountRef, Principal, PrincipalKind};

/// (account, permission set name).
type AccessKey = (AccountRef, String);

/// Person (user id) → access → the paths granting it.
type AccessMap<'live> = BTreeMap<&'live str, BTreeMap<AccessKey, Vec<AccessPath>>>;

fn sort_paths(paths: &mut [AccessPath]) {
    paths.sort_by(|left, right| {
        let rank = |path: &AccessPath| path.principal.kind != PrincipalKind::User;
        rank(left)
            .cmp(&rank(right))
            .then_with(|| left.principal.name.cmp(&right.principal.name))
            .then_with(|| left.principal.id.cmp(&right.principal.id))
    });
}

fn changes_between(
    from: Option<&BTreeMap<AccessKey, Vec<AccessPath>>>,
    to: Option<&BTreeMap<AccessKey, Vec<AccessPath>>>,
) -> Vec<AccessChange> {
    let Some(from) = from else {
        return Vec::new();
    };
    from.iter()
        .filter(|(key, _)| to.is_none_or(|to| !to.contains_key(*key)))
        .map(|((account, permission_set), paths)| {
            let mut via = paths.clone();
            sort_paths(&mut via);
            AccessChange {
                account: account.clone(),
                permission_set: permission_set.clone(),
                via,
            }
        })
        .collect()
}

impl Planner<'_> {
    pub(super) fn access_diff(&self) -> Vec<PersonAccess> {
        let live = self.live();
        let mut before: AccessMap = BTreeMap::new();
        let mut after: AccessMap = BTreeMap::new();
        for assignment in &live.assignments {
            let principal = self
                .index
                .principal(assignment.principal_type, &assignment.principal_id);
            // A deleted principal stands for nobody: a deleted user is no person any more,
            // and a deleted group has no members.
            let Some(principal_name) = principal.name.clone() else {
                continue;
            };
            let account = self.account_ref_by_id(&assignment.account_id);
            let permission_set = self
                .index
                .permission_set_name(&assignment.permission_set_arn)
                .to_owned();
            let removal = self.removed.get(&live_key(assignment)).cloned();
            let origins = if self
                .declared_by_id
                .contains_key(assignment.account_id.as_str())
            {
                let key: NameKey = (
                    account.name.clone(),
                    permission_set.clone(),
                    principal.kind,
                    principal_name,
                );
                self.declared
                    .get(&key)
                    .map(|declared| declared.origins.clone())
                    .unwrap_or_default()
            } else {
                Vec::new()
            };
            let key: AccessKey = (account, permission_set);
            for person in self
                .index
                .people(assignment.principal_type, &assignment.principal_id)
            {
                before
                    .entry(person)
                    .or_default()
                    .entry(key.clone())
                    .or_default()
                    .push(AccessPath {
                        principal: principal.clone(),
                        origins: Vec::new(),
                        removal: removal.clone(),
                    });
                if removal.is_none() {
                    after
                        .entry(person)
                        .or_default()
                        .entry(key.clone())
                        .or_default()
                        .push(AccessPath {
                            principal: principal.clone(),
                            origins: origins.clone(),
                            removal: None,
                        });
                }
            }
        }
        for created in &self.created {
            let principal_type = match created.kind {
                PrincipalKind::Group => LivePrincipalType::Group,
                PrincipalKind::User => LivePrincipalType::User,
            };
            let principal: Principal = self.index.principal(principal_type, &created.principal_id);
            let key: AccessKey = (created.account.clone(), created.permission_set.clone());
            for person in self.index.people(principal_type, &created.principal_id) {
                after
                    .entry(person)
                    .or_default()
                    .entry(key.clone())
                    .or_default()
                    .push(AccessPath {
                        principal: principal.clone(),
                        origins: created.origins.clone(),
                        removal: None,
                    });
            }
        }
        let people: BTreeSet<&str> = before.keys().chain(after.keys()).copied().collect();
        let mut access: Vec<PersonAccess> = people
            .into_iter()
            .filter_map(|person| {
                let user = self.index.users_by_id.get(person)?;
                let gains = changes_between(after.get(person), before.get(person));
                let losses = changes_between(before.get(person), after.get(person));
                (!gains.is_empty() || !losses.is_empty()).then(|| PersonAccess {
                    user_name: user.user_name.clone(),
                    display_name: user.display_name.clone(),
                    enabled: user.enabled,
                    gains,
                    losses,
                })
            })
            .collect();
        access.sort_by(|left, right| left.user_name.cmp(&right.user_name));
        access
    }
}
