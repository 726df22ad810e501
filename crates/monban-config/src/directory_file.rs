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
            let Some((user, position)) = user(context, item) else {
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
            sites.users.insert(user.user_name.clone(), position);
            directory.users.insert(user.user_name.clone(), user);
        }
    }
    if let Some(node) = fields.get("groups") {
        for item in context.sequence(node).unwrap_or_default() {
            let Some((group, position)) = group(context, item, &directory) else {
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
            sites.groups.insert(group.display_name.clone(), position);
            directory.groups.insert(group.display_name.clone(), group);
        }
    }
    (directory, sites)
}

fn user(context: &mut FileContext<'_>, node: &Node) -> Option<(DirectoryUser, Position)> {
    let what = "a directory user";
    let fields = context.fields(node, keys::DIRECTORY_USER, what)?;
    let user_name_node = fields.require(context, "user_name", what);
    let user_name = user_name_node.and_then(|node| context.parse(node, UserName::parse));
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
        Some(node) => context.boolean(node)?,
        None => true,
    };
    Some((
        DirectoryUser {
            user_name: user_name?,
            display_name: display_name?,
            given_name: given_name?,
            family_name: family_name?,
            email: email?,
            active,
        },
        user_name_node.map_or(fields.position, |node| node.position),
    ))
}

fn group(
    context: &mut FileContext<'_>,
    node: &Node,
    directory: &Directory,
) -> Option<(DirectoryGroup, Position)> {
    let what = "a directory group";
    let fields = context.fields(node, keys::DIRECTORY_GROUP, what)?;
    let name_node = fields.require(context, "display_name", what);
    let display_name = name_node.and_then(|node| context.parse(node, GroupName::parse));
    let description = match fields.get("description") {
        Some(node) => Some(context.parse(node, IdentityText::parse)?),
        None => None,
    };
    let mut members = Vec::new();
    if let Some(node) = fields.get("members") {
        let mut seen = HashSet::new();
        for item in context.sequence(node).unwrap_or_default() {
            let Some(member) = context.parse(item, UserName::parse) else {
                continue;
            };
            if !directory.users.contains_key(&member) {
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
    Some((
        DirectoryGroup {
            display_name: display_name?,
            description,
            members,
        },
        name_node.map_or(fields.position, |node| node.position),
    ))
}
