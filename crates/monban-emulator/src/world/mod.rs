//! The World: the whole state of the sandbox, one value behind one lock.
//!
//! Each service keeps its own sub-struct in its own module (`services::<service>::state`);
//! the World adds what they share: the clock, the id generator, the pagination secret and
//! the credential store. Handlers validate and mutate it while the server holds its lock, so
//! no check-then-act can interleave with another request. It serializes to `world.json`.

pub mod ids;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::auth::{CredentialRecord, CredentialStore};
use crate::baseline::BaselinePolicy;
use crate::clock::Clock;
use crate::config::Config;
use crate::services::iam::state::IamState;
use crate::services::identity_store::state::IdentityStoreState;
use crate::services::organizations::state::OrganizationsState;
use crate::services::scim::state::ScimState;
use crate::services::sso_admin::state::SsoAdminState;
use crate::services::sso_oidc::state::SsoOidcState;
use ids::IdGenerator;

/// The version of the `world.json` format; a file with another version is refused.
pub const FORMAT_VERSION: u32 = 1;

/// The whole sandbox state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct World {
    /// [`FORMAT_VERSION`] when written.
    pub format_version: u32,
    /// The sandbox clock (its offset persists).
    pub clock: Clock,
    /// The id generator (its counter persists).
    pub ids: IdGenerator,
    /// Keys pagination tokens (random per World).
    pub pagination_secret: String,
    /// Access keys and whom they authenticate.
    pub credentials: CredentialStore,
    /// AWS Organizations.
    pub organizations: OrganizationsState,
    /// IAM Identity Center (SSO Admin).
    pub sso_admin: SsoAdminState,
    /// The Identity Store.
    pub identity_store: IdentityStoreState,
    /// IAM in every account (users, access keys, MFA devices, customer managed policies).
    #[serde(default)]
    pub iam: IamState,
    /// The account baseline: customer managed policies every member account gets
    /// (`crate::baseline`).
    #[serde(default)]
    pub account_baseline: Vec<BaselinePolicy>,
    /// Developer sign-in: SSO OIDC clients, device authorizations, sessions and tokens,
    /// portal-issued role sessions (`services::sso_oidc::state`).
    #[serde(default)]
    pub sso_oidc: SsoOidcState,
    /// Identity Center's SCIM endpoint: its tenant id and access token
    /// (`services::scim::state`).
    #[serde(default)]
    pub scim: ScimState,
}

impl World {
    /// A fresh sandbox: the management account, an organization with all features and its
    /// root, one Identity Center instance in the configured region with its identity store,
    /// the management account's access key — nothing else.
    #[must_use]
    pub fn fresh(config: &Config) -> Self {
        let seed = config.seed.unwrap_or_else(rand::random);
        let mut ids = IdGenerator::new(seed);
        let clock = Clock::default();
        let now = clock.now();
        let pagination_secret = ids.hex(32);
        let organizations = OrganizationsState::fresh(
            &mut ids,
            &config.management_account_id,
            &config.management_account_email,
            &config.management_account_name,
            now,
        );
        let sso_admin =
            SsoAdminState::fresh(&mut ids, &config.management_account_id, &config.region, now);
        let identity_store = IdentityStoreState::fresh(&sso_admin.instance.identity_store_id);
        let mut world = Self {
            format_version: FORMAT_VERSION,
            clock,
            ids,
            pagination_secret,
            credentials: CredentialStore::default(),
            organizations,
            sso_admin,
            identity_store,
            iam: IamState::default(),
            account_baseline: config.account_baseline.clone(),
            sso_oidc: SsoOidcState::default(),
            scim: ScimState::default(),
        };
        world.install_management_credentials(config);
        world
    }

    /// Adds (or updates) the configured management-account key in the credential store.
    pub fn install_management_credentials(&mut self, config: &Config) {
        let account_id = self
            .organizations
            .organization
            .management_account_id
            .clone();
        self.credentials.insert(CredentialRecord {
            access_key_id: config.credentials.access_key_id.clone(),
            secret_access_key: config.credentials.secret_access_key.clone(),
            session_token: None,
            expires_at: None,
            principal_arn: format!("arn:aws:iam::{account_id}:root"),
            account_id,
        });
    }

    /// The management account's id.
    #[must_use]
    pub fn management_account_id(&self) -> &str {
        &self.organizations.organization.management_account_id
    }

    /// Whether `account_id` is a registered delegated administrator for `service_principal`.
    #[must_use]
    pub fn is_delegated_administrator(&self, account_id: &str, service_principal: &str) -> bool {
        self.organizations
            .delegated_administrators
            .iter()
            .any(|admin| {
                admin.account_id == account_id && admin.service_principal == service_principal
            })
    }

    /// Applies the side effects of every asynchronous operation due by `now` (see
    /// `async_operation`). Called under the lock before every AWS request. Returns whether
    /// the World changed (it is then persisted). A service with completion side effects adds
    /// its own settle call here.
    pub fn settle(&mut self, now: Timestamp) -> bool {
        let mut joined = Vec::new();
        let organizations = self.organizations.settle(now, &mut joined);
        // Accounts that just joined get the account baseline before anything can assign
        // to them.
        for account_id in &joined {
            crate::baseline::apply_to_account(self, account_id, now);
        }
        let sso_admin = self.sso_admin.settle(&mut self.ids, now);
        organizations || sso_admin
    }
}

#[cfg(test)]
mod tests {
    use jiff::SignedDuration;

    use super::*;
    use crate::async_operation::{AsyncOperation, AsyncStatus};
    use crate::services::organizations::state::CreateAccountRequest;

    #[test]
    fn a_fresh_world_has_the_documented_shape() {
        let world = World::fresh(&Config::default());
        let organization = &world.organizations.organization;
        assert!(organization.id.starts_with("o-") && organization.id.len() == 12);
        assert_eq!(organization.management_account_id, "111111111111");
        assert_eq!(world.organizations.accounts.len(), 1);
        let root = world.organizations.root();
        assert!(root.id.starts_with("r-") && root.id.len() == 6);
        let instance = &world.sso_admin.instance;
        assert!(instance.arn.starts_with("arn:aws:sso:::instance/ssoins-"));
        assert_eq!(instance.instance_id().len(), "ssoins-".len() + 16);
        assert_eq!(instance.region, "us-east-1");
        assert_eq!(
            world.identity_store.identity_store_id,
            instance.identity_store_id
        );
        assert!(world.credentials.get("AKIAMONBANSANDBOX000").is_some());
    }

    #[test]
    fn the_same_seed_gives_the_same_world_ids() {
        let config = Config {
            seed: Some(42),
            ..Config::default()
        };
        let (first, second) = (World::fresh(&config), World::fresh(&config));
        assert_eq!(
            first.organizations.organization.id,
            second.organizations.organization.id
        );
        assert_eq!(first.sso_admin.instance.arn, second.sso_admin.instance.arn);
    }

    #[test]
    fn advancing_the_clock_completes_an_async_record_and_settles_it_once() {
        let mut world = World::fresh(&Config::default());
        let now = world.clock.now();
        let request_id = format!("car-{}", world.ids.lowercase_alphanumeric(8));
        let account_id = world.ids.account_id();
        world.organizations.create_account_requests.insert(
            request_id.clone(),
            CreateAccountRequest {
                operation: AsyncOperation::start(
                    request_id.clone(),
                    now,
                    SignedDuration::from_mins(10),
                    None,
                ),
                account_name: "payments-prod".into(),
                email: "payments-prod@example.com".into(),
                account_id: account_id.clone(),
                tags: std::collections::BTreeMap::new(),
            },
        );
        // Survives a persistence round trip while in progress.
        let mut world: World =
            serde_json::from_str(&serde_json::to_string(&world).unwrap()).unwrap();
        assert!(!world.settle(world.clock.now()));
        assert!(!world.organizations.accounts.contains_key(&account_id));

        world.clock.advance(SignedDuration::from_mins(11)).unwrap();
        let later = world.clock.now();
        let record = &world.organizations.create_account_requests[&request_id];
        assert_eq!(record.operation.status(later), AsyncStatus::Succeeded);
        assert!(world.settle(later));
        assert_eq!(
            world.organizations.accounts[&account_id].name,
            "payments-prod"
        );
        assert!(!world.settle(later));
    }
}
