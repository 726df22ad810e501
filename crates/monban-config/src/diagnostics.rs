//! Diagnostics: every problem the loader finds, each with a stable code, a severity, the
//! file and position it is about, a message and an optional hint.
//!
//! Codes are `MB` + four digits; the first digit is the family (1 structure, 2 values and
//! AWS limits, 3 references, 4 consistency, 5 directory snapshot). A code never changes
//! meaning once released; `docs/reference/diagnostics.md` lists every one. Rendering is not
//! done here: [`Diagnostic::report`] adapts one to `miette::Diagnostic`, and the binary
//! chooses how to print it.

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use miette::{LabeledSpan, NamedSource, SourceCode};
use monban_model::Constraint;
use serde::Serialize;

use crate::node::Position;

/// How bad a diagnostic is. Errors fail `validate`; warnings fail it only with
/// `--deny-warnings`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

impl fmt::Display for Severity {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(match self {
            Self::Error => "error",
            Self::Warning => "warning",
        })
    }
}

macro_rules! codes {
    ($($variant:ident = $code:literal, $severity:ident, $title:literal;)*) => {
        /// Every diagnostic code. See `docs/reference/diagnostics.md` for meaning and fix.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code {
            $($variant,)*
        }

        impl Code {
            /// Every code, in numeric order.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The code as printed, e.g. `MB1002`.
            #[must_use]
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $code,)* }
            }

            /// The severity diagnostics of this code have.
            #[must_use]
            pub fn severity(self) -> Severity {
                match self { $(Self::$variant => Severity::$severity,)* }
            }

            /// A short title, used as the label under the marked span.
            #[must_use]
            pub fn title(self) -> &'static str {
                match self { $(Self::$variant => $title,)* }
            }
        }
    };
}

codes! {
    YamlSyntax = "MB1001", Error, "YAML syntax error";
    UnknownKey = "MB1002", Error, "unknown key";
    DuplicateKey = "MB1003", Error, "duplicate key";
    MissingKey = "MB1004", Error, "missing required key";
    WrongType = "MB1005", Error, "wrong type";
    UnreadableFile = "MB1006", Error, "file cannot be read";
    IgnoredFile = "MB1007", Warning, "file ignored";
    OrphanPolicy = "MB1008", Error, "inline policy without permission set";
    EmptyValue = "MB1009", Error, "empty value";
    ConflictingKeys = "MB1010", Error, "conflicting keys";
    InvalidAccountId = "MB2001", Error, "invalid account id";
    InvalidAccountName = "MB2002", Error, "invalid account name";
    InvalidOu = "MB2003", Error, "invalid OU path";
    InvalidEmail = "MB2004", Error, "invalid e-mail address";
    InvalidRootEmailTemplate = "MB2005", Error, "invalid root e-mail template";
    InvalidPermissionSetName = "MB2006", Error, "invalid permission set name";
    InvalidDescription = "MB2007", Error, "invalid description";
    InvalidSessionDuration = "MB2008", Error, "invalid session duration";
    InvalidRelayState = "MB2009", Error, "invalid relay state";
    InvalidManagedPolicyArn = "MB2010", Error, "invalid managed policy ARN";
    InvalidCustomerManagedPolicyName = "MB2011", Error, "invalid customer-managed policy name";
    InvalidCustomerManagedPolicyPath = "MB2012", Error, "invalid customer-managed policy path";
    InvalidInlinePolicy = "MB2013", Error, "inline policy breaks an AWS limit";
    InvalidPolicyJson = "MB2014", Error, "inline policy is not valid JSON";
    TooManyPolicies = "MB2015", Error, "too many policies";
    ManyPolicies = "MB2016", Warning, "more policies than IAM's default role quota";
    InvalidTagKey = "MB2017", Error, "invalid tag key";
    InvalidTagValue = "MB2018", Error, "invalid tag value";
    TooManyTags = "MB2019", Error, "too many tags";
    InvalidGroupName = "MB2020", Error, "invalid group name";
    InvalidUserName = "MB2021", Error, "invalid user name";
    InvalidDate = "MB2022", Error, "invalid date";
    InvalidOuPattern = "MB2023", Error, "invalid OU pattern";
    InvalidRegion = "MB2024", Error, "invalid region";
    InvalidProfileName = "MB2025", Error, "invalid profile name";
    InvalidText = "MB2026", Error, "invalid text";
    InvalidDerivedEmail = "MB2027", Error, "derived root e-mail is invalid";
    InvalidEnumValue = "MB2028", Error, "value not allowed";
    InvalidOwner = "MB2029", Error, "invalid code owner";
    UnknownPermissionSet = "MB3001", Error, "unknown permission set";
    UnknownGroup = "MB3002", Error, "unknown group";
    UnknownUser = "MB3003", Error, "unknown user";
    UnknownOu = "MB3004", Error, "unknown OU";
    UnknownAccount = "MB3005", Error, "unknown account";
    GroupNotInDirectory = "MB3006", Error, "group not in directory";
    UserNotInDirectory = "MB3007", Error, "user not in directory";
    UserInactive = "MB3008", Warning, "user deactivated in directory";
    DuplicateAccountId = "MB4001", Error, "duplicate account id";
    DuplicateRootEmail = "MB4002", Error, "duplicate root e-mail";
    DuplicateGrant = "MB4003", Error, "duplicate grant";
    GrantAlsoByRule = "MB4004", Warning, "grant also made by a rule";
    GrantExpired = "MB4005", Warning, "grant expired";
    ProtectedNotGranted = "MB4006", Error, "protected assignment not granted";
    RuleMatchesNothing = "MB4007", Warning, "rule matches no account";
    NoRootEmail = "MB4008", Error, "no root e-mail";
    DuplicateEntry = "MB4009", Warning, "listed twice";
    ClosingManagementAccount = "MB4010", Error, "management account cannot be closed";
    EmptySelector = "MB4011", Error, "selector matches nothing by construction";
    NoOwner = "MB4012", Warning, "account has no owner";
    DuplicateDirectoryUser = "MB5001", Error, "duplicate user in directory";
    DuplicateDirectoryGroup = "MB5002", Error, "duplicate group in directory";
    UnknownMember = "MB5003", Error, "member is not a user of the directory";
}

impl Code {
    /// The code reporting a broken [`Constraint`] of the model.
    #[must_use]
    pub fn for_constraint(constraint: Constraint) -> Self {
        match constraint {
            Constraint::AccountId => Self::InvalidAccountId,
            Constraint::AccountName => Self::InvalidAccountName,
            Constraint::OuName | Constraint::OuPath => Self::InvalidOu,
            Constraint::Email => Self::InvalidEmail,
            Constraint::RootEmailTemplate => Self::InvalidRootEmailTemplate,
            Constraint::PermissionSetName => Self::InvalidPermissionSetName,
            Constraint::PermissionSetDescription => Self::InvalidDescription,
            Constraint::SessionDuration => Self::InvalidSessionDuration,
            Constraint::RelayState => Self::InvalidRelayState,
            Constraint::ManagedPolicyArn => Self::InvalidManagedPolicyArn,
            Constraint::CustomerManagedPolicyName => Self::InvalidCustomerManagedPolicyName,
            Constraint::CustomerManagedPolicyPath => Self::InvalidCustomerManagedPolicyPath,
            Constraint::InlinePolicy => Self::InvalidInlinePolicy,
            Constraint::PolicyCount => Self::TooManyPolicies,
            Constraint::TagKey => Self::InvalidTagKey,
            Constraint::TagValue => Self::InvalidTagValue,
            Constraint::TagCount => Self::TooManyTags,
            Constraint::GroupName => Self::InvalidGroupName,
            Constraint::UserName => Self::InvalidUserName,
            Constraint::Date => Self::InvalidDate,
            Constraint::OuPattern => Self::InvalidOuPattern,
            Constraint::Region => Self::InvalidRegion,
            Constraint::ProfileName => Self::InvalidProfileName,
            Constraint::Text => Self::InvalidText,
        }
    }
}

impl fmt::Display for Code {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// One problem, anchored in a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    /// The file, relative to the repo root for repo files (`accounts/x.yaml`), as given for
    /// a directory snapshot.
    pub file: PathBuf,
    /// 1-based line and column (column in characters).
    pub line: u32,
    pub column: u32,
    /// Byte range of the offending text in the file.
    pub span: Range<usize>,
    pub message: String,
    pub hint: Option<String>,
}

impl Diagnostic {
    /// A diagnostic at `position` in `file`, with the code's own severity.
    #[must_use]
    pub fn new(code: Code, file: &Path, position: Position, message: impl Into<String>) -> Self {
        Self {
            code,
            severity: code.severity(),
            file: file.to_path_buf(),
            line: position.line,
            column: position.column,
            span: position.span(),
            message: message.into(),
            hint: None,
        }
    }

    #[must_use]
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// `file:line:col`, the way editors and terminals link to a position.
    #[must_use]
    pub fn location(&self) -> String {
        format!("{}:{}:{}", display_path(&self.file), self.line, self.column)
    }

    /// This diagnostic as a `miette::Diagnostic`, with its source text for the snippet.
    #[must_use]
    pub fn report(&self, source: Option<Arc<str>>) -> Report {
        self.report_named(&display_path(&self.file), source)
    }

    /// [`Diagnostic::report`], showing the file under another name (e.g. relative to the
    /// working directory rather than to the repo root).
    #[must_use]
    pub fn report_named(&self, name: &str, source: Option<Arc<str>>) -> Report {
        Report {
            diagnostic: self.clone(),
            name: name.to_owned(),
            source: source.map(|text| NamedSource::new(name, SharedText(text))),
        }
    }
}

/// Paths print with `/` on every platform, so diagnostics and snapshots agree.
#[must_use]
pub fn display_path(path: &Path) -> String {
    path.components()
        .map(|component| component.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
        .replace("//", "/")
}

/// Source text shared between the diagnostics of one file.
#[derive(Debug, Clone)]
struct SharedText(Arc<str>);

impl SourceCode for SharedText {
    fn read_span<'a>(
        &'a self,
        span: &miette::SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        let contents =
            self.0
                .as_ref()
                .read_span(span, context_lines_before, context_lines_after)?;
        if context_lines_before != 0 || context_lines_after != 0 {
            return Ok(contents);
        }
        // miette heads a snippet with `file:line:col` from this read, counting the column
        // in bytes; diagnostics count characters (as editors do), so recount.
        let text: &str = &self.0;
        let offset = span.offset().min(text.len());
        let line_start = text[..offset].rfind('\n').map_or(0, |index| index + 1);
        let column = text
            .get(line_start..offset)
            .map_or(contents.column(), |prefix| prefix.chars().count());
        Ok(Box::new(miette::MietteSpanContents::new(
            contents.data(),
            *contents.span(),
            contents.line(),
            column,
            contents.line_count(),
        )))
    }
}

/// A [`Diagnostic`] with its source, implementing `miette::Diagnostic` for rendering.
#[derive(Debug)]
pub struct Report {
    diagnostic: Diagnostic,
    name: String,
    source: Option<NamedSource<SharedText>>,
}

impl fmt::Display for Report {
    /// The message; prefixed by the file when there is no snippet to show it (an unreadable
    /// or ignored file).
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.source.is_none() {
            write!(formatter, "{}: ", self.name)?;
        }
        formatter.write_str(&self.diagnostic.message)
    }
}

impl std::error::Error for Report {}

impl miette::Diagnostic for Report {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.diagnostic.code))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.diagnostic.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.diagnostic
            .hint
            .as_ref()
            .map(|hint| Box::new(hint) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|source| source as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.source.as_ref()?;
        let span = &self.diagnostic.span;
        Some(Box::new(std::iter::once(
            LabeledSpan::new_primary_with_span(
                Some(self.diagnostic.code.title().to_owned()),
                (span.start, span.end.saturating_sub(span.start)),
            ),
        )))
    }
}

/// All diagnostics of one load, with the text of every file they point into.
#[derive(Debug, Clone, Default)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
    sources: BTreeMap<PathBuf, Arc<str>>,
}

impl Diagnostics {
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.items.push(diagnostic);
    }

    /// Remembers the text of `file` so reports can show snippets of it.
    pub fn add_source(&mut self, file: &Path, text: Arc<str>) {
        self.sources.insert(file.to_path_buf(), text);
    }

    /// The text of `file`, if it was read.
    #[must_use]
    pub fn source(&self, file: &Path) -> Option<Arc<str>> {
        self.sources.get(file).cloned()
    }

    /// Moves `other`'s diagnostics and sources into `self`.
    pub fn extend(&mut self, other: Self) {
        self.items.extend(other.items);
        self.sources.extend(other.sources);
    }

    /// Sorts by file, position, then code: the order they are shown in.
    pub fn sort(&mut self) {
        self.items.sort_by(|left, right| {
            (&left.file, left.line, left.column, left.code, &left.message).cmp(&(
                &right.file,
                right.line,
                right.column,
                right.code,
                &right.message,
            ))
        });
    }

    pub fn iter(&self) -> std::slice::Iter<'_, Diagnostic> {
        self.items.iter()
    }

    #[must_use]
    pub fn len(&self) -> usize {
        self.items.len()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    #[must_use]
    pub fn error_count(&self) -> usize {
        self.count(Severity::Error)
    }

    #[must_use]
    pub fn warning_count(&self) -> usize {
        self.count(Severity::Warning)
    }

    #[must_use]
    pub fn has_errors(&self) -> bool {
        self.error_count() > 0
    }

    fn count(&self, severity: Severity) -> usize {
        self.items
            .iter()
            .filter(|diagnostic| diagnostic.severity == severity)
            .count()
    }

    /// Each diagnostic as a renderable report, in order.
    pub fn reports(&self) -> impl Iterator<Item = Report> + '_ {
        self.items
            .iter()
            .map(|diagnostic| diagnostic.report(self.source(&diagnostic.file)))
    }

    /// Every diagnostic as one JSON document (format version 1):
    /// `{"version":1,"errors":N,"warnings":N,"diagnostics":[{code,severity,file,line,column,span:{start,end},message,hint}]}`.
    #[must_use]
    pub fn to_json(&self) -> String {
        let diagnostics: Vec<serde_json::Value> = self
            .items
            .iter()
            .map(|diagnostic| {
                serde_json::json!({
                    "code": diagnostic.code.as_str(),
                    "severity": diagnostic.severity,
                    "file": display_path(&diagnostic.file),
                    "line": diagnostic.line,
                    "column": diagnostic.column,
                    "span": { "start": diagnostic.span.start, "end": diagnostic.span.end },
                    "message": diagnostic.message,
                    "hint": diagnostic.hint,
                })
            })
            .collect();
        let document = serde_json::json!({
            "version": 1,
            "errors": self.error_count(),
            "warnings": self.warning_count(),
            "diagnostics": diagnostics,
        });
        format!("{document:#}")
    }
}

impl<'a> IntoIterator for &'a Diagnostics {
    type Item = &'a Diagnostic;
    type IntoIter = std::slice::Iter<'a, Diagnostic>;

    fn into_iter(self) -> Self::IntoIter {
        self.items.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_well_formed() {
        let mut seen = std::collections::BTreeSet::new();
        for code in Code::ALL {
            let text = code.as_str();
            assert!(seen.insert(text), "{text} twice");
            assert_eq!(text.len(), 6, "{text}");
            assert!(text.starts_with("MB"), "{text}");
            assert!(
                text[2..].bytes().all(|byte| byte.is_ascii_digit()),
                "{text}"
            );
            assert!(matches!(&text[2..3], "1" | "2" | "3" | "4" | "5"), "{text}");
        }
    }
}
