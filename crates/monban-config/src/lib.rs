//! The access-repo loader: finds the repo, reads its YAML files with source spans into the
//! domain model (`monban-model`), and reports every problem as a [`Diagnostic`] with a
//! stable code and `file:line:col`. Also the IdP directory snapshot loader and the JSON
//! Schema of the repo files. No printing: the binary renders diagnostics.

mod account_file;
mod codeowners;
mod diagnostics;
mod directory_file;
pub mod edit;
mod groups_file;
mod keys;
mod load;
mod node;
mod owners;
mod permission_set_file;
mod principal;
mod rules_file;
mod schema;
mod settings_file;
mod suggest;
mod tags;
mod walk;
mod writer;

pub use codeowners::{
    BEGIN_MARKER as CODEOWNERS_BEGIN, END_MARKER as CODEOWNERS_END, account_sidecars,
    merge_codeowners, render_codeowners,
};
pub use diagnostics::{Code, Diagnostic, Diagnostics, Report, Severity, display_path};
pub use load::{
    LoadError, LoadOptions, REPO_MARKER, find_repo, load_directory, load_repo,
    load_repo_with_overlay,
};
pub use monban_model as model;
pub use schema::{FileKind, schema, schema_for};
pub use writer::{WriteError, render_directory, render_repo, write_repo};
