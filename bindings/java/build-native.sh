#!/usr/bin/env bash
# Builds the JNI glue (src/main/c/heliosdb_jni.c) against include/heliosdb.h and
# links target/release/libheliosdb.a into one self-contained libheliosdb_jni.so
# under <classes>/native/<os>-<arch>/, where the jar loader looks for it.
# Called by Maven (exec-maven-plugin, generate-resources): build-native.sh ROOT CLASSES
set -euo pipefail
root=$(cd "${1:?repository root}" && pwd)
classes=${2:?output directory}
here=$(cd "$(dirname "$0")" && pwd)
lib="${HELIOSDB_STATIC_LIB:-$root/target/release/libheliosdb.a}"
if [ ! -f "$lib" ]; then
    echo "build-native.sh: $lib is missing; build it first: cargo build --release -p heliosdb-capi" >&2
    exit 1
fi
java_home="${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")}"
case "$(uname -m)" in x86_64|amd64) arch=x86_64 ;; aarch64|arm64) arch=aarch64 ;; *) arch=$(uname -m) ;; esac
os=linux
out="$classes/native/$os-$arch"
mkdir -p "$out"
so="$out/libheliosdb_jni.so"
src="$here/src/main/c/heliosdb_jni.c"
# Rebuild only when an input is newer (Maven runs this on every build).
if [ -f "$so" ] && [ "$so" -nt "$src" ] && [ "$so" -nt "$lib" ] && [ "$so" -nt "$root/include/heliosdb.h" ]; then
    exit 0
fi
# --exclude-libs hides the Rust symbols: only the JNI entry points are exported,
# so this library never clashes with a libheliosdb.so loaded by someone else.
${CC:-gcc} -std=c11 -O2 -fPIC -shared -Wall -Wextra \
    -I"$java_home/include" -I"$java_home/include/$os" -I"$root/include" \
    -o "$so.tmp" "$src" "$lib" \
    -Wl,--exclude-libs,ALL -Wl,--gc-sections -Wl,-z,defs -Wl,-s \
    -lpthread -ldl -lm
mv "$so.tmp" "$so"
