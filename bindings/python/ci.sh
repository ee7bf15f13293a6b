#!/usr/bin/env bash
# CI for the Python binding (bindings/python): builds the wheel (bundling
# target/release/libheliosdb.so), installs it with pytest into a fresh venv,
# runs the test suite from there, then runs the scenario examples and diffs
# their output against the committed .expected files.
# Run from the repository root after the Rust build:  bash bindings/python/ci.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
PKG="$ROOT/bindings/python"
LIB="$ROOT/target/release/libheliosdb.so"

if [ ! -f "$LIB" ]; then
  echo "== building libheliosdb (target/release/libheliosdb.so is missing)"
  nice cargo build --release -p heliosdb-capi
fi

# Python 3 with venv (Debian packages only when they are absent). Everything else comes
# from PyPI into virtual environments, so the system's pip is never used.
need=()
command -v python3 >/dev/null 2>&1 || need+=(python3)
if [ ${#need[@]} -gt 0 ] || ! python3 -c "import venv, ensurepip" >/dev/null 2>&1; then need+=(python3-venv); fi
if [ ${#need[@]} -gt 0 ]; then
  echo "installing: ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
fi
PY=python3
echo "== $($PY --version)"

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

echo "== building the wheel"
rm -rf "$PKG/build" "$PKG/dist" "$PKG"/src/*.egg-info
$PY -m venv "$WORK/build-venv"
# Build isolation brings setuptools and wheel from PyPI.
HELIOSDB_BUILD_LIBRARY="$LIB" nice "$WORK/build-venv/bin/python" -m pip wheel --quiet \
  --disable-pip-version-check --no-deps -w "$PKG/dist" "$PKG"
WHEEL=$(ls "$PKG"/dist/heliosdb_lite-*.whl)
echo "built $(basename "$WHEEL")"

echo "== installing it into a fresh venv"
$PY -m venv "$WORK/venv"
VPY="$WORK/venv/bin/python"
"$VPY" -m pip install --quiet --disable-pip-version-check "$WHEEL" pytest
# The package must use the library it carries (no override, not the build tree).
unset HELIOSDB_LIBRARY
(cd "$WORK" && "$VPY" -c 'import heliosdb_lite as h, sys; print("library:", h.library_path); sys.exit("site-packages" not in h.library_path)')

echo "== pytest"
set +e
(cd "$PKG" && nice "$VPY" -m pytest -q -p no:cacheprovider tests)
rc=$?
set -e
if [ $rc -eq 5 ]; then echo "pytest collected no tests" >&2; exit 1; fi
if [ $rc -ne 0 ]; then exit $rc; fi

echo "== examples"
for ex in iot_rollups medical_audit schema_browser; do
  (cd "$WORK" && nice "$VPY" "$ROOT/examples/python/$ex.py") > "$WORK/$ex.out"
  diff -u "$ROOT/examples/python/$ex.expected" "$WORK/$ex.out"
  echo "$ex: output matches $ex.expected"
done
echo "python binding: all checks passed"
