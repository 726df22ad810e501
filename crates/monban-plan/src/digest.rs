//! Digests (design §10): SHA-256 over a canonical JSON serialization — object keys sorted
//! by their UTF-8 bytes, no insignificant whitespace, strings and numbers as `serde_json`
//! writes them. The canonical form is written here rather than relying on
//! `serde_json::Value`'s map order, which a `preserve_order` feature enabled anywhere in
//! the build would silently change.

use monban_model::{
    AccountSelector, Grant, LiveState, OuPattern, PermissionsBoundary, PrincipalRef, Repo, Target,
};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

/// The canonical JSON text of a value.
#[must_use]
pub fn canonical_json(value: &Value) -> String {
    let mut out = String::new();
    write_canonical(value, &mut out);
    out
}

fn write_canonical(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|left, right| left.0.as_bytes().cmp(right.0.as_bytes()));
            out.push('{');
            for (index, (key, item)) in entries.into_iter().enumerate() {
                if index > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(key.clone()).to_string());
                out.push(':');
                write_canonical(item, out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (index, item) in items.iter().enumerate() {
                if index > 0 {
                    out.push(',');
                }
                write_canonical(item, out);
            }
            out.push(']');
        }
        // Scalars: serde_json's own text is already canonical (no whitespace, shortest
        // round-tripping numbers, minimal escapes).
        scalar => out.push_str(&scalar.to_string()),
    }
}

/// SHA-256 of the canonical JSON of `value`, lowercase hex.
#[must_use]
pub fn digest(value: &Value) -> String {
    hex::encode(Sha256::digest(canonical_json(value).as_bytes()))
}

/// The digest of the live state the plan read: everything but `read_at` (the same state
/// read twice has the same digest).
#[must_use]
pub fn state_digest(live: &LiveState) -> String {
    // Serializing plain data structs with string keys cannot fail.
    let mut value = serde_json::to_value(live).expect("LiveState serializes to JSON");
    if let Value::Object(map) = &mut value {
        map.remove("read_at");
    }
    digest(&value)
}

/// The digest of the desired inputs: every setting, account, permission set, principal
/// name and rule of the repo.
#[must_use]
pub fn repo_digest(repo: &Repo) -> String {
    digest(&repo_value(repo))
}

fn principal_value(principal: &PrincipalRef) -> Value {
    json!({ "kind": principal.kind(), "name": principal.name() })
}

fn grant_value(grant: &Grant) -> Value {
    json!({
        "principal": principal_value(&grant.principal),
        "until": grant.until.map(|until| until.to_string()),
        "reason": grant.reason,
    })
}

fn selector_value(selector: &AccountSelector) -> Value {
    json!({
        "ou": selector.ou.as_ref().map(OuPattern::to_string),
        "tags": tags_value(selector.tags.iter().map(|(key, value)| (key.as_str(), value.as_str()))),
    })
}

fn tags_value<'tag>(tags: impl Iterator<Item = (&'tag str, &'tag str)>) -> Value {
    Value::Object(
        tags.map(|(key, value)| (key.to_owned(), Value::String(value.to_owned())))
            .collect(),
    )
}

fn boundary_value(boundary: &PermissionsBoundary) -> Value {
    match boundary {
        PermissionsBoundary::ManagedPolicy(arn) => json!({ "managed_policy": arn.as_str() }),
        PermissionsBoundary::CustomerManagedPolicy(policy) => json!({
            "customer_managed_policy": { "name": policy.name.as_str(), "path": policy.path.as_str() }
        }),
    }
}

fn repo_value(repo: &Repo) -> Value {
    let settings = &repo.settings;
    let target = match &settings.target {
        Target::Sandbox => json!("sandbox"),
        Target::Aws { profile, region } => json!({
            "aws": { "profile": profile.as_ref().map(monban_model::ProfileName::as_str), "region": region.as_str() }
        }),
    };
    let accounts: Vec<Value> = repo
        .accounts
        .values()
        .map(|account| {
            let access: serde_json::Map<String, Value> = account
                .access
                .iter()
                .map(|(permission_set, grants)| {
                    (
                        permission_set.as_str().to_owned(),
                        Value::Array(grants.iter().map(grant_value).collect()),
                    )
                })
                .collect();
            json!({
                "name": account.name.as_str(),
                "id": account.id.as_ref().map(monban_model::AccountId::as_str),
                "email": account.root_email.as_ref().map(|email| email.address.as_str()),
                "ou": account.ou.as_ref().map(ToString::to_string),
                "owners": account.owners,
                "tags": tags_value(account.tags.iter().map(|(key, value)| (key.as_str(), value.as_str()))),
                "close": account.close,
                "access": access,
            })
        })
        .collect();
    let permission_sets: Vec<Value> = repo
        .permission_sets
        .values()
        .map(|set| {
            json!({
                "name": set.name.as_str(),
                "description": set.description.as_ref().map(monban_model::PermissionSetDescription::as_str),
                "session_duration": set.session_duration.to_string(),
                "relay_state": set.relay_state.as_ref().map(monban_model::RelayState::as_str),
                "managed_policies": set.managed_policies.iter().map(monban_model::ManagedPolicyArn::as_str).collect::<Vec<_>>(),
                "customer_managed_policies": set.customer_managed_policies.iter().map(|policy| json!({
                    "name": policy.name.as_str(), "path": policy.path.as_str()
                })).collect::<Vec<_>>(),
                "inline_policy": set.inline_policy.as_ref().map(monban_model::InlinePolicy::as_str),
                "permissions_boundary": set.permissions_boundary.as_ref().map(boundary_value),
                "tags": tags_value(set.tags.iter().map(|(key, value)| (key.as_str(), value.as_str()))),
            })
        })
        .collect();
    let rules: Vec<Value> = repo
        .rules
        .iter()
        .map(|rule| {
            json!({
                "file": rule.id.file,
                "index": rule.id.index,
                "permission_set": rule.permission_set.as_str(),
                "principals": rule.principals.iter().map(principal_value).collect::<Vec<_>>(),
                "accounts": selector_value(&rule.accounts),
            })
        })
        .collect();
    json!({
        "settings": {
            "target": target,
            "organization": {
                "management_account": settings.organization.management_account.as_ref().map(monban_model::AccountName::as_str),
                "root_email": settings.organization.root_email.as_ref().map(monban_model::RootEmailTemplate::as_str),
                "ous": settings.organization.ous.iter().map(ToString::to_string).collect::<Vec<_>>(),
            },
            "identity_center": {
                "region": settings.identity_center.region.as_str(),
                "identity_source": settings.identity_center.identity_source.as_str(),
            },
            "safety": {
                "exclusive": settings.safety.exclusive,
                "max_removals": settings.safety.max_removals,
                "protected": settings.safety.protected.iter().map(|entry| json!({
                    "account": entry.account.as_str(),
                    "permission_set": entry.permission_set.as_str(),
                    "principal": principal_value(&entry.principal),
                })).collect::<Vec<_>>(),
            },
        },
        "accounts": accounts,
        "permission_sets": permission_sets,
        "groups": repo.groups.iter().map(monban_model::GroupName::as_str).collect::<Vec<_>>(),
        "users": repo.users.iter().map(monban_model::UserName::as_str).collect::<Vec<_>>(),
        "rules": rules,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_json_sorts_keys_at_every_level() {
        let value = json!({"b": 1, "a": {"d": [true, null, "x"], "c": 2.5}});
        assert_eq!(
            canonical_json(&value),
            r#"{"a":{"c":2.5,"d":[true,null,"x"]},"b":1}"#
        );
    }

    #[test]
    fn canonical_json_escapes_keys_and_strings() {
        let value = json!({"k\"ey": "line\nbreak"});
        assert_eq!(canonical_json(&value), r#"{"k\"ey":"line\nbreak"}"#);
    }

    #[test]
    fn digest_ignores_key_order_and_whitespace() {
        let left: Value = serde_json::from_str(r#"{"a": 1, "b": [1, 2]}"#).unwrap();
        let right: Value = serde_json::from_str("{\"b\":[1,2],\n \"a\":1}").unwrap();
        assert_eq!(digest(&left), digest(&right));
        assert_ne!(digest(&left), digest(&json!({"a": 1, "b": [2, 1]})));
        assert_eq!(digest(&left).len(), 64);
    }
}
