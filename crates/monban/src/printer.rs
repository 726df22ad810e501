//! The printer: the only place that writes to stdout or stderr. Data goes to stdout;
//! logs, progress and errors to stderr. `anstream` strips colour when the stream is not a
//! terminal and honours `NO_COLOR`.
//! (It prints through `anstream`'s macros, which clippy's `print_stdout`/`print_stderr`
//! do not flag; the rule that only this module prints is kept by review.)

use std::fmt::Display;
use std::io::IsTerminal as _;

use miette::{GraphicalReportHandler, GraphicalTheme};

/// Width diagnostics are wrapped to; fixed so output does not depend on the terminal.
const DIAGNOSTIC_WIDTH: usize = 100;

#[derive(Debug, Default)]
pub struct Printer {
    /// Colour diagnostics: only on a terminal and without `NO_COLOR`.
    colour: bool,
}

impl Printer {
    pub fn new() -> Self {
        Self {
            colour: std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
        }
    }

    /// Whether stdout may carry colour: a terminal, and no `NO_COLOR`.
    #[expect(
        clippy::unused_self,
        reason = "every print goes through the Printer value, the one place to redirect or silence output"
    )]
    pub fn colour_stdout(&self) -> bool {
        std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
    }

    /// A diagnostic on stderr, rendered by miette: `code`, message, `file:line:col`, the
    /// snippet with the span marked, and the hint. No colour unless on a terminal.
    pub fn diagnostic(&self, diagnostic: &dyn miette::Diagnostic) {
        anstream::eprint!("{}", render_diagnostic(diagnostic, self.colour));
    }

    /// One line of data on stdout.
    #[expect(
        clippy::unused_self,
        reason = "every print goes through the Printer value, the one place to redirect or silence output"
    )]
    pub fn data(&self, line: impl Display) {
        anstream::println!("{line}");
    }

    /// A log line on stderr.
    #[expect(
        clippy::unused_self,
        reason = "every print goes through the Printer value, the one place to redirect or silence output"
    )]
    pub fn log(&self, line: impl Display) {
        anstream::eprintln!("{line}");
    }

    /// A question on stderr, without a newline (the answer is typed after it).
    #[expect(
        clippy::unused_self,
        reason = "every print goes through the Printer value, the one place to redirect or silence output"
    )]
    pub fn prompt(&self, question: impl Display) {
        anstream::eprint!("{question}");
        let _ = std::io::Write::flush(&mut std::io::stderr());
    }

    /// An error with its chain of causes, as `error:` then `Caused by:` lines, then an
    /// optional `hint:` line.
    #[expect(
        clippy::unused_self,
        reason = "every print goes through the Printer value, the one place to redirect or silence output"
    )]
    pub fn error(&self, error: &anyhow::Error, hint: Option<&str>) {
        anstream::eprintln!("error: {error}");
        for cause in error.chain().skip(1) {
            anstream::eprintln!("  Caused by: {cause}");
        }
        if let Some(hint) = hint {
            anstream::eprintln!("hint: {hint}");
        }
    }
}

/// Progress of a long operation (an apply) on stderr: a bar on a terminal, a plain log
/// line per notable step otherwise (CI logs must not fill with redraws).
#[derive(Debug)]
pub struct Progress {
    bar: Option<indicatif::ProgressBar>,
    /// Without a bar: the last `done` count logged, to log at most every tenth of the work.
    last_logged: std::cell::Cell<u64>,
    total: u64,
}

impl Printer {
    /// Starts a progress display for `total` operations.
    #[expect(
        clippy::unused_self,
        reason = "every print goes through the Printer value, the one place to redirect or silence output"
    )]
    pub fn progress(&self, total: u64) -> Progress {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = indicatif::ProgressBar::new(total);
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} {msg}",
                )
                // The template is a literal that is known to parse.
                .expect("a valid progress template"),
            );
            bar.enable_steady_tick(std::time::Duration::from_millis(120));
            bar
        });
        Progress {
            bar,
            last_logged: std::cell::Cell::new(0),
            total,
        }
    }
}

impl Progress {
    /// Updates the counts: operations done, in flight, and retries so far.
    pub fn update(&self, done: u64, in_flight: u64, retried: u64, failed: u64) {
        let message = format!("done · {in_flight} in flight · {retried} retried · {failed} failed");
        if let Some(bar) = &self.bar {
            bar.set_position(done);
            bar.set_message(message);
        } else {
            let step = (self.total / 10).max(1);
            if done >= self.last_logged.get() + step
                || (done == self.total && done != self.last_logged.get())
            {
                self.last_logged.set(done);
                anstream::eprintln!("apply: {done}/{} {message}", self.total);
            }
        }
    }

    /// A line above the bar (or a plain line).
    pub fn line(&self, line: impl Display) {
        match &self.bar {
            Some(bar) => bar.println(line.to_string()),
            None => anstream::eprintln!("{line}"),
        }
    }

    /// Removes the bar.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// Renders one diagnostic the way [`Printer::diagnostic`] prints it (public to the crate for
/// snapshot tests of the exact text).
pub fn render_diagnostic(diagnostic: &dyn miette::Diagnostic, colour: bool) -> String {
    let theme = if colour {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_links(false)
        .with_width(DIAGNOSTIC_WIDTH);
    let mut rendered = String::new();
    if handler.render_report(&mut rendered, diagnostic).is_err() {
        // Rendering into a String only fails if a Display impl fails; fall back to the
        // plain message so the problem is still reported.
        rendered = format!("{diagnostic}\n");
    }
    rendered
}
