//! `monban schema`: print the JSON Schema of the access-repo files.

use crate::ExitStatus;
use crate::printer::Printer;
use crate::settings::SchemaSettings;

pub fn schema(settings: SchemaSettings, printer: &Printer) -> ExitStatus {
    let schema = settings
        .kind
        .map_or_else(monban_config::schema, monban_config::schema_for);
    printer.data(format!("{schema:#}"));
    ExitStatus::Success
}
