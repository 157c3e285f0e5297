// One job per child, delivered at load: the payload arrives in argv and the module's top level
// hashes it straight away (PBKDF2, the job's real work). There is nothing to save here: every child
// hashes a different payload. The "fix" (FIX=1) changes nothing, so the bench measures about 1.0x,
// and wspy must not promise that running hashPayload once would save anything.
'use strict';
const crypto = require('crypto');

function hashPayload(payload) {
  return crypto.pbkdf2Sync(payload, 'wspy-salt', 120000, 64, 'sha512').toString('hex');
}

const digest = hashPayload(process.argv[2]);
if (digest.length !== 128) throw new Error('bad digest');
