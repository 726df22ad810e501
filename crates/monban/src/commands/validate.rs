//! `monban validate`: load the repo, report every diagnostic, exit 1 on errors (or on
//! warnings with `--deny-warnings`).

use std::path::Path;

use crate::ExitStatus;
use crate::cli::OutputFormat;
use crate::printer::Printer;
use crate::settings::ValidateSettings;

pub fn validate(settings: &ValidateSettings, printer: &Printer) -> anyhow::Result<ExitStatus> {
    let (repo, diagnostics) =
        monban_config::load_repo(&settings.repo.root, &settings.load_options)?;
    let failed =
        diagnostics.has_errors() || (settings.deny_warnings && diagnostics.warning_count() > 0);

    if settings.format == OutputFormat::Json {
        printer.data(diagnostics.to_json());
        return Ok(if failed {
            ExitStatus::Failure
        } else {
            ExitStatus::Success
        });
    }

    for diagnostic in &diagnostics {
        // Repo files are shown relative to where the user is; the directory snapshot
        // under the path they gave.
        let name = if settings.directory.as_deref() == Some(diagnostic.file.as_path()) {
            monban_config::display_path(&diagnostic.file)
        } else {
            settings.repo.show(&diagnostic.file)
        };
        printer.diagnostic(&diagnostic.report_named(&name, diagnostics.source(&diagnostic.file)));
    }

    let errors = diagnostics.error_count();
    let warnings = diagnostics.warning_count();
    let shown = monban_config::display_path(&settings.repo.display);
    if failed {
        let reason = if errors == 0 {
            " (--deny-warnings)"
        } else {
            ""
        };
        printer.log(format!(
            "error: {shown} is not valid: {}{reason}",
            counts(errors, warnings)
        ));
        return Ok(ExitStatus::Failure);
    }
    let assignments = repo.assignments().len();
    let with_warnings = if warnings == 0 {
        String::new()
    } else {
        format!(" with {}", plural(warnings, "warning"))
    };
    printer.log(format!(
        "{shown} is valid{with_warnings}: {}, {}, {}, {}, {}",
        plural(repo.accounts.len(), "account"),
        plural(repo.permission_sets.len(), "permission set"),
        plural(repo.groups.len() + repo.users.len(), "principal"),
        plural(repo.rules.len(), "rule"),
        plural(assignments, "assignment"),
    ));
    if let Some(directory) = &settings.directory {
        printer.log(format!(
            "checked against the directory snapshot {}",
            monban_config::display_path(Path::new(directory))
        ));
    }
    Ok(ExitStatus::Success)
}

fn counts(errors: usize, warnings: usize) -> String {
    match (errors, warnings) {
        (errors, 0) => plural(errors, "error"),
        (0, warnings) => plural(warnings, "warning"),
        (errors, warnings) => format!(
            "{} and {}",
            plural(errors, "error"),
            plural(warnings, "warning")
        ),
    }
}

fn plural(count: usize, noun: &str) -> String {
    if count == 1 {
        format!("1 {noun}")
    } else {
        format!("{count} {noun}s")
    }
}
