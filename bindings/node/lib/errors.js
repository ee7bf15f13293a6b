// errors.js — HeliosDBError, the class of every error the engine reports.
'use strict';

const native = require('./native');

/**
 * An error reported by HeliosDB-Lite. `code` names the status
 * ('HELIOSDB_CONSTRAINT', 'HELIOSDB_ERROR', …) and `errcode` is its number
 * from include/heliosdb.h; `message` is the engine's message.
 */
class HeliosDBError extends Error {
  constructor(message, code, errcode) {
    super(message);
    this.code = code;
    this.errcode = errcode;
  }
}
Object.defineProperty(HeliosDBError.prototype, 'name', { value: 'HeliosDBError', writable: true, configurable: true });

// The addon builds its errors with this class.
native.registerErrorClass(HeliosDBError);

/** Status codes by name (include/heliosdb.h). */
const codes = Object.freeze({
  HELIOSDB_OK: 0,
  HELIOSDB_ERROR: 1,
  HELIOSDB_BUSY: 5,
  HELIOSDB_NOMEM: 7,
  HELIOSDB_READONLY: 8,
  HELIOSDB_INTERRUPT: 9,
  HELIOSDB_IOERR: 10,
  HELIOSDB_CORRUPT: 11,
  HELIOSDB_CONSTRAINT: 19,
  HELIOSDB_MISMATCH: 20,
  HELIOSDB_MISUSE: 21,
  HELIOSDB_RANGE: 25,
  HELIOSDB_SNAPSHOT_TOO_OLD: 1001,
});

module.exports = { HeliosDBError, codes };
