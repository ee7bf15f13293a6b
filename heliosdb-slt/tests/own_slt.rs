//! Runs every `.slt` file under `tests/slt/` (the project's own SQL suite);
//! all records must pass.

use std::path::PathBuf;

#[test]
fn project_slt_files_all_pass() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/slt");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/slt exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().and_then(|e| e.to_str()) == Some("slt"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no .slt files found in {}", dir.display());
    let mut report = Vec::new();
    let mut total = 0;
    for f in &files {
        let text = std::fs::read_to_string(f).expect("readable");
        let (tally, failures) = heliosdb_slt::run_file(&text, 0);
        total += tally.passed;
        for msg in failures {
            report.push(format!("{}: {msg}", f.file_name().unwrap_or_default().to_string_lossy()));
        }
    }
    assert!(report.is_empty(), "{} failing records:\n{}", report.len(), report.join("\n"));
    assert!(total > 0, "no records ran");
}
