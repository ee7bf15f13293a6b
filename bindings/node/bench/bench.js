#!/usr/bin/env node
// bench.js — heliosdb-lite vs better-sqlite3 (compiled from source here) on
// the same workloads, side by side in one run:
//   insert    N rows with one prepared INSERT inside one transaction
//   lookup    N point lookups by primary key (stmt.get)
//   group by  a GROUP BY over the whole table (100 groups), repeated
// Each engine runs in its own child process (so peak RSS is its own), on an
// on-disk database in a temporary directory. Not run in CI.
//
// The engines alternate for ROUNDS rounds (default 3) and each figure is
// the median of its rounds, so a burst of load on a shared machine skews
// both sides alike.
//
// Usage: node bench.js [rows=100000] [lookups=100000] [groupby=20] [rounds=3]
'use strict';

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROWS = Number(process.argv[2] ?? 100000);
const LOOKUPS = Number(process.argv[3] ?? 100000);
const GROUPBY = Number(process.argv[4] ?? 20);
const ROUNDS = Number(process.argv[5] ?? 3);

// Deterministic pseudo-random ids for the lookups.
function* ids(n, max) {
  let x = 12345;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    yield (x % max) + 1;
  }
}

// Wall-clock time and the process's CPU time (all threads, user + system):
// on a shared machine the CPU time is the steadier of the two.
function time(fn) {
  const c = process.cpuUsage();
  const t = process.hrtime.bigint();
  const r = fn();
  const wall = Number(process.hrtime.bigint() - t) / 1e6;
  const cu = process.cpuUsage(c);
  return { ms: wall, cpu: (cu.user + cu.system) / 1000, r };
}

const SCHEMA = 'CREATE TABLE t (id INTEGER PRIMARY KEY, grp INTEGER NOT NULL, name TEXT NOT NULL, v REAL NOT NULL)';
const GROUP_SQL = 'SELECT grp, count(*) AS n, sum(v) AS s, avg(v) AS a, max(v) AS hi FROM t GROUP BY grp';

// The workloads, written once against the API both packages share.
function runWorkloads(db) {
  db.exec(SCHEMA);
  const insert = db.prepare('INSERT INTO t (id, grp, name, v) VALUES (?, ?, ?, ?)');
  const load = db.transaction(() => {
    for (let i = 1; i <= ROWS; i++) insert.run(i, i % 100, `name-${i}`, i * 0.25);
  });
  const ins = time(load);

  const get = db.prepare('SELECT id, grp, name, v FROM t WHERE id = ?');
  const look = time(() => {
    let sum = 0;
    for (const id of ids(LOOKUPS, ROWS)) sum += get.get(id).grp;
    return sum;
  });

  const group = db.prepare(GROUP_SQL);
  const grp = time(() => {
    let rows = 0;
    for (let i = 0; i < GROUPBY; i++) rows += group.all().length;
    return rows;
  });
  if (grp.r !== 100 * GROUPBY) throw new Error(`GROUP BY returned ${grp.r / GROUPBY} groups`);
  return {
    insert: ins.ms, lookup: look.ms, groupby: grp.ms,
    insertCpu: ins.cpu, lookupCpu: look.cpu, groupbyCpu: grp.cpu,
    check: look.r,
  };
}

function child(engine) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `bench-${engine}-`));
  let db;
  if (engine === 'heliosdb') {
    const Database = require('..');
    db = new Database(path.join(dir, 'db'));
  } else {
    const Database = require('better-sqlite3');
    db = new Database(path.join(dir, 'db.sqlite'));
    // The configuration better-sqlite3 recommends for performance.
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
  }
  const r = runWorkloads(db);
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
  r.maxRssMB = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(JSON.stringify(r));
}

function median(xs) {
  const v = [...xs].sort((a, b) => a - b);
  return v[Math.floor(v.length / 2)];
}

function main() {
  const runs = { heliosdb: [], 'better-sqlite3': [] };
  for (let round = 0; round < ROUNDS; round++) {
    for (const engine of Object.keys(runs)) {
      const p = spawnSync(process.execPath, [__filename, ...process.argv.slice(2, 5)], {
        env: { ...process.env, BENCH_ENGINE: engine },
        encoding: 'utf8',
      });
      if (p.status !== 0) throw new Error(`${engine} failed:\n${p.stderr}`);
      runs[engine].push(JSON.parse(p.stdout));
    }
  }
  const results = {};
  for (const [engine, rs] of Object.entries(runs)) {
    results[engine] = {};
    for (const k of Object.keys(rs[0])) results[engine][k] = median(rs.map((r) => r[k]));
  }
  const h = results.heliosdb;
  const s = results['better-sqlite3'];
  if (h.check !== s.check) throw new Error('the engines disagree on the lookup results');
  const better = require('better-sqlite3/package.json').version;
  console.log(`node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0].model}), heliosdb-lite ${require('..').version}, better-sqlite3 ${better} (SQLite ${new (require('better-sqlite3'))(':memory:').prepare('select sqlite_version() v').get().v}, WAL, synchronous=NORMAL)`);
  console.log(`rows=${ROWS} lookups=${LOOKUPS} group-by runs=${GROUPBY}; median of ${ROUNDS} alternating rounds; load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}\n`);
  const row = (name, a, b, unit, perOp) =>
    console.log(
      `| ${name.padEnd(38)} | ${fmt(a, unit, perOp).padStart(16)} | ${fmt(b, unit, perOp).padStart(16)} | ${(a / b).toFixed(2).padStart(6)}× |`,
    );
  console.log(`| ${'workload'.padEnd(38)} | ${'heliosdb-lite'.padStart(16)} | ${'better-sqlite3'.padStart(16)} | ${'ratio'.padStart(7)} |`);
  console.log(`| ${'-'.repeat(38)} | ${'-'.repeat(16)} | ${'-'.repeat(16)} | ${'-'.repeat(7)} |`);
  row(`insert ${ROWS} rows in 1 transaction`, h.insert, s.insert, 'ms');
  row(`  per insert`, (h.insert * 1000) / ROWS, (s.insert * 1000) / ROWS, 'µs');
  row(`  per insert, CPU time`, (h.insertCpu * 1000) / ROWS, (s.insertCpu * 1000) / ROWS, 'µs');
  row(`point lookup by primary key`, (h.lookup * 1000) / LOOKUPS, (s.lookup * 1000) / LOOKUPS, 'µs');
  row(`  CPU time`, (h.lookupCpu * 1000) / LOOKUPS, (s.lookupCpu * 1000) / LOOKUPS, 'µs');
  row(`GROUP BY ${ROWS} rows → 100 groups`, h.groupby / GROUPBY, s.groupby / GROUPBY, 'ms');
  row(`  CPU time`, h.groupbyCpu / GROUPBY, s.groupbyCpu / GROUPBY, 'ms');
  row(`peak RSS of the process`, h.maxRssMB, s.maxRssMB, 'MB');
  console.log('\nratio = heliosdb-lite / better-sqlite3 (lower is better for heliosdb-lite); CPU time counts all threads of the process');
}

function fmt(v, unit) {
  return `${v >= 100 ? v.toFixed(0) : v.toFixed(2)} ${unit}`;
}

if (process.env.BENCH_ENGINE) child(process.env.BENCH_ENGINE);
else main();
