//! Code owners: the `owners` of an account file and `codeowners.default` in `monban.yaml`,
//! checked against what GitHub accepts in a CODEOWNERS file, so `monban codeowners` never
//! writes a file GitHub flags as broken.

use crate::diagnostics::Code;
use crate::node::Node;
use crate::walk::FileContext;

/// A list of owners: each `@user`, `@org/team` or an e-mail address. Empty, malformed and
/// repeated entries are reported and left out.
pub(crate) fn owners(context: &mut FileContext<'_>, node: &Node) -> Vec<String> {
    let mut owners: Vec<String> = Vec::new();
    for item in context.sequence(node).unwrap_or_default() {
        let Some(owner) = context.string(item) else {
            continue;
        };
        if owner.trim().is_empty() {
            context.report(
                Code::EmptyValue,
                item.position,
                "an owner must not be empty",
            );
            continue;
        }
        if let Err(reason) = check_owner(&owner) {
            context.report_with_hint(
                Code::InvalidOwner,
                item.position,
                format!("`{owner}` is not a code owner GitHub accepts: {reason}"),
                Some(
                    "write `@user`, `@organization/team` or an e-mail address (quote it: `\"@org/team\"`)"
                        .to_owned(),
                ),
            );
            continue;
        }
        if owners.contains(&owner) {
            context.report(
                Code::DuplicateEntry,
                item.position,
                format!("owner `{owner}` is listed more than once"),
            );
            continue;
        }
        owners.push(owner);
    }
    owners
}

/// GitHub's owner syntax (docs.github.com, "About code owners"): `@username`,
/// `@org/team-name`, or the e-mail address of a GitHub user. User and organization names
/// are letters, digits and hyphens; team slugs also allow `_` and `.`.
fn check_owner(owner: &str) -> Result<(), &'static str> {
    if let Some(handle) = owner.strip_prefix('@') {
        let (account, team) = match handle.split_once('/') {
            Some((account, team)) => (account, Some(team)),
            None => (handle, None),
        };
        let account_ok = !account.is_empty()
            && account
                .chars()
                .all(|character| character.is_ascii_alphanumeric() || character == '-');
        if !account_ok {
            return Err("a user or organization name is letters, digits and `-`");
        }
        if let Some(team) = team {
            let team_ok = !team.is_empty()
                && team.chars().all(|character| {
                    character.is_ascii_alphanumeric() || matches!(character, '-' | '_' | '.')
                });
            if !team_ok {
                return Err("a team name is letters, digits, `-`, `_` and `.`");
            }
        }
        return Ok(());
    }
    let Some((local, domain)) = owner.split_once('@') else {
        return Err("it is neither `@name` nor an e-mail address");
    };
    let plain = |text: &str| {
        !text.is_empty()
            && !text
                .chars()
                .any(|character| character.is_whitespace() || matches!(character, '@' | '#'))
    };
    if plain(local) && plain(domain) && domain.contains('.') {
        Ok(())
    } else {
        Err("it is neither `@name` nor an e-mail address")
    }
}

#[cfg(test)]
mod tests {
    use super::check_owner;

    #[test]
    fn github_owner_syntax() {
        for good in [
            "@alice",
            "@tessera-group/platform",
            "@org/team_name.v2",
            "ops@example.com",
        ] {
            assert!(check_owner(good).is_ok(), "{good}");
        }
        for bad in [
            "@",
            "@/team",
            "@org/",
            "@org/team name",
            "platform",
            "@al ice",
            "a@b",
            "#x@y.z",
        ] {
            assert!(check_owner(bad).is_err(), "{bad}");
        }
    }
}
