//! The documented install step (scripts/install.sh + pkg-config) works, the
//! C example of scenario S1 builds with `pkg-config --cflags --libs heliosdb`
//! and prints the expected dashboard, and the C benchmark against SQLite
//! builds and runs (on a tiny table: this checks it works, not its speed).

mod common;

use common::{lib_dir, root};
use std::path::Path;
use std::process::Command;

fn ok(cmd: &mut Command) -> String {
    let o = cmd.output().unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    assert!(
        o.status.success(),
        "{cmd:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn install(prefix: &Path) -> Vec<String> {
    ok(Command::new(root().join("scripts/install.sh")).arg("--prefix").arg(prefix).arg("--lib-dir").arg(lib_dir()));
    let flags = ok(Command::new("pkg-config")
        .args(["--cflags", "--libs", "heliosdb"])
        .env("PKG_CONFIG_PATH", prefix.join("lib/pkgconfig")));
    flags.split_whitespace().map(String::from).collect()
}

#[test]
fn sales_dashboard_example_builds_with_pkg_config_and_prints_the_summary() {
    let tmp = tempfile::tempdir().unwrap();
    let flags = install(&tmp.path().join("prefix"));
    let exe = tmp.path().join("sales_dashboard");
    ok(Command::new("cc")
        .arg("-std=c99")
        .arg(root().join("examples/c/sales_dashboard.c"))
        .arg("-o")
        .arg(&exe)
        .args(&flags));
    let out = ok(Command::new(&exe).arg(tmp.path().join("db")));
    let expected = std::fs::read_to_string(root().join("examples/c/sales_dashboard.expected")).unwrap();
    assert_eq!(out, expected);
}

#[test]
fn c_benchmark_against_sqlite_builds_and_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let flags = install(&tmp.path().join("prefix"));
    let exe = tmp.path().join("bench_vs_sqlite");
    ok(Command::new("cc")
        .args(["-O2", "-std=c99", "-D_DEFAULT_SOURCE"])
        .arg(root().join("bench/c/bench_vs_sqlite.c"))
        .arg("-o")
        .arg(&exe)
        .args(&flags)
        .arg("-lsqlite3"));
    let out = ok(Command::new(&exe).arg("2000"));
    assert!(out.contains("primary-key lookups") && out.contains("GROUP BY region"), "{out}");
}
