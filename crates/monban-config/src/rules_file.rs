//! `rules/*.yaml`: lists of selector rules.

use monban_model::{AccountSelector, OuPattern, PermissionSetName, Rule, RuleId};

use crate::diagnostics::Code;
use crate::keys;
use crate::load::{Collected, Referent};
use crate::node::Node;
use crate::principal::principal;
use crate::tags::tags;
use crate::walk::FileContext;

pub(crate) fn rules(
    context: &mut FileContext<'_>,
    file_name: &str,
    node: &Node,
    collected: &mut Collected,
) -> Vec<Rule> {
    let mut rules = Vec::new();
    let Some(items) = context.sequence(node) else {
        return rules;
    };
    for (index, item) in items.iter().enumerate() {
        if let Some(rule) = rule(context, file_name, index, item, collected) {
            collected
                .rule_positions
                .push((context.file.clone(), item.position));
            rules.push(rule);
        }
    }
    rules
}

fn rule(
    context: &mut FileContext<'_>,
    file_name: &str,
    index: usize,
    node: &Node,
    collected: &mut Collected,
) -> Option<Rule> {
    let what = "a rule";
    let fields = context.fields(node, keys::RULE, what)?;
    let permission_set = fields
        .require(context, "permission_set", what)
        .and_then(|node| {
            let name = context.parse(node, PermissionSetName::parse)?;
            collected.reference(
                Referent::PermissionSet(name.clone()),
                context,
                node.position,
            );
            Some(name)
        });
    let mut principals = Vec::new();
    let mut principals_ok = true;
    if let Some(node) = fields.require(context, "principals", what) {
        let items = context.sequence(node).unwrap_or_default();
        if items.is_empty() {
            context.report_with_hint(
                Code::EmptyValue,
                node.position,
                "a rule needs at least one principal",
                Some("add `{ group: NAME }` entries to `principals`".to_owned()),
            );
            principals_ok = false;
        }
        for item in items {
            let Some(entry) = context.fields(item, keys::PRINCIPAL, "a principal") else {
                principals_ok = false;
                continue;
            };
            match principal(context, &entry, "a principal", collected) {
                Some((principal, position)) => {
                    if principals.contains(&principal) {
                        context.report(
                            Code::DuplicateEntry,
                            position,
                            format!("{principal} is listed more than once in this rule"),
                        );
                    } else {
                        principals.push(principal);
                    }
                }
                None => principals_ok = false,
            }
        }
    } else {
        principals_ok = false;
    }
    let accounts = fields
        .require(context, "accounts", what)
        .and_then(|node| selector(context, node, collected));
    let (Some(permission_set), Some(accounts), true) = (permission_set, accounts, principals_ok)
    else {
        return None;
    };
    Some(Rule {
        id: RuleId {
            file: file_name.to_owned(),
            index,
        },
        permission_set,
        principals,
        accounts,
    })
}

fn selector(
    context: &mut FileContext<'_>,
    node: &Node,
    collected: &mut Collected,
) -> Option<AccountSelector> {
    let fields = context.fields(node, keys::SELECTOR, "an account selector")?;
    let mut selector = AccountSelector::default();
    let mut ok = true;
    if let Some(node) = fields.get("ou") {
        match context.parse(node, OuPattern::parse) {
            Some(pattern) => {
                if let Some(ou) = pattern.ou() {
                    collected.reference(Referent::Ou(ou.clone()), context, node.position);
                }
                selector.ou = Some(pattern);
            }
            None => ok = false,
        }
    }
    if let Some(node) = fields.get("tags") {
        selector.tags = tags(context, node, usize::MAX);
    }
    if selector.ou.is_none() && selector.tags.is_empty() && ok {
        context.report_with_hint(
            Code::EmptySelector,
            fields.position,
            "this selector names neither `ou` nor `tags`",
            Some("use `ou: \"**\"` for every account".to_owned()),
        );
        return None;
    }
    ok.then_some(selector)
}
