//! Handshakes — bringing existing accounts in: InviteAccountToOrganization, AcceptHandshake,
//! DeclineHandshake, CancelHandshake, DescribeHandshake, ListHandshakesForOrganization,
//! ListHandshakesForAccount.
//!
//! Only `INVITE` handshakes exist in the sandbox. Who may do what, from the model's
//! operation docs: the management account invites and cancels; only the recipient accepts
//! or declines; the recipient, the management account and delegated administrators may
//! describe; ListHandshakesForOrganization is for the management account and delegated
//! administrators, ListHandshakesForAccount lists what the caller received (standalone
//! accounts included — that is how an invitee finds its invitation). An account that is
//! neither a party nor allowed to read the organization's handshakes gets
//! `HandshakeNotFoundException`, so handshake ids do not leak across accounts.
//!
//! States: `OPEN` → `ACCEPTED` / `DECLINED` / `CANCELED`, or `EXPIRED` 15 days after it was
//! sent ([`Handshake::state_at`]; `OrganizationsState::settle` stores it). The control API
//! answers for a standalone account's owner through [`answer_as_owner`] (in `standalone.rs`).

use serde::{Deserialize, Serialize};

use super::accounts::is_email_syntax;
use super::error::{HandshakeConstraintViolationExceptionReason, InvalidInputExceptionReason};
use super::organizational_units::{TagInput, tags_to_map};
use super::state::{
    CLOSED_HANDSHAKE_RETENTION, Handshake, HandshakeAction, HandshakeParty, HandshakePartyType,
    HandshakeState, INVITATION_LIFETIME, JoinedMethod,
};
use super::{
    OrganizationsError, access_denied, require_management_or_delegated_administrator,
    require_member,
};
use crate::pagination::{self, PageRequest};
use crate::protocol::aws_json::RequestContext;
use crate::world::World;

/// AWS allows 20 invitations per 24 hours, or the account quota if that is greater
/// (Organizations quotas page, aws-api-facts §4.2).
const MIN_INVITATIONS_PER_DAY: usize = 20;

/// `HandshakeNotes` may be at most 1,024 characters (model).
const MAX_NOTES_LENGTH: usize = 1024;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct HandshakePartyInput {
    id: String,
    r#type: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
struct HandshakePartyOutput {
    id: String,
    r#type: HandshakePartyType,
}

/// `HandshakeResource`: a typed value, possibly with nested resources.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
struct HandshakeResourceOutput {
    value: String,
    r#type: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    resources: Vec<HandshakeResourceOutput>,
}

impl HandshakeResourceOutput {
    fn leaf(r#type: &'static str, value: &str) -> Self {
        Self {
            value: value.to_owned(),
            r#type,
            resources: Vec::new(),
        }
    }
}

/// The wire `Handshake`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct HandshakeOutput {
    id: String,
    arn: String,
    parties: Vec<HandshakePartyOutput>,
    state: HandshakeState,
    #[serde(serialize_with = "crate::protocol::timestamp::epoch_seconds")]
    requested_timestamp: jiff::Timestamp,
    #[serde(serialize_with = "crate::protocol::timestamp::epoch_seconds")]
    expiration_timestamp: jiff::Timestamp,
    action: HandshakeAction,
    resources: Vec<HandshakeResourceOutput>,
}

impl HandshakeOutput {
    /// The handshake as AWS shapes it (model examples of InviteAccountToOrganization and
    /// DescribeHandshake): parties = the organization and the target as named; resources =
    /// the organization (with the sender's e-mail, name and feature set), the target, and
    /// the notes when given.
    pub(crate) fn of(handshake: &Handshake, organization_id: &str, now: jiff::Timestamp) -> Self {
        let target_resource_type = match handshake.target.party_type {
            HandshakePartyType::Email => "EMAIL",
            HandshakePartyType::Account | HandshakePartyType::Organization => "ACCOUNT",
        };
        let mut resources = vec![
            HandshakeResourceOutput {
                value: organization_id.to_owned(),
                r#type: "ORGANIZATION",
                resources: vec![
                    HandshakeResourceOutput::leaf("MASTER_EMAIL", &handshake.sender_email),
                    HandshakeResourceOutput::leaf("MASTER_NAME", &handshake.sender_name),
                    HandshakeResourceOutput::leaf("ORGANIZATION_FEATURE_SET", "ALL"),
                ],
            },
            HandshakeResourceOutput::leaf(target_resource_type, &handshake.target.id),
        ];
        if let Some(notes) = &handshake.notes {
            resources.push(HandshakeResourceOutput::leaf("NOTES", notes));
        }
        Self {
            id: handshake.id.clone(),
            arn: handshake.arn.clone(),
            parties: vec![
                HandshakePartyOutput {
                    id: organization_id.to_owned(),
                    r#type: HandshakePartyType::Organization,
                },
                HandshakePartyOutput {
                    id: handshake.target.id.clone(),
                    r#type: handshake.target.party_type,
                },
            ],
            state: handshake.state_at(now),
            requested_timestamp: handshake.requested_at,
            expiration_timestamp: handshake.expires_at,
            action: handshake.action,
            resources,
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct HandshakeResponse {
    handshake: HandshakeOutput,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct InviteAccountToOrganizationRequest {
    target: HandshakePartyInput,
    notes: Option<String>,
    #[serde(default)]
    tags: Vec<TagInput>,
}

/// Validates the invitation's target (`ACCOUNT` with 12 digits or `EMAIL` matching the
/// model's e-mail pattern; `ORGANIZATION` is valid only in responses).
fn parse_target(target: HandshakePartyInput) -> Result<HandshakeParty, OrganizationsError> {
    let HandshakePartyInput { id, r#type } = target;
    let invalid =
        |message: String, reason| OrganizationsError::InvalidInputException { message, reason };
    if id.is_empty() || id.chars().count() > 64 {
        return Err(invalid(
            "Target.Id must be 1..64 characters.".into(),
            if id.is_empty() {
                InvalidInputExceptionReason::MinLengthExceeded
            } else {
                InvalidInputExceptionReason::MaxLengthExceeded
            },
        ));
    }
    let party_type = match r#type.as_str() {
        "ACCOUNT" => {
            if id.len() != 12 || !id.bytes().all(|byte| byte.is_ascii_digit()) {
                return Err(invalid(
                    format!("Target.Id {id:?} is not a 12-digit account id."),
                    InvalidInputExceptionReason::InvalidPattern,
                ));
            }
            HandshakePartyType::Account
        }
        "EMAIL" => {
            if !is_email_syntax(&id) {
                return Err(invalid(
                    format!(
                        "You specified an invalid email address for the invited account owner: {id:?}."
                    ),
                    InvalidInputExceptionReason::InvalidEmailAddressTarget,
                ));
            }
            HandshakePartyType::Email
        }
        "ORGANIZATION" => {
            return Err(invalid(
                "You specified the wrong type of entity as a party: the target of an invitation is an ACCOUNT or an EMAIL.".into(),
                InvalidInputExceptionReason::InvalidPartyTypeTarget,
            ));
        }
        other => {
            return Err(invalid(
                format!("Target.Type {other:?} is not ACCOUNT, ORGANIZATION or EMAIL."),
                InvalidInputExceptionReason::InvalidEnum,
            ));
        }
    };
    Ok(HandshakeParty { id, party_type })
}

/// Whether two parties name the same recipient: the same id or e-mail, or the same account
/// once e-mails are resolved to the accounts that own them.
fn same_recipient(world: &World, first: &HandshakeParty, second: &HandshakeParty) -> bool {
    if first.party_type == second.party_type && first.id.eq_ignore_ascii_case(&second.id) {
        return true;
    }
    let organizations = &world.organizations;
    match (
        organizations.account_named_by(first),
        organizations.account_named_by(second),
    ) {
        (Some(first), Some(second)) => first == second,
        _ => false,
    }
}

pub(super) fn invite_account_to_organization(
    context: &RequestContext,
    world: &mut World,
    input: InviteAccountToOrganizationRequest,
) -> Result<HandshakeResponse, OrganizationsError> {
    let InviteAccountToOrganizationRequest {
        target,
        notes,
        tags,
    } = input;
    require_member(context, world)?;
    if !context.is_management_account(world) {
        return Err(access_denied(context));
    }
    let target = parse_target(target)?;
    if notes
        .as_ref()
        .is_some_and(|notes| notes.chars().count() > MAX_NOTES_LENGTH)
    {
        return Err(OrganizationsError::InvalidInputException {
            message: format!("Notes must be at most {MAX_NOTES_LENGTH} characters."),
            reason: InvalidInputExceptionReason::MaxLengthExceeded,
        });
    }
    let tags = tags_to_map(tags)?;
    let now = context.now;
    let organizations = &world.organizations;
    if let Some(account_id) = organizations.account_named_by(&target)
        && organizations.accounts.contains_key(&account_id)
    {
        return Err(OrganizationsError::HandshakeConstraintViolationException {
            message: format!("The account {account_id} is already a member of an organization."),
            reason: HandshakeConstraintViolationExceptionReason::AlreadyInAnOrganization,
        });
    }
    let open: Vec<&Handshake> = organizations
        .handshakes
        .values()
        .filter(|handshake| {
            handshake.action == HandshakeAction::Invite
                && handshake.state_at(now) == HandshakeState::Open
        })
        .collect();
    if let Some(duplicate) = open
        .iter()
        .find(|handshake| same_recipient(world, &handshake.target, &target))
    {
        return Err(OrganizationsError::DuplicateHandshakeException {
            message: format!(
                "A handshake with the same action and target already exists: {}. Cancel it before inviting again.",
                duplicate.id
            ),
        });
    }
    // "Invitations count" against the account quota (Organizations quotas page).
    let quota = usize::try_from(context.settings.account_quota).unwrap_or(usize::MAX);
    if organizations.accounts.len() + open.len() >= quota {
        return Err(OrganizationsError::HandshakeConstraintViolationException {
            message: format!(
                "The organization's {quota} accounts and open invitations reach its account quota."
            ),
            reason: HandshakeConstraintViolationExceptionReason::AccountNumberLimitExceeded,
        });
    }
    let day_ago = now - jiff::SignedDuration::from_hours(24);
    let sent_today = organizations
        .handshakes
        .values()
        .filter(|handshake| {
            handshake.action == HandshakeAction::Invite && handshake.requested_at > day_ago
        })
        .count();
    if sent_today >= quota.max(MIN_INVITATIONS_PER_DAY) {
        return Err(OrganizationsError::HandshakeConstraintViolationException {
            message:
                "You attempted to exceed the number of handshakes that you can send in one day."
                    .into(),
            reason: HandshakeConstraintViolationExceptionReason::HandshakeRateLimitExceeded,
        });
    }
    let organization = &organizations.organization;
    let sender_name = organizations
        .accounts
        .get(&organization.management_account_id)
        .map_or_else(|| "management".to_owned(), |account| account.name.clone());
    let id = format!("h-{}", world.ids.lowercase_alphanumeric(32));
    let handshake = Handshake {
        arn: format!(
            "arn:aws:organizations::{}:handshake/{}/invite/{id}",
            organization.management_account_id, organization.id
        ),
        id: id.clone(),
        action: HandshakeAction::Invite,
        target,
        state: HandshakeState::Open,
        requested_at: now,
        expires_at: now + INVITATION_LIFETIME,
        closed_at: None,
        notes,
        tags,
        sender_email: organization.management_account_email.clone(),
        sender_name,
    };
    let output = HandshakeOutput::of(&handshake, &organization.id, now);
    world.organizations.handshakes.insert(id, handshake);
    Ok(HandshakeResponse { handshake: output })
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct HandshakeIdRequest {
    handshake_id: String,
}

/// Whether `handshake_id` matches the model's `^h-[0-9a-z]{8,32}$`.
fn require_handshake_id_syntax(handshake_id: &str) -> Result<(), OrganizationsError> {
    let well_formed = handshake_id.strip_prefix("h-").is_some_and(|suffix| {
        (8..=32).contains(&suffix.len())
            && suffix
                .bytes()
                .all(|byte| byte.is_ascii_digit() || byte.is_ascii_lowercase())
    });
    if well_formed {
        Ok(())
    } else {
        Err(OrganizationsError::InvalidInputException {
            message: format!(
                "HandshakeId {handshake_id:?} must be \"h-\" followed by 8 to 32 lowercase letters or digits."
            ),
            reason: InvalidInputExceptionReason::InvalidPattern,
        })
    }
}

fn handshake_not_found(handshake_id: &str) -> OrganizationsError {
    OrganizationsError::HandshakeNotFoundException {
        message: format!("We can't find a handshake with the HandshakeId {handshake_id}."),
    }
}

/// The handshake `handshake_id` (checked for syntax), or `HandshakeNotFoundException`.
pub(super) fn find_handshake<'w>(
    world: &'w World,
    handshake_id: &str,
) -> Result<&'w Handshake, OrganizationsError> {
    require_handshake_id_syntax(handshake_id)?;
    world
        .organizations
        .handshakes
        .get(handshake_id)
        .ok_or_else(|| handshake_not_found(handshake_id))
}

/// Whether the caller is the handshake's recipient.
fn caller_is_recipient(context: &RequestContext, world: &World, handshake: &Handshake) -> bool {
    let account_id = &context.caller.account_id;
    handshake.is_addressed_to(account_id, world.organizations.email_of(account_id))
}

/// Whether the caller may read the organization's handshakes (the sender's side).
fn caller_reads_organization(context: &RequestContext, world: &World) -> bool {
    require_management_or_delegated_administrator(context, world).is_ok()
}

/// The recipient's answer to a handshake.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// AcceptHandshake: the account joins the organization.
    Accept,
    /// DeclineHandshake.
    Decline,
}

/// The transition rules shared by accept, decline and cancel: from `OPEN` to `target`;
/// already there is `HandshakeAlreadyInStateException`; any other state
/// `InvalidHandshakeTransitionException` (model docs of both exceptions).
fn require_transition(
    handshake: &Handshake,
    target: HandshakeState,
    now: jiff::Timestamp,
) -> Result<(), OrganizationsError> {
    let current = handshake.state_at(now);
    if current == HandshakeState::Open {
        Ok(())
    } else if current == target {
        Err(OrganizationsError::HandshakeAlreadyInStateException {
            message: format!(
                "The handshake {} is already {}.",
                handshake.id,
                wire_name(current)
            ),
        })
    } else {
        Err(OrganizationsError::InvalidHandshakeTransitionException {
            message: format!(
                "You can't perform the operation on the handshake {} in its current state {}.",
                handshake.id,
                wire_name(current)
            ),
        })
    }
}

/// An enum value as AWS spells it (`ACCEPTED`, `INVITE`).
fn wire_name(value: impl Serialize) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|value| value.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// Applies `answer` from `recipient_account_id` (already known to be the recipient) to the
/// handshake `handshake_id`: transition checks, then for an acceptance the account joins
/// the organization under the root (`JoinedMethod` `INVITED`, the invitation's tags) and
/// leaves the standalone accounts. Shared by the API and the control API.
pub(super) fn apply_answer(
    world: &mut World,
    now: jiff::Timestamp,
    account_quota: u32,
    recipient_account_id: &str,
    handshake_id: &str,
    answer: Answer,
) -> Result<HandshakeOutput, OrganizationsError> {
    let handshake = find_handshake(world, handshake_id)?;
    let organizations = &world.organizations;
    match answer {
        Answer::Decline => require_transition(handshake, HandshakeState::Declined, now)?,
        Answer::Accept => {
            require_transition(handshake, HandshakeState::Accepted, now)?;
            if organizations.accounts.contains_key(recipient_account_id) {
                return Err(OrganizationsError::HandshakeConstraintViolationException {
                    message: format!(
                        "The account {recipient_account_id} is already a member of an organization."
                    ),
                    reason: HandshakeConstraintViolationExceptionReason::AlreadyInAnOrganization,
                });
            }
            let quota = usize::try_from(account_quota).unwrap_or(usize::MAX);
            if organizations.accounts.len() >= quota {
                return Err(OrganizationsError::HandshakeConstraintViolationException {
                    message: format!("The organization already has its quota of {quota} accounts."),
                    reason: HandshakeConstraintViolationExceptionReason::AccountNumberLimitExceeded,
                });
            }
        }
    }
    let tags = handshake.tags.clone();
    let target_email = (handshake.target.party_type == HandshakePartyType::Email)
        .then(|| handshake.target.id.clone());
    let organization_id = organizations.organization.id.clone();
    let root_id = organizations.root().id.clone();
    let organizations = &mut world.organizations;
    if answer == Answer::Accept {
        // Every key the sandbox issues belongs to a member or a standalone account, so the
        // record is there; the fallback only keeps a hand-edited state file usable.
        let (name, email) = organizations
            .standalone_accounts
            .remove(recipient_account_id)
            .map_or_else(
                || {
                    (
                        recipient_account_id.to_owned(),
                        target_email.unwrap_or_else(|| {
                            format!("{recipient_account_id}@standalone.invalid")
                        }),
                    )
                },
                |account| (account.name, account.email),
            );
        organizations.add_account(
            recipient_account_id,
            &name,
            &email,
            &root_id,
            JoinedMethod::Invited,
            now,
        );
        if !tags.is_empty() {
            organizations
                .tags
                .insert(recipient_account_id.to_owned(), tags);
        }
    }
    let Some(handshake) = organizations.handshakes.get_mut(handshake_id) else {
        return Err(handshake_not_found(handshake_id));
    };
    handshake.state = match answer {
        Answer::Accept => HandshakeState::Accepted,
        Answer::Decline => HandshakeState::Declined,
    };
    handshake.closed_at = Some(now);
    let output = HandshakeOutput::of(handshake, &organization_id, now);
    if answer == Answer::Accept {
        // The account joined: the account baseline reaches it as it reaches every member.
        crate::baseline::apply_to_account(world, recipient_account_id, now);
    }
    Ok(output)
}

/// AcceptHandshake and DeclineHandshake: only the recipient answers. The sender's side (the
/// management account, delegated administrators) sees the handshake and gets
/// `AccessDeniedException`; anyone else `HandshakeNotFoundException`.
fn answer_as_caller(
    context: &RequestContext,
    world: &mut World,
    handshake_id: &str,
    answer: Answer,
) -> Result<HandshakeResponse, OrganizationsError> {
    let handshake = find_handshake(world, handshake_id)?;
    if !caller_is_recipient(context, world, handshake) {
        return Err(if caller_reads_organization(context, world) {
            OrganizationsError::AccessDeniedException {
                message: format!(
                    "Only the invited account can accept or decline the handshake {handshake_id}."
                ),
            }
        } else {
            handshake_not_found(handshake_id)
        });
    }
    let recipient = context.caller.account_id.clone();
    let handshake = apply_answer(
        world,
        context.now,
        context.settings.account_quota,
        &recipient,
        handshake_id,
        answer,
    )?;
    Ok(HandshakeResponse { handshake })
}

pub(super) fn accept_handshake(
    context: &RequestContext,
    world: &mut World,
    input: HandshakeIdRequest,
) -> Result<HandshakeResponse, OrganizationsError> {
    let HandshakeIdRequest { handshake_id } = input;
    answer_as_caller(context, world, &handshake_id, Answer::Accept)
}

pub(super) fn decline_handshake(
    context: &RequestContext,
    world: &mut World,
    input: HandshakeIdRequest,
) -> Result<HandshakeResponse, OrganizationsError> {
    let HandshakeIdRequest { handshake_id } = input;
    answer_as_caller(context, world, &handshake_id, Answer::Decline)
}

/// CancelHandshake: only the sender (the management account) cancels; the recipient sees
/// the handshake and gets `AccessDeniedException`, anyone else `HandshakeNotFoundException`.
pub(super) fn cancel_handshake(
    context: &RequestContext,
    world: &mut World,
    input: HandshakeIdRequest,
) -> Result<HandshakeResponse, OrganizationsError> {
    let HandshakeIdRequest { handshake_id } = input;
    let handshake = find_handshake(world, &handshake_id)?;
    if !context.is_management_account(world) {
        return Err(
            if caller_is_recipient(context, world, handshake)
                || caller_reads_organization(context, world)
            {
                OrganizationsError::AccessDeniedException {
                    message: format!(
                        "Only the account that sent the handshake {handshake_id} can cancel it; the recipient can decline it."
                    ),
                }
            } else {
                handshake_not_found(&handshake_id)
            },
        );
    }
    require_transition(handshake, HandshakeState::Canceled, context.now)?;
    let organization_id = world.organizations.organization.id.clone();
    let Some(handshake) = world.organizations.handshakes.get_mut(&handshake_id) else {
        return Err(handshake_not_found(&handshake_id));
    };
    handshake.state = HandshakeState::Canceled;
    handshake.closed_at = Some(context.now);
    Ok(HandshakeResponse {
        handshake: HandshakeOutput::of(handshake, &organization_id, context.now),
    })
}

pub(super) fn describe_handshake(
    context: &RequestContext,
    world: &World,
    input: HandshakeIdRequest,
) -> Result<HandshakeResponse, OrganizationsError> {
    let HandshakeIdRequest { handshake_id } = input;
    let handshake = find_handshake(world, &handshake_id)?;
    if !caller_is_recipient(context, world, handshake) && !caller_reads_organization(context, world)
    {
        return Err(handshake_not_found(&handshake_id));
    }
    Ok(HandshakeResponse {
        handshake: HandshakeOutput::of(
            handshake,
            &world.organizations.organization.id,
            context.now,
        ),
    })
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct HandshakeFilterInput {
    action_type: Option<String>,
    parent_handshake_id: Option<String>,
}

/// A validated `HandshakeFilter`.
#[derive(Debug)]
enum HandshakeFilter {
    None,
    Action(HandshakeAction),
    /// Invitations have no parent, so this matches nothing in the sandbox.
    Parent(String),
}

impl HandshakeFilter {
    fn parse(input: Option<HandshakeFilterInput>) -> Result<Self, OrganizationsError> {
        let HandshakeFilterInput {
            action_type,
            parent_handshake_id,
        } = input.unwrap_or_default();
        match (action_type, parent_handshake_id) {
            (None, None) => Ok(Self::None),
            (Some(_), Some(_)) => Err(OrganizationsError::InvalidInputException {
                message: "If you specify ActionType, you cannot also specify ParentHandshakeId."
                    .into(),
                reason: InvalidInputExceptionReason::MaxLimitExceededFilter,
            }),
            (Some(action), None) => {
                serde_json::from_value(serde_json::Value::String(action.clone()))
                    .map(Self::Action)
                    .map_err(|_| OrganizationsError::InvalidInputException {
                        message: format!("Filter.ActionType {action:?} is not a valid ActionType."),
                        reason: InvalidInputExceptionReason::InvalidEnum,
                    })
            }
            (None, Some(parent)) => {
                require_handshake_id_syntax(&parent)?;
                Ok(Self::Parent(parent))
            }
        }
    }

    fn matches(&self, handshake: &Handshake) -> bool {
        match self {
            Self::None => true,
            Self::Action(action) => handshake.action == *action,
            Self::Parent(_) => false,
        }
    }

    /// The pagination scope: a token only works with the same filter.
    fn scope(&self) -> String {
        match self {
            Self::None => String::new(),
            Self::Action(action) => format!("action:{}", wire_name(action)),
            Self::Parent(parent) => format!("parent:{parent}"),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct ListHandshakesRequest {
    filter: Option<HandshakeFilterInput>,
    next_token: Option<String>,
    max_results: Option<i32>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub(super) struct ListHandshakesResponse {
    handshakes: Vec<HandshakeOutput>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_token: Option<String>,
}

/// Pages the handshakes that `include` selects and `filter` matches, ordered by id.
fn list_handshakes(
    context: &RequestContext,
    world: &World,
    operation: &str,
    input: ListHandshakesRequest,
    include: impl Fn(&Handshake) -> bool,
) -> Result<ListHandshakesResponse, OrganizationsError> {
    let ListHandshakesRequest {
        filter,
        next_token,
        max_results,
    } = input;
    let filter = HandshakeFilter::parse(filter)?;
    let page = pagination::paginate(
        &world.pagination_secret,
        pagination::ORGANIZATIONS,
        &PageRequest {
            operation,
            scope: filter.scope(),
            max_results,
            next_token: next_token.as_deref(),
        },
        world
            .organizations
            .handshakes
            .values()
            .filter(|handshake| include(handshake) && filter.matches(handshake))
            // Closed handshakes stay listed for 30 days; `settle` drops them after that,
            // this keeps a read exact even between two settles.
            .filter(|handshake| {
                handshake
                    .closed_at
                    .is_none_or(|closed_at| closed_at + CLOSED_HANDSHAKE_RETENTION > context.now)
            }),
        |handshake| handshake.id.clone(),
    )?;
    let organization_id = &world.organizations.organization.id;
    Ok(ListHandshakesResponse {
        handshakes: page
            .items
            .into_iter()
            .map(|handshake| HandshakeOutput::of(handshake, organization_id, context.now))
            .collect(),
        next_token: page.next_token,
    })
}

pub(super) fn list_handshakes_for_organization(
    context: &RequestContext,
    world: &World,
    input: ListHandshakesRequest,
) -> Result<ListHandshakesResponse, OrganizationsError> {
    require_management_or_delegated_administrator(context, world)?;
    list_handshakes(
        context,
        world,
        "ListHandshakesForOrganization",
        input,
        |_| true,
    )
}

pub(super) fn list_handshakes_for_account(
    context: &RequestContext,
    world: &World,
    input: ListHandshakesRequest,
) -> Result<ListHandshakesResponse, OrganizationsError> {
    list_handshakes(
        context,
        world,
        "ListHandshakesForAccount",
        input,
        |handshake| caller_is_recipient(context, world, handshake),
    )
}
