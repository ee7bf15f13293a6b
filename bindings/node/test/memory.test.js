// memory.test.js — 10,000 prepare/finalize cycles (explicit finalize and
// garbage-collected statements) keep RSS flat.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const v8 = require('node:v8');
const vm = require('node:vm');
const Database = require('..');

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc');

// N-API finalizers run after the garbage collector, from the event loop.
async function settle() {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setImmediate(r));
  }
}

const MB = 1024 * 1024;

async function cycles(db, n, finalize) {
  for (let i = 0; i < n; i++) {
    const s = db.prepare('SELECT id, name, ? AS p FROM t WHERE id = ?');
    const row = s.get('param-' + i, (i % 100) + 1);
    if (row.id !== (i % 100) + 1) throw new Error('wrong row');
    if (finalize) s.finalize();
    if (i % 1000 === 999) await settle();
  }
}

test('10,000 prepare/finalize cycles keep RSS flat', async (t) => {
  const db = new Database();
  db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)");
  const ins = db.prepare('INSERT INTO t VALUES (?, ?)');
  for (let i = 1; i <= 100; i++) ins.run(i, 'name-' + i);

  await cycles(db, 2000, true); // warm up allocators and caches
  await cycles(db, 2000, false);
  // A leak grows RSS in every window; V8's heap and malloc arenas grow in steps
  // that land in one window or another. The least growth of three windows is the leak's.
  const growths = [];
  for (let w = 0; w < 3; w++) {
    await settle();
    const before = process.memoryUsage().rss;
    await cycles(db, 5000, true);
    await cycles(db, 5000, false);
    await settle();
    growths.push((process.memoryUsage().rss - before) / MB);
  }
  const growth = Math.min(...growths);
  t.diagnostic(`RSS growth per 10,000 cycles: ${growths.map((g) => g.toFixed(1)).join(', ')} MB`);
  // A leaked statement costs kilobytes: 10,000 of them would add tens of MB.
  assert.ok(growth < 8, `RSS grew by at least ${growth.toFixed(1)} MB in each of 3 windows of 10,000 cycles`);
  db.close();
});
