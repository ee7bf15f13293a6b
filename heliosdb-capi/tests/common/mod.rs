//! Helpers shared by the C-facing integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// target/<profile>, which must hold libheliosdb.so and .a: `cargo test`
/// builds only the Rust library, so build the C library first
/// (`cargo build [--release] -p heliosdb-capi`; scripts/test.sh does).
pub fn lib_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("test binary path");
    let dir = exe.parent().and_then(Path::parent).expect("target/<profile>/deps/<test>").to_path_buf();
    assert!(
        dir.join("libheliosdb.so").exists() && dir.join("libheliosdb.a").exists(),
        "{} has no libheliosdb.so/.a: run `cargo build{} -p heliosdb-capi` first (scripts/test.sh does)",
        dir.display(),
        if dir.ends_with("release") { " --release" } else { "" }
    );
    dir
}
