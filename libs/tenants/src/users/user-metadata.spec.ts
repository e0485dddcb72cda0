import { TenantError } from '../errors/tenant.error';
import { assertMetadata, initialMetadata, METADATA_LIMITS } from './user-metadata';

describe('issue 20 point 9: user metadata', () => {
  const refusal = (value: unknown) => {
    try {
      assertMetadata('user_metadata', value);
    } catch (error) {
      expect(error).toBeInstanceOf(TenantError);
      return (error as TenantError).message;
    }
    return undefined;
  };

  it('accepts JSON objects, nested values and top-level nulls', () => {
    expect(refusal({ hobby: 'surfing', addresses: { home: { city: 'X', zip: null } }, gone: null })).toBe(
      undefined,
    );
    expect(refusal({ list: [1, { a: [true] }], 'émoji 😀': 1 })).toBe(undefined);
  });

  it.each([
    ['an array', [1], /Expected type object/],
    ['a string', 'x', /Expected type object/],
    ['a key with a dot', { 'preference.color': 'pink' }, /neither '\.' nor '\$'/],
    ['a nested key with a dollar', { a: { $set: 1 } }, /neither '\.' nor '\$'/],
    ['an empty key', { '': 1 }, /non-empty/],
    ['a key with NUL', { 'a\u0000': 1 }, /neither/],
    ['half a surrogate pair in a key', { '\ud800': 1 }, /neither/],
    [
      'too deep a nesting',
      { a: { b: { c: { d: { e: { f: { g: { h: { i: { j: { k: 1 } } } } } } } } } } },
      /deeper than 10/,
    ],
    ['too large an object', { a: 'x'.repeat(METADATA_LIMITS.maxBytes) }, /Larger than 16384 bytes/],
  ])('refuses %s, naming the field', (_label, value, message) => {
    const refused = refusal(value);
    expect(refused).toMatch(message);
    expect(refused).toMatch(/on property user_metadata/);
  });

  it('drops the null members of a new user’s metadata', () => {
    expect(initialMetadata({ a: 1, b: null, c: { d: null } })).toEqual({ a: 1, c: { d: null } });
    expect(initialMetadata(undefined)).toEqual({});
  });
});
