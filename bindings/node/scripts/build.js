#!/usr/bin/env node
// build.js — builds build/Release/heliosdb.node; run by `npm install`.
//
// Why not node-gyp: node-gyp downloads Node's headers unless `nodedir` is
// configured on the installing machine. This script uses the headers of the
// Node that runs it (<prefix>/include/node, as NodeSource packages and the
// official tarballs install them) or else the `node-api-headers` dependency
// (an npm package of headers only, for Debian's nodejs which ships none), and never
// touches the network. It compiles src/*.c with `cc` and links
// libheliosdb.a statically, so the .node file is self-contained.
//
// Where libheliosdb comes from, first match wins:
//   1. HELIOSDB_LIB_DIR (libheliosdb.a or .so) + HELIOSDB_INCLUDE_DIR (heliosdb.h)
//   2. this repository: ../../target/release and ../../include
//   3. a prebuilt addon shipped in the npm tarball (prebuilds/<platform>-<arch>/),
//      made by `npm pack` (scripts/prepack.js); N-API keeps it valid across
//      Node versions.
// HELIOSDB_LINK=shared links libheliosdb.so instead (copied next to the
// addon, found through an $ORIGIN rpath).
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const pkg = path.resolve(__dirname, '..');
const outDir = path.join(pkg, 'build', 'Release');
const out = path.join(outDir, 'heliosdb.node');

function exists(p) {
  try {
    fs.accessSync(p);
    return true;
  } catch {
    return false;
  }
}

function nodeHeaders() {
  const candidates = [];
  if (process.env.HELIOSDB_NODE_HEADERS) candidates.push(process.env.HELIOSDB_NODE_HEADERS);
  if (process.env.npm_config_nodedir) candidates.push(path.join(process.env.npm_config_nodedir, 'include', 'node'));
  candidates.push(path.resolve(path.dirname(process.execPath), '..', 'include', 'node'));
  candidates.push('/usr/include/node', '/usr/local/include/node');
  try {
    candidates.push(require('node-api-headers').include_dir);
  } catch {
    // optional package, not installed
  }
  return candidates.find((d) => exists(path.join(d, 'node_api.h')));
}

function heliosdbSource() {
  const env = process.env;
  if (env.HELIOSDB_LIB_DIR) {
    return { libDir: env.HELIOSDB_LIB_DIR, includeDir: env.HELIOSDB_INCLUDE_DIR || path.join(env.HELIOSDB_LIB_DIR, '..', 'include') };
  }
  const repo = path.resolve(pkg, '..', '..');
  const libDir = path.join(repo, 'target', 'release');
  const includeDir = path.join(repo, 'include');
  if (exists(path.join(includeDir, 'heliosdb.h')) && (exists(path.join(libDir, 'libheliosdb.a')) || exists(path.join(libDir, 'libheliosdb.so')))) {
    return { libDir, includeDir };
  }
  return null;
}

function usePrebuilt() {
  const pre = path.join(pkg, 'prebuilds', `${process.platform}-${process.arch}`, 'heliosdb.node');
  if (!exists(pre)) return false;
  fs.mkdirSync(outDir, { recursive: true });
  fs.copyFileSync(pre, out);
  console.log(`heliosdb: using the prebuilt addon ${path.relative(pkg, pre)}`);
  return true;
}

function main() {
  const src = heliosdbSource();
  if (!src) {
    if (usePrebuilt()) return;
    fail('cannot find libheliosdb: build it (cargo build --release -p heliosdb-capi) or set HELIOSDB_LIB_DIR and HELIOSDB_INCLUDE_DIR');
  }
  const headers = nodeHeaders();
  if (!headers) fail("cannot find Node's headers (node_api.h): install them (Debian: libnode-dev / nodejs headers) or `npm install node-api-headers`, or set HELIOSDB_NODE_HEADERS");
  const shared = process.env.HELIOSDB_LINK === 'shared';
  const lib = path.join(src.libDir, shared ? 'libheliosdb.so' : 'libheliosdb.a');
  if (!exists(lib)) fail(`missing ${lib}`);

  fs.mkdirSync(outDir, { recursive: true });
  const sources = fs.readdirSync(path.join(pkg, 'src')).filter((f) => f.endsWith('.c')).sort().map((f) => path.join('src', f));
  const cc = process.env.CC || 'cc';
  const args = [
    '-std=c11', '-O2', '-fPIC', '-shared', '-Wall', '-Wextra', '-Wno-unused-parameter',
    '-fvisibility=hidden', '-DNODE_GYP_MODULE_NAME=heliosdb',
    `-I${headers}`, `-I${src.includeDir}`,
    ...sources,
    // Written beside and renamed into place: a process that has the old
    // addon loaded (or loads it meanwhile) never sees a half-written file.
    '-o', `${out}.tmp`,
  ];
  if (shared) {
    fs.copyFileSync(lib, path.join(outDir, 'libheliosdb.so'));
    args.push(`-L${outDir}`, '-lheliosdb', '-Wl,-rpath,$ORIGIN');
  } else {
    // --exclude-libs keeps the Rust library's symbols out of the addon's
    // dynamic symbol table; --gc-sections drops what the addon never calls.
    args.push(lib, '-Wl,--exclude-libs,ALL', '-Wl,--gc-sections');
    if (!process.env.HELIOSDB_KEEP_SYMBOLS) args.push('-Wl,-s'); // for profiling: HELIOSDB_KEEP_SYMBOLS=1
  }
  args.push('-lpthread', '-ldl', '-lm');
  console.log(`heliosdb: ${cc} … -o ${path.relative(pkg, out)} (${shared ? 'shared' : 'static'} libheliosdb from ${src.libDir}, Node headers ${headers})`);
  try {
    execFileSync(cc, args, { cwd: pkg, stdio: 'inherit' });
  } catch {
    fail('compiling the addon failed (see above)');
  }
  fs.renameSync(`${out}.tmp`, out);
}

function fail(msg) {
  console.error(`heliosdb build: ${msg}`);
  process.exit(1);
}

main();
