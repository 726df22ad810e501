//! The access-repo loader: YAML files with source spans → the domain model, with diagnostics.
