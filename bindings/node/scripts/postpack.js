#!/usr/bin/env node
// postpack.js — removes the prebuilds/ directory prepack.js made, so a later
// `npm install` in this checkout builds from source again.
'use strict';

const fs = require('node:fs');
const path = require('node:path');

fs.rmSync(path.resolve(__dirname, '..', 'prebuilds'), { recursive: true, force: true });
