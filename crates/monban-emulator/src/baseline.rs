//! The account baseline: IAM customer managed policies that exist in every account of the
//! organization.
//!
//! In a real organization the customer managed policies that permission sets reference
//! (and permissions boundaries) are deployed into every account by something outside
//! Identity Center — CloudFormation StackSets with automatic deployment, Control Tower
//! customizations. The sandbox stands in for that with one list of policies: each exists in
//! every active account of the organization (the management account too, since permission
//! sets are assigned there as well), created for the accounts there are when the baseline
//! is set (or the server starts) and for every account that joins later. Documented in
//! docs/reference/sandbox.md, "Account baseline".
//!
//! The baseline only ever creates: a policy is created in an account that has no policy of
//! that name (IAM names are unique in an account whatever the path, so one of the same name
//! at another path is left alone too), and nothing the baseline made is updated or deleted
//! when the baseline changes — what an account holds is the account's, as after a real
//! deployment. The list itself lives in the World (`World::account_baseline`), so it is
//! persisted with the state.
//!
//! Hooks that call [`apply_to_account`]: `World::settle` (CreateAccount completed), the
//! control API's seed (seeded accounts) and `organizations::handshakes::apply_answer` (an
//! accepted invitation); [`apply_to_all`] runs at every start, on reset and when the control
//! API replaces the baseline.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::services::iam::policies::{
    POLICIES_PER_ACCOUNT, check_policy_document, check_policy_path,
};
use crate::services::organizations::state::AccountState;
use crate::world::World;

/// The description of every policy the baseline creates (it tells a reader of GetPolicy
/// where the policy came from).
pub const BASELINE_DESCRIPTION: &str = "Created by the sandbox's account baseline";

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
    #[serde(default)]
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

/// Why a baseline cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BaselineError {
    /// A policy's name, path or document is not one IAM's CreatePolicy accepts.
    #[error("account baseline policy `{name}`: {message}")]
    InvalidPolicy {
        /// The policy's name.
        name: String,
        /// What IAM would answer.
        message: String,
    },
    /// Two policies of the baseline have the same name (IAM names are unique in an
    /// account without regard to case or path).
    #[error(
        "account baseline: the policy name `{name}` is listed twice; IAM policy names are unique in an account, whatever the path"
    )]
    DuplicateName {
        /// The repeated name.
        name: String,
    },
}

/// Checks every policy as IAM's CreatePolicy would (name, path, document) and that no
/// name repeats.
///
/// # Errors
/// The first policy that is not usable.
pub fn validate(policies: &[BaselinePolicy]) -> Result<(), BaselineError> {
    for (index, policy) in policies.iter().enumerate() {
        let invalid =
            |error: crate::protocol::aws_query::QueryError| BaselineError::InvalidPolicy {
                name: policy.name.clone(),
                message: error.to_string(),
            };
        crate::services::iam::check_name(&policy.name, "policyName", 128).map_err(invalid)?;
        check_policy_path(&policy.path).map_err(invalid)?;
        check_policy_document(policy.document_or_default()).map_err(invalid)?;
        if policies[..index]
            .iter()
            .any(|earlier| earlier.name.eq_ignore_ascii_case(&policy.name))
        {
            return Err(BaselineError::DuplicateName {
                name: policy.name.clone(),
            });
        }
    }
    Ok(())
}

/// Creates in `account_id` every baseline policy it has no policy of that name for.
/// Returns how many were created.
pub fn apply_to_account(world: &mut World, account_id: &str, now: Timestamp) -> usize {
    let mut created = 0;
    for policy in &world.account_baseline {
        let existing = world.iam.account(account_id);
        let taken = existing.is_some_and(|account| {
            account
                .policies
                .values()
                .any(|held| held.policy_name.eq_ignore_ascii_case(&policy.name))
        });
        // As CreatePolicy would refuse beyond the account's quota, so does the baseline.
        let full = existing.is_some_and(|account| account.policies.len() >= POLICIES_PER_ACCOUNT);
        if taken || full {
            continue;
        }
        world.iam.add_policy(
            &mut world.ids,
            account_id,
            &policy.name,
            &policy.path,
            policy.document_or_default(),
            Some(BASELINE_DESCRIPTION.to_owned()),
            Vec::new(),
            now,
        );
        created += 1;
    }
    created
}

/// Applies the baseline to every active account of the organization (the management
/// account too). Returns how many policies were created.
pub fn apply_to_all(world: &mut World, now: Timestamp) -> usize {
    if world.account_baseline.is_empty() {
        return 0;
    }
    let accounts: Vec<String> = world
        .organizations
        .accounts
        .values()
        .filter(|account| account.state == AccountState::Active)
        .map(|account| account.id.clone())
        .collect();
    accounts
        .iter()
        .map(|account_id| apply_to_account(world, account_id, now))
        .sum()
}

/// Replaces the baseline (validated first) and applies it to every active account.
/// Returns how many policies were created.
///
/// # Errors
/// The baseline is not usable; nothing changed.
pub fn replace(
    world: &mut World,
    policies: Vec<BaselinePolicy>,
    now: Timestamp,
) -> Result<usize, BaselineError> {
    validate(&policies)?;
    world.account_baseline = policies;
    Ok(apply_to_all(world, now))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    #[test]
    fn the_default_document_is_a_valid_policy() {
        assert!(check_policy_document(ALLOW_NOTHING_DOCUMENT).is_ok());
    }

    #[test]
    fn bad_names_paths_documents_and_repeated_names_are_refused() {
        let refused = |policies: Vec<BaselinePolicy>| validate(&policies).unwrap_err();
        assert!(matches!(
            refused(vec![BaselinePolicy::new("has space", "/")]),
            BaselineError::InvalidPolicy { .. }
        ));
        assert!(matches!(
            refused(vec![BaselinePolicy::new("ok", "no-slashes")]),
            BaselineError::InvalidPolicy { .. }
        ));
        assert!(matches!(
            refused(vec![BaselinePolicy {
                document: Some("{}".into()),
                ..BaselinePolicy::new("ok", "/")
            }]),
            BaselineError::InvalidPolicy { .. }
        ));
        assert_eq!(
            refused(vec![
                BaselinePolicy::new("deploy", "/"),
                BaselinePolicy::new("Deploy", "/other/"),
            ]),
            BaselineError::DuplicateName {
                name: "Deploy".into()
            }
        );
        assert!(validate(&[BaselinePolicy::new("deploy", "/team/payments/")]).is_ok());
    }

    #[test]
    fn applying_creates_what_is_missing_once_and_leaves_a_same_named_policy_alone() {
        let mut world = World::fresh(&Config::default());
        let now = world.clock.now();
        let management = world.management_account_id().to_owned();
        world.iam.add_policy(
            &mut world.ids,
            &management,
            "app-read",
            "/elsewhere/",
            ALLOW_NOTHING_DOCUMENT,
            None,
            Vec::new(),
            now,
        );
        let created = replace(
            &mut world,
            vec![
                BaselinePolicy::new("app-deploy", "/"),
                BaselinePolicy::new("app-read", "/team/"),
            ],
            now,
        )
        .unwrap();
        assert_eq!(created, 1);
        assert_eq!(apply_to_all(&mut world, now), 0);
        let account = world.iam.account(&management).unwrap();
        assert!(account.policy_by_path_and_name("/", "app-deploy").is_some());
        assert!(
            account
                .policy_by_path_and_name("/team/", "app-read")
                .is_none()
        );
        assert!(
            account
                .policy_by_path_and_name("/elsewhere/", "app-read")
                .is_some()
        );
    }
}
