//! List responses of `GET /Users` and `GET /Groups`: the `count` and `cursor` query
//! parameters and the two response shapes Identity Center documents (ListUsers, ListGroups):
//! without `cursor` a plain list response (`totalResults`, `itemsPerPage`, `startIndex`);
//! with `cursor` (empty for the first page) cursor-based pages (`itemsPerPage`,
//! `nextCursor`). At most 100 resources a page; `count` must be 1..=100 (default 100).
//! `startIndex`, `attributes` and `excludedAttributes` are not supported and are ignored.
//! A cursor is bound to the filter it was made under: changing the filter between pages is
//! a 400, as the guide's ListUsers errors say.

use base64::Engine as _;
use serde_json::{Value, json};

use super::error::ScimError;

/// The list response message schema.
pub const LIST_SCHEMA: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
/// The most resources one page holds (and the default `count`).
pub const MAX_PAGE: usize = 100;

/// The parsed list query parameters.
#[derive(Debug, Default)]
pub struct ListQuery {
    pub filter: Option<String>,
    pub count: Option<String>,
    pub cursor: Option<String>,
}

impl ListQuery {
    /// Reads `filter`, `count` and `cursor` from a query string.
    #[must_use]
    pub fn parse(query: Option<&str>) -> Self {
        let mut parsed = Self::default();
        for (key, value) in form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
            match key.as_ref() {
                "filter" => parsed.filter = Some(value.into_owned()),
                "count" => parsed.count = Some(value.into_owned()),
                "cursor" => parsed.cursor = Some(value.into_owned()),
                _ => {}
            }
        }
        parsed
    }
}

/// One page of `ids_in_order` (resource ids in id order, all matching), rendered by `render`.
pub fn page(
    query: &ListQuery,
    ids_in_order: &[String],
    render: impl Fn(&str) -> Value,
) -> Result<Value, ScimError> {
    let count = match &query.count {
        None => MAX_PAGE,
        Some(text) => match text.parse::<usize>() {
            Ok(count) if (1..=MAX_PAGE).contains(&count) => count,
            _ => {
                return Err(ScimError::invalid_value(format!(
                    "count must be an integer from 1 to {MAX_PAGE}, not {text}."
                )));
            }
        },
    };
    let Some(cursor) = &query.cursor else {
        let resources: Vec<Value> = ids_in_order
            .iter()
            .take(count)
            .map(|id| render(id))
            .collect();
        return Ok(json!({
            "totalResults": ids_in_order.len(),
            "itemsPerPage": resources.len(),
            "startIndex": 1,
            "schemas": [LIST_SCHEMA],
            "Resources": resources,
        }));
    };
    let filter = query.filter.as_deref().unwrap_or_default();
    let start = if cursor.is_empty() {
        0
    } else {
        let after = decode_cursor(cursor, filter)?;
        ids_in_order.partition_point(|id| id.as_str() <= after.as_str())
    };
    let resources: Vec<&String> = ids_in_order.iter().skip(start).take(count).collect();
    let mut body = json!({
        "itemsPerPage": resources.len(),
        "schemas": [LIST_SCHEMA],
        "Resources": resources.iter().map(|id| render(id)).collect::<Vec<_>>(),
    });
    if start + resources.len() < ids_in_order.len()
        && let Some(last) = resources.last()
    {
        body["nextCursor"] = Value::from(encode_cursor(last, filter));
    }
    Ok(body)
}

/// A cursor names the filter's fingerprint and the last id of the previous page
/// (base64url, within the documented pattern `[-a-zA-Z0-9+=/:_]*`).
fn encode_cursor(last_id: &str, filter: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(format!("{}/{last_id}", fingerprint(filter)))
}

fn decode_cursor(cursor: &str, filter: &str) -> Result<String, ScimError> {
    let decoded = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .ok_or_else(|| ScimError::invalid_value(format!("The cursor {cursor} is not valid.")))?;
    match decoded.split_once('/') {
        Some((made_under, last_id)) if made_under == fingerprint(filter) => Ok(last_id.to_owned()),
        Some(_) => Err(ScimError::invalid_value(
            "The filter changed between pagination requests; start again with an empty cursor.",
        )),
        None => Err(ScimError::invalid_value(format!(
            "The cursor {cursor} is not valid."
        ))),
    }
}

/// A short digest of the filter text a cursor was made under.
fn fingerprint(filter: &str) -> String {
    let digest = <sha2::Sha256 as sha2::Digest>::digest(filter.as_bytes());
    hex::encode(&digest[..8])
}
