//! Line arithmetic on a YAML file's source text and the extents of parsed nodes: what the
//! edits need to delete or insert whole lines without touching any other byte.

use crate::node::{Node, NodeValue};

/// The lines of a text: byte offsets of each line's start.
#[derive(Debug)]
pub(crate) struct Lines<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> Lines<'a> {
    pub fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(
            text.match_indices('\n')
                .map(|(index, _)| index + 1)
                .filter(|start| *start < text.len()),
        );
        Self { text, starts }
    }

    /// The 0-based line holding byte `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        self.starts
            .partition_point(|start| *start <= offset)
            .saturating_sub(1)
    }

    pub fn start(&self, line: usize) -> usize {
        self.starts.get(line).copied().unwrap_or(self.text.len())
    }

    /// The end of `line`, its newline included.
    pub fn end(&self, line: usize) -> usize {
        self.starts
            .get(line + 1)
            .copied()
            .unwrap_or(self.text.len())
    }

    /// The text of `line` without its line break.
    pub fn content(&self, line: usize) -> &'a str {
        let text = &self.text[self.start(line)..self.end(line)];
        text.trim_end_matches(['\n', '\r'])
    }

    pub fn indent(&self, line: usize) -> usize {
        let content = self.content(line);
        content.len() - content.trim_start_matches(' ').len()
    }

    pub fn is_blank(&self, line: usize) -> bool {
        self.content(line).trim().is_empty()
    }

    pub fn is_comment(&self, line: usize) -> bool {
        self.content(line).trim_start().starts_with('#')
    }

    /// The first line of the comment lines directly above `line` (no blank line between)
    /// indented exactly `column`: the comments a person writes about the entry on `line`,
    /// which go when it goes. `line` itself when there are none.
    pub fn leading_comments(&self, line: usize, column: usize) -> usize {
        let mut first = line;
        while first > 0 && self.is_comment(first - 1) && self.indent(first - 1) == column {
            first -= 1;
        }
        first
    }

    /// The text from `offset` to the end of its line (line break excluded).
    pub fn rest_of_line(&self, offset: usize) -> &'a str {
        let line = self.line_of(offset);
        let end = self.start(line) + self.content(line).len();
        self.text.get(offset..end).unwrap_or_default()
    }

    /// The comment after the value on `line` (from the whitespace before `#` to the end of
    /// the line), given the offset where the value ends.
    pub fn trailing_comment(&self, line: usize, value_end: usize) -> Option<&'a str> {
        let end = self.start(line) + self.content(line).len();
        let rest = self.text.get(value_end..end)?;
        rest.trim_start().starts_with('#').then(|| rest.trim_end())
    }
}

/// The byte range a node's text covers: its scalars, keys and flow brackets. Block
/// collections have no text of their own (their span is empty), so their extent is that of
/// their children; `null` values have none.
pub(crate) fn extent(node: &Node) -> Option<(usize, usize)> {
    let own = (node.position.start, node.position.end);
    let mut result: Option<(usize, usize)> = None;
    let mut include = |range: Option<(usize, usize)>| {
        if let Some((start, end)) = range {
            result = Some(result.map_or((start, end), |(first, last)| {
                (first.min(start), last.max(end))
            }));
        }
    };
    match &node.value {
        NodeValue::Null => return None,
        NodeValue::Mapping(entries) => {
            if own.1 > own.0 {
                include(Some(own));
            }
            for (key, value) in entries {
                include(extent(key));
                include(extent(value));
            }
        }
        NodeValue::Sequence(items) => {
            if own.1 > own.0 {
                include(Some(own));
            }
            for item in items {
                include(extent(item));
            }
        }
        _ => include(Some(own)),
    }
    result
}

/// Whether a collection node is written in flow style (`{ … }` / `[ … ]`).
pub(crate) fn is_flow(text: &str, node: &Node) -> bool {
    matches!(&node.value, NodeValue::Mapping(_) | NodeValue::Sequence(_))
        && matches!(text.as_bytes().get(node.position.start), Some(b'{' | b'['))
        && node.position.end > node.position.start
}

/// The value of the string key `name` in a mapping node, with its key node.
pub(crate) fn entry<'n>(node: &'n Node, name: &str) -> Option<(&'n Node, &'n Node)> {
    let NodeValue::Mapping(entries) = &node.value else {
        return None;
    };
    entries
        .iter()
        .find(|(key, _)| matches!(&key.value, NodeValue::String(text) if text == name))
        .map(|(key, value)| (key, value))
}

/// A scalar's text as the loader reads it (plain numbers keep their source text).
pub(crate) fn scalar_text(text: &str, node: &Node) -> Option<String> {
    match &node.value {
        NodeValue::String(value) => Some(value.clone()),
        NodeValue::Integer(_) | NodeValue::Float(_) | NodeValue::Bool(_) => {
            text.get(node.position.span()).map(str::to_owned)
        }
        _ => None,
    }
}

/// `value` as a YAML scalar: plain when that reads back as the same string, else
/// double-quoted with JSON escapes (a JSON string is a valid YAML double-quoted scalar).
pub(crate) fn yaml_scalar(value: &str) -> String {
    let plain_safe = !value.is_empty()
        && value.trim() == value
        && !value.starts_with([
            '-', '?', ':', ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '"', '%',
            '@', '`',
        ])
        && !value.contains(": ")
        && !value.contains(" #")
        && !value.ends_with(':')
        && !value.chars().any(char::is_control)
        && !matches!(
            value.to_ascii_lowercase().as_str(),
            "true" | "false" | "null" | "~" | "yes" | "no" | "on" | "off" | "y" | "n"
        )
        && !value.starts_with(|character: char| character.is_ascii_digit() || character == '.');
    if plain_safe {
        value.to_owned()
    } else {
        // Serializing a &str to JSON cannot fail.
        serde_json::to_string(value).unwrap_or_else(|_| format!("\"{value}\""))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_comments() {
        let text = "a: 1\n  # about b\n  # more\n  b: 2  # why\n";
        let lines = Lines::new(text);
        assert_eq!(lines.line_of(0), 0);
        assert_eq!(lines.line_of(text.find("b:").unwrap()), 3);
        assert_eq!(lines.leading_comments(3, 2), 1);
        assert_eq!(lines.leading_comments(3, 4), 3);
        let value_end = text.find("2 ").unwrap() + 1;
        assert_eq!(lines.trailing_comment(3, value_end), Some("  # why"));
        assert_eq!(lines.end(3), text.len());
    }

    #[test]
    fn scalars_are_quoted_only_when_needed() {
        assert_eq!(yaml_scalar("alice@example.com"), "alice@example.com");
        assert_eq!(yaml_scalar("payments-sre"), "payments-sre");
        assert_eq!(yaml_scalar("INC-42 fix: now"), "\"INC-42 fix: now\"");
        assert_eq!(yaml_scalar("@team"), "\"@team\"");
        assert_eq!(yaml_scalar("yes"), "\"yes\"");
        assert_eq!(yaml_scalar("2026"), "\"2026\"");
        assert_eq!(yaml_scalar(" padded"), "\" padded\"");
    }
}
