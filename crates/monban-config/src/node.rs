//! A YAML document as a tree of nodes that each know their source position.
//!
//! Why not derive `Deserialize` with `deny_unknown_fields` straight into typed structs?
//! serde stops at the first error of a document, and `validate` must report *every*
//! problem of a file in one run (all unknown keys, all missing fields, all bad values). So
//! the loader reads each file into this generic tree — every node a `serde_saphyr::Spanned`
//! value, so every key and value keeps its line, column and byte span — and then walks the
//! tree against the expected shape (`crate::shape`), collecting a diagnostic for each
//! deviation and carrying on. serde-saphyr still does all YAML parsing and reports syntax
//! errors with their position.

use std::fmt;
use std::ops::Range;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::{DuplicateKeyPolicy, Location, Spanned};

/// One YAML node: its value and where it is.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: NodeValue,
    pub position: Position,
}

/// Where a node is: 1-based line and column, and its byte range in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Position {
    pub line: u32,
    pub column: u32,
    pub start: usize,
    pub end: usize,
}

impl Position {
    #[must_use]
    pub fn span(self) -> Range<usize> {
        self.start..self.end
    }

    fn from_location(location: &Location) -> Self {
        let span = location.span();
        let start = usize::try_from(span.byte_offset().unwrap_or(0)).unwrap_or(usize::MAX);
        let length = usize::try_from(span.byte_len().unwrap_or(0)).unwrap_or(0);
        Self {
            line: u32::try_from(location.line()).unwrap_or(u32::MAX),
            column: u32::try_from(location.column()).unwrap_or(u32::MAX),
            start,
            end: start.saturating_add(length),
        }
    }
}

/// The value of a node. Scalars keep serde-saphyr's YAML 1.2 core-schema typing (strict
/// booleans; leading-zero numbers stay strings); where a string is expected the walker
/// takes the raw source text of a plain number instead, so `id: 012345678901` and
/// `version: 1.10` mean what they say.
#[derive(Debug, Clone, PartialEq)]
pub enum NodeValue {
    Null,
    Bool(bool),
    Integer(i128),
    Float(f64),
    String(String),
    Sequence(Vec<Node>),
    /// Entries in file order; duplicate keys are kept so the walker can report them.
    Mapping(Vec<(Node, Node)>),
}

impl NodeValue {
    /// What kind of value this is, for "expected a string, found a list".
    #[must_use]
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Null => "null",
            Self::Bool(_) => "a boolean",
            Self::Integer(_) | Self::Float(_) => "a number",
            Self::String(_) => "a string",
            Self::Sequence(_) => "a list",
            Self::Mapping(_) => "a mapping",
        }
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let spanned = Spanned::<NodeValue>::deserialize(deserializer)?;
        Ok(Self {
            value: spanned.value,
            position: Position::from_location(&spanned.referenced),
        })
    }
}

impl<'de> Deserialize<'de> for NodeValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = NodeValue;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("any YAML value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<NodeValue, E> {
        Ok(NodeValue::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<NodeValue, E> {
        Ok(NodeValue::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<NodeValue, D::Error> {
        NodeValue::deserialize(deserializer)
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<NodeValue, E> {
        Ok(NodeValue::Bool(value))
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<NodeValue, E> {
        Ok(NodeValue::Integer(value.into()))
    }

    fn visit_i128<E: de::Error>(self, value: i128) -> Result<NodeValue, E> {
        Ok(NodeValue::Integer(value))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<NodeValue, E> {
        Ok(NodeValue::Integer(value.into()))
    }

    fn visit_u128<E: de::Error>(self, value: u128) -> Result<NodeValue, E> {
        Ok(i128::try_from(value).map_or(NodeValue::Float(f64::INFINITY), NodeValue::Integer))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<NodeValue, E> {
        Ok(NodeValue::Float(value))
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<NodeValue, E> {
        Ok(NodeValue::String(value.to_owned()))
    }

    fn visit_string<E: de::Error>(self, value: String) -> Result<NodeValue, E> {
        Ok(NodeValue::String(value))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut sequence: A) -> Result<NodeValue, A::Error> {
        let mut items = Vec::with_capacity(sequence.size_hint().unwrap_or(0));
        while let Some(item) = sequence.next_element::<Node>()? {
            items.push(item);
        }
        Ok(NodeValue::Sequence(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<NodeValue, A::Error> {
        let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(0));
        while let Some(key) = map.next_key::<Node>()? {
            let value = map.next_value::<Node>()?;
            entries.push((key, value));
        }
        Ok(NodeValue::Mapping(entries))
    }
}

/// A YAML syntax error: message and position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub message: String,
    pub position: Position,
}

/// Parses one YAML document. An empty document gives a `Null` node.
pub fn parse(source: &str) -> Result<Node, SyntaxError> {
    let options = serde_saphyr::options! {
        duplicate_keys: DuplicateKeyPolicy::PassThrough,
        strict_booleans: true,
        leading_zero_numbers_as_strings: true,
        with_snippet: false,
        budget: None,
    };
    match serde_saphyr::from_str_with_options::<Option<Node>>(source, options) {
        Ok(Some(node)) => Ok(node),
        Ok(None) => Ok(Node {
            value: NodeValue::Null,
            position: Position {
                line: 1,
                column: 1,
                start: 0,
                end: 0,
            },
        }),
        Err(error) => {
            let mut position = error
                .location()
                .map(|location| Position::from_location(&location))
                .unwrap_or_default();
            if position.start == 0 && (position.line > 1 || position.column > 1) {
                // Errors may carry a line and column but no byte offset: derive it, so the
                // snippet marks the right place.
                position.start = offset_of(source, position.line, position.column);
            }
            if position.end <= position.start {
                position.end = source[position.start..]
                    .chars()
                    .next()
                    .map_or(position.start, |character| {
                        position.start + character.len_utf8()
                    });
            }
            Err(SyntaxError {
                message: syntax_message(&error),
                position,
            })
        }
    }
}

/// serde-saphyr's message without the position it embeds ("line L column C: …" or
/// "… at line L, column C"): the diagnostic carries the position itself.
fn syntax_message(error: &serde_saphyr::Error) -> String {
    let text = error.to_string();
    let mut message = text
        .strip_prefix("line ")
        .and_then(|rest| rest.split_once(": "))
        .map_or(text.as_str(), |(_, message)| message);
    if let Some(index) = message.rfind(" at line ") {
        message = &message[..index];
    }
    message.to_owned()
}

/// The byte offset of 1-based `line` and character `column` in `source` (clamped to it).
fn offset_of(source: &str, line: u32, column: u32) -> usize {
    let line_start: usize = source
        .split_inclusive('\n')
        .take(line.saturating_sub(1) as usize)
        .map(str::len)
        .sum();
    let line_start = line_start.min(source.len());
    let line_text = source[line_start..].split('\n').next().unwrap_or("");
    line_start
        + line_text
            .char_indices()
            .nth(column.saturating_sub(1) as usize)
            .map_or(line_text.len(), |(index, _)| index)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_positions_of_keys_and_values() {
        let source = "a: 1\nlist:\n  - x\n  - \"y\"\nnested: { k: v }\n";
        let node = parse(source).unwrap();
        let NodeValue::Mapping(entries) = &node.value else {
            panic!("{node:?}")
        };
        assert_eq!(entries.len(), 3);
        let (key, value) = &entries[1];
        assert_eq!(key.value, NodeValue::String("list".into()));
        assert_eq!((key.position.line, key.position.column), (2, 1));
        let NodeValue::Sequence(items) = &value.value else {
            panic!()
        };
        assert_eq!((items[1].position.line, items[1].position.column), (4, 5));
        assert_eq!(&source[items[0].position.span()], "x");
        let (_, nested) = &entries[2];
        let NodeValue::Mapping(inner) = &nested.value else {
            panic!()
        };
        assert_eq!(&source[inner[0].1.position.span()], "v");
    }

    #[test]
    fn scalar_typing() {
        let node =
            parse("a: 012345678901\nb: yes\nc: true\nd: 1.10\ne:\nf: ~\ng: 2026-12-31\n").unwrap();
        let NodeValue::Mapping(entries) = node.value else {
            panic!()
        };
        let values: Vec<_> = entries.into_iter().map(|(_, value)| value.value).collect();
        assert_eq!(values[0], NodeValue::String("012345678901".into()));
        assert_eq!(values[1], NodeValue::String("yes".into()));
        assert_eq!(values[2], NodeValue::Bool(true));
        assert_eq!(values[3], NodeValue::Float(1.1));
        assert_eq!(values[4], NodeValue::Null);
        assert_eq!(values[5], NodeValue::Null);
        assert_eq!(values[6], NodeValue::String("2026-12-31".into()));
    }

    #[test]
    fn duplicate_keys_are_kept() {
        let node = parse("a: 1\na: 2\n").unwrap();
        let NodeValue::Mapping(entries) = node.value else {
            panic!()
        };
        assert_eq!(entries.len(), 2);
    }

    #[test]
    fn syntax_errors_have_positions() {
        let error = parse("a: [1, 2\nb: 3\n").unwrap_err();
        assert!(error.position.line >= 1, "{error:?}");
        let error = parse("a: b\n  c: d\n").unwrap_err();
        assert_eq!(error.position.line, 2, "{error:?}");
    }

    #[test]
    fn empty_document_is_null() {
        assert_eq!(parse("").unwrap().value, NodeValue::Null);
        assert_eq!(parse("# only a comment\n").unwrap().value, NodeValue::Null);
    }
}
