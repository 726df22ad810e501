//! The whole access repo as a value: settings, accounts, permission sets, principals and
//! rules, plus the expansion of all of it into concrete assignments.

use std::collections::{BTreeMap, BTreeSet};

use crate::access::{Assignment, AssignmentOrigin, Grant, Rule};
use crate::email::Email;
use crate::names::{AccountId, AccountName, GroupName, OuPath, PermissionSetName, UserName};
use crate::permission_set::PermissionSet;
use crate::settings::RepoSettings;
use crate::tags::Tags;

/// An account's root e-mail and whether it was written or derived from the template.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RootEmail {
    pub address: Email,
    /// `true` when derived from `organization.root_email`, `false` when given as `email:`.
    pub derived: bool,
}

/// One account file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// The file stem.
    pub name: AccountName,
    /// Binds an existing account; `None` = monban creates it (matched by root e-mail).
    pub id: Option<AccountId>,
    /// The explicit `email:` or the one derived from the template; `None` only when
    /// neither is available (an error for an account monban would have to create).
    pub root_email: Option<RootEmail>,
    /// `None` = directly under the root.
    pub ou: Option<OuPath>,
    pub owners: Vec<String>,
    pub tags: Tags,
    /// `true` = close this account.
    pub close: bool,
    /// Permission set → principals, in file order.
    pub access: BTreeMap<PermissionSetName, Vec<Grant>>,
}

impl Account {
    /// An account with nothing but a name.
    #[must_use]
    pub fn new(name: AccountName) -> Self {
        Self {
            name,
            id: None,
            root_email: None,
            ou: None,
            owners: Vec::new(),
            tags: Tags::new(),
            close: false,
            access: BTreeMap::new(),
        }
    }
}

/// The access repo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repo {
    pub settings: RepoSettings,
    pub accounts: BTreeMap<AccountName, Account>,
    pub permission_sets: BTreeMap<PermissionSetName, PermissionSet>,
    /// `groups.yaml` `groups:`.
    pub groups: BTreeSet<GroupName>,
    /// `groups.yaml` `users:`.
    pub users: BTreeSet<UserName>,
    /// Rules in file order (files sorted by name).
    pub rules: Vec<Rule>,
}

impl Repo {
    /// Every assignment the repo declares: the account files' grants first, then each
    /// rule applied to every declared account it matches. Expired grants are included
    /// (filter with [`Assignment::is_active_on`]); the same (account, permission set,
    /// principal) may appear more than once with different origins.
    #[must_use]
    pub fn assignments(&self) -> Vec<Assignment> {
        let mut assignments = Vec::new();
        for account in self.accounts.values() {
            for (permission_set, grants) in &account.access {
                for grant in grants {
                    assignments.push(Assignment {
                        account: account.name.clone(),
                        permission_set: permission_set.clone(),
                        principal: grant.principal.clone(),
                        until: grant.until,
                        reason: grant.reason.clone(),
                        origin: AssignmentOrigin::Account,
                    });
                }
            }
        }
        for rule in &self.rules {
            for account in self.rule_accounts(rule) {
                for principal in &rule.principals {
                    assignments.push(Assignment {
                        account: account.name.clone(),
                        permission_set: rule.permission_set.clone(),
                        principal: principal.clone(),
                        until: None,
                        reason: None,
                        origin: AssignmentOrigin::Rule(rule.id.clone()),
                    });
                }
            }
        }
        assignments
    }

    /// The declared accounts a rule matches, in name order.
    pub fn rule_accounts<'repo>(
        &'repo self,
        rule: &'repo Rule,
    ) -> impl Iterator<Item = &'repo Account> {
        self.accounts
            .values()
            .filter(|account| rule.accounts.matches(account.ou.as_ref(), &account.tags))
    }
}
