// One job: validate the job's orders against twenty schemas. The original compiles the twenty
// schemas with ajv in every child; the fix (FIX=1) requires the standalone validators the bench
// generated once (setup.js).
'use strict';
const path = require('path');
const { SCHEMAS, order } = require('./schemas');

function compileValidators() {
  const Ajv = require('ajv');
  const ajv = new Ajv({ allowUnionTypes: true });
  return SCHEMAS.map((s) => ajv.compile(s));
}

function loadPrecompiled() {
  const v = require(path.join(process.env.ACC_DIR, 'validators.js'));
  return SCHEMAS.map((_, k) => v[`v${k}`]);
}

const validators = process.env.FIX === '1' ? loadPrecompiled() : compileValidators();
const job = Number(process.argv[2]);
validators.forEach((validate, k) => {
  if (!validate(order(k, job))) throw new Error(`order ${k} invalid: ${JSON.stringify(validate.errors)}`);
});
