//! Adopting a live organization: the [`Repo`] that declares exactly what a [`LiveState`]
//! holds (`monban init --from-live`), so that planning it against the same target says
//! "No changes.". Explicit assignments only — no selector rules are invented — and every
//! account bound by id with its root e-mail written out.
//!
//! What cannot be declared is left out and reported as a note, never guessed: accounts
//! that are suspended or closing, assignments of deleted principals (orphans), names AWS
//! accepted that the repo format cannot hold.

use std::collections::{BTreeMap, BTreeSet};

use crate::access::{Grant, PrincipalRef};
use crate::email::Email;
use crate::live::{
    LiveAccountStatus, LivePermissionSet, LivePermissionsBoundary, LivePrincipalType, LiveState,
};
use crate::names::{AccountId, AccountName, GroupName, OuPath, PermissionSetName, UserName};
use crate::permission_set::{
    CustomerManagedPolicy, CustomerManagedPolicyName, CustomerManagedPolicyPath, InlinePolicy,
    ManagedPolicyArn, PermissionSet, PermissionSetDescription, PermissionsBoundary, RelayState,
    SessionDuration,
};
use crate::repo::{Account, Repo, RootEmail};
use crate::settings::{
    CodeOwners, IdentityCenter, IdentitySource, Organization, RepoSettings, Safety, Target,
};
use crate::tags::{TagKey, TagValue, Tags};

/// The adopted repo and what could not be adopted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Adopted {
    pub repo: Repo,
    /// One sentence each, naming the live object.
    pub notes: Vec<String>,
}

/// The file stem for an account named `name` in AWS: lower case, every run of characters
/// other than letters, digits, `.`, `_` and `-` turned into one `-`, at most 50 characters.
/// An empty result becomes `account-<id>`.
#[must_use]
pub fn account_file_stem(name: &str, id: &str) -> String {
    let mut stem = String::new();
    for character in name.trim().chars().flat_map(char::to_lowercase) {
        if character.is_ascii_alphanumeric() || matches!(character, '.' | '_' | '-') {
            stem.push(character);
        } else if !stem.ends_with('-') {
            stem.push('-');
        }
    }
    let stem = stem
        .trim_matches(['-', '.'])
        .chars()
        .take(50)
        .collect::<String>();
    if stem.is_empty() {
        format!("account-{id}")
    } else {
        stem
    }
}

/// Builds the repo declaring everything `live` holds. `target` and `region` are what
/// `monban.yaml` should say.
#[must_use]
pub fn adopt(live: &LiveState, target: Target, region: crate::names::Region) -> Adopted {
    let mut notes = Vec::new();
    let mut organization = Organization::default();
    for ou in &live.ous {
        match OuPath::parse(&ou.path) {
            Ok(path) => organization.add_ou(&path),
            Err(error) => notes.push(format!("OU `{}` ({}): {error}; left out", ou.path, ou.id)),
        }
    }

    let permission_sets = adopt_permission_sets(live, &mut notes);
    let names_by_arn: BTreeMap<&str, PermissionSetName> = live
        .permission_sets
        .iter()
        .filter_map(|set| {
            permission_sets
                .keys()
                .find(|name| name.as_str() == set.name)
                .map(|name| (set.arn.as_str(), name.clone()))
        })
        .collect();

    let mut groups = BTreeSet::new();
    for group in &live.groups {
        match GroupName::parse(&group.display_name) {
            Ok(name) => {
                groups.insert(name);
            }
            Err(error) => notes.push(format!(
                "group `{}` ({}): {error}; it cannot be named in the repo",
                group.display_name, group.id
            )),
        }
    }
    let mut users = BTreeSet::new();

    let mut accounts = BTreeMap::new();
    let mut taken = BTreeSet::new();
    for live_account in &live.accounts {
        if live_account.status != LiveAccountStatus::Active {
            notes.push(format!(
                "account {} ({}) is {:?}; left out",
                live_account.name, live_account.id, live_account.status
            ));
            continue;
        }
        let mut stem = account_file_stem(&live_account.name, &live_account.id);
        if taken.contains(&stem) {
            stem = format!(
                "{stem}-{}",
                &live_account.id[live_account.id.len().saturating_sub(4)..]
            );
        }
        let (Ok(name), Ok(id)) = (
            AccountName::parse(&stem),
            AccountId::parse(&live_account.id),
        ) else {
            notes.push(format!(
                "account {} ({}): no valid file name; left out",
                live_account.name, live_account.id
            ));
            continue;
        };
        taken.insert(stem);
        let mut account = Account::new(name.clone());
        account.id = Some(id);
        match Email::parse(&live_account.email) {
            Ok(address) => {
                account.root_email = Some(RootEmail {
                    address,
                    derived: false,
                });
            }
            Err(error) => notes.push(format!(
                "account {} ({}): root e-mail {error}; not written",
                live_account.name, live_account.id
            )),
        }
        account.ou = live_account
            .ou_path
            .as_deref()
            .and_then(|path| OuPath::parse(path).ok());
        account.tags = adopt_tags(
            &live_account.tags,
            &format!("account {}", live_account.name),
            &mut notes,
        );
        if live_account.id == live.organization.management_account_id {
            organization.management_account = Some(name.clone());
        }
        for assignment in live
            .assignments
            .iter()
            .filter(|assignment| assignment.account_id == live_account.id)
        {
            let Some(set_name) = names_by_arn.get(assignment.permission_set_arn.as_str()) else {
                notes.push(format!(
                    "account {}: an assignment of permission set {} that cannot be declared; left out",
                    live_account.name, assignment.permission_set_arn
                ));
                continue;
            };
            let principal = match assignment.principal_type {
                LivePrincipalType::Group => live
                    .groups
                    .iter()
                    .find(|group| group.id == assignment.principal_id)
                    .and_then(|group| GroupName::parse(&group.display_name).ok())
                    .map(PrincipalRef::Group),
                LivePrincipalType::User => live
                    .users
                    .iter()
                    .find(|user| user.id == assignment.principal_id)
                    .and_then(|user| UserName::parse(&user.user_name).ok())
                    .map(|user| {
                        users.insert(user.clone());
                        PrincipalRef::User(user)
                    }),
            };
            let Some(principal) = principal else {
                notes.push(format!(
                    "account {}: {set_name} is assigned to {:?} {}, which no longer exists (an orphan); left out — `monban audit` reports it",
                    live_account.name, assignment.principal_type, assignment.principal_id
                ));
                continue;
            };
            let grants = account.access.entry(set_name.clone()).or_default();
            if !grants
                .iter()
                .any(|grant: &Grant| grant.principal == principal)
            {
                grants.push(Grant::new(principal));
            }
        }
        for grants in account.access.values_mut() {
            grants.sort_by(|left, right| left.principal.cmp(&right.principal));
        }
        accounts.insert(name, account);
    }

    let repo = Repo {
        settings: RepoSettings {
            target,
            organization,
            identity_center: IdentityCenter {
                region,
                identity_source: IdentitySource::External,
            },
            safety: Safety::default(),
            codeowners: CodeOwners::default(),
        },
        accounts,
        permission_sets,
        groups,
        users,
        rules: Vec::new(),
    };
    Adopted { repo, notes }
}

fn adopt_tags(live: &BTreeMap<String, String>, owner: &str, notes: &mut Vec<String>) -> Tags {
    let mut tags = Tags::new();
    for (key, value) in live {
        match (TagKey::parse(key), TagValue::parse(value)) {
            (Ok(key), Ok(value)) => {
                tags.insert(key, value);
            }
            _ => notes.push(format!("{owner}: tag `{key}` cannot be declared; left out")),
        }
    }
    tags
}

fn adopt_permission_sets(
    live: &LiveState,
    notes: &mut Vec<String>,
) -> BTreeMap<PermissionSetName, PermissionSet> {
    let mut sets = BTreeMap::new();
    for live_set in &live.permission_sets {
        match adopt_permission_set(live_set, notes) {
            Ok(set) => {
                sets.insert(set.name.clone(), set);
            }
            Err(reason) => notes.push(format!(
                "permission set {}: {reason}; left out with its assignments",
                live_set.name
            )),
        }
    }
    sets
}

fn adopt_permission_set(
    live: &LivePermissionSet,
    notes: &mut Vec<String>,
) -> Result<PermissionSet, String> {
    let text = |error: crate::ConstraintError| error.to_string();
    let mut set = PermissionSet::new(PermissionSetName::parse(&live.name).map_err(text)?);
    set.description = live
        .description
        .as_deref()
        .map(PermissionSetDescription::parse)
        .transpose()
        .map_err(text)?;
    if let Some(duration) = &live.session_duration {
        set.session_duration = SessionDuration::parse(duration).map_err(text)?;
    }
    set.relay_state = live
        .relay_state
        .as_deref()
        .map(RelayState::parse)
        .transpose()
        .map_err(text)?;
    set.managed_policies = live
        .managed_policies
        .iter()
        .map(|arn| ManagedPolicyArn::parse(arn))
        .collect::<Result<_, _>>()
        .map_err(text)?;
    set.customer_managed_policies = live
        .customer_managed_policies
        .iter()
        .map(|policy| {
            Ok(CustomerManagedPolicy {
                name: CustomerManagedPolicyName::parse(&policy.name)?,
                path: CustomerManagedPolicyPath::parse(&policy.path)?,
            })
        })
        .collect::<Result<_, crate::ConstraintError>>()
        .map_err(text)?;
    set.inline_policy = live
        .inline_policy
        .as_deref()
        .map(InlinePolicy::parse)
        .transpose()
        .map_err(text)?;
    set.permissions_boundary = match &live.permissions_boundary {
        None => None,
        Some(LivePermissionsBoundary::ManagedPolicy(arn)) => Some(
            PermissionsBoundary::ManagedPolicy(ManagedPolicyArn::parse(arn).map_err(text)?),
        ),
        Some(LivePermissionsBoundary::CustomerManagedPolicy(policy)) => Some(
            PermissionsBoundary::CustomerManagedPolicy(CustomerManagedPolicy {
                name: CustomerManagedPolicyName::parse(&policy.name).map_err(text)?,
                path: CustomerManagedPolicyPath::parse(&policy.path).map_err(text)?,
            }),
        ),
    };
    set.tags = adopt_tags(&live.tags, &format!("permission set {}", live.name), notes);
    Ok(set)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_stems_are_safe_file_names() {
        assert_eq!(account_file_stem("payments-prod", "1"), "payments-prod");
        assert_eq!(
            account_file_stem("Payments Prod / EU", "1"),
            "payments-prod-eu"
        );
        assert_eq!(
            account_file_stem("  ", "123456789012"),
            "account-123456789012"
        );
        assert_eq!(account_file_stem("a".repeat(80).as_str(), "1").len(), 50);
    }
}
