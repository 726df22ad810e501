//! Helpers that walk a [`Node`] tree against an expected shape, reporting every deviation
//! as a diagnostic and carrying on with what is usable.

use std::path::{Path, PathBuf};

use monban_model::ConstraintError;

use crate::diagnostics::{Code, Diagnostic};
use crate::node::{Node, NodeValue, Position};
use crate::suggest::did_you_mean;

/// One file being walked: its path (relative), its text, and where diagnostics go.
pub(crate) struct FileContext<'a> {
    pub file: PathBuf,
    pub source: &'a str,
    pub diagnostics: &'a mut Vec<Diagnostic>,
}

impl<'a> FileContext<'a> {
    pub fn new(file: &Path, source: &'a str, diagnostics: &'a mut Vec<Diagnostic>) -> Self {
        Self {
            file: file.to_path_buf(),
            source,
            diagnostics,
        }
    }

    pub fn report(&mut self, code: Code, position: Position, message: impl Into<String>) {
        self.diagnostics
            .push(Diagnostic::new(code, &self.file, position, message));
    }

    pub fn report_with_hint(
        &mut self,
        code: Code,
        position: Position,
        message: impl Into<String>,
        hint: Option<String>,
    ) {
        let mut diagnostic = Diagnostic::new(code, &self.file, position, message);
        diagnostic.hint = hint;
        self.diagnostics.push(diagnostic);
    }

    pub fn constraint(&mut self, error: &ConstraintError, position: Position) {
        self.report(
            Code::for_constraint(error.constraint),
            position,
            error.to_string(),
        );
    }

    fn wrong_type(&mut self, node: &Node, expected: &str) {
        let found = node.value.kind();
        let hint = match &node.value {
            NodeValue::Null => Some("write a value after the colon, or remove the key".to_owned()),
            NodeValue::Sequence(_) if expected == "a string" => {
                Some("give a single value, not a list".to_owned())
            }
            NodeValue::Mapping(_) if expected == "a list" => {
                Some("start each entry of a list with `- `".to_owned())
            }
            NodeValue::String(text)
                if expected.contains("principal") || expected.contains("grant") =>
            {
                Some(format!(
                    "name the principal's kind: `group: {text}` or `user: {text}`"
                ))
            }
            _ => None,
        };
        self.report_with_hint(
            Code::WrongType,
            node.position,
            format!("expected {expected}, found {found}"),
            hint,
        );
    }

    /// A scalar as text. Plain numbers keep the text as written (`id: 012…`, `v: 1.10`);
    /// booleans are accepted as their text too (`true`) since the file said so literally.
    pub fn string(&mut self, node: &Node) -> Option<String> {
        match &node.value {
            NodeValue::String(text) => Some(text.clone()),
            NodeValue::Integer(_) | NodeValue::Float(_) | NodeValue::Bool(_) => Some(
                self.source
                    .get(node.position.span())
                    .map_or_else(|| scalar_text(&node.value), str::to_owned),
            ),
            _ => {
                self.wrong_type(node, "a string");
                None
            }
        }
    }

    /// A string parsed by a model constructor; a broken constraint becomes its diagnostic.
    pub fn parse<T>(
        &mut self,
        node: &Node,
        parse: impl FnOnce(&str) -> Result<T, ConstraintError>,
    ) -> Option<T> {
        let text = self.string(node)?;
        match parse(&text) {
            Ok(value) => Some(value),
            Err(error) => {
                self.constraint(&error, node.position);
                None
            }
        }
    }

    pub fn boolean(&mut self, node: &Node) -> Option<bool> {
        if let NodeValue::Bool(value) = node.value {
            Some(value)
        } else {
            let hint = matches!(&node.value, NodeValue::String(text) if matches!(text.as_str(), "yes" | "no" | "on" | "off" | "y" | "n"))
                .then(|| "YAML 1.2 booleans are `true` and `false`".to_owned());
            self.report_with_hint(
                Code::WrongType,
                node.position,
                format!(
                    "expected a boolean (true or false), found {}",
                    node.value.kind()
                ),
                hint,
            );
            None
        }
    }

    pub fn integer(&mut self, node: &Node) -> Option<i128> {
        if let NodeValue::Integer(value) = node.value {
            Some(value)
        } else {
            self.wrong_type(node, "a whole number");
            None
        }
    }

    /// A list. `null` (an empty value) counts as an empty list.
    pub fn sequence<'n>(&mut self, node: &'n Node) -> Option<&'n [Node]> {
        match &node.value {
            NodeValue::Sequence(items) => Some(items),
            NodeValue::Null => Some(&[]),
            _ => {
                self.wrong_type(node, "a list");
                None
            }
        }
    }

    /// A mapping whose keys are free (tags, access): string keys, duplicates reported.
    /// `null` counts as empty.
    pub fn free_mapping<'n>(
        &mut self,
        node: &'n Node,
    ) -> Option<Vec<(String, &'n Node, &'n Node)>> {
        let entries = match &node.value {
            NodeValue::Mapping(entries) => entries,
            NodeValue::Null => return Some(Vec::new()),
            _ => {
                self.wrong_type(node, "a mapping");
                return None;
            }
        };
        let mut seen = std::collections::HashSet::with_capacity(entries.len());
        let mut result = Vec::with_capacity(entries.len());
        for (key, value) in entries {
            let Some(name) = self.string(key) else {
                continue;
            };
            if !seen.insert(name.clone()) {
                self.report_with_hint(
                    Code::DuplicateKey,
                    key.position,
                    format!("key `{name}` appears more than once"),
                    Some("YAML keys must be unique; merge the two entries".to_owned()),
                );
                continue;
            }
            result.push((name, key, value));
        }
        Some(result)
    }

    /// A mapping with a fixed set of keys: unknown keys (with did-you-mean) and duplicate
    /// keys are reported; the first occurrence of a key wins.
    pub fn fields<'n>(&mut self, node: &'n Node, known: &[&str], what: &str) -> Option<Fields<'n>> {
        let entries = match &node.value {
            NodeValue::Mapping(entries) => entries,
            NodeValue::Null => {
                return Some(Fields {
                    entries: Vec::new(),
                    position: node.position,
                });
            }
            _ => {
                self.wrong_type(node, &format!("a mapping ({what})"));
                return None;
            }
        };
        let mut fields = Fields {
            entries: Vec::with_capacity(entries.len()),
            position: node.position,
        };
        for (key, value) in entries {
            let NodeValue::String(name) = &key.value else {
                self.report(
                    Code::UnknownKey,
                    key.position,
                    format!("unknown key in {what}; keys are {}", list(known)),
                );
                continue;
            };
            if !known.contains(&name.as_str()) {
                let hint = did_you_mean(name, known.iter().copied())
                    .map(|candidate| format!("did you mean `{candidate}`?"))
                    .or_else(|| Some(format!("the keys of {what} are {}", list(known))));
                self.report_with_hint(
                    Code::UnknownKey,
                    key.position,
                    format!("unknown key `{name}` in {what}"),
                    hint,
                );
                continue;
            }
            if fields
                .entries
                .iter()
                .any(|(existing, _, _)| existing == name)
            {
                self.report_with_hint(
                    Code::DuplicateKey,
                    key.position,
                    format!("key `{name}` appears more than once in {what}"),
                    Some("YAML keys must be unique; remove one of them".to_owned()),
                );
                continue;
            }
            fields.entries.push((name.clone(), key, value));
        }
        Some(fields)
    }
}

/// `a`, `b` and `c` for messages.
pub(crate) fn list(items: &[&str]) -> String {
    items
        .iter()
        .map(|item| format!("`{item}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn scalar_text(value: &NodeValue) -> String {
    match value {
        NodeValue::Bool(value) => value.to_string(),
        NodeValue::Integer(value) => value.to_string(),
        NodeValue::Float(value) => value.to_string(),
        NodeValue::String(value) => value.clone(),
        _ => String::new(),
    }
}

/// The known keys of one mapping, as found.
pub(crate) struct Fields<'n> {
    entries: Vec<(String, &'n Node, &'n Node)>,
    /// Where the mapping is (for "missing key" diagnostics).
    pub position: Position,
}

impl<'n> Fields<'n> {
    /// The value of `key`, if present. A present `null` counts as absent for optional keys.
    pub fn get(&self, key: &str) -> Option<&'n Node> {
        self.entries
            .iter()
            .find(|(name, _, value)| name == key && value.value != NodeValue::Null)
            .map(|(_, _, value)| *value)
    }

    /// The key node of `key`, if present (to point at the key rather than its value).
    pub fn key(&self, key: &str) -> Option<&'n Node> {
        self.entries
            .iter()
            .find(|(name, _, _)| name == key)
            .map(|(_, key, _)| *key)
    }

    /// The value of a required key, or a "missing key" diagnostic at the mapping.
    pub fn require(
        &self,
        context: &mut FileContext<'_>,
        key: &str,
        what: &str,
    ) -> Option<&'n Node> {
        let value = self.get(key);
        if value.is_none() {
            let position = self.key(key).map_or(self.position, |node| node.position);
            context.report_with_hint(
                Code::MissingKey,
                position,
                format!("{what} has no `{key}`"),
                Some(format!("add `{key}:` with a value")),
            );
        }
        value
    }
}
