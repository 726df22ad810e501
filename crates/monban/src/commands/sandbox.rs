//! `monban sandbox serve` and `monban sandbox reset`: the built-in AWS-compatible sandbox
//! as a standalone server, for developer commands and other tools (boto3, the AWS CLI).
//! `monban sandbox scim-token` hands an IdP the sandbox's SCIM endpoint and bearer token.

use std::net::SocketAddr;

use anyhow::Context as _;

use crate::ExitStatus;
use crate::cli::{SandboxProvisionIdpArgs, SandboxResetArgs, SandboxServeArgs};
use crate::commands::plan::{load_valid_directory, runtime};
use crate::printer::Printer;
use crate::settings::RepoLocation;
use crate::target::{EmbeddedSandbox, STATE_DIR, TargetChoice, with_target};

/// `monban_aws::Target::key` of the embedded sandbox (its port changes every run).
const SANDBOX_SNAPSHOT_KEY: &str = "sandbox";

/// `--baseline-policy NAME[:PATH]`: the policy with the default document (the server
/// checks name and path as IAM does).
fn baseline_policy(value: &str) -> anyhow::Result<monban_emulator::BaselinePolicy> {
    let (name, path) = value.split_once(':').unwrap_or((value, "/"));
    if name.is_empty() || path.is_empty() {
        anyhow::bail!("`--baseline-policy {value}` is not NAME or NAME:PATH");
    }
    Ok(monban_emulator::BaselinePolicy::new(name, path))
}

/// Starts the server, prints `READY <endpoint-url>` as the first stdout line (with the real
/// port when port 0 was asked), and serves until Ctrl-C or SIGTERM.
pub fn serve(args: &SandboxServeArgs, printer: &Printer) -> anyhow::Result<ExitStatus> {
    let addr: SocketAddr = args.addr.parse().with_context(|| {
        format!(
            "`--addr {}` is not an address like 127.0.0.1:4566",
            args.addr
        )
    })?;
    let async_duration = args
        .async_duration
        .map(|seconds| {
            std::time::Duration::try_from_secs_f64(seconds).map_err(|_| {
                anyhow::anyhow!(
                    "`--async-duration {seconds}` is not a number of seconds (0 or more)"
                )
            })
        })
        .transpose()?;
    let profile: monban_emulator::Profile = args
        .profile
        .parse()
        .map_err(|message: String| anyhow::anyhow!(message))?;
    if !(args.time_scale.is_finite() && args.time_scale > 0.0) {
        anyhow::bail!(
            "`--time-scale {}` must be a positive number",
            args.time_scale
        );
    }
    let faults = args
        .faults
        .as_deref()
        .map(monban_emulator::FaultSettings::parse)
        .transpose()
        .context("`--faults` is not a fault specification")?
        .unwrap_or_default();
    let account_baseline = args
        .baseline_policies
        .iter()
        .map(|policy| baseline_policy(policy))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let config = monban_emulator::Config {
        addr,
        state_dir: args.state.clone(),
        region: args.region.clone(),
        management_account_id: args.management_account_id.clone(),
        async_duration,
        profile,
        time_scale: args.time_scale,
        faults,
        seed: args.seed,
        account_baseline,
        sign_in_password: args.sign_in_password.clone(),
        ..monban_emulator::Config::default()
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("could not start the async runtime")?;
    runtime.block_on(async {
        let server = monban_emulator::Server::start(config)
            .await
            .context("could not start the sandbox")?;
        printer.data(format!("READY {}", server.endpoint_url()));
        printer.log(format!(
            "sandbox: serving Organizations, SSO Admin and Identity Store on {} ({} profile, time scale {}; Ctrl-C stops)",
            server.endpoint_url(),
            profile.name(),
            args.time_scale
        ));
        wait_for_stop_signal().await?;
        printer.log("sandbox: stopping");
        server
            .shutdown()
            .await
            .context("the sandbox did not stop cleanly")?;
        Ok(ExitStatus::Success)
    })
}

/// Clears the state directory.
pub fn reset(args: &SandboxResetArgs, printer: &Printer) -> anyhow::Result<ExitStatus> {
    monban_emulator::reset(&args.state).with_context(|| {
        format!(
            "could not reset the sandbox state in {}",
            args.state.display()
        )
    })?;
    printer.log(format!(
        "sandbox: state in {} cleared",
        args.state.display()
    ));
    Ok(ExitStatus::Success)
}

/// Pushes a directory snapshot into a sandbox's Identity Store: a running one at
/// `--endpoint-url`, else the repo's embedded sandbox (never a declared AWS target: the IdP
/// owns a real Identity Store).
pub fn provision_idp(
    args: &SandboxProvisionIdpArgs,
    printer: &Printer,
) -> anyhow::Result<ExitStatus> {
    let Some(directory) = load_valid_directory(&args.file, printer)? else {
        return Ok(ExitStatus::Failure);
    };
    let mut snapshots = None;
    let choice = if let Some(url) = &args.endpoint_url {
        TargetChoice::Endpoint {
            url: url.trim_end_matches('/').to_owned(),
            region: std::env::var("AWS_REGION")
                .or_else(|_| std::env::var("AWS_DEFAULT_REGION"))
                .unwrap_or_else(|_| monban_emulator::config::DEFAULT_REGION.to_owned()),
        }
    } else {
        let location = RepoLocation::resolve(args.repo.repo.as_deref())?;
        let (repo, diagnostics) =
            monban_config::load_repo(&location.root, &monban_config::LoadOptions::new())?;
        if diagnostics.has_errors() {
            anyhow::bail!(
                "{} has validation errors, so its embedded sandbox's settings are unknown; run `monban validate` first, or pass --endpoint-url",
                monban_config::display_path(&location.display)
            );
        }
        snapshots = Some(location.root.join(STATE_DIR).join("snapshots"));
        TargetChoice::Embedded(EmbeddedSandbox::for_repo(&location.root, &repo))
    };
    let report = runtime()?.block_on(with_target(&choice, async |clients| {
        monban_aws::provision_directory(clients, &directory)
            .await
            .with_context(|| format!("could not push the directory into {choice}"))
    }))?;
    // The Identity Store changed behind the cached snapshot: the next plan reads it anew.
    if let Some(snapshots) = snapshots.filter(|_| !report.is_unchanged()) {
        match std::fs::remove_dir_all(snapshots.join(SANDBOX_SNAPSHOT_KEY)) {
            Ok(()) => {}
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
            Err(error) => {
                return Err(error).context("could not drop the cached snapshot of the sandbox");
            }
        }
    }
    printer.log(provision_summary(&report, &choice));
    Ok(ExitStatus::Success)
}

/// `Pushed … into …: users 60 created, …` or `… already matched`.
pub fn provision_summary(report: &monban_aws::ProvisionReport, choice: &TargetChoice) -> String {
    if report.is_unchanged() {
        return format!(
            "The Identity Store of {choice} already matches the directory ({} API calls).",
            report.stats.total_calls()
        );
    }
    format!(
        "Pushed the directory into {choice}: users {} created, {} updated, {} deleted; groups {} created, {} updated, {} deleted; memberships {} added, {} removed ({} API calls).",
        report.users_created,
        report.users_updated,
        report.users_deleted,
        report.groups_created,
        report.groups_updated,
        report.groups_deleted,
        report.memberships_created,
        report.memberships_deleted,
        report.stats.total_calls()
    )
}

async fn wait_for_stop_signal() -> anyhow::Result<()> {
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .context("could not listen for SIGTERM")?;
    tokio::select! {
        result = tokio::signal::ctrl_c() => result.context("could not listen for Ctrl-C")?,
        _ = terminate.recv() => {}
    }
    Ok(())
}

/// `monban sandbox scim-token`.
#[derive(Debug, clap::Args)]
pub struct SandboxScimTokenArgs {
    /// The running sandbox (`monban sandbox serve`), e.g. `http://127.0.0.1:4566`.
    #[arg(long, value_name = "URL")]
    pub endpoint_url: String,
    /// Issue a new token first; the previous one keeps working until the next rotation (two
    /// tokens at most, as in Identity Center).
    #[arg(long)]
    pub rotate: bool,
}

/// Prints the sandbox's SCIM base URL (ending in `/scim/v2`) and then its bearer token on the
/// last stdout line, as Identity Center's console shows them to an admin enabling automatic
/// provisioning. Asks the control API (`/_sandbox/scim-token`), which creates the token on
/// first use; no AWS credentials are involved. This and `monban credentials` are the only
/// commands that print a secret.
pub fn scim_token(args: &SandboxScimTokenArgs, printer: &Printer) -> anyhow::Result<ExitStatus> {
    let endpoint = args.endpoint_url.trim_end_matches('/');
    let url = if args.rotate {
        format!("{endpoint}/_sandbox/scim-token/rotate")
    } else {
        format!("{endpoint}/_sandbox/scim-token")
    };
    let answer: serde_json::Value = runtime()?.block_on(async {
        // reqwest is built with rustls and no default crypto provider (monban-aws's
        // choice); install aws-lc-rs, which the AWS SDK already uses. Plain http here, but
        // the client is built the same way. An error only means one is installed already.
        let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
        let client = reqwest::Client::builder()
            .build()
            .context("could not build an HTTP client")?;
        let request = if args.rotate {
            client.post(&url)
        } else {
            client.get(&url)
        };
        let response = request.send().await.with_context(|| {
            format!("could not reach the sandbox at {endpoint}; is `monban sandbox serve` running there?")
        })?;
        let status = response.status();
        let body = response
            .text()
            .await
            .with_context(|| format!("could not read the answer of {url}"))?;
        if !status.is_success() {
            anyhow::bail!(
                "{endpoint} answered {status} to {url}: {body}\nhint: is it a `monban sandbox serve` endpoint?"
            );
        }
        serde_json::from_str(&body)
            .with_context(|| format!("{url} did not answer JSON; is {endpoint} a monban sandbox?"))
    })?;
    let (Some(scim_path), Some(token)) = (
        answer["scim_path"].as_str(),
        answer["access_token"].as_str(),
    ) else {
        anyhow::bail!(
            "{url} answered without a SCIM path and token: is {endpoint} a monban sandbox of this version?"
        );
    };
    printer.log(format!(
        "sandbox: the SCIM endpoint of {endpoint} and its access token (give both to the IdP; the token is valid until {})",
        answer["expires_at"].as_str().unwrap_or("its expiry")
    ));
    printer.data(format!("{endpoint}{scim_path}"));
    printer.data(token);
    Ok(ExitStatus::Success)
}
