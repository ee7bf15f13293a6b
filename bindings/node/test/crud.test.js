// crud.test.js — create/read/update/delete through the better-sqlite3-style API.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const Database = require('..');
const { tempDir } = require('./helpers');

test('insert, select, update, delete on an on-disk database, reopened', () => {
  const dir = tempDir();
  let db = new Database(dir);
  assert.equal(db.open, true);
  assert.equal(db.memory, false);
  db.exec('CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, age INTEGER)');
  const ins = db.prepare('INSERT INTO users (name, age) VALUES (?, ?)');
  const r1 = ins.run('ada', 36);
  assert.deepEqual(r1, { changes: 1, lastInsertRowid: 1 });
  const r2 = ins.run('bob', 41);
  assert.equal(r2.lastInsertRowid, 2);
  assert.deepEqual(db.prepare('SELECT * FROM users ORDER BY id').all(), [
    { id: 1, name: 'ada', age: 36 },
    { id: 2, name: 'bob', age: 41 },
  ]);
  const upd = db.prepare('UPDATE users SET age = age + 1 WHERE age > ?').run(30);
  assert.equal(upd.changes, 2);
  assert.equal(db.prepare('DELETE FROM users WHERE name = ?').run('bob').changes, 1);
  db.close();
  assert.equal(db.open, false);

  db = new Database(dir);
  assert.deepEqual(db.prepare('SELECT name, age FROM users').all(), [{ name: 'ada', age: 37 }]);
  db.close();
});

test('get returns the first row or undefined; statements are reusable', () => {
  const db = new Database(':memory:');
  db.exec('CREATE TABLE kv (k TEXT PRIMARY KEY, v INTEGER)');
  const put = db.prepare('INSERT INTO kv VALUES (?, ?)');
  for (let i = 0; i < 50; i++) put.run(`k${i}`, i * i);
  const get = db.prepare('SELECT v FROM kv WHERE k = ?');
  for (let i = 0; i < 50; i += 7) assert.deepEqual(get.get(`k${i}`), { v: i * i });
  assert.equal(get.get('missing'), undefined);
  assert.equal(db.prepare('SELECT count(*) AS n FROM kv').get().n, 50);
  db.close();
});

test('named parameters from an object, mixed with positional ones', () => {
  const db = new Database();
  const row = db.prepare('SELECT :a AS a, @b AS b, $c AS c, ? AS d').get(4, { a: 1, b: 'two', c: 3.5 });
  assert.deepEqual(row, { a: 1, b: 'two', c: 3.5, d: 4 });
  // ?N parameters are numbered explicitly.
  assert.deepEqual(db.prepare('SELECT ?1 + ?2 AS s').get(2, 3), { s: 5 });
  db.close();
});

test('pluck, raw, iterate and columns', () => {
  const db = new Database();
  db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, price DECIMAL(8,2)); INSERT INTO t VALUES (1, 'a', 1.50), (2, 'b', 2.25), (3, 'c', 9.99)");
  const stmt = db.prepare('SELECT id, name, price, id * 2 AS twice FROM t ORDER BY id');
  assert.deepEqual(stmt.columns(), [
    { name: 'id', type: 'INTEGER' },
    { name: 'name', type: 'TEXT' },
    { name: 'price', type: 'DECIMAL(8,2)' },
    { name: 'twice', type: null },
  ]);
  assert.deepEqual(stmt.pluck().all(), [1, 2, 3]);
  assert.deepEqual(stmt.raw().all()[1], [2, 'b', '2.25', 4]);
  assert.deepEqual(stmt.raw(false).get(), { id: 1, name: 'a', price: '1.50', twice: 2 });

  const seen = [];
  for (const row of stmt.iterate()) seen.push(row.name);
  assert.deepEqual(seen, ['a', 'b', 'c']);

  // Breaking out of a loop releases the statement for the next call.
  for (const row of stmt.iterate()) {
    assert.equal(stmt.busy, true);
    assert.throws(() => stmt.all(), { name: 'TypeError', message: /busy/ });
    if (row.id === 1) break;
  }
  assert.equal(stmt.busy, false);
  assert.equal(stmt.all().length, 3);

  // Other statements run while one is iterated (rows are materialized).
  const it = stmt.iterate();
  assert.equal(it.next().value.id, 1);
  db.prepare("INSERT INTO t VALUES (4, 'd', 0)").run();
  assert.equal(it.next().value.id, 2);
  it.return();
  db.close();
});

test('statements that return no data refuse get/all/iterate/pluck', () => {
  const db = new Database();
  db.exec('CREATE TABLE t (a INTEGER)');
  const ins = db.prepare('INSERT INTO t VALUES (1)');
  assert.equal(ins.reader, false);
  assert.equal(ins.readonly, false);
  assert.throws(() => ins.get(), { name: 'TypeError', message: /does not return data/ });
  assert.throws(() => ins.all(), TypeError);
  assert.throws(() => ins.iterate(), TypeError);
  assert.throws(() => ins.pluck(), TypeError);
  const sel = db.prepare('SELECT a FROM t');
  assert.equal(sel.reader, true);
  assert.equal(sel.readonly, true);
  // run() on a query works and reports no changes.
  ins.run();
  assert.equal(sel.run().changes, 0);
  // RETURNING makes a write return data.
  const ret = db.prepare('INSERT INTO t VALUES (?) RETURNING a * 10 AS x');
  assert.equal(ret.reader, true);
  assert.deepEqual(ret.get(7), { x: 70 });
  db.close();
});

test('exec runs several statements and returns the database', () => {
  const db = new Database();
  assert.equal(db.exec('CREATE TABLE a (x INTEGER); INSERT INTO a VALUES (1); INSERT INTO a VALUES (2);'), db);
  assert.equal(db.prepare('SELECT sum(x) FROM a').pluck().get(), 3);
  db.close();
});

test('row objects follow column names: renames, duplicates, odd names', () => {
  const db = new Database();
  db.exec('CREATE TABLE t (a INTEGER, b TEXT); INSERT INTO t VALUES (1, \'x\')');
  const stmt = db.prepare('SELECT * FROM t');
  assert.deepEqual(stmt.get(), { a: 1, b: 'x' });
  db.exec('ALTER TABLE t RENAME COLUMN b TO renamed');
  assert.deepEqual(stmt.get(), { a: 1, renamed: 'x' });
  db.exec('ALTER TABLE t ADD COLUMN c INTEGER DEFAULT 7');
  assert.deepEqual(stmt.all(), [{ a: 1, renamed: 'x', c: 7 }]);
  // Duplicate names: the last value wins, as with plain property assignment.
  assert.deepEqual(db.prepare('SELECT 1 AS k, 2 AS k').get(), { k: 2 });
  // Names that are not identifiers, and __proto__, become own properties.
  const odd = db.prepare('SELECT 1 AS "__proto__", 2 AS "a b", 3 AS "x\'""y", 4 AS "constructor"').get();
  assert.equal(Object.getPrototypeOf(odd), Object.prototype);
  assert.deepEqual(Object.keys(odd), ['__proto__', 'a b', 'x\'"y', 'constructor']);
  assert.equal(odd['__proto__'], 1);
  assert.equal(odd['x\'"y'], 3);
  db.close();
});
