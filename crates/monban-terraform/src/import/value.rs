//! The values Terraform expressions evaluate to, as far as an import needs them: null,
//! bools, numbers, strings, lists (tuples and sets too), maps (objects too), resource
//! instances, and *unknown* values — attributes only AWS knows (an ARN, a group id) that
//! stay symbolic, named by the address they come from, so the mapping can still tell which
//! resource a reference points at.

use std::collections::BTreeMap;
use std::fmt::Write as _;

/// A Terraform value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value {
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    /// Lists, tuples and sets (sets are kept sorted and without duplicates by `toset`).
    List(Vec<Value>),
    /// Maps and objects.
    Map(BTreeMap<String, Value>),
    /// One instance of a resource or data source: its arguments, plus any computed
    /// attribute read from it, which is unknown unless the state holds it.
    Resource {
        address: String,
        attributes: BTreeMap<String, Value>,
    },
    /// A value known only after apply, named by the expression it comes from
    /// (`aws_ssoadmin_permission_set.admin.arn`).
    Unknown(String),
}

impl Value {
    /// A short name of the value's type, for messages.
    pub(crate) fn type_name(&self) -> &'static str {
        match self {
            Self::Null => "null",
            Self::Bool(_) => "bool",
            Self::Number(_) => "number",
            Self::String(_) => "string",
            Self::List(_) => "list",
            Self::Map(_) => "object",
            Self::Resource { .. } => "resource",
            Self::Unknown(_) => "unknown value",
        }
    }

    pub(crate) fn is_null(&self) -> bool {
        matches!(self, Self::Null)
    }

    pub(crate) fn as_str(&self) -> Option<&str> {
        match self {
            Self::String(text) => Some(text),
            _ => None,
        }
    }

    /// The attributes of a map, object or resource instance.
    pub(crate) fn as_map(&self) -> Option<&BTreeMap<String, Value>> {
        match self {
            Self::Map(map)
            | Self::Resource {
                attributes: map, ..
            } => Some(map),
            _ => None,
        }
    }

    /// One attribute of an object or resource instance (`None` when absent or not an object).
    pub(crate) fn get(&self, key: &str) -> Option<&Value> {
        self.as_map()?.get(key)
    }

    /// A string attribute, when present and a string.
    pub(crate) fn get_str(&self, key: &str) -> Option<&str> {
        self.get(key)?.as_str()
    }

    /// The first element of a nested block list attribute (`name { … }` → `name[0]`).
    pub(crate) fn block(&self, key: &str) -> Option<&Value> {
        match self.get(key)? {
            Self::List(items) => items.first(),
            other @ Self::Map(_) => Some(other),
            _ => None,
        }
    }

    /// Whether the value, or anything inside it, is unknown.
    pub(crate) fn contains_unknown(&self) -> bool {
        match self {
            Self::Unknown(_) => true,
            Self::List(items) => items.iter().any(Self::contains_unknown),
            Self::Map(map)
            | Self::Resource {
                attributes: map, ..
            } => map.values().any(Self::contains_unknown),
            _ => false,
        }
    }

    /// The value as a string the way Terraform converts primitives (`tostring`, template
    /// interpolation); `None` for collections, null and unknowns.
    pub(crate) fn to_text(&self) -> Option<String> {
        match self {
            Self::String(text) => Some(text.clone()),
            Self::Bool(value) => Some(value.to_string()),
            Self::Number(number) => Some(format_number(*number)),
            _ => None,
        }
    }

    /// Converts to JSON (`jsonencode`). Unknowns cannot be encoded.
    pub(crate) fn to_json(&self) -> Result<serde_json::Value, String> {
        Ok(match self {
            Self::Null => serde_json::Value::Null,
            Self::Bool(value) => serde_json::Value::Bool(*value),
            Self::Number(number) => number_json(*number),
            Self::String(text) => serde_json::Value::String(text.clone()),
            Self::List(items) => {
                serde_json::Value::Array(items.iter().map(Self::to_json).collect::<Result<_, _>>()?)
            }
            Self::Map(map)
            | Self::Resource {
                attributes: map, ..
            } => serde_json::Value::Object(
                map.iter()
                    .map(|(key, value)| Ok((key.clone(), value.to_json()?)))
                    .collect::<Result<_, String>>()?,
            ),
            Self::Unknown(name) => {
                return Err(format!("`{name}` is known only after apply"));
            }
        })
    }

    /// Converts from JSON (`jsondecode`, state attributes, `.tfvars.json`).
    pub(crate) fn from_json(json: &serde_json::Value) -> Self {
        match json {
            serde_json::Value::Null => Self::Null,
            serde_json::Value::Bool(value) => Self::Bool(*value),
            serde_json::Value::Number(number) => Self::Number(number.as_f64().unwrap_or(0.0)),
            serde_json::Value::String(text) => Self::String(text.clone()),
            serde_json::Value::Array(items) => {
                Self::List(items.iter().map(Self::from_json).collect())
            }
            serde_json::Value::Object(map) => Self::Map(
                map.iter()
                    .map(|(key, value)| (key.clone(), Self::from_json(value)))
                    .collect(),
            ),
        }
    }

    /// A short rendering for messages.
    pub(crate) fn describe(&self) -> String {
        match self {
            Self::String(text) => format!("\"{text}\""),
            Self::Unknown(name) => format!("`{name}` (known only after apply)"),
            Self::Resource { address, .. } => format!("`{address}`"),
            other => other
                .to_json()
                .map_or_else(|_| other.type_name().to_owned(), |json| json.to_string()),
        }
    }
}

/// Terraform prints whole numbers without a fraction.
pub(crate) fn format_number(number: f64) -> String {
    if number.fract() == 0.0 && number.abs() < 1e15 {
        #[expect(
            clippy::cast_possible_truncation,
            reason = "whole numbers below 1e15 fit an i64 exactly"
        )]
        let whole = number as i64;
        whole.to_string()
    } else {
        let mut text = String::new();
        let _ = write!(text, "{number}");
        text
    }
}

fn number_json(number: f64) -> serde_json::Value {
    if number.fract() == 0.0 && number.abs() < 1e15 {
        #[expect(
            clippy::cast_possible_truncation,
            reason = "whole numbers below 1e15 fit an i64 exactly"
        )]
        let whole = number as i64;
        serde_json::Value::from(whole)
    } else {
        serde_json::Number::from_f64(number)
            .map_or(serde_json::Value::Null, serde_json::Value::Number)
    }
}

/// Whether `text` is a 12-digit AWS account id.
pub(crate) fn is_account_id(text: &str) -> bool {
    text.len() == 12 && text.bytes().all(|byte| byte.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_print_like_terraform() {
        assert_eq!(format_number(3.0), "3");
        assert_eq!(format_number(1.5), "1.5");
        assert_eq!(Value::Number(2.0).to_json().unwrap(), serde_json::json!(2));
    }

    #[test]
    fn unknowns_cannot_be_encoded() {
        let value = Value::List(vec![Value::Unknown("aws_x.y.arn".to_owned())]);
        assert!(value.contains_unknown());
        assert!(value.to_json().unwrap_err().contains("aws_x.y.arn"));
    }
}
