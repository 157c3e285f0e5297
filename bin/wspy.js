#!/usr/bin/env node
'use strict';
// Thin launcher: the CLI is compiled to dist/ by `npm run build` (and by `npm pack`, through "prepack").
const fs = require('fs');
const path = require('path');

const main = path.join(__dirname, '..', 'dist', 'cli', 'main.js');
// Asked of the file system, not read from a MODULE_NOT_FOUND: a module missing further down would
// name dist/cli/main.js in its require stack too, and must surface as itself.
if (!fs.existsSync(main)) {
  process.stderr.write('wspy: not built yet; run `npm ci && npm run build` in the wspy checkout first\n');
  process.exit(2);
}
require(main).main(process.argv);
