//! Terraform interop: `import` reads an existing Terraform configuration (and optionally
//! its state) into an access repo; `export` writes the access repo as deterministic HCL.
//! No AWS calls: live ids come in as plain data from the binary.

pub mod export;
mod hcl_string;
pub mod import;
