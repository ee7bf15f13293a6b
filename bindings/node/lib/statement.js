// statement.js — Statement: a prepared statement with the better-sqlite3 API.
//
// Each run/get/all is one native call (bind, step, convert, reset). Modes
// (pluck, raw, safeIntegers) live in the native object.
'use strict';

const native = require('./native');

const kNative = Symbol('native');

// stmt.run() counters, written by the addon (see src/addon.h):
// [changes, lastInsertRowid as a double] and lastInsertRowid as an int64.
const runInfo = new Float64Array(native.runInfo, 0, 2);
const runRowid = new BigInt64Array(native.runInfo, 16, 1);

// Arrays among the arguments are spread, as better-sqlite3 does:
// run(1, 2), run([1, 2]) and run([1], 2) bind the same values.
function flat(params) {
  for (let i = 0; i < params.length; i++) if (Array.isArray(params[i])) return params.flat(1);
  return params;
}

// Row objects are built here from the value arrays the addon returns: a
// function returning an object literal with the column names as constant
// keys is compiled once per column list, so V8 creates every row with one
// shape instead of taking the slow path per property (napi_set_property).
const factories = new Map();

function rowFactory(names) {
  const key = JSON.stringify(names);
  let f = factories.get(key);
  if (f) return f;
  if (names.includes('__proto__')) {
    // A literal would set the prototype: define own properties instead.
    f = (v) => {
      const o = {};
      for (let i = 0; i < names.length; i++) {
        Object.defineProperty(o, names[i], { value: v[i], writable: true, enumerable: true, configurable: true });
      }
      return o;
    };
  } else {
    // JSON.stringify quotes each name safely; duplicate names: the last wins.
    const body = names.map((n, i) => `${JSON.stringify(n)}: v[${i}]`).join(', ');
    f = new Function('v', `return { ${body} };`); // eslint-disable-line no-new-func
  }
  if (factories.size < 1000) factories.set(key, f);
  return f;
}

/** Iterator over a statement's rows; return() releases the statement. */
class RowIterator {
  constructor(stmt) {
    this[kNative] = stmt[kNative];
    this.stmt = stmt;
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
    return { value: this.stmt._objects ? this.stmt._toObject(row) : row, done: false };
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
    this._objects = true; // rows as objects (not pluck/raw)
    this._names = undefined;
    this._make = null;
    if (this._safe) native.setMode(false, false, true);
  }

  /** Runs the statement; returns `{ changes, lastInsertRowid }`. */
  run(...params) {
    this[kNative].run(flat(params));
    return { changes: runInfo[0], lastInsertRowid: this._safe ? runRowid[0] : runInfo[1] };
  }

  /** The first row (an object, or per pluck()/raw()), or undefined. */
  get(...params) {
    const row = this[kNative].get(flat(params));
    return this._objects && row !== undefined ? this._toObject(row) : row;
  }

  /** All rows. */
  all(...params) {
    const rows = this[kNative].all(flat(params));
    if (this._objects && rows.length > 0) {
      const f = this._factory();
      for (let i = 0; i < rows.length; i++) rows[i] = f(rows[i]);
    }
    return rows;
  }

  /** An iterator over the rows; the statement is busy until it ends or is return()ed. */
  iterate(...params) {
    this[kNative].iterStart(flat(params));
    return new RowIterator(this);
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
    this._objects = !this._pluck && !this._raw;
  }

  // The factory for the current column names (the addon publishes them as
  // `columnNames`, a new array whenever they change).
  _factory() {
    const names = this[kNative].columnNames;
    if (names !== this._names) {
      this._names = names;
      this._make = rowFactory(names);
    }
    return this._make;
  }

  _toObject(values) {
    return this._factory()(values);
  }

  _requireReader(what) {
    // A read-only statement on a table not created yet has no columns until it runs.
    if (!this.reader && !this.readonly) throw new TypeError(`The ${what}() method is only for statements that return data`);
  }
}

module.exports = { Statement };
