// types.test.js — every SQL type and NULL in both directions, BigInt, Buffers,
// DECIMAL as exact strings, BOOLEAN as booleans, and unbindable values.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const Database = require('..');

function freshDb() {
  const db = new Database();
  db.exec(`CREATE TABLE v (
    id INTEGER PRIMARY KEY, i BIGINT, r REAL, t TEXT, b BLOB, flag BOOLEAN, amount DECIMAL(15,2), anyv ANY)`);
  return db;
}

test('values round-trip with their JS types', () => {
  const db = freshDb();
  const ins = db.prepare('INSERT INTO v (i, r, t, b, flag, amount, anyv) VALUES (?, ?, ?, ?, ?, ?, ?)');
  const blob = Buffer.from([0, 1, 2, 254, 255]);
  ins.run(-42, 3.25, 'naïve ☃ text', blob, true, '1234567890123.45', 'x');
  ins.run(null, null, null, null, null, null, null);
  ins.run(7, -0.5, '', Buffer.alloc(0), false, '0.10', 2.5);
  const rows = db.prepare('SELECT i, r, t, b, flag, amount, anyv FROM v ORDER BY id').all();
  assert.deepEqual(rows[0], { i: -42, r: 3.25, t: 'naïve ☃ text', b: blob, flag: true, amount: '1234567890123.45', anyv: 'x' });
  assert.ok(Buffer.isBuffer(rows[0].b));
  assert.deepEqual(rows[1], { i: null, r: null, t: null, b: null, flag: null, amount: null, anyv: null });
  assert.equal(rows[2].t, '');
  assert.equal(rows[2].flag, false);
  assert.equal(rows[2].amount, '0.10');
  assert.equal(rows[2].anyv, 2.5);
  assert.deepEqual(rows[2].b, Buffer.alloc(0));
  db.close();
});

test('DECIMAL keeps exact digits (a double would not)', () => {
  const db = freshDb();
  db.prepare('INSERT INTO v (amount) VALUES (?)').run('9999999999999.99');
  db.prepare('INSERT INTO v (amount) VALUES (?)').run(0.1);
  assert.deepEqual(db.prepare('SELECT amount FROM v ORDER BY id').pluck().all(), ['9999999999999.99', '0.10']);
  db.close();
});

test('64-bit integers: numbers by default, BigInt with safeIntegers()', () => {
  const db = freshDb();
  const big = 2n ** 62n + 3n;
  const { lastInsertRowid } = db.prepare('INSERT INTO v (id, i) VALUES (?, ?)').run(9007199254740993n, big);
  assert.equal(lastInsertRowid, 9007199254740993); // a Number (rounded), as better-sqlite3
  const stmt = db.prepare('SELECT id, i FROM v');
  assert.equal(typeof stmt.get().i, 'number');
  const row = stmt.safeIntegers().get();
  assert.equal(row.i, big);
  assert.equal(row.id, 9007199254740993n);
  assert.equal(stmt.safeIntegers(false).get().i, Number(big));
  const ins = db.prepare('INSERT INTO v (i) VALUES (?)').safeIntegers();
  assert.equal(typeof ins.run(-(2n ** 63n)).lastInsertRowid, 'bigint');
  assert.equal(db.prepare('SELECT min(i) AS m FROM v').safeIntegers().get().m, -(2n ** 63n));
  assert.throws(() => ins.run(2n ** 63n), { name: 'RangeError', message: /64-bit/ });
  // defaultSafeIntegers applies to statements prepared afterwards.
  db.defaultSafeIntegers();
  assert.equal(typeof db.prepare('SELECT 1 AS one').get().one, 'bigint');
  db.close();
});

test('numbers bind as INTEGER when integral, REAL otherwise; booleans as 1/0', () => {
  const db = new Database();
  const row = db.prepare('SELECT ? AS a, ? AS b, ? AS c, ? AS d, typeof(?) AS ta, typeof(?) AS tb').get(5, 5.5, true, -0, 5, 5.5);
  assert.deepEqual(row, { a: 5, b: 5.5, c: 1, d: 0, ta: 'integer', tb: 'real' });
  assert.equal(db.prepare('SELECT ? AS x').get(1e300).x, 1e300);
  assert.deepEqual(db.prepare('SELECT typeof(?) AS a, typeof(?) AS b').get(1e20, -Infinity), { a: 'real', b: 'real' });
  assert.ok(Number.isNaN(db.prepare('SELECT ? AS x').get(NaN).x));
  db.close();
});

test('Uint8Array binds as a BLOB; text with NUL bytes survives', () => {
  const db = new Database();
  const got = db.prepare('SELECT ? AS b, ? AS t').get(new Uint8Array([9, 8, 7]), 'a\u0000b');
  assert.deepEqual(got.b, Buffer.from([9, 8, 7]));
  assert.equal(got.t, 'a\u0000b');
  db.close();
});

test('long strings and wide rows', () => {
  const db = new Database();
  const long = 'é'.repeat(100000) + 'end';
  assert.equal(db.prepare('SELECT ? AS s').get(long).s, long);
  // Exactly around the binding's short-string buffer (multi-byte at the edge).
  for (let n = 240; n < 260; n++) {
    const s = 'a'.repeat(n) + '☃';
    assert.equal(db.prepare('SELECT ? AS s').pluck().get(s), s);
  }
  const cols = Array.from({ length: 40 }, (_, i) => `${i} AS c${i}`).join(', ');
  const row = db.prepare(`SELECT ${cols}`).get();
  assert.equal(Object.keys(row).length, 40);
  assert.equal(row.c39, 39);
  db.close();
});

test('unbindable values and wrong parameter counts throw, never crash', () => {
  const db = new Database();
  const stmt = db.prepare('SELECT ? AS a');
  assert.throws(() => stmt.get(undefined), { name: 'TypeError', message: /undefined/ });
  assert.throws(() => stmt.get(() => 1), TypeError);
  assert.throws(() => stmt.get(Symbol('s')), TypeError);
  assert.throws(() => stmt.get(new Date()), TypeError);
  assert.throws(() => stmt.get([[1]]), TypeError); // arrays are spread one level only
  assert.throws(() => stmt.get(new Float64Array(2)), TypeError);
  assert.throws(() => stmt.get(), { name: 'RangeError', message: /Too few/ });
  assert.throws(() => stmt.get(1, 2), { name: 'RangeError', message: /Too many/ });
  const named = db.prepare('SELECT :x AS x');
  assert.throws(() => named.get(), { name: 'RangeError', message: /Missing named parameter "x"/ });
  assert.throws(() => named.get({ y: 1 }), { name: 'RangeError', message: /Missing named parameter "x"/ });
  assert.deepEqual(named.get({ x: 1, extra: 2 }), { x: 1 });
  assert.throws(() => db.prepare('SELECT :constructor AS c').get({}), { name: 'RangeError', message: /Missing named parameter "constructor"/ });
  // Arrays are spread like separate arguments (better-sqlite3 does the same).
  assert.deepEqual(db.prepare('SELECT ? AS a, ? AS b').get([1, 2]), { a: 1, b: 2 });
  assert.deepEqual(db.prepare('SELECT ? AS a, ? AS b').get([1], 2), { a: 1, b: 2 });
  // The statement is still usable after each failure.
  assert.deepEqual(stmt.get(3), { a: 3 });
  db.close();
});

test('a value that does not fit its column is HELIOSDB_MISMATCH', () => {
  const db = freshDb();
  assert.throws(() => db.prepare('INSERT INTO v (i) VALUES (?)').run('not a number'), {
    name: 'HeliosDBError',
    code: 'HELIOSDB_MISMATCH',
    errcode: 20,
  });
  db.close();
});
