//! The exceptions of AWS Organizations.
//!
//! Generated once from `organizations/2016-11-28/service-2.json` (every modeled exception with its
//! modeled members); maintained by hand from here on. Serialized to the wire in exactly one
//! place, `crate::protocol::error`: the variant name becomes `__type` and the
//! `x-amzn-ErrorType` header, the fields keep their model spelling.

use serde::Serialize;

use crate::protocol::error::ServiceError;

/// Every exception the organizations model declares, named exactly as AWS names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(tag = "__type")]
pub enum OrganizationsError {
    /// Your account isn't a member of an organization.
    #[error("AWSOrganizationsNotInUseException: {message}")]
    AWSOrganizationsNotInUseException {
        #[serde(rename = "Message")]
        message: String,
    },
    /// You don't have permissions to perform the requested operation.
    #[error("AccessDeniedException: {message}")]
    AccessDeniedException {
        #[serde(rename = "Message")]
        message: String,
    },
    /// The operation that you attempted requires you to have the iam:CreateServiceLinkedRole for organizations.amazonaws.com permission so that Organizations can create the required service-linked role.
    #[error("AccessDeniedForDependencyException: {message}")]
    AccessDeniedForDependencyException {
        #[serde(rename = "Message")]
        message: String,
        #[serde(rename = "Reason")]
        reason: AccessDeniedForDependencyExceptionReason,
    },
    /// You attempted to close an account that is already closed.
    #[error("AccountAlreadyClosedException: {message}")]
    AccountAlreadyClosedException {
        #[serde(rename = "Message")]
        message: String,
    },
    /// The specified account is already a delegated administrator for this Amazon Web Services service.
    #[error("AccountAlreadyRegisteredException: {message}")]
    AccountAlreadyRegisteredException {
        #[serde(rename = "Message")]
        message: String,
    },
    /// We can't find an Amazon Web Services account with the AccountId that you specified, or the account whose credentials you used to make this request isn't a member of an organization.
    #[error("AccountNotFoundException: {message}")]
    AccountNotFoundException {
        #[serde(rename = "Message")]
        message: String,
    },
    /// The specified account is not a delegated administrator for this Amazon Web Services service.
    #[error("AccountNotRegisteredException: {message}")]
    AccountNotRegisteredException {
        #[serde(rename = "Message")]
        message: String,
    },
    /// You can't invite an existing account to your organization until you verify that you own the email address associated with the management account.
    #[error("AccountOwnerNotVerifiedException: {message}")]
    AccountOwnerNotVerifiedException {
        #[serde(rename = "Message")]
        message: String,
    },
    /// This account is already a member of an organization.
    #[error("AlreadyInOrganizationException: {message}")]
    AlreadyInOrganizationException {
        #[serde(rename = "Message")]
        message: String,
    },
    /// We can't find an organizational unit (OU) or Amazon Web Services account with the ChildId that you specified.
    #[error("ChildNotFoundException: {message}")]
    ChildNotFoundException {
        #[serde(rename = "Message")]
        message: String,
    },
    /// The target of the operation is currently being modified by a different request.
    #[error("ConcurrentModificationException: {message}")]
    ConcurrentModificationException {
        #[serde(rename = "Message")]
        message: String,
    },
    /// The request failed because it conflicts with the current state of the specified resource.
    #[error("ConflictException: {message}")]
    ConflictException {
        #[serde(rename = "Message")]
        message: String,
    },
    /// Performing this operation violates a minimum or maximum value limit.
    #[error("ConstraintViolationException: {message}")]
    ConstraintViolationException {
        #[serde(rename = "Message")]
        message: String,
        #[serde(rename = "Reason")]
        reason: ConstraintViolationExceptionReason,
    },
    /// We can't find an create account request with the CreateAccountRequestId that you specified.
    #[error("CreateAccountStatusNotFoundException: {message}")]
    CreateAccountStatusNotFoundException {
        #[serde(rename = "Message")]
        message: String,
    },
    /// We can't find the destination container (a root or OU) with the ParentId that you specified.
    #[error("DestinationParentNotFoundException: {message}")]
    DestinationParentNotFoundException {
        #[serde(rename = "Message")]
        message: String,
    },
    /// That account is already present in the specified destination.
    #[error("DuplicateAccountException: {message}")]
    DuplicateAccountException {
        #[serde(rename = "Message")]
        message: String,
    },
    /// A handshake with the same action and target already exists.
    #[error("DuplicateHandshakeException: {message}")]
    DuplicateHandshakeException {
        #[serde(rename = "Message")]
        message: String,
    },
    /// An OU with the same name already exists.
    #[error("DuplicateOrganizationalUnitException: {message}")]
    DuplicateOrganizationalUnitException {
        #[serde(rename = "Message")]
        message: String,
    },
    /// The selected policy is already attached to the specified target.
    #[error("DuplicatePolicyAttachmentException: {message}")]
    DuplicatePolicyAttachmentException {
        #[serde(rename = "Message")]
        message: String,
    },
    /// A policy with the same name already exists.
    #[error("DuplicatePolicyException: {message}")]
    DuplicatePolicyException {
        #[serde(rename = "Message")]
        message: String,
    },
    /// If you ran this action on the management account, this policy type is not enabled.
    #[error("EffectivePolicyNotFoundException: {message}")]
    EffectivePolicyNotFoundException {
        #[serde(rename = "Message")]
        message: String,
    },
    /// Organizations couldn't perform the operation because your organization hasn't finished initializing.
    #[error("FinalizingOrganizationException: {message}")]
    FinalizingOrganizationException {
        #[serde(rename = "Message")]
        message: String,
    },
    /// The specified handshake is already in the requested state.
    #[error("HandshakeAlreadyInStateException: {message}")]
    HandshakeAlreadyInStateException {
        #[serde(rename = "Message")]
        message: String,
    },
    /// The requested operation would violate the constraint identified in the reason code.
    #[error("HandshakeConstraintViolationException: {message}")]
    HandshakeConstraintViolationException {
        #[serde(rename = "Message")]
        message: String,
        #[serde(rename = "Reason")]
        reason: HandshakeConstraintViolationExceptionReason,
    },
    /// We can't find a handshake with the HandshakeId that you specified.
    #[error("HandshakeNotFoundException: {message}")]
    HandshakeNotFoundException {
        #[serde(rename = "Message")]
        message: String,
    },
    /// You can't perform the operation on the handshake in its current state.
    #[error("InvalidHandshakeTransitionException: {message}")]
    InvalidHandshakeTransitionException {
        #[serde(rename = "Message")]
        message: String,
    },
    /// The requested operation failed because you provided invalid values for one or more of the request parameters.
    #[error("InvalidInputException: {message}")]
    InvalidInputException {
        #[serde(rename = "Message")]
        message: String,
        #[serde(rename = "Reason")]
        reason: InvalidInputExceptionReason,
    },
    /// The responsibility transfer can't transition to the requested state because it's not in a valid state for this operation.
    #[error("InvalidResponsibilityTransferTransitionException: {message}")]
    InvalidResponsibilityTransferTransitionException {
        #[serde(rename = "Message")]
        message: String,
    },
    /// The provided policy document doesn't meet the requirements of the specified policy type.
    #[error("MalformedPolicyDocumentException: {message}")]
    MalformedPolicyDocumentException {
        #[serde(rename = "Message")]
        message: String,
    },
    /// You can't remove a management account from an organization.
    #[error("MasterCannotLeaveOrganizationException: {message}")]
    MasterCannotLeaveOrganizationException {
        #[serde(rename = "Message")]
        message: String,
    },
    /// The organization isn't empty.
    #[error("OrganizationNotEmptyException: {message}")]
    OrganizationNotEmptyException {
        #[serde(rename = "Message")]
        message: String,
    },
    /// The specified OU is not empty.
    #[error("OrganizationalUnitNotEmptyException: {message}")]
    OrganizationalUnitNotEmptyException {
        #[serde(rename = "Message")]
        message: String,
    },
    /// We can't find an OU with the OrganizationalUnitId that you specified.
    #[error("OrganizationalUnitNotFoundException: {message}")]
    OrganizationalUnitNotFoundException {
        #[serde(rename = "Message")]
        message: String,
    },
    /// We can't find a root or OU with the ParentId that you specified.
    #[error("ParentNotFoundException: {message}")]
    ParentNotFoundException {
        #[serde(rename = "Message")]
        message: String,
    },
    /// Changes to the effective policy are in progress, and its contents can't be returned.
    #[error("PolicyChangesInProgressException: {message}")]
    PolicyChangesInProgressException {
        #[serde(rename = "Message")]
        message: String,
    },
    /// The policy is attached to one or more entities.
    #[error("PolicyInUseException: {message}")]
    PolicyInUseException {
        #[serde(rename = "Message")]
        message: String,
    },
    /// The policy isn't attached to the specified target in the specified root.
    #[error("PolicyNotAttachedException: {message}")]
    PolicyNotAttachedException {
        #[serde(rename = "Message")]
        message: String,
    },
    /// We can't find a policy with the PolicyId that you specified.
    #[error("PolicyNotFoundException: {message}")]
    PolicyNotFoundException {
        #[serde(rename = "Message")]
        message: String,
    },
    /// The specified policy type is already enabled in the specified root.
    #[error("PolicyTypeAlreadyEnabledException: {message}")]
    PolicyTypeAlreadyEnabledException {
        #[serde(rename = "Message")]
        message: String,
    },
    /// You can't use the specified policy type with the feature set currently enabled for this organization.
    #[error("PolicyTypeNotAvailableForOrganizationException: {message}")]
    PolicyTypeNotAvailableForOrganizationException {
        #[serde(rename = "Message")]
        message: String,
    },
    /// The specified policy type isn't currently enabled in this root.
    #[error("PolicyTypeNotEnabledException: {message}")]
    PolicyTypeNotEnabledException {
        #[serde(rename = "Message")]
        message: String,
    },
    /// We can't find a resource policy request with the parameter that you specified.
    #[error("ResourcePolicyNotFoundException: {message}")]
    ResourcePolicyNotFoundException {
        #[serde(rename = "Message")]
        message: String,
    },
    /// The responsibility transfer is already in the status that you specified.
    #[error("ResponsibilityTransferAlreadyInStatusException: {message}")]
    ResponsibilityTransferAlreadyInStatusException {
        #[serde(rename = "Message")]
        message: String,
    },
    /// We can't find a transfer that you specified.
    #[error("ResponsibilityTransferNotFoundException: {message}")]
    ResponsibilityTransferNotFoundException {
        #[serde(rename = "Message")]
        message: String,
    },
    /// We can't find a root with the RootId that you specified.
    #[error("RootNotFoundException: {message}")]
    RootNotFoundException {
        #[serde(rename = "Message")]
        message: String,
    },
    /// Organizations can't complete your request because of an internal service error.
    #[error("ServiceException: {message}")]
    ServiceException {
        #[serde(rename = "Message")]
        message: String,
    },
    /// We can't find a source root or OU with the ParentId that you specified.
    #[error("SourceParentNotFoundException: {message}")]
    SourceParentNotFoundException {
        #[serde(rename = "Message")]
        message: String,
    },
    /// We can't find a root, OU, account, or policy with the TargetId that you specified.
    #[error("TargetNotFoundException: {message}")]
    TargetNotFoundException {
        #[serde(rename = "Message")]
        message: String,
    },
    /// You have sent too many requests in too short a period of time.
    #[error("TooManyRequestsException: {message}")]
    TooManyRequestsException {
        #[serde(rename = "Type", skip_serializing_if = "Option::is_none")]
        exception_type: Option<String>,
        #[serde(rename = "Message")]
        message: String,
    },
    /// This action isn't available in the current Amazon Web Services Region.
    #[error("UnsupportedAPIEndpointException: {message}")]
    UnsupportedAPIEndpointException {
        #[serde(rename = "Message")]
        message: String,
    },
}

impl ServiceError for OrganizationsError {
    fn is_fault(&self) -> bool {
        matches!(self, Self::ServiceException { .. })
    }
}

/// `organizations:AccessDeniedForDependencyExceptionReason` from the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum AccessDeniedForDependencyExceptionReason {
    #[serde(rename = "ACCESS_DENIED_DURING_CREATE_SERVICE_LINKED_ROLE")]
    AccessDeniedDuringCreateServiceLinkedRole,
}

/// `organizations:ConstraintViolationExceptionReason` from the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ConstraintViolationExceptionReason {
    #[serde(rename = "ACCOUNT_NUMBER_LIMIT_EXCEEDED")]
    AccountNumberLimitExceeded,
    #[serde(rename = "HANDSHAKE_RATE_LIMIT_EXCEEDED")]
    HandshakeRateLimitExceeded,
    #[serde(rename = "OU_NUMBER_LIMIT_EXCEEDED")]
    OuNumberLimitExceeded,
    #[serde(rename = "OU_DEPTH_LIMIT_EXCEEDED")]
    OuDepthLimitExceeded,
    #[serde(rename = "POLICY_NUMBER_LIMIT_EXCEEDED")]
    PolicyNumberLimitExceeded,
    #[serde(rename = "POLICY_CONTENT_LIMIT_EXCEEDED")]
    PolicyContentLimitExceeded,
    #[serde(rename = "MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED")]
    MaxPolicyTypeAttachmentLimitExceeded,
    #[serde(rename = "MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED")]
    MinPolicyTypeAttachmentLimitExceeded,
    #[serde(rename = "ACCOUNT_CANNOT_LEAVE_ORGANIZATION")]
    AccountCannotLeaveOrganization,
    #[serde(rename = "ACCOUNT_CANNOT_LEAVE_WITHOUT_EULA")]
    AccountCannotLeaveWithoutEula,
    #[serde(rename = "ACCOUNT_CANNOT_LEAVE_WITHOUT_PHONE_VERIFICATION")]
    AccountCannotLeaveWithoutPhoneVerification,
    #[serde(rename = "MASTER_ACCOUNT_PAYMENT_INSTRUMENT_REQUIRED")]
    MasterAccountPaymentInstrumentRequired,
    #[serde(rename = "MEMBER_ACCOUNT_PAYMENT_INSTRUMENT_REQUIRED")]
    MemberAccountPaymentInstrumentRequired,
    #[serde(rename = "ACCOUNT_CREATION_RATE_LIMIT_EXCEEDED")]
    AccountCreationRateLimitExceeded,
    #[serde(rename = "MASTER_ACCOUNT_ADDRESS_DOES_NOT_MATCH_MARKETPLACE")]
    MasterAccountAddressDoesNotMatchMarketplace,
    #[serde(rename = "MASTER_ACCOUNT_MISSING_CONTACT_INFO")]
    MasterAccountMissingContactInfo,
    #[serde(rename = "MASTER_ACCOUNT_NOT_GOVCLOUD_ENABLED")]
    MasterAccountNotGovcloudEnabled,
    #[serde(rename = "ORGANIZATION_NOT_IN_ALL_FEATURES_MODE")]
    OrganizationNotInAllFeaturesMode,
    #[serde(rename = "CREATE_ORGANIZATION_IN_BILLING_MODE_UNSUPPORTED_REGION")]
    CreateOrganizationInBillingModeUnsupportedRegion,
    #[serde(rename = "EMAIL_VERIFICATION_CODE_EXPIRED")]
    EmailVerificationCodeExpired,
    #[serde(rename = "WAIT_PERIOD_ACTIVE")]
    WaitPeriodActive,
    #[serde(rename = "MAX_TAG_LIMIT_EXCEEDED")]
    MaxTagLimitExceeded,
    #[serde(rename = "TAG_POLICY_VIOLATION")]
    TagPolicyViolation,
    #[serde(rename = "MAX_DELEGATED_ADMINISTRATORS_FOR_SERVICE_LIMIT_EXCEEDED")]
    MaxDelegatedAdministratorsForServiceLimitExceeded,
    #[serde(rename = "CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR")]
    CannotRegisterMasterAsDelegatedAdministrator,
    #[serde(rename = "CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG")]
    CannotRemoveDelegatedAdministratorFromOrg,
    #[serde(rename = "DELEGATED_ADMINISTRATOR_EXISTS_FOR_THIS_SERVICE")]
    DelegatedAdministratorExistsForThisService,
    #[serde(rename = "POLICY_TYPE_ENABLED_FOR_THIS_SERVICE")]
    PolicyTypeEnabledForThisService,
    #[serde(rename = "MASTER_ACCOUNT_MISSING_BUSINESS_LICENSE")]
    MasterAccountMissingBusinessLicense,
    #[serde(rename = "CANNOT_CLOSE_MANAGEMENT_ACCOUNT")]
    CannotCloseManagementAccount,
    #[serde(rename = "CLOSE_ACCOUNT_QUOTA_EXCEEDED")]
    CloseAccountQuotaExceeded,
    #[serde(rename = "CLOSE_ACCOUNT_REQUESTS_LIMIT_EXCEEDED")]
    CloseAccountRequestsLimitExceeded,
    #[serde(rename = "SERVICE_ACCESS_NOT_ENABLED")]
    ServiceAccessNotEnabled,
    #[serde(rename = "INVALID_PAYMENT_INSTRUMENT")]
    InvalidPaymentInstrument,
    #[serde(rename = "ACCOUNT_CREATION_NOT_COMPLETE")]
    AccountCreationNotComplete,
    #[serde(rename = "CANNOT_REGISTER_SUSPENDED_ACCOUNT_AS_DELEGATED_ADMINISTRATOR")]
    CannotRegisterSuspendedAccountAsDelegatedAdministrator,
    #[serde(rename = "ALL_FEATURES_MIGRATION_ORGANIZATION_SIZE_LIMIT_EXCEEDED")]
    AllFeaturesMigrationOrganizationSizeLimitExceeded,
    #[serde(rename = "RESPONSIBILITY_TRANSFER_MAX_LEVEL_VIOLATION")]
    ResponsibilityTransferMaxLevelViolation,
    #[serde(rename = "RESPONSIBILITY_TRANSFER_MAX_INBOUND_QUOTA_VIOLATION")]
    ResponsibilityTransferMaxInboundQuotaViolation,
    #[serde(rename = "RESPONSIBILITY_TRANSFER_MAX_OUTBOUND_QUOTA_VIOLATION")]
    ResponsibilityTransferMaxOutboundQuotaViolation,
    #[serde(rename = "RESPONSIBILITY_TRANSFER_MAX_TRANSFERS_QUOTA_VIOLATION")]
    ResponsibilityTransferMaxTransfersQuotaViolation,
    #[serde(rename = "ACTIVE_RESPONSIBILITY_TRANSFER_PROCESS")]
    ActiveResponsibilityTransferProcess,
    #[serde(rename = "TRANSFER_RESPONSIBILITY_TARGET_DELETION_IN_PROGRESS")]
    TransferResponsibilityTargetDeletionInProgress,
    #[serde(rename = "TRANSFER_RESPONSIBILITY_SOURCE_DELETION_IN_PROGRESS")]
    TransferResponsibilitySourceDeletionInProgress,
    #[serde(rename = "UNSUPPORTED_PRICING")]
    UnsupportedPricing,
    #[serde(rename = "UNMET_BILLING_PREREQUISITE")]
    UnmetBillingPrerequisite,
    #[serde(rename = "ACCOUNT_NOT_ACTIVE_FOR_TRANSFER_RESPONSIBILITY")]
    AccountNotActiveForTransferResponsibility,
    #[serde(rename = "TRANSFER_RESPONSIBILITY_UPDATE_NOT_ALLOWED")]
    TransferResponsibilityUpdateNotAllowed,
}

/// `organizations:HandshakeConstraintViolationExceptionReason` from the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum HandshakeConstraintViolationExceptionReason {
    #[serde(rename = "ACCOUNT_NUMBER_LIMIT_EXCEEDED")]
    AccountNumberLimitExceeded,
    #[serde(rename = "HANDSHAKE_RATE_LIMIT_EXCEEDED")]
    HandshakeRateLimitExceeded,
    #[serde(rename = "ALREADY_IN_AN_ORGANIZATION")]
    AlreadyInAnOrganization,
    #[serde(rename = "ORGANIZATION_ALREADY_HAS_ALL_FEATURES")]
    OrganizationAlreadyHasAllFeatures,
    #[serde(rename = "ORGANIZATION_IS_ALREADY_PENDING_ALL_FEATURES_MIGRATION")]
    OrganizationIsAlreadyPendingAllFeaturesMigration,
    #[serde(rename = "INVITE_DISABLED_DURING_ENABLE_ALL_FEATURES")]
    InviteDisabledDuringEnableAllFeatures,
    #[serde(rename = "PAYMENT_INSTRUMENT_REQUIRED")]
    PaymentInstrumentRequired,
    #[serde(rename = "ORGANIZATION_FROM_DIFFERENT_SELLER_OF_RECORD")]
    OrganizationFromDifferentSellerOfRecord,
    #[serde(rename = "ORGANIZATION_MEMBERSHIP_CHANGE_RATE_LIMIT_EXCEEDED")]
    OrganizationMembershipChangeRateLimitExceeded,
    #[serde(rename = "MANAGEMENT_ACCOUNT_EMAIL_NOT_VERIFIED")]
    ManagementAccountEmailNotVerified,
    #[serde(rename = "RESPONSIBILITY_TRANSFER_ALREADY_EXISTS")]
    ResponsibilityTransferAlreadyExists,
    #[serde(rename = "SOURCE_AND_TARGET_CANNOT_MATCH")]
    SourceAndTargetCannotMatch,
    #[serde(rename = "UNUSED_PREPAYMENT_BALANCE")]
    UnusedPrepaymentBalance,
    #[serde(rename = "LEGACY_PERMISSIONS_STILL_IN_USE")]
    LegacyPermissionsStillInUse,
    #[serde(rename = "PAST_DUE_INVOICE")]
    PastDueInvoice,
    #[serde(rename = "TARGET_ACCOUNT_VALIDATION_FAILURE")]
    TargetAccountValidationFailure,
}

/// `organizations:InvalidInputExceptionReason` from the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum InvalidInputExceptionReason {
    #[serde(rename = "INVALID_PARTY_TYPE_TARGET")]
    InvalidPartyTypeTarget,
    #[serde(rename = "INVALID_SYNTAX_ORGANIZATION_ARN")]
    InvalidSyntaxOrganizationArn,
    #[serde(rename = "INVALID_SYNTAX_POLICY_ID")]
    InvalidSyntaxPolicyId,
    #[serde(rename = "INVALID_ENUM")]
    InvalidEnum,
    #[serde(rename = "INVALID_ENUM_POLICY_TYPE")]
    InvalidEnumPolicyType,
    #[serde(rename = "INVALID_LIST_MEMBER")]
    InvalidListMember,
    #[serde(rename = "MAX_LENGTH_EXCEEDED")]
    MaxLengthExceeded,
    #[serde(rename = "MAX_VALUE_EXCEEDED")]
    MaxValueExceeded,
    #[serde(rename = "MIN_LENGTH_EXCEEDED")]
    MinLengthExceeded,
    #[serde(rename = "MIN_VALUE_EXCEEDED")]
    MinValueExceeded,
    #[serde(rename = "IMMUTABLE_POLICY")]
    ImmutablePolicy,
    #[serde(rename = "INVALID_PATTERN")]
    InvalidPattern,
    #[serde(rename = "INVALID_PATTERN_TARGET_ID")]
    InvalidPatternTargetId,
    #[serde(rename = "INPUT_REQUIRED")]
    InputRequired,
    #[serde(rename = "INVALID_NEXT_TOKEN")]
    InvalidNextToken,
    #[serde(rename = "MAX_LIMIT_EXCEEDED_FILTER")]
    MaxLimitExceededFilter,
    #[serde(rename = "MOVING_ACCOUNT_BETWEEN_DIFFERENT_ROOTS")]
    MovingAccountBetweenDifferentRoots,
    #[serde(rename = "INVALID_FULL_NAME_TARGET")]
    InvalidFullNameTarget,
    #[serde(rename = "UNRECOGNIZED_SERVICE_PRINCIPAL")]
    UnrecognizedServicePrincipal,
    #[serde(rename = "INVALID_ROLE_NAME")]
    InvalidRoleName,
    #[serde(rename = "INVALID_SYSTEM_TAGS_PARAMETER")]
    InvalidSystemTagsParameter,
    #[serde(rename = "DUPLICATE_TAG_KEY")]
    DuplicateTagKey,
    #[serde(rename = "TARGET_NOT_SUPPORTED")]
    TargetNotSupported,
    #[serde(rename = "INVALID_EMAIL_ADDRESS_TARGET")]
    InvalidEmailAddressTarget,
    #[serde(rename = "INVALID_RESOURCE_POLICY_JSON")]
    InvalidResourcePolicyJson,
    #[serde(rename = "INVALID_PRINCIPAL")]
    InvalidPrincipal,
    #[serde(rename = "UNSUPPORTED_ACTION_IN_RESOURCE_POLICY")]
    UnsupportedActionInResourcePolicy,
    #[serde(rename = "UNSUPPORTED_POLICY_TYPE_IN_RESOURCE_POLICY")]
    UnsupportedPolicyTypeInResourcePolicy,
    #[serde(rename = "UNSUPPORTED_RESOURCE_IN_RESOURCE_POLICY")]
    UnsupportedResourceInResourcePolicy,
    #[serde(rename = "NON_DETACHABLE_POLICY")]
    NonDetachablePolicy,
    #[serde(rename = "CALLER_REQUIRED_FIELD_MISSING")]
    CallerRequiredFieldMissing,
    #[serde(rename = "UNSUPPORTED_ACTION_IN_RESPONSIBILITY_TRANSFER")]
    UnsupportedActionInResponsibilityTransfer,
    #[serde(rename = "START_DATE_NOT_BEGINNING_OF_MONTH")]
    StartDateNotBeginningOfMonth,
    #[serde(rename = "START_DATE_NOT_BEGINNING_OF_DAY")]
    StartDateNotBeginningOfDay,
    #[serde(rename = "START_DATE_TOO_EARLY")]
    StartDateTooEarly,
    #[serde(rename = "START_DATE_TOO_LATE")]
    StartDateTooLate,
    #[serde(rename = "INVALID_START_DATE")]
    InvalidStartDate,
    #[serde(rename = "END_DATE_NOT_END_OF_MONTH")]
    EndDateNotEndOfMonth,
    #[serde(rename = "END_DATE_TOO_EARLY")]
    EndDateTooEarly,
    #[serde(rename = "END_DATE_TOO_LATE")]
    EndDateTooLate,
    #[serde(rename = "INVALID_END_DATE")]
    InvalidEndDate,
}
