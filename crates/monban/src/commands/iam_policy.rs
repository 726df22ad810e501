//! `monban iam-policy --for plan|apply`: the IAM policy a CI job's role needs, derived from
//! the table of operations monban calls (`monban_aws::permissions`): read-only for the
//! pull-request plan job (so it can never change AWS), the reads plus the exact writes for
//! the apply jobs. Needs no repo and no credentials.

use clap::Args;

use crate::ExitStatus;
use crate::printer::Printer;

/// `monban iam-policy`.
#[derive(Debug, Args)]
pub struct IamPolicyArgs {
    /// The job the policy is for: `plan` (pull requests, read-only) or `apply` (merge and
    /// schedule).
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
}

pub fn iam_policy(args: &IamPolicyArgs, printer: &Printer) -> anyhow::Result<ExitStatus> {
    let job = match args.job {
        PolicyJob::Plan => monban_aws::permissions::Job::Plan,
        PolicyJob::Apply => monban_aws::permissions::Job::Apply,
    };
    let document = serde_json::to_string_pretty(&monban_aws::permissions::policy(job))?;
    printer.data(document);
    Ok(ExitStatus::Success)
}
