//! `monban iam-policy --for plan|apply|audit|schedule`: the IAM policy a CI job's role needs, derived from
//! the table of operations monban calls (`monban_aws::permissions`): read-only for the
//! pull-request plan job (so it can never change AWS), the reads plus the exact writes for
//! the apply jobs. Needs no repo and no credentials.

use clap::Args;

use crate::ExitStatus;
use crate::printer::Printer;

/// `monban iam-policy`.
#[derive(Debug, Args)]
pub struct IamPolicyArgs {
    /// The job the policy is for: `plan` (pull requests, read-only), `apply` (merge),
    /// `audit`, or `schedule` (the nightly expiry, audit and drift check).
    #[arg(long = "for", value_enum, value_name = "JOB")]
    pub job: PolicyJob,
}

/// The CI jobs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PolicyJob {
    /// `monban plan` (and `validate`): reads the organization, Identity Center and the
    /// Identity Store.
    Plan,
    /// `monban apply`: the plan's reads, then the writes the apply engine makes.
    Apply,
    /// `monban audit`: the plan's reads, and assuming `OrganizationAccountAccessRole` in
    /// member accounts for the IAM-user scan.
    Audit,
    /// The nightly job (`apply --only-expired`, `audit`, the drift plan): apply's and
    /// audit's together.
    Schedule,
}

pub fn iam_policy(args: &IamPolicyArgs, printer: &Printer) -> anyhow::Result<ExitStatus> {
    let job = match args.job {
        PolicyJob::Plan => monban_aws::permissions::Job::Plan,
        PolicyJob::Apply => monban_aws::permissions::Job::Apply,
        PolicyJob::Audit => monban_aws::permissions::Job::Audit,
        PolicyJob::Schedule => monban_aws::permissions::Job::Schedule,
    };
    let document = serde_json::to_string_pretty(&monban_aws::permissions::policy(job))?;
    printer.data(document);
    Ok(ExitStatus::Success)
}
