//! Helpers shared by the C-facing integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// target/<profile>, which must hold libheliosdb.so and .a: `cargo test`
/// builds only the Rust library, so build the C library first
/// with the same profile (`cargo build --profile checked -p heliosdb-capi`
/// for `cargo test --profile checked`; scripts/test.sh does).
pub fn lib_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("test binary path");
    let dir = exe.parent().and_then(Path::parent).expect("target/<profile>/deps/<test>").to_path_buf();
    assert!(
        dir.join("libheliosdb.so").exists() && dir.join("libheliosdb.a").exists(),
        "{} has no libheliosdb.so/.a: run `cargo build{} -p heliosdb-capi` first (scripts/test.sh does)",
        dir.display(),
        match dir.file_name().and_then(|n| n.to_str()) {
            Some("debug") | None => String::new(),
            Some("release") => " --release".to_string(),
            Some(profile) => format!(" --profile {profile}"),
        }
    );
    dir
}
