//! The live side of a change: how a live resource becomes the `before` of a
//! [`Change`](crate::Change), and how two permission-set states are compared.
//!
//! The planner (`engine`) builds every `before` with these functions, and the saved-plan
//! check (`saved`) rebuilds the live side of each address with the same functions and
//! compares it with the recorded `before`: one definition, so the two cannot drift apart
//! (a drift would make every saved plan stale, or worse, none).

use monban_model::{
    LiveAccount, LiveAccountStatus, LiveAssignment, LivePermissionSet, LivePermissionsBoundary,
};
use serde_json::{Value, json};

use crate::change::{
    AccountRef, AccountState, AssignmentState, BoundaryState, CustomerManagedPolicyState,
    FieldChange, PermissionSetState,
};
use crate::engine::LiveIndex;
use crate::policy::{policy_value, same_policy, same_session_duration};

/// `ACTIVE`, `SUSPENDED`, `PENDING_CLOSURE`, as AWS spells them.
pub(crate) fn status_text(status: LiveAccountStatus) -> &'static str {
    match status {
        LiveAccountStatus::Active => "ACTIVE",
        LiveAccountStatus::Suspended => "SUSPENDED",
        LiveAccountStatus::PendingClosure => "PENDING_CLOSURE",
    }
}

/// A live account as the `before` of a change.
pub(crate) fn account_state(account: &LiveAccount) -> AccountState {
    AccountState {
        name: account.name.clone(),
        id: Some(account.id.clone()),
        email: Some(account.email.clone()),
        ou: account.ou_path.clone(),
        tags: account.tags.clone(),
        status: Some(status_text(account.status).to_owned()),
    }
}

/// A live assignment as the `before` of a change. `account` is how the plan refers to the
/// account (its declared name when an account file binds it, which only the repo knows);
/// the permission set and the principal are named from the live state.
pub(crate) fn assignment_state<'live>(
    index: &LiveIndex<'live>,
    assignment: &'live LiveAssignment,
    account: AccountRef,
) -> AssignmentState {
    AssignmentState {
        account,
        permission_set: index
            .permission_set_name(&assignment.permission_set_arn)
            .to_owned(),
        permission_set_arn: Some(assignment.permission_set_arn.clone()),
        principal: index.principal(assignment.principal_type, &assignment.principal_id),
        origins: Vec::new(),
    }
}

/// A live permission set as the `before` of a change: policy lists sorted and
/// de-duplicated, so that equal lists mean equal sets.
pub(crate) fn permission_set_state(set: &LivePermissionSet) -> PermissionSetState {
    let mut managed_policies = set.managed_policies.clone();
    managed_policies.sort();
    managed_policies.dedup();
    let mut customer_managed_policies: Vec<CustomerManagedPolicyState> = set
        .customer_managed_policies
        .iter()
        .map(|policy| CustomerManagedPolicyState {
            name: policy.name.clone(),
            path: policy.path.clone(),
        })
        .collect();
    customer_managed_policies.sort();
    customer_managed_policies.dedup();
    PermissionSetState {
        name: set.name.clone(),
        arn: Some(set.arn.clone()),
        description: set.description.clone(),
        session_duration: set.session_duration.clone(),
        relay_state: set.relay_state.clone(),
        managed_policies,
        customer_managed_policies,
        inline_policy: set.inline_policy.clone(),
        permissions_boundary: set
            .permissions_boundary
            .as_ref()
            .map(|boundary| match boundary {
                LivePermissionsBoundary::ManagedPolicy(arn) => {
                    BoundaryState::ManagedPolicy { arn: arn.clone() }
                }
                LivePermissionsBoundary::CustomerManagedPolicy(policy) => {
                    BoundaryState::CustomerManagedPolicy {
                        name: policy.name.clone(),
                        path: policy.path.clone(),
                    }
                }
            }),
        tags: set.tags.clone(),
    }
}

fn to_value<T: serde::Serialize>(value: &T) -> Value {
    // Plain data (strings, lists, maps with string keys) always serializes.
    serde_json::to_value(value).expect("plan state serializes to JSON")
}

/// The fields in which the live permission set differs from the desired one, in field
/// order, compared by meaning (`crate::policy`). Names and ARNs are not compared. The
/// planner diffs the repo against the live state with it, and the saved-plan check the
/// recorded `before` against the live state re-read, so both compare the same way.
pub(crate) fn permission_set_differences(
    desired: &PermissionSetState,
    live: &PermissionSetState,
) -> Vec<FieldChange> {
    let mut fields = Vec::new();
    let mut differs = |field: &str, before: Value, after: Value| {
        fields.push(FieldChange {
            field: field.to_owned(),
            before,
            after,
        });
    };
    if desired.description != live.description {
        differs(
            "description",
            to_value(&live.description),
            to_value(&desired.description),
        );
    }
    if !same_session_duration(
        desired.session_duration.as_deref(),
        live.session_duration.as_deref(),
    ) {
        differs(
            "session_duration",
            to_value(&live.session_duration),
            to_value(&desired.session_duration),
        );
    }
    if desired.relay_state != live.relay_state {
        differs(
            "relay_state",
            to_value(&live.relay_state),
            to_value(&desired.relay_state),
        );
    }
    // Both lists are sorted and de-duplicated: equal lists are equal sets.
    if desired.managed_policies != live.managed_policies {
        differs(
            "managed_policies",
            to_value(&live.managed_policies),
            to_value(&desired.managed_policies),
        );
    }
    if desired.customer_managed_policies != live.customer_managed_policies {
        differs(
            "customer_managed_policies",
            to_value(&live.customer_managed_policies),
            to_value(&desired.customer_managed_policies),
        );
    }
    if !same_policy(
        desired.inline_policy.as_deref(),
        live.inline_policy.as_deref(),
    ) {
        let document = |text: &Option<String>| text.as_deref().map_or(Value::Null, policy_value);
        differs(
            "inline_policy",
            document(&live.inline_policy),
            document(&desired.inline_policy),
        );
    }
    if desired.permissions_boundary != live.permissions_boundary {
        differs(
            "permissions_boundary",
            to_value(&live.permissions_boundary),
            to_value(&desired.permissions_boundary),
        );
    }
    if desired.tags != live.tags {
        differs("tags", json!(live.tags), json!(desired.tags));
    }
    fields
}
