// The fix's child: kept alive in a pool of four, it defines the models once and takes jobs over IPC.
'use strict';
const { serve } = require('../runner');
const { defineModels, job } = require('./models');

const db = defineModels();
serve((n) => job(db, n));
