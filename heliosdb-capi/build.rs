//! Regenerates include/heliosdb.h from the crate's source with cbindgen.
//! CI builds, then fails if the committed header differs (it is stale).

fn main() {
    let crate_dir = std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
    println!("cargo:rerun-if-changed=src");
    println!("cargo:rerun-if-changed=cbindgen.toml");
    let config = match cbindgen::Config::from_file(format!("{crate_dir}/cbindgen.toml")) {
        Ok(c) => c,
        Err(e) => panic!("cbindgen.toml: {e}"),
    };
    let out = std::path::Path::new(&crate_dir).join("../include/heliosdb.h");
    match cbindgen::generate_with_config(&crate_dir, config) {
        Ok(bindings) => {
            bindings.write_to_file(out);
        }
        Err(e) => panic!("cbindgen failed to generate include/heliosdb.h: {e}"),
    }
}
