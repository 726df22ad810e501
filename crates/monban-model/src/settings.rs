//! The organization-wide settings of `monban.yaml`: target, organization, Identity Center,
//! safety.

use std::collections::BTreeSet;

use crate::access::PrincipalRef;
use crate::email::RootEmailTemplate;
use crate::names::{AccountName, OuPath, PermissionSetName, ProfileName, Region};

/// Where plans and applies go (design §4). Never guessed from ambient credentials.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Target {
    /// No `target:` in `monban.yaml`: the embedded sandbox.
    #[default]
    Sandbox,
    /// `target: { aws: { profile?, region } }`.
    Aws {
        profile: Option<ProfileName>,
        region: Region,
    },
}

/// `organization:`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Organization {
    /// The account (by file name) that is the organization's management account.
    pub management_account: Option<AccountName>,
    /// Template of root e-mails for accounts that do not give one.
    pub root_email: Option<RootEmailTemplate>,
    /// Every OU, parents included even when only implied by a child.
    pub ous: BTreeSet<OuPath>,
}

impl Organization {
    /// Adds an OU and its ancestors.
    pub fn add_ou(&mut self, ou: &OuPath) {
        self.ous.extend(ou.with_ancestors());
    }
}

/// Where identities come from. Only `external` (an IdP pushing users and groups by SCIM)
/// exists today; `managed` is planned (design §1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum IdentitySource {
    #[default]
    External,
}

impl IdentitySource {
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::External => "external",
        }
    }
}

/// `identity_center:`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentityCenter {
    pub region: Region,
    pub identity_source: IdentitySource,
}

/// One `safety.protected` entry: an assignment no plan may remove.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ProtectedAssignment {
    pub account: AccountName,
    pub permission_set: PermissionSetName,
    pub principal: PrincipalRef,
}

/// `safety:` (design §2, §7).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Safety {
    /// Unmanaged live assignments on declared accounts are planned for removal (`false`:
    /// only reported).
    pub exclusive: bool,
    /// Plans removing more assignments + permission sets + OUs need `--allow-mass-removal`.
    pub max_removals: u32,
    pub protected: Vec<ProtectedAssignment>,
}

impl Safety {
    pub const DEFAULT_MAX_REMOVALS: u32 = 25;
}

impl Default for Safety {
    fn default() -> Self {
        Self {
            exclusive: true,
            max_removals: Self::DEFAULT_MAX_REMOVALS,
            protected: Vec::new(),
        }
    }
}

/// `codeowners:`: what `monban codeowners` needs beyond the account files' `owners`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CodeOwners {
    /// Owners of every file of the repo that no account file's `owners` claims (the `*`
    /// line of the generated CODEOWNERS); also the owners of an account without `owners`.
    pub default: Vec<String>,
}

/// Everything `monban.yaml` says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepoSettings {
    pub target: Target,
    pub organization: Organization,
    pub identity_center: IdentityCenter,
    pub safety: Safety,
    pub codeowners: CodeOwners,
}
