// aws-require: a fork-per-job worker whose children require all of aws-sdk v2 for one S3 helper.
'use strict';
const path = require('path');
const { forkPerJob, main } = require('../runner');

main(() => forkPerJob(path.join(__dirname, 'child.js')));
