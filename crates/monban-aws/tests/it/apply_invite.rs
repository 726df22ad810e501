//! Inviting an account that is declared by `id:` but is not in the organization, against
//! the sandbox: the plan invites it, apply sends one `InviteAccountToOrganization` and
//! defers the account's assignments, a re-plan reports the invitation as pending without
//! inviting again, and once the owner accepts (the sandbox's control API) the account's
//! move and assignments are planned and apply.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use monban_aws::{
    ApplyOptions, ApplyReport, Clients, Journal, NoObserver, PollPolicy, RetryPolicy,
};
use monban_model::LiveState;
use monban_plan::{Action, Address, Plan, PlanContext, TargetEndpoint, WarningCode};
use serde_json::{Value, json};

use crate::common;

fn today() -> jiff::civil::Date {
    jiff::civil::date(2026, 11, 29)
}

fn fast_options() -> ApplyOptions {
    ApplyOptions {
        retry: RetryPolicy {
            base_delay: Duration::from_millis(10),
            max_delay: Duration::from_millis(200),
            max_attempts: 12,
            budget: Duration::from_secs(30),
        },
        poll: PollPolicy {
            initial: Duration::from_millis(50),
            max: Duration::from_millis(400),
            describe_up_to: 2,
            timeout: Duration::from_mins(1),
        },
        ..ApplyOptions::default()
    }
}

const SETTINGS: &str = r#"
organization:
  root_email: "root+{account}@example.com"
  ous: [Partners]
identity_center:
  region: us-east-1
safety:
  exclusive: true
  max_removals: 50
"#;

async fn plan(clients: &Clients, repo: &Path) -> (Plan, LiveState) {
    let live = monban_aws::read_live_state(clients)
        .await
        .expect("reads the sandbox")
        .state;
    let (repo, diagnostics) = monban_config::load_repo(
        repo,
        &monban_config::LoadOptions {
            today: today(),
            directory: None,
        },
    )
    .expect("loads the repo");
    assert!(!diagnostics.has_errors(), "{diagnostics:?}");
    let plan = monban_plan::plan(
        &repo,
        &live,
        &PlanContext::new(today(), TargetEndpoint::EmbeddedSandbox),
    );
    (plan, live)
}

async fn apply(clients: &Clients, plan: &Plan, live: &LiveState, journal: &Path) -> ApplyReport {
    let mut journal = Journal::open(journal).expect("opens the journal");
    monban_aws::apply(
        clients,
        plan,
        live,
        &mut journal,
        &fast_options(),
        &NoObserver,
    )
    .await
    .expect("applies")
}

fn lines(plan: &Plan) -> Vec<String> {
    plan.changes
        .iter()
        .map(|change| format!("{} {}", change.action, change.address))
        .collect()
}

/// Successful requests per `service:Operation`, from the sandbox's request log.
async fn successful(endpoint: &str) -> BTreeMap<String, u64> {
    let log: Value = reqwest::Client::new()
        .get(format!("{endpoint}/_sandbox/requests"))
        .send()
        .await
        .expect("the control API answers")
        .json()
        .await
        .expect("JSON");
    let mut counts = BTreeMap::new();
    for entry in log["requests"].as_array().expect("a list") {
        if entry["outcome"] == "ok" {
            let key = format!(
                "{}:{}",
                entry["service"].as_str().expect("service"),
                entry["operation"].as_str().expect("operation")
            );
            *counts.entry(key).or_insert(0) += 1;
        }
    }
    counts
}

/// The sandbox's outcome of every `InviteAccountToOrganization`, in order.
async fn invitation_answers(endpoint: &str) -> Vec<String> {
    let log: Value = reqwest::Client::new()
        .get(format!("{endpoint}/_sandbox/requests"))
        .send()
        .await
        .expect("the control API answers")
        .json()
        .await
        .expect("JSON");
    log["requests"]
        .as_array()
        .expect("a list")
        .iter()
        .filter(|entry| entry["operation"] == "InviteAccountToOrganization")
        .map(|entry| match entry["error_code"].as_str() {
            Some(code) => code.to_owned(),
            None => entry["outcome"].as_str().expect("an outcome").to_owned(),
        })
        .collect()
}

#[tokio::test]
async fn an_account_outside_the_organization_is_invited_then_managed_once_it_accepts() {
    let (server, clients) = common::sandbox().await;
    let endpoint = server.endpoint_url();
    common::seed(
        &endpoint,
        &json!({
            "users": [{ "user_name": "alice@example.com", "email": "alice@example.com" }],
            "groups": [{ "display_name": "admins", "members": ["alice@example.com"] }],
        }),
    )
    .await;
    let standalone = common::control_post(
        &endpoint,
        "standalone-accounts",
        &json!({ "name": "partner", "email": "root+partner@example.com" }),
    )
    .await;
    let id = standalone["id"].as_str().expect("an id").to_owned();

    let repo = tempfile::tempdir().expect("a repo dir");
    let journal = tempfile::tempdir().expect("a journal dir");
    for (path, contents) in [
        ("monban.yaml", SETTINGS.to_owned()),
        ("groups.yaml", "groups: [admins]\n".to_owned()),
        (
            "permission-sets/Viewer.yaml",
            "managed_policies: [arn:aws:iam::aws:policy/job-function/ViewOnlyAccess]\n".to_owned(),
        ),
        (
            "accounts/partner.yaml",
            format!(
                "id: \"{id}\"\nou: Partners\ntags: {{ team: partner }}\naccess:\n  Viewer: [{{ group: admins }}]\n"
            ),
        ),
    ] {
        let path = repo.path().join(path);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
        std::fs::write(path, contents).expect("writes");
    }

    // 1. The plan invites the account; its assignment is planned and deferred by apply.
    let (first, live) = plan(&clients, repo.path()).await;
    assert!(first.applyable, "{:#?}", first.warnings);
    assert_eq!(
        lines(&first),
        [
            "create ou/Partners",
            "invite account/partner",
            "create permission_set/Viewer",
            "create assignment/partner/Viewer/group:admins",
        ]
    );
    let report = apply(&clients, &first, &live, journal.path()).await;
    assert!(report.failed.is_empty(), "{:#?}", report.failed);
    assert_eq!(report.skipped.len(), 1, "{:#?}", report.skipped);
    let skipped = &report.skipped[0];
    assert_eq!(
        skipped.address.to_string(),
        "assignment/partner/Viewer/group:admins"
    );
    assert_eq!(
        skipped.because,
        Address::Account {
            account: "partner".into()
        }
    );
    assert!(
        skipped
            .reason
            .as_deref()
            .is_some_and(|reason| reason.starts_with("pending invitation")),
        "{skipped:?}"
    );
    let live = monban_aws::read_live_state(&clients)
        .await
        .expect("reads")
        .state;
    let invitation = live
        .invitation_for_account(&id)
        .expect("the invitation is open")
        .clone();
    assert_eq!(
        successful(&endpoint).await["organizations:InviteAccountToOrganization"],
        1
    );

    // The same (saved) plan applied again with another journal, as if the first apply's
    // record were lost: AWS refuses a second invitation (DuplicateHandshakeException), and
    // the open one is looked up and taken as the result — still one invitation.
    let invite_only = Plan {
        changes: first
            .changes
            .iter()
            .filter(|change| change.action == Action::Invite)
            .cloned()
            .collect(),
        ..first.clone()
    };
    let other_journal = tempfile::tempdir().expect("a journal dir");
    let again = apply(&clients, &invite_only, &live, other_journal.path()).await;
    assert!(again.is_success(), "{again:#?}");
    assert_eq!(
        again.done,
        [Address::Account {
            account: "partner".into()
        }]
    );
    assert_eq!(
        successful(&endpoint).await["organizations:InviteAccountToOrganization"],
        1
    );

    assert_eq!(
        invitation_answers(&endpoint).await,
        ["ok", "DuplicateHandshakeException"]
    );

    // 2. Re-plan: pending, not invited again; applying it sends no second invitation.
    let (second, live) = plan(&clients, repo.path()).await;
    assert_eq!(
        lines(&second),
        ["create assignment/partner/Viewer/group:admins"]
    );
    let pending = second
        .warnings
        .iter()
        .find(|warning| warning.code == WarningCode::InvitationPending)
        .expect("a pending-invitation warning");
    assert!(
        pending.message.contains(&invitation.handshake_id),
        "{}",
        pending.message
    );
    assert!(second.applyable, "{:#?}", second.warnings);
    let report = apply(&clients, &second, &live, journal.path()).await;
    assert!(report.failed.is_empty(), "{:#?}", report.failed);
    assert_eq!(report.skipped.len(), 1, "{:#?}", report.skipped);
    assert_eq!(
        successful(&endpoint).await["organizations:InviteAccountToOrganization"],
        1
    );

    // 3. The owner accepts: the account joins (under the root, with the invitation's
    //    tags); the plan moves it and creates its assignment, and both apply.
    common::control_post(
        &endpoint,
        &format!("handshakes/{}/accept", invitation.handshake_id),
        &json!({}),
    )
    .await;
    let (third, live) = plan(&clients, repo.path()).await;
    assert_eq!(
        lines(&third),
        [
            "update account/partner",
            "create assignment/partner/Viewer/group:admins",
        ]
    );
    let update = &third.changes[0];
    assert_eq!(update.action, Action::Update);
    assert_eq!(
        update
            .fields
            .iter()
            .map(|field| field.field.as_str())
            .collect::<Vec<_>>(),
        ["ou"],
        "the invitation carried the tags"
    );
    assert!(live.invitations.is_empty());
    let report = apply(&clients, &third, &live, journal.path()).await;
    assert!(
        report.is_success(),
        "failed: {:#?}\nskipped: {:#?}",
        report.failed,
        report.skipped
    );
    let (converged, _) = plan(&clients, repo.path()).await;
    assert!(lines(&converged).is_empty(), "{:#?}", lines(&converged));
}
