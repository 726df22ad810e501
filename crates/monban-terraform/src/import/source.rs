//! The `.tf` / `.tf.json` / `.tfvars` files read by an import, and positions in them: every
//! expression keeps its byte span (hcl-edit), turned into `file:line:col` relative to the
//! Terraform directory only when a message or note needs it. A `.tf.json` file is parsed as
//! the native syntax generated from it: its spans are in that text, and its marks lead
//! them back to the JSON.

use std::fmt;
use std::ops::Range;
use std::path::Path;

/// One file read by the import.
#[derive(Debug)]
pub(crate) struct SourceFile {
    /// The path shown in messages: relative to the Terraform directory, `/`-separated.
    pub display: String,
    line_starts: Vec<usize>,
    /// For a file parsed as text generated from it (`.tf.json`): `(offset in the generated
    /// text, offset in the file)`, by increasing generated offset. Empty otherwise.
    marks: Vec<(usize, usize)>,
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
            marks: Vec::new(),
        }
    }

    /// A file whose text was translated before parsing; `marks` map offsets in the
    /// translation back to offsets in `text`.
    pub(crate) fn translated(display: String, text: &str, marks: Vec<(usize, usize)>) -> Self {
        Self {
            marks,
            ..Self::new(display, text)
        }
    }

    /// Whether the file was parsed as a translation of its text.
    pub(crate) fn is_translated(&self) -> bool {
        !self.marks.is_empty()
    }

    /// The offset in the file of an offset in the parsed text.
    fn original(&self, offset: usize) -> usize {
        if self.marks.is_empty() {
            return offset;
        }
        let index = self
            .marks
            .partition_point(|(generated, _)| *generated <= offset);
        self.marks
            .get(index.saturating_sub(1))
            .map_or(0, |(_, original)| *original)
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
        let (line, column) =
            span.map_or((1, 1), |span| file.line_column(file.original(span.start)));
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

    #[test]
    fn translated_offsets_go_back_to_the_file() {
        let mut sources = Sources::default();
        let json = "{\n  \"locals\": {\"a\": 1}\n}";
        let id = sources.add(SourceFile::translated(
            "main.tf.json".to_owned(),
            json,
            vec![(0, 4), (9, 15)],
        ));
        assert_eq!(
            sources.locate(id, Some(3..4)).to_string(),
            "main.tf.json:2:3"
        );
        assert_eq!(
            sources.locate(id, Some(12..13)).to_string(),
            "main.tf.json:2:14"
        );
    }
}
