// The fix's build step, run once by the bench: ajv's standalone code for every schema, written to
// <dir>/validators.js, so that the fixed child requires ready validators instead of compiling.
'use strict';
const fs = require('fs');
const path = require('path');
const Ajv = require('ajv');
const standaloneCode = require('ajv/dist/standalone').default;
const { SCHEMAS } = require('./schemas');

const dir = process.argv[2];
const ajv = new Ajv({ allowUnionTypes: true, code: { source: true } });
for (const s of SCHEMAS) ajv.addSchema(s);
const exportsMap = Object.fromEntries(SCHEMAS.map((s, k) => [`v${k}`, s.$id]));
// The generated code requires ajv's small runtime helpers by package name; the temp dir has no
// node_modules, so point them at this checkout's.
const ajvDir = path.dirname(require.resolve('ajv/package.json'));
const code = standaloneCode(ajv, exportsMap).replace(/require\("ajv\//g, `require(${JSON.stringify(ajvDir + '/')} + "`);
fs.writeFileSync(path.join(dir, 'validators.js'), code);
