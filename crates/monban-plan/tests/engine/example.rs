//! The example repo (`examples/holding`) planned against a fresh organization that holds
//! only its management account, with the Identity Store seeded from the example's
//! IdP directory snapshot — what `monban demo` shows a newcomer.

use std::path::PathBuf;

use monban_config::{LoadOptions, load_directory, load_repo};
use monban_model::{LiveGroup, LiveMembership, LiveState, LiveUser};
use monban_plan::{Action, Address};

use crate::support::{live, plan_of, today};

fn example_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../examples/holding")
}

/// A fresh organization whose Identity Store holds the example's directory.
fn seeded_live() -> LiveState {
    let (directory, diagnostics) = load_directory(&example_root().join("directory.yaml")).unwrap();
    assert!(!diagnostics.has_errors(), "{diagnostics:?}");
    let mut live = live().build();
    for user in directory.users.values() {
        live.users.push(LiveUser {
            id: format!("u-{}", user.user_name),
            user_name: user.user_name.as_str().to_owned(),
            display_name: Some(user.display_name.as_str().to_owned()),
            email: Some(user.email.as_str().to_owned()),
            enabled: user.active,
        });
    }
    for group in directory.groups.values() {
        live.groups.push(LiveGroup {
            id: format!("g-{}", group.display_name),
            display_name: group.display_name.as_str().to_owned(),
            description: None,
        });
        for member in &group.members {
            live.memberships.push(LiveMembership {
                group_id: format!("g-{}", group.display_name),
                user_id: format!("u-{member}"),
            });
        }
    }
    live
}

#[test]
fn the_example_plans_every_account_and_everyone_gains_access() {
    let (repo, diagnostics) =
        load_repo(&example_root(), &LoadOptions::new().with_today(today())).unwrap();
    assert!(!diagnostics.has_errors(), "{diagnostics:?}");
    let live = seeded_live();
    let plan = plan_of(&repo, &live);
    assert!(plan.complete, "{:#?}", plan.warnings);
    assert!(plan.applyable, "{:#?}", plan.warnings);
    let created_accounts = plan
        .changes
        .iter()
        .filter(|change| {
            change.action == Action::Create && matches!(change.address, Address::Account { .. })
        })
        .count();
    // Every account file but the management account's (bound by id).
    assert_eq!(created_accounts, repo.accounts.len() - 1);
    let created_sets = plan
        .changes
        .iter()
        .filter(|change| matches!(change.address, Address::PermissionSet { .. }))
        .count();
    assert_eq!(created_sets, repo.permission_sets.len());
    // The management account exists: its declared tags are written to it.
    let not_created: Vec<String> = plan
        .changes
        .iter()
        .filter(|change| change.action != Action::Create)
        .map(|change| format!("{} {}", change.action, change.address))
        .collect();
    assert_eq!(not_created, ["update account/org-management"]);
    // Everyone in a group the repo grants something gains access, and nobody loses any.
    assert!(plan.access.len() > 10, "{} people", plan.access.len());
    assert!(plan.access.iter().all(|person| person.losses.is_empty()));
    // Apply order: OUs, then accounts, then permission sets, then assignments.
    let first_assignment = plan
        .changes
        .iter()
        .position(|change| matches!(change.address, Address::Assignment { .. }))
        .unwrap();
    assert!(
        plan.changes[first_assignment..]
            .iter()
            .all(|change| matches!(change.address, Address::Assignment { .. }))
    );
    assert!(matches!(plan.changes[0].address, Address::Ou { .. }));
}
