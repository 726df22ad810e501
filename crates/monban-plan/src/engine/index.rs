//! Lookup tables over a [`LiveState`], built once per plan so that every rule of the
//! diff is a map lookup rather than a scan (a large organization holds tens of thousands
//! of assignments).

use std::collections::{BTreeMap, BTreeSet};

use monban_model::{
    LiveAccount, LiveAssignment, LiveGroup, LivePermissionSet, LivePrincipalType, LiveState,
    LiveUser,
};

use crate::change::{Principal, PrincipalKind};

/// Indexes of one live state.
#[derive(Debug)]
pub struct LiveIndex<'live> {
    pub live: &'live LiveState,
    pub accounts_by_id: BTreeMap<&'live str, &'live LiveAccount>,
    /// Lowercased root e-mail → account (AWS treats e-mail addresses case-insensitively).
    pub accounts_by_email: BTreeMap<String, &'live LiveAccount>,
    pub permission_sets_by_arn: BTreeMap<&'live str, &'live LivePermissionSet>,
    pub permission_sets_by_name: BTreeMap<&'live str, &'live LivePermissionSet>,
    pub users_by_id: BTreeMap<&'live str, &'live LiveUser>,
    pub users_by_name: BTreeMap<&'live str, &'live LiveUser>,
    pub groups_by_id: BTreeMap<&'live str, &'live LiveGroup>,
    pub groups_by_name: BTreeMap<&'live str, &'live LiveGroup>,
    /// Group id → member user ids.
    pub members: BTreeMap<&'live str, BTreeSet<&'live str>>,
    /// Permission set ARN → (account id → role is current).
    pub provisioned: BTreeMap<&'live str, BTreeMap<&'live str, bool>>,
    /// Permission set ARN → its assignments.
    pub assignments_by_permission_set: BTreeMap<&'live str, Vec<&'live LiveAssignment>>,
}

impl<'live> LiveIndex<'live> {
    #[must_use]
    pub fn new(live: &'live LiveState) -> Self {
        let mut members: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        for membership in &live.memberships {
            members
                .entry(membership.group_id.as_str())
                .or_default()
                .insert(membership.user_id.as_str());
        }
        let mut provisioned: BTreeMap<&str, BTreeMap<&str, bool>> = BTreeMap::new();
        for entry in &live.provisioned {
            provisioned
                .entry(entry.permission_set_arn.as_str())
                .or_default()
                .insert(entry.account_id.as_str(), entry.current);
        }
        let mut assignments_by_permission_set: BTreeMap<&str, Vec<&LiveAssignment>> =
            BTreeMap::new();
        for assignment in &live.assignments {
            assignments_by_permission_set
                .entry(assignment.permission_set_arn.as_str())
                .or_default()
                .push(assignment);
        }
        Self {
            live,
            accounts_by_id: live
                .accounts
                .iter()
                .map(|account| (account.id.as_str(), account))
                .collect(),
            accounts_by_email: live
                .accounts
                .iter()
                .map(|account| (account.email.to_ascii_lowercase(), account))
                .collect(),
            permission_sets_by_arn: live
                .permission_sets
                .iter()
                .map(|set| (set.arn.as_str(), set))
                .collect(),
            permission_sets_by_name: live
                .permission_sets
                .iter()
                .map(|set| (set.name.as_str(), set))
                .collect(),
            users_by_id: live
                .users
                .iter()
                .map(|user| (user.id.as_str(), user))
                .collect(),
            users_by_name: live
                .users
                .iter()
                .map(|user| (user.user_name.as_str(), user))
                .collect(),
            groups_by_id: live
                .groups
                .iter()
                .map(|group| (group.id.as_str(), group))
                .collect(),
            groups_by_name: live
                .groups
                .iter()
                .map(|group| (group.display_name.as_str(), group))
                .collect(),
            members,
            provisioned,
            assignments_by_permission_set,
        }
    }

    /// The name of the permission set with this ARN (the ARN itself if the state lists no
    /// such permission set, which a consistent read never produces).
    #[must_use]
    pub fn permission_set_name(&self, arn: &'live str) -> &'live str {
        self.permission_sets_by_arn
            .get(arn)
            .map_or(arn, |set| set.name.as_str())
    }

    /// A live assignment's principal, by name when the Identity Store still has it.
    #[must_use]
    pub fn principal(&self, principal_type: LivePrincipalType, id: &str) -> Principal {
        let (kind, name) = match principal_type {
            LivePrincipalType::User => (
                PrincipalKind::User,
                self.users_by_id.get(id).map(|user| user.user_name.clone()),
            ),
            LivePrincipalType::Group => (
                PrincipalKind::Group,
                self.groups_by_id
                    .get(id)
                    .map(|group| group.display_name.clone()),
            ),
        };
        Principal {
            kind,
            name,
            id: Some(id.to_owned()),
        }
    }

    /// The users a principal stands for: the user itself, or the group's members.
    #[must_use]
    pub fn people(&self, principal_type: LivePrincipalType, id: &str) -> Vec<&'live str> {
        match principal_type {
            LivePrincipalType::User => self
                .users_by_id
                .get_key_value(id)
                .map(|(key, _)| vec![*key])
                .unwrap_or_default(),
            LivePrincipalType::Group => self
                .members
                .get(id)
                .map(|users| users.iter().copied().collect())
                .unwrap_or_default(),
        }
    }
}
