// Twenty JSON schemas of an imagined order service: nested objects, arrays, patterns, enums, oneOf,
// each a little different so that ajv compiles every one from scratch.
'use strict';

function address(k) {
  return {
    type: 'object',
    required: ['street', 'city', 'zip', 'country'],
    additionalProperties: false,
    properties: {
      street: { type: 'string', minLength: 1, maxLength: 200 + k },
      city: { type: 'string', minLength: 1 },
      zip: { type: 'string', pattern: `^[0-9]{${3 + (k % 3)},6}$` },
      country: { enum: ['DE', 'FR', 'GB', 'US', 'NL', 'SE', `X${k}`] },
      lines: { type: 'array', maxItems: 4, items: { type: 'string', maxLength: 80 } },
    },
  };
}

function schema(k) {
  const properties = {
    id: { type: 'string', pattern: `^ord-${k}-[a-f0-9]{8}$` },
    createdAt: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}T' },
    status: { enum: ['new', 'paid', 'shipped', 'cancelled', `custom${k}`] },
    customer: {
      type: 'object',
      required: ['name', 'email'],
      properties: {
        name: { type: 'string', minLength: 2 },
        email: { type: 'string', pattern: '^[^@\\s]+@[^@\\s]+$' },
        phone: { type: 'string', pattern: '^\\+?[0-9 ]{6,20}$' },
        billing: address(k),
      },
    },
    items: {
      type: 'array',
      minItems: 1,
      maxItems: 100,
      items: {
        type: 'object',
        required: ['sku', 'qty', 'price'],
        properties: {
          sku: { type: 'string', pattern: `^[A-Z]{${2 + (k % 2)}}-[0-9]+$` },
          qty: { type: 'integer', minimum: 1, maximum: 1000 },
          price: { type: 'number', exclusiveMinimum: 0 },
          discount: { oneOf: [{ type: 'number', minimum: 0, maximum: 1 }, { type: 'string', pattern: '^[0-9]+%$' }] },
        },
      },
    },
    payment: {
      oneOf: [
        { type: 'object', required: ['card'], properties: { card: { type: 'string', pattern: '^[0-9]{12,19}$' }, expiry: { type: 'string' } } },
        { type: 'object', required: ['iban'], properties: { iban: { type: 'string', pattern: '^[A-Z]{2}[0-9]{2}[A-Z0-9]{10,30}$' } } },
      ],
    },
  };
  for (let j = 0; j < 2; j++) properties[`extra${k}_${j}`] = { type: ['string', 'number', 'null'], maxLength: 50 + j, minimum: -j };
  return { $id: `order-v${k}`, type: 'object', required: ['id', 'status', 'customer', 'items'], properties };
}

const SCHEMAS = Array.from({ length: 20 }, (_, k) => schema(k));

/** A valid order for schema k, varied by the job number. */
function order(k, job) {
  const addr = { street: `Main ${job}`, city: 'Town', zip: '12345', country: 'DE' };
  return {
    id: `ord-${k}-${(0x10000000 + job).toString(16)}`,
    createdAt: '2026-01-01T00:00:00Z',
    status: 'paid',
    customer: { name: 'Ada', email: 'ada@example.com', billing: addr, shipping: addr },
    items: [{ sku: k % 2 ? 'ABC-1' : 'AB-1', qty: 1 + (job % 5), price: 9.5, discount: '10%' }],
    payment: { iban: 'DE89370400440532013000' },
  };
}

module.exports = { SCHEMAS, order };
