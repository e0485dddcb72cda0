import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';

/** Where the event contract lives; tests read it as other teams do. */
export const ASYNCAPI_PATH = resolve(__dirname, '../docs/asyncapi.yaml');
const DRAFT_07 = 'application/schema+json;version=draft-07';
const SCHEMAS = '#/components/schemas/';
// Each component schema gets an id of its own, so a `$ref` between them resolves without the rest of
// the AsyncAPI document (whose keywords are not JSON Schema) being handed to ajv.
const BASE = 'https://refresh-token-service.invalid/asyncapi/schemas/';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- free-form YAML, checked by the tests
export type Json = any;

/** One message of the contract, with validators compiled from the schemas it references. */
export interface ContractMessage {
  id: string;
  /** The `type` and `schema_version` the payload schema pins (its `const`s). */
  type: string;
  schemaVersion: number;
  definition: Json;
  validateHeaders: ValidateFunction;
  validatePayload: ValidateFunction;
  validateKey: ValidateFunction;
}

export interface EventContract {
  document: Json;
  messages: ContractMessage[];
  /** The message describing `type` at `schemaVersion`, if the document has one. */
  message(type: string, schemaVersion: number): ContractMessage | undefined;
}

const refName = (ref: unknown): string => {
  if (typeof ref !== 'string' || !ref.startsWith(SCHEMAS)) throw new Error(`not a schema reference: ${ref}`);
  return ref.slice(SCHEMAS.length);
};

/** `#/components/schemas/X` → `X`, at every depth (resolved against the schema's own id). */
function relativeRefs(schema: Json): Json {
  if (Array.isArray(schema)) return schema.map(relativeRefs);
  if (schema === null || typeof schema !== 'object') return schema;
  return Object.fromEntries(
    Object.entries(schema).map(([k, v]) => [k, k === '$ref' ? refName(v) : relativeRefs(v)]),
  );
}

/** Reads the document and compiles every message's header, payload and key schemas (draft-07). */
export function loadEventContract(path = ASYNCAPI_PATH): EventContract {
  const document: Json = parse(readFileSync(path, 'utf8'));
  const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
  addFormats(ajv);
  for (const [name, schema] of Object.entries(document.components?.schemas ?? {})) {
    ajv.addSchema({ ...relativeRefs(schema), $id: `${BASE}${name}` });
  }
  const compile = (ref: unknown) => ajv.getSchema(`${BASE}${refName(ref)}`)!;

  const messages = Object.entries<Json>(document.components?.messages ?? {}).map(([id, definition]) => {
    if (definition.payload?.schemaFormat !== DRAFT_07) throw new Error(`${id}: payload is not ${DRAFT_07}`);
    const envelope = document.components.schemas[refName(definition.payload.schema.$ref)];
    return {
      id,
      type: envelope.properties.type.const,
      schemaVersion: envelope.properties.schema_version.const,
      definition,
      validateHeaders: compile(definition.headers.$ref),
      validatePayload: compile(definition.payload.schema.$ref),
      validateKey: compile(definition.bindings.kafka.key.$ref),
    };
  });
  return {
    document,
    messages,
    message: (type, schemaVersion) =>
      messages.find((m) => m.type === type && m.schemaVersion === schemaVersion),
  };
}

/** Ajv's errors as one readable line each, for assertion messages. */
export function explain(errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`);
}
