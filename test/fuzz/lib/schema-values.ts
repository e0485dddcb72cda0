import fc from 'fast-check';
import { hostileValue, prototypeKeys } from './hostile-values';
import type { Schema } from './openapi-operations';

/** Marks a field left out of its object (or a parameter left out of the query). */
export const ABSENT = Symbol('absent');

/** How often a field is a known-good seed, a value the schema allows, a boundary, a hostile value, or absent. */
export interface FieldWeights {
  seed: number;
  valid: number;
  edge: number;
  hostile: number;
  absent: number;
}

/** Where field values come from for one operation. */
export interface ValueSources {
  /** Known-good values by field name (real client ids, tokens, users): they lead past the first checks. */
  seeds: Readonly<Record<string, readonly unknown[]>>;
  weights: (field: string) => FieldWeights;
  /** The longest hostile string, in characters (a little beyond the body limit). */
  maxChars: number;
}

const SMALL = 32;

/** A value the schema allows (a little short of its limits, so that most of them pass validation). */
export function schemaValue(schema: Schema, depth = 0): fc.Arbitrary<unknown> {
  if (schema.enum?.length) return fc.constantFrom(...schema.enum);
  const alternatives = schema.oneOf ?? schema.anyOf;
  if (alternatives?.length) return fc.oneof(...alternatives.map((s) => schemaValue(s, depth + 1)));
  switch (schema.type) {
    case 'string':
      return stringValue(schema);
    case 'integer':
      return fc.integer({ min: schema.minimum ?? -1_000, max: schema.maximum ?? 1_000_000 });
    case 'number':
      return fc.double({ min: schema.minimum ?? -1e6, max: schema.maximum ?? 1e6, noNaN: true });
    case 'boolean':
      return fc.boolean();
    case 'array':
      return fc.array(schemaValue(schema.items ?? {}, depth + 1), {
        minLength: schema.minItems ?? 0,
        maxLength: Math.min(schema.maxItems ?? 4, 4),
      });
    case 'object':
      if (depth > 3) return fc.constant({});
      return fc.record(
        Object.fromEntries(
          Object.entries(schema.properties ?? {}).map(([name, s]) => [name, schemaValue(s, depth + 1)]),
        ),
        { requiredKeys: schema.required ?? [] },
      );
    default:
      return fc.jsonValue({ maxDepth: 1 });
  }
}

function stringValue(schema: Schema): fc.Arbitrary<string> {
  const max = Math.min(schema.maxLength ?? SMALL, SMALL);
  const min = Math.min(schema.minLength ?? 0, max);
  if (schema.pattern) {
    const limit = schema.maxLength ?? Infinity;
    return fc.stringMatching(new RegExp(schema.pattern)).filter((s) => s.length <= limit);
  }
  switch (schema.format) {
    case 'email':
      return fc.emailAddress();
    case 'uri':
      return fc.webUrl();
    case 'date-time':
      return fc.date({ noInvalidDate: true }).map((d) => d.toISOString());
  }
  return fc.string({ minLength: min, maxLength: max });
}

/** Values at and just past the schema's limits, and near misses of its enums. */
export function edgeValue(schema: Schema): fc.Arbitrary<unknown> {
  const edges: unknown[] = [];
  if (schema.enum) {
    for (const value of schema.enum.filter((v): v is string => typeof v === 'string')) {
      edges.push(value.toUpperCase(), ` ${value}`, `${value} `, `${value}\u0000`, value.slice(0, -1));
    }
  }
  if (schema.maxLength !== undefined)
    edges.push('x'.repeat(schema.maxLength), 'x'.repeat(schema.maxLength + 1));
  if (schema.minLength) edges.push('x'.repeat(schema.minLength - 1));
  if (schema.maximum !== undefined)
    edges.push(schema.maximum, schema.maximum + 1, String(schema.maximum + 1));
  if (schema.minimum !== undefined)
    edges.push(schema.minimum, schema.minimum - 1, String(schema.minimum - 1));
  if (schema.maxItems !== undefined) edges.push(Array.from({ length: schema.maxItems + 1 }, () => 'x'));
  if (schema.type === 'integer') edges.push(1.5, '1', '01', 2 ** 53, -(2 ** 31) - 1);
  if (schema.type === 'boolean') edges.push('true', 'yes', 1, 0);
  edges.push('', null);
  return fc.constantFrom(...edges);
}

/** One field: a seed, a valid value, a boundary, a hostile value, or `ABSENT`, weighted for this field. */
export function fieldValue(
  name: string,
  schema: Schema,
  sources: ValueSources,
  depth = 0,
): fc.Arbitrary<unknown> {
  const weights = sources.weights(name);
  // An enum is its own best seed: each value leads somewhere else.
  const seeds = sources.seeds[name] ?? schema.enum ?? [];
  const valid =
    schema.type === 'object' || schema.oneOf || schema.anyOf
      ? objectValue(schema, sources, depth + 1)
      : schemaValue(schema);
  const choices: Array<{ weight: number; arbitrary: fc.Arbitrary<unknown> }> = [
    { weight: weights.valid, arbitrary: valid },
    { weight: weights.edge, arbitrary: edgeValue(schema) },
    { weight: weights.hostile, arbitrary: hostileValue(sources.maxChars) },
    { weight: weights.absent, arbitrary: fc.constant(ABSENT) },
  ];
  if (seeds.length > 0) choices.push({ weight: weights.seed, arbitrary: fc.constantFrom(...seeds) });
  return fc.oneof(...choices.filter((c) => c.weight > 0));
}

/**
 * One alternative of a `oneOf` without the properties only the other alternatives require: `{required:
 * [refresh_token]}` beside `{required: [id_token]}` means "exactly one of them".
 */
function exclusive(schema: Schema, chosen: Schema, alternatives: Schema[]): Schema {
  const mine = new Set(chosen.required ?? []);
  const theirs = alternatives.flatMap((other) => (other === chosen ? [] : (other.required ?? [])));
  const properties = { ...schema.properties };
  for (const name of theirs) if (!mine.has(name) && !chosen.properties?.[name]) delete properties[name];
  return { ...schema, properties };
}

/**
 * An object for an object schema (one alternative of a `oneOf`): each property through `fieldValue` (so
 * required ones go missing too), sometimes with unknown extra members or prototype keys.
 */
export function objectValue(schema: Schema, sources: ValueSources, depth = 0): fc.Arbitrary<unknown> {
  const alternatives = schema.oneOf ?? schema.anyOf;
  if (alternatives?.length) {
    const base = { ...schema, oneOf: undefined, anyOf: undefined };
    return fc.oneof(
      ...alternatives.map((alternative) => ({
        weight: 3,
        arbitrary: objectValue(
          exclusive({ ...base, ...alternative }, alternative, alternatives),
          sources,
          depth,
        ),
      })),
      // Sometimes everything at once: "send either" rules are inputs too.
      ...(schema.properties ? [{ weight: 1, arbitrary: objectValue(base, sources, depth) }] : []),
    );
  }
  if (depth > 3) return fc.constant({});
  const fields = Object.entries(schema.properties ?? {}).map(
    ([name, s]) => [name, fieldValue(name, s, sources, depth)] as const,
  );
  const extra = fc.oneof(
    { weight: 8, arbitrary: fc.constant({}) },
    {
      weight: 2,
      arbitrary: fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }),
    },
    { weight: 1, arbitrary: prototypeKeys },
  );
  return fc.tuple(fc.tuple(...fields.map(([, arbitrary]) => arbitrary)), extra).map(([values, more]) => {
    const object: Record<string, unknown> = {};
    // Own properties even for `__proto__`: defineProperty, never assignment.
    const put = (key: string, value: unknown) =>
      Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
    fields.forEach(([name], i) => {
      if (values[i] !== ABSENT) put(name, values[i]);
    });
    for (const key of Object.keys(more as object)) put(key, (more as Record<string, unknown>)[key]);
    return object;
  });
}
