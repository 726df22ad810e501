//! One module per command. Each resolves its settings from the parsed flags and runs.

use crate::ExitStatus;
use crate::cli::{Cli, Command, SandboxCommand};
use crate::printer::Printer;

pub fn run(cli: Cli, printer: &Printer) -> anyhow::Result<ExitStatus> {
    match cli.command {
        Command::Sandbox(SandboxCommand::Serve(args)) => {
            printer.log(format!(
                "sandbox serve on {} (region {}, state {:?}) is not built yet",
                args.addr, args.region, args.state
            ));
            Ok(ExitStatus::Failure)
        }
    }
}
