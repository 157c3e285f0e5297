// A kept-alive pool child: compiles one schema once, then validates every job's batch of 6,000
// orders. The jobs are the work; set-up is a small share, paid four times in all. The "fix"
// (FIX=1) changes nothing: there is nothing to save, and wspy must not promise a pool.
'use strict';
const Ajv = require('ajv');
const { serve } = require('../runner');
const { SCHEMAS, order } = require('../ajv-compile/schemas');

const validate = new Ajv({ allowUnionTypes: true }).compile(SCHEMAS[0]);

function validateBatch(job) {
  let valid = 0;
  for (let i = 0; i < 6000; i++) if (validate(JSON.parse(JSON.stringify(order(0, job * 6000 + i))))) valid++;
  if (valid !== 6000) throw new Error(`job ${job}: ${6000 - valid} invalid`);
}

serve(validateBatch);
