//! The monban command-line interface: flag parsing, settings resolution, the commands, and
//! the printer (the only module that writes to the terminal).

mod cli;
mod commands;
mod example;
mod printer;
mod refresh;
mod settings;
mod target;

use std::process::ExitCode;

use clap::Parser;

pub use cli::Cli;
use printer::Printer;

/// Exit status of a command, following design §3: 0 success / no changes, 1 error,
/// 2 success with changes or findings at or above the threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    Success,
    Failure,
    Changes,
}

impl From<ExitStatus> for ExitCode {
    fn from(status: ExitStatus) -> Self {
        match status {
            ExitStatus::Success => ExitCode::SUCCESS,
            ExitStatus::Failure => ExitCode::from(1),
            ExitStatus::Changes => ExitCode::from(2),
        }
    }
}

/// Parses the command line, runs the command, and prints any error as
/// `error:` / `Caused by:` lines on stderr.
#[must_use]
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let printer = Printer::new();
    match commands::run(cli, &printer) {
        Ok(status) => status.into(),
        Err(error) => {
            printer.error(&error, commands::hint(&error).as_deref());
            ExitStatus::Failure.into()
        }
    }
}
