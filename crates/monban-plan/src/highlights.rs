//! What a reviewer must see before anything else, computed once so every view agrees:
//! the risky changes of a plan (administrator access granted, `safety.protected` entries,
//! mass removals, role ARNs that change), the grants that expire soon (`plan
//! --expiring-within 14d`), and the plan restricted to the removal of expired grants
//! (`apply --only-expired`, the scheduled job).
//!
//! Risks are derived from the finished changes and warnings (plus the repo's permission
//! sets, for what a created assignment grants); nothing here decides what a plan changes.

use std::collections::BTreeSet;

use jiff::civil::Date;
use monban_model::{PermissionSet, PrincipalRef, Repo};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::change::{Action, Address, Cause, Change, Principal, PrincipalKind, Resource};
use crate::plan::{Plan, Severity, Warning, WarningCode};

/// The AWS-managed policy that grants everything.
const ADMINISTRATOR_ACCESS_ARN: &str = "arn:aws:iam::aws:policy/AdministratorAccess";

/// What kind of risk a reviewer is warned about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RiskKind {
    /// An assignment of a permission set with administrator access (the
    /// `AdministratorAccess` managed policy, or an inline statement allowing `*` on `*`)
    /// is created, or a permission set gains administrator access.
    AdministratorAccess,
    /// The plan meets a `safety.protected` entry (a removal dropped, a close blocked).
    ProtectedEntry,
    /// The plan removes more than `safety.max_removals`.
    MassRemoval,
    /// A permission set is replaced (renamed): its roles are deleted and created again
    /// with new ARNs in every account, breaking policies that name the old ARNs.
    RoleArnsChange,
}

/// A change a reviewer should look at first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Risk {
    pub kind: RiskKind,
    /// One sentence: what and where.
    pub message: String,
    /// The change it is about, if any.
    pub address: Option<Address>,
}

/// A grant of an account file whose `until` day comes within the window asked for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExpiringGrant {
    /// The account file's name.
    pub account: String,
    pub permission_set: String,
    pub principal: Principal,
    /// The grant's last day (inclusive, UTC).
    pub until: Date,
    /// Whole days from the plan's `evaluated_on` to `until` (0: it ends today).
    pub days_left: i64,
    pub reason: Option<String>,
    /// The account's `owners`, who should renew or let it end.
    pub owners: Vec<String>,
}

/// Whether a permission set amounts to administrator access: the `AdministratorAccess`
/// managed policy, or an inline statement that allows every action on every resource.
#[must_use]
pub fn is_administrator(managed_policies: &[&str], inline_policy: Option<&str>) -> bool {
    managed_policies.contains(&ADMINISTRATOR_ACCESS_ARN)
        || inline_policy.is_some_and(inline_allows_everything)
}

/// Whether an inline policy has an `Allow` statement with `Action` `*` (or `*:*`) and
/// `Resource` `*`, without `Condition` narrowing it.
fn inline_allows_everything(document: &str) -> bool {
    let Ok(document) = serde_json::from_str::<Value>(document) else {
        return false;
    };
    let statements = match document.get("Statement") {
        Some(Value::Array(statements)) => statements.iter().collect::<Vec<_>>(),
        Some(statement @ Value::Object(_)) => vec![statement],
        _ => return false,
    };
    let holds = |value: Option<&Value>, wanted: &[&str]| match value {
        Some(Value::String(text)) => wanted.contains(&text.as_str()),
        Some(Value::Array(items)) => items
            .iter()
            .any(|item| item.as_str().is_some_and(|text| wanted.contains(&text))),
        _ => false,
    };
    statements.into_iter().any(|statement| {
        statement.get("Effect").and_then(Value::as_str) == Some("Allow")
            && statement.get("Condition").is_none()
            && holds(statement.get("Action"), &["*", "*:*"])
            && holds(statement.get("Resource"), &["*"])
    })
}

fn repo_permission_set_is_administrator(permission_set: &PermissionSet) -> bool {
    let managed: Vec<&str> = permission_set
        .managed_policies
        .iter()
        .map(monban_model::ManagedPolicyArn::as_str)
        .collect();
    is_administrator(
        &managed,
        permission_set
            .inline_policy
            .as_ref()
            .map(monban_model::InlinePolicy::as_str),
    )
}

fn state_is_administrator(resource: Option<&Resource>) -> bool {
    match resource {
        Some(Resource::PermissionSet(state)) => {
            let managed: Vec<&str> = state.managed_policies.iter().map(String::as_str).collect();
            is_administrator(&managed, state.inline_policy.as_deref())
        }
        _ => false,
    }
}

/// The risks of a finished plan, in the order the changes are listed (administrator
/// access, replacements), then the protected entries and mass removal from its warnings.
pub(crate) fn risks(repo: &Repo, changes: &[Change], warnings: &[Warning]) -> Vec<Risk> {
    let mut risks = Vec::new();
    for change in changes {
        match (&change.address, change.action) {
            (Address::Assignment { .. }, Action::Create) => {
                let Some(Resource::Assignment(assignment)) = &change.after else {
                    continue;
                };
                let administrator = repo
                    .permission_sets
                    .get(assignment.permission_set.as_str())
                    .is_some_and(repo_permission_set_is_administrator);
                if administrator {
                    risks.push(Risk {
                        kind: RiskKind::AdministratorAccess,
                        message: format!(
                            "{} gains administrator access ({}) on {}",
                            assignment.principal,
                            assignment.permission_set,
                            assignment.account.name
                        ),
                        address: Some(change.address.clone()),
                    });
                }
            }
            (Address::PermissionSet { permission_set }, Action::Update | Action::Replace)
                if state_is_administrator(change.after.as_ref())
                    && !state_is_administrator(change.before.as_ref()) =>
            {
                risks.push(Risk {
                    kind: RiskKind::AdministratorAccess,
                    message: format!(
                        "permission set {permission_set} becomes administrator access: everyone holding it gets it"
                    ),
                    address: Some(change.address.clone()),
                });
            }
            _ => {}
        }
        if change.action == Action::Replace
            && let Address::PermissionSet { permission_set } = &change.address
        {
            let from = match &change.cause {
                Cause::Renamed { from } => format!("{from} is renamed to {permission_set}: "),
                _ => format!("{permission_set} is replaced: "),
            };
            let accounts: BTreeSet<&str> = change
                .provision
                .iter()
                .map(|account| account.name.as_str())
                .collect();
            let where_text = if accounts.is_empty() {
                String::new()
            } else {
                format!(" ({})", accounts.into_iter().collect::<Vec<_>>().join(", "))
            };
            risks.push(Risk {
                kind: RiskKind::RoleArnsChange,
                message: format!(
                    "{from}its AWSReservedSSO roles get new ARNs in every account{where_text}; trust, resource and key policies naming the old ARNs stop matching"
                ),
                address: Some(change.address.clone()),
            });
        }
    }
    for warning in warnings {
        let kind = match warning.code {
            WarningCode::ProtectedAssignment => RiskKind::ProtectedEntry,
            WarningCode::MassRemoval => RiskKind::MassRemoval,
            _ => continue,
        };
        risks.push(Risk {
            kind,
            message: warning.message.clone(),
            address: warning.address.clone(),
        });
    }
    risks
}

/// The account files' grants whose `until` falls within `within_days` of `today`
/// (today included), soonest first.
pub(crate) fn expiring(repo: &Repo, today: Date, within_days: i64) -> Vec<ExpiringGrant> {
    let mut expiring = Vec::new();
    for (name, account) in &repo.accounts {
        for (permission_set, grants) in &account.access {
            for grant in grants {
                let Some(until) = grant.until else {
                    continue;
                };
                let Ok(span) = today.until(until.date()) else {
                    continue;
                };
                let days_left = i64::from(span.get_days());
                if !(0..=within_days).contains(&days_left) {
                    continue;
                }
                let principal = match &grant.principal {
                    PrincipalRef::Group(group) => {
                        Principal::named(PrincipalKind::Group, group.as_str(), None)
                    }
                    PrincipalRef::User(user) => {
                        Principal::named(PrincipalKind::User, user.as_str(), None)
                    }
                };
                expiring.push(ExpiringGrant {
                    account: name.as_str().to_owned(),
                    permission_set: permission_set.as_str().to_owned(),
                    principal,
                    until: until.date(),
                    days_left,
                    reason: grant.reason.clone(),
                    owners: account.owners.clone(),
                });
            }
        }
    }
    expiring.sort_by(|left, right| {
        (
            left.until,
            &left.account,
            &left.permission_set,
            &left.principal,
        )
            .cmp(&(
                right.until,
                &right.account,
                &right.permission_set,
                &right.principal,
            ))
    });
    expiring
}

/// `14d`, `2w` or `14` (days) → a number of days.
///
/// # Errors
/// A message saying what is accepted.
pub fn parse_days(text: &str) -> Result<i64, String> {
    let trimmed = text.trim();
    let (number, factor) = if let Some(days) = trimmed.strip_suffix('d') {
        (days, 1)
    } else if let Some(weeks) = trimmed.strip_suffix('w') {
        (weeks, 7)
    } else {
        (trimmed, 1)
    };
    number
        .parse::<u16>()
        .map(|count| i64::from(count) * factor)
        .map_err(|_| format!("`{text}` is not a number of days: write e.g. `14d`, `2w` or `30`"))
}

/// A plan restricted to the removal of expired grants, and what it leaves out.
#[derive(Debug, Clone, PartialEq)]
pub struct ExpiredOnly {
    /// The plan with only the deletions of assignments whose `until` has passed (and the
    /// access losses, warnings and risks that belong to them).
    pub plan: Plan,
    /// Every other change of the full plan, which the restricted plan does not apply.
    pub ignored: Vec<Change>,
}

/// Restricts `plan` to the deletions of expired grants (`apply --only-expired`): the job a
/// schedule may run unreviewed, because the repo itself already says when the access
/// ends. Everything else (joiners, drift, unreviewed edits) is left for a reviewed plan.
///
/// The restricted plan is applyable when none of its changes is blocked and it removes no
/// more than `max_removals` (unless `allow_mass_removal`); problems elsewhere in the full
/// plan (a principal not yet pushed by the IdP, a blocked account move) do not hold up
/// the removal of expired access. `complete` keeps the full plan's value.
#[must_use]
pub fn only_expired(plan: &Plan, max_removals: u32, allow_mass_removal: bool) -> ExpiredOnly {
    let is_expiry = |change: &Change| {
        change.action == Action::Delete
            && matches!(change.address, Address::Assignment { .. })
            && matches!(change.cause, Cause::Expired { .. })
    };
    let (kept, ignored): (Vec<Change>, Vec<Change>) =
        plan.changes.iter().cloned().partition(is_expiry);
    let addresses: BTreeSet<&Address> = kept.iter().map(|change| &change.address).collect();
    // A person loses access only when every path they hold it by goes; here only the
    // expired paths go, so a loss stays only if all its paths expired.
    let access = plan
        .access
        .iter()
        .filter_map(|person| {
            let losses: Vec<_> = person
                .losses
                .iter()
                .filter(|loss| {
                    loss.via
                        .iter()
                        .all(|path| matches!(path.removal, Some(Cause::Expired { .. })))
                })
                .cloned()
                .collect();
            (!losses.is_empty()).then(|| crate::PersonAccess {
                gains: Vec::new(),
                losses,
                ..person.clone()
            })
        })
        .collect();
    let mut warnings: Vec<Warning> = plan
        .warnings
        .iter()
        .filter(|warning| {
            warning.code != WarningCode::MassRemoval
                && warning
                    .address
                    .as_ref()
                    .is_some_and(|address| addresses.contains(address))
        })
        .cloned()
        .collect();
    let too_many = kept.len() > usize::try_from(max_removals).unwrap_or(usize::MAX);
    if too_many {
        warnings.insert(
            0,
            Warning {
                severity: if allow_mass_removal {
                    Severity::Warning
                } else {
                    Severity::Error
                },
                code: WarningCode::MassRemoval,
                message: format!(
                    "{} expired grants are to be removed, more than safety.max_removals ({max_removals}); check them, then apply with --allow-mass-removal",
                    kept.len()
                ),
                address: None,
            },
        );
    }
    let risks = plan
        .risks
        .iter()
        .filter(|risk| {
            risk.kind != RiskKind::MassRemoval
                && risk
                    .address
                    .as_ref()
                    .is_some_and(|address| addresses.contains(address))
        })
        .cloned()
        .collect();
    let applyable = kept.iter().all(Change::is_applyable) && (!too_many || allow_mass_removal);
    ExpiredOnly {
        plan: Plan {
            changes: kept,
            access,
            warnings,
            risks,
            applyable,
            ..plan.clone()
        },
        ignored,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn administrator_access_by_managed_policy_or_inline_star() {
        assert!(is_administrator(&[ADMINISTRATOR_ACCESS_ARN], None));
        assert!(!is_administrator(
            &["arn:aws:iam::aws:policy/ReadOnlyAccess"],
            None
        ));
        let star = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;
        assert!(is_administrator(&[], Some(star)));
        let star_star = r#"{"Statement":{"Effect":"Allow","Action":["*:*"],"Resource":["*"]}}"#;
        assert!(is_administrator(&[], Some(star_star)));
        let narrowed = r#"{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}]}"#;
        assert!(!is_administrator(&[], Some(narrowed)));
        let s3 = r#"{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#;
        assert!(!is_administrator(&[], Some(s3)));
        let deny = r#"{"Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}"#;
        assert!(!is_administrator(&[], Some(deny)));
    }

    #[test]
    fn only_expired_keeps_the_expired_removals_and_what_belongs_to_them() {
        // The sample: a blocked account update, an expired assignment's deletion, alice
        // losing access through an orphaned path, and a mass-removal error.
        let plan = crate::plan::tests::sample_plan();
        let restricted = only_expired(&plan, 25, false);
        assert_eq!(
            restricted
                .plan
                .changes
                .iter()
                .map(|change| change.address.to_string())
                .collect::<Vec<_>>(),
            ["assignment/payments-prod/ReadOnly/group:engineers"]
        );
        assert_eq!(
            restricted
                .ignored
                .iter()
                .map(|change| change.address.to_string())
                .collect::<Vec<_>>(),
            ["account/payments-prod"]
        );
        assert!(
            restricted.plan.access.is_empty(),
            "alice's loss is not by expiry: she keeps the access until a reviewed plan"
        );
        assert!(
            restricted.plan.warnings.is_empty(),
            "the full plan's mass removal is not ours"
        );
        assert!(restricted.plan.applyable, "the blocked update is left out");

        // One removal over a max_removals of 0: refused unless allowed.
        let refused = only_expired(&plan, 0, false);
        assert!(!refused.plan.applyable);
        assert_eq!(refused.plan.warnings[0].code, WarningCode::MassRemoval);
        assert_eq!(refused.plan.warnings[0].severity, Severity::Error);
        let allowed = only_expired(&plan, 0, true);
        assert!(allowed.plan.applyable);
        assert_eq!(allowed.plan.warnings[0].severity, Severity::Warning);
    }

    #[test]
    fn days_parse_with_or_without_unit() {
        assert_eq!(parse_days("14d"), Ok(14));
        assert_eq!(parse_days("2w"), Ok(14));
        assert_eq!(parse_days("30"), Ok(30));
        assert!(parse_days("soon").is_err());
        assert!(parse_days("-3d").is_err());
    }
}
