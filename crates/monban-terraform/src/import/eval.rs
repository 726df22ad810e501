//! Evaluating a configuration the way Terraform would before talking to AWS: variables
//! (with `optional()` defaults), locals, `for_each` / `count`, `for` expressions,
//! conditionals, templates, functions, `dynamic` blocks, references between resources and
//! the outputs of local modules. Everything is evaluated lazily and memoized per module
//! instance, so the order of definitions does not matter and a cycle is reported, not
//! looped on. Attributes only AWS knows stay [`Value::Unknown`] unless the state has them.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::Range;
use std::rc::Rc;

use hcl_edit::Span as _;
use hcl_edit::expr::{BinaryOperator, Expression, ObjectKey, TraversalOperator, UnaryOperator};
use hcl_edit::structure::{Body, Structure};
use hcl_edit::template::{Directive, Element, Template};

use super::config::{Mode, ModuleCall, ModuleConfig, ResourceBlock};
use super::source::{FileId, Location, Sources};
use super::state::State;
use super::value::{Value, is_account_id};
use super::{functions, policy, types};

/// A failed evaluation, at the expression that failed.
#[derive(Debug, Clone)]
pub(crate) struct EvalError {
    pub location: Location,
    pub message: String,
}

/// One evaluated instance of a resource or data source.
#[derive(Debug, Clone)]
pub(crate) struct ResourceInstance {
    /// Full address: `module.sso.aws_ssoadmin_permission_set.this["Admin"]`.
    pub address: String,
    /// The `for_each` key (`None` with `count` or neither).
    pub key: Option<String>,
    pub resource_type: String,
    pub mode: Mode,
    pub value: Value,
    /// The `resource` block.
    pub location: Location,
}

/// One instance of a called module, with its `for_each` key or `count` index (`None` for
/// a module called without either).
pub(crate) type ModuleInstance = (Option<Value>, Rc<Instance>);

/// One instance of a module: the root, or a local module called from another.
#[derive(Debug)]
pub(crate) struct Instance {
    pub config: Rc<ModuleConfig>,
    /// `""` for the root, `module.sso.` below it.
    pub prefix: String,
    /// The module's variable values as its caller set them (before type conversion).
    inputs: BTreeMap<String, Value>,
    /// Evaluated variables, locals and outputs, by `var.x` / `local.x` / `output.x`.
    cache: RefCell<HashMap<String, Value>>,
    /// What is being evaluated right now, to report a cycle instead of looping.
    busy: RefCell<HashSet<String>>,
    children: RefCell<HashMap<String, Vec<ModuleInstance>>>,
    instances: RefCell<HashMap<usize, Result<Vec<ResourceInstance>>>>,
}

impl Instance {
    pub(crate) fn new(
        config: Rc<ModuleConfig>,
        prefix: String,
        inputs: BTreeMap<String, Value>,
    ) -> Self {
        Self {
            config,
            prefix,
            inputs,
            cache: RefCell::default(),
            busy: RefCell::default(),
            children: RefCell::default(),
            instances: RefCell::default(),
        }
    }
}

/// Where an expression is evaluated: the module instance, the file (for spans and
/// relative paths) and the names bound by `for_each`, `count`, `for` and `dynamic`.
#[derive(Clone)]
pub(crate) struct Scope<'scope> {
    pub instance: &'scope Rc<Instance>,
    pub file: FileId,
    pub bindings: Vec<(String, Value)>,
}

impl<'scope> Scope<'scope> {
    pub(crate) fn new(instance: &'scope Rc<Instance>, file: FileId) -> Self {
        Self {
            instance,
            file,
            bindings: Vec::new(),
        }
    }

    fn with(&self, name: &str, value: Value) -> Self {
        let mut scope = self.clone();
        scope.bindings.push((name.to_owned(), value));
        scope
    }
}

/// Meta-arguments of resource blocks: not part of the resource's value.
const META_ARGUMENTS: &[&str] = &["for_each", "count", "provider", "depends_on"];
const META_BLOCKS: &[&str] = &["lifecycle", "provisioner", "connection", "timeouts"];

/// The evaluator shared by every module instance of one import.
#[derive(Debug)]
pub(crate) struct Evaluator<'import> {
    pub sources: &'import Sources,
    pub state: Option<&'import State>,
    /// The Terraform directory (`path.root`).
    pub root_dir: String,
    /// Account ids seen as values under a map key or `for_each` key: id → keys, in the
    /// order seen. Accounts the configuration knows only by id are named after these.
    pub account_keys: RefCell<BTreeMap<String, Vec<(u8, String)>>>,
}

type Result<T> = std::result::Result<T, EvalError>;

impl Evaluator<'_> {
    /// An error at `span` of the scope's file.
    pub(crate) fn error(
        &self,
        file: FileId,
        span: Option<Range<usize>>,
        message: impl Into<String>,
    ) -> EvalError {
        EvalError {
            location: self.sources.locate(file, span),
            message: message.into(),
        }
    }

    /// Records `key` as a name for the account id `value` is (or, for an object, holds
    /// under `id` / `account_id`). The evidence differs in strength: a map from names to
    /// ids (`{ prod = "111111111111" }`) names accounts; a map of account objects
    /// (`{ prod = { id = … } }`) almost always does; an object that merely mentions an
    /// `account_id` (an assignment keyed `admins-prod`) may not.
    fn remember_account_key(&self, key: &str, value: &Value) {
        let (id, strength) = match value {
            Value::String(text) if is_account_id(text) => (text.clone(), 0),
            Value::Map(map) => match [("id", 1), ("account_id", 2)]
                .iter()
                .find_map(|(attribute, strength)| Some((map.get(*attribute)?.as_str()?, *strength)))
            {
                Some((text, strength)) if is_account_id(text) => (text.to_owned(), strength),
                _ => return,
            },
            _ => return,
        };
        if key == id
            || is_account_id(key)
            || ["id", "account_id", "account", "target_id"].contains(&key)
        {
            return;
        }
        let mut keys = self.account_keys.borrow_mut();
        let entry = keys.entry(id).or_default();
        if !entry.iter().any(|(_, known)| known == key) {
            entry.push((strength, key.to_owned()));
        }
    }

    /// The names the configuration gives account `id` with the strength of the evidence
    /// (0 strongest), best first (then in the order seen).
    pub(crate) fn account_names(&self, id: &str) -> Vec<(u8, String)> {
        let mut names = self
            .account_keys
            .borrow()
            .get(id)
            .cloned()
            .unwrap_or_default();
        names.sort_by_key(|(strength, _)| *strength);
        names
    }

    // ---- expressions --------------------------------------------------------------

    pub(crate) fn eval(&self, expression: &Expression, scope: &Scope<'_>) -> Result<Value> {
        let error = |message: String| self.error(scope.file, expression.span(), message);
        match expression {
            Expression::Null(_) => Ok(Value::Null),
            Expression::Bool(value) => Ok(Value::Bool(*value.value())),
            Expression::Number(number) => number
                .value()
                .as_f64()
                .map(Value::Number)
                .ok_or_else(|| error("a number that does not fit a 64-bit float".to_owned())),
            Expression::String(text) => Ok(Value::String(text.value().clone())),
            Expression::Array(array) => Ok(Value::List(
                array
                    .iter()
                    .map(|item| self.eval(item, scope))
                    .collect::<Result<_>>()?,
            )),
            Expression::Object(object) => {
                let mut map = BTreeMap::new();
                for (key, value) in object {
                    let key = match key {
                        ObjectKey::Ident(ident) => ident.as_str().to_owned(),
                        ObjectKey::Expression(Expression::Variable(ident)) => {
                            ident.as_str().to_owned()
                        }
                        ObjectKey::Expression(key) => self.key_text(key, scope)?,
                    };
                    map.insert(key, self.eval(value.expr(), scope)?);
                }
                Ok(Value::Map(map))
            }
            Expression::StringTemplate(template) => self.template(template, scope),
            Expression::HeredocTemplate(heredoc) => self.template(&heredoc.template, scope),
            Expression::Parenthesis(inner) => self.eval(inner.inner(), scope),
            Expression::Variable(name) => {
                let (value, _) = self.resolve(name.as_str(), &[], scope, expression.span())?;
                Ok(value)
            }
            Expression::Conditional(conditional) => {
                match self.eval(&conditional.cond_expr, scope)? {
                    Value::Bool(true) => self.eval(&conditional.true_expr, scope),
                    Value::Bool(false) => self.eval(&conditional.false_expr, scope),
                    other => Err(error(format!(
                        "the condition is {}, not a bool",
                        other.describe()
                    ))),
                }
            }
            Expression::FuncCall(call) => {
                let name = call.name.name.as_str();
                functions::call(self, name, call, scope, expression.span())
            }
            Expression::Traversal(traversal) => {
                let operators: Vec<&TraversalOperator> = traversal
                    .operators
                    .iter()
                    .map(hcl_edit::Decorated::value)
                    .collect();
                let (value, consumed) = match &traversal.expr {
                    Expression::Variable(name) => {
                        self.resolve(name.as_str(), &operators, scope, expression.span())?
                    }
                    other => (self.eval(other, scope)?, 0),
                };
                self.traverse(value, &operators[consumed..], scope, expression.span())
            }
            Expression::UnaryOp(operation) => {
                let value = self.eval(&operation.expr, scope)?;
                match (operation.operator.value(), value) {
                    (UnaryOperator::Neg, Value::Number(number)) => Ok(Value::Number(-number)),
                    (UnaryOperator::Not, Value::Bool(value)) => Ok(Value::Bool(!value)),
                    (operator, value) => Err(error(format!(
                        "cannot apply `{}` to {}",
                        operator.as_str(),
                        value.describe()
                    ))),
                }
            }
            Expression::BinaryOp(operation) => self.binary(operation, scope, expression.span()),
            Expression::ForExpr(for_expression) => self.for_expression(for_expression, scope),
        }
    }

    fn key_text(&self, key: &Expression, scope: &Scope<'_>) -> Result<String> {
        let value = self.eval(key, scope)?;
        value.to_text().ok_or_else(|| {
            self.error(
                scope.file,
                key.span(),
                format!("an object key must be a string, not {}", value.describe()),
            )
        })
    }

    #[expect(
        clippy::needless_pass_by_value,
        reason = "a span is two words; callers pass it as hcl-edit returns it"
    )]
    fn binary(
        &self,
        operation: &hcl_edit::expr::BinaryOp,
        scope: &Scope<'_>,
        span: Option<Range<usize>>,
    ) -> Result<Value> {
        let operator = *operation.operator.value();
        let left = self.eval(&operation.lhs_expr, scope)?;
        // `&&` and `||` do not short-circuit in Terraform either, so both sides are evaluated.
        let right = self.eval(&operation.rhs_expr, scope)?;
        let error = |message: String| self.error(scope.file, span.clone(), message);
        if left.contains_unknown() || right.contains_unknown() {
            return Err(error(format!(
                "`{}` compares values known only after apply",
                operator.as_str()
            )));
        }
        let number = |value: &Value| match value {
            Value::Number(number) => Ok(*number),
            Value::String(text) => text
                .parse::<f64>()
                .map_err(|_| error(format!("\"{text}\" is not a number"))),
            other => Err(error(format!("{} is not a number", other.describe()))),
        };
        Ok(match operator {
            BinaryOperator::Eq => Value::Bool(left == right),
            BinaryOperator::NotEq => Value::Bool(left != right),
            BinaryOperator::And | BinaryOperator::Or => match (left, right) {
                (Value::Bool(left), Value::Bool(right)) => {
                    Value::Bool(if operator == BinaryOperator::And {
                        left && right
                    } else {
                        left || right
                    })
                }
                _ => return Err(error(format!("`{}` needs two bools", operator.as_str()))),
            },
            BinaryOperator::Less => Value::Bool(number(&left)? < number(&right)?),
            BinaryOperator::LessEq => Value::Bool(number(&left)? <= number(&right)?),
            BinaryOperator::Greater => Value::Bool(number(&left)? > number(&right)?),
            BinaryOperator::GreaterEq => Value::Bool(number(&left)? >= number(&right)?),
            BinaryOperator::Plus => Value::Number(number(&left)? + number(&right)?),
            BinaryOperator::Minus => Value::Number(number(&left)? - number(&right)?),
            BinaryOperator::Mul => Value::Number(number(&left)? * number(&right)?),
            BinaryOperator::Div => Value::Number(number(&left)? / number(&right)?),
            BinaryOperator::Mod => Value::Number(number(&left)? % number(&right)?),
        })
    }

    /// The (key, value) pairs a `for` expression, `for_each` or `dynamic` iterates over.
    pub(crate) fn pairs(
        &self,
        collection: Value,
        file: FileId,
        span: Option<Range<usize>>,
    ) -> Result<Vec<(Value, Value)>> {
        match collection {
            Value::List(items) => Ok(items
                .into_iter()
                .enumerate()
                .map(|(index, item)| {
                    #[expect(
                        clippy::cast_precision_loss,
                        reason = "collections in a configuration are far below 2^52 items"
                    )]
                    let index = index as f64;
                    (Value::Number(index), item)
                })
                .collect()),
            Value::Map(map)
            | Value::Resource {
                attributes: map, ..
            } => Ok(map
                .into_iter()
                .map(|(key, value)| (Value::String(key), value))
                .collect()),
            Value::Null => Err(self.error(file, span, "cannot iterate over null")),
            Value::Unknown(name) => Err(self.error(
                file,
                span,
                format!("cannot iterate over `{name}`, which is known only after apply"),
            )),
            other => Err(self.error(
                file,
                span,
                format!("cannot iterate over {}", other.describe()),
            )),
        }
    }

    fn for_expression(
        &self,
        for_expression: &hcl_edit::expr::ForExpr,
        scope: &Scope<'_>,
    ) -> Result<Value> {
        let intro = &for_expression.intro;
        let collection_span = intro.collection_expr.span();
        let collection = self.eval(&intro.collection_expr, scope)?;
        let is_map = matches!(collection, Value::Map(_) | Value::Resource { .. });
        let mut list = Vec::new();
        let mut map: BTreeMap<String, Value> = BTreeMap::new();
        let mut grouped: BTreeMap<String, Vec<Value>> = BTreeMap::new();
        for (key, value) in self.pairs(collection, scope.file, collection_span)? {
            if let Value::String(key_text) = &key
                && is_map
            {
                self.remember_account_key(key_text, &value);
            }
            let mut inner = scope.clone();
            match &intro.key_var {
                Some(key_var) => {
                    inner = inner.with(key_var.as_str(), key);
                    inner = inner.with(intro.value_var.as_str(), value);
                }
                None => inner = inner.with(intro.value_var.as_str(), value),
            }
            if let Some(condition) = &for_expression.cond {
                match self.eval(&condition.expr, &inner)? {
                    Value::Bool(true) => {}
                    Value::Bool(false) => continue,
                    other => {
                        return Err(self.error(
                            scope.file,
                            condition.expr.span(),
                            format!("the `if` condition is {}, not a bool", other.describe()),
                        ));
                    }
                }
            }
            let value = self.eval(&for_expression.value_expr, &inner)?;
            match &for_expression.key_expr {
                Some(key_expr) => {
                    let key = self.key_text(key_expr, &inner)?;
                    if for_expression.grouping {
                        grouped.entry(key).or_default().push(value);
                    } else if map.insert(key.clone(), value).is_some() {
                        return Err(self.error(
                            scope.file,
                            key_expr.span(),
                            format!(
                                "two items have the key \"{key}\"; use `...` after the value to group them"
                            ),
                        ));
                    }
                }
                None => list.push(value),
            }
        }
        Ok(if for_expression.key_expr.is_none() {
            Value::List(list)
        } else if for_expression.grouping {
            Value::Map(
                grouped
                    .into_iter()
                    .map(|(key, values)| (key, Value::List(values)))
                    .collect(),
            )
        } else {
            Value::Map(map)
        })
    }

    pub(crate) fn template(&self, template: &Template, scope: &Scope<'_>) -> Result<Value> {
        let elements: Vec<&Element> = template.iter().collect();
        // A template that is a single interpolation yields its value unchanged (HCL spec).
        if let [Element::Interpolation(interpolation)] = elements.as_slice() {
            return self.eval(&interpolation.expr, scope);
        }
        let mut text = String::new();
        let mut unknown = false;
        self.render(template, scope, &mut text, &mut unknown)?;
        Ok(if unknown {
            Value::Unknown(text)
        } else {
            Value::String(text)
        })
    }

    fn render(
        &self,
        template: &Template,
        scope: &Scope<'_>,
        text: &mut String,
        unknown: &mut bool,
    ) -> Result<()> {
        for element in template {
            match element {
                Element::Literal(literal) => text.push_str(literal.value()),
                Element::Interpolation(interpolation) => {
                    let value = self.eval(&interpolation.expr, scope)?;
                    match value {
                        Value::Unknown(name) => {
                            *unknown = true;
                            text.push_str("${");
                            text.push_str(&name);
                            text.push('}');
                        }
                        value => text.push_str(&value.to_text().ok_or_else(|| {
                            self.error(
                                scope.file,
                                interpolation.expr.span(),
                                format!("cannot put {} into a string", value.describe()),
                            )
                        })?),
                    }
                }
                Element::Directive(directive) => match directive.as_ref() {
                    Directive::If(directive) => {
                        let condition = &directive.if_expr.cond_expr;
                        match self.eval(condition, scope)? {
                            Value::Bool(true) => {
                                self.render(&directive.if_expr.template, scope, text, unknown)?;
                            }
                            Value::Bool(false) => {
                                if let Some(otherwise) = &directive.else_expr {
                                    self.render(&otherwise.template, scope, text, unknown)?;
                                }
                            }
                            other => {
                                return Err(self.error(
                                    scope.file,
                                    condition.span(),
                                    format!(
                                        "the `if` condition is {}, not a bool",
                                        other.describe()
                                    ),
                                ));
                            }
                        }
                    }
                    Directive::For(directive) => {
                        let for_expression = &directive.for_expr;
                        let collection = self.eval(&for_expression.collection_expr, scope)?;
                        for (key, value) in self.pairs(
                            collection,
                            scope.file,
                            for_expression.collection_expr.span(),
                        )? {
                            let mut inner = scope.clone();
                            if let Some(key_var) = &for_expression.key_var {
                                inner = inner.with(key_var.as_str(), key);
                            }
                            inner = inner.with(for_expression.value_var.as_str(), value);
                            self.render(&for_expression.template, &inner, text, unknown)?;
                        }
                    }
                },
            }
        }
        Ok(())
    }

    // ---- references ------------------------------------------------------------------

    fn attribute_name<'operator>(
        operator: Option<&&'operator TraversalOperator>,
    ) -> Option<&'operator str> {
        match operator {
            Some(TraversalOperator::GetAttr(name)) => Some(name.as_str()),
            _ => None,
        }
    }

    /// The value a traversal's root name refers to, and how many of the following
    /// operators it used (`var.x` uses one, `data.t.n` two).
    #[expect(
        clippy::needless_pass_by_value,
        reason = "a span is two words; callers pass it as hcl-edit returns it"
    )]
    fn resolve(
        &self,
        name: &str,
        operators: &[&TraversalOperator],
        scope: &Scope<'_>,
        span: Option<Range<usize>>,
    ) -> Result<(Value, usize)> {
        if let Some((_, value)) = scope.bindings.iter().rev().find(|(bound, _)| bound == name) {
            return Ok((value.clone(), 0));
        }
        let error = |message: String| self.error(scope.file, span.clone(), message);
        let instance = scope.instance;
        let first = Self::attribute_name(operators.first());
        let second = Self::attribute_name(operators.get(1));
        match name {
            "var" => {
                let variable =
                    first.ok_or_else(|| error("`var` needs a variable name".to_owned()))?;
                Ok((
                    self.variable(instance, variable, scope.file, span.clone())?,
                    1,
                ))
            }
            "local" => {
                let local = first.ok_or_else(|| error("`local` needs a name".to_owned()))?;
                Ok((self.local(instance, local, scope.file, span.clone())?, 1))
            }
            "path" => {
                let mut map = BTreeMap::new();
                map.insert(
                    "module".to_owned(),
                    Value::String(instance.config.dir.to_string_lossy().into_owned()),
                );
                map.insert("root".to_owned(), Value::String(self.root_dir.clone()));
                map.insert("cwd".to_owned(), Value::String(self.root_dir.clone()));
                Ok((Value::Map(map), 0))
            }
            "terraform" => {
                let mut map = BTreeMap::new();
                map.insert("workspace".to_owned(), Value::String("default".to_owned()));
                Ok((Value::Map(map), 0))
            }
            "module" => {
                let call = first.ok_or_else(|| error("`module` needs a module name".to_owned()))?;
                let children = self.module_instances(instance, call, scope.file, span.clone())?;
                if let [(None, child)] = children.as_slice() {
                    match second {
                        Some(output) => {
                            Ok((self.output(child, output, scope.file, span.clone())?, 2))
                        }
                        None => Ok((self.outputs(child, scope.file, span.as_ref())?, 1)),
                    }
                } else {
                    // `module.x["key"].output`: a map (for_each) or list (count) of
                    // instances, each an object of its outputs.
                    let mut map = BTreeMap::new();
                    let mut list = Vec::new();
                    for (key, child) in &children {
                        let outputs = self.outputs(child, scope.file, span.as_ref())?;
                        match key {
                            Some(Value::String(key)) => {
                                map.insert(key.clone(), outputs);
                            }
                            _ => list.push(outputs),
                        }
                    }
                    let counted = children
                        .iter()
                        .any(|(key, _)| matches!(key, Some(Value::Number(_))));
                    Ok((
                        if counted {
                            Value::List(list)
                        } else {
                            Value::Map(map)
                        },
                        1,
                    ))
                }
            }
            "data" => {
                let (Some(resource_type), Some(resource_name)) = (first, second) else {
                    return Err(error("`data` needs a type and a name".to_owned()));
                };
                let value = self.resource_value(
                    instance,
                    Mode::Data,
                    resource_type,
                    resource_name,
                    scope.file,
                    span.clone(),
                )?;
                Ok((value, 2))
            }
            "each" | "count" | "self" => Err(error(format!("`{name}` is not available here"))),
            resource_type => {
                let Some(resource_name) = first else {
                    return Err(error(format!("unknown name `{resource_type}`")));
                };
                let value = self.resource_value(
                    instance,
                    Mode::Managed,
                    resource_type,
                    resource_name,
                    scope.file,
                    span.clone(),
                )?;
                Ok((value, 1))
            }
        }
    }

    #[expect(
        clippy::needless_pass_by_value,
        reason = "a span is two words; callers pass it as hcl-edit returns it"
    )]
    fn traverse(
        &self,
        mut value: Value,
        operators: &[&TraversalOperator],
        scope: &Scope<'_>,
        span: Option<Range<usize>>,
    ) -> Result<Value> {
        let error = |message: String| self.error(scope.file, span.clone(), message);
        for (position, operator) in operators.iter().enumerate() {
            value = match operator {
                TraversalOperator::GetAttr(name) => {
                    self.get_attribute(value, name.as_str()).map_err(error)?
                }
                TraversalOperator::Index(index) => {
                    let key = self.eval(index, scope)?;
                    self.index(value, &key).map_err(error)?
                }
                TraversalOperator::LegacyIndex(index) => {
                    #[expect(
                        clippy::cast_precision_loss,
                        reason = "list indexes are far below 2^52"
                    )]
                    let key = Value::Number(*index.value() as f64);
                    self.index(value, &key).map_err(error)?
                }
                TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_) => {
                    let items = match value {
                        Value::List(items) => items,
                        Value::Null => Vec::new(),
                        Value::Unknown(name) => return Ok(Value::Unknown(format!("{name}[*]"))),
                        other => vec![other],
                    };
                    let rest = &operators[position + 1..];
                    return Ok(Value::List(
                        items
                            .into_iter()
                            .map(|item| self.traverse(item, rest, scope, span.clone()))
                            .collect::<Result<_>>()?,
                    ));
                }
            };
        }
        Ok(value)
    }

    fn get_attribute(&self, value: Value, name: &str) -> std::result::Result<Value, String> {
        match value {
            Value::Map(mut map) => map
                .remove(name)
                .ok_or_else(|| format!("the object has no attribute `{name}`")),
            Value::Resource {
                address,
                mut attributes,
            } => Ok(attributes
                .remove(name)
                .unwrap_or_else(|| self.computed(&address, name))),
            Value::Unknown(path) => Ok(Value::Unknown(format!("{path}.{name}"))),
            Value::Null => Err(format!("cannot read `{name}` of null")),
            other => Err(format!("cannot read `{name}` of {}", other.describe())),
        }
    }

    fn index(&self, value: Value, key: &Value) -> std::result::Result<Value, String> {
        match (value, key) {
            (Value::Unknown(path), key) => Ok(Value::Unknown(format!(
                "{path}[{}]",
                key.to_json()
                    .map_or_else(|_| "?".to_owned(), |json| json.to_string())
            ))),
            (Value::List(items), Value::Number(number)) => {
                #[expect(
                    clippy::cast_possible_truncation,
                    clippy::cast_sign_loss,
                    reason = "checked to be a whole non-negative number first"
                )]
                let index = (number.fract() == 0.0 && *number >= 0.0).then_some(*number as usize);
                index
                    .and_then(|index| items.into_iter().nth(index))
                    .ok_or_else(|| format!("index {number} is out of range"))
            }
            (Value::List(items), Value::String(text)) => match text.parse::<f64>() {
                Ok(number) => self.index(Value::List(items), &Value::Number(number)),
                Err(_) => Err(format!("a list cannot be indexed by \"{text}\"")),
            },
            (
                Value::Map(mut map)
                | Value::Resource {
                    attributes: mut map,
                    ..
                },
                key,
            ) => {
                let key = key
                    .to_text()
                    .ok_or_else(|| format!("a map cannot be indexed by {}", key.describe()))?;
                let value = map
                    .remove(&key)
                    .ok_or_else(|| format!("the map has no key \"{key}\""))?;
                self.remember_account_key(&key, &value);
                Ok(value)
            }
            (other, key) => Err(format!(
                "cannot index {} with {}",
                other.describe(),
                key.describe()
            )),
        }
    }

    /// A computed attribute of a resource instance: from the state when it has it,
    /// unknown otherwise.
    fn computed(&self, address: &str, attribute: &str) -> Value {
        self.state
            .and_then(|state| state.attribute(address, attribute))
            .unwrap_or_else(|| Value::Unknown(format!("{address}.{attribute}")))
    }

    // ---- named things ---------------------------------------------------------------

    /// Memoized evaluation of `key` in `instance`, with cycle detection.
    fn memo(
        &self,
        instance: &Rc<Instance>,
        key: &str,
        file: FileId,
        span: Option<Range<usize>>,
        compute: impl FnOnce() -> Result<Value>,
    ) -> Result<Value> {
        if let Some(value) = instance.cache.borrow().get(key) {
            return Ok(value.clone());
        }
        if !instance.busy.borrow_mut().insert(key.to_owned()) {
            return Err(self.error(
                file,
                span,
                format!("`{}{key}` refers to itself (a cycle)", instance.prefix),
            ));
        }
        let result = compute();
        instance.busy.borrow_mut().remove(key);
        let value = result?;
        instance
            .cache
            .borrow_mut()
            .insert(key.to_owned(), value.clone());
        Ok(value)
    }

    fn variable(
        &self,
        instance: &Rc<Instance>,
        name: &str,
        file: FileId,
        span: Option<Range<usize>>,
    ) -> Result<Value> {
        self.memo(instance, &format!("var.{name}"), file, span.clone(), || {
            let Some(variable) = instance.config.variables.get(name) else {
                return Err(self.error(file, span, format!("no variable `{name}` is declared")));
            };
            let scope = Scope::new(instance, variable.file);
            let value = match (instance.inputs.get(name), &variable.default) {
                (Some(value), _) => value.clone(),
                (None, Some(default)) => self.eval(default, &scope)?,
                (None, None) => {
                    return Err(self.error(
                        variable.file,
                        variable.span.clone(),
                        format!(
                            "no value for the required variable `{name}`: give it in a `.tfvars` file, \
                             with `--var-file`, or with `--var {name}=…`"
                        ),
                    ));
                }
            };
            match &variable.type_constraint {
                Some(constraint) => types::convert(self, value, constraint, &scope)
                    .map_err(|message| {
                        self.error(
                            variable.file,
                            variable.span.clone(),
                            format!("variable `{name}`: {message}"),
                        )
                    }),
                None => Ok(value),
            }
        })
    }

    fn local(
        &self,
        instance: &Rc<Instance>,
        name: &str,
        file: FileId,
        span: Option<Range<usize>>,
    ) -> Result<Value> {
        self.memo(
            instance,
            &format!("local.{name}"),
            file,
            span.clone(),
            || {
                let Some(local) = instance.config.locals.get(name) else {
                    return Err(self.error(
                        file,
                        span,
                        format!("no local value `{name}` is defined"),
                    ));
                };
                self.eval(&local.value, &Scope::new(instance, local.file))
            },
        )
    }

    fn output(
        &self,
        instance: &Rc<Instance>,
        name: &str,
        file: FileId,
        span: Option<Range<usize>>,
    ) -> Result<Value> {
        self.memo(
            instance,
            &format!("output.{name}"),
            file,
            span.clone(),
            || {
                let Some(output) = instance.config.outputs.get(name) else {
                    return Err(self.error(
                        file,
                        span,
                        format!(
                            "module `{}` has no output `{name}`",
                            instance.prefix.trim_end_matches('.')
                        ),
                    ));
                };
                self.eval(&output.value, &Scope::new(instance, output.file))
            },
        )
    }

    /// The instances of the local module called `name` from `instance` — one, or one per
    /// `for_each` key / `count` index — with their keys (`None` for a single instance), the
    /// arguments evaluated in the caller.
    pub(crate) fn module_instances(
        &self,
        instance: &Rc<Instance>,
        name: &str,
        file: FileId,
        span: Option<Range<usize>>,
    ) -> Result<Vec<ModuleInstance>> {
        if let Some(children) = instance.children.borrow().get(name) {
            return Ok(children.clone());
        }
        let Some(call) = instance.config.calls.iter().find(|call| call.name == name) else {
            return Err(self.error(
                file,
                span,
                format!("no local module `{name}` is called here (only modules with a local `source` are read)"),
            ));
        };
        let key = format!("module.{name}");
        if !instance.busy.borrow_mut().insert(key.clone()) {
            return Err(self.error(
                file,
                span,
                format!("module `{name}`'s arguments refer to its own outputs"),
            ));
        }
        let result = self.instantiate(instance, call);
        instance.busy.borrow_mut().remove(&key);
        let children = result?;
        instance
            .children
            .borrow_mut()
            .insert(name.to_owned(), children.clone());
        Ok(children)
    }

    fn instantiate(
        &self,
        instance: &Rc<Instance>,
        call: &ModuleCall,
    ) -> Result<Vec<ModuleInstance>> {
        let scope = Scope::new(instance, call.file);
        let base = format!("{}module.{}", instance.prefix, call.name);
        // (key for the module value, address suffix, scope the arguments see)
        let mut keyed: Vec<(Option<Value>, String, Scope<'_>)> = Vec::new();
        if let Some(for_each) = call.body.get_attribute("for_each") {
            let collection = self.eval(&for_each.value, &scope)?;
            for (key, value) in self.pairs(collection, call.file, for_each.value.span())? {
                let key = match (&key, &value) {
                    (Value::Number(_), Value::String(text)) => text.clone(),
                    _ => key.to_text().unwrap_or_default(),
                };
                self.remember_account_key(&key, &value);
                let mut each = BTreeMap::new();
                each.insert("key".to_owned(), Value::String(key.clone()));
                each.insert("value".to_owned(), value);
                let suffix = format!("[{}]", serde_json::Value::String(key.clone()));
                keyed.push((
                    Some(Value::String(key)),
                    suffix,
                    scope.with("each", Value::Map(each)),
                ));
            }
        } else if let Some(count) = call.body.get_attribute("count") {
            let total = match self.eval(&count.value, &scope)? {
                Value::Number(number) if number >= 0.0 && number.fract() == 0.0 => number,
                other => {
                    return Err(self.error(
                        call.file,
                        count.value.span(),
                        format!("`count` must be a whole number, not {}", other.describe()),
                    ));
                }
            };
            let mut index = 0.0;
            while index < total {
                let mut count_map = BTreeMap::new();
                count_map.insert("index".to_owned(), Value::Number(index));
                let suffix = format!("[{}]", super::value::format_number(index));
                keyed.push((
                    Some(Value::Number(index)),
                    suffix,
                    scope.with("count", Value::Map(count_map)),
                ));
                index += 1.0;
            }
        } else {
            keyed.push((None, String::new(), scope.clone()));
        }
        let mut children = Vec::new();
        for (key, suffix, scope) in keyed {
            let mut inputs = BTreeMap::new();
            for attribute in call.body.attributes() {
                let argument = attribute.key.as_str();
                if [
                    "source",
                    "version",
                    "providers",
                    "depends_on",
                    "for_each",
                    "count",
                ]
                .contains(&argument)
                {
                    continue;
                }
                inputs.insert(argument.to_owned(), self.eval(&attribute.value, &scope)?);
            }
            children.push((
                key,
                Rc::new(Instance::new(
                    Rc::clone(&call.module),
                    format!("{base}{suffix}."),
                    inputs,
                )),
            ));
        }
        Ok(children)
    }

    /// The outputs of one module instance as an object.
    fn outputs(
        &self,
        child: &Rc<Instance>,
        file: FileId,
        span: Option<&Range<usize>>,
    ) -> Result<Value> {
        let names: Vec<String> = child.config.outputs.keys().cloned().collect();
        let mut map = BTreeMap::new();
        for output in names {
            let value = self.output(child, &output, file, span.cloned())?;
            map.insert(output, value);
        }
        Ok(Value::Map(map))
    }

    fn resource_value(
        &self,
        instance: &Rc<Instance>,
        mode: Mode,
        resource_type: &str,
        name: &str,
        file: FileId,
        span: Option<Range<usize>>,
    ) -> Result<Value> {
        let Some(index) = instance.config.resources.iter().position(|block| {
            block.mode == mode && block.resource_type == resource_type && block.name == name
        }) else {
            let what = if mode == Mode::Data { "data." } else { "" };
            return Err(self.error(
                file,
                span,
                format!("no `{what}{resource_type}.{name}` is declared in this module"),
            ));
        };
        let block = &instance.config.resources[index];
        let instances = self.instances(instance, index)?;
        let keyed = block.body.has_attribute("for_each");
        let counted = block.body.has_attribute("count");
        Ok(if keyed {
            Value::Map(
                instances
                    .into_iter()
                    .map(|resource| (resource.key.unwrap_or_default(), resource.value))
                    .collect(),
            )
        } else if counted {
            Value::List(
                instances
                    .into_iter()
                    .map(|resource| resource.value)
                    .collect(),
            )
        } else {
            instances
                .into_iter()
                .next()
                .map_or(Value::Null, |resource| resource.value)
        })
    }

    /// Every instance of resource block `index` of `instance` (memoized).
    pub(crate) fn instances(
        &self,
        instance: &Rc<Instance>,
        index: usize,
    ) -> Result<Vec<ResourceInstance>> {
        if let Some(result) = instance.instances.borrow().get(&index) {
            return result.clone();
        }
        let block = &instance.config.resources[index];
        let key = format!("{}#", block.address());
        if !instance.busy.borrow_mut().insert(key.clone()) {
            return Err(self.error(
                block.file,
                block.span.clone(),
                format!(
                    "`{}{}` refers to itself (a cycle)",
                    instance.prefix,
                    block.address()
                ),
            ));
        }
        let result = self.expand(instance, block);
        instance.busy.borrow_mut().remove(&key);
        instance
            .instances
            .borrow_mut()
            .insert(index, result.clone());
        result
    }

    fn expand(
        &self,
        instance: &Rc<Instance>,
        block: &ResourceBlock,
    ) -> Result<Vec<ResourceInstance>> {
        let scope = Scope::new(instance, block.file);
        let base = format!("{}{}", instance.prefix, block.address());
        let location = self.sources.locate(block.file, block.span.clone());
        let mut instances = Vec::new();
        let mut one = |address: String, key: Option<String>, scope: &Scope<'_>| -> Result<()> {
            let mut attributes = self.body(&block.body, scope, true)?;
            if block.mode == Mode::Data && block.resource_type == "aws_iam_policy_document" {
                let json = policy::document(&attributes)
                    .map_err(|message| self.error(block.file, block.span.clone(), message))?;
                attributes.insert("json".to_owned(), Value::String(json.clone()));
                attributes.insert("minified_json".to_owned(), Value::String(json));
            }
            instances.push(ResourceInstance {
                address: address.clone(),
                key,
                resource_type: block.resource_type.clone(),
                mode: block.mode,
                value: Value::Resource {
                    address,
                    attributes,
                },
                location: location.clone(),
            });
            Ok(())
        };
        if let Some(for_each) = block.body.get_attribute("for_each") {
            let collection = self.eval(&for_each.value, &scope)?;
            if let Value::List(items) = &collection
                && items.iter().any(|item| !matches!(item, Value::String(_)))
            {
                return Err(self.error(
                    block.file,
                    for_each.value.span(),
                    "`for_each` needs a map or a set of strings",
                ));
            }
            for (key, value) in self.pairs(collection, block.file, for_each.value.span())? {
                let key = match (&key, &value) {
                    (Value::Number(_), Value::String(text)) => text.clone(),
                    _ => key.to_text().unwrap_or_default(),
                };
                self.remember_account_key(&key, &value);
                let mut each = BTreeMap::new();
                each.insert("key".to_owned(), Value::String(key.clone()));
                each.insert("value".to_owned(), value);
                let address = format!("{base}[{}]", serde_json::Value::String(key.clone()));
                one(address, Some(key), &scope.with("each", Value::Map(each)))?;
            }
        } else if let Some(count) = block.body.get_attribute("count") {
            let total = match self.eval(&count.value, &scope)? {
                Value::Number(number) if number >= 0.0 && number.fract() == 0.0 => number,
                other => {
                    return Err(self.error(
                        block.file,
                        count.value.span(),
                        format!("`count` must be a whole number, not {}", other.describe()),
                    ));
                }
            };
            let mut index = 0.0;
            while index < total {
                let mut count_map = BTreeMap::new();
                count_map.insert("index".to_owned(), Value::Number(index));
                let address = format!("{base}[{}]", super::value::format_number(index));
                one(address, None, &scope.with("count", Value::Map(count_map)))?;
                index += 1.0;
            }
        } else {
            one(base, None, &scope)?;
        }
        Ok(instances)
    }

    /// A block body as an object: attributes by name, nested blocks (and `dynamic` blocks)
    /// as lists of objects under their type name.
    pub(crate) fn body(
        &self,
        body: &Body,
        scope: &Scope<'_>,
        top_level: bool,
    ) -> Result<BTreeMap<String, Value>> {
        let mut attributes: BTreeMap<String, Value> = BTreeMap::new();
        for structure in body {
            match structure {
                Structure::Attribute(attribute) => {
                    let key = attribute.key.as_str();
                    if top_level && META_ARGUMENTS.contains(&key) {
                        continue;
                    }
                    attributes.insert(key.to_owned(), self.eval(&attribute.value, scope)?);
                }
                Structure::Block(block) => {
                    let ident = block.ident.as_str();
                    if top_level && META_BLOCKS.contains(&ident) {
                        continue;
                    }
                    if ident == "dynamic" {
                        let Some(name) =
                            block.labels.first().map(|label| label.as_str().to_owned())
                        else {
                            return Err(self.error(
                                scope.file,
                                block.span(),
                                "a `dynamic` block needs a name",
                            ));
                        };
                        let items = self.dynamic(block, &name, scope)?;
                        if let Value::List(existing) = attributes
                            .entry(name)
                            .or_insert_with(|| Value::List(Vec::new()))
                        {
                            existing.extend(items);
                        }
                        continue;
                    }
                    let value = Value::Map(self.body(&block.body, scope, false)?);
                    if let Value::List(existing) = attributes
                        .entry(ident.to_owned())
                        .or_insert_with(|| Value::List(Vec::new()))
                    {
                        existing.push(value);
                    }
                }
            }
        }
        Ok(attributes)
    }

    fn dynamic(
        &self,
        block: &hcl_edit::structure::Block,
        name: &str,
        scope: &Scope<'_>,
    ) -> Result<Vec<Value>> {
        let Some(for_each) = block.body.get_attribute("for_each") else {
            return Err(self.error(
                scope.file,
                block.span(),
                format!("`dynamic \"{name}\"` needs `for_each`"),
            ));
        };
        let iterator = match block.body.get_attribute("iterator") {
            Some(attribute) => match &attribute.value {
                Expression::Variable(ident) => ident.as_str().to_owned(),
                _ => {
                    return Err(self.error(
                        scope.file,
                        attribute.value.span(),
                        "`iterator` must be a name",
                    ));
                }
            },
            None => name.to_owned(),
        };
        let Some(content) = block.body.get_blocks("content").next() else {
            return Err(self.error(
                scope.file,
                block.span(),
                format!("`dynamic \"{name}\"` needs a `content` block"),
            ));
        };
        let collection = self.eval(&for_each.value, scope)?;
        let mut items = Vec::new();
        for (key, value) in self.pairs(collection, scope.file, for_each.value.span())? {
            let key = match (&key, &value) {
                (Value::Number(_), Value::String(text)) => Value::String(text.clone()),
                _ => key,
            };
            let mut binding = BTreeMap::new();
            binding.insert("key".to_owned(), key);
            binding.insert("value".to_owned(), value);
            let inner = scope.with(&iterator, Value::Map(binding));
            items.push(Value::Map(self.body(&content.body, &inner, false)?));
        }
        Ok(items)
    }
}
