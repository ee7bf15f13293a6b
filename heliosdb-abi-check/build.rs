//! Generates Rust declarations from include/heliosdb.h with bindgen (needs
//! libclang: Debian's libclang-dev, installed by .ci/run).

fn main() {
    let header = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../include/heliosdb.h");
    println!("cargo:rerun-if-changed={}", header.display());
    let bindings = bindgen::Builder::default()
        .header(header.to_string_lossy())
        .allowlist_function("heliosdb_.*")
        .allowlist_var("HELIOSDB_.*")
        .generate()
        .unwrap_or_else(|e| panic!("bindgen could not read include/heliosdb.h: {e}"));
    let out = std::path::PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("heliosdb_h.rs");
    bindings.write_to_file(out).unwrap_or_else(|e| panic!("cannot write bindings: {e}"));
}
