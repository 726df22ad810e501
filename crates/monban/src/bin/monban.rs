//! The `monban` executable: everything lives in the library crate.

fn main() -> std::process::ExitCode {
    monban::main()
}
