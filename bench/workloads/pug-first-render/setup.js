// The fix's build step, run once by the bench: every template precompiled with pug.compileClient
// into <dir>/templates.js, which needs no pug at run time.
'use strict';
const fs = require('fs');
const path = require('path');
const pug = require('pug');
const { TEMPLATES } = require('./templates');

const parts = TEMPLATES.map(({ name, source }) => `exports[${JSON.stringify(name)}] = (function () {\n${pug.compileClient(source, { name: 'template' })}\nreturn template;\n})();`);
fs.writeFileSync(path.join(process.argv[2], 'templates.js'), `'use strict';\n${parts.join('\n')}\n`);
