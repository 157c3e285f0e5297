// The original's child: one job per process, so every job defines the thirty models again.
'use strict';
const { defineModels, job } = require('./models');

job(defineModels(), Number(process.argv[2])).catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
