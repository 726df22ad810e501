//! The three views of hand-built plans: snapshots of the human, Markdown and JSON views of
//! a plan holding every action, cause, blocker, warning severity and unmanaged kind; the
//! empty plan; the GitHub comment limit with 5,000 people; colour only when asked; Markdown
//! escaping; JSON round trips and version checks.

mod support;

use jiff::civil::date;
use monban_plan::{
    Blocker, Cause, KeptBecause, PLAN_FORMAT_VERSION, Plan, Severity, TargetEndpoint,
    UnmanagedBecause, WarningCode,
};
use monban_render::{
    GITHUB_COMMENT_LIMIT, HumanOptions, MARKDOWN_MARKER, MarkdownOptions, PlanJsonError,
    parse_json, render_human, render_json, render_markdown,
};
use support::*;

fn policy(effect: &str, actions: &[&str]) -> serde_json::Value {
    serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "ReadMost",
                "Effect": "Allow",
                "Action": ["s3:Get*", "s3:List*", "ec2:Describe*"],
                "Resource": "*"
            },
            {
                "Sid": "Secrets",
                "Effect": effect,
                "Action": actions,
                "Resource": "*"
            }
        ]
    })
}

/// Every action, cause, blocker, warning severity and unmanaged kind in one plan, for a
/// delegated administrator, incomplete and not applyable.
fn everything() -> Plan {
    let payments_prod = account("payments-prod", Some("210987654321"));
    let payments_new = account("payments-new", None);
    let sandbox_old = account("sandbox-old", Some("333333333333"));
    let management = account("org-management", Some("111111111111"));
    let sandbox_7 = account("sandbox-7", Some("777777777777"));
    let engineers = group("engineers");
    let payments_sre = group("payments-sre");
    let contractors =
        monban_plan::Principal::named(monban_plan::PrincipalKind::Group, "contractors", None);
    PlanBuilder::new()
        .endpoint(TargetEndpoint::Aws {
            profile: Some("org-admin".to_owned()),
            region: "eu-central-1".to_owned(),
        })
        .delegated_admin("222222222222")
        .change(create_ou("Products/Payments"))
        .change(delete_ou("Legacy", "ou-root-legacy"))
        .change(create_account(
            "payments-new",
            "Products/Payments",
            &[("env", "prod"), ("service", "payments")],
        ))
        .change(move_account(
            "payments-prod",
            "210987654321",
            "Products",
            "Products/Payments",
        ))
        .change(blocked(
            move_account("ghost", "999999999999", "Products", "Sandbox"),
            vec![Blocker::AccountNotFound {
                id: "999999999999".to_owned(),
            }],
        ))
        .change(close_account("sandbox-old", "333333333333"))
        .change(blocked(
            close_account("org-management", "111111111111"),
            vec![
                Blocker::CloseManagementAccount,
                Blocker::ProtectedAssignment {
                    permission_set: "AdministratorAccess".to_owned(),
                    principal: group("breakglass"),
                },
            ],
        ))
        .change(create_permission_set(
            "DataScientist",
            Some(&serde_json::to_string(&policy("Allow", &["sagemaker:*"])).unwrap()),
        ))
        .change(update_permission_set(
            "ReadOnly",
            policy("Allow", &["secretsmanager:GetSecretValue"]),
            policy("Deny", &["secretsmanager:GetSecretValue", "ssm:GetParameter*"]),
            &[payments_prod.clone(), sandbox_7.clone()],
        ))
        .change(replace_permission_set(
            "Admin",
            "AdministratorAccess",
            std::slice::from_ref(&payments_prod),
        ))
        .change(provision_permission_set(
            "Billing",
            std::slice::from_ref(&payments_prod),
        ))
        .change(create_assignment(
            &payments_prod,
            "ReadOnly",
            &engineers,
            vec![in_account_file("payments-prod")],
        ))
        .change(create_assignment(
            &payments_new,
            "AdministratorAccess",
            &payments_sre,
            vec![in_rule("rules/payments.yaml", 1)],
        ))
        .change(create_assignment(
            &payments_prod,
            "AdministratorAccess",
            &payments_sre,
            vec![in_account_file("payments-prod")],
        ))
        .change(blocked(
            create_assignment(
                &management,
                "ReadOnly",
                &group("auditors"),
                vec![in_rule("rules/audit.yaml", 2)],
            ),
            vec![Blocker::ManagementAccountFromDelegatedAdmin],
        ))
        .change(blocked(
            create_assignment(
                &payments_prod,
                "ReadOnly",
                &contractors,
                vec![in_account_file("payments-prod")],
            ),
            vec![Blocker::PrincipalNotFound {
                principal: contractors.clone(),
            }],
        ))
        .change(delete_assignment(
            &payments_prod,
            "ReadOnly",
            &user("carol@example.com"),
            Cause::Expired {
                until: date(2026, 10, 31),
            },
            "until 2026-10-31 has passed",
        ))
        .change(delete_assignment(
            &payments_prod,
            "ReadOnly",
            &deleted_group("9067a1b2-c3d4-e5f6-0718-293a4b5c6d7e"),
            Cause::Orphaned,
            "the group was deleted from the Identity Store",
        ))
        .change(delete_assignment(
            &payments_prod,
            "Billing",
            &user("dave@example.com"),
            Cause::Undeclared,
            "not in the repo, and safety.exclusive is on",
        ))
        .change(delete_assignment(
            &payments_prod,
            "Admin",
            &payments_sre,
            Cause::Replaced {
                by: "AdministratorAccess".to_owned(),
            },
            "Admin is replaced by AdministratorAccess",
        ))
        .change(delete_permission_set("Legacy"))
        .person(gain(
            gain(
                loss(
                    person("alice@example.com", Some("Alice Liddell")),
                    &payments_prod,
                    "Admin",
                    &payments_sre,
                    Cause::Replaced {
                        by: "AdministratorAccess".to_owned(),
                    },
                ),
                &payments_new,
                "AdministratorAccess",
                &payments_sre,
                vec![in_rule("rules/payments.yaml", 1)],
            ),
            &payments_prod,
            "AdministratorAccess",
            &payments_sre,
            vec![in_account_file("payments-prod")],
        ))
        .person(loss(
            person("carol@example.com", Some("Carol")),
            &payments_prod,
            "ReadOnly",
            &user("carol@example.com"),
            Cause::Expired {
                until: date(2026, 10, 31),
            },
        ))
        .person(loss(
            disabled(person("dave@example.com", None)),
            &payments_prod,
            "Billing",
            &user("dave@example.com"),
            Cause::Undeclared,
        ))
        .person(gain(
            person("erin@example.com", Some("Erin")),
            &payments_prod,
            "ReadOnly",
            &user("erin@example.com"),
            vec![in_account_file_until(
                "payments-prod",
                date(2026, 12, 31),
                "INC-4211",
            )],
        ))
        .person(gain(
            loss(
                person("frank@example.com", Some("Frank")),
                &sandbox_old,
                "ReadOnly",
                &engineers,
                Cause::Closed,
            ),
            &payments_prod,
            "ReadOnly",
            &engineers,
            vec![in_account_file("payments-prod")],
        ))
        .warning(
            Severity::Error,
            WarningCode::MassRemoval,
            "This plan removes 26 assignments, permission sets and OUs; safety.max_removals is 25. Re-run with --allow-mass-removal if that is intended.",
            None,
        )
        .warning(
            Severity::Error,
            WarningCode::PrincipalNotFound,
            "group contractors is not in the Identity Store: check the name in groups.yaml, or wait for the identity provider to push it.",
            Some(monban_plan::Address::Assignment {
                account: "payments-prod".to_owned(),
                permission_set: "ReadOnly".to_owned(),
                principal: contractors.address_form(),
            }),
        )
        .warning(
            Severity::Warning,
            WarningCode::PermissionSetReplaced,
            "Renaming Admin to AdministratorAccess replaces the permission set: every account gets new AWSReservedSSO_ role ARNs, which breaks trust policies and EKS aws-auth entries that name them.",
            Some(permission_set_address("AdministratorAccess")),
        )
        .warning(
            Severity::Warning,
            WarningCode::ManagementAccountFromDelegatedAdmin,
            "Access to the management account cannot be changed from a delegated administrator: run this plan with the management account's credentials.",
            Some(monban_plan::Address::Account {
                account: "org-management".to_owned(),
            }),
        )
        .warning(
            Severity::Info,
            WarningCode::UndeclaredAccount,
            "Account legacy-sandbox (444444444444) has no account file; it is left alone.",
            None,
        )
        .unmanaged_account("legacy-sandbox", "444444444444", Some("Sandbox"))
        .unmanaged_account("shared-services", "555555555555", None)
        .unmanaged_ou("Experiments")
        .unmanaged_permission_set("Auditor", KeptBecause::StillAssigned)
        .unmanaged_permission_set("OldAdmin", KeptBecause::NotExclusive)
        .unmanaged_assignment(
            account("legacy-sandbox", Some("444444444444")),
            "OldAdmin",
            group("old-admins"),
            false,
            UnmanagedBecause::UndeclaredAccount,
        )
        .unmanaged_assignment(
            account("org-management", Some("111111111111")),
            "AdministratorAccess",
            group("breakglass"),
            false,
            UnmanagedBecause::Protected,
        )
        .unmanaged_assignment(
            account("shared-services", Some("555555555555")),
            "Auditor",
            deleted_group("11aa22bb-33cc-44dd-55ee-66ff77889900"),
            true,
            UnmanagedBecause::NotExclusive,
        )
        .incomplete()
        .not_applyable()
        .build()
}

/// A plain plan: two people gain access through a new account; nothing blocked.
fn simple() -> Plan {
    let payments_new = account("payments-new", None);
    let payments_sre = group("payments-sre");
    PlanBuilder::new()
        .change(create_account("payments-new", "Products/Payments", &[]))
        .change(create_assignment(
            &payments_new,
            "AdministratorAccess",
            &payments_sre,
            vec![in_account_file("payments-new")],
        ))
        .person(gain(
            person("alice@example.com", Some("Alice Liddell")),
            &payments_new,
            "AdministratorAccess",
            &payments_sre,
            vec![in_account_file("payments-new")],
        ))
        .person(gain(
            person("bob@example.com", None),
            &payments_new,
            "AdministratorAccess",
            &payments_sre,
            vec![in_account_file("payments-new")],
        ))
        .build()
}

/// An account invited into the organization, and another whose invitation is pending:
/// the assignments of both wait for their owners to accept.
fn invitations() -> Plan {
    let partner = account("partner", None);
    let vendor = account("vendor", None);
    let admins = group("admins");
    PlanBuilder::new()
        .change(invite_account("partner", "555555555555", "Partners"))
        .change(create_assignment(
            &partner,
            "ViewOnly",
            &admins,
            vec![in_account_file("partner")],
        ))
        .change(create_assignment(
            &vendor,
            "ViewOnly",
            &admins,
            vec![in_account_file("vendor")],
        ))
        .warning(
            Severity::Info,
            WarningCode::InvitationPending,
            "account 666666666666 (accounts/vendor.yaml) is invited to organization o-example \
             (handshake h-0123456789); the invitation is pending until the account's owner \
             accepts it. Its assignments are planned and apply defers them until the account \
             has joined; plan again then.",
            Some(monban_plan::Address::Account {
                account: "vendor".to_owned(),
            }),
        )
        .build()
}

fn plain() -> HumanOptions {
    HumanOptions::default()
}

/// Removes ANSI SGR sequences (`ESC [ … m`).
fn strip_ansi(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars();
    while let Some(character) = chars.next() {
        if character == '\u{1b}' {
            for inner in chars.by_ref() {
                if inner == 'm' {
                    break;
                }
            }
        } else {
            out.push(character);
        }
    }
    out
}

#[test]
fn human_view_of_every_kind_of_change() {
    insta::assert_snapshot!(render_human(&everything(), &plain()));
}

#[test]
fn human_view_of_a_simple_plan() {
    insta::assert_snapshot!(render_human(&simple(), &plain()));
}

#[test]
fn markdown_view_of_every_kind_of_change() {
    insta::assert_snapshot!(render_markdown(&everything(), &MarkdownOptions::default()));
}

#[test]
fn markdown_view_of_a_simple_plan() {
    insta::assert_snapshot!(render_markdown(&simple(), &MarkdownOptions::default()));
}

#[test]
fn human_view_of_invitations() {
    insta::assert_snapshot!(render_human(&invitations(), &plain()));
}

#[test]
fn markdown_view_of_invitations() {
    insta::assert_snapshot!(render_markdown(&invitations(), &MarkdownOptions::default()));
}

#[test]
fn json_view_of_every_kind_of_change() {
    insta::assert_snapshot!(render_json(&everything()));
}

#[test]
fn empty_plan_says_no_changes() {
    let plan = PlanBuilder::new().build();
    let human = render_human(&plan, &plain());
    insta::assert_snapshot!("empty_human", human);
    assert_eq!(
        human.lines().last(),
        Some("No changes. The live state matches the repo.")
    );
    let markdown = render_markdown(&plan, &MarkdownOptions::default());
    insta::assert_snapshot!("empty_markdown", markdown);
}

#[test]
fn an_incomplete_plan_without_changes_does_not_claim_a_match() {
    let plan = PlanBuilder::new()
        .warning(
            Severity::Error,
            WarningCode::NoIdentityCenterInstance,
            "The organization has no IAM Identity Center instance.",
            None,
        )
        .incomplete()
        .not_applyable()
        .build();
    let human = render_human(&plan, &plain());
    assert!(!human.contains("matches the repo"), "{human}");
    assert!(
        human
            .lines()
            .last()
            .unwrap()
            .contains("the plan is incomplete")
    );
    let markdown = render_markdown(&plan, &MarkdownOptions::default());
    assert!(!markdown.contains("matches the repo"), "{markdown}");
}

#[test]
fn human_view_ends_with_terraform_summary_line() {
    let human = render_human(&everything(), &plain());
    let summary = everything().summary();
    assert_eq!(
        human.lines().last().unwrap(),
        format!(
            "Plan: {} to add, {} to change, {} to remove.",
            summary.add, summary.change, summary.remove
        )
    );
}

#[test]
fn human_view_lists_people_before_resources() {
    let human = render_human(&everything(), &plain());
    let people = human.find("alice@example.com (Alice Liddell)").unwrap();
    let resources = human.find("Resource changes").unwrap();
    assert!(people < resources);
}

#[test]
fn legend_lists_only_symbols_used() {
    let human = render_human(&simple(), &plain());
    assert!(human.contains("  + create"));
    assert!(!human.contains("update in place"));
    assert!(!human.contains("close the account"));
}

#[test]
fn no_escape_sequences_without_colour() {
    for plan in [everything(), simple(), PlanBuilder::new().build()] {
        let human = render_human(&plan, &plain());
        assert!(!human.contains('\u{1b}'), "{human}");
    }
}

#[test]
fn colour_changes_nothing_but_escape_sequences() {
    let plan = everything();
    let coloured = render_human(
        &plan,
        &HumanOptions {
            colour: true,
            ..HumanOptions::default()
        },
    );
    assert!(coloured.contains("\u{1b}["));
    assert_eq!(strip_ansi(&coloured), render_human(&plan, &plain()));
}

#[test]
fn target_label_replaces_the_endpoint_description() {
    let human = render_human(
        &simple(),
        &HumanOptions {
            target_label: Some("embedded sandbox (/repo/.monban/sandbox)".to_owned()),
            ..HumanOptions::default()
        },
    );
    assert_eq!(
        human.lines().next().unwrap(),
        "Target: embedded sandbox (/repo/.monban/sandbox) — organization o-tessera1, management account 111111111111"
    );
}

#[test]
fn width_wraps_warnings() {
    let options = HumanOptions {
        width: Some(60),
        ..HumanOptions::default()
    };
    let human = render_human(&everything(), &options);
    let warning_start = human.find("error: This plan removes").unwrap();
    let warning: Vec<&str> = human[warning_start..].lines().take(3).collect();
    assert!(
        warning.iter().all(|line| line.chars().count() <= 60),
        "{warning:#?}"
    );
    assert!(warning[1].starts_with("  "));
}

#[test]
fn markdown_starts_with_marker_and_summary() {
    let markdown = render_markdown(&everything(), &MarkdownOptions::default());
    let mut lines = markdown.lines();
    assert_eq!(lines.next(), Some(MARKDOWN_MARKER));
    let summary = lines.next().unwrap();
    assert!(summary.starts_with("### monban plan: "), "{summary}");
    assert!(summary.contains("3 people gain access"), "{summary}");
}

#[test]
fn markdown_escapes_names_in_the_table() {
    let evil = account("a|b<script>", Some("123456789012"));
    let plan = PlanBuilder::new()
        .change(create_assignment(
            &evil,
            "Read*Only",
            &group("@team"),
            Vec::new(),
        ))
        .person(gain(
            person("x|y@example.com", Some("<b>X</b>")),
            &evil,
            "Read*Only",
            &group("@team"),
            Vec::new(),
        ))
        .build();
    let markdown = render_markdown(&plan, &MarkdownOptions::default());
    let row = markdown
        .lines()
        .find(|line| line.contains("x\\|y@example.com"))
        .unwrap();
    // Five cells: six unescaped pipes.
    let unescaped_pipes = row
        .char_indices()
        .filter(|(index, character)| *character == '|' && !row[..*index].ends_with('\\'))
        .count();
    assert_eq!(unescaped_pipes, 6, "{row}");
    assert!(row.contains("&lt;b&gt;X&lt;/b&gt;"), "{row}");
    assert!(row.contains("Read\\*Only"), "{row}");
    assert!(row.contains("&#64;team"), "{row}");
    assert!(!markdown.contains("<script>"));
}

/// The comment parsed as GitHub would (`CommonMark` with tables): the first table's rows
/// as the plain text of each cell, and every raw HTML fragment.
fn parse_markdown(markdown: &str) -> (Vec<Vec<String>>, Vec<String>) {
    use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut html = Vec::new();
    let mut tables = 0;
    let mut in_first_table = false;
    for event in Parser::new_ext(markdown, Options::ENABLE_TABLES) {
        match event {
            Event::Start(Tag::Table(_)) => {
                tables += 1;
                in_first_table = tables == 1;
            }
            Event::End(TagEnd::Table) => in_first_table = false,
            Event::Start(Tag::TableHead | Tag::TableRow) if in_first_table => rows.push(Vec::new()),
            Event::Start(Tag::TableCell) if in_first_table => {
                rows.last_mut().unwrap().push(String::new());
            }
            Event::Text(text) | Event::Code(text) if in_first_table => {
                if let Some(cell) = rows.last_mut().and_then(|row| row.last_mut()) {
                    cell.push_str(&text);
                }
            }
            Event::Html(text) | Event::InlineHtml(text) => html.push(text.trim().to_owned()),
            _ => {}
        }
    }
    (rows, html)
}

/// The only HTML a comment may hold: the marker and the collapsible sections.
fn assert_only_our_html(html: &[String]) {
    for fragment in html {
        let ours = fragment == MARKDOWN_MARKER
            || fragment == "</details>"
            || (fragment.starts_with("<details><summary>") && fragment.ends_with("</summary>"));
        assert!(ours, "unexpected HTML in the comment: {fragment:?}");
    }
}

#[test]
fn markdown_parses_into_the_table_github_shows() {
    let evil = account("a|b<script>", Some("123456789012"));
    let plan = PlanBuilder::new()
        .change(create_assignment(
            &evil,
            "Read*Only_x",
            &group("@team"),
            Vec::new(),
        ))
        .person(gain(
            person("x|y@example.com", Some("<b>X</b> `tick`")),
            &evil,
            "Read*Only_x",
            &group("@team"),
            vec![in_rule("rules/a|b.yaml", 1)],
        ))
        .build();
    let (rows, html) = parse_markdown(&render_markdown(&plan, &MarkdownOptions::default()));
    assert_only_our_html(&html);
    assert_eq!(
        rows,
        vec![
            vec!["Person", "Account", "Permission set", "Change", "Via"],
            vec![
                "x|y@example.com (<b>X</b> `tick`)",
                "a|b<script>",
                "Read*Only_x",
                "+ gains",
                "via group @team — rules/a|b.yaml#1",
            ],
        ]
    );

    let (rows, html) = parse_markdown(&render_markdown(&everything(), &MarkdownOptions::default()));
    assert_only_our_html(&html);
    assert_eq!(rows.len(), 1 + 8);
    assert!(rows.iter().all(|row| row.len() == 5), "{rows:#?}");
    assert_eq!(rows[5][0], "dave@example.com disabled");
}

/// A plan with `people` people each gaining one permission set on one of 1,000 accounts
/// through a group, and one assignment change per account.
fn big(people: usize) -> Plan {
    let mut builder = PlanBuilder::new();
    for index in 0..1_000_usize {
        let name = format!("workload-{index:04}");
        let id = format!("{:012}", 100_000_000_000 + index);
        builder = builder.change(create_assignment(
            &account(&name, Some(&id)),
            "ReadOnly",
            &group(&format!("team-{index:04}")),
            vec![in_rule("rules/teams.yaml", index + 1)],
        ));
    }
    for index in 0..people {
        let account_index = index % 1_000;
        builder = builder.person(gain(
            person(
                &format!("person-{index:05}@example.com"),
                Some(&format!("Person {index}")),
            ),
            &account(
                &format!("workload-{account_index:04}"),
                Some(&format!(
                    "{:012}",
                    100_000_000_000_u64 + account_index as u64
                )),
            ),
            "ReadOnly",
            &group(&format!("team-{account_index:04}")),
            vec![in_rule("rules/teams.yaml", account_index + 1)],
        ));
    }
    builder.build()
}

#[test]
fn markdown_for_5000_people_fits_in_a_github_comment() {
    let plan = big(5_000);
    let markdown = render_markdown(&plan, &MarkdownOptions::default());
    assert!(markdown.len() < GITHUB_COMMENT_LIMIT, "{}", markdown.len());
    assert!(markdown.starts_with(&format!("{MARKDOWN_MARKER}\n")));
    let summary = markdown.lines().nth(1).unwrap();
    assert_eq!(
        summary,
        "### monban plan: 5000 people gain access, no one loses access, 1000 accounts change"
    );
    assert!(markdown.contains("\n**Plan:** 1000 to add, 0 to change, 0 to remove.\n"));
    assert!(markdown.contains("| person-00000@example.com (Person 0) |"));
    assert!(markdown.contains("… and "), "the cut is announced");
    let note = markdown.lines().last().unwrap();
    assert!(
        note.starts_with("_Left out to stay under GitHub's comment limit: "),
        "{note}"
    );
    assert!(note.contains("the resource changes"), "{note}");
    assert!(note.contains("of the 5000 access changes (of "), "{note}");
    assert!(markdown.contains("… and "));
    // Every row shown is whole.
    let rows = markdown
        .lines()
        .filter(|line| line.starts_with("| person-"))
        .count();
    assert!(rows > 100, "{rows} rows kept");
    let (table, html) = parse_markdown(&markdown);
    assert_only_our_html(&html);
    assert_eq!(table.len(), rows + 1, "every row kept is a whole table row");
    assert!(table.iter().all(|row| row.len() == 5));
}

#[test]
fn markdown_cuts_thousands_of_warnings_but_keeps_errors_first() {
    let mut builder = PlanBuilder::new().warning(
        Severity::Error,
        WarningCode::MassRemoval,
        "This plan removes 3000 assignments; safety.max_removals is 25.",
        None,
    );
    for index in 0..3_000 {
        builder = builder.warning(
            Severity::Info,
            WarningCode::UndeclaredAccount,
            &format!("Account legacy-{index:04} has no account file; it is left alone."),
            None,
        );
    }
    let mut plan = builder.not_applyable().build();
    plan.changes = big(3_000).changes;
    plan.access = big(3_000).access;
    let markdown = render_markdown(&plan, &MarkdownOptions::default());
    assert!(markdown.len() < GITHUB_COMMENT_LIMIT, "{}", markdown.len());
    assert!(markdown.contains("- **error:** This plan removes 3000 assignments"));
    assert!(markdown.contains("more warnings"));
    assert!(markdown.contains("> This plan cannot be applied"));
    let note = markdown.lines().last().unwrap();
    assert!(note.contains(" warnings; "), "{note}");
    assert!(
        markdown
            .lines()
            .filter(|line| line.starts_with("| person-"))
            .count()
            > 100
    );
}

#[test]
fn markdown_drops_resource_details_before_any_person() {
    let plan = big(300);
    let full = render_markdown(
        &plan,
        &MarkdownOptions {
            max_length: usize::MAX,
            ..MarkdownOptions::default()
        },
    );
    assert!(full.contains("```diff"));
    let budget = full.len() - 1;
    let summarized = render_markdown(
        &plan,
        &MarkdownOptions {
            max_length: budget,
            ..MarkdownOptions::default()
        },
    );
    assert!(summarized.len() <= budget);
    assert!(!summarized.contains("```diff"));
    let rows = summarized
        .lines()
        .filter(|line| line.starts_with("| person-"))
        .count();
    assert_eq!(rows, 300, "the whole person table stays");
    assert!(summarized.contains("- Account workload-0000 (100000000000): 1 to add"));
    assert!(
        summarized
            .lines()
            .last()
            .unwrap()
            .contains("the field-by-field resource changes")
    );
}

#[test]
fn markdown_collapses_a_long_person_table() {
    let markdown = render_markdown(&big(60), &MarkdownOptions::default());
    assert!(markdown.contains("<details><summary>60 access changes for 60 people</summary>"));
    let short = render_markdown(&simple(), &MarkdownOptions::default());
    assert!(!short.contains("access changes for"));
}

#[test]
fn json_round_trips_into_an_equal_plan() {
    for plan in [everything(), simple(), PlanBuilder::new().build(), big(10)] {
        assert_eq!(parse_json(&render_json(&plan)).unwrap(), plan);
    }
}

#[test]
fn json_is_stable() {
    assert_eq!(render_json(&everything()), render_json(&everything()));
}

#[test]
fn parse_json_refuses_another_format_version() {
    let mut value: serde_json::Value = serde_json::from_str(&render_json(&simple())).unwrap();
    value["format_version"] = serde_json::json!(PLAN_FORMAT_VERSION + 1);
    let error = parse_json(&value.to_string()).unwrap_err();
    assert!(
        matches!(
            error,
            PlanJsonError::UnsupportedFormatVersion { found, supported }
                if found == u64::from(PLAN_FORMAT_VERSION + 1) && supported == PLAN_FORMAT_VERSION
        ),
        "{error:?}"
    );
    assert_eq!(
        error.to_string(),
        format!(
            "the plan is in format version {}, and this monban reads version {PLAN_FORMAT_VERSION}; make the plan again with this monban version",
            PLAN_FORMAT_VERSION + 1
        )
    );
}

#[test]
fn parse_json_names_what_is_wrong() {
    assert!(matches!(
        parse_json("{ not json"),
        Err(PlanJsonError::Syntax(_))
    ));
    assert!(matches!(
        parse_json(r#"{"changes": []}"#),
        Err(PlanJsonError::MissingFormatVersion)
    ));
    assert!(matches!(
        parse_json(&format!(r#"{{"format_version": {PLAN_FORMAT_VERSION}}}"#)),
        Err(PlanJsonError::Shape { .. })
    ));
}

#[test]
fn a_plan_without_identity_center_is_incomplete() {
    let plan = PlanBuilder::new()
        .change(blocked(
            create_assignment(
                &account("payments-prod", Some("210987654321")),
                "ReadOnly",
                &group("engineers"),
                vec![in_account_file("payments-prod")],
            ),
            vec![Blocker::NoIdentityCenterInstance],
        ))
        .warning(
            Severity::Error,
            WarningCode::NoIdentityCenterInstance,
            "The organization has no IAM Identity Center instance: enable Identity Center, then plan again.",
            None,
        )
        .incomplete()
        .not_applyable()
        .build();
    insta::assert_snapshot!(render_human(&plan, &plain()));
}

/// The simple plan with what monban-plan flags for a reviewer: risks and grants ending soon.
fn flagged() -> Plan {
    let mut plan = simple();
    plan.risks = vec![
        monban_plan::Risk {
            kind: monban_plan::RiskKind::AdministratorAccess,
            message: "group:payments-sre gains administrator access (AdministratorAccess) on payments-prod".to_owned(),
            address: None,
        },
        monban_plan::Risk {
            kind: monban_plan::RiskKind::RoleArnsChange,
            message: "ReadOnly is renamed to Viewer: its AWSReservedSSO roles get new ARNs in every account (payments-prod); trust, resource and key policies naming the old ARNs stop matching".to_owned(),
            address: None,
        },
    ];
    plan.expiring = vec![monban_plan::ExpiringGrant {
        account: "payments-prod".to_owned(),
        permission_set: "ReadOnly".to_owned(),
        principal: monban_plan::Principal::named(
            monban_plan::PrincipalKind::User,
            "alice@example.com",
            None,
        ),
        until: date(2026, 12, 1),
        days_left: 2,
        reason: Some("INC-4211 | audit".to_owned()),
        owners: vec!["@example/payments-sre".to_owned()],
    }];
    plan
}

#[test]
fn risks_come_first_and_grants_ending_soon_are_listed() {
    let markdown = render_markdown(&flagged(), &MarkdownOptions::default());
    let risks = markdown
        .find("**Look at these first:**")
        .expect("risks shown");
    let people = markdown
        .find("#### Who gains or loses access")
        .expect("people shown");
    assert!(risks < people, "risks come before the person table");
    insta::assert_snapshot!("markdown_flagged", markdown);
    insta::assert_snapshot!("human_flagged", render_human(&flagged(), &plain()));
}

#[test]
fn the_comment_lists_at_most_twenty_risks_and_fifty_grants_ending_soon() {
    let mut plan = flagged();
    plan.risks = (0..45)
        .map(|index| monban_plan::Risk {
            kind: monban_plan::RiskKind::AdministratorAccess,
            message: format!(
                "group:team-{index} gains administrator access (Admin) on account-{index}"
            ),
            address: None,
        })
        .collect();
    let markdown = render_markdown(&plan, &MarkdownOptions::default());
    assert_eq!(
        markdown.matches("> - **administrator access:**").count(),
        20
    );
    assert!(markdown.contains("> - … and 25 more risks (`monban plan` lists them all)"));
    let human = render_human(&plan, &plain());
    assert_eq!(human.matches("! administrator access:").count(), 45);

    let grant = plan.expiring[0].clone();
    plan.expiring = vec![grant; 70];
    let markdown = render_markdown(&plan, &MarkdownOptions::default());
    assert_eq!(
        markdown
            .matches("| user alice@example.com | ReadOnly |")
            .count(),
        50
    );
    assert!(
        markdown.contains("… and 20 more grants (`monban plan --expiring-within` lists them all).")
    );
}
