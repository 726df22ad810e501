//! Clap definitions of every command and flag. Settings are resolved from these in
//! `commands`; nothing here performs I/O.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// monban keeps AWS accounts and everyone's access to them as code.
#[derive(Debug, Parser)]
#[command(name = "monban", version, about, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

/// Options every repo-reading command takes.
#[derive(Debug, Args, Clone)]
pub struct RepoArgs {
    /// The access repo (default: the nearest directory upwards holding `monban.yaml`).
    #[arg(long, value_name = "DIR", global = true, env = "MONBAN_REPO")]
    pub repo: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the built-in AWS-compatible sandbox.
    #[command(subcommand)]
    Sandbox(SandboxCommand),
}

#[derive(Debug, Subcommand)]
pub enum SandboxCommand {
    /// Serve the sandbox over HTTP until interrupted.
    Serve(SandboxServeArgs),
}

#[derive(Debug, Args)]
pub struct SandboxServeArgs {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, default_value = "127.0.0.1:4566")]
    pub addr: String,
    /// Directory holding the sandbox's state.
    #[arg(long, value_name = "DIR")]
    pub state: Option<PathBuf>,
    /// Region of the Identity Center instance.
    #[arg(long, default_value = "us-east-1")]
    pub region: String,
}
