// native.js — loads the compiled addon: build/Release/heliosdb.node (made by
// `npm install`), else the prebuilt one an npm tarball ships (used when the
// installing npm skipped install scripts).
'use strict';

const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const candidates = [
  path.join(root, 'build', 'Release', 'heliosdb.node'),
  path.join(root, 'prebuilds', `${process.platform}-${process.arch}`, 'heliosdb.node'),
];
const found = candidates.find((p) => fs.existsSync(p));
if (!found) {
  throw new Error(`heliosdb: the native addon is not built (looked for ${candidates.join(', ')}): run \`npm install\` in ${root}`);
}

module.exports = require(found);
