import { InvalidRequest } from './oauth-errors';
import { oauthParams, stringParam } from './oauth-params';

describe('oauth params', () => {
  it('accepts an object and treats a missing body as empty', () => {
    expect(oauthParams({ a: 'b' })).toEqual({ a: 'b' });
    expect(oauthParams(undefined)).toEqual({});
  });

  it.each([[['x']], ['text'], [42]])('refuses %p as parameters', (source) => {
    expect(() => oauthParams(source)).toThrow(InvalidRequest);
  });

  it('reads a string, or undefined when absent or empty', () => {
    expect(stringParam({ a: 'v' }, 'a')).toBe('v');
    expect(stringParam({}, 'a')).toBeUndefined();
    expect(stringParam({ a: '' }, 'a')).toBeUndefined();
  });

  it('refuses a missing required parameter, naming it', () => {
    expect(() => stringParam({}, 'client_id', { required: true })).toThrow(
      'Missing required parameter: client_id',
    );
  });

  it.each([[['a', 'b']], [{ x: 1 }], [1], [true]])('refuses a non-string value %p', (value) => {
    expect(() => stringParam({ a: value }, 'a')).toThrow('Parameter a must be a single string.');
  });

  it('refuses a value with a NUL character', () => {
    expect(() => stringParam({ a: 'x\u0000y' }, 'a')).toThrow('Parameter a must not contain NUL characters.');
  });

  it('refuses an over-long value', () => {
    expect(() => stringParam({ a: 'x'.repeat(5000) }, 'a')).toThrow('too long');
  });

  it('ignores inherited properties such as __proto__ or constructor', () => {
    expect(stringParam(JSON.parse('{"__proto__": {"a": "x"}}'), 'a')).toBeUndefined();
    expect(stringParam({}, 'constructor')).toBeUndefined();
  });
});
