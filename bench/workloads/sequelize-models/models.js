// Thirty Sequelize models of an imagined shop, with associations, on the Postgres dialect. Defining
// models needs no database connection; Sequelize connects on the first query only.
'use strict';
const { Sequelize, DataTypes } = require('sequelize');

function defineModels() {
  const sequelize = new Sequelize('postgres://shop:secret@127.0.0.1:5432/shop', { logging: false, pool: { max: 1 } });
  const models = [];
  for (let k = 0; k < 30; k++) {
    const attrs = {
      id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
      name: { type: DataTypes.STRING(120), allowNull: false, validate: { len: [1, 120] } },
      email: { type: DataTypes.STRING, validate: { isEmail: true } },
      status: { type: DataTypes.ENUM('new', 'active', 'archived'), defaultValue: 'new' },
      price: { type: DataTypes.DECIMAL(10, 2) },
      meta: { type: DataTypes.JSONB },
      startsAt: { type: DataTypes.DATE },
    };
    for (let j = 0; j < 8; j++) attrs[`field${j}`] = { type: j % 2 ? DataTypes.INTEGER : DataTypes.TEXT };
    const m = sequelize.define(`Model${k}`, attrs, {
      tableName: `model_${k}`,
      indexes: [{ fields: ['name'] }, { unique: true, fields: ['email'] }],
      scopes: { active: { where: { status: 'active' } } },
      hooks: { beforeValidate: (row) => { row.name = String(row.name).trim(); } },
    });
    models.push(m);
  }
  for (let k = 1; k < 30; k++) {
    models[k].belongsTo(models[k - 1]);
    models[k - 1].hasMany(models[k]);
  }
  return { sequelize, models };
}

/** One job: build and validate a row, and the SQL a query for it would send (no connection). */
async function job({ sequelize, models }, n) {
  const M = models[n % models.length];
  const row = M.build({ name: ` item ${n} `, email: `u${n}@example.com`, status: 'active', price: 9.5 });
  await row.validate();
  const sql = sequelize.getQueryInterface().queryGenerator.selectQuery(M.getTableName(), { where: { id: n }, limit: 1 }, M);
  if (!sql.includes('SELECT')) throw new Error(`no SQL for job ${n}`);
}

module.exports = { defineModels, job };
