//! A small HCL writer that lays bodies out exactly as `terraform fmt` does: two-space
//! indentation, and the `=` of consecutive single-line attributes aligned. A multi-line
//! attribute (a map), a nested block, a comment or a blank line ends an alignment group,
//! as in `hclwrite` — checked against `terraform fmt -check` in the tests when the binary
//! is present.

use std::fmt::Write as _;

/// An expression, already valid HCL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expr {
    /// A quoted string literal (escaped when written).
    String(String),
    /// An expression written as given (`local.instance_arn`, `true`).
    Raw(String),
    /// A map written one entry per line, keys quoted.
    Map(Vec<(String, String)>),
}

impl Expr {
    pub fn string(value: impl Into<String>) -> Self {
        Self::String(value.into())
    }

    pub fn raw(value: impl Into<String>) -> Self {
        Self::Raw(value.into())
    }

    fn is_multi_line(&self) -> bool {
        matches!(self, Self::Map(entries) if !entries.is_empty())
    }
}

/// One item of a body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    Attribute(String, Expr),
    Block(Block),
    /// A `# …` line.
    Comment(String),
    Blank,
}

/// A block: `type "label" … { body }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    pub kind: String,
    pub labels: Vec<String>,
    pub body: Vec<Item>,
}

impl Block {
    pub fn new(kind: &str, labels: &[&str]) -> Self {
        Self {
            kind: kind.to_owned(),
            labels: labels.iter().map(|label| (*label).to_owned()).collect(),
            body: Vec::new(),
        }
    }

    pub fn attribute(&mut self, key: &str, value: Expr) -> &mut Self {
        self.body.push(Item::Attribute(key.to_owned(), value));
        self
    }

    pub fn block(&mut self, block: Block) -> &mut Self {
        self.body.push(Item::Block(block));
        self
    }

    pub fn comment(&mut self, text: &str) -> &mut Self {
        self.body.push(Item::Comment(text.to_owned()));
        self
    }

    pub fn blank(&mut self) -> &mut Self {
        self.body.push(Item::Blank);
        self
    }
}

pub use crate::hcl_string::quote;

/// Writes top-level blocks separated by one blank line, as `terraform fmt` leaves them.
#[must_use]
pub fn render_file(header: &[&str], blocks: &[Item]) -> String {
    let mut out = String::new();
    for line in header {
        let _ = writeln!(out, "# {line}");
    }
    for (index, item) in blocks.iter().enumerate() {
        if index > 0 || !header.is_empty() {
            out.push('\n');
        }
        render_items(&mut out, std::slice::from_ref(item), 0);
    }
    out
}

fn render_items(out: &mut String, items: &[Item], depth: usize) {
    let indent = "  ".repeat(depth);
    let mut index = 0;
    while index < items.len() {
        match &items[index] {
            Item::Attribute(_, value) if !value.is_multi_line() => {
                // The alignment group: consecutive single-line attributes.
                let end = items[index..]
                    .iter()
                    .position(
                        |item| !matches!(item, Item::Attribute(_, value) if !value.is_multi_line()),
                    )
                    .map_or(items.len(), |offset| index + offset);
                let width = items[index..end]
                    .iter()
                    .map(|item| match item {
                        Item::Attribute(key, _) => key.chars().count(),
                        _ => 0,
                    })
                    .max()
                    .unwrap_or(0);
                for item in &items[index..end] {
                    if let Item::Attribute(key, value) = item {
                        let _ = writeln!(
                            out,
                            "{indent}{key:<width$} = {}",
                            inline_expr(value),
                            width = width
                        );
                    }
                }
                index = end;
                continue;
            }
            Item::Attribute(key, Expr::Map(entries)) => {
                let _ = writeln!(out, "{indent}{key} = {{");
                let width = entries
                    .iter()
                    .map(|(key, _)| quote(key).chars().count())
                    .max()
                    .unwrap_or(0);
                for (key, value) in entries {
                    let _ = writeln!(
                        out,
                        "{indent}  {:<width$} = {}",
                        quote(key),
                        quote(value),
                        width = width
                    );
                }
                let _ = writeln!(out, "{indent}}}");
            }
            Item::Attribute(..) => {}
            Item::Block(block) => {
                out.push_str(&indent);
                out.push_str(&block.kind);
                for label in &block.labels {
                    out.push(' ');
                    out.push_str(&quote(label));
                }
                if block.body.is_empty() {
                    out.push_str(" {}\n");
                } else {
                    out.push_str(" {\n");
                    render_items(out, &block.body, depth + 1);
                    let _ = writeln!(out, "{indent}}}");
                }
            }
            Item::Comment(text) => {
                let _ = writeln!(out, "{indent}# {text}");
            }
            Item::Blank => out.push('\n'),
        }
        index += 1;
    }
}

fn inline_expr(value: &Expr) -> String {
    match value {
        Expr::String(text) => quote(text),
        Expr::Raw(text) => text.clone(),
        Expr::Map(_) => "{}".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aligns_consecutive_single_line_attributes_only() {
        let mut block = Block::new("resource", &["aws_ssoadmin_permission_set", "x"]);
        block
            .attribute("name", Expr::string("x"))
            .attribute("session_duration", Expr::string("PT8H"))
            .attribute(
                "tags",
                Expr::Map(vec![
                    ("a".to_owned(), "b".to_owned()),
                    ("long-key".to_owned(), "c".to_owned()),
                ]),
            )
            .attribute("relay_state", Expr::string("y"));
        let text = render_file(&[], &[Item::Block(block)]);
        assert_eq!(
            text,
            "resource \"aws_ssoadmin_permission_set\" \"x\" {\n  name             = \"x\"\n  session_duration = \"PT8H\"\n  tags = {\n    \"a\"        = \"b\"\n    \"long-key\" = \"c\"\n  }\n  relay_state = \"y\"\n}\n"
        );
    }

    #[test]
    fn quoting_escapes_and_stops_interpolation() {
        assert_eq!(quote("a\"b\\c\n"), "\"a\\\"b\\\\c\\n\"");
        assert_eq!(quote("${var.x} %{if}"), "\"$${var.x} %%{if}\"");
        assert_eq!(quote("$x %d"), "\"$x %d\"");
    }
}
