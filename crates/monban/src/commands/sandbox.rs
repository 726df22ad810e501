//! `monban sandbox serve` and `monban sandbox reset`: the built-in AWS-compatible sandbox
//! as a standalone server, for developer commands and other tools (boto3, the AWS CLI).

use std::net::SocketAddr;

use anyhow::Context as _;

use crate::ExitStatus;
use crate::cli::{SandboxResetArgs, SandboxServeArgs};
use crate::printer::Printer;

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
    let config = monban_emulator::Config {
        addr,
        state_dir: args.state.clone(),
        region: args.region.clone(),
        management_account_id: args.management_account_id.clone(),
        async_duration,
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
            "sandbox: serving Organizations, SSO Admin and Identity Store on {} (Ctrl-C stops)",
            server.endpoint_url()
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

async fn wait_for_stop_signal() -> anyhow::Result<()> {
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .context("could not listen for SIGTERM")?;
    tokio::select! {
        result = tokio::signal::ctrl_c() => result.context("could not listen for Ctrl-C")?,
        _ = terminate.recv() => {}
    }
    Ok(())
}
