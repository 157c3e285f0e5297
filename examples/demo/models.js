// A stand-in for an ORM's mapper configuration: many models, each with attributes whose
// validators are compiled and whose associations are resolved against every other model.
'use strict';

const MODEL_NAMES = Array.from({ length: 60 }, (_, i) => `Model${i}`).concat(['User']);

function compileValidators(attributes) {
  return attributes.map((a) => ({ name: a, test: new RegExp(`^${a}_[a-z0-9]{1,${8 + (a.length % 5)}}$`, 'i') }));
}

function resolveAssociations(name, models) {
  const links = [];
  for (const other of models) {
    for (let i = 0; i < 4000; i++) if ((name.length * 31 + other.length * 17 + i) % 97 === 0) links.push(`${name}->${other}`);
  }
  return links;
}

function defineModel(name, models) {
  const attributes = Array.from({ length: 40 }, (_, i) => `${name.toLowerCase()}_attr${i}`);
  return {
    name,
    validators: compileValidators(attributes),
    associations: resolveAssociations(name, models),
    build(values) {
      return { ...values, model: name };
    },
  };
}

function configureModels() {
  const models = {};
  for (const name of MODEL_NAMES) models[name] = defineModel(name, MODEL_NAMES);
  return models;
}

module.exports = { configureModels };
