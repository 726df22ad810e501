//! Writing a [`Repo`] back out as an access repo: `monban.yaml`, one file per account and
//! permission set (plus `<Name>.policy.json`), `groups.yaml` and the rule files.
//!
//! Every string is written double-quoted with JSON escapes (a JSON string is a valid YAML
//! double-quoted scalar), so no value can be misread as a number, boolean or null. The
//! output loads back into an equal `Repo` (a property test holds it to that).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use monban_model::{
    Account, CustomerManagedPolicy, Directory, PermissionSet, PermissionsBoundary, PrincipalRef,
    Repo, Rule, Tags, Target,
};

/// A failure to write one file.
#[derive(Debug, thiserror::Error)]
#[error("cannot write `{}`", path.display())]
pub struct WriteError {
    pub path: PathBuf,
    #[source]
    pub source: std::io::Error,
}

/// Writes `repo` under `root` (created if missing). Existing files of the same names are
/// replaced; other files are left alone.
pub fn write_repo(repo: &Repo, root: &Path) -> Result<(), WriteError> {
    for (relative, text) in render_repo(repo) {
        let path = root.join(&relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|source| WriteError {
                path: parent.to_path_buf(),
                source,
            })?;
        }
        std::fs::write(&path, text).map_err(|source| WriteError { path, source })?;
    }
    Ok(())
}

/// The files of `repo`: path relative to the root → content.
#[must_use]
pub fn render_repo(repo: &Repo) -> BTreeMap<PathBuf, String> {
    let mut files = BTreeMap::new();
    files.insert(PathBuf::from("monban.yaml"), settings(repo));
    for account in repo.accounts.values() {
        files.insert(
            PathBuf::from("accounts").join(format!("{}.yaml", account.name)),
            account_file(account),
        );
    }
    for permission_set in repo.permission_sets.values() {
        files.insert(
            PathBuf::from("permission-sets").join(format!("{}.yaml", permission_set.name)),
            permission_set_file(permission_set),
        );
        if let Some(policy) = &permission_set.inline_policy {
            files.insert(
                PathBuf::from("permission-sets")
                    .join(format!("{}.policy.json", permission_set.name)),
                policy.as_str().to_owned(),
            );
        }
    }
    let mut groups = String::from("groups:\n");
    for group in &repo.groups {
        let _ = writeln!(groups, "  - {}", quote(group.as_str()));
    }
    groups.push_str("users:\n");
    for user in &repo.users {
        let _ = writeln!(groups, "  - {}", quote(user.as_str()));
    }
    files.insert(PathBuf::from("groups.yaml"), groups);
    let mut rule_files: BTreeMap<&str, String> = BTreeMap::new();
    for rule in &repo.rules {
        rule_text(rule_files.entry(rule.id.file.as_str()).or_default(), rule);
    }
    for (file, text) in rule_files {
        files.insert(PathBuf::from(file), text);
    }
    files
}

/// An IdP directory snapshot file (`directory.yaml`, `docs/reference/directory.md`), headed
/// by `header` as `#` comment lines. It loads back into an equal [`Directory`].
#[must_use]
pub fn render_directory(directory: &Directory, header: &str) -> String {
    let mut out = String::new();
    for line in header.lines() {
        let _ = writeln!(out, "# {line}");
    }
    out.push_str("users:");
    if directory.users.is_empty() {
        out.push_str(" []");
    }
    out.push('\n');
    for user in directory.users.values() {
        let _ = writeln!(out, "  - user_name: {}", quote(user.user_name.as_str()));
        let _ = writeln!(
            out,
            "    display_name: {}",
            quote(user.display_name.as_str())
        );
        let _ = writeln!(out, "    given_name: {}", quote(user.given_name.as_str()));
        let _ = writeln!(out, "    family_name: {}", quote(user.family_name.as_str()));
        let _ = writeln!(out, "    email: {}", quote(user.email.as_str()));
        if !user.active {
            out.push_str("    active: false\n");
        }
    }
    out.push_str("groups:");
    if directory.groups.is_empty() {
        out.push_str(" []");
    }
    out.push('\n');
    for group in directory.groups.values() {
        let _ = writeln!(
            out,
            "  - display_name: {}",
            quote(group.display_name.as_str())
        );
        if let Some(description) = &group.description {
            let _ = writeln!(out, "    description: {}", quote(description.as_str()));
        }
        let members: Vec<String> = group
            .members
            .iter()
            .map(|member| quote(member.as_str()))
            .collect();
        let _ = writeln!(out, "    members: [{}]", members.join(", "));
    }
    out
}

/// A YAML double-quoted scalar (JSON string syntax).
fn quote(text: &str) -> String {
    // Serializing a &str to JSON cannot fail.
    serde_json::to_string(text).unwrap_or_else(|_| format!("\"{text}\""))
}

fn principal(principal: &PrincipalRef) -> String {
    format!("{}: {}", principal.kind(), quote(principal.name()))
}

fn tags(out: &mut String, indent: &str, tags: &Tags) {
    for (key, value) in tags {
        let _ = writeln!(
            out,
            "{indent}{}: {}",
            quote(key.as_str()),
            quote(value.as_str())
        );
    }
}

fn settings(repo: &Repo) -> String {
    let settings = &repo.settings;
    let mut out = String::new();
    if let Target::Aws { profile, region } = &settings.target {
        out.push_str("target:\n  aws:\n");
        if let Some(profile) = profile {
            let _ = writeln!(out, "    profile: {}", quote(profile.as_str()));
        }
        let _ = writeln!(out, "    region: {}", quote(region.as_str()));
    }
    let organization = &settings.organization;
    out.push_str("organization:\n");
    if let Some(account) = &organization.management_account {
        let _ = writeln!(out, "  management_account: {}", quote(account.as_str()));
    }
    if let Some(template) = &organization.root_email {
        let _ = writeln!(out, "  root_email: {}", quote(template.as_str()));
    }
    out.push_str("  ous:\n");
    for ou in &organization.ous {
        let _ = writeln!(out, "    - {}", quote(&ou.to_string()));
    }
    let _ = writeln!(
        out,
        "identity_center:\n  region: {}\n  identity_source: {}",
        quote(settings.identity_center.region.as_str()),
        settings.identity_center.identity_source.as_str()
    );
    let safety = &settings.safety;
    let _ = writeln!(
        out,
        "safety:\n  exclusive: {}\n  max_removals: {}\n  protected:",
        safety.exclusive, safety.max_removals
    );
    for protected in &safety.protected {
        let _ = writeln!(
            out,
            "    - {{ account: {}, permission_set: {}, {} }}",
            quote(protected.account.as_str()),
            quote(protected.permission_set.as_str()),
            principal(&protected.principal)
        );
    }
    if !settings.codeowners.default.is_empty() {
        out.push_str("codeowners:\n  default:\n");
        for owner in &settings.codeowners.default {
            let _ = writeln!(out, "    - {}", quote(owner));
        }
    }
    out
}

fn account_file(account: &Account) -> String {
    let mut out = String::new();
    if let Some(id) = &account.id {
        let _ = writeln!(out, "id: {}", quote(id.as_str()));
    }
    if let Some(email) = account.root_email.as_ref().filter(|email| !email.derived) {
        let _ = writeln!(out, "email: {}", quote(email.address.as_str()));
    }
    if let Some(ou) = &account.ou {
        let _ = writeln!(out, "ou: {}", quote(&ou.to_string()));
    }
    if !account.owners.is_empty() {
        out.push_str("owners:\n");
        for owner in &account.owners {
            let _ = writeln!(out, "  - {}", quote(owner));
        }
    }
    if !account.tags.is_empty() {
        out.push_str("tags:\n");
        tags(&mut out, "  ", &account.tags);
    }
    if account.close {
        out.push_str("close: true\n");
    }
    if !account.access.is_empty() {
        out.push_str("access:\n");
        for (permission_set, grants) in &account.access {
            let _ = writeln!(out, "  {}:", quote(permission_set.as_str()));
            for grant in grants {
                let _ = writeln!(out, "    - {}", principal(&grant.principal));
                if let Some(until) = grant.until {
                    let _ = writeln!(out, "      until: {until}");
                }
                if let Some(reason) = &grant.reason {
                    let _ = writeln!(out, "      reason: {}", quote(reason));
                }
            }
        }
    }
    out
}

fn customer_managed_policy(policy: &CustomerManagedPolicy) -> String {
    format!(
        "{{ name: {}, path: {} }}",
        quote(policy.name.as_str()),
        quote(policy.path.as_str())
    )
}

fn permission_set_file(permission_set: &PermissionSet) -> String {
    let mut out = String::new();
    if let Some(description) = &permission_set.description {
        let _ = writeln!(out, "description: {}", quote(description.as_str()));
    }
    let _ = writeln!(out, "session_duration: {}", permission_set.session_duration);
    if let Some(relay_state) = &permission_set.relay_state {
        let _ = writeln!(out, "relay_state: {}", quote(relay_state.as_str()));
    }
    if !permission_set.managed_policies.is_empty() {
        out.push_str("managed_policies:\n");
        for arn in &permission_set.managed_policies {
            let _ = writeln!(out, "  - {}", quote(arn.as_str()));
        }
    }
    if !permission_set.customer_managed_policies.is_empty() {
        out.push_str("customer_managed_policies:\n");
        for policy in &permission_set.customer_managed_policies {
            let _ = writeln!(out, "  - {}", customer_managed_policy(policy));
        }
    }
    match &permission_set.permissions_boundary {
        Some(PermissionsBoundary::ManagedPolicy(arn)) => {
            let _ = writeln!(
                out,
                "permissions_boundary:\n  managed_policy: {}",
                quote(arn.as_str())
            );
        }
        Some(PermissionsBoundary::CustomerManagedPolicy(policy)) => {
            let _ = writeln!(
                out,
                "permissions_boundary:\n  customer_managed_policy: {}",
                customer_managed_policy(policy)
            );
        }
        None => {}
    }
    if !permission_set.tags.is_empty() {
        out.push_str("tags:\n");
        tags(&mut out, "  ", &permission_set.tags);
    }
    out
}

fn rule_text(out: &mut String, rule: &Rule) {
    let _ = writeln!(
        out,
        "- permission_set: {}",
        quote(rule.permission_set.as_str())
    );
    out.push_str("  principals:\n");
    for principal_ref in &rule.principals {
        let _ = writeln!(out, "    - {{ {} }}", principal(principal_ref));
    }
    out.push_str("  accounts:\n");
    if let Some(ou) = &rule.accounts.ou {
        let _ = writeln!(out, "    ou: {}", quote(&ou.to_string()));
    }
    if !rule.accounts.tags.is_empty() {
        out.push_str("    tags:\n");
        tags(out, "      ", &rule.accounts.tags);
    }
}
