//! The SSO Admin part of the control API's seed (`POST /_sandbox/seed`): permission sets with
//! their policies and tags, and account assignments applied as already completed — the
//! assignment exists and its permission set is provisioned (at its latest version) in the
//! account, as after a `SUCCEEDED` CreateAccountAssignment. No status records are created.
//!
//! Inputs are checked with the same rules as the API (names, durations, policies, quotas);
//! lookups go through maps built once, so seeding n items costs O(n log n).

use std::collections::{BTreeMap, HashMap, HashSet};

use jiff::Timestamp;
use serde::Deserialize;

use super::permission_sets::PERMISSION_SET_QUOTA;
use super::policies::{BoundaryInput, MANAGED_POLICIES_PER_PERMISSION_SET, check_boundary};
use super::state::{
    AccountAssignment, AttachedManagedPolicy, CustomerManagedPolicyReference, PrincipalType,
};
use super::tags::TAGS_PER_RESOURCE;
use super::validation::{
    check_description, check_inline_policy, check_managed_policy_arn, check_managed_policy_name,
    check_managed_policy_path, check_permission_set_name, check_relay_state,
    check_session_duration, check_tag_key, check_tag_value,
};
use crate::world::World;

/// A permission set to seed.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedPermissionSet {
    /// `Name` (unique, case-insensitively).
    pub name: String,
    /// `Description`.
    #[serde(default)]
    pub description: Option<String>,
    /// `SessionDuration` (ISO-8601, PT1H..PT12H); `PT1H` when absent.
    #[serde(default)]
    pub session_duration: Option<String>,
    /// `RelayState`.
    #[serde(default)]
    pub relay_state: Option<String>,
    /// The inline policy document (JSON text).
    #[serde(default)]
    pub inline_policy: Option<String>,
    /// AWS managed policy ARNs.
    #[serde(default)]
    pub managed_policies: Vec<String>,
    /// Customer managed policy references.
    #[serde(default)]
    pub customer_managed_policies: Vec<SeedPolicyReference>,
    /// The permissions boundary: exactly one of its two members.
    #[serde(default)]
    pub permissions_boundary: Option<SeedBoundary>,
    /// Tags.
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
}

/// A customer managed policy reference to seed.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedPolicyReference {
    /// The policy name.
    pub name: String,
    /// Its path; `/` when absent.
    #[serde(default)]
    pub path: Option<String>,
}

/// A permissions boundary to seed.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedBoundary {
    /// An AWS managed policy ARN.
    #[serde(default)]
    pub managed_policy_arn: Option<String>,
    /// A customer managed policy reference.
    #[serde(default)]
    pub customer_managed_policy: Option<SeedPolicyReference>,
}

/// An account assignment to seed: one account (by id or by name), one permission set (by
/// name) and one principal (a user by user name or a group by display name).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedAssignment {
    /// The account id.
    #[serde(default)]
    pub account_id: Option<String>,
    /// Or the account's name (must be unique in the organization).
    #[serde(default)]
    pub account_name: Option<String>,
    /// The permission set's name (seeded in the same request or already present).
    pub permission_set: String,
    /// A user, by `UserName`.
    #[serde(default)]
    pub user: Option<String>,
    /// Or a group, by `DisplayName`.
    #[serde(default)]
    pub group: Option<String>,
}

/// What the SSO Admin seed created.
#[derive(Debug, Default)]
pub struct SeedOutcome {
    /// Permission set name → ARN.
    pub permission_sets: BTreeMap<String, String>,
    /// How many assignments were created.
    pub assignments: usize,
}

fn seed_reference(
    what: &str,
    reference: SeedPolicyReference,
) -> Result<CustomerManagedPolicyReference, String> {
    check_managed_policy_name("name", &reference.name)
        .map_err(|error| format!("{what}: {error}"))?;
    let path = reference.path.unwrap_or_else(|| "/".into());
    check_managed_policy_path("path", &path).map_err(|error| format!("{what}: {error}"))?;
    Ok(CustomerManagedPolicyReference {
        name: reference.name,
        path: Some(path),
    })
}

fn add_permission_set(
    world: &mut World,
    seed: SeedPermissionSet,
    taken: &mut HashSet<String>,
    now: Timestamp,
) -> Result<String, String> {
    let name = seed.name;
    let what = format!("permission set '{name}'");
    let context = |error: super::SsoAdminError| format!("{what}: {error}");
    check_permission_set_name(&name).map_err(context)?;
    if !taken.insert(name.to_lowercase()) {
        return Err(format!("{what} already exists"));
    }
    if let Some(description) = &seed.description {
        check_description(description).map_err(context)?;
    }
    if let Some(duration) = &seed.session_duration {
        check_session_duration(duration).map_err(context)?;
    }
    if let Some(relay_state) = &seed.relay_state {
        check_relay_state(relay_state).map_err(context)?;
    }
    if let Some(policy) = &seed.inline_policy {
        check_inline_policy(policy).map_err(context)?;
    }
    let mut managed_policies = BTreeMap::new();
    for arn in seed.managed_policies {
        let policy_name = check_managed_policy_arn("managedPolicyArn", &arn)
            .map_err(context)?
            .to_owned();
        let attached = AttachedManagedPolicy {
            name: policy_name,
            arn: arn.clone(),
        };
        if managed_policies.insert(arn.clone(), attached).is_some() {
            return Err(format!("{what}: managed policy {arn} is listed twice"));
        }
    }
    let mut customer_managed_policies = std::collections::BTreeSet::new();
    for reference in seed.customer_managed_policies {
        let reference = seed_reference(&what, reference)?;
        if !customer_managed_policies.insert(reference) {
            return Err(format!("{what}: a customer managed policy is listed twice"));
        }
    }
    if managed_policies.len() + customer_managed_policies.len()
        > MANAGED_POLICIES_PER_PERMISSION_SET
    {
        return Err(format!(
            "{what}: more than {MANAGED_POLICIES_PER_PERMISSION_SET} managed policies"
        ));
    }
    let permissions_boundary = match seed.permissions_boundary {
        None => None,
        Some(boundary) => Some(
            check_boundary(BoundaryInput::new(
                boundary
                    .customer_managed_policy
                    .map(|reference| (reference.name, reference.path)),
                boundary.managed_policy_arn,
            ))
            .map_err(context)?,
        ),
    };
    if seed.tags.len() > TAGS_PER_RESOURCE {
        return Err(format!("{what}: more than {TAGS_PER_RESOURCE} tags"));
    }
    for (key, value) in &seed.tags {
        check_tag_key("key", key).map_err(context)?;
        check_tag_value("value", value).map_err(context)?;
    }
    let World { sso_admin, ids, .. } = world;
    let arn = sso_admin.add_permission_set(ids, &name, now);
    let permission_set = sso_admin
        .permission_sets
        .get_mut(&arn)
        .ok_or("a permission set just added is missing")?;
    permission_set.description = seed.description;
    if let Some(duration) = seed.session_duration {
        permission_set.session_duration = duration;
    }
    permission_set.relay_state = seed.relay_state;
    permission_set.inline_policy = seed.inline_policy;
    permission_set.managed_policies = managed_policies;
    permission_set.customer_managed_policies = customer_managed_policies;
    permission_set.permissions_boundary = permissions_boundary;
    permission_set.tags = seed.tags;
    Ok(arn)
}

/// Applies the permission sets, then the assignments (all or nothing is the caller's job:
/// it seeds a copy of the World).
///
/// # Errors
/// A message naming the first invalid item.
pub fn apply(
    world: &mut World,
    permission_sets: Vec<SeedPermissionSet>,
    assignments: Vec<SeedAssignment>,
) -> Result<SeedOutcome, String> {
    let now = world.clock.now();
    let mut outcome = SeedOutcome::default();
    let mut taken: HashSet<String> = world
        .sso_admin
        .permission_sets
        .values()
        .map(|permission_set| permission_set.name.to_lowercase())
        .collect();
    if world.sso_admin.permission_sets.len() + permission_sets.len() > PERMISSION_SET_QUOTA {
        return Err(format!(
            "more than {PERMISSION_SET_QUOTA} permission sets in the instance"
        ));
    }
    for seed in permission_sets {
        let name = seed.name.clone();
        let arn = add_permission_set(world, seed, &mut taken, now)?;
        outcome.permission_sets.insert(name, arn);
    }
    if assignments.is_empty() {
        return Ok(outcome);
    }

    let permission_set_by_name: HashMap<String, (String, u64)> = world
        .sso_admin
        .permission_sets
        .values()
        .map(|set| (set.name.clone(), (set.arn.clone(), set.version)))
        .collect();
    let store = &world.identity_store;
    let user_by_name: HashMap<&str, &str> = store
        .users
        .values()
        .map(|user| (user.user_name.as_str(), user.user_id.as_str()))
        .collect();
    let group_by_name: HashMap<&str, &str> = store
        .groups
        .values()
        .map(|group| (group.display_name.as_str(), group.group_id.as_str()))
        .collect();
    // Account names need not be unique: an ambiguous name maps to `None`.
    let mut account_by_name: HashMap<&str, Option<&str>> = HashMap::new();
    for account in world.organizations.accounts.values() {
        account_by_name
            .entry(account.name.as_str())
            .and_modify(|id| *id = None)
            .or_insert(Some(account.id.as_str()));
    }
    let mut resolved = Vec::with_capacity(assignments.len());
    for (index, seed) in assignments.into_iter().enumerate() {
        let what = format!("assignment {}", index + 1);
        let account_id = match (&seed.account_id, &seed.account_name) {
            (Some(id), None) if world.organizations.accounts.contains_key(id) => id.clone(),
            (Some(id), None) => {
                return Err(format!("{what}: account {id} is not in the organization"));
            }
            (None, Some(name)) => match account_by_name.get(name.as_str()) {
                Some(Some(id)) => (*id).to_owned(),
                Some(None) => {
                    return Err(format!(
                        "{what}: account name '{name}' is ambiguous; give account_id"
                    ));
                }
                None => return Err(format!("{what}: no account is named '{name}'")),
            },
            _ => {
                return Err(format!(
                    "{what}: give exactly one of account_id and account_name"
                ));
            }
        };
        let (permission_set_arn, version) = permission_set_by_name
            .get(&seed.permission_set)
            .cloned()
            .ok_or_else(|| {
                format!(
                    "{what}: no permission set is named '{}'",
                    seed.permission_set
                )
            })?;
        let (principal_type, principal_id) = match (&seed.user, &seed.group) {
            (Some(user), None) => (
                PrincipalType::User,
                user_by_name
                    .get(user.as_str())
                    .ok_or_else(|| format!("{what}: user '{user}' does not exist"))?,
            ),
            (None, Some(group)) => (
                PrincipalType::Group,
                group_by_name
                    .get(group.as_str())
                    .ok_or_else(|| format!("{what}: group '{group}' does not exist"))?,
            ),
            _ => return Err(format!("{what}: give exactly one of user and group")),
        };
        resolved.push((
            AccountAssignment {
                account_id,
                permission_set_arn,
                principal_type,
                principal_id: (*principal_id).to_owned(),
            },
            version,
        ));
    }
    let World { sso_admin, ids, .. } = world;
    for (assignment, version) in resolved {
        sso_admin.provision(
            ids,
            &assignment.account_id,
            &assignment.permission_set_arn,
            version,
        );
        if !sso_admin.account_assignments.insert(assignment) {
            return Err(
                "an assignment (account, permission set, principal) is listed twice".into(),
            );
        }
        outcome.assignments += 1;
    }
    Ok(outcome)
}
