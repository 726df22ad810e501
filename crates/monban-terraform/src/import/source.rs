//! The `.tf` / `.tfvars` files read by an import, and positions in them: every expression
//! keeps its byte span (hcl-edit), turned into `file:line:col` relative to the Terraform
//! directory only when a message or note needs it.

use std::fmt;
use std::ops::Range;
use std::path::Path;

/// One file read by the import.
#[derive(Debug)]
pub(crate) struct SourceFile {
    /// The path shown in messages: relative to the Terraform directory, `/`-separated.
    pub display: String,
    line_starts: Vec<usize>,
}

impl SourceFile {
    pub(crate) fn new(display: String, text: &str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(
            text.bytes()
                .enumerate()
                .filter(|(_, byte)| *byte == b'\n')
                .map(|(index, _)| index + 1),
        );
        Self {
            display,
            line_starts,
        }
    }

    /// 1-based line and column of a byte offset (columns count bytes, as hcl-edit's do).
    fn line_column(&self, offset: usize) -> (usize, usize) {
        let line = self.line_starts.partition_point(|start| *start <= offset);
        let start = self.line_starts[line.saturating_sub(1)];
        (line.max(1), offset - start + 1)
    }
}

/// Index of a file in [`Sources`].
pub(crate) type FileId = usize;

/// Every file read so far.
#[derive(Debug, Default)]
pub(crate) struct Sources {
    files: Vec<SourceFile>,
}

impl Sources {
    pub(crate) fn add(&mut self, file: SourceFile) -> FileId {
        self.files.push(file);
        self.files.len() - 1
    }

    pub(crate) fn file(&self, id: FileId) -> &SourceFile {
        &self.files[id]
    }

    /// The location of a span (or of the file's start when the span is unknown).
    pub(crate) fn locate(&self, id: FileId, span: Option<Range<usize>>) -> Location {
        let file = &self.files[id];
        let (line, column) = span.map_or((1, 1), |span| file.line_column(span.start));
        Location {
            file: file.display.clone(),
            line,
            column,
        }
    }
}

/// `file:line:col`, the file relative to the Terraform directory.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Location {
    pub file: String,
    pub line: usize,
    pub column: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(formatter, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// The `/`-separated path of `path` relative to `base` (or `path` itself when it is not
/// below `base`).
pub(crate) fn relative_display(base: &Path, path: &Path) -> String {
    let relative = path.strip_prefix(base).unwrap_or(path);
    relative
        .components()
        .map(|component| component.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_become_lines_and_columns() {
        let mut sources = Sources::default();
        let id = sources.add(SourceFile::new("main.tf".to_owned(), "a = 1\nbb = 2\n"));
        assert_eq!(sources.locate(id, Some(0..1)).to_string(), "main.tf:1:1");
        assert_eq!(sources.locate(id, Some(11..12)).to_string(), "main.tf:2:6");
    }
}
