import { ManagementApiError } from '../errors/management-api.error';
import { newUserFromBody, userChangesFromBody } from './user-input';

const USER_ID = 'auth0|0123456789abcdef01234567';

describe('newUserFromBody', () => {
  it("applies Auth0's defaults", () => {
    const user = newUserFromBody(
      {
        connection: 'Username-Password-Authentication',
        email: 'Jane.Doe@Example.com',
        password: 'correct horse',
      },
      USER_ID,
    );
    expect(user).toEqual({
      userId: USER_ID,
      email: 'jane.doe@example.com',
      password: 'correct horse',
      emailVerified: false,
      name: 'jane.doe@example.com',
      nickname: 'jane.doe',
      picture: expect.stringMatching(/^https:\/\/s\.gravatar\.com\//),
      blocked: false,
      userMetadata: {},
      appMetadata: {},
    });
  });

  it('keeps given values', () => {
    const user = newUserFromBody(
      {
        connection: 'Username-Password-Authentication',
        email: 'jane@example.com',
        password: 'correct horse',
        name: 'Jane Doe',
        nickname: 'jd',
        picture: 'https://cdn.example.com/jane.png',
        email_verified: true,
        blocked: true,
      },
      USER_ID,
    );
    expect(user).toMatchObject({
      name: 'Jane Doe',
      nickname: 'jd',
      picture: 'https://cdn.example.com/jane.png',
      emailVerified: true,
      blocked: true,
    });
  });

  it('refuses another connection and a short password', () => {
    expect(() =>
      newUserFromBody(
        { connection: 'google-oauth2', email: 'a@example.com', password: 'correct horse' },
        USER_ID,
      ),
    ).toThrow(expect.objectContaining({ code: 'inexistent_connection' }));
    expect(() =>
      newUserFromBody(
        { connection: 'Username-Password-Authentication', email: 'a@example.com', password: 'short' },
        USER_ID,
      ),
    ).toThrow(expect.objectContaining({ code: 'weak_password' }));
  });
});

describe('userChangesFromBody', () => {
  it('maps the patch to repository changes, dropping absent fields', () => {
    expect(
      userChangesFromBody({ blocked: true, name: 'N', email_verified: false, email: 'New@Example.com' }),
    ).toEqual({
      blocked: true,
      name: 'N',
      emailVerified: false,
      email: 'new@example.com',
    });
  });

  it('refuses an empty patch, another connection and a short password', () => {
    expect(() => userChangesFromBody({})).toThrow(ManagementApiError);
    expect(() => userChangesFromBody({})).toThrow(/Too few properties/);
    expect(() => userChangesFromBody({ password: 'correct horse', connection: 'other' })).toThrow(
      expect.objectContaining({ code: 'inexistent_connection' }),
    );
    expect(() => userChangesFromBody({ password: 'short' })).toThrow(
      expect.objectContaining({ code: 'weak_password' }),
    );
  });
});
