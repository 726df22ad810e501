//! The `filter` query parameter, as far as Identity Center supports it: `eq` comparisons
//! joined by `and`, each written `<attribute> eq "<value>"` (SCIM developer guide,
//! "Limitations from SCIM specification" and ListUsers/ListGroups constraints). Every other
//! operator (`ne`, `co`, `sw`, `pr`, `gt`, …), `or`, `not` and grouping is refused with a
//! 400 `invalidFilter`; which attribute combinations a list accepts is checked by the list.

use super::error::ScimError;

/// One `attribute eq "value"` comparison; `attribute` as written (compare it
/// case-insensitively, as RFC 7644 §3.4.2.2 says attribute names are).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comparison {
    pub attribute: String,
    pub value: String,
}

/// A parsed filter: its comparisons in order (all must hold).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    pub comparisons: Vec<Comparison>,
}

impl Filter {
    /// The value compared with `attribute` (case-insensitive name), if the filter has one.
    #[must_use]
    pub fn value_of(&self, attribute: &str) -> Option<&str> {
        self.comparisons
            .iter()
            .find(|comparison| comparison.attribute.eq_ignore_ascii_case(attribute))
            .map(|comparison| comparison.value.as_str())
    }

    /// The attribute names, lower-cased and sorted (to match supported combinations).
    #[must_use]
    pub fn attribute_set(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .comparisons
            .iter()
            .map(|comparison| comparison.attribute.to_ascii_lowercase())
            .collect();
        names.sort();
        names
    }
}

fn invalid(detail: impl Into<String>) -> ScimError {
    ScimError::validation("invalidFilter", detail)
}

/// Splits a filter into words and quoted strings (quotes kept off, `\"` and `\\` unescaped).
fn tokens(text: &str) -> Result<Vec<(String, bool)>, ScimError> {
    let mut tokens = Vec::new();
    let mut characters = text.chars().peekable();
    while let Some(&character) = characters.peek() {
        if character.is_whitespace() {
            characters.next();
        } else if character == '"' {
            characters.next();
            let mut value = String::new();
            loop {
                match characters.next() {
                    None => return Err(invalid(format!("Unterminated string in filter: {text}"))),
                    Some('"') => break,
                    Some('\\') => match characters.next() {
                        Some(escaped) => value.push(escaped),
                        None => {
                            return Err(invalid(format!("Unterminated string in filter: {text}")));
                        }
                    },
                    Some(other) => value.push(other),
                }
            }
            tokens.push((value, true));
        } else {
            let mut word = String::new();
            while let Some(&next) = characters.peek() {
                if next.is_whitespace() || next == '"' {
                    break;
                }
                word.push(next);
                characters.next();
            }
            tokens.push((word, false));
        }
    }
    Ok(tokens)
}

/// Parses `attr eq "value" [and attr eq "value" …]`.
pub fn parse(text: &str) -> Result<Filter, ScimError> {
    let tokens = tokens(text)?;
    let mut comparisons = Vec::new();
    let mut rest = tokens.as_slice();
    loop {
        let [
            (attribute, false),
            (operator, false),
            (value, quoted),
            tail @ ..,
        ] = rest
        else {
            return Err(invalid(format!(
                "Unsupported filter: {text}. Only <attribute> eq \"<value>\" comparisons joined by and are supported."
            )));
        };
        if attribute.contains(['(', ')', '[', ']']) {
            return Err(invalid(format!("Unsupported filter grouping in: {text}")));
        }
        if !operator.eq_ignore_ascii_case("eq") {
            return Err(invalid(format!(
                "Unsupported filter operator {operator}: only eq is supported."
            )));
        }
        if !quoted {
            return Err(invalid(format!(
                "Filter values must be quoted strings: {attribute} eq \"<value>\"."
            )));
        }
        comparisons.push(Comparison {
            attribute: attribute.clone(),
            value: value.clone(),
        });
        match tail {
            [] => break,
            [(joiner, false), more @ ..] if joiner.eq_ignore_ascii_case("and") => rest = more,
            [(joiner, false), ..] => {
                return Err(invalid(format!(
                    "Unsupported filter operator {joiner}: only and joins comparisons."
                )));
            }
            _ => return Err(invalid(format!("Unsupported filter: {text}"))),
        }
    }
    Ok(Filter { comparisons })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eq_comparisons_joined_by_and_parse() {
        let filter = parse(r#"id eq "g-1" and members eq "u \"2\"""#).unwrap();
        assert_eq!(filter.value_of("ID"), Some("g-1"));
        assert_eq!(filter.value_of("members"), Some("u \"2\""));
        assert_eq!(filter.attribute_set(), ["id", "members"]);
    }

    #[test]
    fn other_operators_or_and_unquoted_values_are_invalid_filters() {
        for text in [
            r#"userName co "a""#,
            r#"userName eq "a" or userName eq "b""#,
            "userName eq a",
            "userName pr",
            r#"(userName eq "a")"#,
            r#"userName eq "a"#,
        ] {
            let error = parse(text).unwrap_err();
            assert!(
                matches!(
                    error,
                    ScimError::Validation {
                        scim_type: "invalidFilter",
                        ..
                    }
                ),
                "{text}: {error:?}"
            );
        }
    }
}
