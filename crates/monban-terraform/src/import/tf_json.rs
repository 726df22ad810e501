//! Terraform's JSON configuration syntax (`.tf.json`), translated into the native syntax
//! the rest of the import reads, so a JSON file is parsed by the same hcl-edit parser and
//! evaluated by the same evaluator as a `.tf` file — one semantics, not two.
//!
//! The mapping is Terraform's (<https://developer.hashicorp.com/terraform/language/syntax/json>):
//! top-level properties are block types, one nested object per block label (or an array of
//! them, to repeat or order blocks); in a block body a property is an argument or, when the
//! block type's schema says so, a nested block; `"//"` properties of block bodies are
//! comments. A JSON string where an expression is expected is a string template (`"${…}"`,
//! `%{…}`), so `"${var.accounts}"` is the value of `var.accounts`, not a string; the
//! arguments Terraform takes literally (a variable's `default`, `description`s, a module's
//! `source` and `version`, the `terraform` block) keep `${` as text; references and
//! keywords (`provider`, `depends_on`, a variable's `type`, `ignore_changes`, a dynamic
//! block's `iterator`) are written bare.
//!
//! Which object-valued arguments are nested blocks depends on the provider's schema, which
//! the import does not load: [`NESTED_BLOCKS`] lists them for the resource types the import
//! reads; in any other resource an object stays an object-valued argument.
//!
//! hcl-edit offers no way to set the position of a node built by hand, so positions are
//! kept beside the generated text instead: every block, argument and value written records
//! where it came from in the JSON ([`Translated::marks`]), and a position in the generated
//! text is reported at the JSON position of the nearest mark before it.

use std::fmt::Write as _;

use super::json::{Json, JsonError, JsonKind, Member};
use crate::hcl_string::{escape_char, quote};

/// Native-syntax text generated from a `.tf.json` file, and where its parts came from.
#[derive(Debug)]
pub(crate) struct Translated {
    pub text: String,
    /// `(offset in text, offset in the JSON)`, by increasing offset in text.
    pub marks: Vec<(usize, usize)>,
}

/// The nested block types of the resource types (`data.` for data sources) and providers
/// (`provider.`) the import reads, by path from the resource body (`permissions_boundary.
/// customer_managed_policy_reference`), as in the AWS provider's schema.
const NESTED_BLOCKS: &[(&str, &[&str])] = &[
    (
        "aws_ssoadmin_customer_managed_policy_attachment",
        &["customer_managed_policy_reference"],
    ),
    (
        "aws_ssoadmin_permissions_boundary_attachment",
        &[
            "permissions_boundary",
            "permissions_boundary.customer_managed_policy_reference",
        ],
    ),
    (
        "aws_identitystore_user",
        &["name", "emails", "addresses", "phone_numbers"],
    ),
    (
        "data.aws_identitystore_group",
        &[
            "filter",
            "alternate_identifier",
            "alternate_identifier.external_id",
            "alternate_identifier.unique_attribute",
        ],
    ),
    (
        "data.aws_identitystore_user",
        &[
            "filter",
            "alternate_identifier",
            "alternate_identifier.external_id",
            "alternate_identifier.unique_attribute",
        ],
    ),
    (
        "data.aws_iam_policy_document",
        &[
            "statement",
            "statement.principals",
            "statement.not_principals",
            "statement.condition",
        ],
    ),
    (
        "provider.aws",
        &[
            "default_tags",
            "assume_role",
            "assume_role_with_web_identity",
            "ignore_tags",
            "endpoints",
        ],
    ),
];

/// How a JSON value is read where it appears.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Strings are string templates.
    Expression,
    /// Strings are taken as they are (`${` is text).
    Literal,
    /// Strings are references or keywords, written bare (`aws.west`, `string`).
    Bare,
}

/// What a block body is, which decides how its properties are read.
#[derive(Debug, Clone)]
enum BodyKind {
    Variable,
    Output,
    Locals,
    Module,
    /// `provider "aws"`: the first label is the provider.
    Provider,
    /// `resource` / `data` (and a `check`'s scoped `data`): the first label is the type.
    Resource {
        data: bool,
    },
    /// A block nested in a resource or provider body, `schema` naming the resource type
    /// (`data.` prefixed) or provider (`provider.` prefixed), `path` the block's path.
    Nested {
        schema: String,
        path: String,
    },
    /// `dynamic "name"` inside `schema` at `path` (empty at the top of the body).
    Dynamic {
        schema: String,
        path: String,
    },
    Lifecycle,
    /// `precondition`, `postcondition`, `validation`, `assert`.
    Condition,
    Provisioner,
    Connection,
    /// `moved`, `removed`, `import`.
    Refactoring,
    Check,
    /// `terraform` and the blocks in it: everything is literal.
    Terraform,
    /// Any other block: every argument is an expression.
    Generic,
}

/// What a property of a block body is.
enum Property {
    Argument(Mode),
    Block { labels: usize, kind: BodyKind },
}

impl BodyKind {
    /// The arguments Terraform takes literally in this body.
    fn is_literal(&self, key: &str) -> bool {
        match self {
            Self::Variable => matches!(
                key,
                "default" | "description" | "sensitive" | "nullable" | "ephemeral"
            ),
            Self::Output => matches!(key, "description" | "sensitive" | "ephemeral"),
            Self::Module => matches!(key, "source" | "version"),
            Self::Provider => matches!(key, "alias" | "version"),
            Self::Connection => key == "type",
            Self::Terraform => true,
            _ => false,
        }
    }

    /// The arguments that are references or keywords, written bare in native syntax.
    fn is_bare(&self, key: &str) -> bool {
        match self {
            Self::Variable => key == "type",
            Self::Output => key == "depends_on",
            Self::Module => matches!(key, "providers" | "depends_on"),
            Self::Resource { .. } => matches!(key, "provider" | "depends_on"),
            Self::Refactoring => matches!(key, "provider" | "depends_on" | "from" | "to"),
            Self::Lifecycle => matches!(key, "ignore_changes" | "replace_triggered_by"),
            Self::Provisioner => matches!(key, "when" | "on_failure"),
            Self::Dynamic { .. } => key == "iterator",
            _ => false,
        }
    }

    fn property(&self, labels: &[String], key: &str) -> Property {
        let block = |labels: usize, kind: BodyKind| Property::Block { labels, kind };
        let resource_like = matches!(self, Self::Resource { .. } | Self::Refactoring);
        match (self, key) {
            (Self::Terraform, "required_providers" | "cloud" | "workspaces") => {
                block(0, BodyKind::Terraform)
            }
            (Self::Terraform, "backend" | "provider_meta") => block(1, BodyKind::Terraform),
            _ if self.is_literal(key) => Property::Argument(Mode::Literal),
            _ if self.is_bare(key) => Property::Argument(Mode::Bare),
            (Self::Variable, "validation")
            | (Self::Output, "precondition")
            | (Self::Lifecycle, "precondition" | "postcondition")
            | (Self::Check, "assert") => block(0, BodyKind::Condition),
            (_, "lifecycle") if resource_like => block(0, BodyKind::Lifecycle),
            (_, "provisioner") if resource_like => block(1, BodyKind::Provisioner),
            (Self::Resource { .. } | Self::Provisioner, "connection") => {
                block(0, BodyKind::Connection)
            }
            (Self::Resource { .. }, "timeouts") => block(0, BodyKind::Generic),
            (Self::Check, "data") => block(2, BodyKind::Resource { data: true }),
            (Self::Resource { data }, _) => {
                let prefix = if *data { "data." } else { "" };
                let schema = format!("{prefix}{}", labels.first().map_or("", String::as_str));
                nested(schema, String::new(), key)
            }
            (Self::Provider, _) => {
                let schema = format!("provider.{}", labels.first().map_or("", String::as_str));
                nested(schema, String::new(), key)
            }
            (Self::Nested { schema, path }, _) => nested(schema.clone(), path.clone(), key),
            (Self::Dynamic { schema, path }, "content") => {
                let name = labels.first().map_or("", String::as_str);
                block(
                    0,
                    BodyKind::Nested {
                        schema: schema.clone(),
                        path: join(path, name),
                    },
                )
            }
            _ => Property::Argument(Mode::Expression),
        }
    }
}

fn join(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_owned()
    } else {
        format!("{path}.{name}")
    }
}

/// A property of a resource (or provider, or nested) body: a `dynamic` block, a nested
/// block of the schema, or an argument.
fn nested(schema: String, path: String, key: &str) -> Property {
    if key == "dynamic" {
        return Property::Block {
            labels: 1,
            kind: BodyKind::Dynamic { schema, path },
        };
    }
    let full = join(&path, key);
    let is_block = NESTED_BLOCKS
        .iter()
        .any(|(name, blocks)| *name == schema && blocks.contains(&full.as_str()));
    if is_block {
        Property::Block {
            labels: 0,
            kind: BodyKind::Nested { schema, path: full },
        }
    } else {
        Property::Argument(Mode::Expression)
    }
}

/// The top-level block types: their number of labels and body.
fn top_level(key: &str) -> Option<(usize, BodyKind)> {
    Some(match key {
        "variable" => (1, BodyKind::Variable),
        "output" => (1, BodyKind::Output),
        "locals" => (0, BodyKind::Locals),
        "module" => (1, BodyKind::Module),
        "provider" => (1, BodyKind::Provider),
        "resource" => (2, BodyKind::Resource { data: false }),
        "data" => (2, BodyKind::Resource { data: true }),
        "ephemeral" => (2, BodyKind::Generic),
        "terraform" => (0, BodyKind::Terraform),
        "moved" | "removed" | "import" => (0, BodyKind::Refactoring),
        "check" => (1, BodyKind::Check),
        _ => return None,
    })
}

/// Whether `name` can be written as an HCL identifier (argument, block type).
fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|first| first.is_alphabetic() || first == '_')
        && chars.all(|next| next.is_alphanumeric() || next == '_' || next == '-')
}

/// Translates a `.tf.json` file.
pub(crate) fn configuration(text: &str) -> Result<Translated, JsonError> {
    let root = super::json::parse(text)?;
    let JsonKind::Object(members) = &root.kind else {
        return Err(JsonError {
            offset: root.start,
            message: format!(
                "a `.tf.json` file holds a JSON object of block types, not {}",
                root.describe()
            ),
        });
    };
    let mut writer = Writer::default();
    for member in members {
        if member.key == "//" {
            continue;
        }
        match top_level(&member.key) {
            Some((labels, kind)) => writer.blocks(member, labels, &kind, 0)?,
            // Terraform refuses an unknown block type; written as an empty block, the
            // import reports it at its line like any block it does not read.
            None if is_identifier(&member.key) => {
                writer.mark(member.key_start);
                // Writing to a `String` cannot fail.
                let _ = writeln!(writer.text, "{} {{\n}}", member.key);
            }
            None => {
                return Err(JsonError {
                    offset: member.key_start,
                    message: format!("`{}` is not a Terraform block type", member.key),
                });
            }
        }
    }
    Ok(Translated {
        text: writer.text,
        marks: writer.marks,
    })
}

#[derive(Default)]
struct Writer {
    text: String,
    marks: Vec<(usize, usize)>,
}

fn indent(depth: usize) -> String {
    "  ".repeat(depth)
}

impl Writer {
    fn mark(&mut self, original: usize) {
        self.marks.push((self.text.len(), original));
    }

    /// The blocks of `member` (a block type with its JSON value): one nested object per
    /// label, each level possibly an array of objects.
    fn blocks(
        &mut self,
        member: &Member,
        labels: usize,
        kind: &BodyKind,
        depth: usize,
    ) -> Result<(), JsonError> {
        if !is_identifier(&member.key) {
            return Err(JsonError {
                offset: member.key_start,
                message: format!("`{}` is not a valid block type name", member.key),
            });
        }
        self.labelled(
            &member.key,
            &member.value,
            &mut Vec::new(),
            labels,
            member.key_start,
            kind,
            depth,
        )
    }

    #[expect(
        clippy::too_many_arguments,
        reason = "one recursion step of the label walk; a struct would only rename them"
    )]
    fn labelled(
        &mut self,
        name: &str,
        value: &Json,
        labels: &mut Vec<String>,
        remaining: usize,
        position: usize,
        kind: &BodyKind,
        depth: usize,
    ) -> Result<(), JsonError> {
        match &value.kind {
            JsonKind::Array(items) => {
                for item in items {
                    self.labelled(name, item, labels, remaining, item.start, kind, depth)?;
                }
                Ok(())
            }
            JsonKind::Object(members) if remaining == 0 => {
                self.block(name, labels, position, members, kind, depth)
            }
            JsonKind::Object(members) => {
                for member in members {
                    labels.push(member.key.clone());
                    self.labelled(
                        name,
                        &member.value,
                        labels,
                        remaining - 1,
                        member.key_start,
                        kind,
                        depth,
                    )?;
                    labels.pop();
                }
                Ok(())
            }
            _ => Err(JsonError {
                offset: value.start,
                message: format!(
                    "a JSON object or array is required for `{name}` blocks, not {}",
                    value.describe()
                ),
            }),
        }
    }

    fn block(
        &mut self,
        name: &str,
        labels: &[String],
        position: usize,
        members: &[Member],
        kind: &BodyKind,
        depth: usize,
    ) -> Result<(), JsonError> {
        self.text.push_str(&indent(depth));
        self.mark(position);
        self.text.push_str(name);
        for label in labels {
            self.text.push(' ');
            literal_string(&mut self.text, label);
        }
        self.text.push_str(" {\n");
        for member in members {
            if member.key == "//" {
                continue;
            }
            match kind.property(labels, &member.key) {
                Property::Block {
                    labels: count,
                    kind: inner,
                } if matches!(member.value.kind, JsonKind::Object(_) | JsonKind::Array(_)) => {
                    self.blocks(member, count, &inner, depth + 1)?;
                }
                Property::Block { .. } => self.argument(member, Mode::Expression, depth + 1)?,
                Property::Argument(mode) => self.argument(member, mode, depth + 1)?,
            }
        }
        self.text.push_str(&indent(depth));
        self.text.push_str("}\n");
        Ok(())
    }

    fn argument(&mut self, member: &Member, mode: Mode, depth: usize) -> Result<(), JsonError> {
        if !is_identifier(&member.key) {
            return Err(JsonError {
                offset: member.key_start,
                message: format!("`{}` is not a valid argument name", member.key),
            });
        }
        self.text.push_str(&indent(depth));
        self.mark(member.key_start);
        self.text.push_str(&member.key);
        self.text.push_str(" = ");
        self.value(&member.value, mode, depth)?;
        self.text.push('\n');
        Ok(())
    }

    /// A JSON string (at `offset`) read as a string template.
    fn template(&mut self, text: &str, offset: usize) -> Result<(), JsonError> {
        template_string(&mut self.text, text).map_err(|message| JsonError { offset, message })
    }

    fn value(&mut self, value: &Json, mode: Mode, depth: usize) -> Result<(), JsonError> {
        self.mark(value.start);
        match &value.kind {
            JsonKind::Null => self.text.push_str("null"),
            JsonKind::Bool(true) => self.text.push_str("true"),
            JsonKind::Bool(false) => self.text.push_str("false"),
            JsonKind::Number(number) => self.text.push_str(number),
            JsonKind::String(text) => match mode {
                Mode::Expression => self.template(text, value.start)?,
                Mode::Literal => literal_string(&mut self.text, text),
                Mode::Bare if text.trim().is_empty() => {
                    return Err(JsonError {
                        offset: value.start,
                        message: "an empty string where a reference or keyword is expected"
                            .to_owned(),
                    });
                }
                Mode::Bare => self.text.push_str(text),
            },
            JsonKind::Array(items) => {
                self.text.push_str("[\n");
                for item in items {
                    self.text.push_str(&indent(depth + 1));
                    self.value(item, mode, depth + 1)?;
                    self.text.push_str(",\n");
                }
                self.text.push_str(&indent(depth));
                self.text.push(']');
            }
            JsonKind::Object(members) => {
                self.text.push_str("{\n");
                for member in members {
                    self.text.push_str(&indent(depth + 1));
                    self.mark(member.key_start);
                    match mode {
                        Mode::Expression => self.template(&member.key, member.key_start)?,
                        Mode::Literal => literal_string(&mut self.text, &member.key),
                        Mode::Bare => self.text.push_str(&member.key),
                    }
                    self.text.push_str(" = ");
                    self.value(&member.value, mode, depth + 1)?;
                    self.text.push('\n');
                }
                self.text.push_str(&indent(depth));
                self.text.push('}');
            }
        }
        Ok(())
    }
}

/// `text` as an HCL quoted string that means exactly `text`: template sequences escaped.
fn literal_string(out: &mut String, text: &str) {
    out.push_str(&quote(text));
}

/// `template` (a JSON string's value, which Terraform parses as a string template) as an
/// HCL quoted template: literal text escaped for the quotes, interpolations and directives
/// (`${ … }`, `%{ … }`) copied as they are, since they are native syntax already.
fn template_string(out: &mut String, template: &str) -> Result<(), String> {
    out.push('"');
    let mut index = 0;
    while let Some(character) = template[index..].chars().next() {
        let rest = &template[index..];
        if rest.starts_with("$${") || rest.starts_with("%%{") {
            // The escapes mean the same in both syntaxes.
            out.push_str(&rest[..3]);
            index += 3;
        } else if rest.starts_with("${") || rest.starts_with("%{") {
            let end = sequence_end(template, index + 2).ok_or_else(|| {
                format!(
                    "the template sequence `{}` has no closing `}}`",
                    &rest[..rest.len().min(20)]
                )
            })?;
            out.push_str(&template[index..end]);
            index = end;
        } else {
            escape_char(out, character);
            index += character.len_utf8();
        }
    }
    out.push('"');
    Ok(())
}

/// The end (after the closing `}`) of the interpolation or directive whose content starts
/// at `start`: braces nest, and quoted strings inside it (with their own templates) are
/// skipped.
fn sequence_end(template: &str, start: usize) -> Option<usize> {
    let bytes = template.as_bytes();
    let mut depth = 0usize;
    let mut index = start;
    while index < bytes.len() {
        match bytes[index] {
            b'{' => depth += 1,
            b'}' if depth == 0 => return Some(index + 1),
            b'}' => depth -= 1,
            b'"' => {
                index = quoted_end(template, index + 1)?;
                continue;
            }
            _ => {}
        }
        index += 1;
    }
    None
}

/// The end (after the closing quote) of a quoted string inside a template sequence whose
/// content starts at `start`.
fn quoted_end(template: &str, start: usize) -> Option<usize> {
    let bytes = template.as_bytes();
    let mut index = start;
    while index < bytes.len() {
        let rest = &template[index..];
        if rest.starts_with("$${") || rest.starts_with("%%{") {
            index += 3;
        } else if rest.starts_with("${") || rest.starts_with("%{") {
            index = sequence_end(template, index + 2)?;
        } else {
            match bytes[index] {
                b'\\' => index += 2,
                b'"' => return Some(index + 1),
                _ => index += 1,
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn translate(json: &str) -> String {
        configuration(json).expect("translates").text
    }

    #[test]
    fn blocks_labels_and_nested_blocks() {
        let text = translate(
            r#"{
  "//": "generated",
  "resource": {
    "aws_identitystore_user": {
      "alice": {
        "//": "a comment",
        "user_name": "alice",
        "name": { "given_name": "Alice", "family_name": "Liddell" },
        "emails": [{ "value": "alice@example.com", "primary": true }],
        "tags": { "team": "${var.team}" },
        "depends_on": ["aws_identitystore_group.admins"],
        "lifecycle": { "ignore_changes": ["display_name"] }
      }
    }
  },
  "variable": { "team": { "type": "string", "default": "${not} a template" } },
  "module": { "sso": { "source": "./modules/sso", "providers": { "aws": "aws.west" } } }
}"#,
        );
        assert_eq!(
            text,
            r#"resource "aws_identitystore_user" "alice" {
  user_name = "alice"
  name {
    given_name = "Alice"
    family_name = "Liddell"
  }
  emails {
    value = "alice@example.com"
    primary = true
  }
  tags = {
    "team" = "${var.team}"
  }
  depends_on = [
    aws_identitystore_group.admins,
  ]
  lifecycle {
    ignore_changes = [
      display_name,
    ]
  }
}
variable "team" {
  type = string
  default = "$${not} a template"
}
module "sso" {
  source = "./modules/sso"
  providers = {
    aws = aws.west
  }
}
"#
        );
    }

    #[test]
    fn templates_keep_their_sequences_and_escape_their_text() {
        let mut out = String::new();
        template_string(
            &mut out,
            "say \"${lookup(var.m, \"k}\", \"${var.d}\")}\"\n%{ if var.x }y%{ endif }$${z}",
        )
        .expect("a template");
        assert_eq!(
            out,
            r#""say \"${lookup(var.m, "k}", "${var.d}")}\"\n%{ if var.x }y%{ endif }$${z}""#
        );
        assert!(template_string(&mut String::new(), "${var.x").is_err());
    }

    #[test]
    fn marks_point_at_the_json() {
        let json = "{\n  \"locals\": {\n    \"a\": \"${b}\"\n  }\n}";
        let translated = configuration(json).expect("translates");
        let at = translated.text.find("a =").expect("the local");
        let (_, original) = translated
            .marks
            .iter()
            .rev()
            .find(|(generated, _)| *generated <= at)
            .expect("a mark");
        assert_eq!(&json[*original..*original + 3], "\"a\"");
    }

    #[test]
    fn a_label_level_that_is_not_an_object_is_an_error_where_it_is() {
        let json = "{\"variable\": {\"a\": \"b\"}}";
        let error = configuration(json).expect_err("not an object");
        assert_eq!(error.offset, json.find("\"b\"").expect("b"));
    }
}

#[cfg(test)]
mod parse_tests {
    use super::*;

    /// Every block type and meta-argument of Terraform's JSON syntax translates to text
    /// hcl-edit parses.
    #[test]
    fn every_construct_translates_to_valid_native_syntax() {
        let json = r#"{
  "terraform": {
    "required_version": ">= 1.5",
    "backend": { "s3": { "bucket": "state-${x}", "key": "identity" } },
    "required_providers": { "aws": { "source": "hashicorp/aws", "version": "~> 5.0" } }
  },
  "provider": { "aws": [{ "region": "eu-west-1" }, { "alias": "usw2", "region": "us-west-2" }] },
  "variable": {
    "accounts": {
      "type": "map(object({ id = string, tags = optional(map(string), {}) }))",
      "default": { "prod": { "id": "111111111111" } },
      "validation": { "condition": "${length(var.accounts) > 0}", "error_message": "Needs one." }
    }
  },
  "locals": { "keyed": { "${var.prefix}-a": 1, "//": "an attribute here" }, "multi": "${\n  var.x\n}" },
  "module": {
    "east": {
      "source": "./modules/east",
      "providers": { "aws": "aws.usw2", "aws.peer": "aws" },
      "depends_on": ["aws_s3_bucket.a"],
      "for_each": "${toset([\"a\"])}"
    }
  },
  "data": {
    "aws_iam_policy_document": {
      "doc": {
        "dynamic": {
          "statement": {
            "for_each": "${var.statements}",
            "iterator": "item",
            "content": {
              "actions": "${item.value.actions}",
              "condition": { "test": "StringEquals", "variable": "a", "values": ["b"] }
            }
          }
        }
      }
    }
  },
  "resource": {
    "aws_s3_bucket": {
      "a": [
        {
          "provider": "aws.usw2",
          "count": 2,
          "bucket": "b-${count.index}",
          "lifecycle": {
            "ignore_changes": "all",
            "replace_triggered_by": ["aws_s3_bucket.b.id"],
            "precondition": [{ "condition": "${true}", "error_message": "never" }]
          },
          "provisioner": [
            { "local-exec": { "command": "echo ${self.id}", "when": "destroy" } },
            { "remote-exec": { "inline": ["true"], "connection": { "type": "ssh", "host": "${self.id}" } } }
          ],
          "timeouts": { "create": "5m" }
        }
      ]
    }
  },
  "output": {
    "ids": { "value": "${aws_s3_bucket.a[*].id}", "sensitive": true, "depends_on": ["aws_s3_bucket.a"] }
  },
  "moved": [{ "from": "aws_s3_bucket.old", "to": "aws_s3_bucket.a" }],
  "removed": { "from": "aws_s3_bucket.gone", "lifecycle": { "destroy": false } },
  "import": { "to": "aws_s3_bucket.a[0]", "id": "bucket-0" },
  "check": { "health": { "assert": { "condition": "${true}", "error_message": "down" } } }
}"#;
        let translated = configuration(json).expect("translates");
        if let Err(error) = translated.text.parse::<hcl_edit::structure::Body>() {
            panic!("{error}\n{}", translated.text);
        }
        assert!(translated.text.contains("ignore_changes = all\n"));
        assert!(translated.text.contains("iterator = item\n"));
        assert!(translated.text.contains("  content {\n"));
        assert!(translated.text.contains("      condition {\n"));
        assert!(translated.text.contains("\"//\" = \"an attribute here\""));
    }
}
