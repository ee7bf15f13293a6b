// errors.test.js — engine errors carry code/errcode/message; closed databases
// and finalized statements throw instead of crashing; read-only connections.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const Database = require('..');
const { HeliosDBError, codes } = Database;
const { tempDir } = require('./helpers');

test('SQL errors: syntax, unknown table, constraints', () => {
  const db = new Database();
  assert.throws(() => db.prepare('SELEC 1'), (e) => {
    assert.ok(e instanceof HeliosDBError);
    assert.ok(e instanceof Error);
    assert.equal(e.code, 'HELIOSDB_ERROR');
    assert.equal(e.errcode, codes.HELIOSDB_ERROR);
    assert.match(e.message, /Line: 1, Column: 1/);
    return true;
  });
  // Tables are resolved when the statement first runs (not at prepare).
  const missing = db.prepare('SELECT * FROM nowhere');
  assert.throws(() => missing.all(), { code: 'HELIOSDB_ERROR', message: /no such table: nowhere/ });
  assert.throws(() => missing.get(), { code: 'HELIOSDB_ERROR', message: /nowhere/ });
  db.exec('CREATE TABLE nowhere (x INTEGER); INSERT INTO nowhere VALUES (8)');
  assert.deepEqual(missing.all(), [{ x: 8 }]);
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)');
  db.prepare('INSERT INTO t VALUES (1, ?)').run('a');
  assert.throws(() => db.prepare('INSERT INTO t VALUES (2, ?)').run('a'), { code: 'HELIOSDB_CONSTRAINT', errcode: 19, message: /UNIQUE/ });
  assert.throws(() => db.prepare('INSERT INTO t VALUES (3, NULL)').run(), { code: 'HELIOSDB_CONSTRAINT', message: /NOT NULL/ });
  assert.throws(() => db.exec('INSERT INTO t VALUES (1, 1)'), { code: 'HELIOSDB_CONSTRAINT' });
  // Several statements in prepare is misuse; the message says why.
  assert.throws(() => db.prepare('SELECT 1; SELECT 2'), { code: 'HELIOSDB_MISUSE', message: /2 statements/ });
  assert.throws(() => db.prepare(''), { code: 'HELIOSDB_MISUSE' });
  assert.equal(db.prepare('SELECT count(*) FROM t').pluck().get(), 1);
  db.close();
});

test('closing invalidates statements; using them throws', () => {
  const db = new Database();
  db.exec('CREATE TABLE t (a INTEGER)');
  const ins = db.prepare('INSERT INTO t VALUES (?)');
  const sel = db.prepare('SELECT a FROM t');
  const it = sel.iterate();
  ins.run(1);
  db.close();
  assert.equal(db.open, false);
  assert.throws(() => ins.run(2), { name: 'TypeError', message: /finalized|not open/ });
  assert.throws(() => sel.all(), TypeError);
  assert.throws(() => sel.columns(), TypeError);
  assert.throws(() => it.next(), TypeError);
  assert.throws(() => db.prepare('SELECT 1'), { name: 'TypeError', message: /not open/ });
  assert.throws(() => db.exec('SELECT 1'), TypeError);
  assert.throws(() => db.notice, TypeError);
  assert.equal(db.inTransaction, false);
  assert.doesNotThrow(() => db.close()); // twice is fine
});

test('finalize() frees a statement; later use throws', () => {
  const db = new Database();
  const s = db.prepare('SELECT 1 AS one');
  assert.deepEqual(s.get(), { one: 1 });
  s.finalize();
  s.finalize();
  assert.throws(() => s.get(), { name: 'TypeError', message: /finalized/ });
  db.close();
});

test('bad arguments throw TypeErrors', () => {
  assert.throws(() => new Database(42), TypeError);
  assert.throws(() => new Database(''), TypeError);
  assert.throws(() => new Database(':memory:', { readonly: 'yes' }), TypeError);
  assert.throws(() => new Database(':memory:', { timeout: -1 }), TypeError);
  assert.throws(() => new Database(':memory:', { config: 5 }), TypeError);
  const db = new Database();
  assert.throws(() => db.prepare(5), TypeError);
  assert.throws(() => db.exec(null), TypeError);
  assert.throws(() => db.prepare('SELECT 1\u0000'), TypeError);
  assert.throws(() => db.transaction('nope'), TypeError);
  // Calling native methods on the wrong object throws too.
  const stmt = db.prepare('SELECT 1 AS x');
  assert.throws(() => stmt.get.call({}), TypeError);
  assert.throws(() => Database.Statement.prototype.all.call(Object.create(Database.Statement.prototype)), TypeError);
  db.close();
});

test('config: engine settings as an object or TOML; bad keys are named', () => {
  const dir = tempDir();
  const db = new Database(dir, { config: { snapshot: { min_retention_seconds: 60 } }, timeout: 100 });
  db.exec('CREATE TABLE t (a INTEGER)');
  db.close();
  assert.throws(() => new Database(tempDir(), { config: { database: { no_such_key: 1 } } }), {
    code: 'HELIOSDB_ERROR',
    message: /no_such_key/,
  });
  const db2 = new Database(tempDir(), { config: '[snapshot]\nmax_snapshots = 10\n' });
  db2.close();
  assert.throws(() => new Database(tempDir() + '-missing', { fileMustExist: true }), HeliosDBError);
});

test('readonly: writes are refused before anything runs, reads work', () => {
  const dir = tempDir();
  const rw = new Database(dir);
  rw.exec('CREATE TABLE t (a INTEGER); INSERT INTO t VALUES (1)');
  rw.close();
  const ro = new Database(dir, { readonly: true });
  assert.equal(ro.readonly, true);
  assert.deepEqual(ro.prepare('SELECT a FROM t').all(), [{ a: 1 }]);
  assert.throws(() => ro.prepare('INSERT INTO t VALUES (2)'), { code: 'HELIOSDB_READONLY', errcode: 8 });
  assert.throws(() => ro.exec("SELECT 1; INSERT INTO t VALUES (3); -- ';'"), { code: 'HELIOSDB_READONLY' });
  assert.doesNotThrow(() => ro.exec("SELECT 'a;b'; /* ; */ SELECT 2;"));
  assert.equal(ro.prepare('SELECT count(*) FROM t').pluck().get(), 1);
  ro.close();
});

test('a second process-local open of a directory shares its engine', () => {
  const dir = tempDir();
  const a = new Database(dir);
  const b = new Database(dir);
  a.exec('CREATE TABLE t (a INTEGER); INSERT INTO t VALUES (5)');
  assert.equal(b.prepare('SELECT a FROM t').pluck().get(), 5);
  a.close();
  assert.equal(b.prepare('SELECT a FROM t').pluck().get(), 5);
  b.close();
});
