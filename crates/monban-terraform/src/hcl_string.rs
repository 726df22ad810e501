//! HCL quoted strings, written by both directions: the export's string literals and the
//! import's translation of `.tf.json` strings into native syntax. One escaping rule, so a
//! string the export writes reads back as itself.

use std::fmt::Write as _;

/// A quoted HCL string that means exactly `value`: JSON-like escapes plus `$${` and `%%{`,
/// so nothing is interpolated.
#[must_use]
pub fn quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    let mut rest = value;
    while let Some(character) = rest.chars().next() {
        if rest.starts_with("${") || rest.starts_with("%{") {
            out.push(character);
        }
        escape_char(&mut out, character);
        rest = &rest[character.len_utf8()..];
    }
    out.push('"');
    out
}

/// One character of literal text inside an HCL quoted string.
pub(crate) fn escape_char(out: &mut String, character: char) {
    match character {
        '"' => out.push_str("\\\""),
        '\\' => out.push_str("\\\\"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        control if control.is_control() => {
            // Writing to a `String` cannot fail.
            let _ = write!(out, "\\u{:04X}", u32::from(control));
        }
        other => out.push(other),
    }
}

#[cfg(test)]
mod tests {
    use super::quote;

    #[test]
    fn templates_and_escapes_are_neutralized() {
        assert_eq!(quote("plain"), r#""plain""#);
        assert_eq!(quote("a \"b\" \\ c"), r#""a \"b\" \\ c""#);
        assert_eq!(quote("${var.x} and %{if}"), r#""$${var.x} and %%{if}""#);
        assert_eq!(quote("$ {x} % {y}"), r#""$ {x} % {y}""#);
        assert_eq!(quote("line\nnext\u{7}"), r#""line\nnext\u0007""#);
    }
}
