//! The lockout guard's pure half: who the operator is when they run monban with an IAM
//! Identity Center role, and which of a plan's access losses are their own.
//!
//! STS names an Identity Center session
//! `arn:aws:sts::<account>:assumed-role/AWSReservedSSO_<permission set>_<16 hex>/<user name>`
//! (aws-api-facts §2.6). A plan that takes that permission set on that account away from
//! that user — directly, through a group they are in, or by deleting or renaming the
//! permission set — cuts the branch the operator sits on: the apply would lose its own
//! credentials half-way. The per-person access diff ([`Plan::access`]) already says exactly
//! that (net of other paths that keep the access), for fresh and saved plans alike, so the
//! guard reads it rather than the changes.

use crate::access::AccessChange;
use crate::plan::Plan;

/// The Identity Center role session monban runs as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SsoOperator {
    /// The account the role is in.
    pub account_id: String,
    /// The permission set the role was provisioned from.
    pub permission_set: String,
    /// The role session name: the Identity Store user name.
    pub user_name: String,
}

/// The role-name prefix Identity Center gives the roles it provisions.
const RESERVED_PREFIX: &str = "AWSReservedSSO_";

impl SsoOperator {
    /// Reads an STS caller ARN; `None` for anything but an Identity Center role session.
    #[must_use]
    pub fn from_caller_arn(arn: &str) -> Option<Self> {
        let rest = arn.strip_prefix("arn:")?;
        // partition:sts::account:assumed-role/ROLE/SESSION
        let mut fields = rest.splitn(5, ':');
        let _partition = fields.next()?;
        if fields.next()? != "sts" {
            return None;
        }
        let _region = fields.next()?;
        let account_id = fields.next()?;
        let resource = fields.next()?;
        let (role, user_name) = resource.strip_prefix("assumed-role/")?.split_once('/')?;
        // The role may sit under a path in IAM, but STS shows only its name.
        let role = role.rsplit('/').next()?;
        let (permission_set, suffix) = role.strip_prefix(RESERVED_PREFIX)?.rsplit_once('_')?;
        if permission_set.is_empty()
            || suffix.is_empty()
            || !suffix.bytes().all(|byte| byte.is_ascii_hexdigit())
            || user_name.is_empty()
        {
            return None;
        }
        Some(Self {
            account_id: account_id.to_owned(),
            permission_set: permission_set.to_owned(),
            user_name: user_name.to_owned(),
        })
    }
}

/// The losses in `plan` of the operator's own access: the operator's permission set on
/// the operator's account, lost by the operator's user (user names compare
/// case-insensitively, as Identity Center signs people in).
#[must_use]
pub fn operator_losses<'plan>(
    plan: &'plan Plan,
    operator: &SsoOperator,
) -> Vec<&'plan AccessChange> {
    plan.access
        .iter()
        .filter(|person| person.user_name.eq_ignore_ascii_case(&operator.user_name))
        .flat_map(|person| &person.losses)
        .filter(|loss| {
            loss.account.id.as_deref() == Some(operator.account_id.as_str())
                && loss.permission_set == operator.permission_set
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_an_identity_center_session() {
        let operator = SsoOperator::from_caller_arn(
            "arn:aws:sts::111111111111:assumed-role/AWSReservedSSO_Admin_Access_0123456789abcdef/alice@example.com",
        )
        .expect("an SSO session");
        assert_eq!(operator.account_id, "111111111111");
        assert_eq!(operator.permission_set, "Admin_Access");
        assert_eq!(operator.user_name, "alice@example.com");
    }

    #[test]
    fn other_callers_are_not_sso_operators() {
        for arn in [
            "arn:aws:iam::111111111111:root",
            "arn:aws:iam::111111111111:user/ci",
            "arn:aws:sts::111111111111:assumed-role/deploy/session",
            "arn:aws:sts::111111111111:assumed-role/AWSReservedSSO_Admin/alice",
            "arn:aws:sts::111111111111:assumed-role/AWSReservedSSO_Admin_xyz/alice",
        ] {
            assert_eq!(SsoOperator::from_caller_arn(arn), None, "{arn}");
        }
    }
}
