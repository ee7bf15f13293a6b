#!/usr/bin/env python3
"""Prints HeliosDB vs SQLite ratios from criterion's results (target/criterion).

Each benchmark group has a `heliosdb` and a `sqlite` function; the ratio is
heliosdb time / sqlite time (below 1.0: HeliosDB is faster)."""
import json
import pathlib
import sys

root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "target/criterion")
print(f"| benchmark | HeliosDB | SQLite 3.40 | ratio (HeliosDB/SQLite) |")
print(f"|---|---:|---:|---:|")
for group in sorted(p for p in root.iterdir() if p.is_dir() and p.name != "report"):
    times = {}
    for engine in ("heliosdb", "sqlite"):
        est = group / engine / "new" / "estimates.json"
        if est.exists():
            times[engine] = json.loads(est.read_text())["mean"]["point_estimate"] / 1e6
    if len(times) == 2:
        h, s = times["heliosdb"], times["sqlite"]
        print(f"| {group.name} | {h:,.1f} ms | {s:,.1f} ms | {h / s:.2f} |")
