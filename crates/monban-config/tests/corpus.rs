//! The broken-repo corpus: every directory under `tests/fixtures/invalid/` is an access
//! repo with problems, and its `expected.txt` lists exactly the diagnostics `load_repo`
//! must report, one per line as `CODE FILE:LINE:COLUMN`, in report order. A case may hold
//! a `directory.yaml`, which is then passed as the directory snapshot.
//!
//! To (re)write the expected files after a deliberate change, run with
//! `MONBAN_BLESS=1` and review the diff: the files are the specification.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use monban_config::{LoadOptions, load_repo};

/// "Today" for every case, so expired-grant checks are deterministic.
fn today() -> jiff::civil::Date {
    jiff::civil::date(2026, 6, 15)
}

fn render(case: &Path) -> String {
    let mut options = LoadOptions::new().with_today(today());
    let directory = case.join("directory.yaml");
    if directory.is_file() {
        options = options.with_directory(&directory);
    }
    let (_, diagnostics) = load_repo(case, &options).expect("the case is a repo");
    let mut text = String::new();
    for diagnostic in &diagnostics {
        let file = diagnostic
            .file
            .strip_prefix(case)
            .unwrap_or(&diagnostic.file);
        writeln!(
            text,
            "{} {}:{}:{}",
            diagnostic.code,
            monban_config::display_path(file),
            diagnostic.line,
            diagnostic.column
        )
        .expect("writing to a String cannot fail");
    }
    text
}

fn cases() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/invalid");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("the corpus exists")
        .map(|entry| entry.expect("readable corpus").path())
        .filter(|path| path.is_dir())
        .collect();
    cases.sort();
    cases
}

#[test]
fn every_broken_repo_reports_exactly_the_expected_diagnostics() {
    let bless = std::env::var_os("MONBAN_BLESS").is_some();
    let cases = cases();
    assert!(
        cases.len() >= 40,
        "the corpus has only {} cases",
        cases.len()
    );
    let mut failures = Vec::new();
    for case in &cases {
        let actual = render(case);
        let expected_path = case.join("expected.txt");
        if bless {
            std::fs::write(&expected_path, &actual).expect("write expected.txt");
            continue;
        }
        let expected = std::fs::read_to_string(&expected_path)
            .unwrap_or_else(|_| panic!("{} has no expected.txt", case.display()));
        assert!(
            !expected.trim().is_empty(),
            "{}: a broken repo must expect at least one diagnostic",
            case.display()
        );
        if actual != expected {
            failures.push(format!(
                "{}\n--- expected\n{expected}--- actual\n{actual}",
                case.file_name().unwrap_or_default().to_string_lossy()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} case(s) differ:\n\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_code_is_exercised_by_the_corpus() {
    let mut seen = std::collections::BTreeSet::new();
    for case in cases() {
        if let Ok(text) = std::fs::read_to_string(case.join("expected.txt")) {
            for line in text.lines() {
                if let Some(code) = line.split_whitespace().next() {
                    seen.insert(code.to_owned());
                }
            }
        }
    }
    let missing: Vec<&str> = monban_config::Code::ALL
        .iter()
        .map(|code| code.as_str())
        .filter(|code| !seen.contains(*code))
        .collect();
    assert!(missing.is_empty(), "codes with no corpus case: {missing:?}");
}

#[test]
fn every_code_is_documented() {
    let page = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/reference/diagnostics.md");
    let text = std::fs::read_to_string(page).expect("docs/reference/diagnostics.md exists");
    let missing: Vec<&str> = monban_config::Code::ALL
        .iter()
        .map(|code| code.as_str())
        .filter(|code| !text.contains(&format!("### {code}\n**{}", severity_word(code))))
        .collect();
    assert!(
        missing.is_empty(),
        "codes without a (correct) entry in diagnostics.md: {missing:?}"
    );
}

fn severity_word(code: &str) -> &'static str {
    let code = monban_config::Code::ALL
        .iter()
        .find(|candidate| candidate.as_str() == code)
        .expect("a known code");
    match code.severity() {
        monban_config::Severity::Error => "error",
        monban_config::Severity::Warning => "warning",
    }
}
