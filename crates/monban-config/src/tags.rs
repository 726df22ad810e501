//! `tags:` mappings, shared by account and permission-set files.

use monban_model::{TagKey, TagValue, Tags, check_tag_count};

use crate::node::Node;
use crate::walk::FileContext;

/// Reads a tag mapping, reporting bad keys, bad values and too many tags.
pub(crate) fn tags(context: &mut FileContext<'_>, node: &Node, limit: usize) -> Tags {
    let mut tags = Tags::new();
    let entries = context.free_mapping(node).unwrap_or_default();
    if let Err(error) = check_tag_count(entries.len(), limit) {
        context.constraint(&error, node.position);
    }
    for (key_text, key, value) in entries {
        let key = match TagKey::parse(&key_text) {
            Ok(tag_key) => tag_key,
            Err(error) => {
                context.constraint(&error, key.position);
                continue;
            }
        };
        let value = if value.value == crate::node::NodeValue::Null {
            // `key:` with nothing after it: an empty value, which AWS allows.
            TagValue::parse("").ok()
        } else {
            context.parse(value, TagValue::parse)
        };
        if let Some(value) = value {
            tags.insert(key, value);
        }
    }
    tags
}
