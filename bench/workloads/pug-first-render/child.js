// One job: render the job's mails with every template. The original compiles each template on its
// first render (memoised, as view engines do), so each child compiles all ten during its one job;
// the fix (FIX=1) requires the templates the bench precompiled once (setup.js).
'use strict';
const path = require('path');
const { TEMPLATES, locals } = require('./templates');

const compiled = new Map();

function render(name, data) {
  let fn = compiled.get(name);
  if (!fn) {
    if (process.env.FIX === '1') fn = require(path.join(process.env.ACC_DIR, 'templates.js'))[name];
    else fn = require('pug').compile(TEMPLATES.find((t) => t.name === name).source);
    compiled.set(name, fn);
  }
  return fn(data);
}

const job = Number(process.argv[2]);
let bytes = 0;
for (const { name } of TEMPLATES) bytes += render(name, locals(job)).length;
if (bytes === 0) throw new Error('nothing rendered');
