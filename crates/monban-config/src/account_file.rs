//! `accounts/<name>.yaml`: one AWS account, its placement, tags and access.

use std::collections::{BTreeMap, HashSet};

use monban_model::{
    Account, AccountId, AccountName, Email, Grant, MAX_ACCOUNT_TAGS, OuPath, PermissionSetName,
    Until,
};

use crate::diagnostics::Code;
use crate::keys;
use crate::load::{AccountSites, Collected, GrantSite, Referent};
use crate::node::{Node, Position};
use crate::principal::principal;
use crate::tags::tags;
use crate::walk::FileContext;

/// What an account file declares, besides the account itself: the positions later checks
/// point at.
pub(crate) fn account(
    context: &mut FileContext<'_>,
    name: AccountName,
    node: &Node,
    collected: &mut Collected,
) -> Account {
    let mut account = Account::new(name.clone());
    let mut sites = AccountSites {
        file: context.file.clone(),
        top: node.position,
        id: None,
        email: None,
        close: None,
    };
    let Some(fields) = context.fields(node, keys::ACCOUNT, "an account file") else {
        collected.account_sites.insert(name, sites);
        return account;
    };
    if let Some(node) = fields.get("id") {
        // An unquoted id is read as the text written, so leading zeros survive.
        account.id = context.parse(node, AccountId::parse);
        sites.id = Some(node.position);
    }
    if let Some(node) = fields.get("email") {
        if let Some(email) = context.parse(node, Email::parse) {
            account.root_email = Some(monban_model::RootEmail {
                address: email,
                derived: false,
            });
        }
        sites.email = Some(node.position);
    }
    if let Some(node) = fields.get("ou")
        && let Some(ou) = context.parse(node, OuPath::parse)
    {
        collected.reference(Referent::Ou(ou.clone()), context, node.position);
        account.ou = Some(ou);
    }
    if let Some(node) = fields.get("owners") {
        account.owners = crate::owners::owners(context, node);
    }
    if let Some(node) = fields.get("tags") {
        account.tags = tags(context, node, MAX_ACCOUNT_TAGS);
    }
    if let Some(node) = fields.get("close") {
        account.close = context.boolean(node).unwrap_or(false);
        sites.close = Some(node.position);
    }
    if let Some(node) = fields.get("access") {
        account.access = access(context, &name, node, collected);
    }
    collected.account_sites.insert(name, sites);
    account
}

fn access(
    context: &mut FileContext<'_>,
    account: &AccountName,
    node: &Node,
    collected: &mut Collected,
) -> BTreeMap<PermissionSetName, Vec<Grant>> {
    let mut access = BTreeMap::new();
    for (key_text, key, value) in context.free_mapping(node).unwrap_or_default() {
        let permission_set = match PermissionSetName::parse(&key_text) {
            Ok(name) => name,
            Err(error) => {
                context.constraint(&error, key.position);
                continue;
            }
        };
        collected.reference(
            Referent::PermissionSet(permission_set.clone()),
            context,
            key.position,
        );
        let mut grants = Vec::new();
        let mut seen = HashSet::new();
        for item in context.sequence(value).unwrap_or_default() {
            let Some(grant) = grant(context, item, collected) else {
                continue;
            };
            let (grant, position) = grant;
            if !seen.insert(grant.principal.clone()) {
                context.report_with_hint(
                    Code::DuplicateGrant,
                    position,
                    format!(
                        "{} is granted `{permission_set}` on this account more than once",
                        grant.principal
                    ),
                    Some("remove one of the two entries".to_owned()),
                );
                continue;
            }
            collected.grant_sites.push(GrantSite {
                account: account.clone(),
                permission_set: permission_set.clone(),
                principal: grant.principal.clone(),
                file: context.file.clone(),
                position,
            });
            grants.push(grant);
        }
        if grants.is_empty() && context_sequence_is_empty(value) {
            context.report_with_hint(
                Code::EmptyValue,
                key.position,
                format!("`{permission_set}` lists no principals"),
                Some("add `- group: NAME` entries, or remove the permission set".to_owned()),
            );
        }
        access.insert(permission_set, grants);
    }
    access
}

fn context_sequence_is_empty(node: &Node) -> bool {
    match &node.value {
        crate::node::NodeValue::Sequence(items) => items.is_empty(),
        crate::node::NodeValue::Null => true,
        _ => false,
    }
}

fn grant(
    context: &mut FileContext<'_>,
    node: &Node,
    collected: &mut Collected,
) -> Option<(Grant, Position)> {
    let fields = context.fields(node, keys::GRANT, "a grant")?;
    let until = fields.get("until").and_then(|node| {
        let until = context.parse(node, Until::parse)?;
        if until.has_passed(collected.today) {
            context.report_with_hint(
                Code::GrantExpired,
                node.position,
                format!("this grant ended on {until} (UTC); plans remove it"),
                Some(
                    "delete the entry, or extend `until` if the access is still needed".to_owned(),
                ),
            );
        }
        Some(until)
    });
    let reason = fields.get("reason").and_then(|node| context.string(node));
    let (principal, position) = principal(context, &fields, "a grant", collected)?;
    Some((
        Grant {
            principal,
            until,
            reason,
        },
        position,
    ))
}
