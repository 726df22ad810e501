//! `data "aws_iam_policy_document"` rendered to the JSON the AWS provider produces
//! (terraform-provider-aws `data_source_iam_policy_document.go`): `Version` defaults to
//! 2012-10-17, `Effect` to Allow; a one-element `actions` / `resources` / identifiers /
//! condition values list becomes a string and longer ones are sorted in reverse, as the
//! provider's `policyDecodeConfigStringList` does (condition values keep their order);
//! `&{aws:username}` in resources, principals and condition values becomes
//! `${aws:username}`; `source_policy_documents` come first and `override_policy_documents`
//! replace statements with the same `Sid`.

use std::collections::BTreeMap;

use serde_json::{Map, Value as Json, json};

use super::value::Value;

fn strings(value: Option<&Value>) -> Result<Vec<String>, String> {
    match value {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::List(items)) => items
            .iter()
            .map(|item| {
                item.to_text().ok_or_else(|| match item {
                    Value::Unknown(name) => format!("`{name}` is known only after apply"),
                    other => format!("{} is not a string", other.describe()),
                })
            })
            .collect(),
        Some(Value::Unknown(name)) => Err(format!("`{name}` is known only after apply")),
        Some(other) => Err(format!("{} is not a list of strings", other.describe())),
    }
}

/// One string, or the set sorted in reverse (the provider's `policyDecodeConfigStringList`:
/// these arguments are sets, so duplicates go too).
fn string_or_list(mut items: Vec<String>) -> Json {
    items.sort_by(|left, right| right.cmp(left));
    items.dedup();
    one_or_list(items)
}

/// One string, or the list as it is.
fn one_or_list(mut items: Vec<String>) -> Json {
    if items.len() == 1 {
        return Json::String(items.remove(0));
    }
    json!(items)
}

/// Terraform spells IAM policy variables `&{…}` so they are not interpolated; the provider
/// turns them back into `${…}` (`dataSourcePolicyDocumentVarReplacer`).
fn policy_variables(items: Vec<String>) -> Vec<String> {
    items
        .into_iter()
        .map(|item| item.replace("&{", "${"))
        .collect()
}

fn blocks(value: Option<&Value>) -> Vec<&BTreeMap<String, Value>> {
    match value {
        Some(Value::List(items)) => items.iter().filter_map(Value::as_map).collect(),
        _ => Vec::new(),
    }
}

fn principals(blocks: &[&BTreeMap<String, Value>]) -> Result<Option<Json>, String> {
    if blocks.is_empty() {
        return Ok(None);
    }
    let mut by_type: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for block in blocks {
        let principal_type = block
            .get("type")
            .and_then(Value::as_str)
            .ok_or("a `principals` block needs `type`")?;
        by_type
            .entry(principal_type.to_owned())
            .or_default()
            .extend(policy_variables(strings(block.get("identifiers"))?));
    }
    if let Some(identifiers) = by_type.get("*")
        && by_type.len() == 1
        && identifiers.iter().all(|identifier| identifier == "*")
    {
        return Ok(Some(Json::String("*".to_owned())));
    }
    Ok(Some(Json::Object(
        by_type
            .into_iter()
            .map(|(principal_type, identifiers)| (principal_type, string_or_list(identifiers)))
            .collect(),
    )))
}

fn statement(block: &BTreeMap<String, Value>) -> Result<Json, String> {
    let mut out = Map::new();
    if let Some(sid) = block
        .get("sid")
        .and_then(Value::as_str)
        .filter(|sid| !sid.is_empty())
    {
        out.insert("Sid".to_owned(), json!(sid));
    }
    let effect = block
        .get("effect")
        .and_then(Value::as_str)
        .unwrap_or("Allow");
    out.insert("Effect".to_owned(), json!(effect));
    for (attribute, key) in [
        ("actions", "Action"),
        ("not_actions", "NotAction"),
        ("resources", "Resource"),
        ("not_resources", "NotResource"),
    ] {
        let mut items = strings(block.get(attribute))?;
        if attribute.ends_with("resources") {
            items = policy_variables(items);
        }
        if !items.is_empty() {
            out.insert(key.to_owned(), string_or_list(items));
        }
    }
    if let Some(principal) = principals(&blocks(block.get("principals")))? {
        out.insert("Principal".to_owned(), principal);
    }
    if let Some(principal) = principals(&blocks(block.get("not_principals")))? {
        out.insert("NotPrincipal".to_owned(), principal);
    }
    let conditions = blocks(block.get("condition"));
    if !conditions.is_empty() {
        let mut by_test: Map<String, Json> = Map::new();
        for condition in conditions {
            let test = condition
                .get("test")
                .and_then(Value::as_str)
                .ok_or("a `condition` block needs `test`")?;
            let variable = condition
                .get("variable")
                .and_then(Value::as_str)
                .ok_or("a `condition` block needs `variable`")?;
            let values = policy_variables(strings(condition.get("values"))?);
            if let Json::Object(variables) = by_test
                .entry(test.to_owned())
                .or_insert_with(|| Json::Object(Map::new()))
            {
                variables.insert(variable.to_owned(), one_or_list(values));
            }
        }
        out.insert("Condition".to_owned(), Json::Object(by_test));
    }
    Ok(Json::Object(out))
}

fn merge_by_sid(statements: &mut Vec<Json>, incoming: Vec<Json>) {
    for statement in incoming {
        let sid = statement
            .get("Sid")
            .and_then(Json::as_str)
            .map(str::to_owned);
        match sid.and_then(|sid| {
            statements.iter().position(|existing| {
                existing.get("Sid").and_then(Json::as_str) == Some(sid.as_str())
            })
        }) {
            Some(position) => statements[position] = statement,
            None => statements.push(statement),
        }
    }
}

fn document_statements(text: &str) -> Result<Vec<Json>, String> {
    let json: Json = serde_json::from_str(text)
        .map_err(|error| format!("a policy document is not JSON: {error}"))?;
    Ok(match json.get("Statement") {
        Some(Json::Array(items)) => items.clone(),
        Some(single @ Json::Object(_)) => vec![single.clone()],
        _ => Vec::new(),
    })
}

/// The JSON text of the policy document whose arguments are `attributes`.
pub(crate) fn document(attributes: &BTreeMap<String, Value>) -> Result<String, String> {
    let mut statements = Vec::new();
    for source in strings(attributes.get("source_policy_documents"))? {
        merge_by_sid(&mut statements, document_statements(&source)?);
    }
    let own = blocks(attributes.get("statement"))
        .into_iter()
        .map(statement)
        .collect::<Result<Vec<_>, _>>()?;
    merge_by_sid(&mut statements, own);
    for source in strings(attributes.get("override_policy_documents"))? {
        merge_by_sid(&mut statements, document_statements(&source)?);
    }
    let mut out = Map::new();
    out.insert(
        "Version".to_owned(),
        json!(
            attributes
                .get("version")
                .and_then(Value::as_str)
                .unwrap_or("2012-10-17")
        ),
    );
    if let Some(id) = attributes.get("policy_id").and_then(Value::as_str) {
        out.insert("Id".to_owned(), json!(id));
    }
    out.insert("Statement".to_owned(), Json::Array(statements));
    serde_json::to_string_pretty(&Json::Object(out)).map_err(|error| error.to_string())
}

/// The order IAM's documentation writes policy keys in; other keys follow alphabetically.
const KEY_ORDER: &[&str] = &[
    "Version",
    "Id",
    "Statement",
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
];

/// A policy document as a person writes it: two-space indent, keys in IAM's order
/// (`Version` before `Statement`, `Effect` before `Action`), a final newline.
pub(crate) fn pretty(json: &Json) -> String {
    let mut out = String::new();
    write_pretty(json, 0, &mut out);
    out.push('\n');
    out
}

fn write_pretty(json: &Json, depth: usize, out: &mut String) {
    let indent = |depth: usize| "  ".repeat(depth);
    match json {
        Json::Array(items) if !items.is_empty() => {
            out.push_str("[\n");
            for (position, item) in items.iter().enumerate() {
                out.push_str(&indent(depth + 1));
                write_pretty(item, depth + 1, out);
                out.push_str(if position + 1 < items.len() {
                    ",\n"
                } else {
                    "\n"
                });
            }
            out.push_str(&indent(depth));
            out.push(']');
        }
        Json::Object(map) if !map.is_empty() => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort_by_key(|key| {
                (
                    KEY_ORDER
                        .iter()
                        .position(|known| known == key)
                        .unwrap_or(KEY_ORDER.len()),
                    (*key).clone(),
                )
            });
            out.push_str("{\n");
            for (position, key) in keys.iter().enumerate() {
                out.push_str(&indent(depth + 1));
                out.push_str(&Json::String((*key).clone()).to_string());
                out.push_str(": ");
                write_pretty(&map[key.as_str()], depth + 1, out);
                out.push_str(if position + 1 < keys.len() {
                    ",\n"
                } else {
                    "\n"
                });
            }
            out.push_str(&indent(depth));
            out.push('}');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(value: &str) -> Value {
        Value::String(value.to_owned())
    }

    #[test]
    fn pretty_keeps_iam_key_order() {
        let json = json!({ "Statement": [{ "Resource": "*", "Action": "s3:*", "Effect": "Allow" }], "Version": "2012-10-17" });
        assert_eq!(
            pretty(&json),
            "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\n      \"Effect\": \"Allow\",\n      \"Action\": \"s3:*\",\n      \"Resource\": \"*\"\n    }\n  ]\n}\n"
        );
    }

    #[test]
    fn renders_like_the_provider() {
        let mut statement = BTreeMap::new();
        statement.insert(
            "actions".to_owned(),
            Value::List(vec![text("s3:GetObject"), text("s3:ListBucket")]),
        );
        statement.insert(
            "resources".to_owned(),
            Value::List(vec![text("arn:aws:s3:::home/&{aws:username}/*")]),
        );
        let mut condition = BTreeMap::new();
        condition.insert("test".to_owned(), text("StringEquals"));
        condition.insert("variable".to_owned(), text("aws:RequestedRegion"));
        condition.insert(
            "values".to_owned(),
            Value::List(vec![text("eu-west-1"), text("ap-northeast-1")]),
        );
        statement.insert(
            "condition".to_owned(),
            Value::List(vec![Value::Map(condition)]),
        );
        let mut attributes = BTreeMap::new();
        attributes.insert(
            "statement".to_owned(),
            Value::List(vec![Value::Map(statement)]),
        );
        let json: Json = serde_json::from_str(&document(&attributes).unwrap()).unwrap();
        assert_eq!(
            json,
            json!({
                "Version": "2012-10-17",
                "Statement": [{
                    "Effect": "Allow",
                    "Action": ["s3:ListBucket", "s3:GetObject"],
                    "Resource": "arn:aws:s3:::home/${aws:username}/*",
                    "Condition": { "StringEquals": { "aws:RequestedRegion": ["eu-west-1", "ap-northeast-1"] } }
                }]
            })
        );
    }
}
