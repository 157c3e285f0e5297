// ajv-compile: a fork-per-job worker whose children compile twenty JSON schemas each.
'use strict';
const path = require('path');
const { forkPerJob, main } = require('../runner');

main(() => forkPerJob(path.join(__dirname, 'child.js')));
