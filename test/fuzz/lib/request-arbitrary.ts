import fc from 'fast-check';
import { deepJson, hostileString, NASTY_STRINGS } from './hostile-values';
import type { OperationSpec } from './openapi-operations';
import { ABSENT, fieldValue, objectValue, type ValueSources } from './schema-values';
import { percentEncode, Raw, toFormText, toJsonText } from './wire-encoding';

/** One generated request, ready for the wire. */
export interface FuzzRequest {
  method: string;
  /** Path and query string, as sent. */
  target: string;
  headers: Record<string, string>;
  body?: Buffer;
  /** Send the body chunked (no Content-Length). */
  chunked: boolean;
  /** The body is over the limit in a type the parsers read: the only right answer is 413. */
  expectsTooLarge: boolean;
  /** The request line and headers may exceed Node's limit: 431 is an acceptable answer. */
  oversizedHead: boolean;
}

/** What a request to one operation can draw on besides its schema. */
export interface RequestContext {
  /** Mostly seeds and values the schema allows: requests that get past validation to the handlers. */
  calm: ValueSources;
  /** Boundaries, hostile values and missing fields everywhere. */
  wild: ValueSources;
  /** Valid `Authorization` header values for this operation (management tokens, Basic credentials...). */
  authorizations: readonly string[];
  /** The operation also accepts requests without any security scheme (`security: [{}, ...]`). */
  authorizationOptional: boolean;
  /** Valid `Cookie` header values for this operation (sessions, CSRF cookies). */
  cookies: readonly string[];
  /** The service's origin, for `Origin` headers. */
  origin: string;
  bodyLimit: number;
  /** Node's default `--max-http-header-size`. */
  headerLimit: number;
}

const JSON_TYPE = 'application/json';
const FORM_TYPE = 'application/x-www-form-urlencoded';
// Long parameter values, yet (mostly) within the request head limit: a head over it never reaches a route.
const PARAM_MAX_CHARS = 6_000;

// Header values Node accepts on the client side: no CR, LF or NUL, nothing above U+00FF.
const headerSafe = (text: string) => text.replace(/[^\t\x20-\x7e\x80-\xff]/g, '?');

function asText(value: unknown): string {
  if (value instanceof Raw) return value.text;
  if (typeof value === 'string') return value;
  return toJsonText(value);
}

function pathArbitrary(operation: OperationSpec, base: ValueSources, wild: boolean): fc.Arbitrary<string> {
  const sources = { ...base, maxChars: PARAM_MAX_CHARS };
  const names = [...operation.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
  const segment = (name: string) => {
    const schema = operation.parameters.find((p) => p.name === name && p.in === 'path')?.schema ?? {};
    return fc.oneof(
      {
        weight: wild ? 8 : 1,
        arbitrary: fieldValue(name, schema, sources).map((value) => {
          const text = value === ABSENT ? '-' : asText(value);
          // An empty segment would route to another operation (or none): not this operation's input.
          return text === '' ? '-' : percentEncode(text);
        }),
      },
      ...(wild
        ? [
            {
              weight: 1,
              arbitrary: fc.constantFrom(
                '%00',
                '%',
                '%zz',
                '%C3%28',
                '%FF%FE',
                'a%2Fb',
                '%2E%2E',
                '..',
                '.',
                '%E2%80%AE',
                ';x=1',
              ),
            },
            { weight: 1, arbitrary: fc.integer({ min: 256, max: 12_000 }).map((n) => 'a'.repeat(n)) },
          ]
        : []),
    );
  };
  return fc.tuple(...names.map(segment)).map((segments) => {
    let path = operation.path;
    names.forEach((name, i) => (path = path.replace(`{${name}}`, segments[i])));
    return path;
  });
}

function queryArbitrary(operation: OperationSpec, base: ValueSources, wild: boolean): fc.Arbitrary<string> {
  const sources = { ...base, maxChars: PARAM_MAX_CHARS };
  const params = operation.parameters.filter((p) => p.in === 'query');
  const fields = params.map((p) => fieldValue(p.name, p.schema, sources));
  const names = params.map((p) => p.name);
  const oddities = fc.oneof(
    { weight: 10, arbitrary: fc.constant('') },
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.constantFrom(...(names.length ? names : ['a'])), fc.string({ maxLength: 8 }))
        .map(([name, value]) => `${name}=${percentEncode(value)}`),
    },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        'a=1&a=2',
        'a[b]=c',
        'a[][b]=1',
        '__proto__=x',
        '__proto__[polluted]=1',
        'constructor[prototype][x]=1',
        '%zz=1',
        'x=%C3%28',
        'x=%00',
        '&&&',
        '=',
        '==x',
        'a',
        `${'[a]'.repeat(40)}=1`,
      ),
    },
    {
      weight: 1,
      arbitrary: fc
        .integer({ min: 900, max: 1_500 })
        .map((n) => Array.from({ length: n }, (_, i) => `p${i}=1`).join('&')),
    },
    { weight: 1, arbitrary: fc.integer({ min: 1_000, max: 20_000 }).map((n) => `pad=${'q'.repeat(n)}`) },
  );
  return fc.tuple(fc.tuple(...fields), wild ? oddities : fc.constant('')).map(([values, odd]) => {
    const object: Record<string, unknown> = {};
    names.forEach((name, i) => {
      if (values[i] !== ABSENT)
        object[name] =
          typeof values[i] === 'boolean' || typeof values[i] === 'number' ? String(values[i]) : values[i];
    });
    const query = [toFormText(object), odd].filter(Boolean).join('&');
    return query ? `?${query}` : '';
  });
}

const hostileAuthorization = fc.oneof(
  fc.constantFrom(
    'Bearer',
    'Bearer ',
    'Bearer a.b.c',
    'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.',
    'bearer  x',
    'Basic',
    'Basic Og==',
    'Basic %%%',
    'Basic dXNlcg==',
    'Digest x',
    'Bearer\tx',
  ),
  fc.string({ maxLength: 64 }).map((s) => `Bearer ${headerSafe(s)}`),
  fc.string({ maxLength: 64 }).map((s) => `Basic ${Buffer.from(s, 'utf8').toString('base64')}`),
  fc
    .tuple(fc.string({ maxLength: 16 }), fc.string({ maxLength: 16 }))
    .map(([id, secret]) => `Basic ${Buffer.from(`${id}:${secret}`, 'utf8').toString('base64')}`),
  fc.integer({ min: 1_000, max: 12_000 }).map((n) => `Bearer ${'A'.repeat(n)}`),
);

const hostileCookie = fc.oneof(
  fc.constantFrom(
    'a=%',
    'dashboard_session=%zz',
    'authorize_csrf=',
    '=;=;',
    ';;;',
    'dashboard_session=a; dashboard_session=b',
  ),
  fc
    .string({ maxLength: 64 })
    .map((s) => `dashboard_session=${headerSafe(s)}; authorize_csrf=${headerSafe(s)}`),
);

function headersArbitrary(context: RequestContext, wild: boolean): fc.Arbitrary<Record<string, string>> {
  const optional = <T>(arbitrary: fc.Arbitrary<T>, absentWeight: number) =>
    wild
      ? fc.oneof({ weight: absentWeight, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary })
      : fc.constant(undefined);
  const authorization = fc.oneof(
    // Where credentials may also come in the body (client_secret_post), as often without the header.
    { weight: context.authorizationOptional ? (wild ? 3 : 40) : 1, arbitrary: fc.constant(undefined) },
    ...(context.authorizations.length
      ? [{ weight: wild ? 3 : 8, arbitrary: fc.constantFrom(...context.authorizations) }]
      : []),
    ...(wild ? [{ weight: 1, arbitrary: hostileAuthorization }] : []),
  );
  const cookie = fc.oneof(
    { weight: 1, arbitrary: fc.constant(undefined) },
    ...(context.cookies.length
      ? [{ weight: wild ? 3 : 8, arbitrary: fc.constantFrom(...context.cookies) }]
      : []),
    ...(wild ? [{ weight: 1, arbitrary: hostileCookie }] : []),
  );
  return fc
    .record({
      authorization,
      cookie,
      // Same-origin mostly: the dashboard refuses a form without a matching Origin (or Referer) first.
      origin: fc.oneof(
        { weight: 2, arbitrary: fc.constant(undefined) },
        { weight: 6, arbitrary: fc.constant(context.origin) },
        ...(wild
          ? [
              {
                weight: 2,
                arbitrary: fc.constantFrom('https://evil.example', 'null', `${context.origin}.evil.example`),
              },
            ]
          : []),
      ),
      referer: optional(
        fc.constantFrom(`${context.origin}/dashboard/users`, 'https://evil.example/', '::not a url'),
        6,
      ),
      'sec-fetch-site': optional(fc.constantFrom('same-origin', 'cross-site', 'none', 'same-site'), 4),
      'x-request-id': optional(
        fc.oneof(
          fc.uuid(),
          fc.constantFrom(...NASTY_STRINGS).map(headerSafe),
          fc.string({ maxLength: 200 }).map(headerSafe),
        ),
        3,
      ),
      accept: optional(
        fc.constantFrom('*/*', 'text/html', 'application/json', 'application/xml', '', ';;'),
        3,
      ),
      'x-fuzz-padding': optional(
        fc.integer({ min: 100, max: 20_000 }).map((n) => 'p'.repeat(n)),
        12,
      ),
    })
    .map((headers) =>
      Object.fromEntries(
        Object.entries(headers).filter((entry): entry is [string, string] => entry[1] !== undefined),
      ),
    );
}

interface BodyChoice {
  body?: Buffer;
  contentType?: string;
  contentEncoding?: string;
  chunked: boolean;
}

const CONTENT_TYPES = [
  JSON_TYPE,
  FORM_TYPE,
  `${JSON_TYPE}; charset=utf-8`,
  `${JSON_TYPE}; charset=utf-16`,
  `${JSON_TYPE}; charset=latin1`,
  `${JSON_TYPE}; charset=bogus`,
  `${FORM_TYPE}; charset=iso-8859-1`,
  `${FORM_TYPE}; charset=utf-7`,
  'application/vnd.api+json',
  'APPLICATION/JSON',
  'text/plain',
  'application/xml',
  'multipart/form-data; boundary=x',
  '*/*',
  ';;;',
  `${JSON_TYPE}, text/plain`,
] as const;

const MALFORMED_BODIES = [
  '{',
  '{"a":',
  '[1,2',
  '{"a":1,}',
  '{a:1}',
  "{'a':1}",
  'nul',
  '"unterminated',
  '{"a":1}{"b":2}',
  '\u0000',
  '',
  ' ',
  'NaN',
  '[]',
  '[{"client_id":"x"}]',
  '"a string"',
  '123',
  'null',
  'true',
  '{"__proto__":{"polluted":"yes"}}',
  '{"constructor":{"prototype":{"polluted":"yes"}}}',
  '{"a":"\\ud800"}',
  '{"a":"\\u0000"}',
  'a=1&a=2',
  'a[b]=c',
  '__proto__[polluted]=1',
  'constructor[prototype][polluted]=1',
  '%',
  '%zz=1',
  'x=%C3%28',
  '&&&=',
  `a${'[b]'.repeat(40)}=1`,
] as const;

function bodyArbitrary(
  operation: OperationSpec,
  context: RequestContext,
  sources: ValueSources,
  wild: boolean,
): fc.Arbitrary<BodyChoice> {
  const declared = operation.body?.contentTypes ?? [];
  const value = operation.body ? objectValue(operation.body.schema, sources) : fc.constant({});
  const encode = (type: string, v: unknown) =>
    Buffer.from(type.startsWith(FORM_TYPE) ? toFormText(v) : toJsonText(v), 'utf8');
  const chunked = fc.oneof(
    { weight: 9, arbitrary: fc.constant(false) },
    { weight: 1, arbitrary: fc.constant(true) },
  );

  const documented = fc
    .tuple(fc.constantFrom(...(declared.length ? declared : [JSON_TYPE])), value, chunked)
    .map(([type, v, c]): BodyChoice => ({ contentType: type, body: encode(type, v), chunked: c }));
  const mismatched = fc
    .tuple(
      fc.constantFrom(undefined, ...CONTENT_TYPES),
      fc.constantFrom(JSON_TYPE, FORM_TYPE),
      value,
      chunked,
    )
    .map(
      ([type, encoding, v, c]): BodyChoice => ({ contentType: type, body: encode(encoding, v), chunked: c }),
    );
  const malformed = fc
    .tuple(
      fc.constantFrom(JSON_TYPE, FORM_TYPE, ...CONTENT_TYPES),
      fc.oneof(
        { weight: 4, arbitrary: fc.constantFrom(...MALFORMED_BODIES) },
        {
          weight: 2,
          arbitrary: fc
            .tuple(
              fc.integer({ min: 1_000, max: 60_000 }),
              fc.constantFrom('array' as const, 'object' as const),
            )
            .map(([depth, kind]) => deepJson(depth, kind).text),
        },
        {
          weight: 1,
          arbitrary: fc
            .integer({ min: 900, max: 1_500 })
            .map((n) => Array.from({ length: n }, (_, i) => `p${i}=1`).join('&')),
        },
        { weight: 1, arbitrary: hostileString(2_000) },
      ),
      chunked,
    )
    .map(
      ([type, text, c]): BodyChoice => ({ contentType: type, body: Buffer.from(text, 'utf8'), chunked: c }),
    );
  const garbage = fc
    .tuple(
      fc.uint8Array({ maxLength: 512 }),
      fc.constantFrom(JSON_TYPE, FORM_TYPE),
      fc.constantFrom('gzip', 'deflate', 'br', 'identity', 'compress', 'x-bogus', undefined),
    )
    .map(
      ([bytes, type, encoding]): BodyChoice => ({
        contentType: type,
        contentEncoding: encoding,
        body: Buffer.from(bytes),
        chunked: false,
      }),
    );
  const huge = fc
    .tuple(
      fc.constantFrom(...(declared.length ? declared : [JSON_TYPE])),
      fc.integer({ min: context.bodyLimit - 64, max: context.bodyLimit * 2 }),
      chunked,
    )
    .map(([type, size, c]): BodyChoice => {
      const filler = 'a'.repeat(Math.max(0, size - 20));
      const text = type.startsWith(FORM_TYPE) ? `client_id=${filler}` : `{"client_id":"${filler}"}`;
      return { contentType: type, body: Buffer.from(text, 'utf8'), chunked: c };
    });
  const none = fc.constant<BodyChoice>({ chunked: false });

  if (!wild) {
    return operation.body
      ? fc.oneof({ weight: 20, arbitrary: documented }, { weight: 1, arbitrary: none })
      : none;
  }
  return operation.body
    ? fc.oneof(
        { weight: 12, arbitrary: documented },
        { weight: 2, arbitrary: mismatched },
        { weight: 3, arbitrary: malformed },
        { weight: 1, arbitrary: garbage },
        { weight: 1, arbitrary: huge },
        { weight: 1, arbitrary: none },
      )
    : fc.oneof(
        { weight: 16, arbitrary: none },
        { weight: 1, arbitrary: mismatched },
        { weight: 2, arbitrary: malformed },
        { weight: 1, arbitrary: huge },
      );
}

/**
 * Requests to `operation`: half of them calm (shaped by its schema, with real credentials, to reach the
 * handlers), half wild (hostile in one or several places at once).
 */
export function requestArbitrary(
  operation: OperationSpec,
  context: RequestContext,
): fc.Arbitrary<FuzzRequest> {
  return fc.oneof(variant(operation, context, false), variant(operation, context, true));
}

function variant(
  operation: OperationSpec,
  context: RequestContext,
  wild: boolean,
): fc.Arbitrary<FuzzRequest> {
  const sources = wild ? context.wild : context.calm;
  return fc
    .record({
      path: pathArbitrary(operation, sources, wild),
      query: queryArbitrary(operation, sources, wild),
      headers: headersArbitrary(context, wild),
      body: bodyArbitrary(operation, context, sources, wild),
    })
    .map(({ path, query, headers, body }): FuzzRequest => {
      const all: Record<string, string> = { ...headers };
      if (body.contentType !== undefined) all['content-type'] = body.contentType;
      if (body.contentEncoding !== undefined) all['content-encoding'] = body.contentEncoding;
      const target = `${path}${query}`;
      const headBytes =
        operation.method.length +
        target.length +
        12 +
        Object.entries(all).reduce((n, [k, v]) => n + k.length + v.length + 4, 0);
      const parsedType = body.contentType === JSON_TYPE || body.contentType === FORM_TYPE;
      return {
        method: operation.method,
        target,
        headers: all,
        body: body.body,
        chunked: body.chunked,
        // Node counts the head with some overhead of its own: keep clear of the boundary.
        oversizedHead: headBytes > context.headerLimit - 512,
        expectsTooLarge:
          parsedType && body.contentEncoding === undefined && (body.body?.length ?? 0) > context.bodyLimit,
      };
    });
}
