//! Which AWS (or AWS-compatible server) a command talks to — design §4. The target is
//! explicit, never guessed from whatever credentials happen to be around:
//!
//! 1. `--endpoint-url URL`: any AWS-compatible server (a standalone `monban sandbox serve`,
//!    moto) with the standard credential chain, environment first; the repo's declared
//!    profile is ignored.
//! 2. `--sandbox`: the embedded sandbox, whatever the repo declares.
//! 3. the repo's `target: { aws: { profile?, region } }`: real AWS. Missing credentials are
//!    an error naming the target, never a fallback to the sandbox.
//! 4. nothing declared: the embedded sandbox — an in-process emulator on a loopback port,
//!    its state in `<repo>/.monban/sandbox/`, talked to over HTTP by the same SDK code as
//!    production.
//!
//! [`with_target`] starts the embedded sandbox when needed, connects the SDK clients, runs
//! the command's work, and stops the sandbox again (releasing its state directory's lock).

use std::fmt;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use monban_model::{AccountId, Repo, Target};

/// The directory under the repo root that holds monban's local state (git-ignored).
pub const STATE_DIR: &str = ".monban";

/// A resolved target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TargetChoice {
    /// The embedded sandbox.
    Embedded(EmbeddedSandbox),
    /// `--endpoint-url`.
    Endpoint {
        url: String,
        /// The repo's Identity Center region (requests are signed for it).
        region: String,
    },
    /// The repo's declared AWS target.
    Aws {
        profile: Option<String>,
        region: String,
    },
}

/// How to start the embedded sandbox for a repo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmbeddedSandbox {
    /// Where its state lives (`<repo>/.monban/sandbox`), or `None` for memory only.
    pub state_dir: Option<PathBuf>,
    /// The Identity Center region the repo declares.
    pub region: String,
    /// The repo's management account id when it binds one, so a fresh sandbox's management
    /// account is the repo's.
    pub management_account_id: Option<String>,
    /// The repo's file name of its management account: the name the sandbox gives that
    /// account, so plans do not note a name that differs only because of the sandbox.
    pub management_account_name: Option<String>,
    /// The customer managed policies the repo's permission sets reference (as policies or
    /// as permissions boundaries), as `(name, path)`: the sandbox's account baseline
    /// creates them in every account, standing in for the `StackSets` or Control Tower
    /// customizations that deploy them in a real organization (docs/guides/applying.md).
    pub baseline_policies: Vec<(String, String)>,
}

impl EmbeddedSandbox {
    /// The embedded sandbox for `repo` (at `repo_root`).
    #[must_use]
    pub fn for_repo(repo_root: &Path, repo: &Repo) -> Self {
        Self {
            state_dir: Some(repo_root.join(STATE_DIR).join("sandbox")),
            region: repo.settings.identity_center.region.as_str().to_owned(),
            management_account_id: management_account_id(repo).map(|id| id.as_str().to_owned()),
            management_account_name: repo
                .settings
                .organization
                .management_account
                .as_ref()
                .map(|name| name.as_str().to_owned()),
            baseline_policies: referenced_customer_policies(repo),
        }
    }

    fn config(&self) -> monban_emulator::Config {
        let mut config = monban_emulator::Config {
            state_dir: self.state_dir.clone(),
            region: self.region.clone(),
            ..monban_emulator::Config::default()
        };
        if let Some(id) = &self.management_account_id {
            config.management_account_id.clone_from(id);
        }
        if let Some(name) = &self.management_account_name {
            config.management_account_name.clone_from(name);
        }
        config.account_baseline = self
            .baseline_policies
            .iter()
            .map(|(name, path)| monban_emulator::BaselinePolicy {
                name: name.clone(),
                path: path.clone(),
                document: None,
            })
            .collect();
        config
    }
}

impl TargetChoice {
    /// Resolves the target from the flags and the repo (see the module doc for the order).
    #[must_use]
    pub fn resolve(
        repo_root: &Path,
        repo: &Repo,
        sandbox: bool,
        endpoint_url: Option<&str>,
    ) -> Self {
        if let Some(url) = endpoint_url {
            return Self::Endpoint {
                url: url.trim_end_matches('/').to_owned(),
                region: repo.settings.identity_center.region.as_str().to_owned(),
            };
        }
        match &repo.settings.target {
            Target::Aws { profile, region } if !sandbox => Self::Aws {
                profile: profile.as_ref().map(|profile| profile.as_str().to_owned()),
                region: region.as_str().to_owned(),
            },
            _ => Self::Embedded(EmbeddedSandbox::for_repo(repo_root, repo)),
        }
    }

    /// How the plan records the target.
    #[must_use]
    pub fn endpoint(&self) -> monban_plan::TargetEndpoint {
        match self {
            Self::Embedded(_) => monban_plan::TargetEndpoint::EmbeddedSandbox,
            Self::Endpoint { url, region } => monban_plan::TargetEndpoint::EndpointUrl {
                url: url.clone(),
                region: region.clone(),
            },
            Self::Aws { profile, region } => monban_plan::TargetEndpoint::Aws {
                profile: profile.clone(),
                region: region.clone(),
            },
        }
    }

    /// How to pace calls: AWS's published per-API rates, except for the embedded sandbox,
    /// which has no rate limits in its fast profile (pacing it would only slow tests and the
    /// demo down).
    #[must_use]
    pub fn connect_options(&self) -> monban_aws::ConnectOptions {
        match self {
            Self::Embedded(_) => monban_aws::ConnectOptions {
                rate_limits: monban_aws::RateLimits::unlimited(),
                ..monban_aws::ConnectOptions::default()
            },
            Self::Endpoint { .. } | Self::Aws { .. } => monban_aws::ConnectOptions::default(),
        }
    }

    /// The SDK's target spec; `embedded_url` is the running embedded sandbox's URL.
    fn spec(&self, embedded_url: Option<String>) -> monban_aws::TargetSpec {
        match self {
            Self::Embedded(sandbox) => {
                let mut spec =
                    monban_aws::TargetSpec::embedded_sandbox(embedded_url.unwrap_or_default());
                spec.region = Some(sandbox.region.clone());
                spec.caller_account_id =
                    Some(sandbox.management_account_id.clone().unwrap_or_else(|| {
                        monban_emulator::config::DEFAULT_MANAGEMENT_ACCOUNT_ID.to_owned()
                    }));
                spec
            }
            Self::Endpoint { url, region } => {
                monban_aws::TargetSpec::endpoint(url.clone(), Some(region.clone()), None)
            }
            Self::Aws { profile, region } => {
                monban_aws::TargetSpec::aws(profile.clone(), Some(region.clone()))
            }
        }
    }
}

impl fmt::Display for TargetChoice {
    /// The target as the first line of a plan names it.
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Embedded(sandbox) => {
                formatter.write_str("the embedded sandbox")?;
                if let Some(dir) = &sandbox.state_dir {
                    write!(
                        formatter,
                        " (state in {})",
                        monban_config::display_path(dir)
                    )?;
                }
                write!(formatter, ", region {}", sandbox.region)
            }
            Self::Endpoint { url, region } => write!(formatter, "{url}, region {region}"),
            Self::Aws { profile, region } => match profile {
                Some(profile) => write!(formatter, "AWS, profile {profile}, region {region}"),
                None => write!(formatter, "AWS, default credentials, region {region}"),
            },
        }
    }
}

/// Starts the embedded sandbox if `choice` is it, connects the SDK clients, runs `work`,
/// and stops the sandbox (whatever `work` returned).
pub async fn with_target<T>(
    choice: &TargetChoice,
    work: impl AsyncFnOnce(&monban_aws::Clients) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    let server = match choice {
        TargetChoice::Embedded(sandbox) => Some(
            monban_emulator::Server::start(sandbox.config())
                .await
                .with_context(|| format!("could not start {choice}"))?,
        ),
        _ => None,
    };
    let spec = choice.spec(
        server
            .as_ref()
            .map(monban_emulator::RunningServer::endpoint_url),
    );
    let result = async {
        let clients = monban_aws::connect(&spec, &choice.connect_options())
            .await
            .with_context(|| format!("could not connect to {choice}"))?;
        work(&clients).await
    }
    .await;
    if let Some(server) = server {
        let stopped = server
            .shutdown()
            .await
            .with_context(|| format!("{choice} did not stop cleanly"));
        if result.is_ok() {
            stopped?;
        }
    }
    result
}

/// Every customer managed policy the repo's permission sets reference, as policies or as
/// permissions boundaries, once each.
fn referenced_customer_policies(repo: &Repo) -> Vec<(String, String)> {
    let mut policies = std::collections::BTreeSet::new();
    for permission_set in repo.permission_sets.values() {
        let boundary = match &permission_set.permissions_boundary {
            Some(monban_model::PermissionsBoundary::CustomerManagedPolicy(policy)) => Some(policy),
            _ => None,
        };
        for policy in permission_set
            .customer_managed_policies
            .iter()
            .chain(boundary)
        {
            policies.insert((
                policy.name.as_str().to_owned(),
                policy.path.as_str().to_owned(),
            ));
        }
    }
    policies.into_iter().collect()
}

/// The id of the repo's management account, when its file binds one.
fn management_account_id(repo: &Repo) -> Option<&AccountId> {
    let name = repo.settings.organization.management_account.as_ref()?;
    repo.accounts.get(name)?.id.as_ref()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example() -> (PathBuf, Repo) {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/holding");
        let (repo, _) =
            monban_config::load_repo(&root, &monban_config::LoadOptions::new()).unwrap();
        (root, repo)
    }

    #[test]
    fn a_repo_without_a_target_uses_the_embedded_sandbox_with_its_region_and_management_account() {
        let (root, repo) = example();
        let choice = TargetChoice::resolve(&root, &repo, false, None);
        assert_eq!(
            choice,
            TargetChoice::Embedded(EmbeddedSandbox {
                state_dir: Some(root.join(".monban/sandbox")),
                region: "eu-central-1".into(),
                management_account_id: Some("111111111111".into()),
                management_account_name: Some("org-management".into()),
                baseline_policies: vec![
                    ("tessera-developer-guardrails".into(), "/tessera/".into()),
                    ("tessera-developer-workloads".into(), "/tessera/".into()),
                    (
                        "tessera-sandbox-boundary".into(),
                        "/tessera/boundaries/".into()
                    ),
                ],
            })
        );
        assert_eq!(
            choice.endpoint(),
            monban_plan::TargetEndpoint::EmbeddedSandbox
        );
    }

    #[test]
    fn a_declared_aws_target_is_used_unless_sandbox_or_endpoint_is_asked() {
        let (root, mut repo) = example();
        repo.settings.target = Target::Aws {
            profile: Some(monban_model::ProfileName::parse("org-admin").unwrap()),
            region: monban_model::Region::parse("ap-northeast-1").unwrap(),
        };
        let aws = TargetChoice::resolve(&root, &repo, false, None);
        assert_eq!(
            aws,
            TargetChoice::Aws {
                profile: Some("org-admin".into()),
                region: "ap-northeast-1".into()
            }
        );
        assert_eq!(
            aws.to_string(),
            "AWS, profile org-admin, region ap-northeast-1"
        );
        assert!(matches!(
            TargetChoice::resolve(&root, &repo, true, None),
            TargetChoice::Embedded(_)
        ));
        let endpoint = TargetChoice::resolve(&root, &repo, true, Some("http://127.0.0.1:4566/"));
        assert_eq!(
            endpoint,
            TargetChoice::Endpoint {
                url: "http://127.0.0.1:4566".into(),
                region: "eu-central-1".into()
            }
        );
    }
}
