//! The developer commands (issue 7): `monban login`, `logout`, `credentials`, `exec` and
//! `console` — short-lived keys from IAM Identity Center, sharing the AWS CLI v2 token
//! cache (`~/.aws/sso/cache/`) and `~/.aws/config`'s `[sso-session]` sections.
//!
//! `monban credentials` runs on every SDK start (it is a `credential_process`), so its warm
//! path — keys cached in monban's cache directory and still good for 5 minutes — is file
//! reads and one JSON line: no async runtime and no SDK client is built before the cache
//! has missed. Only `credentials` prints a secret, and only on stdout.
//!
//! The AWS side lives in `monban_aws::sso`; this module resolves flags and files into
//! settings, talks to the user, and prints.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context as _;
use clap::Args;
use monban_aws::sso::{self, AwsConfig, RoleCredentials, SsoClients, SsoSession, oidc, portal};

use crate::ExitStatus;
use crate::printer::Printer;

/// `monban login`.
#[derive(Debug, Args)]
pub struct LoginArgs {
    /// The `[sso-session NAME]` of `~/.aws/config` to sign in to (default: the only one).
    #[arg(long, value_name = "NAME")]
    pub sso_session: Option<String>,
    /// Use the device flow: print a URL and a code to confirm in any browser, on any device.
    #[arg(long)]
    pub use_device_code: bool,
    /// Browser flow, but do not open a browser: print the sign-in URL to open by hand on
    /// this machine (the redirect comes back to a listener on 127.0.0.1).
    #[arg(long, conflicts_with = "use_device_code")]
    pub no_browser: bool,
}

/// `monban logout`.
#[derive(Debug, Args)]
pub struct LogoutArgs {
    /// The `[sso-session NAME]` to sign out of (default: the only one).
    #[arg(long, value_name = "NAME")]
    pub sso_session: Option<String>,
}

/// `monban credentials`.
#[derive(Debug, Args)]
pub struct CredentialsArgs {
    /// The 12-digit account id.
    #[arg(long, value_name = "ACCOUNT_ID")]
    pub account: String,
    /// The permission set (the role name the access portal shows).
    #[arg(long, value_name = "PERMISSION_SET")]
    pub role: String,
    /// The `[sso-session NAME]` to use (default: the only one).
    #[arg(long, value_name = "NAME")]
    pub sso_session: Option<String>,
}

/// `monban exec`.
#[derive(Debug, Args)]
pub struct ExecArgs {
    /// A profile of `~/.aws/config` with `sso_session`, `sso_account_id` and `sso_role_name`.
    pub profile: String,
    /// The command and its arguments (after `--`).
    #[arg(required = true, last = true, value_name = "COMMAND")]
    pub command: Vec<String>,
}

/// `monban console`.
#[derive(Debug, Args)]
pub struct ConsoleArgs {
    /// The 12-digit account id.
    #[arg(long, value_name = "ACCOUNT_ID")]
    pub account: String,
    /// The permission set.
    #[arg(long, value_name = "PERMISSION_SET")]
    pub role: String,
    /// The `[sso-session NAME]` to use (default: the only one).
    #[arg(long, value_name = "NAME")]
    pub sso_session: Option<String>,
    /// Open the URL in the browser as well as printing it.
    #[arg(long)]
    pub open: bool,
}

/// Where the developer files are and which session is meant.
#[derive(Debug)]
struct SessionSettings {
    config: AwsConfig,
    session: SsoSession,
    /// The profile whose endpoint overrides apply (`AWS_PROFILE` or `default`; for `exec`,
    /// the profile named).
    profile: String,
    /// `~/.aws/sso/cache`.
    token_cache: PathBuf,
}

impl SessionSettings {
    fn resolve(session_name: Option<&str>, profile: Option<&str>) -> anyhow::Result<Self> {
        let config = AwsConfig::load()?;
        let session = config.sso_session(session_name)?;
        Ok(Self {
            session,
            profile: profile.map_or_else(sso::config::active_profile_name, str::to_owned),
            token_cache: sso::token_cache_dir()?,
            config,
        })
    }

    fn clients(&self) -> SsoClients {
        SsoClients::for_session(&self.config, &self.profile, &self.session)
    }
}

/// A small runtime for the few sequential calls these commands make.
fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("could not start the async runtime")
}

/// An account id as the portal takes it: 12 digits.
fn check_account_id(account: &str) -> anyhow::Result<()> {
    if account.len() == 12 && account.bytes().all(|byte| byte.is_ascii_digit()) {
        Ok(())
    } else {
        anyhow::bail!("`{account}` is not an AWS account id (12 digits)")
    }
}

pub fn login(args: &LoginArgs, printer: &Printer) -> anyhow::Result<ExitStatus> {
    let settings = SessionSettings::resolve(args.sso_session.as_deref(), None)?;
    let clients = settings.clients();
    let session = &settings.session;
    // The browser flow needs a browser on this machine (the redirect comes back to
    // 127.0.0.1): one we can open, or the user's word (`--no-browser`) that they will open
    // the URL here themselves. Otherwise (SSH, CI, containers) the device flow.
    let browser = !args.use_device_code && (args.no_browser || browser_available());
    let runtime = runtime()?;
    printer.log(format!(
        "Signing in to SSO session `{}` ({}, {}) …",
        session.name, session.start_url, session.region
    ));
    let (registration, grant) = if browser {
        let registration = runtime.block_on(oidc::registration(
            &clients,
            &settings.token_cache,
            session,
            oidc::Flow::AuthorizationCode,
        ))?;
        let listener = sso::loopback::LoopbackRedirect::bind()?;
        let redirect_uri = listener.redirect_uri();
        let pkce = oidc::Pkce::new();
        let state = oidc::random_state();
        let url = oidc::authorize_url(
            &clients,
            &registration,
            &redirect_uri,
            &state,
            &pkce,
            &session.scopes_or_default(),
        );
        if args.no_browser {
            printer.log("Open this URL in a browser on this machine to sign in:");
            printer.log(format!("  {url}"));
        } else {
            printer.log("Opening the sign-in page in your browser. If it does not open, visit:");
            printer.log(format!("  {url}"));
            if let Err(error) = open_in_browser(&url) {
                printer.log(format!(
                    "(could not open a browser: {error}; open the URL yourself, or use --use-device-code)"
                ));
            }
        }
        let code = listener.wait_for_code(&state, Duration::from_mins(10))?;
        let grant = runtime.block_on(oidc::exchange_code(
            &clients,
            &registration,
            &code,
            &redirect_uri,
            &pkce,
        ))?;
        (registration, grant)
    } else {
        let registration = runtime.block_on(oidc::registration(
            &clients,
            &settings.token_cache,
            session,
            oidc::Flow::DeviceCode,
        ))?;
        let authorization = runtime.block_on(oidc::start_device_authorization(
            &clients,
            &registration,
            session,
        ))?;
        printer.log("To sign in, open this URL in a browser (on any device) and approve the code:");
        printer.log(format!("  {}", authorization.verification_uri_complete));
        printer.log(format!("  code: {}", authorization.user_code));
        printer.log(format!(
            "Waiting for approval (the code expires in {} minutes) …",
            authorization.expires_in.as_secs() / 60
        ));
        let grant = runtime.block_on(oidc::poll_device_token(
            &clients,
            &registration,
            &authorization,
        ))?;
        (registration, grant)
    };
    let path = oidc::store_token(&settings.token_cache, session, &registration, &grant)?;
    // Keys cached under an earlier sign-in may belong to someone else now.
    let cache = sso::monban_cache_dir()?;
    sso::clear_session_credentials(&cache, &session.name)?;
    let expires = jiff::Timestamp::now()
        .checked_add(jiff::SignedDuration::from_secs(
            i64::try_from(grant.expires_in.as_secs()).unwrap_or(i64::MAX),
        ))
        .map(sso::cache::format_z)
        .unwrap_or_default();
    printer.log(format!(
        "Signed in to `{}`. Token cached in {} (valid until {expires}{}).",
        session.name,
        path.display(),
        if grant.refresh_token.is_some() {
            ", then refreshed automatically"
        } else {
            ""
        }
    ));
    Ok(ExitStatus::Success)
}

pub fn logout(args: &LogoutArgs, printer: &Printer) -> anyhow::Result<ExitStatus> {
    let settings = SessionSettings::resolve(args.sso_session.as_deref(), None)?;
    let session = &settings.session;
    let cache = sso::monban_cache_dir()?;
    let cleared = sso::clear_session_credentials(&cache, &session.name)?;
    match sso::load_token(&settings.token_cache, &session.name)? {
        Some(token) => {
            let clients = settings.clients();
            if let Err(error) = runtime()?.block_on(portal::logout(&clients, &token)) {
                printer.log(format!(
                    "warning: the portal's sign-out failed ({error}); the local token is deleted anyway"
                ));
            }
            sso::delete_token(&settings.token_cache, &session.name)?;
            printer.log(format!(
                "Signed out of `{}`: token deleted, {cleared} cached key(s) removed.",
                session.name
            ));
        }
        None => printer.log(format!(
            "Not signed in to `{}`; {cleared} cached key(s) removed.",
            session.name
        )),
    }
    Ok(ExitStatus::Success)
}

/// Keys for (account, role): monban's cache when fresh (no runtime, no SDK), else the
/// portal (and then cached).
fn role_credentials(
    settings: &SessionSettings,
    account: &str,
    role: &str,
) -> anyhow::Result<RoleCredentials> {
    let cache = sso::monban_cache_dir()?;
    let path = sso::credentials_path(&cache, &settings.session.name, account, role);
    if let Some(credentials) =
        sso::load_cached_credentials(&path, &settings.session.start_url, jiff::Timestamp::now())
    {
        return Ok(credentials);
    }
    let clients = settings.clients();
    let credentials = runtime()?.block_on(portal::role_credentials(
        &clients,
        &settings.token_cache,
        &settings.session,
        account,
        role,
    ))?;
    sso::save_cached_credentials(&path, &settings.session.start_url, &credentials)?;
    Ok(credentials)
}

pub fn credentials(args: &CredentialsArgs, printer: &Printer) -> anyhow::Result<ExitStatus> {
    check_account_id(&args.account)?;
    let settings = SessionSettings::resolve(args.sso_session.as_deref(), None)?;
    let credentials = role_credentials(&settings, &args.account, &args.role)?;
    printer.data(credentials.to_process_json());
    Ok(ExitStatus::Success)
}

pub fn exec(args: &ExecArgs, printer: &Printer) -> anyhow::Result<ExitStatus> {
    let config = AwsConfig::load()?;
    let profile = config.sso_profile(&args.profile)?;
    let settings = SessionSettings {
        session: config.sso_session(Some(&profile.sso_session))?,
        profile: profile.name.clone(),
        token_cache: sso::token_cache_dir()?,
        config,
    };
    let credentials = role_credentials(&settings, &profile.account_id, &profile.role_name)?;
    let (program, arguments) = args
        .command
        .split_first()
        .context("no command given after `--`")?;
    let mut command = std::process::Command::new(program);
    command
        .args(arguments)
        // The keys stand in for every other source: no profile may override them.
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_DEFAULT_PROFILE")
        .env("AWS_ACCESS_KEY_ID", &credentials.access_key_id)
        .env("AWS_SECRET_ACCESS_KEY", &credentials.secret_access_key)
        .env("AWS_SESSION_TOKEN", &credentials.session_token)
        .env(
            "AWS_CREDENTIAL_EXPIRATION",
            sso::cache::format_z(credentials.expiration),
        );
    if let Some(region) = &profile.region {
        command
            .env("AWS_REGION", region)
            .env("AWS_DEFAULT_REGION", region);
    }
    run_passing_exit_code(command, program, printer)
}

/// Runs the command; its exit status becomes monban's (on Unix monban is replaced by it,
/// so signals and the exit code pass through untouched).
#[cfg(unix)]
fn run_passing_exit_code(
    mut command: std::process::Command,
    program: &str,
    _printer: &Printer,
) -> anyhow::Result<ExitStatus> {
    use std::os::unix::process::CommandExt as _;
    let error = command.exec();
    Err(error).with_context(|| format!("could not run `{program}`"))
}

#[cfg(not(unix))]
fn run_passing_exit_code(
    mut command: std::process::Command,
    program: &str,
    _printer: &Printer,
) -> anyhow::Result<ExitStatus> {
    let status = command
        .status()
        .with_context(|| format!("could not run `{program}`"))?;
    std::process::exit(status.code().unwrap_or(1));
}

pub fn console(args: &ConsoleArgs, printer: &Printer) -> anyhow::Result<ExitStatus> {
    check_account_id(&args.account)?;
    let settings = SessionSettings::resolve(args.sso_session.as_deref(), None)?;
    let credentials = role_credentials(&settings, &args.account, &args.role)?;
    let clients = settings.clients();
    let url = runtime()?.block_on(portal::console_url(&clients, &credentials))?;
    printer.data(&url);
    if args.open
        && let Err(error) = open_in_browser(&url)
    {
        printer.log(format!("could not open a browser: {error}"));
    }
    Ok(ExitStatus::Success)
}

/// Whether a browser can be opened here: macOS and Windows always; elsewhere a graphical
/// session (`DISPLAY` / `WAYLAND_DISPLAY`) and `xdg-open` on the PATH.
fn browser_available() -> bool {
    if cfg!(any(target_os = "macos", windows)) {
        return true;
    }
    let display = ["DISPLAY", "WAYLAND_DISPLAY"]
        .iter()
        .any(|variable| std::env::var_os(variable).is_some_and(|value| !value.is_empty()));
    display && find_on_path("xdg-open").is_some()
}

fn find_on_path(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|directory| directory.join(program))
        .find(|candidate| is_executable(candidate))
}

fn is_executable(path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        path.metadata()
            .is_ok_and(|metadata| metadata.is_file() && metadata.permissions().mode() & 0o111 != 0)
    }
    #[cfg(not(unix))]
    {
        path.is_file()
    }
}

/// Opens `url` with the platform's opener (`open`, `xdg-open`, `start`), without waiting
/// for the browser and without letting the opener write to our terminal.
fn open_in_browser(url: &str) -> std::io::Result<()> {
    let mut command = if cfg!(target_os = "macos") {
        let mut command = std::process::Command::new("open");
        command.arg(url);
        command
    } else if cfg!(windows) {
        let mut command = std::process::Command::new("cmd");
        command.args(["/C", "start", ""]).arg(url);
        command
    } else {
        let mut command = std::process::Command::new("xdg-open");
        command.arg(url);
        command
    };
    command
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map(|_| ())
}
