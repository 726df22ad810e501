//! Adding and deleting grants: `grant`, `revoke` and `offboard`, each a whole-line edit of
//! the source text at the place a person would make it.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use monban_model::{AccountName, PermissionSetName, PrincipalRef, Repo, Until, UserName};

use super::text::{Lines, entry, extent, is_flow, yaml_scalar};
use super::{EditError, Workspace, location};
use crate::node::{self, Node, NodeValue};

/// What `grant` adds to an account file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GrantRequest {
    pub principal: PrincipalRef,
    pub permission_set: PermissionSetName,
    pub until: Option<Until>,
    pub reason: Option<String>,
}

/// What `grant` did to one account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GrantOutcome {
    /// The entry was added at this 1-based line.
    Added { file: PathBuf, line: usize },
    /// The principal already holds the permission set there (entry at this line); nothing
    /// changed.
    AlreadyGranted {
        file: PathBuf,
        line: usize,
        until: Option<String>,
    },
}

/// What `revoke` did to one account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RevokeOutcome {
    Removed(Removal),
    /// The account file does not grant it; nothing changed.
    NotGranted {
        file: PathBuf,
    },
}

/// Lines deleted from one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Removal {
    pub file: PathBuf,
    /// The 1-based line of the first deleted line, in the file before the edit.
    pub line: usize,
    /// What the deleted entry granted, e.g. "`ReadOnly` on `harbor-prod`".
    pub what: String,
    /// The deleted text (whole lines).
    pub removed: String,
}

/// The file of an account, relative to the repo root.
#[must_use]
pub fn account_file(account: &AccountName) -> PathBuf {
    PathBuf::from("accounts").join(format!("{account}.yaml"))
}

/// Adds `request` to the account's file: into the permission set's existing list (at its
/// sorted place when the list is sorted, else at its end), or as a new permission-set
/// entry (at its sorted place when `access` is sorted, else at its end).
pub fn grant(
    workspace: &mut Workspace,
    account: &AccountName,
    request: &GrantRequest,
) -> Result<GrantOutcome, EditError> {
    let file = account_file(account);
    let text = workspace.text(&file)?;
    let root = parse(&file, &text)?;
    let lines = Lines::new(&text);
    let entry_text = |dash_column: usize| {
        let pad = " ".repeat(dash_column);
        let mut out = format!(
            "{pad}- {}: {}\n",
            request.principal.kind(),
            yaml_scalar(request.principal.name())
        );
        if let Some(until) = request.until {
            let _ = writeln!(out, "{pad}  until: {until}");
        }
        if let Some(reason) = &request.reason {
            let _ = writeln!(out, "{pad}  reason: {}", yaml_scalar(reason));
        }
        out
    };
    let block_text = |key_column: usize, dash_column: usize| {
        format!(
            "{}{}:\n{}",
            " ".repeat(key_column),
            yaml_scalar(request.permission_set.as_str()),
            entry_text(dash_column)
        )
    };

    let (insert_at, insertion) = match &root.value {
        NodeValue::Null => (text.len(), format!("access:\n{}", block_text(2, 4))),
        NodeValue::Mapping(_) if is_flow(&text, &root) => {
            return Err(flow_error(&file, &text, &root, "the account file"));
        }
        NodeValue::Mapping(_) => match entry(&root, "access") {
            None => (text.len(), format!("access:\n{}", block_text(2, 4))),
            Some((access_key, access)) => {
                let access_column = lines.indent(lines.line_of(access_key.position.start));
                match &access.value {
                    NodeValue::Null => (
                        lines.end(lines.line_of(access_key.position.start)),
                        block_text(access_column + 2, access_column + 4),
                    ),
                    NodeValue::Mapping(entries) if !is_flow(&text, access) => {
                        let found = entries.iter().find(|(key, _)| {
                            matches!(&key.value, NodeValue::String(name) if name == request.permission_set.as_str())
                        });
                        match found {
                            Some((block_key, block)) => {
                                return add_to_block(
                                    workspace,
                                    &file,
                                    &text,
                                    &lines,
                                    block_key,
                                    block,
                                    request,
                                    &entry_text,
                                );
                            }
                            None => {
                                new_block_position(&text, &lines, entries, request, &block_text)
                            }
                        }
                    }
                    _ => return Err(flow_error(&file, &text, access, "`access`")),
                }
            }
        },
        _ => {
            return Err(EditError::Unsupported {
                location: location(&file, &text, 0),
                message: "an account file must be a mapping".to_owned(),
                hint: "fix the file first (`monban validate`)".to_owned(),
            });
        }
    };
    let line = insert(workspace, &file, &text, insert_at, &insertion);
    // The entry's own line: the last line of the insertion that starts with `- `.
    let offset = insertion
        .lines()
        .position(|candidate| candidate.trim_start().starts_with("- "))
        .unwrap_or(0);
    Ok(GrantOutcome::Added {
        file,
        line: line + offset,
    })
}

/// Inserts `insertion` at `offset` (a line start, or the end of the text) and returns the
/// 1-based line it begins on.
fn insert(
    workspace: &mut Workspace,
    file: &Path,
    text: &str,
    offset: usize,
    insertion: &str,
) -> usize {
    let mut edited = String::with_capacity(text.len() + insertion.len() + 1);
    edited.push_str(&text[..offset]);
    if offset == text.len() && !text.is_empty() && !text.ends_with('\n') {
        edited.push('\n');
    }
    edited.push_str(insertion);
    edited.push_str(&text[offset..]);
    let line = edited[..offset].matches('\n').count() + 1;
    workspace.replace(file, edited);
    line
}

#[expect(
    clippy::too_many_arguments,
    reason = "the located nodes of one insertion; a struct would only name them again"
)]
fn add_to_block(
    workspace: &mut Workspace,
    file: &Path,
    text: &str,
    lines: &Lines<'_>,
    block_key: &Node,
    block: &Node,
    request: &GrantRequest,
    entry_text: &dyn Fn(usize) -> String,
) -> Result<GrantOutcome, EditError> {
    let key_line = lines.line_of(block_key.position.start);
    let key_column = lines.indent(key_line);
    let items = match &block.value {
        NodeValue::Null => &[][..],
        NodeValue::Sequence(items) if !is_flow(text, block) => items.as_slice(),
        _ => {
            return Err(flow_error(
                file,
                text,
                block,
                &format!("`{}`", request.permission_set),
            ));
        }
    };
    let wanted = (request.principal.kind(), request.principal.name());
    for item in items {
        if let Some((kind, name)) = principal_of(text, item)
            && (kind.as_str(), name.as_str()) == wanted
        {
            let until =
                entry(item, "until").and_then(|(_, value)| super::text::scalar_text(text, value));
            return Ok(GrantOutcome::AlreadyGranted {
                file: file.to_path_buf(),
                line: lines.line_of(item_start(item)) + 1,
                until,
            });
        }
    }
    let Some(first) = items.first() else {
        let offset = lines.end(key_line);
        let line = insert(workspace, file, text, offset, &entry_text(key_column + 2));
        return Ok(GrantOutcome::Added {
            file: file.to_path_buf(),
            line,
        });
    };
    let dash_column = lines.indent(lines.line_of(item_start(first)));
    let keys: Vec<Option<(String, String)>> =
        items.iter().map(|item| principal_of(text, item)).collect();
    let sorted = keys.iter().all(Option::is_some)
        && keys
            .windows(2)
            .all(|pair| sort_key(pair[0].as_ref()) <= sort_key(pair[1].as_ref()));
    let new_key = (wanted.0.to_owned(), wanted.1.to_owned());
    let before = if sorted {
        items
            .iter()
            .zip(&keys)
            .find(|(_, key)| sort_key(key.as_ref()) > sort_key(Some(&new_key)))
            .map(|(item, _)| item)
    } else {
        None
    };
    let offset = if let Some(item) = before {
        let line = lines.line_of(item_start(item));
        lines.start(lines.leading_comments(line, dash_column))
    } else {
        let last = items.last().map_or(key_line, |item| last_line(lines, item));
        lines.end(last)
    };
    let line = insert(workspace, file, text, offset, &entry_text(dash_column));
    Ok(GrantOutcome::Added {
        file: file.to_path_buf(),
        line,
    })
}

/// Groups before users, then by name: the order a sorted list of principals has.
fn sort_key(key: Option<&(String, String)>) -> (u8, &str) {
    key.map_or((2, ""), |(kind, name)| {
        (u8::from(kind.as_str() != "group"), name.as_str())
    })
}

fn new_block_position(
    text: &str,
    lines: &Lines<'_>,
    entries: &[(Node, Node)],
    request: &GrantRequest,
    block_text: &dyn Fn(usize, usize) -> String,
) -> (usize, String) {
    let Some((first_key, first_value)) = entries.first() else {
        return (text.len(), block_text(2, 4));
    };
    let key_column = lines.indent(lines.line_of(first_key.position.start));
    // The new list is indented like the existing ones.
    let dash_column = match &first_value.value {
        NodeValue::Sequence(items) if !items.is_empty() && !is_flow(text, first_value) => {
            lines.indent(lines.line_of(item_start(&items[0])))
        }
        _ => key_column + 2,
    };
    let names: Vec<Option<&str>> = entries
        .iter()
        .map(|(key, _)| match &key.value {
            NodeValue::String(name) => Some(name.as_str()),
            _ => None,
        })
        .collect();
    let sorted =
        names.iter().all(Option::is_some) && names.windows(2).all(|pair| pair[0] <= pair[1]);
    let wanted = request.permission_set.as_str();
    let before = if sorted {
        entries
            .iter()
            .zip(&names)
            .find(|(_, name)| name.is_some_and(|name| name > wanted))
            .map(|((key, _), _)| key)
    } else {
        None
    };
    let offset = if let Some(key) = before {
        let line = lines.line_of(key.position.start);
        lines.start(lines.leading_comments(line, key_column))
    } else {
        let last = entries
            .iter()
            .filter_map(|(key, value)| {
                let key_end = extent(key).map(|(_, end)| end);
                let value_end = extent(value).map(|(_, end)| end);
                key_end.max(value_end)
            })
            .max()
            .unwrap_or(0);
        lines.end(lines.line_of(last.saturating_sub(1)))
    };
    (offset, block_text(key_column, dash_column))
}

/// Deletes the account file's entry granting `permission_set` to `principal`, with the
/// comment lines directly above it; a list left empty goes with its key, and an `access`
/// left empty with it.
pub fn revoke(
    workspace: &mut Workspace,
    account: &AccountName,
    permission_set: &PermissionSetName,
    principal: &PrincipalRef,
) -> Result<RevokeOutcome, EditError> {
    let file = account_file(account);
    let text = workspace.text(&file)?;
    let root = parse(&file, &text)?;
    let wanted = (principal.kind(), principal.name());
    let found = grant_items(&text, &root).into_iter().find(|found| {
        found.permission_set == permission_set.as_str()
            && (found.kind.as_str(), found.name.as_str()) == wanted
    });
    let Some(found) = found else {
        return Ok(RevokeOutcome::NotGranted { file });
    };
    let removal = delete_grant(workspace, &file, &text, &root, &found, account)?;
    Ok(RevokeOutcome::Removed(removal))
}

/// Deletes every direct grant of `user`: entries in account files, principals of rules
/// (a rule left without principals goes whole), and the user's line in `groups.yaml`.
/// Bottom-up within each file, so every reported line number is the line in the file as
/// it was.
pub fn offboard(
    workspace: &mut Workspace,
    repo: &Repo,
    user: &UserName,
) -> Result<Vec<Removal>, EditError> {
    let mut removals = Vec::new();
    for account in repo.accounts.keys() {
        let file = account_file(account);
        if !workspace.exists(&file) {
            continue;
        }
        loop {
            let text = workspace.text(&file)?;
            let root = parse(&file, &text)?;
            let last = grant_items(&text, &root)
                .into_iter()
                .rfind(|found| found.kind == "user" && found.name == user.as_str());
            let Some(found) = last else { break };
            removals.push(delete_grant(
                workspace, &file, &text, &root, &found, account,
            )?);
        }
    }
    let mut rule_files: Vec<String> = repo.rules.iter().map(|rule| rule.id.file.clone()).collect();
    rule_files.dedup();
    for rule_file in rule_files {
        let file = PathBuf::from(&rule_file);
        loop {
            let text = workspace.text(&file)?;
            let root = parse(&file, &text)?;
            let Some(removal) = remove_last_rule_principal(&file, &text, &root, user)? else {
                break;
            };
            let (range, removal) = removal;
            workspace.replace(&file, delete(&text, range));
            removals.push(removal);
        }
    }
    let groups = PathBuf::from("groups.yaml");
    if workspace.exists(&groups) {
        let text = workspace.text(&groups)?;
        let root = parse(&groups, &text)?;
        if let Some((_, users)) = entry(&root, "users")
            && let NodeValue::Sequence(items) = &users.value
        {
            let position = items.iter().position(
                |item| matches!(&item.value, NodeValue::String(name) if name == user.as_str()),
            );
            if let Some(index) = position {
                if is_flow(&text, users) {
                    return Err(flow_error(&groups, &text, users, "`users`"));
                }
                let lines = Lines::new(&text);
                let range = item_range(&lines, &items[index]);
                removals.push(Removal {
                    file: groups.clone(),
                    line: lines.line_of(range.0) + 1,
                    what: "the declaration of the user".to_owned(),
                    removed: text[range.0..range.1].to_owned(),
                });
                workspace.replace(&groups, delete(&text, range));
            }
        }
    }
    Ok(removals)
}

/// One `- group|user: NAME` entry under `access`.
struct FoundGrant<'n> {
    access_key: &'n Node,
    access: &'n Node,
    block_key: &'n Node,
    block: &'n Node,
    item: &'n Node,
    permission_set: String,
    kind: String,
    name: String,
}

/// Every grant entry of an account file, in file order. A flow-style `access` or list is
/// an error only when it holds a grant the caller wants to delete, so [`delete_grant`]
/// checks it.
fn grant_items<'n>(text: &str, root: &'n Node) -> Vec<FoundGrant<'n>> {
    let mut found = Vec::new();
    let Some((access_key, access)) = entry(root, "access") else {
        return found;
    };
    let NodeValue::Mapping(entries) = &access.value else {
        return found;
    };
    for (block_key, block) in entries {
        let NodeValue::String(permission_set) = &block_key.value else {
            continue;
        };
        let NodeValue::Sequence(items) = &block.value else {
            continue;
        };
        for item in items {
            let Some((kind, name)) = principal_of(text, item) else {
                continue;
            };
            found.push(FoundGrant {
                access_key,
                access,
                block_key,
                block,
                item,
                permission_set: permission_set.clone(),
                kind,
                name,
            });
        }
    }
    found
}

fn delete_grant(
    workspace: &mut Workspace,
    file: &Path,
    text: &str,
    root: &Node,
    found: &FoundGrant<'_>,
    account: &AccountName,
) -> Result<Removal, EditError> {
    if is_flow(text, root) {
        return Err(flow_error(file, text, root, "the account file"));
    }
    if is_flow(text, found.access) {
        return Err(flow_error(file, text, found.access, "`access`"));
    }
    if is_flow(text, found.block) {
        return Err(flow_error(
            file,
            text,
            found.block,
            &format!("`{}`", found.permission_set),
        ));
    }
    let lines = Lines::new(text);
    let item_count = match &found.block.value {
        NodeValue::Sequence(items) => items.len(),
        _ => 1,
    };
    let block_count = match &found.access.value {
        NodeValue::Mapping(entries) => entries.len(),
        _ => 1,
    };
    let range = if item_count > 1 {
        item_range(&lines, found.item)
    } else if block_count > 1 {
        entry_range(&lines, found.block_key, found.block)
    } else {
        entry_range(&lines, found.access_key, found.access)
    };
    let removal = Removal {
        file: file.to_path_buf(),
        line: lines.line_of(range.0) + 1,
        what: format!("`{}` on `{account}`", found.permission_set),
        removed: text[range.0..range.1].to_owned(),
    };
    workspace.replace(file, delete(text, range));
    Ok(removal)
}

/// A byte range of a file: start, end.
type ByteRange = (usize, usize);

/// The last principal entry naming `user` in a rule file, as the byte range to delete
/// (the rule itself when it is its only principal).
fn remove_last_rule_principal(
    file: &Path,
    text: &str,
    root: &Node,
    user: &UserName,
) -> Result<Option<(ByteRange, Removal)>, EditError> {
    let NodeValue::Sequence(rules) = &root.value else {
        return Ok(None);
    };
    let lines = Lines::new(text);
    for (index, rule) in rules.iter().enumerate().rev() {
        let Some((_, principals)) = entry(rule, "principals") else {
            continue;
        };
        let NodeValue::Sequence(items) = &principals.value else {
            continue;
        };
        let Some(item) = items.iter().rev().find(|item| {
            principal_of(text, item)
                .is_some_and(|(kind, name)| kind == "user" && name == user.as_str())
        }) else {
            continue;
        };
        if is_flow(text, root) {
            return Err(flow_error(file, text, root, "the rule file"));
        }
        let permission_set = entry(rule, "permission_set")
            .and_then(|(_, value)| super::text::scalar_text(text, value))
            .unwrap_or_default();
        let what = format!(
            "`{permission_set}` by rule {}#{}",
            crate::diagnostics::display_path(file),
            index + 1
        );
        let range = if items.len() > 1 {
            if is_flow(text, principals) {
                return Err(flow_error(file, text, principals, "`principals`"));
            }
            item_range(&lines, item)
        } else {
            if is_flow(text, rule) {
                return Err(flow_error(file, text, rule, "the rule"));
            }
            item_range(&lines, rule)
        };
        let removal = Removal {
            file: file.to_path_buf(),
            line: lines.line_of(range.0) + 1,
            what,
            removed: text[range.0..range.1].to_owned(),
        };
        return Ok(Some((range, removal)));
    }
    Ok(None)
}

/// The lines of a block-sequence item, with the comment lines directly above it.
fn item_range(lines: &Lines<'_>, item: &Node) -> (usize, usize) {
    let first = lines.line_of(item_start(item));
    let column = lines.indent(first);
    let first = lines.leading_comments(first, column);
    (lines.start(first), lines.end(last_line(lines, item)))
}

/// The lines of a `key: value` entry of a block mapping, with the comment lines directly
/// above the key.
fn entry_range(lines: &Lines<'_>, key: &Node, value: &Node) -> (usize, usize) {
    let key_line = lines.line_of(key.position.start);
    let first = lines.leading_comments(key_line, lines.indent(key_line));
    let last = last_line(lines, value).max(last_line(lines, key));
    (lines.start(first), lines.end(last))
}

fn delete(text: &str, (start, end): (usize, usize)) -> String {
    format!("{}{}", &text[..start], &text[end..])
}

fn item_start(item: &Node) -> usize {
    extent(item).map_or(item.position.start, |(start, _)| start)
}

fn last_line(lines: &Lines<'_>, node: &Node) -> usize {
    extent(node).map_or_else(
        || lines.line_of(node.position.start),
        |(_, end)| lines.line_of(end.saturating_sub(1)),
    )
}

/// `(kind, name)` of a `{ group: NAME }` / `{ user: NAME }` mapping.
fn principal_of(text: &str, item: &Node) -> Option<(String, String)> {
    for kind in ["group", "user"] {
        if let Some((_, value)) = entry(item, kind) {
            return super::text::scalar_text(text, value).map(|name| (kind.to_owned(), name));
        }
    }
    None
}

pub(crate) fn parse(file: &Path, text: &str) -> Result<Node, EditError> {
    node::parse(text).map_err(|error| EditError::Syntax {
        location: location(file, text, error.position.start),
        message: error.message,
    })
}

fn flow_error(file: &Path, text: &str, node: &Node, what: &str) -> EditError {
    EditError::Unsupported {
        location: location(file, text, node.position.start),
        message: format!(
            "{what} is written in flow style (`{{ … }}` / `[ … ]`), which cannot be edited one line per entry"
        ),
        hint: if file.starts_with("accounts") {
            "run `monban fmt` to rewrite it one entry per line, then run this command again"
                .to_owned()
        } else {
            "rewrite it with one entry per line (`- …`), then run this command again".to_owned()
        },
    }
}

/// Resolves the names a `grant`/`revoke` request uses against the repo: every one must
/// exist (an unknown one is an error with the closest known name), so nothing is written
/// for a typo.
pub fn resolve_names(
    repo: &Repo,
    principal_kind: &str,
    principal_name: &str,
    permission_set: &str,
    accounts: &[String],
) -> Result<(PrincipalRef, PermissionSetName, Vec<AccountName>), EditError> {
    use crate::suggest::did_you_mean;
    let unknown = |kind: &'static str, name: &str, suggestion: Option<&str>, fix: String| {
        EditError::UnknownName {
            kind,
            name: name.to_owned(),
            suggestion: suggestion.map(str::to_owned),
            fix,
        }
    };
    let principal = if principal_kind == "group" {
        let known = monban_model::GroupName::parse(principal_name)
            .ok()
            .filter(|name| repo.groups.contains(name));
        let Some(name) = known else {
            return Err(unknown(
                "group",
                principal_name,
                did_you_mean(
                    principal_name,
                    repo.groups.iter().map(monban_model::GroupName::as_str),
                ),
                format!("declare `{principal_name}` under `groups` in groups.yaml first"),
            ));
        };
        PrincipalRef::Group(name)
    } else {
        let known = UserName::parse(principal_name)
            .ok()
            .filter(|name| repo.users.contains(name));
        let Some(name) = known else {
            return Err(unknown(
                "user",
                principal_name,
                did_you_mean(principal_name, repo.users.iter().map(UserName::as_str)),
                format!("declare `{principal_name}` under `users` in groups.yaml first"),
            ));
        };
        PrincipalRef::User(name)
    };
    let Some(permission_set_name) = PermissionSetName::parse(permission_set)
        .ok()
        .filter(|name| repo.permission_sets.contains_key(name))
    else {
        return Err(unknown(
            "permission set",
            permission_set,
            did_you_mean(
                permission_set,
                repo.permission_sets.keys().map(PermissionSetName::as_str),
            ),
            format!("create permission-sets/{permission_set}.yaml first"),
        ));
    };
    let mut names = Vec::with_capacity(accounts.len());
    for account in accounts {
        let Some(name) = AccountName::parse(account)
            .ok()
            .filter(|name| repo.accounts.contains_key(name))
        else {
            return Err(unknown(
                "account",
                account,
                did_you_mean(account, repo.accounts.keys().map(AccountName::as_str)),
                format!("create accounts/{account}.yaml first"),
            ));
        };
        if !names.contains(&name) {
            names.push(name);
        }
    }
    Ok((principal, permission_set_name, names))
}

/// Declares `user` in `groups.yaml` `users:` (a joiner's first direct grant): at the
/// sorted place when the list is sorted, else at its end; `users:` is added when missing.
/// Returns the 1-based line of the new entry, or `None` when the user is already listed.
pub fn declare_user(
    workspace: &mut Workspace,
    user: &UserName,
) -> Result<Option<usize>, EditError> {
    let file = PathBuf::from("groups.yaml");
    if !workspace.exists(&file) {
        return Err(EditError::Unsupported {
            location: "groups.yaml".to_owned(),
            message: format!("there is no groups.yaml to declare user `{user}` in"),
            hint: "create groups.yaml with `users:` listing the user names the repo may grant to"
                .to_owned(),
        });
    }
    let text = workspace.text(&file)?;
    let root = parse(&file, &text)?;
    let lines = Lines::new(&text);
    let name = yaml_scalar(user.as_str());
    let (offset, insertion) = match entry(&root, "users") {
        _ if is_flow(&text, &root) => return Err(flow_error(&file, &text, &root, "groups.yaml")),
        None => (text.len(), format!("users:\n  - {name}\n")),
        Some((key, users)) => {
            let key_line = lines.line_of(key.position.start);
            match &users.value {
                NodeValue::Null => (
                    lines.end(key_line),
                    format!("{}- {name}\n", " ".repeat(lines.indent(key_line) + 2)),
                ),
                NodeValue::Sequence(items) if !is_flow(&text, users) => {
                    let names: Vec<Option<String>> = items
                        .iter()
                        .map(|item| super::text::scalar_text(&text, item))
                        .collect();
                    if names.iter().flatten().any(|listed| listed == user.as_str()) {
                        return Ok(None);
                    }
                    let Some(first) = items.first() else {
                        return Err(flow_error(&file, &text, users, "`users`"));
                    };
                    let dash_column = lines.indent(lines.line_of(item_start(first)));
                    let sorted = names.iter().all(Option::is_some)
                        && names.windows(2).all(|pair| pair[0] <= pair[1]);
                    let before = items
                        .iter()
                        .zip(&names)
                        .find(|(_, listed)| {
                            sorted
                                && listed
                                    .as_deref()
                                    .is_some_and(|listed| listed > user.as_str())
                        })
                        .map(|(item, _)| item);
                    let offset = if let Some(item) = before {
                        let line = lines.line_of(item_start(item));
                        lines.start(lines.leading_comments(line, dash_column))
                    } else {
                        let last = items
                            .last()
                            .map_or(key_line, |item| last_line(&lines, item));
                        lines.end(last)
                    };
                    (offset, format!("{}- {name}\n", " ".repeat(dash_column)))
                }
                _ => return Err(flow_error(&file, &text, users, "`users`")),
            }
        }
    };
    let line = insert(workspace, &file, &text, offset, &insertion);
    // The entry is the last line inserted (after `users:` when that was added too).
    Ok(Some(line + insertion.lines().count() - 1))
}

/// The known name closest to `name`, for "did you mean" (see `suggest.rs`).
#[must_use]
pub fn closest<'c>(name: &str, candidates: impl IntoIterator<Item = &'c str>) -> Option<&'c str> {
    crate::suggest::did_you_mean(name, candidates)
}
