#!/usr/bin/env node
'use strict';
// Thin launcher: the CLI is compiled to dist/ by `npm run build` (run by `npm ci` through "prepare").
try {
  require('../dist/cli/main.js').main(process.argv);
} catch (err) {
  if (err && err.code === 'MODULE_NOT_FOUND' && /dist[\\/]cli[\\/]main/.test(String(err.message))) {
    process.stderr.write('wspy: not built yet; run `npm ci` (or `npm run build`) in the wspy checkout first\n');
    process.exit(2);
  }
  throw err;
}
