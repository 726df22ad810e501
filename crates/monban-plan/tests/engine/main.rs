//! The rules of the diff engine, one test each, on repos and live states built in code
//! (`support`), plus the example repo of `examples/holding` planned against an almost
//! empty organization; and the saved-plan check (`saved`).

mod access;
mod accounts;
mod assignments;
mod example;
mod format;
mod permission_sets;
mod safety;
mod saved;
mod support;
