#!/usr/bin/env bash
# ci.sh — CI for the Go binding. Run from the repository root after the
# Rust build produced target/release/libheliosdb.{a,so}:
#   bindings/go/ci.sh
# Vets and tests the driver (also under the race detector), builds the
# scenario example statically and diffs its output against the committed
# .expected file. Needs Go >= 1.24 and gcc (cgo); no network: the driver and
# the example have no third-party dependencies.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"

export PATH="/usr/local/go/bin:$PATH"
if ! command -v go >/dev/null; then
  echo "ci.sh: Go is not installed (expected /usr/local/go/bin/go or go on PATH)" >&2
  exit 1
fi
if ! command -v gcc >/dev/null; then
  echo "ci.sh: installing gcc for cgo" >&2
  apt-get install -y --no-install-recommends gcc libc6-dev >/dev/null
fi
if [ ! -f target/release/libheliosdb.a ]; then
  echo "ci.sh: building libheliosdb" >&2
  nice cargo build --release -p heliosdb-capi
fi
export CGO_ENABLED=1 GOFLAGS="${GOFLAGS:--buildvcs=false}"
# Offline: nothing here needs a module download.
export GOPROXY=off

echo "== go version: $(go version)"
echo "== go vet (driver)"
(cd bindings/go && nice go vet ./...)
echo "== go vet (example)"
(cd examples/go && nice go vet ./...)

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

echo "== go test -race (driver)"
# One line per test plus the summary; the full log when something fails.
if (cd bindings/go && nice go test -race -count=1 -v ./... > "$tmp/test.log" 2>&1); then
  grep -E '^(--- |ok |PASS)|_test\.go:[0-9]+: ' "$tmp/test.log"
else
  cat "$tmp/test.log"
  echo "ci.sh: go test -race failed" >&2
  exit 1
fi

echo "== example: top_products (static link, output checked)"
(cd examples/go && nice go build -o "$tmp/top_products" ./top_products)
# Statically linked: the binary needs no libheliosdb.so.
if ldd "$tmp/top_products" 2>/dev/null | grep -q libheliosdb; then
  echo "ci.sh: top_products links libheliosdb.so dynamically" >&2
  exit 1
fi
"$tmp/top_products" "$tmp/db" > "$tmp/top_products.out"
diff -u examples/go/top_products.expected "$tmp/top_products.out"
echo "== example output matches examples/go/top_products.expected"
echo "== Go binding CI passed"
