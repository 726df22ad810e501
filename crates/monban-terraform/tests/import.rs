//! `monban import terraform` on the fixtures under `tests/fixtures/import/`: each is a
//! Terraform configuration written the way real repositories are, with the model it must
//! import to written beside it by hand (`expected.json`), compared structurally: accounts,
//! OUs, permission sets (inline policies as parsed JSON), assignments as sets, the
//! directory snapshot, and every note by its `file:line` and a part of its reason.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use monban_terraform::import::{ImportOptions, Imported, VariableArgument, import};
use serde_json::{Value, json};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/import")
        .join(name)
}

/// The imported model in the shape of `expected.json`.
fn normalize(imported: &Imported) -> Value {
    let repo = &imported.repo;
    let mut accounts = serde_json::Map::new();
    for account in repo.accounts.values() {
        let mut entry = serde_json::Map::new();
        if let Some(id) = &account.id {
            entry.insert("id".into(), json!(id.as_str()));
        }
        if let Some(email) = &account.root_email {
            entry.insert("email".into(), json!(email.address.as_str()));
        }
        if let Some(ou) = &account.ou {
            entry.insert("ou".into(), json!(ou.to_string()));
        }
        if !account.tags.is_empty() {
            let tags: BTreeMap<&str, &str> = account
                .tags
                .iter()
                .map(|(key, value)| (key.as_str(), value.as_str()))
                .collect();
            entry.insert("tags".into(), json!(tags));
        }
        let access: BTreeMap<&str, BTreeSet<String>> = account
            .access
            .iter()
            .map(|(permission_set, grants)| {
                (
                    permission_set.as_str(),
                    grants
                        .iter()
                        .map(|grant| grant.principal.to_string())
                        .collect(),
                )
            })
            .collect();
        if !access.is_empty() {
            entry.insert("access".into(), json!(access));
        }
        accounts.insert(account.name.as_str().to_owned(), Value::Object(entry));
    }
    let mut permission_sets = serde_json::Map::new();
    for permission_set in repo.permission_sets.values() {
        let mut entry = serde_json::Map::new();
        if let Some(description) = &permission_set.description {
            entry.insert("description".into(), json!(description.as_str()));
        }
        entry.insert(
            "session_duration".into(),
            json!(permission_set.session_duration.to_string()),
        );
        if let Some(relay_state) = &permission_set.relay_state {
            entry.insert("relay_state".into(), json!(relay_state.as_str()));
        }
        if !permission_set.managed_policies.is_empty() {
            let arns: BTreeSet<&str> = permission_set
                .managed_policies
                .iter()
                .map(monban_model::ManagedPolicyArn::as_str)
                .collect();
            entry.insert("managed_policies".into(), json!(arns));
        }
        if !permission_set.customer_managed_policies.is_empty() {
            let policies: BTreeSet<String> = permission_set
                .customer_managed_policies
                .iter()
                .map(|policy| format!("{}{}", policy.path.as_str(), policy.name.as_str()))
                .collect();
            entry.insert("customer_managed_policies".into(), json!(policies));
        }
        if let Some(policy) = &permission_set.inline_policy {
            let parsed: Value = serde_json::from_str(policy.as_str()).expect("inline policy JSON");
            entry.insert("inline_policy".into(), parsed);
        }
        match &permission_set.permissions_boundary {
            Some(monban_model::PermissionsBoundary::ManagedPolicy(arn)) => {
                entry.insert("permissions_boundary".into(), json!(arn.as_str()));
            }
            Some(monban_model::PermissionsBoundary::CustomerManagedPolicy(policy)) => {
                entry.insert(
                    "permissions_boundary".into(),
                    json!(format!("{}{}", policy.path.as_str(), policy.name.as_str())),
                );
            }
            None => {}
        }
        if !permission_set.tags.is_empty() {
            let tags: BTreeMap<&str, &str> = permission_set
                .tags
                .iter()
                .map(|(key, value)| (key.as_str(), value.as_str()))
                .collect();
            entry.insert("tags".into(), json!(tags));
        }
        permission_sets.insert(
            permission_set.name.as_str().to_owned(),
            Value::Object(entry),
        );
    }
    let directory_users: BTreeMap<&str, Value> = imported
        .directory
        .users
        .values()
        .map(|user| {
            (
                user.user_name.as_str(),
                json!({
                    "display_name": user.display_name.as_str(),
                    "given_name": user.given_name.as_str(),
                    "family_name": user.family_name.as_str(),
                    "email": user.email.as_str(),
                }),
            )
        })
        .collect();
    let directory_groups: BTreeMap<&str, BTreeSet<&str>> = imported
        .directory
        .groups
        .values()
        .map(|group| {
            (
                group.display_name.as_str(),
                group
                    .members
                    .iter()
                    .map(monban_model::UserName::as_str)
                    .collect(),
            )
        })
        .collect();
    json!({
        "region": repo.settings.identity_center.region.as_str(),
        "ous": repo.settings.organization.ous.iter().map(ToString::to_string).collect::<Vec<_>>(),
        "accounts": accounts,
        "permission_sets": permission_sets,
        "groups": repo.groups.iter().map(monban_model::GroupName::as_str).collect::<Vec<_>>(),
        "users": repo.users.iter().map(monban_model::UserName::as_str).collect::<Vec<_>>(),
        "directory": { "users": directory_users, "groups": directory_groups },
    })
}

/// Imports `name` and compares with its `expected.json`; notes are compared as
/// `file:line` plus a part of the reason (`"notes": [["main.tf:3", "not part of"]]`).
fn check(name: &str, options: impl FnOnce(&mut ImportOptions)) {
    let root = fixture(name);
    let mut import_options = ImportOptions {
        terraform_dir: root.join("terraform"),
        ..ImportOptions::default()
    };
    options(&mut import_options);
    let imported = import(&import_options).unwrap_or_else(|error| panic!("{name}: {error}"));
    let expected_text = std::fs::read_to_string(root.join("expected.json")).expect("expected.json");
    let mut expected: Value = serde_json::from_str(&expected_text).expect("expected.json is JSON");
    let expected_notes = expected
        .as_object_mut()
        .and_then(|object| object.remove("notes"))
        .unwrap_or_else(|| json!([]));
    let actual = normalize(&imported);
    assert_eq!(
        actual,
        expected,
        "{name}: the imported model differs from expected.json; imported:\n{}\nnotes:\n{}",
        serde_json::to_string_pretty(&actual).unwrap_or_default(),
        imported
            .notes
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n")
    );
    let actual_notes: Vec<String> = imported.notes.iter().map(ToString::to_string).collect();
    let expected_notes: Vec<(String, String)> =
        serde_json::from_value(expected_notes).expect("notes are [location, part] pairs");
    assert_eq!(
        actual_notes.len(),
        expected_notes.len(),
        "{name}: notes differ:\n{}",
        actual_notes.join("\n")
    );
    for ((location, part), note) in expected_notes.iter().zip(&actual_notes) {
        assert!(
            note.starts_with(&format!("{location}: ")) && note.contains(part.as_str()),
            "{name}: expected a note at {location} containing `{part}`, got `{note}`; all notes:\n{}",
            actual_notes.join("\n")
        );
    }
}

#[test]
fn raw_resources_with_for_each() {
    check("raw-for-each", |_| {});
}

#[test]
fn module_style_layout_with_maps_and_optional_attributes() {
    check("module-style", |_| {});
}

#[test]
fn tfvars_override_defaults_in_terraform_precedence() {
    check("tfvars", |_| {});
}

#[test]
fn var_flags_win_over_every_file() {
    let root = fixture("tfvars");
    let imported = import(&ImportOptions {
        terraform_dir: root.join("terraform"),
        variable_arguments: vec![VariableArgument::Value {
            name: "admin_group".to_owned(),
            value: "breakglass".to_owned(),
        }],
        ..ImportOptions::default()
    })
    .expect("imports");
    let account = imported.repo.accounts.values().next().expect("an account");
    let admins: Vec<String> = account
        .access
        .values()
        .next()
        .expect("Admin")
        .iter()
        .map(|grant| grant.principal.to_string())
        .collect();
    assert_eq!(admins, ["group breakglass"]);
}

#[test]
fn state_resolves_literal_ids_and_arns() {
    check("state", |options| {
        options.state = Some(fixture("state").join("terraform/terraform.tfstate"));
    });
}

#[test]
fn without_the_state_literal_ids_are_reported_not_guessed() {
    let imported = import(&ImportOptions {
        terraform_dir: fixture("state").join("terraform"),
        ..ImportOptions::default()
    })
    .expect("imports");
    let notes: Vec<String> = imported.notes.iter().map(ToString::to_string).collect();
    for line in [58, 64, 73] {
        assert!(
            notes
                .iter()
                .any(|note| note.starts_with(&format!("main.tf:{line}: "))
                    && note.contains("--state")),
            "no note for main.tf:{line}:\n{}",
            notes.join("\n")
        );
    }
}

#[test]
fn untranslatable_constructs_are_reported_at_their_lines() {
    check("unsupported", |_| {});
}

#[test]
fn a_syntax_error_is_an_error_with_file_line_and_column() {
    let directory =
        std::env::temp_dir().join(format!("monban-import-syntax-{}", std::process::id()));
    std::fs::create_dir_all(&directory).expect("temp dir");
    std::fs::write(directory.join("main.tf"), "locals {\n  a = [1,\n}\n").expect("write");
    let error = import(&ImportOptions {
        terraform_dir: directory.clone(),
        ..ImportOptions::default()
    })
    .expect_err("a syntax error");
    assert!(error.to_string().starts_with("main.tf:3:1: "), "{error}");
    std::fs::remove_dir_all(directory).expect("cleanup");
}

/// Everything an access repo makes true, in a form two repos can be compared by: accounts
/// (id, e-mail, OU, tags), permission sets, OUs, and the active assignments as a set —
/// rules expanded, so a rule and the explicit grants it stands for compare equal.
fn effective(repo: &monban_model::Repo, today: jiff::civil::Date) -> Value {
    let accounts: BTreeMap<&str, Value> = repo
        .accounts
        .values()
        .map(|account| {
            let tags: BTreeMap<&str, &str> = account
                .tags
                .iter()
                .map(|(key, value)| (key.as_str(), value.as_str()))
                .collect();
            (
                account.name.as_str(),
                json!({
                    "id": account.id.as_ref().map(monban_model::AccountId::as_str),
                    "email": account.root_email.as_ref().map(|email| email.address.as_str()),
                    "ou": account.ou.as_ref().map(ToString::to_string),
                    "tags": tags,
                }),
            )
        })
        .collect();
    let assignments: BTreeSet<String> = repo
        .assignments()
        .into_iter()
        .filter(|assignment| assignment.is_active_on(today))
        .map(|assignment| {
            format!(
                "{} / {} / {}",
                assignment.account, assignment.permission_set, assignment.principal
            )
        })
        .collect();
    let permission_sets: BTreeMap<&str, String> =
        repo.permission_sets
            .values()
            .map(|permission_set| {
                let mut comparable = permission_set.clone();
                // Compared as parsed JSON below; the text may be laid out differently.
                comparable.inline_policy = None;
                // Attached policies are sets in AWS: their order carries no meaning.
                comparable
                    .managed_policies
                    .sort_by(|left, right| left.as_str().cmp(right.as_str()));
                comparable.customer_managed_policies.sort();
                let policy = permission_set.inline_policy.as_ref().map(|policy| {
                    serde_json::from_str::<Value>(policy.as_str()).expect("policy JSON")
                });
                (
                    permission_set.name.as_str(),
                    format!("{comparable:?} {policy:?}"),
                )
            })
            .collect();
    json!({
        "ous": repo.settings.organization.ous.iter().map(ToString::to_string).collect::<Vec<_>>(),
        "accounts": accounts,
        "permission_sets": permission_sets,
        "assignments": assignments,
    })
}

#[test]
fn round_trip_repo_export_import_gives_the_same_model() {
    let today = jiff::civil::date(2026, 11, 29);
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/holding");
    let options = monban_config::LoadOptions {
        today,
        directory: None,
    };
    let (repo, diagnostics) = monban_config::load_repo(&example, &options).expect("loads");
    assert!(!diagnostics.has_errors(), "the example repo is valid");
    let export = monban_terraform::export::export(monban_terraform::export::ExportInput {
        repo: &repo,
        today,
        live: None,
    });
    let terraform = tempfile::tempdir().expect("temp dir");
    for (path, text) in &export.files {
        let target = terraform.path().join(path);
        std::fs::create_dir_all(target.parent().expect("a parent")).expect("dir");
        std::fs::write(target, text).expect("write");
    }
    let imported = import(&ImportOptions {
        terraform_dir: terraform.path().to_path_buf(),
        ..ImportOptions::default()
    })
    .unwrap_or_else(|error| panic!("{error}"));
    let notes: Vec<String> = imported.notes.iter().map(ToString::to_string).collect();
    // The export refers to the account it cannot manage (the management account) through
    // `local.account_ids`, by name and id only: the import names its file right, but its
    // e-mail and tags are not in the export. That is the one expected difference; everything
    // else must come back equal.
    let mut expected = repo.clone();
    let management = expected
        .accounts
        .get_mut("org-management")
        .expect("the example's management account");
    management.root_email = None;
    management.tags.clear();
    assert_eq!(
        imported
            .repo
            .accounts
            .get("org-management")
            .and_then(|account| account.id.as_ref())
            .map(monban_model::AccountId::as_str),
        Some("111111111111")
    );
    assert_eq!(
        effective(&imported.repo, today),
        effective(&expected, today),
        "notes:\n{}",
        notes.join("\n")
    );
}

#[test]
fn a_module_called_once_per_account_with_for_each() {
    check("module-for-each", |_| {});
}

#[test]
fn greenfield_configuration_with_identities_organization_and_access() {
    check("greenfield", |_| {});
}

/// An assignment map keyed `admins-prod` mentions the account id, but is no name for the
/// account: the organization's name from the state wins over it; a map from names to ids
/// wins over both.
#[test]
fn accounts_known_by_id_take_the_best_name_available() {
    let directory = tempfile::tempdir().expect("temp dir");
    let write = |text: &str| std::fs::write(directory.path().join("main.tf"), text).expect("write");
    let assignments = r#"
resource "aws_ssoadmin_permission_set" "admin" {
  name         = "Admin"
  instance_arn = "arn:aws:sso:::instance/ssoins-1"
}

data "aws_identitystore_group" "admins" {
  identity_store_id = "d-1"
  filter {
    attribute_path  = "DisplayName"
    attribute_value = "admins"
  }
}

resource "aws_ssoadmin_account_assignment" "this" {
  for_each = local.assignments

  instance_arn       = "arn:aws:sso:::instance/ssoins-1"
  permission_set_arn = aws_ssoadmin_permission_set.admin.arn
  principal_id       = data.aws_identitystore_group.admins.group_id
  principal_type     = "GROUP"
  target_id          = each.value.account_id
  target_type        = "AWS_ACCOUNT"
}
"#;
    let state = directory.path().join("state.json");
    std::fs::write(
        &state,
        r#"{"version":4,"resources":[{"mode":"data","type":"aws_organizations_organization","name":"org",
            "instances":[{"attributes":{"accounts":[{"id":"123456789012","name":"production"}]}}]}]}"#,
    )
    .expect("write");
    let names = |with_state: bool| -> Vec<String> {
        let imported = import(&ImportOptions {
            terraform_dir: directory.path().to_path_buf(),
            state: with_state.then(|| state.clone()),
            ..ImportOptions::default()
        })
        .expect("imports");
        imported
            .repo
            .accounts
            .keys()
            .map(|name| name.as_str().to_owned())
            .collect()
    };
    write(&format!(
        "locals {{\n  assignments = {{ admins-prod = {{ account_id = \"123456789012\" }} }}\n}}\n{assignments}"
    ));
    assert_eq!(names(false), ["admins-prod"]);
    assert_eq!(names(true), ["production"]);
    write(&format!(
        "locals {{\n  accounts    = {{ prod = \"123456789012\" }}\n  assignments = {{ admins-prod = {{ account_id = local.accounts[\"prod\"] }} }}\n}}\n{assignments}"
    ));
    assert_eq!(names(true), ["prod"]);
}

#[test]
fn permission_set_and_assignment_modules_wired_through_outputs() {
    check("two-modules", |_| {});
}

/// The fixtures are written as real repositories are: `terraform fmt` leaves them alone.
/// Skipped where no `terraform` binary is installed.
#[test]
fn fixtures_are_terraform_fmt_clean() {
    let Some(terraform) = std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path)
            .map(|dir| dir.join("terraform"))
            .find(|candidate| candidate.is_file())
    }) else {
        return;
    };
    let output = std::process::Command::new(terraform)
        .args(["fmt", "-check", "-recursive", "-no-color"])
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/import"))
        .env("TF_CLI_CONFIG_FILE", "/dev/null")
        .output()
        .expect("terraform runs");
    assert!(
        output.status.success(),
        "terraform fmt would change:\n{}",
        String::from_utf8_lossy(&output.stdout)
    );
}

#[test]
fn cdktf_json_configuration_mixed_with_hcl() {
    check("cdktf", |_| {});
}

/// Every source of variable values at once, as Terraform orders them (checked against
/// `terraform apply` with the same files, environment and flags): `default`, `TF_VAR_*`,
/// `terraform.tfvars`, `terraform.tfvars.json`, `*.auto.tfvars` and `*.auto.tfvars.json`
/// in name order, then `--var-file` and `--var` in the order given. A `TF_VAR_` for an
/// undeclared variable is ignored without a note, as Terraform does; a value in a file is a
/// note at its line.
#[test]
fn every_source_of_variable_values_in_terraform_precedence() {
    let mut environment: BTreeMap<String, String> = [
        "from_environment",
        "from_tfvars",
        "from_tfvars_json",
        "from_auto_a",
        "from_auto_b_json",
        "from_auto_c",
        "from_var_file",
        "from_var",
    ]
    .into_iter()
    .map(|name| (format!("TF_VAR_{name}"), "environment".to_owned()))
    .collect();
    environment.insert(
        "TF_VAR_session_durations".to_owned(),
        "{ environment = \"PT2H\" }".to_owned(),
    );
    environment.insert("TF_VAR_undeclared".to_owned(), "x".to_owned());
    environment.insert("HOME".to_owned(), "/root".to_owned());
    check("precedence", |options| {
        options.environment = environment;
        // `--var from_var_file=--var-early --var-file prod.tfvars.json --var from_var=--var`:
        // the file given after the first flag wins over it.
        options.variable_arguments = vec![
            VariableArgument::Value {
                name: "from_var_file".to_owned(),
                value: "--var-early".to_owned(),
            },
            VariableArgument::File(fixture("precedence").join("terraform/prod.tfvars.json")),
            VariableArgument::Value {
                name: "from_var".to_owned(),
                value: "--var".to_owned(),
            },
        ];
    });
}

/// A `TF_VAR_` value is a string for a variable without a type or with a primitive one,
/// and HCL for any other type (`any` included), as Terraform reads it; a value that does not
/// parse is an error naming the environment variable.
#[test]
fn environment_values_are_strings_or_hcl_by_the_variable_type() {
    let directory = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        directory.path().join("main.tf.json"),
        r#"{
  "variable": {
    "untyped": {},
    "text": { "type": "string" },
    "anything": { "type": "any" }
  },
  "resource": {
    "aws_ssoadmin_permission_set": {
      "this": {
        "for_each": "${{ untyped = var.untyped, text = var.text, anything = jsonencode(var.anything) }}",
        "name": "${each.key}",
        "description": "${each.value}",
        "instance_arn": "arn:aws:sso:::instance/ssoins-1"
      }
    }
  }
}
"#,
    )
    .expect("write");
    let environment = |anything: &str| -> BTreeMap<String, String> {
        [
            ("TF_VAR_untyped", "[1, 2]"),
            ("TF_VAR_text", "{ a = 1 }"),
            ("TF_VAR_anything", anything),
        ]
        .into_iter()
        .map(|(name, value)| (name.to_owned(), value.to_owned()))
        .collect()
    };
    let imported = import(&ImportOptions {
        terraform_dir: directory.path().to_path_buf(),
        environment: environment("{ a = [1, \"b\"] }"),
        ..ImportOptions::default()
    })
    .unwrap_or_else(|error| panic!("{error}"));
    let descriptions: BTreeMap<&str, &str> = imported
        .repo
        .permission_sets
        .values()
        .map(|permission_set| {
            (
                permission_set.name.as_str(),
                permission_set
                    .description
                    .as_ref()
                    .map_or("", |description| description.as_str()),
            )
        })
        .collect();
    assert_eq!(
        descriptions,
        BTreeMap::from([
            ("anything", r#"{"a":[1,"b"]}"#),
            ("text", "{ a = 1 }"),
            ("untyped", "[1, 2]"),
        ])
    );
    let error = import(&ImportOptions {
        terraform_dir: directory.path().to_path_buf(),
        environment: environment("[1,"),
        ..ImportOptions::default()
    })
    .expect_err("an unparsable value");
    assert!(
        error
            .to_string()
            .starts_with("the environment variable `TF_VAR_anything`: "),
        "{error}"
    );
}

/// Errors in a `.tf.json` file are at their line and column in the JSON, whether the JSON
/// is malformed, the structure is not Terraform's, or an expression inside a string does
/// not parse.
#[test]
fn json_configuration_errors_are_at_their_json_lines() {
    let directory = tempfile::tempdir().expect("temp dir");
    let error_for = |text: &str| -> String {
        std::fs::write(directory.path().join("main.tf.json"), text).expect("write");
        import(&ImportOptions {
            terraform_dir: directory.path().to_path_buf(),
            ..ImportOptions::default()
        })
        .expect_err("an error")
        .to_string()
    };
    let malformed = error_for("{\n  \"locals\": {\n    \"a\": 1,\n  }\n}\n");
    assert!(malformed.starts_with("main.tf.json:4:3: "), "{malformed}");
    let structure = error_for("{\n  \"variable\": {\n    \"a\": \"b\"\n  }\n}\n");
    assert!(
        structure.starts_with("main.tf.json:3:10: a JSON object or array is required"),
        "{structure}"
    );
    let expression =
        error_for("{\n  \"locals\": {\n    \"a\": 1,\n    \"b\": \"${1 +}\"\n  }\n}\n");
    assert!(expression.starts_with("main.tf.json:4:"), "{expression}");
}

/// `dynamic` blocks in JSON (`"dynamic": { "statement": { …, "content": { … } } }`, as
/// CDKTF writes iterators) expand like their native form, nested blocks inside included.
#[test]
fn json_dynamic_blocks_expand_like_native_ones() {
    let directory = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        directory.path().join("main.tf.json"),
        r#"{
  "locals": {
    "denied": { "${upper(\"billing\")}": ["aws-portal:*"], "LEAVE": ["organizations:LeaveOrganization"] }
  },
  "data": {
    "aws_iam_policy_document": {
      "guardrails": {
        "dynamic": {
          "statement": {
            "for_each": "${local.denied}",
            "iterator": "denial",
            "content": {
              "sid": "Deny${denial.key}",
              "effect": "Deny",
              "actions": "${denial.value}",
              "resources": ["*"],
              "condition": { "test": "Bool", "variable": "aws:ViaAWSService", "values": ["false"] }
            }
          }
        }
      }
    }
  },
  "resource": {
    "aws_ssoadmin_permission_set": {
      "guarded": { "name": "Guarded", "instance_arn": "arn:aws:sso:::instance/ssoins-1" }
    },
    "aws_ssoadmin_permission_set_inline_policy": {
      "guarded": {
        "instance_arn": "arn:aws:sso:::instance/ssoins-1",
        "permission_set_arn": "${aws_ssoadmin_permission_set.guarded.arn}",
        "inline_policy": "${data.aws_iam_policy_document.guardrails.json}"
      }
    }
  }
}
"#,
    )
    .expect("write");
    let imported = import(&ImportOptions {
        terraform_dir: directory.path().to_path_buf(),
        ..ImportOptions::default()
    })
    .unwrap_or_else(|error| panic!("{error}"));
    let policy = imported
        .repo
        .permission_sets
        .values()
        .next()
        .and_then(|permission_set| permission_set.inline_policy.as_ref())
        .expect("an inline policy");
    let condition = json!({ "Bool": { "aws:ViaAWSService": "false" } });
    assert_eq!(
        serde_json::from_str::<Value>(policy.as_str()).expect("JSON"),
        json!({
            "Version": "2012-10-17",
            "Statement": [
                { "Sid": "DenyBILLING", "Effect": "Deny", "Action": "aws-portal:*", "Resource": "*", "Condition": condition },
                { "Sid": "DenyLEAVE", "Effect": "Deny", "Action": "organizations:LeaveOrganization", "Resource": "*", "Condition": condition },
            ]
        })
    );
}
