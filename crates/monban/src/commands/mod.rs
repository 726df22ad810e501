//! One module per command. Each resolves its settings from the parsed flags and runs.

pub mod apply;
pub mod audit;
pub mod codeowners;
mod demo;
pub mod developer;
pub mod edit;
mod expiry;
pub mod export;
pub mod iam_policy;
pub mod import;
mod init;
pub mod plan;
pub mod profiles;
pub mod sandbox;
mod schema;
mod show;
mod validate;

pub use init::write_files;

use crate::ExitStatus;
use crate::cli::{Cli, Command, SandboxCommand, ShowCommand};
use crate::printer::Printer;
use crate::settings::{
    ApplySettings, PlanSettings, SchemaSettings, ShowAccountSettings, ShowWhoSettings,
    ValidateSettings,
};

pub fn run(cli: Cli, printer: &Printer) -> anyhow::Result<ExitStatus> {
    match cli.command {
        Command::Validate(args) => validate::validate(&ValidateSettings::resolve(args)?, printer),
        Command::Schema(args) => Ok(schema::schema(SchemaSettings::resolve(&args), printer)),
        Command::Sandbox(SandboxCommand::Serve(args)) => sandbox::serve(&args, printer),
        Command::Sandbox(SandboxCommand::Reset(args)) => sandbox::reset(&args, printer),
        Command::Sandbox(SandboxCommand::ScimToken(args)) => sandbox::scim_token(&args, printer),
        Command::Show(ShowCommand::Account(args)) => {
            show::account(&ShowAccountSettings::resolve(args)?, printer)
        }
        Command::Show(ShowCommand::Who(args)) => {
            show::who(&ShowWhoSettings::resolve(args)?, printer)
        }
        Command::Init(args) if args.from_live => init::from_live(&args, printer),
        Command::Init(args) => init::init(&args.dir, args.example, printer),
        Command::Plan(args) => plan::plan(&PlanSettings::resolve(args)?, printer),
        Command::Apply(args) => apply::apply(&ApplySettings::resolve(args)?, printer),
        Command::IamPolicy(args) => iam_policy::iam_policy(&args, printer),
        Command::Demo(args) => demo::demo(&args, printer),
        Command::Audit(args) => audit::audit(&audit::AuditSettings::resolve(args)?, printer),
        Command::Show(ShowCommand::Why(args)) => {
            audit::why(&audit::ShowWhySettings::resolve(args)?, printer)
        }
        Command::Import(command) => import::import(&command, printer),
        Command::Login(args) => developer::login(&args, printer),
        Command::Logout(args) => developer::logout(&args, printer),
        Command::Credentials(args) => developer::credentials(&args, printer),
        Command::Exec(args) => developer::exec(&args, printer),
        Command::Console(args) => developer::console(&args, printer),
        Command::Codeowners(args) => codeowners::codeowners(&args, printer),
        Command::Grant(args) => edit::grant(&args, printer),
        Command::Revoke(args) => edit::revoke(&args, printer),
        Command::Offboard(args) => edit::offboard(&args, printer),
        Command::Fmt(args) => edit::fmt(&args, printer),
        Command::Export(command) => export::run(command, printer),
        Command::Profiles(command) => profiles::run(command, printer),
        Command::Sandbox(SandboxCommand::ProvisionIdp(args)) => {
            sandbox::provision_idp(&args, printer)
        }
    }
}

/// A next step for errors that have an obvious one, printed as `hint:` under the error.
pub fn hint(error: &anyhow::Error) -> Option<String> {
    match error.downcast_ref::<monban_config::LoadError>()? {
        monban_config::LoadError::NotFound { .. } => Some(
            "run monban inside an access repo, or pass `--repo DIR` (a directory holding monban.yaml)"
                .to_owned(),
        ),
        monban_config::LoadError::NotARepo { .. } => {
            Some("point `--repo` at the directory holding monban.yaml".to_owned())
        }
        monban_config::LoadError::Io { .. } => None,
    }
}
