#!/usr/bin/env bash
# ci.sh — CI for the Node.js binding (bindings/node) and its example.
#
# Run from the repository root after the Rust build has produced
# target/release/libheliosdb.{a,so}. Installs Node if missing, builds the
# addon with `npm ci` (scripts/build.js: local headers, nothing downloaded),
# runs `node --test` (which includes the `tsc --noEmit` check of index.d.ts,
# test/typescript.test.js), then runs examples/node/iot_rollups.js and diffs
# its output against the committed iot_rollups.expected.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "installing: nodejs npm"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm
fi
if [ ! -e target/release/libheliosdb.a ] || [ ! -e include/heliosdb.h ]; then
  echo "target/release/libheliosdb.a is missing: run cargo build --release -p heliosdb-capi first" >&2
  exit 1
fi
echo "== node $(node --version), npm $(npm --version)"

cd bindings/node
echo "== npm ci (builds build/Release/heliosdb.node from src/*.c, static libheliosdb)"
# nodedir: should anything run node-gyp, it uses the local headers instead
# of downloading them.
npm_config_nodedir="$(dirname "$(dirname "$(command -v node)")")" nice npm ci --no-audit --no-fund
test -f build/Release/heliosdb.node

echo "== node --test (includes tsc --noEmit on test/types/check.ts)"
nice node --test test/*.test.js

echo "== examples/node/iot_rollups.js"
out=$(mktemp)
trap 'rm -f "$out"' EXIT
nice node "$root/examples/node/iot_rollups.js" > "$out"
diff -u "$root/examples/node/iot_rollups.expected" "$out"
echo "iot_rollups output matches iot_rollups.expected"
