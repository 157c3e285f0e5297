// pbkdf2-argv: a fork-per-job worker whose children get their payload in argv and hash it at load.
// FIX=1 runs the very same children: per-job work has no fix.
'use strict';
const path = require('path');
const { forkPerJob, main } = require('../runner');

main(() => forkPerJob(path.join(__dirname, 'child.js'), (i) => [`payload-${i}-${'x'.repeat(i % 7)}`]));
