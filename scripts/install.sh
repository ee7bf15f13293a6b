#!/usr/bin/env bash
# Installs libheliosdb (.so and .a), include/heliosdb.h and a pkg-config file.
#
#   ./scripts/install.sh [--prefix DIR] [--lib-dir DIR]
#
# --prefix   where to install (default /usr/local): DIR/lib, DIR/include,
#            DIR/lib/pkgconfig/heliosdb.pc
# --lib-dir  take already-built libraries from DIR instead of building
#            (default: cargo build --release -p heliosdb-capi, target/release)
#
# Afterwards: cc app.c $(pkg-config --cflags --libs heliosdb)
# (with PKG_CONFIG_PATH=DIR/lib/pkgconfig for a non-standard prefix).
set -euo pipefail
cd "$(dirname "$0")/.."
prefix=/usr/local
libdir=""
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) prefix="$2"; shift 2 ;;
    --lib-dir) libdir="$2"; shift 2 ;;
    *) echo "usage: $0 [--prefix DIR] [--lib-dir DIR]" >&2; exit 2 ;;
  esac
done
if [ -z "$libdir" ]; then
  export PATH="$HOME/.cargo/bin:$PATH"
  cargo build --release -p heliosdb-capi
  libdir=target/release
fi
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n 1)
mkdir -p "$prefix/lib/pkgconfig" "$prefix/include"
cp "$libdir/libheliosdb.so" "$libdir/libheliosdb.a" "$prefix/lib/"
cp include/heliosdb.h "$prefix/include/"
cat > "$prefix/lib/pkgconfig/heliosdb.pc" <<PC
prefix=$prefix
libdir=\${prefix}/lib
includedir=\${prefix}/include

Name: heliosdb
Description: HeliosDB-Lite embedded SQL database (C API)
Version: $version
Cflags: -I\${includedir}
Libs: -L\${libdir} -Wl,-rpath,\${libdir} -lheliosdb
Libs.private: -lpthread -ldl -lm
PC
echo "installed libheliosdb $version into $prefix"
