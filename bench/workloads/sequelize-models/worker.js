// sequelize-models: a fork-per-job worker whose children define thirty Sequelize models each; the fix
// (FIX=1) hands the same jobs to a pool of four kept-alive children.
'use strict';
const path = require('path');
const { FIX, forkPerJob, pool, main } = require('../runner');

main(() => (FIX ? pool(path.join(__dirname, 'pooled.js')) : forkPerJob(path.join(__dirname, 'child.js'))));
