//! `heliosdb-slt [--gate] [--verbose] [--skips FILE] PATH…`: runs .slt/.test
//! files (or every such file under a directory) and prints per-file and total
//! pass counts. `--skips` names the documented skip list for the SQLite corpus.
//!
//! Used for the SQLite corpus report; exits 0 whatever the pass rate unless
//! `--gate` is given (then any failure exits 1).

use std::path::{Path, PathBuf};

fn collect(path: &Path, out: &mut Vec<PathBuf>) {
    if path.is_dir() {
        let mut entries: Vec<PathBuf> =
            std::fs::read_dir(path).map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect()).unwrap_or_default();
        entries.sort();
        for e in entries {
            collect(&e, out);
        }
    } else if matches!(path.extension().and_then(|e| e.to_str()), Some("test") | Some("slt")) {
        out.push(path.to_path_buf());
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let gate = args.iter().any(|a| a == "--gate");
    let verbose = args.iter().any(|a| a == "--verbose");
    let mut skips = Vec::new();
    let mut files = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a == "--skips" {
            let Some(f) = it.next() else {
                eprintln!("--skips needs a file");
                std::process::exit(2);
            };
            match std::fs::read_to_string(f) {
                Ok(t) => skips = heliosdb_slt::parse_skips(&t),
                Err(e) => {
                    eprintln!("{f}: {e}");
                    std::process::exit(2);
                }
            }
        } else if !a.starts_with("--") {
            collect(Path::new(a), &mut files);
        }
    }
    if files.is_empty() {
        eprintln!("usage: heliosdb-slt [--gate] [--verbose] PATH…");
        std::process::exit(2);
    }
    let (mut passed, mut failed, mut skipped, mut documented) = (0, 0, 0, 0);
    for f in &files {
        let text = match std::fs::read_to_string(f) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("{}: cannot read: {e}", f.display());
                failed += 1;
                continue;
            }
        };
        let threshold = if f.extension().and_then(|e| e.to_str()) == Some("test") { 8 } else { 0 };
        let (t, failures) = heliosdb_slt::run_file_with_skips(&text, threshold, &skips);
        let total = t.passed + t.failed;
        let pct = if total == 0 { 100.0 } else { 100.0 * t.passed as f64 / total as f64 };
        let doc =
            if t.documented_skips > 0 { format!(", {} documented skips", t.documented_skips) } else { String::new() };
        println!("{:<60} {:>6}/{:<6} {:>6.2}%  ({} skipped{doc})", f.display(), t.passed, total, pct, t.skipped);
        if verbose {
            for msg in failures.iter().take(20) {
                println!("    {msg}");
            }
        }
        passed += t.passed;
        failed += t.failed;
        skipped += t.skipped;
        documented += t.documented_skips;
    }
    let total = passed + failed;
    let pct = if total == 0 { 100.0 } else { 100.0 * passed as f64 / total as f64 };
    println!(
        "TOTAL {passed}/{total} records passed ({pct:.2}%), {skipped} skipped by their guards, {documented} documented skips"
    );
    if gate && failed > 0 {
        std::process::exit(1);
    }
}
