// views_timetravel.test.js — materialized views (notice, incremental
// refresh, pg_mv_staleness()) and AS OF queries through the binding.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const Database = require('..');
const { tempDir } = require('./helpers');

test('materialized view: notice, staleness, incremental refresh', () => {
  const db = new Database(tempDir());
  db.exec('CREATE TABLE r (id INTEGER PRIMARY KEY AUTOINCREMENT, dev INTEGER, v REAL, ts INTEGER)');
  db.exec('CREATE MATERIALIZED VIEW hourly AS SELECT dev, (ts / 3600) * 3600 AS hour, count(*) AS n, avg(v) AS a, max(v) AS hi FROM r GROUP BY dev, (ts / 3600) * 3600');
  assert.match(db.notice, /hourly is maintained incrementally/);
  db.exec("CREATE MATERIALIZED VIEW recent AS SELECT dev, count(*) AS n FROM r WHERE ts > strftime('%s', 'now', '-7 days') GROUP BY dev");
  assert.match(db.notice, /recent is maintained incrementally \(a sliding window on ts/);

  const ins = db.prepare('INSERT INTO r (dev, v, ts) VALUES (?, ?, ?)');
  db.transaction(() => {
    for (let i = 0; i < 100; i++) ins.run(i % 3, i, 3600 * (i % 4) + i);
  })();
  const staleness = db.prepare('SELECT view_name, pending_changes, status, refresh_strategy FROM pg_mv_staleness() ORDER BY view_name');
  assert.deepEqual(staleness.all(), [
    { view_name: 'hourly', pending_changes: 100, status: 'stale', refresh_strategy: 'incremental' },
    { view_name: 'recent', pending_changes: 100, status: 'stale', refresh_strategy: 'incremental' },
  ]);
  db.exec('REFRESH MATERIALIZED VIEW hourly INCREMENTALLY');
  assert.equal(db.prepare("SELECT status FROM pg_mv_staleness() WHERE view_name = 'hourly'").pluck().get(), 'fresh');
  // The view equals its query on the base table.
  const fromView = db.prepare('SELECT dev, hour, n, a, hi FROM hourly ORDER BY dev, hour').all();
  const fromBase = db.prepare('SELECT dev, (ts / 3600) * 3600 AS hour, count(*) AS n, avg(v) AS a, max(v) AS hi FROM r GROUP BY dev, (ts / 3600) * 3600 ORDER BY dev, hour').all();
  assert.deepEqual(fromView, fromBase);
  assert.equal(fromView.reduce((s, r) => s + r.n, 0), 100);

  db.prepare('DELETE FROM r WHERE dev = 0').run();
  db.exec('REFRESH MATERIALIZED VIEW recent INCREMENTALLY');
  assert.equal(db.notice, null); // maintained incrementally: no fallback notice
  assert.deepEqual(db.prepare('SELECT dev FROM hourly GROUP BY dev ORDER BY dev').pluck().all(), [0, 1, 2]);
  db.exec('REFRESH MATERIALIZED VIEW hourly INCREMENTALLY');
  assert.deepEqual(db.prepare('SELECT dev FROM hourly GROUP BY dev ORDER BY dev').pluck().all(), [1, 2]);
  assert.throws(() => db.prepare('INSERT INTO hourly VALUES (1, 1, 1, 1, 1)').run(), { code: 'HELIOSDB_ERROR' });
  db.close();
});

test('AS OF SCN / TRANSACTION / TIMESTAMP read the past', () => {
  const db = new Database(tempDir());
  db.exec('CREATE TABLE acct (id INTEGER PRIMARY KEY, balance DECIMAL(10,2))');
  db.prepare('INSERT INTO acct VALUES (1, 100.00)').run();
  const scn1 = db.prepare('SELECT heliosdb_current_scn()').pluck().safeIntegers().get();
  const tx1 = db.prepare('SELECT heliosdb_last_txid()').pluck().get();
  assert.equal(typeof scn1, 'bigint');
  db.prepare('UPDATE acct SET balance = ? WHERE id = 1').run('250.50');
  const now = db.prepare('SELECT balance FROM acct WHERE id = 1').pluck();
  assert.equal(now.get(), '250.50');
  assert.equal(db.prepare('SELECT balance FROM acct AS OF SCN ? WHERE id = 1').pluck().get(scn1), '100.00');
  assert.equal(db.prepare('SELECT balance FROM acct AS OF TRANSACTION ? WHERE id = 1').pluck().get(tx1), '100.00');
  // Past beside present in one query.
  assert.deepEqual(
    db.prepare('SELECT p.balance AS before, c.balance AS after FROM acct AS OF SCN ? p JOIN acct c ON c.id = p.id').get(scn1),
    { before: '100.00', after: '250.50' },
  );
  // A future point is an error, never a silently wrong answer.
  assert.throws(() => db.prepare('SELECT * FROM acct AS OF SCN ?').all(scn1 + 1000n), { code: 'HELIOSDB_ERROR', message: /future/ });
  assert.throws(() => db.prepare("SELECT * FROM acct AS OF TIMESTAMP '2001-01-01'").all(), (e) => e instanceof Database.HeliosDBError);
  // A read-only transaction in the past.
  db.exec(`BEGIN READ ONLY AS OF SCN ${scn1}`);
  assert.equal(now.get(), '100.00');
  assert.throws(() => db.prepare('DELETE FROM acct').run(), { code: 'HELIOSDB_READONLY' });
  db.exec('COMMIT');
  assert.equal(now.get(), '250.50');
  db.close();
});

test('snapshot too old has its own code', () => {
  const db = new Database(tempDir(), { config: { snapshot: { min_retention_seconds: 0, max_snapshots: 1 } } });
  db.exec('CREATE TABLE t (a INTEGER)');
  db.prepare('INSERT INTO t VALUES (1)').run();
  for (let i = 0; i < 5; i++) db.prepare('UPDATE t SET a = a + 1').run();
  db.prepare('SELECT heliosdb_gc()').get();
  assert.throws(() => db.prepare('SELECT a FROM t AS OF SCN 2').all(), { code: 'HELIOSDB_SNAPSHOT_TOO_OLD', errcode: 1001 });
  db.close();
});
