// index.js — entry point of the heliosdb-lite package.
//
//   const Database = require('heliosdb-lite');
//   const db = new Database('./data');
'use strict';

const { Database } = require('./lib/database');
const { Statement } = require('./lib/statement');
const { HeliosDBError, codes } = require('./lib/errors');
const native = require('./lib/native');

module.exports = Database;
module.exports.default = Database;
module.exports.Database = Database;
module.exports.Statement = Statement;
module.exports.HeliosDBError = HeliosDBError;
module.exports.codes = codes;
/** The engine's version (heliosdb_version()). */
module.exports.version = native.version;
