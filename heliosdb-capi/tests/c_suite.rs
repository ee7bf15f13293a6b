//! Builds the C and C++ test programs in `tests/c/` against
//! `include/heliosdb.h` and the freshly built `libheliosdb`, and runs them —
//! under valgrind's memcheck when it is installed (zero errors and zero
//! definite leaks required). Set HELIOSDB_NO_VALGRIND=1 to run them bare.

mod common;

use common::{lib_dir, root};
use std::path::{Path, PathBuf};
use std::process::Command;

fn compile(compiler: &str, std: &str, source: &str, out: &Path, static_link: bool) {
    compile_with(compiler, std, source, out, static_link, &[]);
}

fn compile_with(compiler: &str, std: &str, source: &str, out: &Path, static_link: bool, flags: &[&str]) {
    let lib = lib_dir();
    let mut cmd = Command::new(compiler);
    cmd.arg(format!("-std={std}"))
        .args(["-Wall", "-Wextra", "-Werror", "-pedantic", "-g"])
        .args(flags)
        .arg("-I")
        .arg(root().join("include"))
        .arg(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/c").join(source))
        .arg("-o")
        .arg(out);
    if static_link {
        cmd.arg(lib.join("libheliosdb.a"));
    } else {
        cmd.arg("-L").arg(&lib).arg("-lheliosdb").arg(format!("-Wl,-rpath,{}", lib.display()));
    }
    cmd.args(["-lpthread", "-ldl", "-lm"]);
    let o = cmd.output().unwrap_or_else(|e| panic!("cannot run {compiler}: {e}"));
    assert!(o.status.success(), "{compiler} {source} failed:\n{}", String::from_utf8_lossy(&o.stderr));
}

fn valgrind_available() -> bool {
    std::env::var_os("HELIOSDB_NO_VALGRIND").is_none()
        && Command::new("valgrind").arg("--version").output().map(|o| o.status.success()).unwrap_or(false)
}

fn run(program: &Path) {
    run_with(program, &[]);
}

/// Runs `program DIR extra…` (under valgrind when available) and requires
/// exit 0 and a "… 0 failed" line.
fn run_with(program: &Path, extra: &[&str]) {
    run_as(program, extra, valgrind_available());
}

/// Runs `program DIR extra…`, under valgrind if `valgrind` is set (the
/// program then sees `HELIOSDB_UNDER_VALGRIND=1`).
fn run_as(program: &Path, extra: &[&str], valgrind: bool) {
    let dir = tempfile::tempdir().expect("temp dir");
    let db = dir.path().join("db");
    let mut cmd = if valgrind {
        let mut c = Command::new("valgrind");
        c.args([
            "--quiet",
            "--error-exitcode=99",
            "--leak-check=full",
            "--errors-for-leak-kinds=definite",
            "--show-leak-kinds=definite",
        ])
        .arg(program)
        .env("HELIOSDB_UNDER_VALGRIND", "1");
        c
    } else {
        Command::new(program)
    };
    let o = cmd.arg(&db).args(extra).output().expect("run test program");
    let stdout = String::from_utf8_lossy(&o.stdout);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        o.status.success() && stdout.contains(" 0 failed"),
        "{} exited {:?}\nstdout:\n{stdout}\nstderr:\n{stderr}",
        program.display(),
        o.status.code()
    );
}

/// Builds `tests/c/<source>` as C99 against the shared library and runs it.
fn c_program(source: &str, extra: &[&str]) {
    let out = tempfile::tempdir().unwrap();
    let exe = out.path().join(source.trim_end_matches(".c"));
    compile("cc", "c99", source, &exe, false);
    run_with(&exe, extra);
}

#[test]
fn c_api_suite_every_function_and_error_path() {
    c_program("test_capi.c", &[]);
}

#[test]
fn threads_own_and_shared_handles() {
    c_program("test_threads.c", &[]);
}

#[test]
fn pointer_lifetimes_in_the_ways_users_call_them() {
    c_program("test_lifetimes.c", &[]);
}

#[test]
fn regressions_of_the_reported_defects() {
    c_program("test_defects.c", &[]);
    // Once more without valgrind: under it, the deep statements on a small
    // thread stack are skipped (see test_defects.c).
    let out = tempfile::tempdir().unwrap();
    let exe = out.path().join("test_defects");
    compile("cc", "c99", "test_defects.c", &exe, false);
    run_as(&exe, &[], false);
}

#[test]
fn date_time_untyped_and_unknown_type_columns() {
    c_program("test_column_types.c", &[]);
}

#[test]
fn online_backup_and_checkpoint() {
    c_program("test_backup.c", &[]);
}

#[test]
fn change_feed_read_and_acknowledge() {
    c_program("test_feed.c", &[]);
}

#[test]
fn results_larger_than_the_working_memory() {
    c_program("test_memory.c", &[]);
}

#[test]
fn interrupt_close_race_and_busy_timeout_across_threads() {
    c_program("test_interrupt.c", &[]);
}

/// The call-sequence fuzzer with a fixed seed and budget (about a minute
/// under valgrind). `HELIOSDB_FUZZ_SEED` / `HELIOSDB_FUZZ_SEQUENCES` change
/// them; `scripts/fuzz-abi.sh` runs many seeds for longer.
#[test]
fn fuzz_call_sequences_fixed_seed() {
    let seed = std::env::var("HELIOSDB_FUZZ_SEED").unwrap_or_else(|_| "1".into());
    let sequences = std::env::var("HELIOSDB_FUZZ_SEQUENCES").unwrap_or_else(|_| "600".into());
    c_program("fuzz_abi.c", &[&seed, &sequences]);
}

/// The same fuzzer built with AddressSanitizer instead of run under
/// valgrind: a budget of a few thousand sequences in seconds. (Rust's
/// process-lifetime registries are not leaks, so leak detection is off.)
#[test]
fn fuzz_call_sequences_under_asan() {
    let out = tempfile::tempdir().unwrap();
    let exe = out.path().join("fuzz_abi_asan");
    compile_with("cc", "c99", "fuzz_abi.c", &exe, false, &["-fsanitize=address", "-fno-omit-frame-pointer"]);
    let sequences = std::env::var("HELIOSDB_FUZZ_ASAN_SEQUENCES").unwrap_or_else(|_| "3000".into());
    let o = Command::new(&exe)
        .arg(out.path().join("db"))
        .args(["2", &sequences])
        .env("ASAN_OPTIONS", "detect_leaks=0")
        .output()
        .expect("run the fuzzer");
    let stdout = String::from_utf8_lossy(&o.stdout);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        o.status.success() && stdout.contains(" 0 failed"),
        "fuzz_abi (ASan) exited {:?}\nstdout:\n{stdout}\nstderr:\n{stderr}",
        o.status.code()
    );
}

#[test]
fn cpp_translation_unit_with_the_static_library() {
    let out = tempfile::tempdir().unwrap();
    let exe = out.path().join("test_cpp");
    compile("c++", "c++11", "test_cpp.cpp", &exe, true);
    run(&exe);
}
