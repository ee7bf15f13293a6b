// native.js — loads the compiled addon (build/Release/heliosdb.node).
'use strict';

const path = require('node:path');

let addon;
try {
  addon = require(path.join(__dirname, '..', 'build', 'Release', 'heliosdb.node'));
} catch (e) {
  e.message = `heliosdb: cannot load the native addon (run \`npm install\` in the package to build it): ${e.message}`;
  throw e;
}

module.exports = addon;
