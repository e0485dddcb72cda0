import type { Type } from '@nestjs/common';
import { getSchemaPath, type SchemaObject } from '@nestjs/swagger';

const integer: SchemaObject = { type: 'integer' };

/** A list endpoint's 200: an array of `item`, or Auth0's totals envelope with `include_totals=true`. */
export function listSchema(name: string, item: Type): SchemaObject {
  const array: SchemaObject = { type: 'array', items: { $ref: getSchemaPath(item) } };
  return {
    oneOf: [
      array,
      {
        type: 'object',
        required: ['start', 'limit', 'length', 'total', name],
        properties: { start: integer, limit: integer, length: integer, total: integer, [name]: array },
      },
    ],
  };
}
