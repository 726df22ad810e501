//! OUs and accounts: which live account each account file means (by `id:`, else by root
//! e-mail), which OUs and accounts to create, move, re-tag or close, and what the
//! organization holds that the repo does not declare.

use std::collections::{BTreeMap, BTreeSet};

use monban_model::{Account, LiveAccount, LiveAccountStatus, LiveCreationState, PrincipalRef};
use serde_json::Value;

use super::{AccountStatus, Binding, Planner, count, name_list};
use crate::before::{account_state, status_text};
use crate::change::{
    AccountState, Action, Address, Blocker, Cause, Change, FieldChange, OuState, Principal,
    PrincipalKind, Resource,
};
use crate::plan::{Severity, UnmanagedAccount, WarningCode};

fn desired_account_state(account: &Account, id: Option<&str>) -> AccountState {
    AccountState {
        name: account.name.as_str().to_owned(),
        id: id.map(str::to_owned),
        email: account
            .root_email
            .as_ref()
            .map(|email| email.address.as_str().to_owned()),
        ou: account.ou.as_ref().map(ToString::to_string),
        tags: account
            .tags
            .iter()
            .map(|(key, value)| (key.as_str().to_owned(), value.as_str().to_owned()))
            .collect(),
        status: None,
    }
}

fn ou_value(ou: Option<&String>) -> Value {
    ou.map_or(Value::Null, |path| Value::String(path.clone()))
}

fn tags_value(tags: &BTreeMap<String, String>) -> Value {
    Value::Object(
        tags.iter()
            .map(|(key, value)| (key.clone(), Value::String(value.clone())))
            .collect(),
    )
}

impl<'input> Planner<'input> {
    /// Binds every account file to its live account: by `id:` when given, else by root
    /// e-mail (compared case-insensitively, as AWS does). A live account two files mean is
    /// bound to the first only. Live accounts left unbound are reported as undeclared.
    pub(super) fn bind_accounts(&mut self) {
        let repo = self.repo;
        // Files with `id:` bind first: an id is the stronger claim when another file's
        // root e-mail means the same account.
        let (by_id, by_email): (Vec<&Account>, Vec<&Account>) = repo
            .accounts
            .values()
            .partition(|account| account.id.is_some());
        for account in by_id.into_iter().chain(by_email) {
            let live = match &account.id {
                Some(id) => self.index.accounts_by_id.get(id.as_str()).copied(),
                None => account.root_email.as_ref().and_then(|email| {
                    self.index
                        .accounts_by_email
                        .get(&email.address.as_str().to_ascii_lowercase())
                        .copied()
                }),
            };
            let status = match (live, account.close) {
                (Some(_), true) => AccountStatus::Closing,
                (Some(_), false) => AccountStatus::Live,
                // Only the management account may invite (InviteAccountToOrganization).
                (None, false)
                    if account.id.is_some() && self.live().caller.is_management_account =>
                {
                    AccountStatus::Invited
                }
                (None, _) if account.id.is_some() || account.close => AccountStatus::Missing,
                (None, _) => AccountStatus::Planned,
            };
            if let Some(live) = live {
                if let Some(first) = self.declared_by_id.get(live.id.as_str()).copied() {
                    // Both files would plan the same account's access, each removing the
                    // other's grants under `exclusive`: only the first is planned.
                    self.complete = false;
                    self.warn(
                        Severity::Error,
                        WarningCode::AccountBoundTwice,
                        format!(
                            "accounts/{first}.yaml and accounts/{}.yaml both mean account {} \
                             ({}); the second is not planned. Give each file its own `id:` \
                             or root e-mail.",
                            account.name, live.id, live.email
                        ),
                        Some(Address::Account {
                            account: account.name.as_str().to_owned(),
                        }),
                    );
                    self.bound_twice.insert(account.name.as_str());
                    self.bindings.insert(
                        account.name.as_str(),
                        Binding {
                            live: None,
                            status: AccountStatus::Missing,
                        },
                    );
                    continue;
                }
                self.declared_by_id
                    .insert(live.id.as_str(), account.name.as_str());
            }
            self.bindings
                .insert(account.name.as_str(), Binding { live, status });
        }
        self.check_management_account();
        let live_state = self.live();
        let undeclared: Vec<&LiveAccount> = live_state
            .accounts
            .iter()
            .filter(|account| !self.declared_by_id.contains_key(account.id.as_str()))
            .collect();
        if !undeclared.is_empty() {
            self.warn(
                Severity::Info,
                WarningCode::UndeclaredAccount,
                format!(
                    "{} no account file declares: {}. They are left alone, and access on them \
                     is only reported; add a file under accounts/ with their `id:` to manage one.",
                    count(undeclared.len(), "live account", "live accounts"),
                    name_list(undeclared.iter().map(|account| account.name.as_str())),
                ),
                None,
            );
        }
        for account in undeclared {
            self.unmanaged.accounts.push(UnmanagedAccount {
                id: account.id.clone(),
                name: account.name.clone(),
                email: account.email.clone(),
                ou: account.ou_path.clone(),
                status: status_text(account.status).to_owned(),
            });
        }
    }

    /// `organization.management_account` must mean the organization's management account;
    /// when it is bound to another one, the repo is most likely planned against the wrong
    /// organization, and every change would be nonsense.
    fn check_management_account(&mut self) {
        let Some(name) = &self.repo.settings.organization.management_account else {
            return;
        };
        let Some(bound) = self
            .bindings
            .get(name.as_str())
            .and_then(|binding| binding.live)
        else {
            return;
        };
        let management = self.management_account_id();
        if bound.id != management {
            self.warn(
                Severity::Error,
                WarningCode::ManagementAccountMismatch,
                format!(
                    "monban.yaml names `{name}` as the management account, and \
                     accounts/{name}.yaml means account {}, but the management account of \
                     organization {} is {management}. Check the target: this looks like \
                     another organization.",
                    bound.id,
                    self.live().organization.id
                ),
                Some(Address::Account {
                    account: name.as_str().to_owned(),
                }),
            );
        }
    }

    /// OUs declared in `organization.ous` (parents implied) that do not exist live are
    /// created, parents first. Live OUs the repo does not declare are reported only: no
    /// setting removes OUs yet (docs/reference/plan.md).
    pub(super) fn plan_ous(&mut self) {
        let declared: BTreeSet<String> = self
            .repo
            .settings
            .organization
            .ous
            .iter()
            .flat_map(monban_model::OuPath::with_ancestors)
            .map(|path| path.to_string())
            .collect();
        let live: BTreeSet<&str> = self.live().ous.iter().map(|ou| ou.path.as_str()).collect();
        for path in &declared {
            if !live.contains(path.as_str()) {
                self.ou_changes.push(Change {
                    address: Address::Ou { path: path.clone() },
                    action: Action::Create,
                    cause: Cause::Declared,
                    before: None,
                    after: Some(Resource::Ou(OuState {
                        path: path.clone(),
                        id: None,
                    })),
                    fields: Vec::new(),
                    provision: Vec::new(),
                    blocked_by: Vec::new(),
                    reason: "declared in monban.yaml `organization.ous`".to_owned(),
                });
            }
        }
        let undeclared: Vec<&str> = live
            .into_iter()
            .filter(|path| !declared.contains(*path))
            .collect();
        if !undeclared.is_empty() {
            self.warn(
                Severity::Info,
                WarningCode::UndeclaredOu,
                format!(
                    "{} not in monban.yaml `organization.ous`: {}. They are left alone.",
                    count(undeclared.len(), "live OU is", "live OUs are"),
                    name_list(undeclared.iter().copied()),
                ),
                None,
            );
            self.unmanaged
                .ous
                .extend(undeclared.into_iter().map(str::to_owned));
        }
    }

    /// Creates, moves, re-tags and closes declared accounts.
    pub(super) fn plan_accounts(&mut self) {
        let repo = self.repo;
        for account in repo.accounts.values() {
            let name = account.name.as_str();
            let binding = self.bindings[name];
            let address = Address::Account {
                account: name.to_owned(),
            };
            if self.bound_twice.contains(name) {
                continue;
            }
            match binding.live {
                Some(live) => self.plan_bound_account(account, live, binding.status, address),
                None if account.close => self.warn(
                    Severity::Info,
                    WarningCode::CloseUnknownAccount,
                    format!(
                        "accounts/{name}.yaml says `close: true`, but the organization has no \
                         such account; nothing to close. Delete the file once you no longer \
                         need the record."
                    ),
                    Some(address),
                ),
                None => {
                    if let Some(id) = &account.id {
                        if binding.status == AccountStatus::Invited {
                            self.plan_invited_account(account, id.as_str(), address);
                            continue;
                        }
                        self.complete = false;
                        self.warn(
                            Severity::Error,
                            WarningCode::AccountNotFound,
                            format!(
                                "accounts/{name}.yaml binds account {id}, which is not in \
                                 organization {}, and only the management account can invite \
                                 it; its access cannot be planned. Plan with the management \
                                 account's credentials, fix the `id:`, or remove it to have \
                                 monban create the account.",
                                self.live().organization.id
                            ),
                            Some(address),
                        );
                    } else {
                        self.plan_new_account(account, address);
                    }
                }
            }
        }
    }

    fn plan_bound_account(
        &mut self,
        account: &Account,
        live: &'input LiveAccount,
        status: AccountStatus,
        address: Address,
    ) {
        let name = account.name.as_str();
        if live.name != name {
            let bound_by = if account.id.is_some() {
                "its `id:`"
            } else {
                "its root e-mail"
            };
            self.warn(
                Severity::Info,
                WarningCode::AccountNameDiffers,
                format!(
                    "accounts/{name}.yaml is bound by {bound_by} to account {} named `{}` in \
                     AWS; monban does not rename accounts, and addresses use the file name.",
                    live.id, live.name
                ),
                Some(address.clone()),
            );
        }
        let is_management = live.id == self.management_account_id();
        if status == AccountStatus::Closing {
            if live.status != LiveAccountStatus::Active {
                return;
            }
            let mut blocked_by: Vec<Blocker> = self
                .repo
                .settings
                .safety
                .protected
                .iter()
                .filter(|entry| entry.account.as_str() == name)
                .map(|entry| Blocker::ProtectedAssignment {
                    permission_set: entry.permission_set.as_str().to_owned(),
                    principal: Principal::named(
                        match entry.principal {
                            PrincipalRef::Group(_) => PrincipalKind::Group,
                            PrincipalRef::User(_) => PrincipalKind::User,
                        },
                        entry.principal.name(),
                        None,
                    ),
                })
                .collect();
            if !blocked_by.is_empty() {
                self.warn(
                    Severity::Error,
                    WarningCode::ProtectedAssignment,
                    format!(
                        "accounts/{name}.yaml says `close: true`, but `safety.protected` names \
                         access on it, which closing would remove. Remove those entries first \
                         if the account really is to be closed."
                    ),
                    Some(address.clone()),
                );
            }
            if is_management {
                blocked_by.push(Blocker::CloseManagementAccount);
                self.warn(
                    Severity::Error,
                    WarningCode::CloseManagementAccount,
                    format!(
                        "accounts/{name}.yaml says `close: true`, but it is the management \
                         account of the organization, which cannot be closed. Remove \
                         `close: true`."
                    ),
                    Some(address.clone()),
                );
            }
            self.account_changes.push(Change {
                address,
                action: Action::Close,
                cause: Cause::Closed,
                before: Some(Resource::Account(account_state(live))),
                after: None,
                fields: Vec::new(),
                provision: Vec::new(),
                blocked_by,
                reason: format!("`close: true` in accounts/{name}.yaml"),
            });
            return;
        }
        if live.status != LiveAccountStatus::Active {
            self.warn(
                Severity::Warning,
                WarningCode::AccountNotActive,
                format!(
                    "account {} ({name}) is {} in AWS but its file does not say `close: true`; \
                     a closed account cannot be reopened by monban.",
                    live.id,
                    status_text(live.status)
                ),
                Some(address.clone()),
            );
        }
        let desired = desired_account_state(account, Some(&live.id));
        let before = account_state(live);
        let mut fields = Vec::new();
        let mut reasons = Vec::new();
        if desired.ou != before.ou {
            fields.push(FieldChange {
                field: "ou".to_owned(),
                before: ou_value(before.ou.as_ref()),
                after: ou_value(desired.ou.as_ref()),
            });
            reasons.push(format!(
                "moves from {} to {}",
                before.ou.as_deref().unwrap_or("the root"),
                desired.ou.as_deref().unwrap_or("the root")
            ));
        }
        if desired.tags != before.tags {
            fields.push(FieldChange {
                field: "tags".to_owned(),
                before: tags_value(&before.tags),
                after: tags_value(&desired.tags),
            });
            reasons.push("tags differ".to_owned());
        }
        if !fields.is_empty() {
            self.account_changes.push(Change {
                address,
                action: Action::Update,
                cause: Cause::Declared,
                before: Some(Resource::Account(before)),
                after: Some(Resource::Account(AccountState {
                    status: Some(status_text(live.status).to_owned()),
                    ..desired
                })),
                fields,
                provision: Vec::new(),
                blocked_by: Vec::new(),
                reason: reasons.join("; "),
            });
        }
    }

    /// An account file whose `id:` the organization lacks: invited to join — unless an
    /// invitation to that account (or to its root e-mail) is still open, which is pending
    /// until the account's owner accepts it (inviting again would be refused as a
    /// duplicate). Either way its assignments are planned, and apply defers them until the
    /// account has joined.
    fn plan_invited_account(&mut self, account: &Account, id: &str, address: Address) {
        let name = account.name.as_str();
        let live = self.live();
        if let Some(why) = &live.invitations_unreadable {
            // Whether an invitation is already pending is unknown: inviting again could be
            // a duplicate, not inviting could leave the account out for good.
            self.complete = false;
            self.warn(
                Severity::Error,
                WarningCode::AccountNotFound,
                format!(
                    "accounts/{name}.yaml binds account {id}, which is not in organization {},                      and the organization's invitations could not be read ({why}), so whether                      one is pending is unknown; plan with credentials that may call                      ListHandshakesForOrganization (the management account's).",
                    live.organization.id
                ),
                Some(address),
            );
            return;
        }
        let email = account
            .root_email
            .as_ref()
            .map(|email| email.address.as_str().to_ascii_lowercase());
        let open = live.invitations.iter().find(|invitation| {
            invitation.account_id.as_deref() == Some(id)
                || (email.is_some()
                    && invitation.email.as_deref().map(str::to_ascii_lowercase) == email)
        });
        if let Some(open) = open {
            self.warn(
                Severity::Info,
                WarningCode::InvitationPending,
                format!(
                    "account {id} (accounts/{name}.yaml) is invited to organization {} \
                     (handshake {}); the invitation is pending until the account's owner \
                     accepts it. Its assignments are planned and apply defers them until the \
                     account has joined; plan again then.",
                    live.organization.id, open.handshake_id
                ),
                Some(address),
            );
            return;
        }
        self.account_changes.push(Change {
            address,
            action: Action::Invite,
            cause: Cause::Declared,
            before: None,
            after: Some(Resource::Account(desired_account_state(account, Some(id)))),
            fields: Vec::new(),
            provision: Vec::new(),
            blocked_by: Vec::new(),
            reason: format!(
                "accounts/{name}.yaml binds account {id}, which is not in organization {}: it \
                 is invited to join (pending until its owner accepts)",
                live.organization.id
            ),
        });
    }

    /// An account file without `id:` whose root e-mail no live account has: created,
    /// unless a `CreateAccount` for that name is still in progress (then it is being
    /// created, and creating it again would make a second account).
    fn plan_new_account(&mut self, account: &Account, address: Address) {
        let name = account.name.as_str();
        let creations: Vec<_> = self
            .live()
            .account_creations
            .iter()
            .filter(|creation| creation.account_name == name)
            .collect();
        if let Some(in_progress) = creations
            .iter()
            .find(|creation| creation.state == LiveCreationState::InProgress)
        {
            self.warn(
                Severity::Info,
                WarningCode::AccountBeingCreated,
                format!(
                    "account {name} is being created (request {}); its assignments are planned \
                     and apply waits for the account. Plan again once it exists to see it bound.",
                    in_progress.request_id
                ),
                Some(address),
            );
            return;
        }
        for failed in creations
            .iter()
            .filter(|creation| creation.state == LiveCreationState::Failed)
        {
            self.warn(
                Severity::Warning,
                WarningCode::AccountCreationFailed,
                format!(
                    "an earlier attempt to create account {name} failed ({}); it is planned \
                     again.",
                    failed
                        .failure_reason
                        .as_deref()
                        .unwrap_or("no reason given")
                ),
                Some(address.clone()),
            );
        }
        let after = desired_account_state(account, None);
        let reason = match &after.email {
            Some(email) => {
                format!("accounts/{name}.yaml has no `id:` and no account has root e-mail {email}")
            }
            None => format!("accounts/{name}.yaml has no `id:`"),
        };
        self.account_changes.push(Change {
            address,
            action: Action::Create,
            cause: Cause::Declared,
            before: None,
            after: Some(Resource::Account(after)),
            fields: Vec::new(),
            provision: Vec::new(),
            blocked_by: Vec::new(),
            reason,
        });
    }
}
