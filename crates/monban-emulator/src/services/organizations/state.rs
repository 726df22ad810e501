//! AWS Organizations' part of the World: the organization, its root, OUs, accounts, tags,
//! CreateAccount requests, delegated administrators, trusted service access, handshakes
//! (invitations) and the standalone accounts outside the organization that can be invited.
//!
//! Plain data plus the few data-level helpers both the handlers and the control API's seed
//! use (they do not validate: AWS's rules are checked by the handlers). ARNs are stored as
//! computed at creation. Enums serialize as AWS spells them, so wire structs can reuse them.

use std::collections::BTreeMap;

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};

use crate::async_operation::AsyncOperation;
use crate::world::ids::IdGenerator;

/// `Organization.FeatureSet`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum FeatureSet {
    /// All features (the sandbox's organization always has them).
    All,
    /// Consolidated billing only.
    ConsolidatedBilling,
}

/// `Account.State`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AccountState {
    /// Being created.
    PendingActivation,
    /// In use.
    Active,
    /// Suspended.
    Suspended,
    /// Closing (after CloseAccount).
    PendingClosure,
    /// Closed.
    Closed,
}

/// `Account.Status` (deprecated by AWS in favour of `State`, still sent).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AccountStatus {
    /// In use.
    Active,
    /// Suspended (also what a closed account reports).
    Suspended,
    /// Closing.
    PendingClosure,
}

/// `Account.JoinedMethod`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum JoinedMethod {
    /// Joined by accepting a handshake (the management account reports this too).
    Invited,
    /// Created by CreateAccount.
    Created,
}

/// `PolicyTypeSummary`: a policy type's status on a root.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PolicyTypeSummary {
    /// e.g. `SERVICE_CONTROL_POLICY`.
    pub r#type: String,
    /// `ENABLED`, `PENDING_ENABLE` or `PENDING_DISABLE`.
    pub status: String,
}

/// The organization itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Organization {
    /// `o-` + 10 lowercase alphanumerics.
    pub id: String,
    /// `arn:aws:organizations::<management>:organization/<id>`.
    pub arn: String,
    /// Always `ALL` in the sandbox.
    pub feature_set: FeatureSet,
    /// The management account's id.
    pub management_account_id: String,
    /// The management account's ARN.
    pub management_account_arn: String,
    /// The management account's root e-mail.
    pub management_account_email: String,
}

/// The organization's root (AWS has exactly one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Root {
    /// `r-` + 4 lowercase alphanumerics.
    pub id: String,
    /// `arn:aws:organizations::<management>:root/<org id>/<root id>`.
    pub arn: String,
    /// Always `Root`.
    pub name: String,
    /// Policy types and their status on this root.
    pub policy_types: Vec<PolicyTypeSummary>,
}

/// An organizational unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrganizationalUnit {
    /// `ou-<root suffix>-<8 lowercase alphanumerics>`.
    pub id: String,
    /// `arn:aws:organizations::<management>:ou/<org id>/<ou id>`.
    pub arn: String,
    /// Its name (unique among its siblings).
    pub name: String,
    /// The root or OU it sits in.
    pub parent_id: String,
}

/// A member account (the management account included).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    /// 12 digits.
    pub id: String,
    /// `arn:aws:organizations::<management>:account/<org id>/<account id>`.
    pub arn: String,
    /// The root user's e-mail (unique across all of AWS).
    pub email: String,
    /// The account name.
    pub name: String,
    /// `Account.State`.
    pub state: AccountState,
    /// `Account.Status`.
    pub status: AccountStatus,
    /// How it joined.
    pub joined_method: JoinedMethod,
    /// When it joined.
    pub joined_timestamp: Timestamp,
    /// The root or OU it sits in.
    pub parent_id: String,
    /// When a `PENDING_CLOSURE` account becomes `CLOSED` (set by CloseAccount).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closes_at: Option<Timestamp>,
}

/// One CreateAccount request and its asynchronous progress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateAccountRequest {
    /// Id (`car-…`), timing and decided outcome.
    pub operation: AsyncOperation,
    /// The requested account name.
    pub account_name: String,
    /// The requested root e-mail.
    pub email: String,
    /// The id the account gets when the request succeeds (reserved at start).
    pub account_id: String,
    /// Tags to put on the account when it is created.
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
}

/// A delegated administrator registration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DelegatedAdministrator {
    /// The member account.
    pub account_id: String,
    /// The service it administers, e.g. `sso.amazonaws.com`.
    pub service_principal: String,
    /// When it was registered.
    pub delegation_enabled_date: Timestamp,
}

/// How long an invitation stays `OPEN` before it reads as `EXPIRED` (AWS: 15 days).
pub const INVITATION_LIFETIME: SignedDuration = SignedDuration::from_hours(15 * 24);

/// How long a handshake stays listed after it left `OPEN` (AWS: "30 days before they are
/// deleted").
pub const CLOSED_HANDSHAKE_RETENTION: SignedDuration = SignedDuration::from_hours(30 * 24);

/// `HandshakeState`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum HandshakeState {
    /// Awaiting the recipients (multi-recipient handshakes; never used by invitations).
    Requested,
    /// Awaiting the recipient's answer (what AWS reports for an invitation).
    Open,
    /// Canceled by the sender.
    Canceled,
    /// Accepted by the recipient.
    Accepted,
    /// Declined by the recipient.
    Declined,
    /// Not answered before `ExpirationTimestamp`.
    Expired,
}

/// `ActionType`: what accepting the handshake does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum HandshakeAction {
    /// Join the organization (the only action the sandbox creates).
    Invite,
    /// Approve enabling all features.
    EnableAllFeatures,
    /// All members approved; the management account may finalize.
    ApproveAllFeatures,
    /// Create the Organizations service-linked role.
    AddOrganizationsServiceLinkedRole,
    /// Billing transfer.
    TransferResponsibility,
}

/// `HandshakePartyType`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum HandshakePartyType {
    /// A 12-digit account id.
    Account,
    /// An organization id (only ever the sender).
    Organization,
    /// An account's root e-mail.
    Email,
}

/// `HandshakeParty`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HandshakeParty {
    /// Account id, organization id or e-mail, as `party_type` says.
    pub id: String,
    /// What `id` is.
    pub party_type: HandshakePartyType,
}

/// A handshake (the sandbox only creates `INVITE` handshakes).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Handshake {
    /// `h-` + 32 lowercase alphanumerics.
    pub id: String,
    /// `arn:aws:organizations::<management>:handshake/<org id>/invite/<id>`.
    pub arn: String,
    /// What accepting does.
    pub action: HandshakeAction,
    /// The invited party, as the sender named it (`ACCOUNT` or `EMAIL`).
    pub target: HandshakeParty,
    /// The stored state; read it through [`Handshake::state_at`], which also reports
    /// an `OPEN` handshake past its expiry as `EXPIRED` before `settle` has stored that.
    pub state: HandshakeState,
    /// When it was sent.
    pub requested_at: Timestamp,
    /// When an unanswered handshake expires.
    pub expires_at: Timestamp,
    /// When it left `OPEN` (answered, canceled or expired); it is dropped
    /// [`CLOSED_HANDSHAKE_RETENTION`] later.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_at: Option<Timestamp>,
    /// The sender's free text (`NOTES` resource).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    /// Tags the account gets when it joins.
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    /// The management account's e-mail when sent (`MASTER_EMAIL` resource).
    pub sender_email: String,
    /// The management account's name when sent (`MASTER_NAME` resource).
    pub sender_name: String,
}

impl Handshake {
    /// The state at `now`: an `OPEN` handshake past its expiration is `EXPIRED`.
    #[must_use]
    pub fn state_at(&self, now: Timestamp) -> HandshakeState {
        if self.state == HandshakeState::Open && self.expires_at <= now {
            HandshakeState::Expired
        } else {
            self.state
        }
    }

    /// Whether the account `account_id`, whose root e-mail is `email` (when known), is the
    /// recipient: the target names its id, or its e-mail (compared case-insensitively).
    #[must_use]
    pub fn is_addressed_to(&self, account_id: &str, email: Option<&str>) -> bool {
        match self.target.party_type {
            HandshakePartyType::Account => self.target.id == account_id,
            HandshakePartyType::Email => {
                email.is_some_and(|email| email.eq_ignore_ascii_case(&self.target.id))
            }
            HandshakePartyType::Organization => false,
        }
    }
}

/// An AWS account outside the organization (it exists "in AWS", can sign requests with its
/// own key and can be invited). Created by the control API, or by removing a member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StandaloneAccount {
    /// 12 digits.
    pub id: String,
    /// The account name.
    pub name: String,
    /// The root user's e-mail (unique across members and standalone accounts).
    pub email: String,
    /// When it was created (or left the organization).
    pub created_at: Timestamp,
}

/// Organizations' state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrganizationsState {
    /// The organization.
    pub organization: Organization,
    /// Roots by id (exactly one).
    pub roots: BTreeMap<String, Root>,
    /// OUs by id.
    pub organizational_units: BTreeMap<String, OrganizationalUnit>,
    /// Accounts by id.
    pub accounts: BTreeMap<String, Account>,
    /// Tags by resource id (account, OU, root, policy), then key → value.
    #[serde(default)]
    pub tags: BTreeMap<String, BTreeMap<String, String>>,
    /// CreateAccount requests by request id (`car-…`).
    #[serde(default)]
    pub create_account_requests: BTreeMap<String, CreateAccountRequest>,
    /// Delegated administrator registrations.
    #[serde(default)]
    pub delegated_administrators: Vec<DelegatedAdministrator>,
    /// Service principals with trusted access, and since when.
    #[serde(default)]
    pub enabled_service_principals: BTreeMap<String, Timestamp>,
    /// Handshakes (invitations) by id, kept until [`CLOSED_HANDSHAKE_RETENTION`] after
    /// they left `OPEN`.
    #[serde(default)]
    pub handshakes: BTreeMap<String, Handshake>,
    /// Accounts outside the organization, by id.
    #[serde(default)]
    pub standalone_accounts: BTreeMap<String, StandaloneAccount>,
}

impl OrganizationsState {
    /// A fresh organization (all features) holding only its management account.
    #[must_use]
    pub fn fresh(
        ids: &mut IdGenerator,
        management_account_id: &str,
        management_account_email: &str,
        management_account_name: &str,
        now: Timestamp,
    ) -> Self {
        let organization_id = format!("o-{}", ids.lowercase_alphanumeric(10));
        let root_id = format!("r-{}", ids.lowercase_alphanumeric(4));
        let management_account_arn = format!(
            "arn:aws:organizations::{management_account_id}:account/{organization_id}/{management_account_id}"
        );
        let organization = Organization {
            arn: format!(
                "arn:aws:organizations::{management_account_id}:organization/{organization_id}"
            ),
            id: organization_id.clone(),
            feature_set: FeatureSet::All,
            management_account_id: management_account_id.to_owned(),
            management_account_arn: management_account_arn.clone(),
            management_account_email: management_account_email.to_owned(),
        };
        let root = Root {
            arn: format!(
                "arn:aws:organizations::{management_account_id}:root/{organization_id}/{root_id}"
            ),
            id: root_id.clone(),
            name: "Root".into(),
            policy_types: Vec::new(),
        };
        let management_account = Account {
            id: management_account_id.to_owned(),
            arn: management_account_arn,
            email: management_account_email.to_owned(),
            name: management_account_name.to_owned(),
            state: AccountState::Active,
            status: AccountStatus::Active,
            joined_method: JoinedMethod::Invited,
            joined_timestamp: now,
            parent_id: root_id.clone(),
            closes_at: None,
        };
        Self {
            organization,
            roots: BTreeMap::from([(root_id, root)]),
            organizational_units: BTreeMap::new(),
            accounts: BTreeMap::from([(management_account_id.to_owned(), management_account)]),
            tags: BTreeMap::new(),
            create_account_requests: BTreeMap::new(),
            delegated_administrators: Vec::new(),
            enabled_service_principals: BTreeMap::new(),
            handshakes: BTreeMap::new(),
            standalone_accounts: BTreeMap::new(),
        }
    }

    /// The one root.
    #[must_use]
    pub fn root(&self) -> &Root {
        // `fresh` creates exactly one root and nothing removes it.
        self.roots
            .values()
            .next()
            .expect("an organization always has its root")
    }

    /// Whether `id` is the root or an existing OU.
    #[must_use]
    pub fn is_parent(&self, id: &str) -> bool {
        self.roots.contains_key(id) || self.organizational_units.contains_key(id)
    }

    /// Adds an OU under `parent_id` (which must exist; not checked here) and returns its id.
    pub fn add_organizational_unit(
        &mut self,
        ids: &mut IdGenerator,
        parent_id: &str,
        name: &str,
    ) -> String {
        let root_suffix = self.root().id.trim_start_matches("r-").to_owned();
        let id = format!("ou-{root_suffix}-{}", ids.lowercase_alphanumeric(8));
        let unit = OrganizationalUnit {
            arn: format!(
                "arn:aws:organizations::{}:ou/{}/{id}",
                self.organization.management_account_id, self.organization.id
            ),
            id: id.clone(),
            name: name.to_owned(),
            parent_id: parent_id.to_owned(),
        };
        self.organizational_units.insert(id.clone(), unit);
        id
    }

    /// Adds an active account with id `account_id` under `parent_id`.
    pub fn add_account(
        &mut self,
        account_id: &str,
        name: &str,
        email: &str,
        parent_id: &str,
        joined_method: JoinedMethod,
        now: Timestamp,
    ) {
        let account = Account {
            id: account_id.to_owned(),
            arn: format!(
                "arn:aws:organizations::{}:account/{}/{account_id}",
                self.organization.management_account_id, self.organization.id
            ),
            email: email.to_owned(),
            name: name.to_owned(),
            state: AccountState::Active,
            status: AccountStatus::Active,
            joined_method,
            joined_timestamp: now,
            parent_id: parent_id.to_owned(),
            closes_at: None,
        };
        self.accounts.insert(account_id.to_owned(), account);
    }

    /// Whether any member or standalone account has the root e-mail `email` (AWS keeps
    /// e-mails unique across all accounts; compared case-insensitively).
    #[must_use]
    pub fn email_in_use(&self, email: &str) -> bool {
        self.accounts
            .values()
            .any(|account| account.email.eq_ignore_ascii_case(email))
            || self
                .standalone_accounts
                .values()
                .any(|account| account.email.eq_ignore_ascii_case(email))
    }

    /// Whether `account_id` is a member or a standalone account.
    #[must_use]
    pub fn account_exists(&self, account_id: &str) -> bool {
        self.accounts.contains_key(account_id) || self.standalone_accounts.contains_key(account_id)
    }

    /// The root e-mail of `account_id`, member or standalone.
    #[must_use]
    pub fn email_of(&self, account_id: &str) -> Option<&str> {
        self.accounts
            .get(account_id)
            .map(|account| account.email.as_str())
            .or_else(|| {
                self.standalone_accounts
                    .get(account_id)
                    .map(|account| account.email.as_str())
            })
    }

    /// The account (member or standalone) a handshake party names, when the sandbox knows
    /// one: the id itself for `ACCOUNT`, the owner of the e-mail for `EMAIL`.
    #[must_use]
    pub fn account_named_by(&self, party: &HandshakeParty) -> Option<String> {
        match party.party_type {
            HandshakePartyType::Account => self.account_exists(&party.id).then(|| party.id.clone()),
            HandshakePartyType::Email => self
                .accounts
                .values()
                .map(|account| (&account.id, &account.email))
                .chain(
                    self.standalone_accounts
                        .values()
                        .map(|account| (&account.id, &account.email)),
                )
                .find(|(_, email)| email.eq_ignore_ascii_case(&party.id))
                .map(|(id, _)| id.clone()),
            HandshakePartyType::Organization => None,
        }
    }

    /// Adds a standalone account (id and e-mail must be free; not checked here).
    pub fn add_standalone_account(&mut self, id: &str, name: &str, email: &str, now: Timestamp) {
        self.standalone_accounts.insert(
            id.to_owned(),
            StandaloneAccount {
                id: id.to_owned(),
                name: name.to_owned(),
                email: email.to_owned(),
                created_at: now,
            },
        );
    }

    /// Applies the completion of due asynchronous operations: a succeeded CreateAccount
    /// request's account appears under the root; a closing account whose time has come is
    /// `CLOSED`; an unanswered handshake past its expiry is `EXPIRED`; a handshake closed
    /// for [`CLOSED_HANDSHAKE_RETENTION`] is dropped. Returns whether anything changed; the
    /// ids of the accounts that joined are pushed onto `joined` (the World applies the
    /// account baseline to them).
    pub fn settle(&mut self, now: Timestamp, joined: &mut Vec<String>) -> bool {
        let root_id = self.root().id.clone();
        let mut created = Vec::new();
        let mut changed = self.settle_handshakes(now);
        for account in self.accounts.values_mut() {
            if account.state == AccountState::PendingClosure
                && account.closes_at.is_some_and(|closes_at| closes_at <= now)
            {
                // A closed account stays visible (as AWS keeps it for 90 days), SUSPENDED.
                account.state = AccountState::Closed;
                account.status = AccountStatus::Suspended;
                account.closes_at = None;
                changed = true;
            }
        }
        for request in self.create_account_requests.values_mut() {
            if request.operation.settle(now) {
                changed = true;
                if request.operation.failure_reason.is_none() {
                    created.push((request.clone(), request.operation.completes_at));
                }
            }
        }
        for (request, completed_at) in created {
            self.add_account(
                &request.account_id,
                &request.account_name,
                &request.email,
                &root_id,
                JoinedMethod::Created,
                completed_at,
            );
            joined.push(request.account_id.clone());
            if !request.tags.is_empty() {
                self.tags.insert(request.account_id.clone(), request.tags);
            }
        }
        changed
    }

    /// Stores `EXPIRED` on unanswered handshakes past their expiry and drops handshakes
    /// closed for longer than [`CLOSED_HANDSHAKE_RETENTION`]. Returns whether anything
    /// changed.
    fn settle_handshakes(&mut self, now: Timestamp) -> bool {
        let mut changed = false;
        for handshake in self.handshakes.values_mut() {
            if handshake.state_at(now) == HandshakeState::Expired
                && handshake.state == HandshakeState::Open
            {
                handshake.state = HandshakeState::Expired;
                handshake.closed_at = Some(handshake.expires_at);
                changed = true;
            }
        }
        let before = self.handshakes.len();
        self.handshakes.retain(|_, handshake| {
            handshake
                .closed_at
                .is_none_or(|closed_at| closed_at + CLOSED_HANDSHAKE_RETENTION > now)
        });
        changed || self.handshakes.len() != before
    }
}
