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

const balances = (db) => db.prepare('SELECT balance FROM acct ORDER BY id').pluck().all();

test('nested transaction functions are savepoints: success commits both levels', () => {
  const db = setup();
  const inner = db.transaction((n) => {
    assert.equal(db.inTransaction, true);
    db.prepare('UPDATE acct SET balance = ? WHERE id = 2').run(n);
    return n + 1;
  });
  const outer = db.transaction(() => {
    db.prepare('UPDATE acct SET balance = 50 WHERE id = 1').run();
    const r = inner(7);
    assert.equal(db.inTransaction, true); // RELEASE of the savepoint does not commit
    return r;
  });
  assert.equal(outer(), 8);
  assert.equal(db.inTransaction, false);
  assert.deepEqual(balances(db), [50, 7]);
  db.close();
});

test('an inner throw rolls back only the inner work and is rethrown; the outer commits', () => {
  const db = setup();
  const move = db.prepare('UPDATE acct SET balance = balance + ? WHERE id = ?');
  const inner = db.transaction(() => {
    move.run(5, 2);
    move.run(-500, 1); // violates the CHECK
  });
  const outer = db.transaction(() => {
    move.run(-10, 1);
    assert.throws(() => inner(), { code: 'HELIOSDB_CONSTRAINT' });
    assert.equal(db.inTransaction, true);
    assert.deepEqual(balances(db), [90, 0]); // the inner +5 is undone, the outer -10 kept
    move.run(10, 2); // the outer transaction is still usable
  });
  outer();
  assert.equal(db.inTransaction, false);
  assert.deepEqual(balances(db), [90, 10]);

  const appError = db.transaction(() => {
    move.run(1, 2);
    throw new Error('app error');
  });
  db.transaction(() => {
    assert.throws(() => appError(), { message: 'app error' });
    move.run(2, 2);
  })();
  assert.deepEqual(balances(db), [90, 12]);
  db.close();
});

test('an outer throw after an inner success rolls back everything', () => {
  const db = setup();
  const inner = db.transaction(() => db.prepare('UPDATE acct SET balance = 1 WHERE id = 2').run());
  const outer = db.transaction(() => {
    db.prepare('UPDATE acct SET balance = 50 WHERE id = 1').run();
    inner();
    throw new RangeError('outer fails');
  });
  assert.throws(() => outer(), { name: 'RangeError', message: 'outer fails' });
  assert.equal(db.inTransaction, false);
  assert.deepEqual(balances(db), [100, 0]);
  db.close();
});

test('three levels: each failure undoes its own level and the levels below it', () => {
  const db = setup();
  const add = db.prepare('UPDATE acct SET balance = balance + ? WHERE id = 2');
  const level3 = db.transaction((n, fail) => {
    add.run(n);
    if (fail) throw new Error(`level 3 fails at ${n}`);
  });
  const level2 = db.transaction((fail) => {
    add.run(10);
    assert.throws(() => level3(100, true), { message: 'level 3 fails at 100' });
    level3(1000, false);
    if (fail) throw new Error('level 2 fails');
  });
  const level1 = db.transaction(() => {
    add.run(1);
    level2(false); // +10 +1000
    assert.throws(() => level2(true), { message: 'level 2 fails' }); // its +10 and +1000 undone
    assert.equal(db.inTransaction, true);
  });
  level1();
  assert.deepEqual(balances(db), [100, 1011]);
  // The same function works at any level: here level3 runs as the outermost transaction.
  level3(4, false);
  assert.deepEqual(balances(db), [100, 1015]);
  db.close();
});

test('a transaction function after an explicit BEGIN is a savepoint in that transaction', () => {
  const db = setup();
  const t = db.transaction((fail) => {
    db.prepare('UPDATE acct SET balance = balance + 1 WHERE id = 2').run();
    if (fail) throw new Error('no');
  });
  db.exec('BEGIN');
  t(false);
  assert.throws(() => t(true), { message: 'no' });
  assert.equal(db.inTransaction, true); // the caller's transaction, still open
  db.exec('ROLLBACK');
  assert.deepEqual(balances(db), [100, 0]);
  db.exec('BEGIN');
  t(false);
  db.exec('COMMIT');
  assert.deepEqual(balances(db), [100, 1]);
  db.close();
});

test('nested levels do not disturb savepoints the user made', () => {
  const db = setup();
  const inner = db.transaction(() => db.prepare('UPDATE acct SET balance = 9 WHERE id = 2').run());
  db.transaction(() => {
    db.exec('SAVEPOINT mine');
    db.prepare('UPDATE acct SET balance = 60 WHERE id = 1').run();
    inner();
    db.exec('ROLLBACK TO mine'); // undoes both, the inner one already released into `mine`
    db.exec('RELEASE mine');
  })();
  assert.deepEqual(balances(db), [100, 0]);
  db.close();
});

test('an unknown savepoint throws HELIOSDB_ERROR with the engine message', () => {
  const db = setup();
  db.exec('BEGIN');
  assert.throws(() => db.exec('RELEASE SAVEPOINT nope'), { code: 'HELIOSDB_ERROR', message: /no such savepoint: nope/ });
  assert.throws(() => db.prepare('ROLLBACK TO nope').run(), { code: 'HELIOSDB_ERROR', message: /no such savepoint/ });
  assert.equal(db.inTransaction, true);
  db.exec('ROLLBACK');
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
