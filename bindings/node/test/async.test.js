// async.test.js — db.query() on the libuv pool: results, errors, the event
// loop staying free, AbortSignal → heliosdb_interrupt, close during a query.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const Database = require('..');

// A query that takes a while (about a second here) and stops at an interrupt.
const SLOW = 'WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 3000000) SELECT count(*) AS c FROM n';
// One that would run for many seconds: only an interrupt ends it quickly.
const HUGE = 'WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 50000000) SELECT count(*) AS c FROM n';
const SLOW_INSERT =
  'INSERT INTO big SELECT x FROM (WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 3000000) SELECT x FROM n)';

test('query resolves rows, converts types, takes positional and named params', async () => {
  const db = new Database();
  db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, d DECIMAL(6,2), f BOOLEAN, b BLOB); INSERT INTO t VALUES (1, 2.50, TRUE, x'0aff')");
  const rows = await db.query('SELECT id, d, f, b, ? AS p, :n AS n FROM t', [7, { n: 'x' }]);
  assert.deepEqual([...rows], [{ id: 1, d: '2.50', f: true, b: Buffer.from([10, 255]), p: 7, n: 'x' }]);
  assert.deepEqual(await db.query('SELECT :a AS a', { a: 3 }), [{ a: 3 }]);
  const big = await db.query('SELECT 9007199254740993 AS v', [], { safeIntegers: true });
  assert.equal(big[0].v, 9007199254740993n);
  const ins = await db.query('INSERT INTO t (id) VALUES (?)', [5]);
  assert.equal(ins.length, 0);
  assert.deepEqual(ins.info, { changes: 1, lastInsertRowid: 5 });
  db.close();
});

test('query errors reject with HeliosDBError codes; bad params reject', async () => {
  const db = new Database();
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY)');
  await assert.rejects(db.query('SELEC'), { code: 'HELIOSDB_ERROR', message: /syntax/ });
  await assert.rejects(db.query('SELECT * FROM missing'), { code: 'HELIOSDB_ERROR', message: /missing/ });
  await db.query('INSERT INTO t VALUES (1)');
  await assert.rejects(db.query('INSERT INTO t VALUES (1)'), { name: 'HeliosDBError', code: 'HELIOSDB_CONSTRAINT' });
  await assert.rejects(db.query('SELECT ?', [undefined]), TypeError);
  await assert.rejects(db.query('SELECT ?, ?', [1]), { code: 'HELIOSDB_RANGE', message: /Too few/ });
  await assert.rejects(db.query(42), TypeError);
  await assert.rejects(db.query('SELECT 1', [], { signal: 'no' }), TypeError);
  db.close();
  await assert.rejects(db.query('SELECT 1'), { name: 'TypeError', message: /not open/ });
});

test('the event loop keeps running while a long query runs on the pool', async () => {
  const db = new Database();
  let ticks = 0;
  const timer = setInterval(() => ticks++, 5);
  const rows = await db.query(SLOW);
  clearInterval(timer);
  assert.equal(rows[0].c, 3000000);
  assert.ok(ticks >= 5, `timer fired only ${ticks} times during the query`);
  db.close();
});

test('AbortSignal interrupts a running read', async () => {
  const db = new Database();
  const ac = new AbortController();
  const started = Date.now();
  setTimeout(() => ac.abort(new Error('user gave up')), 50);
  await assert.rejects(db.query(HUGE, [], { signal: ac.signal }), (e) => {
    assert.equal(e.code, 'HELIOSDB_INTERRUPT');
    assert.equal(e.errcode, 9);
    assert.equal(e.cause.message, 'user gave up');
    return true;
  });
  assert.ok(Date.now() - started < 5000, 'the interrupt took effect long before the query could finish');
  // The connection stays usable, and a late abort does not hit the next query.
  assert.deepEqual(await db.query('SELECT 1 AS one', [], { signal: ac.signal }).catch((e) => e.code), 'HELIOSDB_INTERRUPT');
  assert.deepEqual([...(await db.query('SELECT 1 AS one'))], [{ one: 1 }]);
  assert.deepEqual(db.prepare('SELECT 2 AS two').get(), { two: 2 });
  db.close();
});

test('an interrupted write changes nothing', async () => {
  const db = new Database();
  db.exec('CREATE TABLE big (x INTEGER)');
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 50);
  await assert.rejects(db.query(SLOW_INSERT, [], { signal: ac.signal }), { code: 'HELIOSDB_INTERRUPT' });
  assert.equal(db.prepare('SELECT count(*) FROM big').pluck().get(), 0);
  db.close();
});

test('abort drops queued queries and interrupts the running one; an aborted signal rejects at once', async () => {
  const db = new Database();
  db.exec('CREATE TABLE t (x INTEGER)');
  const pre = new AbortController();
  pre.abort();
  await assert.rejects(db.query('INSERT INTO t VALUES (1)', [], { signal: pre.signal }), { code: 'HELIOSDB_INTERRUPT' });
  // Queries on one connection run one at a time: the later ones are queued.
  const ac = new AbortController();
  const busy = Array.from({ length: 4 }, () => db.query(SLOW, [], { signal: ac.signal }).catch((e) => e.code));
  const queued = db.query('INSERT INTO t VALUES (2)', [], { signal: ac.signal }).catch((e) => e.code);
  ac.abort();
  assert.deepEqual(await Promise.all(busy), Array(4).fill('HELIOSDB_INTERRUPT'));
  assert.equal(await queued, 'HELIOSDB_INTERRUPT');
  assert.equal(db.prepare('SELECT count(*) FROM t').pluck().get(), 0);
  db.close();
});

test('db.interrupt() stops a running query without a signal', async () => {
  const db = new Database();
  const started = Date.now();
  const p = db.query(HUGE);
  setTimeout(() => db.interrupt(), 50);
  await assert.rejects(p, { code: 'HELIOSDB_INTERRUPT' });
  assert.ok(Date.now() - started < 5000);
  db.close();
});

test('close() during a query interrupts it; the connection is released afterwards', async () => {
  const db = new Database();
  const p = db.query(SLOW);
  const queued = db.query('SELECT 1').catch((e) => e);
  await new Promise((r) => setTimeout(r, 30));
  db.close();
  assert.equal(db.open, false);
  assert.throws(() => db.prepare('SELECT 1'), TypeError);
  await assert.rejects(p, { code: 'HELIOSDB_INTERRUPT' });
  const err = await queued;
  assert.equal(err.code, 'HELIOSDB_INTERRUPT');
  assert.match(err.cause.message, /closed/);
});

test('several queries at once on one connection all complete', async () => {
  const db = new Database();
  db.exec('CREATE TABLE t (x INTEGER)');
  const ins = db.prepare('INSERT INTO t VALUES (?)');
  for (let i = 1; i <= 100; i++) ins.run(i);
  const sums = await Promise.all(Array.from({ length: 8 }, (_, i) => db.query('SELECT sum(x) AS s FROM t WHERE x > ?', [i * 10])));
  assert.deepEqual(
    sums.map((r) => r[0].s),
    Array.from({ length: 8 }, (_, i) => {
      let s = 0;
      for (let x = i * 10 + 1; x <= 100; x++) s += x;
      return s;
    }),
  );
  db.close();
});

test('the addon works inside worker_threads; a worker exiting with open handles is clean', async () => {
  const { Worker } = require('node:worker_threads');
  const code = `
    const { parentPort } = require('node:worker_threads');
    const Database = require(${JSON.stringify(require.resolve('..'))});
    const db = new Database();
    db.exec('CREATE TABLE t (a INTEGER); INSERT INTO t VALUES (42)');
    db.prepare('SELECT a FROM t'); // left open: freed at the worker's teardown
    parentPort.postMessage(db.prepare('SELECT a FROM t').pluck().get());`;
  const w = new Worker(code, { eval: true });
  const [msg] = await Promise.all([
    new Promise((resolve, reject) => {
      w.once('message', resolve);
      w.once('error', reject);
    }),
    new Promise((resolve) => w.once('exit', resolve)),
  ]);
  assert.equal(msg, 42);
});

test('an interrupt also stops a sync iterate() holding unread rows (documented)', () => {
  const db = new Database();
  db.exec('CREATE TABLE t (a INTEGER); INSERT INTO t VALUES (1), (2), (3)');
  const stmt = db.prepare('SELECT a FROM t');
  const it = stmt.iterate();
  assert.deepEqual(it.next().value, { a: 1 });
  db.interrupt();
  assert.throws(() => it.next(), { code: 'HELIOSDB_INTERRUPT' });
  assert.equal(stmt.busy, false);
  assert.equal(stmt.all().length, 3); // statements started afterwards run normally
  db.close();
});
