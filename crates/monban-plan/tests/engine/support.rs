//! Builders for the two inputs of a plan, so each test states only what matters to it.
//!
//! Live ids follow one convention, so tests can refer to them without bookkeeping:
//! permission set `ReadOnly` → `arn:aws:sso:::permissionSet/ssoins-test/ps-ReadOnly`,
//! user `alice` → `u-alice`, group `engineers` → `g-engineers`. The management account is
//! [`MANAGEMENT`]; the caller is the management account unless [`LiveBuilder::delegated`].

use std::collections::BTreeMap;

use jiff::civil::Date;
use monban_model::{
    Account, AccountId, AccountName, AccountSelector, Email, GroupName, IdentityCenter,
    IdentitySource, LiveAccount, LiveAccountCreation, LiveAccountStatus, LiveAssignment,
    LiveCaller, LiveCreationState, LiveGroup, LiveInstance, LiveInvitation, LiveMembership,
    LiveOrganization, LiveOu, LivePermissionSet, LivePrincipalType, LiveProvisioned, LiveState,
    LiveUser, Organization, OuPath, OuPattern, PermissionSet, PermissionSetName, PrincipalRef,
    ProtectedAssignment, Region, Repo, RepoSettings, RootEmail, Rule, RuleId, Safety, TagKey,
    TagValue, Target, Until, UserName,
};
use monban_plan::{Change, Plan, PlanContext, TargetEndpoint, plan};

pub const MANAGEMENT: &str = "111111111111";
pub const PROD: &str = "222222222222";
pub const STAGING: &str = "333333333333";
pub const OTHER: &str = "444444444444";

/// 2026-11-29, the day every test plans on.
pub fn today() -> Date {
    jiff::civil::date(2026, 11, 29)
}

pub fn arn(permission_set: &str) -> String {
    format!("arn:aws:sso:::permissionSet/ssoins-test/ps-{permission_set}")
}

pub fn group(name: &str) -> PrincipalRef {
    PrincipalRef::Group(GroupName::parse(name).unwrap())
}

pub fn user(name: &str) -> PrincipalRef {
    PrincipalRef::User(UserName::parse(name).unwrap())
}

pub fn email_of(account: &str) -> String {
    format!("aws-root+{account}@example.com")
}

/// Plans with the default context (mass removal not allowed).
pub fn plan_of(repo: &Repo, live: &LiveState) -> Plan {
    plan(
        repo,
        live,
        &PlanContext::new(today(), TargetEndpoint::EmbeddedSandbox),
    )
}

/// The changes' addresses and actions as `action address` lines: compact assertions.
pub fn lines(plan: &Plan) -> Vec<String> {
    plan.changes
        .iter()
        .map(|change| format!("{} {}", change.action, change.address))
        .collect()
}

/// The change at this address (as displayed).
pub fn change<'plan>(plan: &'plan Plan, address: &str) -> &'plan Change {
    plan.changes
        .iter()
        .find(|change| change.address.to_string() == address)
        .unwrap_or_else(|| panic!("no change at {address}; changes: {:#?}", lines(plan)))
}

// ---------------------------------------------------------------------------------------
// The repo

/// An account file.
#[derive(Debug, Clone)]
pub struct AccountBuilder(Account);

pub fn account(name: &str) -> AccountBuilder {
    let mut account = Account::new(AccountName::parse(name).unwrap());
    account.root_email = Some(RootEmail {
        address: Email::parse(&email_of(name)).unwrap(),
        derived: true,
    });
    AccountBuilder(account)
}

impl AccountBuilder {
    pub fn id(mut self, id: &str) -> Self {
        self.0.id = Some(AccountId::parse(id).unwrap());
        self
    }

    pub fn email(mut self, email: &str) -> Self {
        self.0.root_email = Some(RootEmail {
            address: Email::parse(email).unwrap(),
            derived: false,
        });
        self
    }

    pub fn ou(mut self, path: &str) -> Self {
        self.0.ou = Some(OuPath::parse(path).unwrap());
        self
    }

    pub fn tag(mut self, key: &str, value: &str) -> Self {
        self.0
            .tags
            .insert(TagKey::parse(key).unwrap(), TagValue::parse(value).unwrap());
        self
    }

    pub fn close(mut self) -> Self {
        self.0.close = true;
        self
    }

    pub fn grant(self, permission_set: &str, principal: PrincipalRef) -> Self {
        self.grant_until(permission_set, principal, None, None)
    }

    pub fn grant_until(
        mut self,
        permission_set: &str,
        principal: PrincipalRef,
        until: Option<&str>,
        reason: Option<&str>,
    ) -> Self {
        self.0
            .access
            .entry(PermissionSetName::parse(permission_set).unwrap())
            .or_default()
            .push(monban_model::Grant {
                principal,
                until: until.map(|day| Until::parse(day).unwrap()),
                reason: reason.map(str::to_owned),
            });
        self
    }
}

/// The access repo.
#[derive(Debug, Clone)]
pub struct RepoBuilder(Repo);

pub fn repo() -> RepoBuilder {
    RepoBuilder(Repo {
        settings: RepoSettings {
            target: Target::Sandbox,
            organization: Organization::default(),
            identity_center: IdentityCenter {
                region: Region::parse("eu-central-1").unwrap(),
                identity_source: IdentitySource::External,
            },
            safety: Safety::default(),
            codeowners: monban_model::CodeOwners::default(),
        },
        accounts: BTreeMap::new(),
        permission_sets: BTreeMap::new(),
        groups: std::collections::BTreeSet::new(),
        users: std::collections::BTreeSet::new(),
        rules: Vec::new(),
    })
}

impl RepoBuilder {
    pub fn ou(mut self, path: &str) -> Self {
        self.0
            .settings
            .organization
            .add_ou(&OuPath::parse(path).unwrap());
        self
    }

    pub fn account(mut self, account: AccountBuilder) -> Self {
        self.0.accounts.insert(account.0.name.clone(), account.0);
        self
    }

    /// A permission set with every setting at its default.
    pub fn permission_set(self, name: &str) -> Self {
        self.permission_set_with(PermissionSet::new(PermissionSetName::parse(name).unwrap()))
    }

    pub fn permission_set_with(mut self, set: PermissionSet) -> Self {
        self.0.permission_sets.insert(set.name.clone(), set);
        self
    }

    /// A rule `permission_set` for `principals` on accounts matching `ou` (a pattern).
    pub fn rule(mut self, permission_set: &str, principals: Vec<PrincipalRef>, ou: &str) -> Self {
        let index = self.0.rules.len();
        self.0.rules.push(Rule {
            id: RuleId {
                file: "rules/test.yaml".to_owned(),
                index,
            },
            permission_set: PermissionSetName::parse(permission_set).unwrap(),
            principals,
            accounts: AccountSelector {
                ou: Some(OuPattern::parse(ou).unwrap()),
                tags: BTreeMap::new(),
            },
        });
        self
    }

    pub fn exclusive(mut self, exclusive: bool) -> Self {
        self.0.settings.safety.exclusive = exclusive;
        self
    }

    pub fn max_removals(mut self, max: u32) -> Self {
        self.0.settings.safety.max_removals = max;
        self
    }

    pub fn protect(mut self, account: &str, permission_set: &str, principal: PrincipalRef) -> Self {
        self.0.settings.safety.protected.push(ProtectedAssignment {
            account: AccountName::parse(account).unwrap(),
            permission_set: PermissionSetName::parse(permission_set).unwrap(),
            principal,
        });
        self
    }

    pub fn build(self) -> Repo {
        self.0
    }
}

// ---------------------------------------------------------------------------------------
// The live state

/// A live state, starting with an organization whose only account is the management
/// account (named `org-management`) and an Identity Center instance.
#[derive(Debug, Clone)]
pub struct LiveBuilder(LiveState);

pub fn live() -> LiveBuilder {
    LiveBuilder(LiveState {
        format_version: monban_model::LIVE_FORMAT_VERSION,
        read_at: "2026-11-29T08:00:00Z".parse().unwrap(),
        caller: LiveCaller {
            account_id: MANAGEMENT.to_owned(),
            is_management_account: true,
        },
        organization: LiveOrganization {
            id: "o-test".to_owned(),
            management_account_id: MANAGEMENT.to_owned(),
            root_id: "r-root".to_owned(),
        },
        ous: Vec::new(),
        accounts: vec![LiveAccount {
            id: MANAGEMENT.to_owned(),
            name: "org-management".to_owned(),
            email: email_of("org-management"),
            status: LiveAccountStatus::Active,
            ou_path: None,
            tags: BTreeMap::new(),
        }],
        account_creations: Vec::new(),
        invitations: Vec::new(),
        invitations_unreadable: None,
        instance: Some(LiveInstance {
            arn: "arn:aws:sso:::instance/ssoins-test".to_owned(),
            identity_store_id: "d-test".to_owned(),
        }),
        permission_sets: Vec::new(),
        provisioned: Vec::new(),
        assignments: Vec::new(),
        users: Vec::new(),
        groups: Vec::new(),
        memberships: Vec::new(),
    })
}

/// A live permission set equal to `PermissionSet::new(name)`.
pub fn live_permission_set(name: &str) -> LivePermissionSet {
    LivePermissionSet {
        arn: arn(name),
        name: name.to_owned(),
        description: None,
        session_duration: Some("PT1H".to_owned()),
        relay_state: None,
        inline_policy: None,
        managed_policies: Vec::new(),
        customer_managed_policies: Vec::new(),
        permissions_boundary: None,
        tags: BTreeMap::new(),
    }
}

/// Continue building from a given state (to change a scenario's live state).
impl From<LiveState> for LiveBuilder {
    fn from(state: LiveState) -> Self {
        Self(state)
    }
}

impl LiveBuilder {
    pub fn ou(mut self, path: &str) -> Self {
        let parent_id = match path.rsplit_once('/') {
            Some((parent, _)) => format!("ou-{}", parent.replace('/', "-").to_lowercase()),
            None => "r-root".to_owned(),
        };
        self.0.ous.push(LiveOu {
            id: format!("ou-{}", path.replace('/', "-").to_lowercase()),
            name: path.rsplit('/').next().unwrap().to_owned(),
            path: path.to_owned(),
            parent_id,
        });
        self
    }

    /// An active account with the conventional root e-mail of `name`.
    pub fn account(self, id: &str, name: &str, ou: Option<&str>) -> Self {
        self.account_with(LiveAccount {
            id: id.to_owned(),
            name: name.to_owned(),
            email: email_of(name),
            status: LiveAccountStatus::Active,
            ou_path: ou.map(str::to_owned),
            tags: BTreeMap::new(),
        })
    }

    pub fn account_with(mut self, account: LiveAccount) -> Self {
        self.0.accounts.retain(|existing| existing.id != account.id);
        self.0.accounts.push(account);
        self.0
            .accounts
            .sort_by(|left, right| left.id.cmp(&right.id));
        self
    }

    /// An open invitation to the account with this id (handshake `h-<id>`).
    pub fn invitation(mut self, account_id: &str) -> Self {
        self.0.invitations.push(LiveInvitation {
            handshake_id: format!("h-{account_id}"),
            account_id: Some(account_id.to_owned()),
            email: None,
        });
        self
    }

    pub fn creation(mut self, name: &str, state: LiveCreationState) -> Self {
        self.0.account_creations.push(LiveAccountCreation {
            request_id: format!("car-{name}"),
            account_name: name.to_owned(),
            state,
            account_id: None,
            failure_reason: (state == LiveCreationState::Failed)
                .then(|| "EMAIL_ALREADY_EXISTS".to_owned()),
        });
        self
    }

    pub fn permission_set(self, name: &str) -> Self {
        self.permission_set_with(live_permission_set(name))
    }

    pub fn permission_set_with(mut self, set: LivePermissionSet) -> Self {
        self.0.permission_sets.push(set);
        self
    }

    pub fn provisioned(mut self, permission_set: &str, account_id: &str, current: bool) -> Self {
        self.0.provisioned.push(LiveProvisioned {
            permission_set_arn: arn(permission_set),
            account_id: account_id.to_owned(),
            current,
        });
        self
    }

    pub fn user(mut self, name: &str) -> Self {
        self.0.users.push(LiveUser {
            id: format!("u-{name}"),
            user_name: name.to_owned(),
            display_name: Some(format!("User {name}")),
            email: Some(format!("{name}@example.com")),
            enabled: true,
        });
        self
    }

    /// A group and its members (users that must have been added already).
    pub fn group(mut self, name: &str, members: &[&str]) -> Self {
        self.0.groups.push(LiveGroup {
            id: format!("g-{name}"),
            display_name: name.to_owned(),
            description: None,
        });
        for member in members {
            self.0.memberships.push(LiveMembership {
                group_id: format!("g-{name}"),
                user_id: format!("u-{member}"),
            });
        }
        self
    }

    /// An assignment to a principal by the naming convention (it need not exist: an
    /// assignment to a missing principal is an orphan).
    pub fn assign(
        mut self,
        account_id: &str,
        permission_set: &str,
        principal: &PrincipalRef,
    ) -> Self {
        let (principal_type, principal_id) = match principal {
            PrincipalRef::Group(name) => (LivePrincipalType::Group, format!("g-{name}")),
            PrincipalRef::User(name) => (LivePrincipalType::User, format!("u-{name}")),
        };
        self.0.assignments.push(LiveAssignment {
            account_id: account_id.to_owned(),
            permission_set_arn: arn(permission_set),
            principal_type,
            principal_id,
        });
        self
    }

    /// The caller is a delegated administrator in `OTHER`.
    pub fn delegated(mut self) -> Self {
        self.0.caller = LiveCaller {
            account_id: OTHER.to_owned(),
            is_management_account: false,
        };
        self
    }

    pub fn without_instance(mut self) -> Self {
        self.0.instance = None;
        self
    }

    pub fn build(self) -> LiveState {
        self.0
    }
}
