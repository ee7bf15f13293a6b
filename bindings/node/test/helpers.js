// helpers.js — shared test helpers: temporary database directories.
'use strict';

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

/** A fresh directory (removed at process exit) for an on-disk database. */
function tempDir(prefix = 'heliosdb-node-') {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  return path.join(dir, 'db');
}

module.exports = { tempDir };
