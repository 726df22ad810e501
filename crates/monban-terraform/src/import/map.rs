//! From evaluated Terraform resources to the monban model: OUs, accounts, permission sets
//! with their policies, explicit assignments in the account files, and the Identity Store
//! users, groups and memberships as an IdP directory snapshot. References are resolved by
//! value: an assignment's `permission_set_arn` is the `arn` of the permission set it names
//! (symbolic when unknown, real when the state has it), so both styles resolve the same way.

use std::collections::BTreeMap;
use std::rc::Rc;

use monban_model::{
    Account, AccountId, AccountName, CustomerManagedPolicy, CustomerManagedPolicyName,
    CustomerManagedPolicyPath, Directory, DirectoryGroup, DirectoryUser, Email, Grant, GroupName,
    IdentityText, InlinePolicy, ManagedPolicyArn, OuPath, PermissionSet, PermissionSetDescription,
    PermissionSetName, PermissionsBoundary, PrincipalRef, RelayState, Repo, RootEmail,
    SessionDuration, TagKey, TagValue, Tags, UserName,
};

use super::Note;
use super::config::Mode;
use super::eval::{Evaluator, Instance, ResourceInstance};
use super::source::Location;
use super::value::{Value, is_account_id};

/// Managed resource types the import translates.
pub const MANAGED_TYPES: &[&str] = &[
    "aws_organizations_organizational_unit",
    "aws_organizations_account",
    "aws_ssoadmin_permission_set",
    "aws_ssoadmin_managed_policy_attachment",
    "aws_ssoadmin_customer_managed_policy_attachment",
    "aws_ssoadmin_permission_set_inline_policy",
    "aws_ssoadmin_permissions_boundary_attachment",
    "aws_ssoadmin_account_assignment",
    "aws_identitystore_group",
    "aws_identitystore_user",
    "aws_identitystore_group_membership",
];

/// Data sources whose results the import reads (other data sources are evaluated only
/// when something references them).
pub const DATA_TYPES: &[&str] = &[
    "aws_identitystore_group",
    "aws_identitystore_user",
    "aws_ssoadmin_permission_set",
];

/// The arguments each managed resource type has that the access repo carries (or that
/// only matter to Terraform, like `instance_arn`). Any other argument set in the
/// configuration is reported, so nothing is dropped silently.
const CARRIED: &[(&str, &[&str])] = &[
    (
        "aws_organizations_organizational_unit",
        &["name", "parent_id"],
    ),
    // `close_on_deletion` only tells `terraform destroy` what to do.
    (
        "aws_organizations_account",
        &["name", "email", "parent_id", "tags", "close_on_deletion"],
    ),
    (
        "aws_ssoadmin_permission_set",
        &[
            "name",
            "description",
            "instance_arn",
            "session_duration",
            "relay_state",
            "tags",
        ],
    ),
    (
        "aws_ssoadmin_managed_policy_attachment",
        &["instance_arn", "managed_policy_arn", "permission_set_arn"],
    ),
    (
        "aws_ssoadmin_customer_managed_policy_attachment",
        &[
            "instance_arn",
            "permission_set_arn",
            "customer_managed_policy_reference",
        ],
    ),
    (
        "aws_ssoadmin_permission_set_inline_policy",
        &["instance_arn", "permission_set_arn", "inline_policy"],
    ),
    (
        "aws_ssoadmin_permissions_boundary_attachment",
        &["instance_arn", "permission_set_arn", "permissions_boundary"],
    ),
    (
        "aws_ssoadmin_account_assignment",
        &[
            "instance_arn",
            "permission_set_arn",
            "principal_id",
            "principal_type",
            "target_id",
            "target_type",
        ],
    ),
    (
        "aws_identitystore_group",
        &["identity_store_id", "display_name", "description"],
    ),
    (
        "aws_identitystore_user",
        &[
            "identity_store_id",
            "user_name",
            "display_name",
            "name",
            "emails",
        ],
    ),
    (
        "aws_identitystore_group_membership",
        &["identity_store_id", "group_id", "member_id"],
    ),
];

/// Notes for the arguments of `instance` the access repo does not carry.
fn uncarried(instance: &ResourceInstance) -> Vec<Note> {
    let Some((_, carried)) = CARRIED
        .iter()
        .find(|(resource_type, _)| *resource_type == instance.resource_type)
    else {
        return Vec::new();
    };
    let Some(attributes) = instance.value.as_map() else {
        return Vec::new();
    };
    attributes
        .iter()
        .filter(|(name, value)| {
            !carried.contains(&name.as_str())
                && !value.is_null()
                && *value != &Value::List(Vec::new())
                && *value != &Value::Map(BTreeMap::new())
        })
        .map(|(name, value)| {
            note(
                &instance.location,
                format!(
                    "`{}`: `{name} = {}` has no equivalent in the access repo and is not carried over",
                    instance.address,
                    value.describe()
                ),
            )
        })
        .collect()
}

/// Everything evaluated from the configuration.
#[derive(Debug, Default)]
pub(crate) struct Collected {
    pub instances: Vec<ResourceInstance>,
    pub notes: Vec<Note>,
}

fn note(location: &Location, reason: impl Into<String>) -> Note {
    Note {
        location: location.clone(),
        reason: reason.into(),
    }
}

/// Evaluates every resource of `instance` and the modules below it.
pub(crate) fn collect(
    evaluator: &Evaluator<'_>,
    instance: &Rc<Instance>,
    collected: &mut Collected,
) {
    let config = Rc::clone(&instance.config);
    for skipped in &config.skipped {
        collected.notes.push(Note {
            location: evaluator.sources.locate(skipped.file, skipped.span.clone()),
            reason: skipped.reason.clone(),
        });
    }
    for (index, block) in config.resources.iter().enumerate() {
        let location = evaluator.sources.locate(block.file, block.span.clone());
        let address = format!("{}{}", instance.prefix, block.address());
        let wanted = match block.mode {
            Mode::Managed => MANAGED_TYPES.contains(&block.resource_type.as_str()),
            Mode::Data => DATA_TYPES.contains(&block.resource_type.as_str()),
        };
        if !wanted {
            if block.mode == Mode::Managed {
                collected.notes.push(note(
                    &location,
                    format!(
                        "`{address}`: `{}` is not part of monban's model; it stays in Terraform",
                        block.resource_type
                    ),
                ));
            }
            continue;
        }
        match evaluator.instances(instance, index) {
            Ok(instances) => collected.instances.extend(instances),
            Err(error) => collected.notes.push(note(
                &location,
                format!(
                    "`{address}` is not imported: {} (at {})",
                    error.message, error.location
                ),
            )),
        }
    }
    for call in &config.calls {
        let location = evaluator.sources.locate(call.file, call.span.clone());
        match evaluator.module_instances(instance, &call.name, call.file, call.span.clone()) {
            Ok(children) => {
                for (_, child) in children {
                    collect(evaluator, &child, collected);
                }
            }
            Err(error) => collected.notes.push(note(
                &location,
                format!(
                    "module `{}` is not imported: {} (at {})",
                    call.name, error.message, error.location
                ),
            )),
        }
    }
}

/// An attribute of an instance, computed ones included (unknown or from the state).
fn attribute(evaluator: &Evaluator<'_>, instance: &ResourceInstance, name: &str) -> Value {
    match &instance.value {
        Value::Resource {
            address,
            attributes,
        } => attributes.get(name).cloned().unwrap_or_else(|| {
            evaluator
                .state
                .and_then(|state| state.attribute(address, name))
                .unwrap_or_else(|| Value::Unknown(format!("{address}.{name}")))
        }),
        _ => Value::Null,
    }
}

/// The value an identity-store data source looked up (`alternate_identifier` or the
/// older `filter`), when it looked up `path` (`DisplayName`, `UserName`).
fn looked_up(instance: &ResourceInstance, path: &str) -> Option<String> {
    let value = &instance.value;
    if let Some(unique) = value
        .block("alternate_identifier")
        .and_then(|identifier| identifier.block("unique_attribute"))
        && unique.get_str("attribute_path") == Some(path)
    {
        return unique.get_str("attribute_value").map(str::to_owned);
    }
    if let Some(filter) = value.block("filter")
        && filter.get_str("attribute_path") == Some(path)
    {
        return filter.get_str("attribute_value").map(str::to_owned);
    }
    None
}

/// Lookup tables from reference values (ids, ARNs; symbolic or real) to names.
#[derive(Default)]
struct References {
    permission_sets: Vec<(Value, String)>,
    groups: Vec<(Value, String)>,
    users: Vec<(Value, String)>,
    accounts: Vec<(Value, AccountName)>,
    ous: Vec<(Value, OuPath)>,
}

fn find<'table, T>(table: &'table [(Value, T)], value: &Value) -> Option<&'table T> {
    table
        .iter()
        .find(|(key, _)| key == value)
        .map(|(_, name)| name)
}

/// The result of the translation.
#[derive(Debug)]
pub(crate) struct Mapped {
    pub repo: Repo,
    pub directory: Directory,
    pub notes: Vec<Note>,
}

struct Mapper<'evaluator, 'import> {
    evaluator: &'evaluator Evaluator<'import>,
    notes: Vec<Note>,
    references: References,
    /// The provider's `default_tags`, under every account's and permission set's own.
    default_tags: &'evaluator BTreeMap<String, Value>,
    repo: Repo,
    directory: Directory,
}

/// The four resources that attach something to a permission set.
#[derive(Clone, Copy)]
enum Attachment {
    Managed,
    CustomerManaged,
    Inline,
    Boundary,
}

pub(crate) fn map(
    evaluator: &Evaluator<'_>,
    collected: Collected,
    mut repo: Repo,
    default_tags: &BTreeMap<String, Value>,
) -> Mapped {
    repo.accounts.clear();
    let mut mapper = Mapper {
        evaluator,
        notes: collected.notes,
        references: References::default(),
        default_tags,
        repo,
        directory: Directory::default(),
    };
    for instance in &collected.instances {
        if instance.mode == Mode::Managed {
            mapper.notes.extend(uncarried(instance));
        }
    }
    let of_type = |resource_type: &str, mode: Mode| -> Vec<&ResourceInstance> {
        collected
            .instances
            .iter()
            .filter(|instance| instance.resource_type == resource_type && instance.mode == mode)
            .collect()
    };
    mapper.ous(&of_type(
        "aws_organizations_organizational_unit",
        Mode::Managed,
    ));
    mapper.accounts(&of_type("aws_organizations_account", Mode::Managed));
    mapper.permission_sets(&of_type("aws_ssoadmin_permission_set", Mode::Managed));
    mapper.permission_set_lookups(&of_type("aws_ssoadmin_permission_set", Mode::Data));
    for (resource_type, kind) in [
        (
            "aws_ssoadmin_managed_policy_attachment",
            Attachment::Managed,
        ),
        (
            "aws_ssoadmin_customer_managed_policy_attachment",
            Attachment::CustomerManaged,
        ),
        (
            "aws_ssoadmin_permission_set_inline_policy",
            Attachment::Inline,
        ),
        (
            "aws_ssoadmin_permissions_boundary_attachment",
            Attachment::Boundary,
        ),
    ] {
        for instance in of_type(resource_type, Mode::Managed) {
            if let Some(name) = mapper.attached_to(instance) {
                match kind {
                    Attachment::Managed => mapper.managed_policy(instance, &name),
                    Attachment::CustomerManaged => mapper.customer_managed_policy(instance, &name),
                    Attachment::Inline => mapper.inline_policy(instance, &name),
                    Attachment::Boundary => mapper.boundary(instance, &name),
                }
            }
        }
    }
    mapper.identity_store(
        &of_type("aws_identitystore_group", Mode::Managed),
        &of_type("aws_identitystore_user", Mode::Managed),
        &of_type("aws_identitystore_group", Mode::Data),
        &of_type("aws_identitystore_user", Mode::Data),
    );
    mapper.memberships(&of_type(
        "aws_identitystore_group_membership",
        Mode::Managed,
    ));
    mapper.assignments(&of_type("aws_ssoadmin_account_assignment", Mode::Managed));
    // Groups before users, each by name: the order a reviewer scans a file in.
    for account in mapper.repo.accounts.values_mut() {
        for grants in account.access.values_mut() {
            grants.sort_by(|left, right| left.principal.cmp(&right.principal));
        }
    }
    mapper
        .notes
        .sort_by(|left, right| left.location.cmp(&right.location));
    Mapped {
        repo: mapper.repo,
        directory: mapper.directory,
        notes: mapper.notes,
    }
}

impl Mapper<'_, '_> {
    fn note(&mut self, instance: &ResourceInstance, reason: impl std::fmt::Display) {
        self.notes.push(note(
            &instance.location,
            format!("`{}`: {reason}", instance.address),
        ));
    }

    fn attribute(&self, instance: &ResourceInstance, name: &str) -> Value {
        attribute(self.evaluator, instance, name)
    }

    /// A string argument; a note when it is present but not a known string.
    fn text(&mut self, instance: &ResourceInstance, name: &str) -> Option<String> {
        match instance.value.get(name) {
            None | Some(Value::Null) => None,
            Some(Value::String(text)) => Some(text.clone()),
            Some(other) => {
                let reason = format!("`{name}` is {}, not a known string", other.describe());
                self.note(instance, reason);
                None
            }
        }
    }

    fn tags(&mut self, instance: &ResourceInstance) -> Tags {
        let mut tags = Tags::new();
        let mut merged = self.default_tags.clone();
        if let Some(map) = instance.value.get("tags").and_then(Value::as_map) {
            merged.extend(map.iter().map(|(key, value)| (key.clone(), value.clone())));
        }
        for (key, value) in &merged {
            let parsed = value
                .to_text()
                .ok_or_else(|| format!("is {}", value.describe()))
                .and_then(|text| {
                    Ok((
                        TagKey::parse(key).map_err(|error| error.to_string())?,
                        TagValue::parse(&text).map_err(|error| error.to_string())?,
                    ))
                });
            match parsed {
                Ok((key, value)) => {
                    tags.insert(key, value);
                }
                Err(reason) => {
                    self.note(instance, format!("tag `{key}` is not imported: {reason}"));
                }
            }
        }
        tags
    }

    // ---- organization -----------------------------------------------------------

    /// The OU path a `parent_id` points at: `Ok(None)` for the root.
    fn parent(&self, parent: &Value) -> Result<Option<OuPath>, String> {
        match parent {
            Value::Null => Ok(None),
            Value::String(id) if id.starts_with("r-") => Ok(None),
            Value::Unknown(name) if name.contains(".roots") => Ok(None),
            value => {
                if let Some(path) = find(&self.references.ous, value) {
                    return Ok(Some(path.clone()));
                }
                if let Value::String(id) = value {
                    return self.state_ou(id, 0);
                }
                Err(format!(
                    "cannot tell which OU the parent {} is",
                    value.describe()
                ))
            }
        }
    }

    /// An OU the configuration does not declare, by id, from the state (e.g. a data source).
    fn state_ou(&self, id: &str, depth: usize) -> Result<Option<OuPath>, String> {
        let unknown = || format!("the OU `{id}` is not in the configuration or the state");
        let state = self.evaluator.state.ok_or_else(unknown)?;
        if depth > monban_model::MAX_OU_DEPTH {
            return Err(format!("the OU `{id}` is nested too deep"));
        }
        let (_, instance) = state
            .of_type("aws_organizations_organizational_unit")
            .find(|(_, instance)| instance.attributes.get_str("id") == Some(id))
            .ok_or_else(unknown)?;
        let name = instance.attributes.get_str("name").ok_or_else(unknown)?;
        let parent = match instance.attributes.get_str("parent_id") {
            Some(parent) if !parent.starts_with("r-") => self.state_ou(parent, depth + 1)?,
            _ => None,
        };
        let path = match parent {
            Some(parent) => format!("{parent}/{name}"),
            None => name.to_owned(),
        };
        OuPath::parse(&path)
            .map(Some)
            .map_err(|error| error.to_string())
    }

    fn ous(&mut self, instances: &[&ResourceInstance]) {
        // Parents may be declared after children: resolve in rounds until nothing moves.
        let mut pending: Vec<&ResourceInstance> = instances.to_vec();
        loop {
            let before = pending.len();
            let mut unresolved = Vec::new();
            for instance in pending {
                let parent = instance
                    .value
                    .get("parent_id")
                    .cloned()
                    .unwrap_or(Value::Null);
                match self.parent(&parent) {
                    Ok(parent) => {
                        let Some(name) = self.text(instance, "name") else {
                            self.note(instance, "an OU without a known `name` is not imported");
                            continue;
                        };
                        let path = match parent {
                            Some(parent) => format!("{parent}/{name}"),
                            None => name.clone(),
                        };
                        match OuPath::parse(&path) {
                            Ok(path) => {
                                self.repo.settings.organization.add_ou(&path);
                                let id = self.attribute(instance, "id");
                                self.references.ous.push((id, path));
                            }
                            Err(error) => self.note(instance, format!("OU `{path}`: {error}")),
                        }
                    }
                    Err(_) => unresolved.push(instance),
                }
            }
            if unresolved.is_empty() || unresolved.len() == before {
                for instance in unresolved {
                    let parent = instance
                        .value
                        .get("parent_id")
                        .cloned()
                        .unwrap_or(Value::Null);
                    let reason = self.parent(&parent).err().unwrap_or_default();
                    self.note(instance, format!("the OU is not imported: {reason}"));
                }
                break;
            }
            pending = unresolved;
        }
    }

    fn accounts(&mut self, instances: &[&ResourceInstance]) {
        for instance in instances {
            let Some(name) = self.text(instance, "name") else {
                self.note(
                    instance,
                    "an account without a known `name` is not imported",
                );
                continue;
            };
            let name = match AccountName::parse(&name) {
                Ok(name) => name,
                Err(error) => {
                    self.note(instance, format!("account name: {error}"));
                    continue;
                }
            };
            if self.repo.accounts.contains_key(&name) {
                self.note(
                    instance,
                    format!("a second account named `{name}` is not imported"),
                );
                continue;
            }
            let mut account = Account::new(name.clone());
            if let Some(email) = self.text(instance, "email") {
                match Email::parse(&email) {
                    Ok(address) => {
                        account.root_email = Some(RootEmail {
                            address,
                            derived: false,
                        });
                    }
                    Err(error) => self.note(instance, format!("email: {error}")),
                }
            }
            let parent = instance
                .value
                .get("parent_id")
                .cloned()
                .unwrap_or(Value::Null);
            match self.parent(&parent) {
                Ok(ou) => account.ou = ou,
                Err(reason) => self.note(
                    instance,
                    format!("{reason}; the account is written directly under the root"),
                ),
            }
            account.tags = self.tags(instance);
            let id = self.attribute(instance, "id");
            if let Value::String(text) = &id
                && let Ok(parsed) = AccountId::parse(text)
            {
                account.id = Some(parsed);
            }
            self.references.accounts.push((id, name.clone()));
            self.repo.accounts.insert(name, account);
        }
    }

    /// The account an assignment's `target_id` points at, adding a file for an account
    /// the configuration knows only by id.
    fn account(&mut self, target: &Value) -> Result<AccountName, String> {
        if let Some(name) = find(&self.references.accounts, target) {
            return Ok(name.clone());
        }
        let Value::String(id) = target else {
            return Err(format!(
                "cannot tell which account {} is",
                target.describe()
            ));
        };
        if !is_account_id(id) {
            return Err(format!("\"{id}\" is not a 12-digit account id"));
        }
        if let Some(account) = self.repo.accounts.values().find(|account| {
            account
                .id
                .as_ref()
                .is_some_and(|known| known.as_str() == id)
        }) {
            return Ok(account.name.clone());
        }
        let state_name = self.evaluator.state.and_then(|state| {
            state
                .of_type("aws_organizations_organization")
                .find_map(|(_, instance)| match instance.attributes.get("accounts") {
                    Some(Value::List(accounts)) => accounts
                        .iter()
                        .find(|account| account.get_str("id") == Some(id))
                        .and_then(|account| account.get_str("name"))
                        .map(str::to_owned),
                    _ => None,
                })
        });
        // The configuration's own names for the id first, then the organization's name
        // for it from the state, then the weak guesses (keys of objects that merely
        // mention the id), then the id itself.
        let names = self.evaluator.account_names(id);
        let candidates = names
            .iter()
            .filter(|(strength, _)| *strength < 2)
            .map(|(_, name)| name.clone())
            .chain(state_name)
            .chain(
                names
                    .iter()
                    .filter(|(strength, _)| *strength >= 2)
                    .map(|(_, name)| name.clone()),
            )
            .chain(std::iter::once(id.clone()));
        let mut chosen = None;
        for candidate in candidates {
            if let Ok(name) = AccountName::parse(&candidate)
                && !self.repo.accounts.contains_key(&name)
            {
                chosen = Some(name);
                break;
            }
        }
        let name = chosen.ok_or_else(|| format!("no free file name for account {id}"))?;
        let mut account = Account::new(name.clone());
        account.id = AccountId::parse(id).ok();
        self.repo.accounts.insert(name.clone(), account);
        self.references
            .accounts
            .push((target.clone(), name.clone()));
        Ok(name)
    }

    // ---- permission sets ----------------------------------------------------------

    fn permission_sets(&mut self, instances: &[&ResourceInstance]) {
        for instance in instances {
            let Some(name) = self.text(instance, "name") else {
                self.note(
                    instance,
                    "a permission set without a known `name` is not imported",
                );
                continue;
            };
            let name = match PermissionSetName::parse(&name) {
                Ok(name) => name,
                Err(error) => {
                    self.note(instance, format!("permission set name: {error}"));
                    continue;
                }
            };
            let mut permission_set = PermissionSet::new(name.clone());
            if let Some(description) = self.text(instance, "description") {
                match PermissionSetDescription::parse(&description) {
                    Ok(description) => permission_set.description = Some(description),
                    Err(error) => self.note(instance, format!("description: {error}")),
                }
            }
            if let Some(duration) = self.text(instance, "session_duration") {
                match SessionDuration::parse(&duration) {
                    Ok(duration) => permission_set.session_duration = duration,
                    Err(error) => self.note(
                        instance,
                        format!("session_duration: {error}; PT1H is written"),
                    ),
                }
            }
            if let Some(relay_state) = self.text(instance, "relay_state") {
                match RelayState::parse(&relay_state) {
                    Ok(relay_state) => permission_set.relay_state = Some(relay_state),
                    Err(error) => self.note(instance, format!("relay_state: {error}")),
                }
            }
            permission_set.tags = self.tags(instance);
            for attribute in ["arn", "id"] {
                let value = self.attribute(instance, attribute);
                self.references
                    .permission_sets
                    .push((value, name.as_str().to_owned()));
            }
            self.repo.permission_sets.insert(name, permission_set);
        }
    }

    /// `data "aws_ssoadmin_permission_set"` lookups by name: the ARN they return names a
    /// permission set (declared elsewhere, or not at all).
    fn permission_set_lookups(&mut self, instances: &[&ResourceInstance]) {
        for instance in instances {
            if let Some(name) = instance.value.get_str("name") {
                let value = self.attribute(instance, "arn");
                self.references
                    .permission_sets
                    .push((value, name.to_owned()));
            }
        }
    }

    /// The permission set a reference value names.
    fn permission_set_name(&self, value: &Value) -> Result<PermissionSetName, String> {
        let name = find(&self.references.permission_sets, value)
            .cloned()
            .or_else(|| {
                let arn = value.as_str()?;
                let state = self.evaluator.state?;
                state
                    .of_type("aws_ssoadmin_permission_set")
                    .find(|(_, instance)| instance.attributes.get_str("arn") == Some(arn))
                    .and_then(|(_, instance)| {
                        instance.attributes.get_str("name").map(str::to_owned)
                    })
            });
        let Some(name) = name else {
            return Err(format!(
                "cannot tell which permission set {} is{}",
                value.describe(),
                if self.evaluator.state.is_some() {
                    ""
                } else {
                    " (give the state with `--state` to resolve ARNs)"
                }
            ));
        };
        let name = PermissionSetName::parse(&name).map_err(|error| error.to_string())?;
        if self.repo.permission_sets.contains_key(&name) {
            Ok(name)
        } else {
            Err(format!(
                "the permission set `{name}` is not managed by this configuration; declare it in \
                 permission-sets/{name}.yaml to keep this"
            ))
        }
    }

    /// The permission set an attachment's `permission_set_arn` names; a note when unknown.
    fn attached_to(&mut self, instance: &ResourceInstance) -> Option<PermissionSetName> {
        let value = instance
            .value
            .get("permission_set_arn")
            .cloned()
            .unwrap_or(Value::Null);
        match self.permission_set_name(&value) {
            Ok(name) => Some(name),
            Err(reason) => {
                self.note(instance, format!("not imported: {reason}"));
                None
            }
        }
    }

    fn permission_set_mut(&mut self, name: &PermissionSetName) -> &mut PermissionSet {
        self.repo
            .permission_sets
            .entry(name.clone())
            .or_insert_with(|| PermissionSet::new(name.clone()))
    }

    fn managed_policy(&mut self, instance: &ResourceInstance, name: &PermissionSetName) {
        let Some(arn) = self.text(instance, "managed_policy_arn") else {
            self.note(instance, "no known `managed_policy_arn`; not imported");
            return;
        };
        match ManagedPolicyArn::parse(&arn) {
            Ok(arn) => {
                let policies = &mut self.permission_set_mut(name).managed_policies;
                if !policies.contains(&arn) {
                    policies.push(arn);
                    policies.sort_by(|left, right| left.as_str().cmp(right.as_str()));
                }
            }
            Err(error) => self.note(instance, format!("not imported: {error}")),
        }
    }

    fn policy_reference(reference: &Value) -> Result<CustomerManagedPolicy, String> {
        let name = reference
            .get_str("name")
            .ok_or("`customer_managed_policy_reference` has no known `name`")?;
        let path = match reference.get("path") {
            Some(Value::String(path)) => {
                CustomerManagedPolicyPath::parse(path).map_err(|error| error.to_string())?
            }
            _ => CustomerManagedPolicyPath::root(),
        };
        Ok(CustomerManagedPolicy {
            name: CustomerManagedPolicyName::parse(name).map_err(|error| error.to_string())?,
            path,
        })
    }

    fn customer_managed_policy(&mut self, instance: &ResourceInstance, name: &PermissionSetName) {
        let reference = instance
            .value
            .block("customer_managed_policy_reference")
            .cloned()
            .unwrap_or(Value::Null);
        match Self::policy_reference(&reference) {
            Ok(policy) => {
                let policies = &mut self.permission_set_mut(name).customer_managed_policies;
                if !policies.contains(&policy) {
                    policies.push(policy);
                    policies.sort();
                }
            }
            Err(reason) => self.note(instance, format!("not imported: {reason}")),
        }
    }

    fn inline_policy(&mut self, instance: &ResourceInstance, name: &PermissionSetName) {
        let Some(text) = self.text(instance, "inline_policy") else {
            self.note(instance, "no known `inline_policy`; not imported");
            return;
        };
        let parsed: Result<serde_json::Value, _> = serde_json::from_str(&text);
        let pretty = match parsed {
            Ok(json) => super::policy::pretty(&json),
            Err(error) => {
                self.note(instance, format!("the inline policy is not JSON: {error}"));
                return;
            }
        };
        match InlinePolicy::parse(&pretty) {
            Ok(policy) => self.permission_set_mut(name).inline_policy = Some(policy),
            Err(error) => self.note(instance, format!("not imported: {error}")),
        }
    }

    fn boundary(&mut self, instance: &ResourceInstance, name: &PermissionSetName) {
        let Some(boundary) = instance.value.block("permissions_boundary").cloned() else {
            self.note(instance, "no `permissions_boundary` block; not imported");
            return;
        };
        let parsed = match (
            boundary.get("managed_policy_arn"),
            boundary.block("customer_managed_policy_reference"),
        ) {
            (Some(Value::String(arn)), _) => ManagedPolicyArn::parse(arn)
                .map(PermissionsBoundary::ManagedPolicy)
                .map_err(|error| error.to_string()),
            (_, Some(reference)) => {
                Self::policy_reference(reference).map(PermissionsBoundary::CustomerManagedPolicy)
            }
            _ => Err(
                "the boundary names neither a known managed policy nor a customer-managed one"
                    .to_owned(),
            ),
        };
        match parsed {
            Ok(boundary) => self.permission_set_mut(name).permissions_boundary = Some(boundary),
            Err(reason) => self.note(instance, format!("not imported: {reason}")),
        }
    }

    // ---- identity store -----------------------------------------------------------

    fn identity_store(
        &mut self,
        groups: &[&ResourceInstance],
        users: &[&ResourceInstance],
        group_lookups: &[&ResourceInstance],
        user_lookups: &[&ResourceInstance],
    ) {
        for instance in groups {
            let Some(display_name) = self.text(instance, "display_name") else {
                self.note(
                    instance,
                    "a group without a known `display_name` is not imported",
                );
                continue;
            };
            let name = match GroupName::parse(&display_name) {
                Ok(name) => name,
                Err(error) => {
                    self.note(instance, format!("group name: {error}"));
                    continue;
                }
            };
            let description = self
                .text(instance, "description")
                .and_then(|description| IdentityText::parse(&description).ok());
            for attribute in ["group_id", "id"] {
                let value = self.attribute(instance, attribute);
                self.references.groups.push((value, display_name.clone()));
            }
            self.repo.groups.insert(name.clone());
            self.directory.groups.insert(
                name.clone(),
                DirectoryGroup {
                    display_name: name,
                    description,
                    members: Vec::new(),
                },
            );
        }
        for instance in users {
            let Some(user_name) = self.text(instance, "user_name") else {
                self.note(
                    instance,
                    "a user without a known `user_name` is not imported",
                );
                continue;
            };
            let name = match UserName::parse(&user_name) {
                Ok(name) => name,
                Err(error) => {
                    self.note(instance, format!("user name: {error}"));
                    continue;
                }
            };
            for attribute in ["user_id", "id"] {
                let value = self.attribute(instance, attribute);
                self.references.users.push((value, user_name.clone()));
            }
            self.repo.users.insert(name.clone());
            let names = instance.value.block("name");
            let field = |value: Option<&Value>, key: &str| {
                value
                    .and_then(|value| value.get_str(key))
                    .map(str::to_owned)
            };
            let emails = match instance.value.get("emails") {
                Some(Value::List(emails)) => emails.clone(),
                _ => Vec::new(),
            };
            let email = emails
                .iter()
                .find(|email| email.get("primary") == Some(&Value::Bool(true)))
                .or_else(|| emails.first())
                .and_then(|email| email.get_str("value"))
                .map(str::to_owned);
            let parsed = (|| {
                let text = |value: Option<String>, what: &str| {
                    value
                        .ok_or_else(|| format!("has no known {what}"))
                        .and_then(|value| {
                            IdentityText::parse(&value).map_err(|error| format!("{what}: {error}"))
                        })
                };
                Ok::<_, String>(DirectoryUser {
                    user_name: name.clone(),
                    display_name: text(
                        field(Some(&instance.value), "display_name"),
                        "display_name",
                    )?,
                    given_name: text(field(names, "given_name"), "given_name")?,
                    family_name: text(field(names, "family_name"), "family_name")?,
                    email: text(email, "e-mail")?,
                    active: true,
                })
            })();
            match parsed {
                Ok(user) => {
                    self.directory.users.insert(name, user);
                }
                Err(reason) => self.note(
                    instance,
                    format!("the user {reason}, so it is left out of directory.yaml (its name is kept in groups.yaml)"),
                ),
            }
        }
        for (lookups, path, id_attribute, name_attribute, groups) in [
            (
                group_lookups,
                "DisplayName",
                "group_id",
                "display_name",
                true,
            ),
            (user_lookups, "UserName", "user_id", "user_name", false),
        ] {
            for instance in lookups {
                let name = looked_up(instance, path).or_else(|| {
                    self.attribute(instance, name_attribute)
                        .as_str()
                        .map(str::to_owned)
                });
                let Some(name) = name else {
                    continue;
                };
                for attribute in [id_attribute, "id"] {
                    let value = self.attribute(instance, attribute);
                    if groups {
                        self.references.groups.push((value, name.clone()));
                    } else {
                        self.references.users.push((value, name.clone()));
                    }
                }
            }
        }
    }

    /// A principal id from the state: a group or user the configuration does not declare.
    fn state_principal(&self, id: &str, group: bool) -> Option<String> {
        let state = self.evaluator.state?;
        let (resource_type, id_attribute, name_attribute) = if group {
            ("aws_identitystore_group", "group_id", "display_name")
        } else {
            ("aws_identitystore_user", "user_id", "user_name")
        };
        state
            .of_type(resource_type)
            .find(|(_, instance)| instance.attributes.get_str(id_attribute) == Some(id))
            .and_then(|(_, instance)| {
                instance
                    .attributes
                    .get_str(name_attribute)
                    .map(str::to_owned)
            })
    }

    fn principal(&self, value: &Value, group: bool) -> Result<PrincipalRef, String> {
        let table = if group {
            &self.references.groups
        } else {
            &self.references.users
        };
        let name = find(table, value).cloned().or_else(|| {
            value
                .as_str()
                .and_then(|id| self.state_principal(id, group))
        });
        let kind = if group { "group" } else { "user" };
        let Some(name) = name else {
            return Err(format!(
                "cannot tell which {kind} {} is{}",
                value.describe(),
                if self.evaluator.state.is_some() {
                    ""
                } else {
                    " (give the state with `--state` to resolve ids)"
                }
            ));
        };
        if group {
            GroupName::parse(&name).map(PrincipalRef::Group)
        } else {
            UserName::parse(&name).map(PrincipalRef::User)
        }
        .map_err(|error| error.to_string())
    }

    fn memberships(&mut self, instances: &[&ResourceInstance]) {
        for instance in instances {
            let group = instance
                .value
                .get("group_id")
                .cloned()
                .unwrap_or(Value::Null);
            let member = instance
                .value
                .get("member_id")
                .cloned()
                .unwrap_or(Value::Null);
            let resolved = self
                .principal(&group, true)
                .and_then(|group| Ok((group, self.principal(&member, false)?)));
            match resolved {
                Ok((PrincipalRef::Group(group), PrincipalRef::User(user))) => {
                    match self.directory.groups.get_mut(&group) {
                        Some(entry) => {
                            if !entry.members.contains(&user) {
                                entry.members.push(user);
                            }
                        }
                        None => self.note(
                            instance,
                            format!(
                                "the group `{group}` is not created by this configuration, so the \
                                 membership of `{user}` belongs to the IdP and is not written"
                            ),
                        ),
                    }
                }
                Ok(_) => {}
                Err(reason) => self.note(instance, format!("not imported: {reason}")),
            }
        }
    }

    fn assignments(&mut self, instances: &[&ResourceInstance]) {
        for instance in instances {
            if let Err(reason) = self.assignment(instance) {
                self.note(
                    instance,
                    format!("the assignment is not imported: {reason}"),
                );
            }
        }
    }

    fn assignment(&mut self, instance: &ResourceInstance) -> Result<(), String> {
        let value = |key: &str| instance.value.get(key).cloned().unwrap_or(Value::Null);
        match value("target_type") {
            Value::Null => {}
            Value::String(target_type) if target_type == "AWS_ACCOUNT" => {}
            other => {
                return Err(format!(
                    "target_type {} is not AWS_ACCOUNT",
                    other.describe()
                ));
            }
        }
        let group = match value("principal_type") {
            Value::String(kind) if kind == "GROUP" => true,
            Value::String(kind) if kind == "USER" => false,
            other => {
                return Err(format!(
                    "principal_type {} is neither GROUP nor USER",
                    other.describe()
                ));
            }
        };
        let permission_set = self.permission_set_name(&value("permission_set_arn"))?;
        let principal = self.principal(&value("principal_id"), group)?;
        let account = self.account(&value("target_id"))?;
        match &principal {
            PrincipalRef::Group(name) => {
                self.repo.groups.insert(name.clone());
            }
            PrincipalRef::User(name) => {
                self.repo.users.insert(name.clone());
            }
        }
        let grants = self
            .repo
            .accounts
            .get_mut(&account)
            .ok_or_else(|| format!("the account `{account}` was not recorded"))?
            .access
            .entry(permission_set)
            .or_default();
        if !grants.iter().any(|grant| grant.principal == principal) {
            grants.push(Grant::new(principal));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn find_matches_symbolic_and_real_values() {
        let table = vec![
            (Value::Unknown("aws_x.y.arn".to_owned()), "Admin".to_owned()),
            (
                Value::String("arn:aws:sso:::permissionSet/ssoins-1/ps-1".to_owned()),
                "Read".to_owned(),
            ),
        ];
        assert_eq!(
            find(&table, &Value::Unknown("aws_x.y.arn".to_owned())),
            Some(&"Admin".to_owned())
        );
        assert_eq!(
            find(
                &table,
                &Value::String("arn:aws:sso:::permissionSet/ssoins-1/ps-1".to_owned())
            ),
            Some(&"Read".to_owned())
        );
    }
}
