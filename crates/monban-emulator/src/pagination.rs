//! Pagination shared by every List operation: MaxResults bounds and opaque tokens.
//!
//! A page is cut by key, not by position: the token carries the key of the last item
//! returned, and the next page starts strictly after it. So a listing with MaxResults=1 is
//! complete and duplicate-free even when items are added or removed between pages.
//!
//! Tokens are opaque: base64url (no padding) of `{"o": operation, "s": scope digest, "k": last
//! key}`
//! followed by a 16-byte keyed SHA-256 tag (key = the World's random pagination secret). Only
//! `[A-Za-z0-9_-]` appear, which satisfies SSO Admin's token pattern (no `:` or `.`). A token
//! that was tampered with, comes from another operation, or from the same operation with
//! other filter inputs (the `scope`) is rejected with the service's error (see each service's
//! `From<PaginationError>`).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

const TAG_LENGTH: usize = 16;

/// A service's MaxResults bounds (from its model) and the page size when none is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageLimits {
    /// The smallest MaxResults accepted.
    pub min: i32,
    /// The largest MaxResults accepted.
    pub max: i32,
    /// The page size when the request gives none.
    pub default: i32,
}

/// Organizations: MaxResults 1..20 on every List operation.
pub const ORGANIZATIONS: PageLimits = PageLimits {
    min: 1,
    max: 20,
    default: 20,
};
/// SSO Admin: MaxResults 1..100.
pub const SSO_ADMIN: PageLimits = PageLimits {
    min: 1,
    max: 100,
    default: 100,
};
/// Identity Store: MaxResults 1..100.
pub const IDENTITY_STORE: PageLimits = PageLimits {
    min: 1,
    max: 100,
    default: 100,
};

/// What a List request asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest<'a> {
    /// The operation, e.g. `ListAccounts` (a token only works for the operation that issued it).
    pub operation: &'a str,
    /// The request's filter inputs joined into one string (e.g. the ParentId), so a token
    /// cannot be replayed with other filters. Empty when the operation has none.
    pub scope: String,
    /// The request's `MaxResults`.
    pub max_results: Option<i32>,
    /// The request's `NextToken`.
    pub next_token: Option<&'a str>,
}

/// One page of items.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// The token for the next page; `None` on the last one.
    pub next_token: Option<String>,
}

/// Why a List request's paging inputs were refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PaginationError {
    /// The token is not one this sandbox issued for this operation and these inputs.
    #[error("The specified pagination token is invalid or expired.")]
    InvalidToken,
    /// MaxResults below the model's minimum.
    #[error("MaxResults {given} is below the minimum of {min}.")]
    MaxResultsTooSmall {
        /// The value given.
        given: i32,
        /// The minimum.
        min: i32,
    },
    /// MaxResults above the model's maximum.
    #[error("MaxResults {given} exceeds the maximum of {max}.")]
    MaxResultsTooLarge {
        /// The value given.
        given: i32,
        /// The maximum.
        max: i32,
    },
}

#[derive(Serialize, Deserialize)]
struct Cursor {
    #[serde(rename = "o")]
    operation: String,
    /// [`scope_digest`] of the request's scope.
    #[serde(rename = "s")]
    scope: String,
    #[serde(rename = "k")]
    last_key: String,
}

fn tag(secret: &str, payload: &[u8]) -> [u8; TAG_LENGTH] {
    let mut hasher = Sha256::new();
    hasher.update(secret.as_bytes());
    hasher.update([0u8]);
    hasher.update(payload);
    let digest = hasher.finalize();
    let mut tag = [0u8; TAG_LENGTH];
    tag.copy_from_slice(&digest[..TAG_LENGTH]);
    tag
}

/// The scope is hashed into the token so a long filter (ARNs) cannot push a token past
/// SSO Admin's 2,048-character limit.
fn scope_digest(scope: &str) -> String {
    let digest = Sha256::digest(scope.as_bytes());
    hex::encode(&digest[..8])
}

fn encode(secret: &str, cursor: &Cursor) -> String {
    // Serializing a struct of three strings cannot fail.
    let mut bytes = serde_json::to_vec(cursor).unwrap_or_default();
    let tag = tag(secret, &bytes);
    bytes.extend_from_slice(&tag);
    URL_SAFE_NO_PAD.encode(bytes)
}

fn decode(secret: &str, token: &str, request: &PageRequest<'_>) -> Result<String, PaginationError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(token)
        .map_err(|_| PaginationError::InvalidToken)?;
    if bytes.len() <= TAG_LENGTH {
        return Err(PaginationError::InvalidToken);
    }
    let (payload, given_tag) = bytes.split_at(bytes.len() - TAG_LENGTH);
    if tag(secret, payload) != given_tag {
        return Err(PaginationError::InvalidToken);
    }
    let cursor: Cursor =
        serde_json::from_slice(payload).map_err(|_| PaginationError::InvalidToken)?;
    if cursor.operation != request.operation || cursor.scope != scope_digest(&request.scope) {
        return Err(PaginationError::InvalidToken);
    }
    Ok(cursor.last_key)
}

/// Cuts one page out of `items`.
///
/// `key` gives each item's stable, unique sort key (usually its id); items are returned in
/// key order. `secret` is `World::pagination_secret`.
pub fn paginate<T>(
    secret: &str,
    limits: PageLimits,
    request: &PageRequest<'_>,
    items: impl IntoIterator<Item = T>,
    key: impl Fn(&T) -> String,
) -> Result<Page<T>, PaginationError> {
    let page_size = match request.max_results {
        None => limits.default,
        Some(given) if given < limits.min => {
            return Err(PaginationError::MaxResultsTooSmall {
                given,
                min: limits.min,
            });
        }
        Some(given) if given > limits.max => {
            return Err(PaginationError::MaxResultsTooLarge {
                given,
                max: limits.max,
            });
        }
        Some(given) => given,
    };
    // Bounded by `limits` above, so always positive.
    let page_size = usize::try_from(page_size).unwrap_or(1);
    let after = match request.next_token {
        Some(token) => Some(decode(secret, token, request)?),
        None => None,
    };
    let mut keyed: Vec<(String, T)> = items
        .into_iter()
        .map(|item| (key(&item), item))
        .filter(|(item_key, _)| after.as_ref().is_none_or(|after| item_key > after))
        .collect();
    keyed.sort_by(|(left, _), (right, _)| left.cmp(right));
    let has_more = keyed.len() > page_size;
    keyed.truncate(page_size);
    let next_token = match keyed.last() {
        Some((last_key, _)) if has_more => Some(encode(
            secret,
            &Cursor {
                operation: request.operation.to_owned(),
                scope: scope_digest(&request.scope),
                last_key: last_key.clone(),
            },
        )),
        _ => None,
    };
    Ok(Page {
        items: keyed.into_iter().map(|(_, item)| item).collect(),
        next_token,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "test-secret";

    fn request(next_token: Option<&str>, max_results: Option<i32>) -> PageRequest<'_> {
        PageRequest {
            operation: "ListThings",
            scope: "parent-1".into(),
            max_results,
            next_token,
        }
    }

    fn all_pages(items: &[&str], max_results: i32) -> Vec<String> {
        let mut seen = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let page = paginate(
                SECRET,
                SSO_ADMIN,
                &request(token.as_deref(), Some(max_results)),
                items.iter().map(|item| (*item).to_owned()),
                Clone::clone,
            )
            .unwrap();
            seen.extend(page.items);
            match page.next_token {
                Some(next) => {
                    assert!(!next.contains(':') && !next.contains('.'));
                    token = Some(next);
                }
                None => return seen,
            }
        }
    }

    #[test]
    fn pages_of_one_are_complete_sorted_and_duplicate_free() {
        let items = ["c", "a", "e", "b", "d"];
        assert_eq!(all_pages(&items, 1), ["a", "b", "c", "d", "e"]);
        assert_eq!(all_pages(&items, 2), ["a", "b", "c", "d", "e"]);
        assert_eq!(all_pages(&items, 100), ["a", "b", "c", "d", "e"]);
    }

    #[test]
    fn a_page_after_a_deletion_continues_after_the_last_key() {
        let first = paginate(
            SECRET,
            SSO_ADMIN,
            &request(None, Some(2)),
            ["a", "b", "c", "d"],
            |s| (*s).to_owned(),
        )
        .unwrap();
        assert_eq!(first.items, ["a", "b"]);
        let token = first.next_token.unwrap();
        // "b" was deleted and "aa" added before the next call: neither shows up again.
        let second = paginate(
            SECRET,
            SSO_ADMIN,
            &request(Some(&token), Some(2)),
            ["a", "aa", "c", "d"],
            |s| (*s).to_owned(),
        )
        .unwrap();
        assert_eq!(second.items, ["c", "d"]);
        assert_eq!(second.next_token, None);
    }

    #[test]
    fn bad_tokens_and_bounds_are_refused() {
        let items = ["a", "b", "c"];
        let key = |s: &&str| (*s).to_owned();
        let token = paginate(SECRET, ORGANIZATIONS, &request(None, Some(1)), items, key)
            .unwrap()
            .next_token
            .unwrap();
        for bad in ["garbage", "", "AAAA", &token[1..]] {
            assert_eq!(
                paginate(SECRET, ORGANIZATIONS, &request(Some(bad), None), items, key),
                Err(PaginationError::InvalidToken),
                "{bad}"
            );
        }
        let mut other_scope = request(Some(&token), None);
        other_scope.scope = "parent-2".into();
        assert_eq!(
            paginate(SECRET, ORGANIZATIONS, &other_scope, items, key),
            Err(PaginationError::InvalidToken)
        );
        assert_eq!(
            paginate(
                "another-secret",
                ORGANIZATIONS,
                &request(Some(&token), None),
                items,
                key
            ),
            Err(PaginationError::InvalidToken)
        );
        assert_eq!(
            paginate(SECRET, ORGANIZATIONS, &request(None, Some(0)), items, key),
            Err(PaginationError::MaxResultsTooSmall { given: 0, min: 1 })
        );
        assert_eq!(
            paginate(SECRET, ORGANIZATIONS, &request(None, Some(21)), items, key),
            Err(PaginationError::MaxResultsTooLarge { given: 21, max: 20 })
        );
    }
}
