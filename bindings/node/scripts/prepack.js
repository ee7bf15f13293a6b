#!/usr/bin/env node
// prepack.js — run by `npm pack`/`npm publish`: puts the built addon into
// prebuilds/<platform>-<arch>/ so the tarball installs on a machine without
// libheliosdb or a compiler (scripts/build.js falls back to it). The addon
// links libheliosdb statically and N-API keeps it valid across Node versions.
'use strict';

const fs = require('node:fs');
const path = require('node:path');

const pkg = path.resolve(__dirname, '..');
const built = path.join(pkg, 'build', 'Release', 'heliosdb.node');
if (!fs.existsSync(built)) {
  console.error('prepack: build/Release/heliosdb.node is missing: run `npm install` first');
  process.exit(1);
}
const dir = path.join(pkg, 'prebuilds', `${process.platform}-${process.arch}`);
fs.mkdirSync(dir, { recursive: true });
fs.copyFileSync(built, path.join(dir, 'heliosdb.node'));
console.log(`prepack: ${path.relative(pkg, built)} -> ${path.relative(pkg, dir)}/heliosdb.node`);
