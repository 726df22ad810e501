//! Identifier generation: random-looking, reproducible from a seed, unique across restarts.
//!
//! The generator is a counter hashed with a seed (SHA-256 of `seed ‖ counter`), stored in the
//! World. Seeding it (`Config::seed`) makes every id of a scripted scenario reproducible; the
//! counter being persisted means a restarted sandbox never hands out an id twice — a plain
//! in-memory RNG reseeded at start would.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

const LOWERCASE_ALPHANUMERIC: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";

/// The World's id generator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdGenerator {
    seed: u64,
    counter: u64,
}

impl IdGenerator {
    /// A generator starting from `seed`.
    #[must_use]
    pub fn new(seed: u64) -> Self {
        Self { seed, counter: 0 }
    }

    /// 32 fresh pseudo-random bytes.
    pub fn next_bytes(&mut self) -> [u8; 32] {
        self.counter += 1;
        let mut hasher = Sha256::new();
        hasher.update(self.seed.to_le_bytes());
        hasher.update(self.counter.to_le_bytes());
        hasher.finalize().into()
    }

    fn string_from(&mut self, alphabet: &[u8], length: usize) -> String {
        let mut out = String::with_capacity(length);
        while out.len() < length {
            for byte in self.next_bytes() {
                // Rejection sampling keeps the distribution uniform for any alphabet size.
                let limit = 256 - (256 % alphabet.len());
                if usize::from(byte) < limit && out.len() < length {
                    out.push(char::from(alphabet[usize::from(byte) % alphabet.len()]));
                }
            }
        }
        out
    }

    /// `length` characters of `[0-9a-z]` (organization, root, OU and request ids).
    pub fn lowercase_alphanumeric(&mut self, length: usize) -> String {
        self.string_from(LOWERCASE_ALPHANUMERIC, length)
    }

    /// `length` lowercase hex digits (instance, identity-store and role-name suffixes).
    pub fn hex(&mut self, length: usize) -> String {
        self.string_from(b"0123456789abcdef", length)
    }

    /// `length` decimal digits (account ids: use [`Self::account_id`]).
    pub fn digits(&mut self, length: usize) -> String {
        self.string_from(b"0123456789", length)
    }

    /// A 12-digit account id that does not start with 0.
    pub fn account_id(&mut self) -> String {
        let first = self.string_from(b"123456789", 1);
        first + &self.digits(11)
    }

    /// A random (version 4) UUID in lowercase hyphenated form (SSO Admin request ids).
    pub fn uuid(&mut self) -> String {
        let bytes = self.next_bytes();
        let mut raw = [0u8; 16];
        raw.copy_from_slice(&bytes[..16]);
        uuid::Builder::from_random_bytes(raw)
            .into_uuid()
            .hyphenated()
            .to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_ids_and_no_repeats() {
        let mut first = IdGenerator::new(7);
        let mut second = IdGenerator::new(7);
        let a: Vec<String> = (0..50).map(|_| first.lowercase_alphanumeric(10)).collect();
        let b: Vec<String> = (0..50).map(|_| second.lowercase_alphanumeric(10)).collect();
        assert_eq!(a, b);
        let unique: std::collections::BTreeSet<_> = a.iter().collect();
        assert_eq!(unique.len(), a.len());
        assert!(a.iter().all(|id| {
            id.len() == 10
                && id
                    .bytes()
                    .all(|c| c.is_ascii_digit() || c.is_ascii_lowercase())
        }));
    }

    #[test]
    fn formats() {
        let mut ids = IdGenerator::new(1);
        let account = ids.account_id();
        assert_eq!(account.len(), 12);
        assert!(!account.starts_with('0'));
        assert_eq!(ids.hex(16).len(), 16);
        assert_eq!(ids.uuid().len(), 36);
    }
}
