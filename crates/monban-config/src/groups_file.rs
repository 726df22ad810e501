//! `groups.yaml`: the IdP group and user names the repo may reference.

use std::collections::{BTreeMap, BTreeSet};

use monban_model::{GroupName, UserName};

use crate::diagnostics::Code;
use crate::keys;
use crate::node::{Node, Position};
use crate::walk::FileContext;

/// The names `groups.yaml` declares, with where each is written (for directory checks).
#[derive(Debug, Default)]
pub(crate) struct Declared {
    pub groups: BTreeMap<GroupName, Position>,
    pub users: BTreeMap<UserName, Position>,
}

impl Declared {
    pub fn group_names(&self) -> BTreeSet<GroupName> {
        self.groups.keys().cloned().collect()
    }

    pub fn user_names(&self) -> BTreeSet<UserName> {
        self.users.keys().cloned().collect()
    }
}

pub(crate) fn groups(context: &mut FileContext<'_>, node: &Node) -> Declared {
    let mut declared = Declared::default();
    let Some(fields) = context.fields(node, keys::GROUPS, "groups.yaml") else {
        return declared;
    };
    if let Some(node) = fields.get("groups") {
        names(
            context,
            node,
            GroupName::parse,
            &mut declared.groups,
            "group",
        );
    }
    if let Some(node) = fields.get("users") {
        names(context, node, UserName::parse, &mut declared.users, "user");
    }
    declared
}

fn names<T: Ord>(
    context: &mut FileContext<'_>,
    node: &Node,
    parse: fn(&str) -> Result<T, monban_model::ConstraintError>,
    into: &mut BTreeMap<T, Position>,
    kind: &str,
) {
    for item in context.sequence(node).unwrap_or_default() {
        let Some(text) = context.string(item) else {
            continue;
        };
        let name = match parse(&text) {
            Ok(name) => name,
            Err(error) => {
                context.constraint(&error, item.position);
                continue;
            }
        };
        if into.contains_key(&name) {
            context.report(
                Code::DuplicateEntry,
                item.position,
                format!("{kind} `{text}` is listed more than once"),
            );
            continue;
        }
        into.insert(name, item.position);
    }
}
