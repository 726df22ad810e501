//! `monban import terraform`: a Terraform configuration (every `.tf` and `.tf.json` file of
//! a directory and the local modules it calls, its variables from `TF_VAR_*`, `.tfvars`
//! files and flags, optionally the state) → an access repo model, an IdP directory snapshot,
//! and a note for everything that was not translated. Nothing is silently dropped: a
//! construct is either in the model or in a note with its `file:line`.

mod config;
mod eval;
mod functions;
mod json;
mod map;
mod policy;
mod source;
mod state;
mod tf_json;
mod types;
mod value;

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fmt::{self, Write as _};
use std::path::{Path, PathBuf};
use std::rc::Rc;

use hcl_edit::Span as _;
use monban_model::{
    Directory, IdentityCenter, IdentitySource, Organization, Region, Repo, RepoSettings, Safety,
    Target,
};

pub use functions::SUPPORTED as SUPPORTED_FUNCTIONS;
pub use map::{DATA_TYPES as SUPPORTED_DATA_SOURCES, MANAGED_TYPES as SUPPORTED_RESOURCES};
pub use source::Location;

use config::{ModuleConfig, load_module, parse_body};
use eval::{Evaluator, Instance, Scope};
use source::{SourceFile, Sources, relative_display};
use value::Value;

/// The region written to `identity_center.region` when no `provider "aws"` gives one.
pub const FALLBACK_REGION: &str = "us-east-1";

/// What to import.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// The Terraform root module directory.
    pub terraform_dir: PathBuf,
    /// `terraform.tfstate` or the output of `terraform show -json`.
    pub state: Option<PathBuf>,
    /// `-var-file FILE` and `-var NAME=VALUE`, in command-line order: each applies after
    /// the automatic files and every argument before it, as in Terraform.
    pub variable_arguments: Vec<VariableArgument>,
    /// Environment variables, as the process has them: `TF_VAR_<name>` gives variable
    /// `name` a value below every file, as in Terraform; others are ignored. The library
    /// never reads the process environment itself: the caller passes it (or a test's map).
    pub environment: BTreeMap<String, String>,
}

/// A variable value given on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VariableArgument {
    /// `-var-file FILE`: a `.tfvars` or `.tfvars.json` file.
    File(PathBuf),
    /// `-var NAME=VALUE`.
    Value { name: String, value: String },
}

/// Something the import did not translate, at `file:line` of the configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    pub location: Location,
    pub reason: String,
}

impl fmt::Display for Note {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            formatter,
            "{}:{}: {}",
            self.location.file, self.location.line, self.reason
        )
    }
}

/// The result of an import.
#[derive(Debug)]
pub struct Imported {
    pub repo: Repo,
    /// Users, groups and memberships the configuration creates in the Identity Store.
    pub directory: Directory,
    pub notes: Vec<Note>,
}

/// Why an import failed as a whole.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("cannot read `{}`", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{location}: {message}")]
    Syntax { location: Location, message: String },
    #[error("{location}: {message}")]
    Evaluation { location: Location, message: String },
    #[error("`{}` is not a Terraform state: {reason}", path.display())]
    State { path: PathBuf, reason: String },
    #[error("`--var {argument}`: {reason}")]
    Variable { argument: String, reason: String },
    #[error("the environment variable `{name}`: {reason}")]
    EnvironmentVariable { name: String, reason: String },
    #[error("`{}` holds no `.tf` or `.tf.json` files", path.display())]
    NoConfiguration { path: PathBuf },
    #[error(transparent)]
    Write(#[from] monban_config::WriteError),
}

impl From<eval::EvalError> for ImportError {
    fn from(error: eval::EvalError) -> Self {
        Self::Evaluation {
            location: error.location,
            message: error.message,
        }
    }
}

/// The prefix of the environment variables that set root variables.
const ENVIRONMENT_PREFIX: &str = "TF_VAR_";

/// Variable values of the root module, Terraform's precedence: `TF_VAR_<name>` environment
/// variables, `terraform.tfvars`, `terraform.tfvars.json`, `*.auto.tfvars` /
/// `*.auto.tfvars.json` in name order, then the `--var-file` and `--var` arguments in the
/// order given — a later source wins.
fn root_inputs(
    options: &ImportOptions,
    sources: &mut Sources,
    root: &Rc<ModuleConfig>,
) -> Result<(BTreeMap<String, Value>, Vec<Note>), ImportError> {
    let dir = &options.terraform_dir;
    let mut inputs = BTreeMap::new();
    let mut notes = Vec::new();
    let scratch = Rc::new(Instance::new(
        Rc::new(ModuleConfig::empty(dir.clone())),
        String::new(),
        BTreeMap::new(),
    ));
    // Terraform ignores environment variables for variables nobody declares, without a
    // warning: `TF_VAR_*` are often set for every configuration of an organization.
    for (key, text) in &options.environment {
        let Some(name) = key.strip_prefix(ENVIRONMENT_PREFIX) else {
            continue;
        };
        let Some(variable) = root.variables.get(name) else {
            continue;
        };
        let value = text_value(sources, dir, &scratch, variable, key, text).map_err(|reason| {
            ImportError::EnvironmentVariable {
                name: key.clone(),
                reason,
            }
        })?;
        inputs.insert(name.to_owned(), value);
    }
    let mut context = InputContext {
        sources,
        root,
        dir,
        scratch: &scratch,
        inputs: &mut inputs,
        notes: &mut notes,
    };
    for path in automatic_variable_files(dir)? {
        context.file(&path)?;
    }
    for argument in &options.variable_arguments {
        match argument {
            VariableArgument::File(path) => context.file(path)?,
            VariableArgument::Value { name, value } => context.flag(name, value)?,
        }
    }
    Ok((inputs, notes))
}

/// The variable files Terraform reads without being asked, in the order they apply:
/// `terraform.tfvars`, `terraform.tfvars.json`, `*.auto.tfvars` / `*.auto.tfvars.json` in
/// name order.
fn automatic_variable_files(dir: &Path) -> Result<Vec<PathBuf>, ImportError> {
    let mut files = Vec::new();
    for name in ["terraform.tfvars", "terraform.tfvars.json"] {
        let path = dir.join(name);
        if path.is_file() {
            files.push(path);
        }
    }
    let mut automatic: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|source| ImportError::Io {
            path: dir.to_path_buf(),
            source,
        })?
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| {
            path.file_name()
                .and_then(|name| name.to_str())
                .is_some_and(|name| {
                    name.ends_with(".auto.tfvars") || name.ends_with(".auto.tfvars.json")
                })
        })
        .collect();
    automatic.sort();
    files.extend(automatic);
    Ok(files)
}

/// What applying one more source of root variable values needs.
struct InputContext<'context> {
    sources: &'context mut Sources,
    root: &'context ModuleConfig,
    dir: &'context Path,
    scratch: &'context Rc<Instance>,
    inputs: &'context mut BTreeMap<String, Value>,
    notes: &'context mut Vec<Note>,
}

impl InputContext<'_> {
    /// A `.tfvars` or `.tfvars.json` file.
    fn file(&mut self, path: &Path) -> Result<(), ImportError> {
        let text = std::fs::read_to_string(path).map_err(|source| ImportError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let display = relative_display(self.dir, path);
        if path
            .extension()
            .is_some_and(|extension| extension == "json")
        {
            return json_variable_file(
                self.sources,
                self.root,
                display,
                &text,
                self.inputs,
                self.notes,
            );
        }
        let file = self.sources.add(SourceFile::new(display, &text));
        let body = parse_body(self.sources, file, &text)?;
        let evaluator = Evaluator {
            sources: self.sources,
            state: None,
            root_dir: self.dir.to_string_lossy().into_owned(),
            account_keys: RefCell::default(),
        };
        for attribute in body.attributes() {
            let name = attribute.key.as_str().to_owned();
            let value = evaluator.eval(&attribute.value, &Scope::new(self.scratch, file))?;
            if !self.root.variables.contains_key(&name) {
                self.notes.push(undeclared(
                    self.sources.locate(file, attribute.span()),
                    &name,
                ));
            }
            self.inputs.insert(name, value);
        }
        Ok(())
    }

    /// A `--var NAME=VALUE` flag.
    fn flag(&mut self, name: &str, text: &str) -> Result<(), ImportError> {
        let argument = || format!("{name}={text}");
        let Some(variable) = self.root.variables.get(name) else {
            return Err(ImportError::Variable {
                argument: argument(),
                reason: "no `variable` block declares it".to_owned(),
            });
        };
        let value = text_value(
            self.sources,
            self.dir,
            self.scratch,
            variable,
            &format!("--var {name}"),
            text,
        )
        .map_err(|reason| ImportError::Variable {
            argument: argument(),
            reason,
        })?;
        self.inputs.insert(name.to_owned(), value);
        Ok(())
    }
}

fn undeclared(location: Location, name: &str) -> Note {
    Note {
        location,
        reason: format!("a value for `{name}`, which no `variable` block declares, is ignored"),
    }
}

/// A `.tfvars.json` file: one JSON object whose properties are variable values, taken
/// literally (Terraform evaluates them without variables or functions, so `"${x}"` is
/// text); `"//"` properties are comments.
fn json_variable_file(
    sources: &mut Sources,
    root: &ModuleConfig,
    display: String,
    text: &str,
    inputs: &mut BTreeMap<String, Value>,
    notes: &mut Vec<Note>,
) -> Result<(), ImportError> {
    let file = sources.add(SourceFile::new(display, text));
    let error = |offset: usize, message: String| ImportError::Syntax {
        location: sources.locate(file, Some(offset..offset)),
        message,
    };
    let json =
        json::parse(text).map_err(|json_error| error(json_error.offset, json_error.message))?;
    let json::JsonKind::Object(members) = &json.kind else {
        return Err(error(
            json.start,
            format!(
                "a `.tfvars.json` file holds a JSON object of variable values, not {}",
                json.describe()
            ),
        ));
    };
    for member in members {
        if member.key == "//" {
            continue;
        }
        if !root.variables.contains_key(&member.key) {
            notes.push(undeclared(
                sources.locate(file, Some(member.key_start..member.key_start)),
                &member.key,
            ));
        }
        inputs.insert(member.key.clone(), member.value.to_value());
    }
    Ok(())
}

/// A value given as text (`--var`, `TF_VAR_*`), the way Terraform reads it: taken as a
/// string when the variable has no type or a primitive one (`string`, `number`, `bool`),
/// parsed as an HCL expression otherwise (`any`, `list(string)`, `map(object({…}))`…).
/// `display` names the text in an error's location.
fn text_value(
    sources: &mut Sources,
    dir: &Path,
    scratch: &Rc<Instance>,
    variable: &config::Variable,
    display: &str,
    text: &str,
) -> Result<Value, String> {
    let parsed = match &variable.type_constraint {
        None => false,
        Some(hcl_edit::expr::Expression::Variable(name)) => {
            !matches!(name.as_str(), "string" | "number" | "bool")
        }
        Some(_) => true,
    };
    if !parsed {
        return Ok(Value::String(text.to_owned()));
    }
    let expression = text
        .parse::<hcl_edit::expr::Expression>()
        .map_err(|error| error.message().to_owned())?;
    let file = sources.add(SourceFile::new(display.to_owned(), text));
    let evaluator = Evaluator {
        sources,
        state: None,
        root_dir: dir.to_string_lossy().into_owned(),
        account_keys: RefCell::default(),
    };
    evaluator
        .eval(&expression, &Scope::new(scratch, file))
        .map_err(|error| error.message)
}

/// Reads the configuration (and state) and translates it.
pub fn import(options: &ImportOptions) -> Result<Imported, ImportError> {
    let mut sources = Sources::default();
    let state = match &options.state {
        Some(path) => Some(state::State::read(path)?),
        None => None,
    };
    // Absolute, so that `path.module` and `file()` work whatever the working directory.
    let dir = &options
        .terraform_dir
        .canonicalize()
        .map_err(|source| ImportError::Io {
            path: options.terraform_dir.clone(),
            source,
        })?;
    let options = &ImportOptions {
        terraform_dir: dir.clone(),
        ..options.clone()
    };
    let root = load_module(&mut sources, dir, dir, &mut Vec::new())?;
    if root.variables.is_empty()
        && root.locals.is_empty()
        && root.resources.is_empty()
        && root.calls.is_empty()
        && root.skipped.is_empty()
        && root.aws_providers.is_empty()
    {
        return Err(ImportError::NoConfiguration { path: dir.clone() });
    }
    let (inputs, mut notes) = root_inputs(options, &mut sources, &root)?;
    // A required root variable without a value is an error up front, not a note on every
    // resource that uses it.
    for (name, variable) in &root.variables {
        if variable.default.is_none() && !inputs.contains_key(name) {
            return Err(ImportError::Evaluation {
                location: sources.locate(variable.file, variable.span.clone()),
                message: format!(
                    "no value for the required variable `{name}`: give it in terraform.tfvars, with \
                     `--var-file FILE`, or with `--var {name}=VALUE`"
                ),
            });
        }
    }
    let evaluator = Evaluator {
        sources: &sources,
        state: state.as_ref(),
        root_dir: dir.to_string_lossy().into_owned(),
        account_keys: RefCell::default(),
    };
    let instance = Rc::new(Instance::new(Rc::clone(&root), String::new(), inputs));
    let mut collected = map::Collected::default();
    map::collect(&evaluator, &instance, &mut collected);
    let region = region(&evaluator, &instance, &mut collected.notes);
    let default_tags = default_tags(&evaluator, &instance, &mut collected.notes);
    let repo = Repo {
        settings: RepoSettings {
            target: Target::Sandbox,
            organization: Organization::default(),
            identity_center: IdentityCenter {
                region,
                identity_source: IdentitySource::External,
            },
            safety: Safety::default(),
            codeowners: monban_model::CodeOwners::default(),
        },
        accounts: BTreeMap::new(),
        permission_sets: BTreeMap::new(),
        groups: std::collections::BTreeSet::new(),
        users: std::collections::BTreeSet::new(),
        rules: Vec::new(),
    };
    let mapped = map::map(&evaluator, collected, repo, &default_tags);
    notes.extend(mapped.notes);
    notes.sort_by(|left, right| left.location.cmp(&right.location));
    Ok(Imported {
        repo: mapped.repo,
        directory: mapped.directory,
        notes,
    })
}

/// `identity_center.region`: the root module's `provider "aws"` region (the first one
/// without an alias), else [`FALLBACK_REGION`] with a note.
fn region(evaluator: &Evaluator<'_>, instance: &Rc<Instance>, notes: &mut Vec<Note>) -> Region {
    let fallback = || Region::parse(FALLBACK_REGION).ok();
    for provider in &instance.config.aws_providers {
        if provider.value.has_attribute("alias") {
            continue;
        }
        let Some(attribute) = provider.value.get_attribute("region") else {
            continue;
        };
        let location = evaluator.sources.locate(provider.file, attribute.span());
        match evaluator.eval(&attribute.value, &Scope::new(instance, provider.file)) {
            Ok(Value::String(text)) => match Region::parse(&text) {
                Ok(region) => return region,
                Err(error) => notes.push(Note {
                    location,
                    reason: format!("the provider's region: {error}"),
                }),
            },
            Ok(other) => notes.push(Note {
                location,
                reason: format!("the provider's region is {}", other.describe()),
            }),
            Err(error) => notes.push(Note {
                location,
                reason: format!(
                    "the provider's region cannot be evaluated: {}",
                    error.message
                ),
            }),
        }
    }
    let location = evaluator.sources.locate(0, None);
    notes.push(Note {
        location,
        reason: format!(
            "no `provider \"aws\"` region could be read: identity_center.region is {FALLBACK_REGION}; \
             set it to your IAM Identity Center region"
        ),
    });
    // The literal is a valid region name.
    fallback().unwrap_or_else(|| unreachable!("{FALLBACK_REGION} is a valid region"))
}

/// The root module's `provider "aws" { default_tags { tags = … } }`: the provider adds
/// them to every account and permission set it creates, so they are live tags too.
fn default_tags(
    evaluator: &Evaluator<'_>,
    instance: &Rc<Instance>,
    notes: &mut Vec<Note>,
) -> BTreeMap<String, Value> {
    for provider in &instance.config.aws_providers {
        if provider.value.has_attribute("alias") {
            continue;
        }
        let Some(block) = provider.value.get_blocks("default_tags").next() else {
            continue;
        };
        let scope = Scope::new(instance, provider.file);
        match evaluator.body(&block.body, &scope, false) {
            Ok(mut attributes) => {
                if let Some(Value::Map(tags)) = attributes.remove("tags") {
                    return tags;
                }
            }
            Err(error) => notes.push(Note {
                location: error.location,
                reason: format!(
                    "the provider's `default_tags` cannot be evaluated, so they are not added to \
                     accounts and permission sets: {}",
                    error.message
                ),
            }),
        }
    }
    BTreeMap::new()
}

/// `IMPORT-NOTES.md`: what was not translated, one line per construct.
#[must_use]
pub fn render_notes(terraform_dir: &Path, notes: &[Note]) -> String {
    let mut out = format!(
        "# Import notes\n\nWritten by `monban import terraform {}`. Each line is a construct of the \
         Terraform configuration that is not in this access repo, with the reason. Review them \
         before the first `monban plan`.\n\n",
        terraform_dir.display()
    );
    if notes.is_empty() {
        out.push_str("Everything was translated.\n");
    }
    for note in notes {
        let _ = writeln!(
            out,
            "- `{}:{}`: {}",
            note.location.file, note.location.line, note.reason
        );
    }
    out
}

/// The name of the notes file written into the repo.
pub const NOTES_FILE: &str = "IMPORT-NOTES.md";
/// The name of the directory snapshot written into the repo.
pub const DIRECTORY_FILE: &str = "directory.yaml";

/// Writes the repo, `directory.yaml` (when the configuration creates identities) and
/// `IMPORT-NOTES.md` under `out`.
pub fn write(imported: &Imported, terraform_dir: &Path, out: &Path) -> Result<(), ImportError> {
    monban_config::write_repo(&imported.repo, out)?;
    let mut files = vec![(NOTES_FILE, render_notes(terraform_dir, &imported.notes))];
    if !imported.directory.users.is_empty() || !imported.directory.groups.is_empty() {
        files.push((
            DIRECTORY_FILE,
            monban_config::render_directory(
                &imported.directory,
                "Users, groups and memberships the Terraform configuration created in the\nIdentity Store: they belong to the IdP, not to the access repo.",
            ),
        ));
    }
    for (name, text) in files {
        let path = out.join(name);
        std::fs::write(&path, text)
            .map_err(|source| ImportError::Write(monban_config::WriteError { path, source }))?;
    }
    Ok(())
}
