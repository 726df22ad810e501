//! `monban fmt` for account files: the canonical layout of docs/reference/editing.md.
//!
//! - top-level keys in the documented order (`id`, `email`, `ou`, `owners`, `tags`,
//!   `close`, `access`), each moving with the comment lines directly above it; the comment
//!   lines before the first key stay at the top of the file;
//! - `access` in block style: permission sets indented 2, their entries `- ` at 4, an
//!   entry's other keys at 6, in the order principal, `until`, `reason` (flow-style lists
//!   and entries are rewritten that way);
//! - no trailing whitespace, no runs of blank lines, one newline at the end.
//!
//! The order of permission sets and of principals is the author's and is kept: it often
//! means something (most powerful first, teams in business order), and sorting would turn
//! a one-line change into a large diff. Values keep their source text (quoting included);
//! comments are kept, re-indented to the entry they precede.

use std::fmt::Write as _;
use std::path::Path;

use jiff::civil::Date;
use monban_model::Until;

use super::access::parse;
use super::text::{Lines, extent, is_flow, scalar_text};
use super::{EditError, location};
use crate::keys;
use crate::node::{Node, NodeValue};

/// The result of formatting one account file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Formatted {
    pub text: String,
    /// Grants left out because their `until` has passed.
    pub pruned: Vec<PrunedGrant>,
}

/// A grant `--prune-expired` dropped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrunedGrant {
    pub permission_set: String,
    pub principal: String,
    pub until: String,
    /// 1-based line in the file before formatting.
    pub line: usize,
}

/// Formats an account file. With `prune_expired_on`, grants whose `until` has passed on
/// that date are dropped (with their comments; a list left empty goes with its key).
pub fn format_account(
    file: &Path,
    text: &str,
    prune_expired_on: Option<Date>,
) -> Result<Formatted, EditError> {
    let root = parse(file, text)?;
    let lines = Lines::new(text);
    let entries = match &root.value {
        NodeValue::Null => {
            return Ok(Formatted {
                text: tidy(text),
                pruned: Vec::new(),
            });
        }
        NodeValue::Mapping(entries) if !is_flow(text, &root) => entries,
        _ => {
            return Err(EditError::Unsupported {
                location: location(file, text, root.position.start),
                message: "the account file is not a block mapping".to_owned(),
                hint: "write one `key: value` per line".to_owned(),
            });
        }
    };
    let Some((first_key, _)) = entries.first() else {
        return Ok(Formatted {
            text: tidy(text),
            pruned: Vec::new(),
        });
    };
    // Segment i runs from its first line (its key, or the comments directly above it)
    // to the first line of segment i + 1.
    let first_line = lines.line_of(first_key.position.start);
    let mut starts: Vec<usize> = Vec::with_capacity(entries.len());
    for (index, (key, _)) in entries.iter().enumerate() {
        let line = lines.line_of(key.position.start);
        starts.push(if index == 0 {
            line
        } else {
            lines.leading_comments(line, 0)
        });
    }
    let mut segments: Vec<(usize, usize, String, bool)> = Vec::with_capacity(entries.len());
    let mut pruned = Vec::new();
    for (index, (key, value)) in entries.iter().enumerate() {
        let start = lines.start(starts[index]);
        let end = starts
            .get(index + 1)
            .map_or(text.len(), |line| lines.start(*line));
        let name = match &key.value {
            NodeValue::String(name) => name.as_str(),
            _ => "",
        };
        let rank = keys::ACCOUNT
            .iter()
            .position(|known| *known == name)
            .unwrap_or(keys::ACCOUNT.len());
        let mut segment = if name == "access" {
            format_access(
                file,
                text,
                &lines,
                (start, end),
                key,
                value,
                prune_expired_on,
                &mut pruned,
            )?
        } else {
            text[start..end].to_owned()
        };
        // A blank line after a segment stays only where the segment stays.
        let trimmed_length = segment.trim_end().len();
        let blank_after = segment[trimmed_length..].matches('\n').count() > 1;
        segment.truncate(trimmed_length);
        if !segment.is_empty() {
            segment.push('\n');
        }
        segments.push((rank, index, segment, blank_after));
    }
    segments.sort_by_key(|(rank, index, _, _)| (*rank, *index));
    let mut out = text[..lines.start(first_line)].to_owned();
    for (position, (_, index, segment, blank_after)) in segments.into_iter().enumerate() {
        out.push_str(&segment);
        if blank_after && position == index {
            out.push('\n');
        }
    }
    Ok(Formatted {
        text: tidy(&out),
        pruned,
    })
}

/// No trailing whitespace, at most one blank line in a row, none at the start or end, one
/// final newline.
fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut blank_run = false;
    for line in text.lines() {
        let line = line.trim_end();
        if line.is_empty() {
            blank_run = !out.is_empty();
            continue;
        }
        if blank_run {
            out.push('\n');
            blank_run = false;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// Comment lines (and whether a blank line came first) between two offsets, re-indented.
fn comments_between(lines: &Lines<'_>, from_line: usize, to_line: usize, indent: usize) -> String {
    let mut out = String::new();
    let mut blank = false;
    for line in from_line..to_line {
        if lines.is_blank(line) {
            blank = true;
        } else if lines.is_comment(line) {
            if blank && !out.is_empty() {
                out.push('\n');
            }
            blank = false;
            out.push_str(&" ".repeat(indent));
            out.push_str(lines.content(line).trim());
            out.push('\n');
        }
    }
    out
}

#[expect(
    clippy::too_many_arguments,
    reason = "the located pieces of one segment; a struct would only name them again"
)]
fn format_access(
    file: &Path,
    text: &str,
    lines: &Lines<'_>,
    (start, end): (usize, usize),
    key: &Node,
    value: &Node,
    prune_expired_on: Option<Date>,
    pruned: &mut Vec<PrunedGrant>,
) -> Result<String, EditError> {
    let key_line = lines.line_of(key.position.start);
    // The comments above `access:` (already at column 0 when they belong to it).
    let mut out = text[start..lines.start(key_line)].to_owned();
    let key_end = key.position.end;
    // A comment after a flow-style value (`access: { … }  # why`) moves to the key's line.
    let access_comment = if is_flow(text, value) {
        flow_comment(lines, value)
    } else {
        lines.trailing_comment(key_line, key_end + 1)
    }
    .unwrap_or_default();
    let mut body = String::new();
    let entries: &[(Node, Node)] = match &value.value {
        NodeValue::Mapping(entries) => entries,
        NodeValue::Null => &[],
        _ => {
            return Err(EditError::Unsupported {
                location: location(file, text, value.position.start),
                message: "`access` is not a mapping".to_owned(),
                hint: "fix the file first (`monban validate`)".to_owned(),
            });
        }
    };
    let flow_access = is_flow(text, value);
    // The line after which the next element's leading comments begin.
    let mut previous_line = key_line;
    for (block_key, block) in entries {
        let block_line = lines.line_of(block_key.position.start);
        let leading = if flow_access || block_line <= previous_line {
            String::new()
        } else {
            comments_between(lines, previous_line + 1, block_line, 2)
        };
        let name = source(file, text, block_key)?;
        let mut block_text = format!("  {name}:");
        let block_comment = if flow_access {
            None
        } else if is_flow(text, block) {
            flow_comment(lines, block)
        } else {
            lines.trailing_comment(block_line, block_key.position.end + 1)
        };
        if let Some(comment) = block_comment {
            block_text.push_str(comment);
        }
        block_text.push('\n');
        previous_line = block_line;
        let items: &[Node] = match &block.value {
            NodeValue::Sequence(items) => items,
            _ => &[],
        };
        let flow_block = flow_access || is_flow(text, block);
        let mut kept = 0;
        for item in items {
            let item_line = lines.line_of(extent(item).map_or(item.position.start, |(s, _)| s));
            let item_last =
                extent(item).map_or(item_line, |(_, e)| lines.line_of(e.saturating_sub(1)));
            let item_leading = if flow_block || item_line <= previous_line {
                String::new()
            } else {
                comments_between(lines, previous_line + 1, item_line, 4)
            };
            if !flow_block {
                previous_line = item_last;
            }
            let (rendered, until) = format_grant(file, text, lines, item, flow_block)?;
            if let (Some(today), Some(until)) = (prune_expired_on, until.as_deref())
                && Until::parse(until).is_ok_and(|date| date.has_passed(today))
            {
                pruned.push(PrunedGrant {
                    permission_set: name.trim_matches(['"', '\'']).to_owned(),
                    principal: rendered
                        .lines()
                        .next()
                        .unwrap_or_default()
                        .trim()
                        .trim_start_matches("- ")
                        .to_owned(),
                    until: until.to_owned(),
                    line: item_line + 1,
                });
                continue;
            }
            kept += 1;
            block_text.push_str(&item_leading);
            block_text.push_str(&rendered);
        }
        if flow_block {
            previous_line =
                lines.line_of(extent(block).map_or(block_line, |(_, e)| e.saturating_sub(1)));
        }
        if kept > 0 || items.is_empty() {
            body.push_str(&leading);
            body.push_str(&block_text);
        }
    }
    // Comments after the last entry, before the next top-level key: those in the block
    // are re-indented into it; from the first one at column 0 on, they are about the file
    // and stay at column 0.
    let end_line = lines.line_of(end.saturating_sub(1).max(start));
    let mut footer = String::new();
    if !flow_access && previous_line < end_line {
        let first_outdented = (previous_line + 1..=end_line)
            .find(|line| lines.is_comment(*line) && lines.indent(*line) == 0)
            .unwrap_or(end_line + 1);
        for line in previous_line + 1..first_outdented {
            // Below the entries (indented 4 or more): kept at the entries' level.
            let indent = if lines.indent(line) >= 4 { 4 } else { 2 };
            body.push_str(&comments_between(lines, line, line + 1, indent));
        }
        footer = comments_between(lines, first_outdented, end_line + 1, 0);
        if !footer.is_empty() && first_outdented > 0 && lines.is_blank(first_outdented - 1) {
            footer.insert(0, '\n');
        }
    }
    if body.is_empty() && !entries.is_empty() {
        // Every grant was pruned: the key goes too (with the comments above it).
        return Ok(footer);
    }
    let _ = writeln!(out, "access:{access_comment}");
    out.push_str(&body);
    out.push_str(&footer);
    Ok(out)
}

/// The comment after a flow collection's closing bracket, on its last line.
fn flow_comment<'a>(lines: &Lines<'a>, node: &Node) -> Option<&'a str> {
    let (_, end) = extent(node)?;
    // The extent ends at the last scalar; the closing brackets come after it.
    let rest = lines.rest_of_line(end);
    let hash = rest.find('#')?;
    let before = &rest[..hash];
    if !before
        .chars()
        .all(|character| matches!(character, ' ' | '\t' | ']' | '}'))
    {
        return None;
    }
    let cut = before.rfind([']', '}']).map_or(0, |index| index + 1);
    Some(rest[cut..].trim_end())
}

/// One grant entry in canonical form, and its `until` text.
fn format_grant(
    file: &Path,
    text: &str,
    lines: &Lines<'_>,
    item: &Node,
    flow: bool,
) -> Result<(String, Option<String>), EditError> {
    let NodeValue::Mapping(entries) = &item.value else {
        return Err(EditError::Unsupported {
            location: location(file, text, item.position.start),
            message: "a grant is not a mapping".to_owned(),
            hint: "fix the file first (`monban validate`)".to_owned(),
        });
    };
    // Inside a flow list, a comment after the list belongs to the list's key.
    let in_flow_list = flow;
    let flow = flow || is_flow(text, item);
    let order = ["group", "user", "until", "reason"];
    let mut sorted: Vec<&(Node, Node)> = entries.iter().collect();
    sorted.sort_by_key(|(key, _)| {
        let name = match &key.value {
            NodeValue::String(name) => name.as_str(),
            _ => "",
        };
        order
            .iter()
            .position(|known| *known == name)
            .unwrap_or(order.len())
    });
    let mut out = String::new();
    let mut until = None;
    let item_line = lines.line_of(extent(item).map_or(item.position.start, |(s, _)| s));
    for (index, (key, value)) in sorted.iter().enumerate() {
        let key_text = source(file, text, key)?;
        let value_text = source(file, text, value)?;
        if matches!(&key.value, NodeValue::String(name) if name == "until") {
            until = scalar_text(text, value);
        }
        let value_line = lines.line_of(value.position.start);
        let comment = if flow {
            // A flow entry is one line; its comment goes on the first line of the block form.
            if index == 0 && !in_flow_list {
                flow_comment(lines, item)
            } else {
                None
            }
        } else {
            lines.trailing_comment(value_line, value.position.end)
        };
        let prefix = if index == 0 { "    - " } else { "      " };
        if !flow && index > 0 {
            let key_line = lines.line_of(key.position.start);
            if key_line > item_line {
                // Comments directly above a key inside the entry stay above it.
                let mut first = key_line;
                while first > item_line + 1 && lines.is_comment(first - 1) {
                    first -= 1;
                }
                out.push_str(&comments_between(lines, first, key_line, 6));
            }
        }
        let _ = writeln!(
            out,
            "{prefix}{key_text}: {value_text}{}",
            comment.unwrap_or_default()
        );
    }
    Ok((out, until))
}

/// The source text of a scalar, refusing multi-line values (they cannot be moved line by
/// line without changing their meaning).
fn source(file: &Path, text: &str, node: &Node) -> Result<String, EditError> {
    let raw = text.get(node.position.span()).unwrap_or_default();
    if raw.contains('\n') || raw.is_empty() {
        return Err(EditError::Unsupported {
            location: location(file, text, node.position.start),
            message: "a value that spans several lines (or is empty) cannot be formatted"
                .to_owned(),
            hint: "write it on one line".to_owned(),
        });
    }
    Ok(raw.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn format(text: &str) -> String {
        format_account(Path::new("accounts/x.yaml"), text, None)
            .unwrap()
            .text
    }

    #[test]
    fn canonical_files_are_unchanged() {
        let text = "# header\nid: \"111111111111\"\nou: A\nowners: [\"@o/t\"]\naccess:\n  ReadOnly:\n    # why\n    - group: a  # note\n    - user: b@example.com\n      until: 2026-01-01\n      reason: \"x: y\"\n  Admin:\n    - group: c\n";
        assert_eq!(format(text), text);
    }

    #[test]
    fn keys_are_ordered_and_flow_becomes_block() {
        let text = "# header\n\naccess: { ReadOnly: [{ user: b, reason: r, until: 2026-01-01 }, { group: a }] }\n# the ou\nou: A   \nid: \"1\"\n\n\n";
        assert_eq!(
            format(text),
            "# header\n\nid: \"1\"\n# the ou\nou: A\naccess:\n  ReadOnly:\n    - user: b\n      until: 2026-01-01\n      reason: r\n    - group: a\n"
        );
    }

    #[test]
    fn indentation_is_normalized() {
        let text = "access:\n    ReadOnly:\n    - group: a\n      # c\n    - user: b\n      reason: r\n      until: 2026-01-01\n";
        assert_eq!(
            format(text),
            "access:\n  ReadOnly:\n    - group: a\n    # c\n    - user: b\n      until: 2026-01-01\n      reason: r\n"
        );
    }

    #[test]
    fn comments_after_flow_collections_are_kept() {
        assert_eq!(
            format("access: { A: [{ group: a }] }  # c\n"),
            "access:  # c\n  A:\n    - group: a\n"
        );
        assert_eq!(
            format("access:\n  A:\n    - { group: a, until: 2030-01-01 }  # note\n"),
            "access:\n  A:\n    - group: a  # note\n      until: 2030-01-01\n"
        );
        assert_eq!(
            format("access:\n  A: [{ group: a }, { group: b }]  # why\n"),
            "access:\n  A:  # why\n    - group: a\n    - group: b\n"
        );
    }

    #[test]
    fn a_comment_at_the_end_of_the_file_stays_at_column_0() {
        let text = "access:\n  A:\n    - group: a\n    # about a\n# end of file\n";
        assert_eq!(format(text), text);
        let text = "access:\n  A:\n    - group: a\n\n# end of file\n";
        assert_eq!(format(text), text);
    }

    #[test]
    fn formatting_twice_changes_nothing_more() {
        for text in [
            "access: { A: [{ user: b, reason: r }] }  # c\nou: X\n",
            "access:\n  A: [{ group: a }]  # why\n",
            "# h\nowners: [\"@o/t\"]\n\n\naccess:\n # x\n    A:\n     - group: a # y\n\n     - { group: b }\nid: \"1\"\n",
        ] {
            let once = format(text);
            assert_eq!(format(&once), once, "{once}");
        }
    }

    #[test]
    fn expired_grants_are_pruned() {
        let text = "access:\n  ReadOnly:\n    - group: a\n    # temporary\n    - user: b\n      until: 2026-01-01\n  Admin:\n    # gone\n    - user: c\n      until: 2025-01-01\n";
        let today = jiff::civil::date(2026, 1, 2);
        let formatted = format_account(Path::new("accounts/x.yaml"), text, Some(today)).unwrap();
        assert_eq!(formatted.text, "access:\n  ReadOnly:\n    - group: a\n");
        assert_eq!(formatted.pruned.len(), 2);
        let kept = format_account(
            Path::new("accounts/x.yaml"),
            text,
            Some(jiff::civil::date(2026, 1, 1)),
        )
        .unwrap();
        assert_eq!(kept.pruned.len(), 1);
    }
}
