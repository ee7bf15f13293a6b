// statement.js — Statement: a prepared statement with the better-sqlite3 API.
//
// Each run/get/all is one native call (bind, step, convert, reset). Modes
// (pluck, raw, safeIntegers) live in the native object.
'use strict';

const kNative = Symbol('native');

// Arrays among the arguments are spread, as better-sqlite3 does:
// run(1, 2), run([1, 2]) and run([1], 2) bind the same values.
function flat(params) {
  for (let i = 0; i < params.length; i++) if (Array.isArray(params[i])) return params.flat(1);
  return params;
}

/** Iterator over a statement's rows; return() releases the statement. */
class RowIterator {
  constructor(native) {
    this[kNative] = native;
    this.done = false;
  }

  next() {
    if (this.done) return { value: undefined, done: true };
    let row;
    try {
      row = this[kNative].iterNext();
    } catch (e) {
      this.done = true;
      throw e;
    }
    if (row === undefined) {
      this.done = true;
      return { value: undefined, done: true };
    }
    return { value: row, done: false };
  }

  return(value) {
    if (!this.done) {
      this.done = true;
      this[kNative].iterStop();
    }
    return { value, done: true };
  }

  [Symbol.iterator]() {
    return this;
  }
}

/** A prepared statement. Create it with `db.prepare(sql)`. */
class Statement {
  constructor(database, native, source, defaultSafeIntegers) {
    const info = native.info();
    this[kNative] = native;
    /** The Database this statement belongs to. */
    this.database = database;
    /** The SQL text. */
    this.source = source;
    /** True when the statement returns rows (get/all/iterate apply). */
    this.reader = info.returnsData;
    /** True when running it cannot change the database. */
    this.readonly = info.readonly;
    this._pluck = false;
    this._raw = false;
    this._safe = !!defaultSafeIntegers;
    if (this._safe) native.setMode(false, false, true);
  }

  /** Runs the statement; returns `{ changes, lastInsertRowid }`. */
  run(...params) {
    return this[kNative].run(flat(params));
  }

  /** The first row (an object, or per pluck()/raw()), or undefined. */
  get(...params) {
    return this[kNative].get(flat(params));
  }

  /** All rows. */
  all(...params) {
    return this[kNative].all(flat(params));
  }

  /** An iterator over the rows; the statement is busy until it ends or is return()ed. */
  iterate(...params) {
    this[kNative].iterStart(flat(params));
    return new RowIterator(this[kNative]);
  }

  /** Rows are the first column's value only (turns raw() off). */
  pluck(toggle = true) {
    this._requireReader('pluck');
    this._pluck = !!toggle;
    if (this._pluck) this._raw = false;
    this._apply();
    return this;
  }

  /** Rows are arrays of values instead of objects (turns pluck() off). */
  raw(toggle = true) {
    this._requireReader('raw');
    this._raw = !!toggle;
    if (this._raw) this._pluck = false;
    this._apply();
    return this;
  }

  /** INTEGER values (and lastInsertRowid) come back as BigInt. */
  safeIntegers(toggle = true) {
    this._safe = !!toggle;
    this._apply();
    return this;
  }

  /** `[{ name, type }]`: the result columns with their declared types (null for expressions). */
  columns() {
    this._requireReader('columns');
    return this[kNative].columns();
  }

  /** True while an iterate() is in progress. */
  get busy() {
    return this[kNative].isBusy();
  }

  /** Frees the native statement now instead of at garbage collection. Later use throws. */
  finalize() {
    this[kNative].finalize();
  }

  _apply() {
    this[kNative].setMode(this._pluck, this._raw, this._safe);
  }

  _requireReader(what) {
    // A read-only statement on a table not created yet has no columns until it runs.
    if (!this.reader && !this.readonly) throw new TypeError(`The ${what}() method is only for statements that return data`);
  }
}

module.exports = { Statement };
