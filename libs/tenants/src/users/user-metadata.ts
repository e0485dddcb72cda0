import { TenantError, TenantErrorCode } from '../errors/tenant.error';

/** A user's `user_metadata` or `app_metadata`: a JSON object, as Auth0 stores it. */
export type Metadata = Record<string, unknown>;

/** The two metadata fields of an Auth0 user. */
export type MetadataField = 'user_metadata' | 'app_metadata';

/**
 * Bounds of one metadata object. Auth0's own limits are looser; these keep a user row, and an id_token
 * that names metadata keys in its legacy scope, small. The depth counts the object itself as 1.
 */
export const METADATA_LIMITS = { maxBytes: 16_384, maxDepth: 10 } as const;

// Auth0: "Field names must not contain the . (dot) or $ (dollar sign) characters". Nor NUL or half a
// surrogate pair: jsonb refuses both (a 500 otherwise); string values are checked by the HTTP pipe.
// eslint-disable-next-line no-control-regex -- NUL is what this refuses
const FIELD_NAME = /^(?:[^.$\u0000\uD800-\uDFFF]|[\uD800-\uDBFF][\uDC00-\uDFFF])+$/;

/**
 * Refuses a metadata value Auth0 would not store, or that breaks this tenant's bounds, naming the field:
 * not an object, a key with `.` or `$` (at any level), nesting deeper than `maxDepth`, or a serialized
 * size above `maxBytes`. Top-level `null` values are allowed (they remove a key), deeper ones are data.
 */
export function assertMetadata(field: MetadataField, value: unknown): asserts value is Metadata {
  const refuse = (why: string) => {
    throw new TenantError(
      TenantErrorCode.InvalidMetadata,
      `Payload validation error: '${why}' on property ${field}.`,
    );
  };
  if (value === null || typeof value !== 'object' || Array.isArray(value)) refuse('Expected type object');
  const pending: Array<[node: unknown, depth: number]> = [[value, 1]];
  while (pending.length > 0) {
    const [node, depth] = pending.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (depth > METADATA_LIMITS.maxDepth) refuse(`Nested deeper than ${METADATA_LIMITS.maxDepth} levels`);
    for (const [key, child] of Object.entries(node)) {
      if (!Array.isArray(node) && !FIELD_NAME.test(key)) {
        refuse(
          `Field names must be non-empty and contain neither '.' nor '$': ${JSON.stringify(key.slice(0, 64).replace(/[\uD800-\uDFFF]/g, '?'))}`,
        );
      }
      pending.push([child, depth + 1]);
    }
  }
  if (Buffer.byteLength(JSON.stringify(value)) > METADATA_LIMITS.maxBytes) {
    refuse(`Larger than ${METADATA_LIMITS.maxBytes} bytes`);
  }
}

/** A new user's metadata: the given object without its `null` members (nothing to remove yet). */
export function initialMetadata(value: Metadata | undefined): Metadata {
  return Object.fromEntries(Object.entries(value ?? {}).filter(([, v]) => v !== null));
}
