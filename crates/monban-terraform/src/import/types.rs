//! Variable type constraints: converting a value to `string`, `list(...)`,
//! `map(object({ … optional(T, default) … }))` and friends the way Terraform does before a
//! module sees it — most importantly filling `optional()` attributes with their defaults,
//! which module-style configurations rely on everywhere.

use hcl_edit::expr::{Expression, ObjectKey};

use super::eval::{Evaluator, Scope};
use super::value::Value;

pub(crate) fn convert(
    evaluator: &Evaluator<'_>,
    value: Value,
    constraint: &Expression,
    scope: &Scope<'_>,
) -> Result<Value, String> {
    if matches!(value, Value::Unknown(_)) {
        return Ok(value);
    }
    match constraint {
        Expression::Variable(name) => primitive(value, name.as_str()),
        Expression::Parenthesis(inner) => convert(evaluator, value, inner.inner(), scope),
        Expression::FuncCall(call) => {
            let name = call.name.name.as_str();
            let arguments: Vec<&Expression> = call.args.iter().collect();
            let element = arguments.first().copied();
            match (name, value) {
                (_, Value::Null) => Ok(Value::Null),
                ("list" | "set", Value::List(items)) => {
                    let element = element.ok_or("`list`/`set` needs an element type")?;
                    let mut converted = items
                        .into_iter()
                        .map(|item| convert(evaluator, item, element, scope))
                        .collect::<Result<Vec<_>, _>>()?;
                    if name == "set" {
                        let mut unique: Vec<Value> = Vec::new();
                        for item in converted {
                            if !unique.contains(&item) {
                                unique.push(item);
                            }
                        }
                        if unique.iter().all(|item| matches!(item, Value::String(_))) {
                            unique.sort_by(|left, right| left.as_str().cmp(&right.as_str()));
                        }
                        converted = unique;
                    }
                    Ok(Value::List(converted))
                }
                ("map", Value::Map(map)) => {
                    let element = element.ok_or("`map` needs an element type")?;
                    Ok(Value::Map(
                        map.into_iter()
                            .map(|(key, item)| {
                                convert(evaluator, item, element, scope)
                                    .map(|item| (key.clone(), item))
                                    .map_err(|message| format!("[\"{key}\"]: {message}"))
                            })
                            .collect::<Result<_, _>>()?,
                    ))
                }
                ("object", Value::Map(mut map)) => {
                    let Some(Expression::Object(fields)) = element else {
                        return Err("`object` needs `{ attribute = type, … }`".to_owned());
                    };
                    let mut out = std::collections::BTreeMap::new();
                    for (key, field) in fields {
                        let key = match key {
                            ObjectKey::Ident(ident) => ident.as_str().to_owned(),
                            ObjectKey::Expression(Expression::String(text)) => text.value().clone(),
                            ObjectKey::Expression(_) => {
                                return Err("an object type's keys must be names".to_owned());
                            }
                        };
                        let field_type = field.expr();
                        let optional = match field_type {
                            Expression::FuncCall(call) if call.name.name.as_str() == "optional" => {
                                Some(call.args.iter().collect::<Vec<_>>())
                            }
                            _ => None,
                        };
                        let given = map.remove(&key).filter(|value| !value.is_null());
                        let converted = match (given, optional) {
                            (Some(value), Some(arguments)) => {
                                let inner = arguments.first().ok_or("`optional` needs a type")?;
                                convert(evaluator, value, inner, scope)
                            }
                            (Some(value), None) => convert(evaluator, value, field_type, scope),
                            (None, Some(arguments)) => match arguments.get(1) {
                                Some(default) => {
                                    let default = evaluator
                                        .eval(default, scope)
                                        .map_err(|error| error.message)?;
                                    let inner =
                                        arguments.first().ok_or("`optional` needs a type")?;
                                    convert(evaluator, default, inner, scope)
                                }
                                None => Ok(Value::Null),
                            },
                            (None, None) => Err(format!("attribute `{key}` is required")),
                        }
                        .map_err(|message| {
                            if message.starts_with('.') || message.starts_with('[') {
                                format!(".{key}{message}")
                            } else {
                                format!(".{key}: {message}")
                            }
                        })?;
                        out.insert(key, converted);
                    }
                    Ok(Value::Map(out))
                }
                ("tuple", Value::List(items)) => {
                    let Some(Expression::Array(types)) = element else {
                        return Err("`tuple` needs `[type, …]`".to_owned());
                    };
                    if types.len() != items.len() {
                        return Err(format!(
                            "a tuple of {} elements was expected, got {}",
                            types.len(),
                            items.len()
                        ));
                    }
                    Ok(Value::List(
                        items
                            .into_iter()
                            .zip(types.iter())
                            .map(|(item, item_type)| convert(evaluator, item, item_type, scope))
                            .collect::<Result<_, _>>()?,
                    ))
                }
                ("optional", value) => {
                    let inner = element.ok_or("`optional` needs a type")?;
                    convert(evaluator, value, inner, scope)
                }
                (name, value) => Err(format!(
                    "{} does not match the type `{name}(…)`",
                    value.describe()
                )),
            }
        }
        _ => Ok(value),
    }
}

fn primitive(value: Value, name: &str) -> Result<Value, String> {
    match (name, value) {
        ("any", value)
        | (_, value @ Value::Null)
        | ("string", value @ Value::String(_))
        | ("number", value @ Value::Number(_))
        | ("bool", value @ Value::Bool(_)) => Ok(value),
        ("string", Value::Number(number)) => Ok(Value::String(super::value::format_number(number))),
        ("string", Value::Bool(value)) => Ok(Value::String(value.to_string())),
        ("number", Value::String(text)) => text
            .parse()
            .map(Value::Number)
            .map_err(|_| format!("\"{text}\" is not a number")),
        ("bool", Value::String(text)) if text == "true" || text == "false" => {
            Ok(Value::Bool(text == "true"))
        }
        (name, value) => Err(format!("{} is not a {name}", value.describe())),
    }
}
