//! The plan as a value: JSON round trip of an engine-made plan, digests, target, summary.

use monban_plan::{PLAN_FORMAT_VERSION, Plan, TargetEndpoint};

use crate::support::{MANAGEMENT, PROD, account, group, live, plan_of, repo, user};

fn sample() -> (monban_model::Repo, monban_model::LiveState) {
    let repo = repo()
        .ou("Products")
        .account(account("org-management").id(MANAGEMENT))
        .account(
            account("payments-prod")
                .id(PROD)
                .ou("Products")
                .grant("ReadOnly", group("engineers")),
        )
        .account(account("payments-new").grant("ReadOnly", user("alice")))
        .permission_set("ReadOnly")
        .build();
    let live = live()
        .account(PROD, "payments-prod", None)
        .permission_set("ReadOnly")
        .permission_set("Legacy")
        .user("alice")
        .user("gone-soon")
        .group("engineers", &["alice"])
        .assign(PROD, "Legacy", &user("gone-soon"))
        .assign(PROD, "ReadOnly", &user("deleted"))
        .build();
    (repo, live)
}

#[test]
fn an_engine_plan_round_trips_through_json() {
    let (repo, live) = sample();
    let plan = plan_of(&repo, &live);
    assert!(
        plan.changes.len() >= 6,
        "{:#?}",
        crate::support::lines(&plan)
    );
    let text = serde_json::to_string_pretty(&plan).unwrap();
    let back: Plan = serde_json::from_str(&text).unwrap();
    assert_eq!(back, plan);
    assert_eq!(plan.format_version, PLAN_FORMAT_VERSION);
    assert_eq!(plan.target.endpoint, TargetEndpoint::EmbeddedSandbox);
    assert_eq!(plan.target.organization_id, "o-test");
    assert_eq!(plan.evaluated_on, crate::support::today());
}

#[test]
fn the_summary_counts_adds_changes_and_removes() {
    let (repo, live) = sample();
    let plan = plan_of(&repo, &live);
    let summary = plan.summary();
    // ou, account, 2 assignments to add; the account move to change; 2 assignments and
    // the Legacy permission set to remove.
    assert_eq!(
        (summary.add, summary.change, summary.remove),
        (4, 1, 3),
        "{:#?}",
        crate::support::lines(&plan)
    );
    assert!(plan.has_changes());
}

#[test]
fn the_state_digest_ignores_when_it_was_read_but_not_what() {
    let (repo, live) = sample();
    let plan = plan_of(&repo, &live);
    let mut later = live.clone();
    later.read_at = "2026-11-30T00:00:00Z".parse().unwrap();
    assert_eq!(plan_of(&repo, &later).state_digest, plan.state_digest);
    let mut changed = live.clone();
    changed.assignments.pop();
    assert_ne!(plan_of(&repo, &changed).state_digest, plan.state_digest);
    assert_eq!(plan.state_digest.len(), 64);
}

#[test]
fn the_repo_digest_follows_the_repo() {
    let (repo, live) = sample();
    let plan = plan_of(&repo, &live);
    assert_eq!(plan_of(&repo.clone(), &live).repo_digest, plan.repo_digest);
    let mut changed = repo.clone();
    changed.settings.safety.max_removals += 1;
    assert_ne!(plan_of(&changed, &live).repo_digest, plan.repo_digest);
}

#[test]
fn an_empty_plan_is_applyable_with_no_changes() {
    let repo = repo()
        .account(account("org-management").id(MANAGEMENT))
        .build();
    let plan = plan_of(&repo, &live().build());
    assert!(!plan.has_changes());
    assert!(plan.complete && plan.applyable);
    assert!(plan.warnings.is_empty(), "{:#?}", plan.warnings);
    assert!(plan.unmanaged.is_empty());
}
