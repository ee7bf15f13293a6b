// index.d.ts — TypeScript declarations of the heliosdb-lite package.

/// <reference types="node" />

declare namespace HeliosDB {
  /** A value that can be bound to a parameter. */
  type BindValue = number | bigint | string | boolean | null | Buffer | Uint8Array;
  /** Named parameters: keys without the ':'/'@'/'$' prefix. */
  type NamedParams = Record<string, BindValue>;
  /** A value read from a row (bigint with safeIntegers(); DECIMAL as string; BOOLEAN as boolean). */
  type Value = number | bigint | string | boolean | null | Buffer;

  interface Options {
    /** Engine settings, as in heliosdb.toml (object → JSON; string: TOML or JSON). */
    config?: Record<string, unknown> | string;
    /** Refuse every statement that can write (HELIOSDB_READONLY). */
    readonly?: boolean;
    /** Milliseconds a write waits for another connection's transaction (default 5000). */
    timeout?: number;
    /** Throw if the database directory does not exist. */
    fileMustExist?: boolean;
  }

  interface RunResult {
    changes: number;
    lastInsertRowid: number | bigint;
  }

  interface ColumnDefinition {
    name: string;
    /** The declared type ("INTEGER", "DECIMAL(15,2)", …), or null for expressions. */
    type: string | null;
  }

  interface QueryOptions {
    /** Aborting interrupts the query (rejects with code 'HELIOSDB_INTERRUPT'). */
    signal?: AbortSignal;
    /** INTEGER values as BigInt. */
    safeIntegers?: boolean;
  }

  /** Rows of db.query(); `info` (not enumerable) holds the counters of a write. */
  type QueryRows<Row> = Row[] & { readonly info: RunResult };

  type ErrorCode =
    | 'HELIOSDB_ERROR'
    | 'HELIOSDB_BUSY'
    | 'HELIOSDB_NOMEM'
    | 'HELIOSDB_READONLY'
    | 'HELIOSDB_INTERRUPT'
    | 'HELIOSDB_IOERR'
    | 'HELIOSDB_CORRUPT'
    | 'HELIOSDB_CONSTRAINT'
    | 'HELIOSDB_MISMATCH'
    | 'HELIOSDB_MISUSE'
    | 'HELIOSDB_RANGE'
    | 'HELIOSDB_SNAPSHOT_TOO_OLD'
    | 'HELIOSDB_UNKNOWN';

  /** A prepared statement (from db.prepare()). */
  interface Statement<BindParameters extends unknown[] = unknown[], Row = Record<string, Value>> {
    readonly database: Database;
    readonly source: string;
    /** True when the statement returns rows. */
    readonly reader: boolean;
    /** True when running it cannot change the database. */
    readonly readonly: boolean;
    /** True while an iterate() is in progress. */
    readonly busy: boolean;
    run(...params: BindParameters): RunResult;
    get(...params: BindParameters): Row | undefined;
    all(...params: BindParameters): Row[];
    iterate(...params: BindParameters): IterableIterator<Row>;
    pluck(toggle?: boolean): this;
    raw(toggle?: boolean): this;
    safeIntegers(toggle?: boolean): this;
    columns(): ColumnDefinition[];
    /** Frees the native statement now; later use throws. */
    finalize(): void;
  }

  /**
   * The function db.transaction() returns: BEGIN … COMMIT, or, called while a
   * transaction is open, SAVEPOINT … RELEASE (ROLLBACK TO + RELEASE on a throw).
   */
  interface Transaction<F extends (...args: any[]) => any> {
    (...args: Parameters<F>): ReturnType<F>;
    deferred: Transaction<F>;
    immediate: Transaction<F>;
    exclusive: Transaction<F>;
    readonly database: Database;
  }

  /** A connection. */
  interface Database {
    readonly name: string;
    readonly memory: boolean;
    readonly readonly: boolean;
    readonly open: boolean;
    readonly inTransaction: boolean;
    /** The notice the last statement left (materialized-view strategy), or null. */
    readonly notice: string | null;
    prepare<BindParameters extends unknown[] = unknown[], Row = Record<string, Value>>(
      sql: string,
    ): Statement<BindParameters, Row>;
    exec(sql: string): this;
    transaction<F extends (...args: any[]) => any>(fn: F): Transaction<F>;
    /** Runs one statement on the libuv thread pool. */
    query<Row = Record<string, Value>>(
      sql: string,
      params?: BindValue[] | NamedParams | null,
      options?: QueryOptions,
    ): Promise<QueryRows<Row>>;
    interrupt(): this;
    defaultSafeIntegers(toggle?: boolean): this;
    setTimeout(ms: number): this;
    close(): this;
  }

  /** An error the engine reported. */
  interface HeliosDBError extends Error {
    /** The status name, e.g. 'HELIOSDB_CONSTRAINT'. */
    code: ErrorCode;
    /** The status number from include/heliosdb.h. */
    errcode: number;
  }

  interface HeliosDBErrorConstructor {
    new (message: string, code: ErrorCode, errcode: number): HeliosDBError;
    readonly prototype: HeliosDBError;
  }

  interface DatabaseConstructor {
    /** Opens (creating if needed) the database directory `path`, or ':memory:'. */
    new (path?: string, options?: Options): Database;
    readonly prototype: Database;
    readonly Database: DatabaseConstructor;
    readonly default: DatabaseConstructor;
    readonly HeliosDBError: HeliosDBErrorConstructor;
    readonly codes: Readonly<Record<ErrorCode | 'HELIOSDB_OK', number>>;
    readonly version: string;
  }
}

declare namespace Database {
  type Database = HeliosDB.Database;
  type Statement<BindParameters extends unknown[] = unknown[], Row = Record<string, HeliosDB.Value>> = HeliosDB.Statement<BindParameters, Row>;
  type Transaction<F extends (...args: any[]) => any> = HeliosDB.Transaction<F>;
  type HeliosDBError = HeliosDB.HeliosDBError;
  type Options = HeliosDB.Options;
  type RunResult = HeliosDB.RunResult;
  type ColumnDefinition = HeliosDB.ColumnDefinition;
  type QueryOptions = HeliosDB.QueryOptions;
  type QueryRows<Row> = HeliosDB.QueryRows<Row>;
  type BindValue = HeliosDB.BindValue;
  type NamedParams = HeliosDB.NamedParams;
  type Value = HeliosDB.Value;
  type ErrorCode = HeliosDB.ErrorCode;
}

declare const Database: HeliosDB.DatabaseConstructor;

export = Database;
