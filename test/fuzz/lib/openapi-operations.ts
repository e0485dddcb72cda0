/** A JSON Schema object as OpenAPI 3.0 writes it (loosely typed: the fuzzer reads what it understands). */
export type Schema = {
  $ref?: string;
  type?: string;
  enum?: unknown[];
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  items?: Schema;
  minItems?: number;
  maxItems?: number;
  properties?: Record<string, Schema>;
  required?: string[];
  additionalProperties?: boolean | Schema;
  oneOf?: Schema[];
  anyOf?: Schema[];
  allOf?: Schema[];
  default?: unknown;
};

interface MediaType {
  schema?: Schema;
}

interface RawOperation {
  operationId: string;
  parameters?: Array<{ name: string; in: string; required?: boolean; schema?: Schema }>;
  requestBody?: { required?: boolean; content: Record<string, MediaType> };
  security?: Array<Record<string, string[]>>;
  responses: Record<string, { content?: Record<string, MediaType> }>;
}

/** The parts of an OpenAPI 3 document the fuzzer reads. */
export interface OpenApiDocument {
  paths: Record<string, Record<string, RawOperation>>;
  components: { schemas: Record<string, Schema> };
  [extension: `x-${string}`]: unknown;
}

export interface ParameterSpec {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required: boolean;
  schema: Schema;
}

/** One operation, its `$ref`s resolved: what requests to it look like and what it may answer. */
export interface OperationSpec {
  /** `POST /oauth/token`. */
  key: string;
  operationId: string;
  method: string;
  /** The path template, `/api/v2/users/{id}`. */
  path: string;
  parameters: ParameterSpec[];
  body?: { required: boolean; contentTypes: string[]; schema: Schema };
  /** Alternatives, each naming security schemes (and scopes). */
  security: Array<Record<string, string[]>>;
  /** Status → media types → schema (absent: no body). */
  responses: Record<string, Record<string, Schema | undefined>>;
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

/** Resolves every `$ref` of `schema` against the document's components, and merges `allOf` into one object. */
export function dereference(document: OpenApiDocument, schema: Schema, depth = 0): Schema {
  if (depth > 20) return {};
  if (schema.$ref) {
    const name = schema.$ref.replace('#/components/schemas/', '');
    return dereference(document, document.components.schemas[name] ?? {}, depth + 1);
  }
  const resolved: Schema = { ...schema };
  const each = (list?: Schema[]) => list?.map((s) => dereference(document, s, depth + 1));
  if (schema.items) resolved.items = dereference(document, schema.items, depth + 1);
  if (schema.properties) {
    resolved.properties = Object.fromEntries(
      Object.entries(schema.properties).map(([k, s]) => [k, dereference(document, s, depth + 1)]),
    );
  }
  resolved.oneOf = each(schema.oneOf);
  resolved.anyOf = each(schema.anyOf);
  if (schema.allOf) {
    delete resolved.allOf;
    for (const part of each(schema.allOf) ?? []) {
      resolved.type ??= part.type;
      resolved.properties = { ...part.properties, ...resolved.properties };
      resolved.required = [...new Set([...(part.required ?? []), ...(resolved.required ?? [])])];
    }
  }
  if (!resolved.oneOf) delete resolved.oneOf;
  if (!resolved.anyOf) delete resolved.anyOf;
  return resolved;
}

/** Every operation of the document, in document order. */
export function operationsOf(document: OpenApiDocument): OperationSpec[] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    METHODS.filter((m) => item[m]).map((m): OperationSpec => {
      const raw = item[m];
      const content = raw.requestBody?.content ?? {};
      const [firstType] = Object.keys(content);
      return {
        key: `${m.toUpperCase()} ${path}`,
        operationId: raw.operationId,
        method: m.toUpperCase(),
        path,
        parameters: (raw.parameters ?? []).map((p) => ({
          name: p.name,
          in: p.in as ParameterSpec['in'],
          required: p.required ?? false,
          schema: dereference(document, p.schema ?? { type: 'string' }),
        })),
        body: firstType
          ? {
              required: raw.requestBody?.required ?? false,
              contentTypes: Object.keys(content),
              schema: dereference(document, content[firstType].schema ?? {}),
            }
          : undefined,
        security: raw.security ?? [],
        responses: Object.fromEntries(
          Object.entries(raw.responses).map(([status, response]) => [
            status,
            Object.fromEntries(
              Object.entries(response.content ?? {}).map(([type, media]) => [type, media.schema]),
            ),
          ]),
        ),
      };
    }),
  );
}
