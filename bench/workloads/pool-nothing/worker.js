// pool-nothing: a pool of four kept-alive children taking 10 jobs each (40 in all). FIX=1 runs the
// very same pool: nothing to save.
'use strict';
const path = require('path');
const { pool, main } = require('../runner');

main(() => pool(path.join(__dirname, 'child.js')));
