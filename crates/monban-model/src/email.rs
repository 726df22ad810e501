//! Root e-mail addresses of accounts and the template that derives them from account names.

use crate::constraint::{Constraint, ConstraintError, describe_char};
use crate::names::AccountName;
use crate::newtype::string_newtype;

string_newtype!(
    /// The root user's e-mail address of an account.
    ///
    /// botocore `organizations` `Email`: min 6, max 64, `[^\s@]+@[^\s@]+\.[^\s@]+`, plus the
    /// rules spelled out in the `CreateAccountRequest.Email` member documentation: 7-bit
    /// ASCII only; exactly one `@`; the local part has no whitespace nor any of
    /// `" ' ( ) < > [ ] : ; , \ | % &` and does not begin with `.`; the domain holds only
    /// `[a-zA-Z0-9.-]`, does not begin or end with `-` or `.`, and contains at least one dot.
    Email
);

impl Email {
    fn validate(value: &str) -> Result<(), ConstraintError> {
        let fail = |reason: String| Err(ConstraintError::new(Constraint::Email, reason));
        if let Some(character) = value.chars().find(|c| !c.is_ascii()) {
            return fail(format!(
                "`{value}` contains {}; only 7-bit ASCII is allowed",
                describe_char(character)
            ));
        }
        // ASCII only from here on, so bytes and characters coincide.
        if value.len() < 6 || value.len() > 64 {
            return fail(format!(
                "`{value}` is {} characters long; it must be 6 to 64",
                value.len()
            ));
        }
        let mut parts = value.split('@');
        let (Some(local), Some(domain), None) = (parts.next(), parts.next(), parts.next()) else {
            return fail(format!("`{value}` must contain exactly one `@`"));
        };
        if local.is_empty() {
            return fail(format!("`{value}` has an empty local part (before `@`)"));
        }
        if let Some(character) = local.chars().find(|&c| {
            c.is_ascii_whitespace() || c.is_ascii_control() || "\"'()<>[]:;,\\|%&".contains(c)
        }) {
            return fail(format!(
                "the local part of `{value}` contains {}, which AWS does not allow",
                describe_char(character)
            ));
        }
        if local.starts_with('.') {
            return fail(format!(
                "the local part of `{value}` must not begin with `.`"
            ));
        }
        if domain.is_empty() {
            return fail(format!("`{value}` has an empty domain (after `@`)"));
        }
        if let Some(character) = domain
            .chars()
            .find(|&c| !(c.is_ascii_alphanumeric() || c == '-' || c == '.'))
        {
            return fail(format!(
                "the domain of `{value}` contains {}; only letters, digits, `-` and `.` are allowed",
                describe_char(character)
            ));
        }
        if domain.starts_with(['-', '.']) || domain.ends_with(['-', '.']) {
            return fail(format!(
                "the domain of `{value}` must not begin or end with `-` or `.`"
            ));
        }
        if !domain.contains('.') {
            return fail(format!("the domain of `{value}` must contain a dot"));
        }
        Ok(())
    }
}

/// The placeholder a [`RootEmailTemplate`] replaces with the account name.
pub const ACCOUNT_PLACEHOLDER: &str = "{account}";

string_newtype!(
    /// `organization.root_email`: a template such as `aws-root+{account}@example.com` from
    /// which every account without an explicit `email:` derives its root e-mail. It must
    /// contain `{account}` exactly once and no other braces; every derived address must
    /// itself be a valid [`Email`] (checked per account by [`RootEmailTemplate::derive`]).
    RootEmailTemplate
);

impl RootEmailTemplate {
    fn validate(value: &str) -> Result<(), ConstraintError> {
        let fail =
            |reason: String| Err(ConstraintError::new(Constraint::RootEmailTemplate, reason));
        if value.matches(ACCOUNT_PLACEHOLDER).count() != 1 {
            return fail(format!(
                "`{value}` must contain `{ACCOUNT_PLACEHOLDER}` exactly once"
            ));
        }
        let rest = value.replacen(ACCOUNT_PLACEHOLDER, "", 1);
        if rest.contains(['{', '}']) {
            return fail(format!(
                "`{value}` contains a brace outside `{ACCOUNT_PLACEHOLDER}`; no other placeholder exists"
            ));
        }
        // A sample derivation catches templates that can never give a valid address
        // (no `@`, bad domain) once, at the template, rather than once per account.
        let sample = value.replacen(ACCOUNT_PLACEHOLDER, "account", 1);
        if let Err(error) = Email::parse(&sample) {
            return fail(format!(
                "`{value}` does not produce a valid address: {}",
                error.reason
            ));
        }
        Ok(())
    }

    /// The root e-mail of `account`: the template with `{account}` replaced by its name.
    pub fn derive(&self, account: &AccountName) -> Result<Email, ConstraintError> {
        Email::parse(&self.0.replacen(ACCOUNT_PLACEHOLDER, account.as_str(), 1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_emails() {
        for value in [
            "payments-prod@example.com",
            "a@b.co",
            "aws-root+payments@example.co.jp",
            "first.last@sub-domain.example.org",
            "x!#$*/=?^_`{}~@example.com",
        ] {
            assert!(Email::parse(value).is_ok(), "{value}");
        }
    }

    #[test]
    fn invalid_emails() {
        for value in [
            "a@b.c",                                    // 5 characters
            &format!("{}@example.com", "a".repeat(53)), // 65 characters
            "no-at-sign.example.com",
            "two@@example.com",
            "a@b@example.com",
            "@example.com",
            "al ice@example.com",
            "al\"ice@example.com",
            "al(ice@example.com",
            "al<ice@example.com",
            "al[ice@example.com",
            "al:ice@example.com",
            "al;ice@example.com",
            "al,ice@example.com",
            "al\\ice@example.com",
            "al|ice@example.com",
            "al%ice@example.com",
            "al&ice@example.com",
            "al'ice@example.com",
            ".alice@example.com",
            "alice@exa_mple.com",
            "alice@-example.com",
            "alice@example.com-",
            "alice@.example.com",
            "alice@example.com.",
            "alice@localhost",
            "alicé@example.com",
        ] {
            assert!(Email::parse(value).is_err(), "{value}");
        }
        assert!(Email::parse(&format!("{}@example.com", "a".repeat(52))).is_ok());
    }

    #[test]
    fn template_rules() {
        assert!(RootEmailTemplate::parse("aws-root+{account}@example.com").is_ok());
        assert!(RootEmailTemplate::parse("{account}@aws.example.com").is_ok());
        assert!(RootEmailTemplate::parse("aws-root@example.com").is_err());
        assert!(RootEmailTemplate::parse("{account}{account}@example.com").is_err());
        assert!(RootEmailTemplate::parse("{account}+{env}@example.com").is_err());
        assert!(RootEmailTemplate::parse("{account}@example").is_err());
    }

    #[test]
    fn derived_address_must_be_valid() {
        let template = RootEmailTemplate::parse("aws-root+{account}@example.com").unwrap();
        let derived = template
            .derive(&AccountName::parse("payments-prod").unwrap())
            .unwrap();
        assert_eq!(derived.as_str(), "aws-root+payments-prod@example.com");
        // A space is a valid account-name character but not a valid local-part one.
        assert!(
            template
                .derive(&AccountName::parse("payments prod").unwrap())
                .is_err()
        );
        // Too long once expanded.
        assert!(
            template
                .derive(&AccountName::parse(&"a".repeat(50)).unwrap())
                .is_err()
        );
    }
}
