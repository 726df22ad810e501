//! The IAM of member accounts as the audit's scan finds it: IAM users with their keys, the
//! customer managed policies permission sets reference, and the accounts that could not be
//! scanned. Plain data: `monban-aws` fills it in, `monban-audit` judges it.

use jiff::Timestamp;

/// What the IAM scan of the member accounts found: `monban-aws` produces it, `monban-audit`
/// judges it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IamScan {
    pub users: Vec<IamUserRecord>,
    pub errors: Vec<IamAccountError>,
    /// The customer managed policies of the permission sets provisioned to each scanned
    /// account, one per (account, policy ARN); empty when they were not read.
    pub policies: Vec<CustomerManagedPolicyRecord>,
}

/// One customer managed policy as one account's IAM has it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomerManagedPolicyRecord {
    pub account_id: String,
    /// As permission sets reference it.
    pub name: String,
    /// `/` or `/a/b/`.
    pub path: String,
    pub arn: String,
    pub content: PolicyContent,
}

/// What the account's IAM said about a customer managed policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PolicyContent {
    /// The default version's document, URL-decoded (as written, not normalized).
    Document(String),
    /// `NoSuchEntity`: the account has no policy of that path and name.
    Missing,
    /// It could not be read (access denied, throttled past the retries, …): the error,
    /// key ids masked.
    Unreadable(String),
}

/// One IAM user of one account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IamUserRecord {
    pub account_id: String,
    pub user_name: String,
    pub created: Timestamp,
    pub password_last_used: Option<Timestamp>,
    pub mfa_devices: usize,
    pub access_keys: Vec<AccessKeyRecord>,
}

/// One access key; the id is already masked by the scanner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessKeyRecord {
    pub masked_id: String,
    /// `Active`, `Inactive`, `Expired`.
    pub status: String,
    pub created: Timestamp,
    pub last_used: Option<Timestamp>,
    pub last_used_service: Option<String>,
}

/// An account whose IAM could not be scanned, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IamAccountError {
    pub account_id: String,
    pub message: String,
}
