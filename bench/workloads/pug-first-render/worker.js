// pug-first-render: a fork-per-job worker whose children compile ten pug templates on first render.
'use strict';
const path = require('path');
const { forkPerJob, main } = require('../runner');

main(() => forkPerJob(path.join(__dirname, 'child.js')));
