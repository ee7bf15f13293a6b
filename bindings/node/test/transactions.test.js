// transactions.test.js — BEGIN/COMMIT/ROLLBACK and db.transaction().
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const Database = require('..');

function setup() {
  const db = new Database();
  db.exec('CREATE TABLE acct (id INTEGER PRIMARY KEY, balance INTEGER NOT NULL CHECK (balance >= 0))');
  db.prepare('INSERT INTO acct VALUES (1, 100), (2, 0)').run();
  return db;
}

test('transaction() commits and returns the function result', () => {
  const db = setup();
  const move = db.prepare('UPDATE acct SET balance = balance + ? WHERE id = ?');
  const transfer = db.transaction((amount) => {
    assert.equal(db.inTransaction, true);
    move.run(-amount, 1);
    move.run(amount, 2);
    return amount;
  });
  assert.equal(db.inTransaction, false);
  assert.equal(transfer(30), 30);
  assert.equal(db.inTransaction, false);
  assert.deepEqual(db.prepare('SELECT balance FROM acct ORDER BY id').pluck().all(), [70, 30]);
  assert.equal(transfer.deferred, transfer);
  assert.equal(transfer.immediate, transfer);
  assert.equal(transfer.exclusive, transfer);
  db.close();
});

test('a throw rolls back everything the function did', () => {
  const db = setup();
  const move = db.prepare('UPDATE acct SET balance = balance + ? WHERE id = ?');
  const transfer = db.transaction((amount) => {
    move.run(amount, 2);
    move.run(-amount, 1); // violates the CHECK when amount > 100
  });
  assert.throws(() => transfer(500), { code: 'HELIOSDB_CONSTRAINT' });
  assert.equal(db.inTransaction, false);
  assert.deepEqual(db.prepare('SELECT balance FROM acct ORDER BY id').pluck().all(), [100, 0]);

  const boom = db.transaction(() => {
    move.run(1, 2);
    throw new Error('app error');
  });
  assert.throws(() => boom(), { message: 'app error' });
  assert.deepEqual(db.prepare('SELECT balance FROM acct ORDER BY id').pluck().all(), [100, 0]);
  db.close();
});

test('nested transactions throw a clear error (no SAVEPOINT yet) and roll back', () => {
  const db = setup();
  const inner = db.transaction(() => db.prepare('UPDATE acct SET balance = 1 WHERE id = 2').run());
  const outer = db.transaction(() => {
    db.prepare('UPDATE acct SET balance = 50 WHERE id = 1').run();
    inner();
  });
  assert.throws(() => outer(), { code: 'HELIOSDB_MISUSE', message: /SAVEPOINT/ });
  assert.equal(db.inTransaction, false);
  assert.deepEqual(db.prepare('SELECT balance FROM acct ORDER BY id').pluck().all(), [100, 0]);
  db.close();
});

test('async functions are refused (the transaction would end before them)', () => {
  const db = setup();
  const t = db.transaction(async () => {});
  assert.throws(() => t(), { name: 'TypeError', message: /promise/ });
  assert.equal(db.inTransaction, false);
  db.close();
});

test('explicit BEGIN/ROLLBACK through exec and inTransaction', () => {
  const db = setup();
  db.exec('BEGIN');
  assert.equal(db.inTransaction, true);
  db.prepare('DELETE FROM acct').run();
  assert.equal(db.prepare('SELECT count(*) FROM acct').pluck().get(), 0);
  db.exec('ROLLBACK');
  assert.equal(db.inTransaction, false);
  assert.equal(db.prepare('SELECT count(*) FROM acct').pluck().get(), 2);
  // Closing with an open transaction rolls it back.
  db.exec('BEGIN; DELETE FROM acct;');
  db.close();
});

test('transaction functions keep `this` and arguments', () => {
  const db = setup();
  const obj = {
    factor: 3,
    t: db.transaction(function (a, b) {
      return this.factor * (a + b);
    }),
  };
  assert.equal(obj.t(1, 2), 9);
  db.close();
});
