//! `monban.yaml`: target, organization, Identity Center and safety settings.

use monban_model::{
    AccountName, CodeOwners, IdentityCenter, IdentitySource, Organization, OuPath,
    PermissionSetName, ProfileName, ProtectedAssignment, Region, RepoSettings, RootEmailTemplate,
    Safety, Target,
};

use crate::diagnostics::Code;
use crate::keys;
use crate::load::{Collected, Referent};
use crate::node::Node;
use crate::principal::principal;
use crate::walk::FileContext;

/// The region used in place of a missing or invalid `identity_center.region`, so that a
/// broken repo still yields a `Repo` to display. Never acted on: the diagnostics have an
/// error whenever it is used.
const FALLBACK_REGION: &str = "us-east-1";

/// The settings used when `monban.yaml` cannot be read (see [`FALLBACK_REGION`]).
pub(crate) fn defaults() -> RepoSettings {
    RepoSettings {
        target: Target::Sandbox,
        organization: Organization::default(),
        identity_center: IdentityCenter {
            region: fallback_region(),
            identity_source: IdentitySource::External,
        },
        safety: Safety::default(),
        codeowners: CodeOwners::default(),
    }
}

pub(crate) fn settings(
    context: &mut FileContext<'_>,
    node: &Node,
    collected: &mut Collected,
) -> RepoSettings {
    let mut settings = defaults();
    let Some(fields) = context.fields(node, keys::MONBAN, "monban.yaml") else {
        return settings;
    };
    if let Some(target) = fields.get("target") {
        settings.target = parse_target(context, target);
    }
    if let Some(organization) = fields.get("organization") {
        settings.organization = parse_organization(context, organization, collected);
    }
    if let Some(identity_center) = fields.require(context, "identity_center", "monban.yaml") {
        settings.identity_center = parse_identity_center(context, identity_center);
    }
    if let Some(safety) = fields.get("safety") {
        settings.safety = parse_safety(context, safety, collected);
    }
    if let Some(codeowners) = fields.get("codeowners")
        && let Some(fields) = context.fields(codeowners, keys::CODEOWNERS, "`codeowners`")
        && let Some(node) = fields.get("default")
    {
        settings.codeowners.default = crate::owners::owners(context, node);
    }
    settings
}

fn fallback_region() -> Region {
    // A literal region code that passes `Region::parse`.
    Region::parse(FALLBACK_REGION).expect("the fallback region is valid")
}

fn parse_target(context: &mut FileContext<'_>, node: &Node) -> Target {
    let Some(fields) = context.fields(node, keys::TARGET, "`target`") else {
        return Target::Sandbox;
    };
    let Some(aws) = fields.require(context, "aws", "`target`") else {
        return Target::Sandbox;
    };
    let Some(aws_fields) = context.fields(aws, keys::TARGET_AWS, "`target.aws`") else {
        return Target::Sandbox;
    };
    let profile = aws_fields
        .get("profile")
        .and_then(|node| context.parse(node, ProfileName::parse));
    let region = aws_fields
        .require(context, "region", "`target.aws`")
        .and_then(|node| context.parse(node, Region::parse));
    region.map_or(Target::Sandbox, |region| Target::Aws { profile, region })
}

fn parse_organization(
    context: &mut FileContext<'_>,
    node: &Node,
    collected: &mut Collected,
) -> Organization {
    let mut organization = Organization::default();
    let Some(fields) = context.fields(node, keys::ORGANIZATION, "`organization`") else {
        return organization;
    };
    if let Some(node) = fields.get("management_account")
        && let Some(name) = context.parse(node, AccountName::parse)
    {
        collected.reference(Referent::Account(name.clone()), context, node.position);
        collected.management_account_position = Some(node.position);
        organization.management_account = Some(name);
    }
    if let Some(node) = fields.get("root_email") {
        organization.root_email = context.parse(node, RootEmailTemplate::parse);
    }
    if let Some(node) = fields.get("ous") {
        for item in context.sequence(node).unwrap_or_default() {
            let Some(path) = context.parse(item, OuPath::parse) else {
                continue;
            };
            if organization.ous.contains(&path)
                && collected.declared_ou_positions.contains_key(&path)
            {
                context.report(
                    Code::DuplicateEntry,
                    item.position,
                    format!("OU `{path}` is listed more than once"),
                );
                continue;
            }
            collected
                .declared_ou_positions
                .insert(path.clone(), item.position);
            organization.add_ou(&path);
        }
    }
    organization
}

fn parse_identity_center(context: &mut FileContext<'_>, node: &Node) -> IdentityCenter {
    let mut identity_center = IdentityCenter {
        region: fallback_region(),
        identity_source: IdentitySource::External,
    };
    let Some(fields) = context.fields(node, keys::IDENTITY_CENTER, "`identity_center`") else {
        return identity_center;
    };
    if let Some(region) = fields
        .require(context, "region", "`identity_center`")
        .and_then(|node| context.parse(node, Region::parse))
    {
        identity_center.region = region;
    }
    if let Some(node) = fields.get("identity_source")
        && let Some(text) = context.string(node)
        && text != IdentitySource::External.as_str()
    {
        context.report_with_hint(
            Code::InvalidEnumValue,
            node.position,
            format!("identity source `{text}` is not supported"),
            Some("only `external` (users and groups pushed by your IdP) exists today".to_owned()),
        );
    }
    identity_center
}

fn parse_safety(context: &mut FileContext<'_>, node: &Node, collected: &mut Collected) -> Safety {
    let mut safety = Safety::default();
    let Some(fields) = context.fields(node, keys::SAFETY, "`safety`") else {
        return safety;
    };
    if let Some(value) = fields
        .get("exclusive")
        .and_then(|node| context.boolean(node))
    {
        safety.exclusive = value;
    }
    if let Some(node) = fields.get("max_removals")
        && let Some(value) = context.integer(node)
    {
        match u32::try_from(value) {
            Ok(value) => safety.max_removals = value,
            Err(_) => context.report(
                Code::WrongType,
                node.position,
                format!(
                    "`max_removals` must be a whole number from 0 to {}, not {value}",
                    u32::MAX
                ),
            ),
        }
    }
    if let Some(node) = fields.get("protected") {
        for item in context.sequence(node).unwrap_or_default() {
            let Some(entry) = context.fields(item, keys::PROTECTED, "a `protected` entry") else {
                continue;
            };
            let account = entry
                .require(context, "account", "a `protected` entry")
                .and_then(|node| {
                    let name = context.parse(node, AccountName::parse)?;
                    collected.reference(Referent::Account(name.clone()), context, node.position);
                    Some(name)
                });
            let permission_set = entry
                .require(context, "permission_set", "a `protected` entry")
                .and_then(|node| {
                    let name = context.parse(node, PermissionSetName::parse)?;
                    collected.reference(
                        Referent::PermissionSet(name.clone()),
                        context,
                        node.position,
                    );
                    Some(name)
                });
            let principal = principal(context, &entry, "a `protected` entry", collected);
            if let (Some(account), Some(permission_set), Some((principal, _))) =
                (account, permission_set, principal)
            {
                safety.protected.push(ProtectedAssignment {
                    account,
                    permission_set,
                    principal,
                });
                collected.protected_positions.push(item.position);
            }
        }
    }
    safety
}
