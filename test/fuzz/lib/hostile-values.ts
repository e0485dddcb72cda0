import fc from 'fast-check';
import { Raw } from './wire-encoding';

/** Strings chosen to break parsers, databases, encoders and templates. */
export const NASTY_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\uD800',
  '\uDFFF',
  'x\uD83Dy',
  '\u202Eevil\u202C',
  '\u200F\u05E9\u05DC\u05D5\u05DD',
  '\u0645\u0631\u062D\u0628\u0627',
  '😀🏳️‍🌈👩🏽‍💻',
  '\uFEFF',
  '\r\n\r\n',
  '\t',
  '%00',
  '%',
  '%zz',
  '../../../../etc/passwd',
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  "' OR '1'='1' --",
  '"; DROP TABLE users; --',
  '${jndi:ldap://x/a}',
  '{{7*7}}',
  '__proto__',
  'constructor',
  'prototype',
  'hasOwnProperty',
  'toString',
  'null',
  'undefined',
  'NaN',
  '-1',
  '1e309',
  '99999999999999999999999',
  '0x1F',
  'true',
  '[object Object]',
  'auth0|',
  'dcr_',
  'dcr_0000000000000000',
  'Bearer',
  'urn:ietf:params:oauth:grant-type:jwt-bearer ',
  'openid openid openid',
  'https://evil.example/cb',
  'javascript:alert(1)',
  'a'.repeat(4097),
  'é'.repeat(256),
] as const;

/** A lone surrogate, an astral character, or a plain one: what `string` can hold but UTF-8 cannot always. */
const oddUnit = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
  { weight: 1, arbitrary: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)) },
  { weight: 1, arbitrary: fc.constantFrom('\u0000', '\u202E', '\u200F', '\uFFFF', '\u0085', '\u2028') },
);

/** Long strings, up to and beyond the body limit, built by repetition (cheap to generate and shrink). */
export function hugeString(maxChars: number): fc.Arbitrary<string> {
  return fc
    .tuple(
      fc.constantFrom('a', 'é', '😀', '\u0000', '%', '"', '\\', 'x\uD800'),
      fc.integer({ min: 257, max: maxChars }),
    )
    .map(([unit, count]) => unit.repeat(Math.ceil(count / unit.length)));
}

/** Hostile strings: nasty constants, unicode soup, and (rarely) huge ones. */
export function hostileString(maxChars: number): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...NASTY_STRINGS) },
    { weight: 3, arbitrary: fc.string({ unit: oddUnit, maxLength: 40 }) },
    { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
    { weight: 1, arbitrary: hugeString(maxChars) },
  );
}

/** JSON nested `depth` levels deep, as text (arrays or objects), so nothing recurses while building it. */
export function deepJson(depth: number, kind: 'array' | 'object'): Raw {
  return kind === 'array'
    ? new Raw(`${'['.repeat(depth)}1${']'.repeat(depth)}`)
    : new Raw(`${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`);
}

/** An object with own `__proto__` / `constructor` / `prototype` keys, as JSON.parse makes them. */
export const prototypeKeys: fc.Arbitrary<unknown> = fc.constantFrom(
  ...[
    '{"__proto__":{"polluted":"yes","isAdmin":true}}',
    '{"constructor":{"prototype":{"polluted":"yes"}}}',
    '{"prototype":{"polluted":"yes"}}',
    '{"__proto__":null}',
    '{"hasOwnProperty":"x","toString":"y","valueOf":1}',
  ].map((text) => JSON.parse(text) as unknown),
);

/** Any JSON value of the wrong kind for a field: numbers, booleans, null, arrays, objects, deep nesting. */
export function hostileValue(maxChars: number): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 5, arbitrary: hostileString(maxChars) },
    {
      weight: 3,
      arbitrary: fc.oneof(
        fc.integer(),
        fc.double(),
        fc.constantFrom(0, -1, 2 ** 31, 2 ** 53 + 1, -0, 1e308),
        fc.boolean(),
        fc.constant(null),
      ),
    },
    { weight: 2, arbitrary: fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 4 }) },
    {
      weight: 2,
      arbitrary: fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 4 }),
    },
    { weight: 1, arbitrary: prototypeKeys },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.integer({ min: 10, max: 10_000 }), fc.constantFrom('array' as const, 'object' as const))
        .map(([depth, kind]) => deepJson(depth, kind)),
    },
  );
}
