// typescript.test.js — index.d.ts type-checks, accepts test/types/check.ts and
// rejects the misuse that file marks with @ts-expect-error (`tsc --noEmit`).
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

test('tsc --noEmit accepts test/types/check.ts against index.d.ts', () => {
  const tsc = require.resolve('typescript/bin/tsc');
  const config = path.join(__dirname, 'types', 'tsconfig.json');
  const r = spawnSync(process.execPath, [tsc, '--noEmit', '-p', config], { encoding: 'utf8' });
  assert.equal(r.status, 0, `tsc failed:\n${r.stdout}${r.stderr}`);
});
