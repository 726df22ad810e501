//! The printer: the only place that writes to stdout or stderr. Data goes to stdout;
//! logs, progress and errors to stderr. `anstream` strips colour when the stream is not a
//! terminal and honours `NO_COLOR`.
#![expect(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "this module is the one place allowed to print"
)]

use std::fmt::Display;

#[derive(Debug, Default)]
pub struct Printer {}

impl Printer {
    pub fn new() -> Self {
        Self {}
    }

    /// One line of data on stdout.
    pub fn data(&self, line: impl Display) {
        anstream::println!("{line}");
    }

    /// A log line on stderr.
    pub fn log(&self, line: impl Display) {
        anstream::eprintln!("{line}");
    }

    /// An error with its chain of causes, as `error:` then `Caused by:` lines.
    pub fn error(&self, error: &anyhow::Error) {
        anstream::eprintln!("error: {error}");
        for cause in error.chain().skip(1) {
            anstream::eprintln!("  Caused by: {cause}");
        }
    }
}
