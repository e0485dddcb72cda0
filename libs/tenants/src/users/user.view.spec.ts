import { toUserView } from './user.view';

const user = {
  userId: 'auth0|0123456789abcdef01234567',
  connection: 'Username-Password-Authentication',
  email: 'jane@example.com',
  emailVerified: true,
  name: 'Jane',
  nickname: 'jane',
  picture: 'https://cdn.example.com/jane.png',
  blocked: false,
  createdAt: new Date('2025-01-01T00:00:00.000Z'),
  updatedAt: new Date('2025-01-02T00:00:00.000Z'),
  lastLogin: null,
  loginsCount: 0,
  userMetadata: {},
  appMetadata: {},
};

describe('toUserView', () => {
  it("returns Auth0's user shape with the database identity", () => {
    expect(toUserView(user)).toEqual({
      user_id: 'auth0|0123456789abcdef01234567',
      email: 'jane@example.com',
      email_verified: true,
      name: 'Jane',
      nickname: 'jane',
      picture: 'https://cdn.example.com/jane.png',
      blocked: false,
      created_at: '2025-01-01T00:00:00.000Z',
      updated_at: '2025-01-02T00:00:00.000Z',
      logins_count: 0,
      identities: [
        {
          connection: 'Username-Password-Authentication',
          user_id: '0123456789abcdef01234567',
          provider: 'auth0',
          isSocial: false,
        },
      ],
      user_metadata: {},
      app_metadata: {},
    });
  });

  it('adds last_login once the user has logged in', () => {
    const view = toUserView({ ...user, lastLogin: new Date('2025-02-01T00:00:00.000Z'), loginsCount: 3 });
    expect(view).toMatchObject({ last_login: '2025-02-01T00:00:00.000Z', logins_count: 3 });
  });
});
