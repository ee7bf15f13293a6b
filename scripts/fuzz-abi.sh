#!/usr/bin/env bash
# Runs the C ABI call-sequence fuzzer (heliosdb-capi/tests/c/fuzz_abi.c) for
# longer than CI does: many seeds, each a number of random call sequences.
#
#   scripts/fuzz-abi.sh [FIRST_SEED [SEEDS [SEQUENCES]]] [--asan | --valgrind]
#
# Defaults: seeds 1..20, 2000 sequences each, built with AddressSanitizer
# (catches a pointer the library freed inside its documented lifetime, as
# valgrind does, at a fraction of the cost). A failing seed is printed with
# the command that reproduces it.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=asan
args=()
for a in "$@"; do
  case "$a" in
    --asan) mode=asan ;;
    --valgrind) mode=valgrind ;;
    *) args+=("$a") ;;
  esac
done
first=${args[0]:-1}
count=${args[1]:-20}
sequences=${args[2]:-2000}

cargo build --release -q -p heliosdb-capi
lib="$PWD/target/release"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
flags=(-std=c99 -g -O1 -Iinclude)
[ "$mode" = asan ] && flags+=(-fsanitize=address -fno-omit-frame-pointer)
cc "${flags[@]}" heliosdb-capi/tests/c/fuzz_abi.c -o "$work/fuzz_abi" \
   -L"$lib" -lheliosdb -Wl,-rpath,"$lib" -lpthread -ldl -lm

fail=0
for seed in $(seq "$first" $((first + count - 1))); do
  rm -rf "$work/db"
  if [ "$mode" = valgrind ]; then
    runner=(valgrind --quiet --error-exitcode=99)
  else
    # Rust's allocations are process-lifetime registries, not leaks.
    export ASAN_OPTIONS=detect_leaks=0
    runner=()
  fi
  if "${runner[@]}" "$work/fuzz_abi" "$work/db" "$seed" "$sequences" > "$work/out" 2>&1; then
    echo "seed $seed: $(tail -1 "$work/out")"
  else
    echo "seed $seed FAILED — reproduce: scripts/fuzz-abi.sh $seed 1 $sequences --$mode"
    tail -40 "$work/out"
    fail=1
  fi
done
exit $fail
