// One job, in its own forked process: configure the models (heavy, the same in every fork), then
// send one e-mail (light).
'use strict';
const { configureModels } = require('./models');

const models = configureModels();

process.once('message', (job) => {
  const user = models.User.build({ email: job.to });
  process.send({ id: job.id, ok: sendEmail(user) });
  process.disconnect();
});

function sendEmail(user) {
  let hash = 0;
  for (const ch of `Hello ${user.email}`) hash = (hash * 33 + ch.charCodeAt(0)) | 0;
  return hash !== 0;
}
