//! The IdP directory snapshot file (`directory.yaml`, see `docs/reference/directory.md`).

use std::collections::{BTreeMap, HashSet};

use monban_model::{Directory, DirectoryGroup, DirectoryUser, GroupName, IdentityText, UserName};

use crate::diagnostics::Code;
use crate::keys;
use crate::node::{Node, Position};
use crate::walk::FileContext;

/// Where each user and group of the snapshot is written, for later diagnostics.
#[derive(Debug, Default)]
pub(crate) struct DirectorySites {
    pub users: BTreeMap<UserName, Position>,
    pub groups: BTreeMap<GroupName, Position>,
}

pub(crate) fn directory(context: &mut FileContext<'_>, node: &Node) -> (Directory, DirectorySites) {
    let mut directory = Directory::default();
    let mut sites = DirectorySites::default();
    let Some(fields) = context.fields(node, keys::DIRECTORY, "a directory snapshot") else {
        return (directory, sites);
    };
    if let Some(node) = fields.get("users") {
        for item in context.sequence(node).unwrap_or_default() {
            let (user, named) = user(context, item);
            if let Some((name, position)) = named {
                // Known by name even when another field is invalid, so that references to
                // it do not add errors on top of the one about the field.
                sites.users.entry(name).or_insert(position);
            }
            let Some((user, position)) = user else {
                continue;
            };
            if directory.users.contains_key(&user.user_name) {
                context.report(
                    Code::DuplicateDirectoryUser,
                    position,
                    format!("user `{}` appears more than once", user.user_name),
                );
                continue;
            }
            directory.users.insert(user.user_name.clone(), user);
        }
    }
    if let Some(node) = fields.get("groups") {
        for item in context.sequence(node).unwrap_or_default() {
            let (group, named) = group(context, item, &directory, &sites);
            if let Some((name, position)) = named {
                sites.groups.entry(name).or_insert(position);
            }
            let Some((group, position)) = group else {
                continue;
            };
            if directory.groups.contains_key(&group.display_name) {
                context.report(
                    Code::DuplicateDirectoryGroup,
                    position,
                    format!("group `{}` appears more than once", group.display_name),
                );
                continue;
            }
            directory.groups.insert(group.display_name.clone(), group);
        }
    }
    (directory, sites)
}

type Named<T> = Option<(T, Position)>;

/// The user (if every field is valid) and its name (if that is).
fn user(context: &mut FileContext<'_>, node: &Node) -> (Named<DirectoryUser>, Named<UserName>) {
    let what = "a directory user";
    let Some(fields) = context.fields(node, keys::DIRECTORY_USER, what) else {
        return (None, None);
    };
    let user_name_node = fields.require(context, "user_name", what);
    let user_name = user_name_node.and_then(|node| context.parse(node, UserName::parse));
    let position = user_name_node.map_or(fields.position, |node| node.position);
    let named = user_name.clone().map(|name| (name, position));
    let text = |key: &str, context: &mut FileContext<'_>| {
        fields
            .require(context, key, what)
            .and_then(|node| context.parse(node, IdentityText::parse))
    };
    let display_name = text("display_name", context);
    let given_name = text("given_name", context);
    let family_name = text("family_name", context);
    let email = text("email", context);
    let active = match fields.get("active") {
        Some(node) => context.boolean(node),
        None => Some(true),
    };
    let user = (|| {
        Some((
            DirectoryUser {
                user_name: user_name?,
                display_name: display_name?,
                given_name: given_name?,
                family_name: family_name?,
                email: email?,
                active: active?,
            },
            position,
        ))
    })();
    (user, named)
}

/// The group (if every field is valid) and its name (if that is).
fn group(
    context: &mut FileContext<'_>,
    node: &Node,
    directory: &Directory,
    sites: &DirectorySites,
) -> (Named<DirectoryGroup>, Named<GroupName>) {
    let what = "a directory group";
    let Some(fields) = context.fields(node, keys::DIRECTORY_GROUP, what) else {
        return (None, None);
    };
    let name_node = fields.require(context, "display_name", what);
    let display_name = name_node.and_then(|node| context.parse(node, GroupName::parse));
    let position = name_node.map_or(fields.position, |node| node.position);
    let named = display_name.clone().map(|name| (name, position));
    let description = fields
        .get("description")
        .map(|node| context.parse(node, IdentityText::parse));
    let mut members = Vec::new();
    if let Some(node) = fields.get("members") {
        let mut seen = HashSet::new();
        for item in context.sequence(node).unwrap_or_default() {
            let Some(member) = context.parse(item, UserName::parse) else {
                continue;
            };
            if !directory.users.contains_key(&member) && !sites.users.contains_key(&member) {
                let hint = crate::suggest::did_you_mean(
                    member.as_str(),
                    directory.users.keys().map(UserName::as_str),
                )
                .map(|candidate| format!("did you mean `{candidate}`?"));
                context.report_with_hint(
                    Code::UnknownMember,
                    item.position,
                    format!("member `{member}` is not a user of this directory"),
                    hint.or_else(|| Some("add the user under `users:`".to_owned())),
                );
                continue;
            }
            if !seen.insert(member.clone()) {
                context.report(
                    Code::DuplicateEntry,
                    item.position,
                    format!("member `{member}` is listed more than once"),
                );
                continue;
            }
            members.push(member);
        }
    }
    let group = (|| {
        Some((
            DirectoryGroup {
                display_name: display_name?,
                description: description.map_or(Some(None), |parsed| parsed.map(Some))?,
                members,
            },
            position,
        ))
    })();
    (group, named)
}
