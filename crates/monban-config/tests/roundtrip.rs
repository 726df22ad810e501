//! Property test: a generated valid repo, written out as files and loaded back, gives the
//! same model, with no error diagnostics. This pins the loader and the writer to each
//! other and to the documented format (quoting, defaults, derived root e-mails, OUs with
//! implied parents, rule ids).

use std::collections::{BTreeMap, BTreeSet};

use monban_config::model::{
    Account, AccountId, AccountName, AccountSelector, CustomerManagedPolicy,
    CustomerManagedPolicyName, CustomerManagedPolicyPath, Email, Grant, GroupName, IdentityCenter,
    IdentitySource, InlinePolicy, ManagedPolicyArn, Organization, OuPath, OuPattern, PermissionSet,
    PermissionSetDescription, PermissionSetName, PermissionsBoundary, PrincipalRef, ProfileName,
    ProtectedAssignment, Region, RelayState, Repo, RepoSettings, RootEmail, RootEmailTemplate,
    Rule, RuleId, Safety, SessionDuration, TagKey, TagValue, Tags, Target, Until, UserName,
};
use monban_config::{LoadOptions, load_repo, write_repo};
use proptest::prelude::*;

/// A tiny deterministic generator for structural choices; proptest supplies the seed and
/// the string pools (where quoting bugs would hide).
struct Choices(u64);

impl Choices {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, bound: usize) -> usize {
        usize::try_from(self.next() % (bound.max(1) as u64)).unwrap()
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

#[derive(Debug, Clone)]
struct Pools {
    seed: u64,
    accounts: BTreeSet<String>,
    ou_segments: Vec<String>,
    permission_sets: BTreeSet<String>,
    groups: BTreeSet<String>,
    users: BTreeSet<String>,
    texts: Vec<String>,
    tag_keys: Vec<String>,
    tag_values: Vec<String>,
}

fn pools() -> impl Strategy<Value = Pools> {
    (
        any::<u64>(),
        prop::collection::btree_set("[a-z][a-z0-9-]{0,15}", 1..8),
        prop::collection::vec("[A-Z][a-z]{0,7}( [A-Z][a-z]{1,5})?", 1..5),
        prop::collection::btree_set("[A-Z][A-Za-z0-9_+=,.@-]{0,20}", 1..5),
        prop::collection::btree_set("[a-z][a-z0-9 _-]{0,12}[a-z]", 1..6),
        prop::collection::btree_set("[a-z]{1,8}(\\.[a-z]{1,8})?@example\\.com", 0..5),
        prop::collection::vec("[ -~éü]{1,30}", 1..6),
        prop::collection::vec("[a-zA-Z][a-zA-Z0-9_.:/=+@-]{0,10}", 1..5),
        prop::collection::vec("[a-zA-Z0-9_.:/=+@ -]{0,10}", 1..5),
    )
        .prop_map(
            |(
                seed,
                accounts,
                ou_segments,
                permission_sets,
                groups,
                users,
                texts,
                tag_keys,
                tag_values,
            )| {
                Pools {
                    seed: seed | 1,
                    accounts,
                    ou_segments,
                    permission_sets,
                    groups,
                    users,
                    texts,
                    tag_keys,
                    tag_values,
                }
            },
        )
}

fn tags(choices: &mut Choices, pools: &Pools) -> Tags {
    let mut tags = Tags::new();
    for _ in 0..choices.below(3) {
        tags.insert(
            TagKey::parse(choices.pick(&pools.tag_keys).as_str()).unwrap(),
            TagValue::parse(choices.pick(&pools.tag_values).as_str()).unwrap(),
        );
    }
    tags
}

fn principal(choices: &mut Choices, groups: &[GroupName], users: &[UserName]) -> PrincipalRef {
    if users.is_empty() || choices.chance(60) {
        PrincipalRef::Group(choices.pick(groups).clone())
    } else {
        PrincipalRef::User(choices.pick(users).clone())
    }
}

#[expect(clippy::too_many_lines, reason = "one linear recipe for a whole repo")]
fn build(pools: &Pools) -> Repo {
    let mut choices = Choices(pools.seed);
    let template = RootEmailTemplate::parse("aws-root+{account}@example.com").unwrap();

    let mut organization = Organization {
        management_account: None,
        root_email: Some(template.clone()),
        ous: BTreeSet::new(),
    };
    for _ in 0..=choices.below(4) {
        let depth = 1 + choices.below(3);
        let path: Vec<&str> = (0..depth)
            .map(|_| choices.pick(&pools.ou_segments).as_str())
            .collect();
        organization.add_ou(&OuPath::parse(&path.join("/")).unwrap());
    }
    let ous: Vec<OuPath> = organization.ous.iter().cloned().collect();

    let groups: Vec<GroupName> = pools
        .groups
        .iter()
        .map(|name| GroupName::parse(name).unwrap())
        .collect();
    let users: Vec<UserName> = pools
        .users
        .iter()
        .map(|name| UserName::parse(name).unwrap())
        .collect();

    let mut permission_sets = BTreeMap::new();
    for (index, name) in pools.permission_sets.iter().enumerate() {
        let name = PermissionSetName::parse(name).unwrap();
        let mut permission_set = PermissionSet::new(name.clone());
        if choices.chance(50) {
            permission_set.description =
                Some(PermissionSetDescription::parse(choices.pick(&pools.texts).as_str()).unwrap());
        }
        permission_set.session_duration = SessionDuration::parse(&format!(
            "PT{}H{}M",
            1 + choices.below(11),
            choices.below(60)
        ))
        .unwrap();
        if choices.chance(30) {
            permission_set.relay_state = Some(
                RelayState::parse(&format!("https://console.aws.amazon.com/s{index}?a=b#c"))
                    .unwrap(),
            );
        }
        for policy in 0..choices.below(4) {
            permission_set.managed_policies.push(
                ManagedPolicyArn::parse(&format!(
                    "arn:aws:iam::aws:policy/job-function/Policy{policy}"
                ))
                .unwrap(),
            );
        }
        for policy in 0..choices.below(3) {
            permission_set
                .customer_managed_policies
                .push(CustomerManagedPolicy {
                    name: CustomerManagedPolicyName::parse(&format!("custom-{policy}")).unwrap(),
                    path: if choices.chance(50) {
                        CustomerManagedPolicyPath::root()
                    } else {
                        CustomerManagedPolicyPath::parse("/team/x/").unwrap()
                    },
                });
        }
        if choices.chance(40) {
            permission_set.inline_policy = Some(
                InlinePolicy::parse(&format!(
                    "{{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{{\"Sid\": \"S{index}\", \"Effect\": \"Deny\", \"Action\": \"s3:*\", \"Resource\": \"*\"}}]\n}}\n"
                ))
                .unwrap(),
            );
        }
        permission_set.permissions_boundary = match choices.below(3) {
            0 => None,
            1 => Some(PermissionsBoundary::ManagedPolicy(
                ManagedPolicyArn::parse("arn:aws:iam::aws:policy/PowerUserAccess").unwrap(),
            )),
            _ => Some(PermissionsBoundary::CustomerManagedPolicy(
                CustomerManagedPolicy {
                    name: CustomerManagedPolicyName::parse("boundary").unwrap(),
                    path: CustomerManagedPolicyPath::root(),
                },
            )),
        };
        permission_set.tags = tags(&mut choices, pools);
        permission_sets.insert(name, permission_set);
    }
    let permission_set_names: Vec<PermissionSetName> = permission_sets.keys().cloned().collect();

    let mut accounts = BTreeMap::new();
    for (index, name) in pools.accounts.iter().enumerate() {
        let name = AccountName::parse(name).unwrap();
        let mut account = Account::new(name.clone());
        if choices.chance(70) {
            account.id = Some(
                AccountId::parse(&format!("{:012}", 100_000_000_000_u64 + index as u64)).unwrap(),
            );
        }
        account.root_email = Some(if choices.chance(30) {
            RootEmail {
                address: Email::parse(&format!("{name}@accounts.example.com")).unwrap(),
                derived: false,
            }
        } else {
            RootEmail {
                address: template.derive(&name).unwrap(),
                derived: true,
            }
        });
        if choices.chance(80) {
            account.ou = Some(choices.pick(&ous).clone());
        }
        for _ in 0..choices.below(3) {
            // Owners follow GitHub's syntax (MB2029) and are unique (MB4009).
            let owner = format!("@example/team-{}", choices.below(4));
            if !account.owners.contains(&owner) {
                account.owners.push(owner);
            }
        }
        account.tags = tags(&mut choices, pools);
        account.close = index > 0 && choices.chance(10);
        for _ in 0..choices.below(4) {
            let permission_set = choices.pick(&permission_set_names).clone();
            let grants: &mut Vec<Grant> = account.access.entry(permission_set).or_default();
            for _ in 0..=choices.below(4) {
                let principal = principal(&mut choices, &groups, &users);
                if grants.iter().any(|grant| grant.principal == principal) {
                    continue;
                }
                grants.push(Grant {
                    principal,
                    until: choices.chance(30).then(|| {
                        Until::from_date(jiff::civil::date(
                            2030,
                            1 + i8::try_from(choices.below(12)).unwrap(),
                            1 + i8::try_from(choices.below(28)).unwrap(),
                        ))
                    }),
                    reason: choices
                        .chance(30)
                        .then(|| choices.pick(&pools.texts).clone()),
                });
            }
        }
        accounts.insert(name, account);
    }
    let first_account = accounts.keys().next().cloned();
    organization.management_account = first_account.filter(|_| choices.chance(70));

    let mut protected = Vec::new();
    for account in accounts.values() {
        for (permission_set, grants) in &account.access {
            if choices.chance(10) {
                protected.push(ProtectedAssignment {
                    account: account.name.clone(),
                    permission_set: permission_set.clone(),
                    principal: grants[0].principal.clone(),
                });
            }
        }
    }

    let mut rules = Vec::new();
    for index in 0..choices.below(4) {
        let mut principals = Vec::new();
        for _ in 0..=choices.below(2) {
            let principal = principal(&mut choices, &groups, &users);
            if !principals.contains(&principal) {
                principals.push(principal);
            }
        }
        let ou = match choices.below(4) {
            0 => Some(OuPattern::Everything),
            1 => Some(OuPattern::Exactly(choices.pick(&ous).clone())),
            2 => Some(OuPattern::Subtree(choices.pick(&ous).clone())),
            _ => None,
        };
        let mut selector_tags = tags(&mut choices, pools);
        if ou.is_none() && selector_tags.is_empty() {
            selector_tags.insert(
                TagKey::parse("env").unwrap(),
                TagValue::parse("prod").unwrap(),
            );
        }
        rules.push(Rule {
            id: RuleId {
                file: format!("rules/generated-{}.yaml", index % 2),
                index: index / 2,
            },
            permission_set: choices.pick(&permission_set_names).clone(),
            principals,
            accounts: AccountSelector {
                ou,
                tags: selector_tags,
            },
        });
    }
    // The loader orders rules by file, then position.
    rules.sort_by(|left, right| left.id.cmp(&right.id));

    let target = if choices.chance(50) {
        Target::Sandbox
    } else {
        Target::Aws {
            profile: choices
                .chance(50)
                .then(|| ProfileName::parse("org-admin").unwrap()),
            region: Region::parse("ap-northeast-1").unwrap(),
        }
    };
    Repo {
        settings: RepoSettings {
            target,
            organization,
            identity_center: IdentityCenter {
                region: Region::parse("eu-central-1").unwrap(),
                identity_source: IdentitySource::External,
            },
            safety: Safety {
                exclusive: choices.chance(50),
                max_removals: u32::try_from(choices.below(1000)).unwrap(),
                protected,
            },
            codeowners: monban_config::model::CodeOwners {
                default: if choices.chance(50) {
                    vec!["@example/platform".to_owned(), "ops@example.com".to_owned()]
                } else {
                    Vec::new()
                },
            },
        },
        accounts,
        permission_sets,
        groups: groups.into_iter().collect(),
        users: users.into_iter().collect(),
        rules,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn a_written_repo_loads_back_unchanged(pools in pools()) {
        let repo = build(&pools);
        let directory = tempfile::tempdir().unwrap();
        write_repo(&repo, directory.path()).unwrap();
        let options = LoadOptions::new().with_today(jiff::civil::date(2026, 6, 15));
        let (loaded, diagnostics) = load_repo(directory.path(), &options).unwrap();
        let errors: Vec<String> = diagnostics
            .iter()
            .filter(|diagnostic| diagnostic.severity == monban_config::Severity::Error)
            .map(|diagnostic| format!("{} {}: {}", diagnostic.code, diagnostic.location(), diagnostic.message))
            .collect();
        prop_assert!(errors.is_empty(), "errors: {errors:#?}");
        prop_assert_eq!(loaded, repo);
    }
}

/// The realistic example, written back out, loads into the same model.
#[test]
fn the_example_repo_survives_a_write_and_reload() {
    let example = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/holding");
    let options = LoadOptions::new().with_today(jiff::civil::date(2026, 11, 29));
    let (repo, diagnostics) = load_repo(&example, &options).unwrap();
    assert!(!diagnostics.has_errors(), "the example has errors");
    assert!(repo.accounts.len() >= 20 && !repo.rules.is_empty());
    let directory = tempfile::tempdir().unwrap();
    write_repo(&repo, directory.path()).unwrap();
    let (reloaded, diagnostics) = load_repo(directory.path(), &options).unwrap();
    assert!(
        !diagnostics.has_errors(),
        "the rewritten example has errors"
    );
    assert_eq!(reloaded, repo);
}

/// The example's IdP directory snapshot, written back out, loads into the same directory.
#[test]
fn the_example_directory_survives_a_write_and_reload() {
    let example = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/holding/directory.yaml");
    let (directory, diagnostics) = monban_config::load_directory(&example).unwrap();
    assert!(
        !diagnostics.has_errors(),
        "the example directory has errors"
    );
    assert!(directory.users.len() >= 60 && directory.users.values().any(|user| !user.active));
    let out = tempfile::tempdir().unwrap();
    let path = out.path().join("directory.yaml");
    std::fs::write(
        &path,
        monban_config::render_directory(&directory, "a header\non two lines"),
    )
    .unwrap();
    let (reloaded, diagnostics) = monban_config::load_directory(&path).unwrap();
    assert!(
        !diagnostics.has_errors(),
        "the rewritten directory has errors"
    );
    assert_eq!(reloaded, directory);
}
