import { TenantError } from '../errors/tenant.error';
import { assertPasswordPolicy, defaultNickname, defaultPicture, newUserId, USER_ID } from './user';

describe('user rules', () => {
  it('makes Auth0 database user ids: auth0| and 24 lowercase hex characters', () => {
    const ids = new Set(Array.from({ length: 500 }, newUserId));
    expect(ids.size).toBe(500);
    for (const id of ids) expect(id).toMatch(USER_ID);
    expect(USER_ID.test('auth0|ABCDEF0123456789abcdef01')).toBe(false);
  });

  it('refuses passwords shorter than 8 characters with invalid_password and a clear message', () => {
    expect(() => assertPasswordPolicy('1234567')).toThrow(TenantError);
    expect(() => assertPasswordPolicy('1234567')).toThrow(/at least 8 characters/);
    expect(() => assertPasswordPolicy('12345678')).not.toThrow();
    // Code points, not UTF-16 units: four emoji are four characters.
    expect(() => assertPasswordPolicy('😀😀😀😀')).toThrow(/at least 8/);
  });

  it('defaults the nickname to the local part of the email', () => {
    expect(defaultNickname('jane.doe@example.com')).toBe('jane.doe');
    expect(defaultNickname('"a@b"@example.com')).toBe('"a@b"');
  });

  it('defaults the picture to the Gravatar of the email', () => {
    expect(defaultPicture('Jane@Example.com')).toBe(defaultPicture('jane@example.com'));
    expect(defaultPicture('jane@example.com')).toMatch(/^https:\/\/s\.gravatar\.com\/avatar\/[0-9a-f]{32}\?/);
  });
});
