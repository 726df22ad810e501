//! Renders an audit report JSON (format 1) to the HTML page, for the headless-Chromium test
//! (`scripts/peers/chromium_report.sh`) and for looking at the page while working on it:
//!
//! ```sh
//! cargo run -p monban-render --example render_audit_html -- REPORT.json OUT.html
//! cargo run -p monban-render --example render_audit_html -- --synthetic 5000x1000 OUT.html
//! ```
//!
//! `--synthetic PEOPLExACCOUNTS` writes a generated report of that size instead (every
//! person in a few of 40 groups, each group assigned on a slice of the accounts, findings
//! on some cells), to check that the page stays responsive at the scale of a large
//! organization. It is test data only; `monban audit` produces real reports.

use std::process::ExitCode;

use serde_json::{Value, json};

fn main() -> ExitCode {
    let arguments: Vec<String> = std::env::args().skip(1).collect();
    let (input, output) = match arguments.as_slice() {
        [flag, size, output] if flag == "--synthetic" => {
            let Some((people, accounts)) = parse_size(size) else {
                return usage();
            };
            (synthetic_report(people, accounts).to_string(), output)
        }
        [input, output] => match std::fs::read_to_string(input) {
            Ok(text) => (text, output),
            Err(error) => return fail(&format!("cannot read {input}: {error}")),
        },
        _ => return usage(),
    };
    let page = match monban_render::render_audit_html(&input) {
        Ok(page) => page,
        Err(error) => {
            let mut message = error.to_string();
            let mut source = std::error::Error::source(&error);
            while let Some(cause) = source {
                message.push_str(": ");
                message.push_str(&cause.to_string());
                source = cause.source();
            }
            return fail(&message);
        }
    };
    if let Err(error) = std::fs::write(output, page) {
        return fail(&format!("cannot write {output}: {error}"));
    }
    ExitCode::SUCCESS
}

fn parse_size(size: &str) -> Option<(usize, usize)> {
    let (people, accounts) = size.split_once('x')?;
    Some((people.parse().ok()?, accounts.parse().ok()?))
}

/// Errors go to stderr through `std::io` (the workspace denies the print macros outside
/// the binary's printer; an example is no exception).
fn fail(message: &str) -> ExitCode {
    use std::io::Write as _;
    let _ = writeln!(std::io::stderr(), "error: {message}");
    ExitCode::FAILURE
}

fn usage() -> ExitCode {
    fail("usage: render_audit_html REPORT.json OUT.html | --synthetic PEOPLExACCOUNTS OUT.html")
}

/// A deterministic report of `people` people and `accounts` accounts in 10 OUs: 40 groups,
/// each person in 2 of them, each group holding one of 6 permission sets on 1 in 20
/// accounts (offset by group), one person in 50 disabled, findings on 1 in 40 group
/// assignments.
fn synthetic_report(people: usize, accounts: usize) -> Value {
    const GROUPS: usize = 40;
    const PERMISSION_SETS: [&str; 6] = [
        "AdministratorAccess",
        "ReadOnly",
        "PowerUser",
        "SecurityAudit",
        "BillingViewer",
        "DataScientist",
    ];
    let severities = ["critical", "high", "medium", "low", "info"];
    let account_list: Vec<Value> = (0..accounts)
        .map(|index| {
            json!({
                "id": format!("{:012}", 100_000_000_000_u64 + index as u64),
                "name": format!("account-{index:04}"),
                "ou": format!("/Root/Unit{}/Team{}", index % 10, index % 3),
                "status": "ACTIVE",
                "management": index == 0,
            })
        })
        .collect();
    let group_names: Vec<String> = (0..GROUPS)
        .map(|index| format!("team-{index:02}"))
        .collect();
    let mut members = vec![0_u64; GROUPS];
    let person_list: Vec<Value> = (0..people)
        .map(|index| {
            let first = index % GROUPS;
            let second = (index * 7 + 3) % GROUPS;
            members[first] += 1;
            if second != first {
                members[second] += 1;
            }
            let mut groups = vec![group_names[first].clone(), group_names[second].clone()];
            groups.sort();
            groups.dedup();
            json!({
                "user_id": format!("906{index:07}-0000-0000-0000-000000000000"),
                "user_name": format!("person{index:05}@example.com"),
                "display_name": format!("Person {index:05}"),
                "email": format!("person{index:05}@example.com"),
                "status": if index % 50 == 7 { "disabled" } else { "enabled" },
                "groups": groups,
            })
        })
        .collect();
    let first_members: Vec<usize> = (0..GROUPS)
        .map(|group| first_member(group, people))
        .collect();
    let mut inventory = Vec::new();
    let mut findings = Vec::new();
    let mut counts = [0_u64; 5];
    for (index, person) in person_list.iter().enumerate() {
        let mut grants: Vec<(usize, usize)> = Vec::new();
        for group in [index % GROUPS, (index * 7 + 3) % GROUPS] {
            for account in (group % 20..accounts).step_by(20) {
                grants.push((account, group));
            }
        }
        grants.sort_unstable();
        grants.dedup();
        for (account, group) in grants {
            let permission_set = PERMISSION_SETS[(group + account) % PERMISSION_SETS.len()];
            inventory.push(json!({
                "user_id": person["user_id"], "user_name": person["user_name"],
                "account_id": account_list[account]["id"], "account_name": account_list[account]["name"],
                "permission_set": permission_set,
                "via": { "kind": "group", "group_id": format!("946{group:07}"), "group_name": group_names[group] },
                "state": "declared",
            }));
            // One finding per (group, account) pair, on 1 in 40 of them, attached once.
            if (group * 31 + account) % 40 == 0 && index == first_members[group] {
                let severity = (account / 20 + group) % severities.len();
                counts[severity] += 1;
                findings.push(json!({
                    "key": format!("synthetic:{group}:{account}"), "rule": "live-only-assignment",
                    "severity": severities[severity], "title": "Assignment made outside the access repo",
                    "principal": { "type": "GROUP", "id": format!("946{group:07}"), "name": group_names[group] },
                    "account": { "id": account_list[account]["id"], "name": account_list[account]["name"] },
                    "permission_set": permission_set,
                    "explanation": "Synthetic finding.", "fix": "None: test data.",
                }));
            }
        }
    }
    json!({
        "format_version": 1,
        "generated_at": "2026-11-29T12:00:00Z",
        "monban_version": "0.1.0",
        "target": "synthetic test data",
        "repo": true,
        "organization": { "id": "o-synthetic", "management_account_id": account_list.first().map(|account| account["id"].clone()) },
        "accounts": account_list,
        "people": person_list,
        "groups": (0..GROUPS).map(|index| json!({ "group_id": format!("946{index:07}"), "name": group_names[index], "members": members[index] })).collect::<Vec<_>>(),
        "permission_sets": PERMISSION_SETS.iter().map(|name| json!({ "arn": format!("arn:aws:sso:::permissionSet/ssoins-0/ps-{name}"), "name": name, "session_duration": "PT8H", "declared": true })).collect::<Vec<_>>(),
        "summary": {
            "people": people, "accounts": accounts, "inventory_rows": inventory.len(), "assignments": 0,
            "findings": { "critical": counts[0], "high": counts[1], "medium": counts[2], "low": counts[3], "info": counts[4] },
        },
        "inventory": inventory,
        "assignments": [],
        "iam_users": [],
        "iam_scan_errors": [],
        "findings": findings,
        "baseline": null,
    })
}

/// The first person (by index) in `group`, so each synthetic finding is emitted once.
fn first_member(group: usize, people: usize) -> usize {
    (0..people)
        .find(|index| index % 40 == group || (index * 7 + 3) % 40 == group)
        .unwrap_or(0)
}
