import {
  isManagementScope,
  MANAGEMENT_SCOPES,
  managementAudience,
  missingScopes,
  parseScope,
} from './management-scopes';

describe('management scopes', () => {
  it('lists read/create/update/delete for clients and users, client keys, device credentials, refresh tokens and signing keys', () => {
    const crud = ['read', 'create', 'update', 'delete'];
    const expected = [
      ...crud.map((action) => `${action}:clients`),
      'update:client_keys',
      ...crud.map((action) => `${action}:users`),
      ...['read', 'create', 'delete'].map((action) => `${action}:device_credentials`),
      ...['read', 'delete'].map((action) => `${action}:refresh_tokens`),
      ...['read', 'create', 'update'].map((action) => `${action}:signing_keys`),
    ];
    expect([...MANAGEMENT_SCOPES].sort()).toEqual(expected.sort());
    expect(isManagementScope('read:users')).toBe(true);
    expect(isManagementScope('openid')).toBe(false);
  });

  it('parses a space-delimited scope string into distinct values', () => {
    expect(parseScope('read:users  create:users\tread:users ')).toEqual(['read:users', 'create:users']);
    expect(parseScope('')).toEqual([]);
    expect(parseScope(undefined)).toEqual([]);
  });

  it('names the required scopes that are not granted, in the order required', () => {
    expect(missingScopes(['read:users'], ['read:users'])).toEqual([]);
    expect(missingScopes(['read:users'], ['update:users', 'read:users', 'delete:users'])).toEqual([
      'update:users',
      'delete:users',
    ]);
    expect(missingScopes([], ['read:users'])).toEqual(['read:users']);
  });

  it('builds the audience from PUBLIC_URL, as Auth0 writes it', () => {
    expect(managementAudience({ publicUrl: 'https://tenant.example.com' })).toBe(
      'https://tenant.example.com/api/v2/',
    );
    expect(managementAudience({ publicUrl: 'https://tenant.example.com/' })).toBe(
      'https://tenant.example.com/api/v2/',
    );
  });
});
