// database.js — Database: a HeliosDB-Lite connection with the better-sqlite3 API.
//
// Owns option handling, prepare/exec (with the read-only check), the
// transaction() wrapper and the async query() path with AbortSignal.
'use strict';

const native = require('./native');
const { Statement } = require('./statement');
const { HeliosDBError, codes } = require('./errors');
const { splitSql } = require('./split_sql');

const kNative = Symbol('native');
// The savepoint name of nested transaction functions (a quoted identifier
// no one writes by hand, as better-sqlite3's).
const kSavepoint = '"\t_heliosdb.\t"';

function interruptError(reason) {
  const e = new HeliosDBError('query aborted', 'HELIOSDB_INTERRUPT', codes.HELIOSDB_INTERRUPT);
  if (reason !== undefined) e.cause = reason;
  return e;
}

function readonlyError() {
  return new HeliosDBError('attempt to write a readonly database', 'HELIOSDB_READONLY', codes.HELIOSDB_READONLY);
}

/** A connection to a HeliosDB-Lite database (a directory, or ':memory:'). */
class Database {
  /**
   * @param {string} [path=':memory:'] database directory (created if missing) or ':memory:'
   * @param {object} [options]
   * @param {object|string} [options.config] engine settings, as in heliosdb.toml
   *   (an object is sent as JSON; a string may be TOML or JSON)
   * @param {boolean} [options.readonly=false] refuse every statement that can write
   * @param {number} [options.timeout=5000] ms a write waits for another connection's transaction
   * @param {boolean} [options.fileMustExist=false] throw if the directory does not exist
   */
  constructor(path = ':memory:', options = {}) {
    if (typeof path !== 'string') throw new TypeError('Expected first argument to be a string (a directory or ":memory:")');
    if (path === '') throw new TypeError('The path must not be empty (use ":memory:" for a temporary database)');
    if (options === null || typeof options !== 'object') throw new TypeError('Expected the options to be an object');
    const { config, readonly = false, timeout, fileMustExist = false } = options;
    let configText = null;
    if (config !== undefined && config !== null) {
      if (typeof config === 'string') configText = config;
      else if (typeof config === 'object') configText = JSON.stringify(config);
      else throw new TypeError('options.config must be an object or a TOML/JSON string');
    }
    if (typeof readonly !== 'boolean') throw new TypeError('options.readonly must be a boolean');
    if (timeout !== undefined && (typeof timeout !== 'number' || !Number.isFinite(timeout) || timeout < 0)) {
      throw new TypeError('options.timeout must be a non-negative number of milliseconds');
    }
    if (fileMustExist && path !== ':memory:' && !require('node:fs').existsSync(path)) {
      throw new HeliosDBError(`database does not exist: ${path}`, 'HELIOSDB_ERROR', codes.HELIOSDB_ERROR);
    }
    this[kNative] = new native.NativeDatabase(path, configText, timeout);
    /** The path given to the constructor. */
    this.name = path;
    /** True for ':memory:' databases. */
    this.memory = path === ':memory:';
    /** True when opened with `readonly: true`. */
    this.readonly = readonly;
    this._safe = false;
    this._txStmts = null;
    this._queue = []; // query() jobs waiting for the running one
    this._running = null;
  }

  /** True until close(). */
  get open() {
    return this[kNative].isOpen();
  }

  /** True inside BEGIN … COMMIT/ROLLBACK. */
  get inTransaction() {
    return this[kNative].inTransaction();
  }

  /**
   * The notice the last statement left, or null: CREATE MATERIALIZED VIEW
   * says whether the view is maintained incrementally and why not.
   */
  get notice() {
    return this[kNative].notice();
  }

  /** Prepares one SQL statement. */
  prepare(sql) {
    if (typeof sql !== 'string') throw new TypeError('Expected the SQL to be a string');
    const n = new native.NativeStatement(this[kNative], sql);
    const stmt = new Statement(this, n, sql, this._safe);
    if (this.readonly && !stmt.readonly) {
      stmt.finalize();
      throw readonlyError();
    }
    return stmt;
  }

  /** Runs one or more ';'-separated statements, discarding rows. Returns this. */
  exec(sql) {
    if (typeof sql !== 'string') throw new TypeError('Expected the SQL to be a string');
    if (!this.readonly) {
      this[kNative].exec(sql);
      return this;
    }
    // Refuse the whole script before running any of it.
    const stmts = splitSql(sql).map((s) => this.prepare(s));
    try {
      for (const s of stmts) s.run();
    } finally {
      for (const s of stmts) s.finalize();
    }
    return this;
  }

  /**
   * Wraps `fn` in BEGIN … COMMIT; a throw rolls back and rethrows. As in
   * better-sqlite3, a transaction function called while a transaction is
   * open (inside another transaction function, or after an explicit BEGIN)
   * becomes a savepoint: SAVEPOINT … RELEASE, and on a throw ROLLBACK TO +
   * RELEASE (undoing only its own work; the outer transaction stays open)
   * and rethrow. `.deferred`, `.immediate` and `.exclusive` are the same
   * function (the engine has one BEGIN).
   */
  transaction(fn) {
    if (typeof fn !== 'function') throw new TypeError('Expected first argument to be a function');
    const db = this;
    const wrapped = function transaction(...args) {
      const tx = db._transactionStatements();
      let before, after, undo;
      if (db.inTransaction) {
        before = tx.savepoint;
        after = tx.release;
        undo = tx.rollbackTo;
      } else {
        before = tx.begin;
        after = tx.commit;
        undo = tx.rollback;
      }
      before.run([]);
      let result;
      try {
        result = fn.apply(this, args);
        if (result && typeof result.then === 'function') {
          throw new TypeError('Transaction function cannot return a promise (it must finish synchronously)');
        }
        after.run([]);
      } catch (e) {
        if (db.open && db.inTransaction) {
          undo.run([]);
          if (undo !== tx.rollback) after.run([]);
        }
        throw e;
      }
      return result;
    };
    for (const kind of ['deferred', 'immediate', 'exclusive']) {
      Object.defineProperty(wrapped, kind, { value: wrapped, enumerable: true });
    }
    Object.defineProperty(wrapped, 'database', { value: this, enumerable: true });
    return wrapped;
  }

  // BEGIN/COMMIT/ROLLBACK and the savepoint statements, prepared once per
  // connection (close() drops them). Nested levels share one savepoint name,
  // as in better-sqlite3: RELEASE and ROLLBACK TO act on the newest savepoint
  // of that name, which is the innermost running transaction function's.
  _transactionStatements() {
    if (!this._txStmts || !this._txStmts.begin.isLive()) {
      const mk = (sql) => new native.NativeStatement(this[kNative], sql);
      this._txStmts = {
        begin: mk('BEGIN'),
        commit: mk('COMMIT'),
        rollback: mk('ROLLBACK'),
        savepoint: mk(`SAVEPOINT ${kSavepoint}`),
        release: mk(`RELEASE SAVEPOINT ${kSavepoint}`),
        rollbackTo: mk(`ROLLBACK TO SAVEPOINT ${kSavepoint}`),
      };
    }
    return this._txStmts;
  }

  /**
   * Runs one statement on the libuv thread pool, so the event loop stays
   * free: resolves to the rows (objects), with a non-enumerable `rows.info`
   * = `{ changes, lastInsertRowid }`. `params` is an array (positional) or
   * an object (named). `options.signal` (AbortSignal) cancels it: a query
   * still waiting is dropped, a running one is interrupted; the promise
   * rejects with code 'HELIOSDB_INTERRUPT' and a write changes nothing.
   * Queries on one Database run one at a time, in order (the connection
   * serializes calls anyway); sync calls on this Database wait while one
   * runs. Use another Database on the same path for parallel work.
   */
  query(sql, params, options = {}) {
    return new Promise((resolve, reject) => {
      if (typeof sql !== 'string') throw new TypeError('Expected the SQL to be a string');
      if (!this.open) throw new TypeError('The database connection is not open');
      const list = params === undefined || params === null ? [] : Array.isArray(params) ? params : [params];
      const { signal, safeIntegers = this._safe } = options ?? {};
      if (signal !== undefined && (typeof signal !== 'object' || typeof signal.aborted !== 'boolean')) {
        throw new TypeError('options.signal must be an AbortSignal');
      }
      if (this.readonly) this.prepare(sql).finalize(); // throws for writes
      if (signal?.aborted) {
        reject(interruptError(signal.reason));
        return;
      }
      const job = { sql, list, safe: !!safeIntegers, signal, resolve, reject, token: null, onAbort: null };
      if (signal) {
        job.onAbort = () => {
          const i = this._queue.indexOf(job);
          if (i >= 0) {
            this._queue.splice(i, 1);
            reject(interruptError(signal.reason));
          } else if (job.token) {
            native.abortQuery(job.token);
          }
        };
        signal.addEventListener('abort', job.onAbort, { once: true });
      }
      this._queue.push(job);
      this._pump();
    });
  }

  // Starts the next queued query when none is running.
  _pump() {
    if (this._running || this._queue.length === 0) return;
    const job = this._queue.shift();
    this._running = job;
    const done = (err, rows) => {
      this._running = null;
      if (job.onAbort) job.signal.removeEventListener('abort', job.onAbort);
      if (err) {
        if (job.signal?.aborted && err.code === 'HELIOSDB_INTERRUPT') err.cause = job.signal.reason;
        job.reject(err);
      } else job.resolve(rows);
      this._pump();
    };
    try {
      job.token = this[kNative].query(job.sql, job.list, job.safe, done);
    } catch (e) {
      this._running = null;
      if (job.onAbort) job.signal.removeEventListener('abort', job.onAbort);
      job.reject(e);
      queueMicrotask(() => this._pump());
    }
  }

  /** Stops the statement running on this connection (e.g. a query() on the pool). */
  interrupt() {
    this[kNative].interrupt();
    return this;
  }

  /** Default safeIntegers() for statements prepared after this call. */
  defaultSafeIntegers(toggle = true) {
    this._safe = !!toggle;
    return this;
  }

  /** Sets how long a write waits for another connection's transaction (ms). */
  setTimeout(ms) {
    this[kNative].setTimeout(ms);
    return this;
  }

  /**
   * Closes the connection; its statements are finalized (using them
   * afterwards throws). Async queries still running are interrupted and the
   * connection is released when they finish. Closing twice is harmless.
   */
  close() {
    this[kNative].close();
    this._txStmts = null;
    for (const job of this._queue.splice(0)) {
      if (job.onAbort) job.signal.removeEventListener('abort', job.onAbort);
      job.reject(interruptError(new Error('the database was closed')));
    }
    return this;
  }
}

module.exports = { Database };
