//! The example access repo (`examples/holding`, Tessera Group), built into the binary by
//! `build.rs` so `monban demo` needs nothing on disk.

/// Every file of the example: (path relative to the repo root, `/`-separated; contents).
pub const FILES: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/example_files.rs"));

/// The IdP directory snapshot inside the example.
pub const DIRECTORY_FILE: &str = "directory.yaml";

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    #[test]
    fn the_embedded_example_is_the_example_on_disk() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/holding");
        for (relative, contents) in FILES {
            let on_disk = std::fs::read_to_string(root.join(relative)).unwrap();
            assert_eq!(&on_disk, contents, "{relative}");
        }
        assert!(FILES.iter().any(|(path, _)| *path == "monban.yaml"));
        assert!(FILES.iter().any(|(path, _)| *path == DIRECTORY_FILE));
        assert!(FILES.len() > 30);
    }

    #[test]
    fn the_written_example_is_a_valid_repo() {
        let dir = tempfile::tempdir().unwrap();
        crate::commands::write_files(dir.path(), FILES).unwrap();
        let (repo, diagnostics) =
            monban_config::load_repo(dir.path(), &monban_config::LoadOptions::new()).unwrap();
        assert!(!diagnostics.has_errors(), "{diagnostics:?}");
        assert_eq!(repo.accounts.len(), 20);
    }
}
