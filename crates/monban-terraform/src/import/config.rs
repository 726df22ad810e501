//! Reading a Terraform configuration: every `.tf` file of a directory parsed with hcl-edit
//! (spans kept) and every `.tf.json` file translated to the same syntax first, their blocks
//! sorted into variables, locals, resources, data sources, module calls and outputs, and
//! the local modules it calls read the same way.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use hcl_edit::Span as _;
use hcl_edit::expr::Expression;
use hcl_edit::structure::{Block, Body};

use super::source::{FileId, Location, SourceFile, Sources, relative_display};
use super::{ImportError, tf_json};

/// Something defined in a file, with the file it is in.
#[derive(Debug)]
pub(crate) struct Located<T> {
    pub value: T,
    pub file: FileId,
}

/// `variable "name" { type, default }`.
#[derive(Debug)]
pub(crate) struct Variable {
    pub default: Option<Expression>,
    pub type_constraint: Option<Expression>,
    pub file: FileId,
    pub span: Option<Range<usize>>,
}

/// Managed resource or data source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    Managed,
    Data,
}

/// A `resource` or `data` block.
#[derive(Debug)]
pub(crate) struct ResourceBlock {
    pub mode: Mode,
    pub resource_type: String,
    pub name: String,
    pub body: Body,
    pub file: FileId,
    pub span: Option<Range<usize>>,
}

impl ResourceBlock {
    /// `aws_x.name` or `data.aws_x.name`, without module prefix or instance key.
    pub(crate) fn address(&self) -> String {
        match self.mode {
            Mode::Managed => format!("{}.{}", self.resource_type, self.name),
            Mode::Data => format!("data.{}.{}", self.resource_type, self.name),
        }
    }
}

/// A `module` block whose source is a local directory.
#[derive(Debug)]
pub(crate) struct ModuleCall {
    pub name: String,
    pub body: Body,
    pub module: Rc<ModuleConfig>,
    pub file: FileId,
    pub span: Option<Range<usize>>,
}

/// Something in the configuration that is not imported, reported as a note.
#[derive(Debug)]
pub(crate) struct Skipped {
    pub file: FileId,
    pub span: Option<Range<usize>>,
    pub reason: String,
}

/// One directory of `.tf` files.
#[derive(Debug)]
pub(crate) struct ModuleConfig {
    /// The directory (as given or joined from the caller's).
    pub dir: PathBuf,
    pub variables: BTreeMap<String, Variable>,
    pub locals: BTreeMap<String, Located<Expression>>,
    pub resources: Vec<ResourceBlock>,
    pub calls: Vec<ModuleCall>,
    pub outputs: BTreeMap<String, Located<Expression>>,
    /// `provider "aws" { … }` bodies (for the region).
    pub aws_providers: Vec<Located<Body>>,
    pub skipped: Vec<Skipped>,
}

impl ModuleConfig {
    /// A module without any definitions (the scope `.tfvars` values are evaluated in).
    pub(crate) fn empty(dir: PathBuf) -> Self {
        Self {
            dir,
            variables: BTreeMap::new(),
            locals: BTreeMap::new(),
            resources: Vec::new(),
            calls: Vec::new(),
            outputs: BTreeMap::new(),
            aws_providers: Vec::new(),
            skipped: Vec::new(),
        }
    }
}

/// Blocks that carry nothing an access repo needs and are dropped without a note.
const SILENT_BLOCKS: &[&str] = &[
    "terraform",
    "provider",
    "moved",
    "import",
    "removed",
    "check",
];

/// Reads the module in `dir` and, recursively, the local modules it calls. `root` is the
/// Terraform directory the display paths are relative to; `stack` guards against a module
/// calling itself.
#[expect(
    clippy::case_sensitive_file_extension_comparisons,
    reason = "Terraform itself reads only lower-case `.tf` and `.tf.json` files"
)]
pub(crate) fn load_module(
    sources: &mut Sources,
    root: &Path,
    dir: &Path,
    stack: &mut Vec<PathBuf>,
) -> Result<Rc<ModuleConfig>, ImportError> {
    let canonical = dir.canonicalize().map_err(|source| ImportError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    stack.push(canonical);
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|source| ImportError::Io {
            path: dir.to_path_buf(),
            source,
        })?
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| {
            path.is_file()
                && path
                    .file_name()
                    .and_then(|name| name.to_str())
                    .is_some_and(|name| name.ends_with(".tf") || name.ends_with(".tf.json"))
        })
        .collect();
    files.sort();
    let mut module = ModuleConfig {
        dir: dir.to_path_buf(),
        variables: BTreeMap::new(),
        locals: BTreeMap::new(),
        resources: Vec::new(),
        calls: Vec::new(),
        outputs: BTreeMap::new(),
        aws_providers: Vec::new(),
        skipped: Vec::new(),
    };
    for path in files {
        let text = std::fs::read_to_string(&path).map_err(|source| ImportError::Io {
            path: path.clone(),
            source,
        })?;
        let display = relative_display(root, &path);
        let (file, body) = if path
            .extension()
            .is_some_and(|extension| extension == "json")
        {
            parse_json_configuration(sources, display, &text)?
        } else {
            let file = sources.add(SourceFile::new(display, &text));
            (file, parse_body(sources, file, &text)?)
        };
        for structure in body {
            match structure.into_block() {
                Ok(block) => add_block(sources, root, stack, &mut module, file, block)?,
                Err(structure) => module.skipped.push(Skipped {
                    file,
                    span: structure.span(),
                    reason: "a top-level attribute is not valid Terraform configuration".to_owned(),
                }),
            }
        }
    }
    stack.pop();
    Ok(Rc::new(module))
}

/// Parses one file (or the native syntax generated from it), turning a syntax error into
/// `file:line:col: message`.
pub(crate) fn parse_body(sources: &Sources, file: FileId, text: &str) -> Result<Body, ImportError> {
    text.parse::<Body>().map_err(|error| {
        let location = error.location();
        let source = sources.file(file);
        ImportError::Syntax {
            location: if source.is_translated() {
                sources.locate(file, Some(location.offset()..location.offset()))
            } else {
                Location {
                    file: source.display.clone(),
                    line: location.line(),
                    column: location.column(),
                }
            },
            message: error.message().to_owned(),
        }
    })
}

/// Reads a `.tf.json` file: translated to the native syntax ([`tf_json`]) and parsed like a
/// `.tf` file, its positions leading back to the JSON.
pub(crate) fn parse_json_configuration(
    sources: &mut Sources,
    display: String,
    text: &str,
) -> Result<(FileId, Body), ImportError> {
    match tf_json::configuration(text) {
        Ok(translated) => {
            let file = sources.add(SourceFile::translated(display, text, translated.marks));
            let body = parse_body(sources, file, &translated.text)?;
            Ok((file, body))
        }
        Err(error) => {
            let file = sources.add(SourceFile::new(display, text));
            Err(ImportError::Syntax {
                location: sources.locate(file, Some(error.offset..error.offset)),
                message: error.message,
            })
        }
    }
}

fn label(block: &Block, index: usize) -> Option<String> {
    block
        .labels
        .get(index)
        .map(|label| label.as_str().to_owned())
}

fn add_block(
    sources: &mut Sources,
    root: &Path,
    stack: &mut Vec<PathBuf>,
    module: &mut ModuleConfig,
    file: FileId,
    block: Block,
) -> Result<(), ImportError> {
    let span = block.span();
    let ident = block.ident.as_str().to_owned();
    let skip = |module: &mut ModuleConfig, reason: String| {
        module.skipped.push(Skipped {
            file,
            span: span.clone(),
            reason,
        });
    };
    match ident.as_str() {
        "variable" => {
            let Some(name) = label(&block, 0) else {
                skip(module, "a `variable` block without a name".to_owned());
                return Ok(());
            };
            let attribute = |key: &str| block.body.get_attribute(key).map(|a| a.value.clone());
            module.variables.insert(
                name,
                Variable {
                    default: attribute("default"),
                    type_constraint: attribute("type"),
                    file,
                    span,
                },
            );
        }
        "locals" => {
            for attribute in block.body.attributes() {
                module.locals.insert(
                    attribute.key.as_str().to_owned(),
                    Located {
                        value: attribute.value.clone(),
                        file,
                    },
                );
            }
        }
        "output" => {
            if let (Some(name), Some(attribute)) =
                (label(&block, 0), block.body.get_attribute("value"))
            {
                module.outputs.insert(
                    name,
                    Located {
                        value: attribute.value.clone(),
                        file,
                    },
                );
            }
        }
        "resource" | "data" => {
            let (Some(resource_type), Some(name)) = (label(&block, 0), label(&block, 1)) else {
                skip(module, format!("a `{ident}` block without type and name"));
                return Ok(());
            };
            module.resources.push(ResourceBlock {
                mode: if ident == "data" {
                    Mode::Data
                } else {
                    Mode::Managed
                },
                resource_type,
                name,
                body: block.body,
                file,
                span,
            });
        }
        "module" => {
            let Some(name) = label(&block, 0) else {
                skip(module, "a `module` block without a name".to_owned());
                return Ok(());
            };
            let source = block
                .body
                .get_attribute("source")
                .and_then(|attribute| match &attribute.value {
                    Expression::String(text) => Some(text.value().clone()),
                    _ => None,
                });
            let Some(source) = source else {
                skip(module, format!("module `{name}` has no literal `source`"));
                return Ok(());
            };
            if !(source.starts_with("./") || source.starts_with("../")) {
                skip(
                    module,
                    format!(
                        "module `{name}` comes from `{source}`, not a local directory: its resources \
                         are not imported (vendor the module, e.g. `terraform get`, and point \
                         `source` at the local copy to import it)"
                    ),
                );
                return Ok(());
            }
            let dir = module.dir.join(&source);
            let canonical = dir.canonicalize().map_err(|source| ImportError::Io {
                path: dir.clone(),
                source,
            })?;
            if stack.contains(&canonical) {
                skip(module, format!("module `{name}` calls itself"));
                return Ok(());
            }
            let child = load_module(sources, root, &dir, stack)?;
            module.calls.push(ModuleCall {
                name,
                body: block.body,
                module: child,
                file,
                span,
            });
        }
        "provider" if label(&block, 0).as_deref() == Some("aws") => {
            module.aws_providers.push(Located {
                value: block.body,
                file,
            });
        }
        other if SILENT_BLOCKS.contains(&other) => {}
        other => skip(module, format!("`{other}` blocks are not imported")),
    }
    Ok(())
}
