//! Terraform's built-in functions that access configurations use. Each behaves as the
//! Terraform documentation describes (developer.hashicorp.com/terraform/language/functions);
//! a function not listed here is an error naming it, so the import never guesses.

use std::collections::BTreeMap;
use std::ops::Range;

use hcl_edit::expr::FuncCall;

use super::eval::{EvalError, Evaluator, Scope};
use super::value::{Value, format_number};

/// The functions the import evaluates (also listed in docs/reference/terraform-import.md).
pub const SUPPORTED: &[&str] = &[
    "abs",
    "can",
    "ceil",
    "chunklist",
    "coalesce",
    "coalescelist",
    "compact",
    "concat",
    "contains",
    "distinct",
    "element",
    "endswith",
    "file",
    "fileexists",
    "flatten",
    "floor",
    "format",
    "formatlist",
    "index",
    "join",
    "jsondecode",
    "jsonencode",
    "keys",
    "length",
    "lookup",
    "lower",
    "max",
    "merge",
    "min",
    "one",
    "range",
    "regex",
    "regexall",
    "replace",
    "reverse",
    "setintersection",
    "setproduct",
    "setsubtract",
    "setunion",
    "slice",
    "sort",
    "split",
    "startswith",
    "strcontains",
    "substr",
    "sum",
    "templatefile",
    "title",
    "tobool",
    "tolist",
    "tomap",
    "tonumber",
    "toset",
    "tostring",
    "transpose",
    "trim",
    "trimprefix",
    "trimspace",
    "trimsuffix",
    "try",
    "upper",
    "values",
    "zipmap",
];

type Outcome = Result<Value, String>;

#[expect(
    clippy::needless_pass_by_value,
    reason = "a span is two words; callers pass it as hcl-edit returns it"
)]
pub(crate) fn call(
    evaluator: &Evaluator<'_>,
    name: &str,
    call: &FuncCall,
    scope: &Scope<'_>,
    span: Option<Range<usize>>,
) -> Result<Value, EvalError> {
    let error = |message: String| evaluator.error(scope.file, span.clone(), message);
    // `try` and `can` evaluate their arguments themselves: an error is their input.
    match name {
        "try" => {
            let mut last = None;
            for argument in &call.args {
                match evaluator.eval(argument, scope) {
                    Ok(value) => return Ok(value),
                    Err(failure) => last = Some(failure),
                }
            }
            return Err(
                last.unwrap_or_else(|| error("`try` needs at least one argument".to_owned()))
            );
        }
        "can" => {
            let argument = call
                .args
                .iter()
                .next()
                .ok_or_else(|| error("`can` needs one argument".to_owned()))?;
            return Ok(Value::Bool(evaluator.eval(argument, scope).is_ok()));
        }
        _ => {}
    }
    let mut arguments = Vec::new();
    for argument in &call.args {
        arguments.push(evaluator.eval(argument, scope)?);
    }
    if call.args.expand_final() {
        match arguments.pop() {
            Some(Value::List(items)) => arguments.extend(items),
            _ => return Err(error("`...` needs a list as the last argument".to_owned())),
        }
    }
    if !SUPPORTED.contains(&name) {
        return Err(error(format!(
            "the function `{name}` is not supported by the import (see docs/reference/terraform-import.md)"
        )));
    }
    // A function of an unknown value is unknown; with unknowns only inside a collection,
    // functions that only look at the shape (`flatten`, `merge`, …) still work.
    if let Some(Value::Unknown(inner)) = arguments
        .iter()
        .find(|argument| matches!(argument, Value::Unknown(_)))
    {
        return Ok(Value::Unknown(format!("{name}({inner})")));
    }
    if ![
        "length",
        "keys",
        "jsonencode",
        "coalesce",
        "merge",
        "concat",
        "flatten",
        "tolist",
        "toset",
        "lookup",
        "one",
        "element",
        "values",
    ]
    .contains(&name)
        && arguments.iter().any(Value::contains_unknown)
    {
        let names: Vec<String> = arguments
            .iter()
            .filter_map(|argument| match argument {
                Value::Unknown(name) => Some(name.clone()),
                _ => None,
            })
            .collect();
        return Ok(Value::Unknown(format!("{name}({})", names.join(", "))));
    }
    // Terraform resolves relative paths against the working directory, the root module;
    // `path.module` is absolute here, so `"${path.module}/x"` works from any module.
    let base = std::path::PathBuf::from(&evaluator.root_dir);
    apply(name, arguments, &base, evaluator, scope).map_err(|message| {
        let span = call
            .args
            .iter()
            .next()
            .and_then(hcl_edit::Span::span)
            .or(span.clone());
        evaluator.error(scope.file, span, format!("{name}(): {message}"))
    })
}

fn text(value: &Value) -> Result<String, String> {
    value
        .to_text()
        .ok_or_else(|| format!("expected a string, got {}", value.describe()))
}

fn list(value: Value) -> Result<Vec<Value>, String> {
    match value {
        Value::List(items) => Ok(items),
        other => Err(format!("expected a list, got {}", other.describe())),
    }
}

fn map(value: Value) -> Result<BTreeMap<String, Value>, String> {
    match value {
        Value::Map(map)
        | Value::Resource {
            attributes: map, ..
        } => Ok(map),
        other => Err(format!(
            "expected a map or object, got {}",
            other.describe()
        )),
    }
}

fn number(value: &Value) -> Result<f64, String> {
    match value {
        Value::Number(number) => Ok(*number),
        Value::String(text) => text
            .parse()
            .map_err(|_| format!("\"{text}\" is not a number")),
        other => Err(format!("expected a number, got {}", other.describe())),
    }
}

#[expect(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    reason = "callers pass list indexes and counts, whole and far below 2^52"
)]
fn whole(value: &Value) -> Result<usize, String> {
    let number = number(value)?;
    if number < 0.0 || number.fract() != 0.0 {
        return Err(format!(
            "{} is not a whole non-negative number",
            format_number(number)
        ));
    }
    Ok(number as usize)
}

/// A set: sorted (strings lexically, as Terraform orders sets of strings) and without
/// duplicates.
fn set(items: Vec<Value>) -> Vec<Value> {
    let mut unique: Vec<Value> = Vec::new();
    for item in items {
        if !unique.contains(&item) {
            unique.push(item);
        }
    }
    if unique.iter().all(|item| matches!(item, Value::String(_))) {
        unique.sort_by(|left, right| left.as_str().cmp(&right.as_str()));
    }
    unique
}

/// A pattern in Terraform's syntax (RE2, which the `regex` crate's syntax follows).
fn compile(pattern: &str) -> Result<regex::Regex, String> {
    regex::Regex::new(pattern)
        .map_err(|error| format!("invalid regular expression {pattern:?}: {error}"))
}

/// What `regex` returns for one match, as Terraform documents it: the matched text when
/// the pattern has no capture groups, a map by name when it has named ones, else a list
/// of the groups; a group that took no part in the match is null.
fn match_value(pattern: &regex::Regex, captures: &regex::Captures<'_>) -> Value {
    let group = |index: usize| {
        captures.get(index).map_or(Value::Null, |found| {
            Value::String(found.as_str().to_owned())
        })
    };
    if pattern.captures_len() == 1 {
        return group(0);
    }
    let names: Vec<(usize, &str)> = pattern
        .capture_names()
        .enumerate()
        .filter_map(|(index, name)| name.map(|name| (index, name)))
        .collect();
    if names.is_empty() {
        Value::List((1..pattern.captures_len()).map(group).collect())
    } else {
        Value::Map(
            names
                .into_iter()
                .map(|(index, name)| (name.to_owned(), group(index)))
                .collect(),
        )
    }
}

fn arity(arguments: &[Value], count: usize) -> Result<(), String> {
    if arguments.len() == count {
        Ok(())
    } else {
        Err(format!(
            "expected {count} argument(s), got {}",
            arguments.len()
        ))
    }
}

#[expect(
    clippy::cast_precision_loss,
    reason = "lengths in a configuration are far below 2^52"
)]
fn count(length: usize) -> Value {
    Value::Number(length as f64)
}

fn apply(
    name: &str,
    arguments: Vec<Value>,
    base: &std::path::Path,
    evaluator: &Evaluator<'_>,
    scope: &Scope<'_>,
) -> Outcome {
    let first = || {
        arguments
            .first()
            .cloned()
            .ok_or("expected an argument".to_owned())
    };
    Ok(match name {
        "abs" => Value::Number(number(&first()?)?.abs()),
        "ceil" => Value::Number(number(&first()?)?.ceil()),
        "floor" => Value::Number(number(&first()?)?.floor()),
        "max" | "min" => {
            let numbers = arguments
                .iter()
                .map(number)
                .collect::<Result<Vec<_>, _>>()?;
            let pick = if name == "max" { f64::max } else { f64::min };
            Value::Number(
                numbers
                    .into_iter()
                    .reduce(pick)
                    .ok_or("expected at least one number")?,
            )
        }
        "sum" => Value::Number(list(first()?)?.iter().map(number).sum::<Result<f64, _>>()?),
        "coalesce" => arguments
            .into_iter()
            .find(|value| !value.is_null() && value.as_str() != Some(""))
            .ok_or("no non-null, non-empty argument")?,
        "coalescelist" => arguments
            .into_iter()
            .find(|value| matches!(value, Value::List(items) if !items.is_empty()))
            .ok_or("no non-empty list argument")?,
        "compact" => Value::List(
            list(first()?)?
                .into_iter()
                .filter(|value| !value.is_null() && value.as_str() != Some(""))
                .collect(),
        ),
        "concat" => Value::List(
            arguments
                .into_iter()
                .map(list)
                .collect::<Result<Vec<_>, _>>()?
                .into_iter()
                .flatten()
                .collect(),
        ),
        "contains" => {
            arity(&arguments, 2)?;
            Value::Bool(list(first()?)?.contains(&arguments[1]))
        }
        "distinct" => {
            let mut unique = Vec::new();
            for item in list(first()?)? {
                if !unique.contains(&item) {
                    unique.push(item);
                }
            }
            Value::List(unique)
        }
        "element" => {
            arity(&arguments, 2)?;
            let items = list(first()?)?;
            if items.is_empty() {
                return Err("cannot take an element of an empty list".to_owned());
            }
            let index = whole(&arguments[1])? % items.len();
            items[index].clone()
        }
        "index" => {
            arity(&arguments, 2)?;
            let position = list(first()?)?
                .iter()
                .position(|item| *item == arguments[1])
                .ok_or("the value is not in the list")?;
            count(position)
        }
        "chunklist" => {
            arity(&arguments, 2)?;
            let size = whole(&arguments[1])?.max(1);
            Value::List(
                list(first()?)?
                    .chunks(size)
                    .map(|chunk| Value::List(chunk.to_vec()))
                    .collect(),
            )
        }
        "flatten" => {
            fn flatten(items: Vec<Value>, out: &mut Vec<Value>) {
                for item in items {
                    match item {
                        Value::List(inner) => flatten(inner, out),
                        other => out.push(other),
                    }
                }
            }
            let mut out = Vec::new();
            flatten(list(first()?)?, &mut out);
            Value::List(out)
        }
        "keys" => Value::List(map(first()?)?.into_keys().map(Value::String).collect()),
        "values" => Value::List(map(first()?)?.into_values().collect()),
        "length" => match first()? {
            Value::List(items) => count(items.len()),
            Value::Map(map)
            | Value::Resource {
                attributes: map, ..
            } => count(map.len()),
            Value::String(text) => count(text.chars().count()),
            other => return Err(format!("cannot take the length of {}", other.describe())),
        },
        "lookup" => {
            if !(2..=3).contains(&arguments.len()) {
                return Err("expected 2 or 3 arguments".to_owned());
            }
            let key = text(&arguments[1])?;
            let fallback = arguments.get(2).cloned();
            match map(first()?)?.remove(&key) {
                Some(value) => value,
                None => fallback.ok_or_else(|| format!("the map has no key \"{key}\""))?,
            }
        }
        "merge" => {
            let mut merged = BTreeMap::new();
            for argument in arguments {
                if argument.is_null() {
                    continue;
                }
                merged.extend(map(argument)?);
            }
            Value::Map(merged)
        }
        "one" => {
            let items = list(first()?)?;
            match items.len() {
                0 => Value::Null,
                1 => items.into_iter().next().unwrap_or(Value::Null),
                more => return Err(format!("the list has {more} elements, not at most one")),
            }
        }
        "range" => {
            let numbers = arguments
                .iter()
                .map(number)
                .collect::<Result<Vec<_>, _>>()?;
            let (start, end, step) = match numbers.as_slice() {
                [end] => (0.0, *end, 1.0),
                [start, end] => (*start, *end, if end >= start { 1.0 } else { -1.0 }),
                [start, end, step] => (*start, *end, *step),
                _ => return Err("expected 1 to 3 numbers".to_owned()),
            };
            if step == 0.0 {
                return Err("the step must not be zero".to_owned());
            }
            let mut items = Vec::new();
            let mut current = start;
            while (step > 0.0 && current < end) || (step < 0.0 && current > end) {
                items.push(Value::Number(current));
                current += step;
                if items.len() > 1024 {
                    return Err("more than 1024 elements".to_owned());
                }
            }
            Value::List(items)
        }
        "reverse" => {
            let mut items = list(first()?)?;
            items.reverse();
            Value::List(items)
        }
        "slice" => {
            arity(&arguments, 3)?;
            let items = list(first()?)?;
            let (start, end) = (whole(&arguments[1])?, whole(&arguments[2])?);
            if start > end || end > items.len() {
                return Err(format!("{start}..{end} is out of range"));
            }
            Value::List(items[start..end].to_vec())
        }
        "sort" => {
            let mut items = list(first()?)?
                .iter()
                .map(text)
                .collect::<Result<Vec<_>, _>>()?;
            items.sort();
            Value::List(items.into_iter().map(Value::String).collect())
        }
        "toset" => Value::List(set(list(first()?)?)),
        "tolist" => Value::List(list(first()?)?),
        "tomap" => Value::Map(map(first()?)?),
        "tostring" => match first()? {
            Value::Null => Value::Null,
            value => Value::String(text(&value)?),
        },
        "tonumber" => match first()? {
            Value::Null => Value::Null,
            value => Value::Number(number(&value)?),
        },
        "tobool" => match first()? {
            Value::Bool(value) => Value::Bool(value),
            Value::String(text) if text == "true" => Value::Bool(true),
            Value::String(text) if text == "false" => Value::Bool(false),
            Value::Null => Value::Null,
            other => return Err(format!("{} is not a bool", other.describe())),
        },
        "setproduct" => {
            let mut product: Vec<Vec<Value>> = vec![Vec::new()];
            for argument in arguments {
                let items = list(argument)?;
                product = product
                    .into_iter()
                    .flat_map(|prefix| {
                        items.iter().map(move |item| {
                            let mut row = prefix.clone();
                            row.push(item.clone());
                            row
                        })
                    })
                    .collect();
            }
            Value::List(product.into_iter().map(Value::List).collect())
        }
        "setunion" => Value::List(set(arguments
            .into_iter()
            .map(list)
            .collect::<Result<Vec<_>, _>>()?
            .into_iter()
            .flatten()
            .collect())),
        "setintersection" | "setsubtract" => {
            let mut lists = arguments
                .into_iter()
                .map(list)
                .collect::<Result<Vec<_>, _>>()?;
            if lists.is_empty() {
                return Err("expected at least one set".to_owned());
            }
            let head = lists.remove(0);
            Value::List(set(head
                .into_iter()
                .filter(|item| {
                    if name == "setintersection" {
                        lists.iter().all(|other| other.contains(item))
                    } else {
                        !lists.iter().any(|other| other.contains(item))
                    }
                })
                .collect()))
        }
        "transpose" => {
            let mut out: BTreeMap<String, Vec<Value>> = BTreeMap::new();
            for (key, values) in map(first()?)? {
                for value in list(values)? {
                    out.entry(text(&value)?)
                        .or_default()
                        .push(Value::String(key.clone()));
                }
            }
            Value::Map(
                out.into_iter()
                    .map(|(key, values)| (key, Value::List(values)))
                    .collect(),
            )
        }
        "zipmap" => {
            arity(&arguments, 2)?;
            let keys = list(first()?)?;
            let values = list(arguments[1].clone())?;
            if keys.len() != values.len() {
                return Err("the two lists differ in length".to_owned());
            }
            Value::Map(
                keys.iter()
                    .map(text)
                    .collect::<Result<Vec<_>, _>>()?
                    .into_iter()
                    .zip(values)
                    .collect(),
            )
        }
        "format" => Value::String(format(&arguments)?),
        "formatlist" => {
            let length = arguments
                .iter()
                .filter_map(|argument| match argument {
                    Value::List(items) => Some(items.len()),
                    _ => None,
                })
                .max()
                .unwrap_or(1);
            let mut out = Vec::new();
            for row in 0..length {
                let row_arguments: Vec<Value> = arguments
                    .iter()
                    .map(|argument| match argument {
                        Value::List(items) => items.get(row).cloned().unwrap_or(Value::Null),
                        other => other.clone(),
                    })
                    .collect();
                out.push(Value::String(format(&row_arguments)?));
            }
            Value::List(out)
        }
        "join" => {
            arity(&arguments, 2)?;
            let separator = text(&arguments[0])?;
            let items = list(arguments[1].clone())?
                .iter()
                .map(text)
                .collect::<Result<Vec<_>, _>>()?;
            Value::String(items.join(&separator))
        }
        "split" => {
            arity(&arguments, 2)?;
            let (separator, whole_text) = (text(&arguments[0])?, text(&arguments[1])?);
            Value::List(
                whole_text
                    .split(separator.as_str())
                    .map(|part| Value::String(part.to_owned()))
                    .collect(),
            )
        }
        "lower" => Value::String(text(&first()?)?.to_lowercase()),
        "upper" => Value::String(text(&first()?)?.to_uppercase()),
        "title" => Value::String(
            text(&first()?)?
                .split(' ')
                .map(|word| {
                    let mut characters = word.chars();
                    characters.next().map_or_else(String::new, |initial| {
                        initial.to_uppercase().collect::<String>() + characters.as_str()
                    })
                })
                .collect::<Vec<_>>()
                .join(" "),
        ),
        "replace" => {
            arity(&arguments, 3)?;
            let (subject, search, replacement) = (
                text(&arguments[0])?,
                text(&arguments[1])?,
                text(&arguments[2])?,
            );
            if search.len() > 1 && search.starts_with('/') && search.ends_with('/') {
                let pattern = compile(&search[1..search.len() - 1])?;
                Value::String(
                    pattern
                        .replace_all(&subject, replacement.as_str())
                        .into_owned(),
                )
            } else {
                Value::String(subject.replace(&search, &replacement))
            }
        }
        "substr" => {
            arity(&arguments, 3)?;
            let subject: Vec<char> = text(&arguments[0])?.chars().collect();
            let offset = whole(&arguments[1])?.min(subject.len());
            let length = number(&arguments[2])?;
            let end = if length < 0.0 {
                subject.len()
            } else {
                (offset + whole(&arguments[2])?).min(subject.len())
            };
            Value::String(subject[offset..end].iter().collect())
        }
        "regex" => {
            arity(&arguments, 2)?;
            let pattern = compile(&text(&arguments[0])?)?;
            let subject = text(&arguments[1])?;
            let captures = pattern
                .captures(&subject)
                .ok_or("the pattern does not match the string")?;
            match_value(&pattern, &captures)
        }
        "regexall" => {
            arity(&arguments, 2)?;
            let pattern = compile(&text(&arguments[0])?)?;
            let subject = text(&arguments[1])?;
            Value::List(
                pattern
                    .captures_iter(&subject)
                    .map(|captures| match_value(&pattern, &captures))
                    .collect(),
            )
        }
        "trimspace" => Value::String(text(&first()?)?.trim().to_owned()),
        "trim" => {
            arity(&arguments, 2)?;
            let characters = text(&arguments[1])?;
            Value::String(
                text(&arguments[0])?
                    .trim_matches(|c| characters.contains(c))
                    .to_owned(),
            )
        }
        "trimprefix" | "trimsuffix" => {
            arity(&arguments, 2)?;
            let (subject, affix) = (text(&arguments[0])?, text(&arguments[1])?);
            let trimmed = if name == "trimprefix" {
                subject.strip_prefix(&affix)
            } else {
                subject.strip_suffix(&affix)
            };
            Value::String(trimmed.unwrap_or(&subject).to_owned())
        }
        "startswith" | "endswith" | "strcontains" => {
            arity(&arguments, 2)?;
            let (subject, part) = (text(&arguments[0])?, text(&arguments[1])?);
            Value::Bool(match name {
                "startswith" => subject.starts_with(&part),
                "endswith" => subject.ends_with(&part),
                _ => subject.contains(&part),
            })
        }
        "jsonencode" => Value::String(first()?.to_json()?.to_string()),
        "jsondecode" => {
            let source = text(&first()?)?;
            let json: serde_json::Value =
                serde_json::from_str(&source).map_err(|error| format!("invalid JSON: {error}"))?;
            Value::from_json(&json)
        }
        "file" | "fileexists" => {
            let path = base.join(text(&first()?)?);
            if name == "fileexists" {
                Value::Bool(path.is_file())
            } else {
                Value::String(
                    std::fs::read_to_string(&path)
                        .map_err(|error| format!("cannot read `{}`: {error}", path.display()))?,
                )
            }
        }
        "templatefile" => {
            arity(&arguments, 2)?;
            let path = base.join(text(&arguments[0])?);
            let source = std::fs::read_to_string(&path)
                .map_err(|error| format!("cannot read `{}`: {error}", path.display()))?;
            let template = hcl_edit::parser::parse_template(&source)
                .map_err(|error| format!("`{}`: {}", path.display(), error.message()))?;
            let mut inner = Scope::new(scope.instance, scope.file);
            for (key, value) in map(arguments[1].clone())? {
                inner.bindings.push((key, value));
            }
            let rendered = evaluator
                .template(&template, &inner)
                .map_err(|error| format!("`{}`: {}", path.display(), error.message))?;
            match rendered {
                Value::String(text) => Value::String(text),
                other => Value::String(text(&other)?),
            }
        }
        other => return Err(format!("`{other}` is listed but not implemented")),
    })
}

/// `format`: the verbs access code uses (`%s`, `%d`, `%v`, `%q`, `%%`).
fn format(arguments: &[Value]) -> Result<String, String> {
    let mut arguments = arguments.iter();
    let specification = text(arguments.next().ok_or("expected a format string")?)?;
    let mut out = String::new();
    let mut characters = specification.chars();
    while let Some(character) = characters.next() {
        if character != '%' {
            out.push(character);
            continue;
        }
        match characters.next() {
            Some('%') => out.push('%'),
            Some(verb @ ('s' | 'd' | 'v' | 'q')) => {
                let value = arguments.next().ok_or("too few arguments for the format")?;
                let rendered = text(value)?;
                if verb == 'q' {
                    out.push_str(&serde_json::Value::String(rendered).to_string());
                } else {
                    out.push_str(&rendered);
                }
            }
            other => {
                return Err(format!(
                    "the verb `%{}` is not supported",
                    other.map(String::from).unwrap_or_default()
                ));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(items: &[&str]) -> Value {
        Value::List(
            items
                .iter()
                .map(|item| Value::String((*item).to_owned()))
                .collect(),
        )
    }

    #[test]
    fn regular_expressions_return_what_terraform_documents() {
        let pattern = |text: &str| compile(text).unwrap();
        let first = |pattern_text: &str, subject: &str| {
            let pattern = pattern(pattern_text);
            let captures = pattern.captures(subject).unwrap();
            match_value(&pattern, &captures)
        };
        assert_eq!(
            first("[a-z]+", "53453453.someword.pattern"),
            Value::String("someword".into())
        );
        assert_eq!(
            first(r"(\d\d\d\d)-(\d\d)-(\d\d)", "2019-02-01"),
            strings(&["2019", "02", "01"])
        );
        assert_eq!(
            first(
                "^(?:(?P<scheme>[^:/?#]+):)?(?://(?P<authority>[^/?#]*))?",
                "https://terraform.io/docs/"
            ),
            Value::Map(BTreeMap::from([
                ("authority".to_owned(), Value::String("terraform.io".into())),
                ("scheme".to_owned(), Value::String("https".into())),
            ]))
        );
        assert_eq!(
            first("(a)?(b)", "b"),
            Value::List(vec![Value::Null, Value::String("b".into())])
        );
        assert!(compile("(").is_err());
        let all = pattern("[a-z]+");
        let matches: Vec<Value> = all
            .captures_iter("1a2bc")
            .map(|captures| match_value(&all, &captures))
            .collect();
        assert_eq!(Value::List(matches), strings(&["a", "bc"]));
        assert_eq!(
            pattern("w.(r)d")
                .replace_all("hello world", "wo$1ld")
                .into_owned(),
            "hello world"
        );
    }

    #[test]
    fn format_verbs() {
        let arguments = [
            Value::String("%s-%d %q 100%%".to_owned()),
            Value::String("a".to_owned()),
            Value::Number(3.0),
            Value::String("b".to_owned()),
        ];
        assert_eq!(format(&arguments).unwrap(), "a-3 \"b\" 100%");
    }

    #[test]
    fn sets_are_sorted_and_unique() {
        assert_eq!(
            set(vec![
                Value::String("b".into()),
                Value::String("a".into()),
                Value::String("b".into())
            ]),
            vec![Value::String("a".into()), Value::String("b".into())]
        );
        let _ = strings(&[]);
    }
}
