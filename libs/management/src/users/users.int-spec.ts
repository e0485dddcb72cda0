import { UserRepository } from '@libs/tenants';
import { managementErrorBody, useManagementApi, type ManagementApi } from '@libs/testing';

describe('Management API v2: /api/v2/users (HTTP, real PostgreSQL)', () => {
  const api = useManagementApi();
  const { bearer } = api;
  const errorBody = managementErrorBody;
  let http: ManagementApi['http'];
  let app: ManagementApi['app'];
  beforeAll(() => ({ http, app } = api));

  const USER_ID = /^auth0\|[0-9a-f]{24}$/;

  const createUser = async (body: Record<string, unknown>) =>
    http
      .post('/api/v2/users')
      .set('Authorization', await bearer('create:users'))
      .send(body);

  it("creates a user and answers with Auth0's user shape, never a password", async () => {
    const res = await createUser({
      connection: 'Username-Password-Authentication',
      email: 'Jane.Doe@Example.com',
      password: 'correct horse battery staple',
    });
    expect(res.status).toBe(201);
    const body = res.body as Record<string, unknown>;
    expect(body).toEqual({
      user_id: expect.stringMatching(USER_ID),
      email: 'jane.doe@example.com',
      email_verified: false,
      name: 'jane.doe@example.com',
      nickname: 'jane.doe',
      picture: expect.stringMatching(/^https:\/\/s\.gravatar\.com\/avatar\//),
      blocked: false,
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      updated_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      logins_count: 0,
      identities: [
        {
          connection: 'Username-Password-Authentication',
          user_id: (body.user_id as string).slice('auth0|'.length),
          provider: 'auth0',
          isSocial: false,
        },
      ],
      user_metadata: {},
      app_metadata: {},
    });
    expect(JSON.stringify(body)).not.toMatch(/password|scrypt/);
    const verified = await app
      .get(UserRepository)
      .verifyPassword('jane.doe@example.com', 'correct horse battery staple');
    expect(verified?.userId).toBe(body.user_id);
  });

  it('keeps given name, nickname, email_verified and blocked', async () => {
    const res = await createUser({
      connection: 'Username-Password-Authentication',
      email: 'given@example.com',
      password: 'correct horse battery staple',
      name: 'Given Name',
      nickname: 'gn',
      email_verified: true,
      blocked: true,
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      name: 'Given Name',
      nickname: 'gn',
      email_verified: true,
      blocked: true,
    });
  });

  it('answers 409 auth0_idp_error for an email taken in any case', async () => {
    const body = {
      connection: 'Username-Password-Authentication',
      password: 'correct horse battery staple',
    };
    expect((await createUser({ ...body, email: 'twice@example.com' })).status).toBe(201);
    const res = await createUser({ ...body, email: 'TWICE@example.com' });
    expect(res.status).toBe(409);
    expect(res.body).toEqual(errorBody(409, 'Conflict', 'auth0_idp_error', 'The user already exists.'));
  });

  it('answers 400 invalid_password for a password shorter than 8 characters', async () => {
    const res = await createUser({
      connection: 'Username-Password-Authentication',
      email: 'short@example.com',
      password: 'short',
    });
    expect(res.status).toBe(400);
    expect(res.body).toEqual(
      errorBody(
        400,
        'Bad Request',
        'invalid_password',
        /Password is too weak: it must be at least 8 characters/,
      ),
    );
  });

  const valid = {
    connection: 'Username-Password-Authentication',
    email: 'a@example.com',
    password: 'long enough pw',
  };
  it.each([
    [
      'no connection',
      { email: 'a@example.com', password: 'long enough pw' },
      'invalid_body',
      /Missing required property: connection/,
    ],
    [
      'no password',
      { connection: 'Username-Password-Authentication', email: 'a@example.com' },
      'invalid_body',
      /Missing required property: password/,
    ],
    ['an invalid email', { ...valid, email: 'not-an-email' }, 'invalid_body', /email must be an email/],
    [
      'another connection',
      { ...valid, connection: 'google-oauth2' },
      'inexistent_connection',
      /connection does not exist/,
    ],
    ['a string for blocked', { ...valid, blocked: 'yes' }, 'invalid_body', /on property blocked/],
    [
      'a 129-character password',
      { ...valid, password: 'x'.repeat(129) },
      'invalid_body',
      /password must be shorter/,
    ],
    [
      'an app_metadata that is not an object',
      { ...valid, app_metadata: [] },
      'invalid_body',
      /on property app_metadata/,
    ],
    [
      'an unknown field',
      { ...valid, given_name: 'Jane' },
      'invalid_body',
      /Additional properties not allowed: given_name/,
    ],
  ])('refuses %s with 400 %s', async (_label, body, errorCode, message) => {
    const res = await createUser(body);
    expect(res.status).toBe(400);
    expect(res.body).toEqual(errorBody(400, 'Bad Request', errorCode, message));
  });

  it('gets a user by id; 404 inexistent_user for an unknown one', async () => {
    const created = (
      await createUser({
        connection: 'Username-Password-Authentication',
        email: 'get@example.com',
        password: 'long enough pw',
      })
    ).body as { user_id: string };
    const auth = await bearer('read:users');
    const res = await http
      .get(`/api/v2/users/${encodeURIComponent(created.user_id)}`)
      .set('Authorization', auth)
      .expect(200);
    expect(res.body).toEqual(created);
    const missing = await http
      .get('/api/v2/users/auth0%7C000000000000000000000000')
      .set('Authorization', auth)
      .expect(404);
    expect(missing.body).toEqual(errorBody(404, 'Not Found', 'inexistent_user', 'The user does not exist.'));
  });

  it('lists and searches users by q and by email, with totals and paging', async () => {
    await createUser({
      connection: 'Username-Password-Authentication',
      email: 'search.me@example.com',
      password: 'long enough pw',
      name: 'Searchable',
    });
    const auth = await bearer('read:users');
    const byQ = await http
      .get('/api/v2/users')
      .query({ q: 'email:"SEARCH.ME@example.com"', search_engine: 'v3' })
      .set('Authorization', auth)
      .expect(200);
    expect((byQ.body as Array<{ email: string }>).map((u) => u.email)).toEqual(['search.me@example.com']);
    const byEmail = await http
      .get('/api/v2/users?email=Search.Me@example.com')
      .set('Authorization', auth)
      .expect(200);
    expect((byEmail.body as Array<{ name: string }>).map((u) => u.name)).toEqual(['Searchable']);
    const byPrefix = await http
      .get('/api/v2/users')
      .query({ q: 'name:search*' })
      .set('Authorization', auth)
      .expect(200);
    expect(byPrefix.body).toHaveLength(1);
    const usersByEmail = await http
      .get('/api/v2/users-by-email?email=SEARCH.me@example.com')
      .set('Authorization', auth)
      .expect(200);
    expect(usersByEmail.body).toHaveLength(1);

    const paged = await http
      .get('/api/v2/users?include_totals=true&per_page=1&page=1&sort=email:1')
      .set('Authorization', auth)
      .expect(200);
    const envelope = paged.body as {
      start: number;
      limit: number;
      length: number;
      total: number;
      users: unknown[];
    };
    expect(envelope).toMatchObject({ start: 1, limit: 1, length: 1 });
    expect(envelope.total).toBeGreaterThanOrEqual(3);
    expect(envelope.users).toHaveLength(1);
  });

  it.each([
    ['q=email:a OR email:b'],
    ['q=password:x'],
    ['per_page=1000'],
    ['sort=password:1'],
    ['include_totals=1'],
    ['search_engine=v9'],
  ])('refuses the query %s with 400 invalid_query_string', async (query) => {
    const res = await http
      .get(`/api/v2/users?${encodeURI(query)}`)
      .set('Authorization', await bearer('read:users'))
      .expect(400);
    expect(res.body).toMatchObject({
      statusCode: 400,
      errorCode: 'invalid_query_string',
      error: 'Bad Request',
    });
  });

  it('patches blocked, name, email_verified and password', async () => {
    const created = (
      await createUser({
        connection: 'Username-Password-Authentication',
        email: 'patch@example.com',
        password: 'the old password',
      })
    ).body as { user_id: string; updated_at: string };
    const path = `/api/v2/users/${encodeURIComponent(created.user_id)}`;
    const auth = await bearer('update:users');
    const blocked = await http
      .patch(path)
      .set('Authorization', auth)
      .send({ blocked: true, name: 'Patched' })
      .expect(200);
    expect(blocked.body).toMatchObject({ user_id: created.user_id, blocked: true, name: 'Patched' });
    const unblocked = await http
      .patch(path)
      .set('Authorization', auth)
      .send({ blocked: false, email_verified: true })
      .expect(200);
    expect(unblocked.body).toMatchObject({ blocked: false, email_verified: true, name: 'Patched' });
    await http.patch(path).set('Authorization', auth).send({ password: 'the new password' }).expect(200);
    const users = app.get(UserRepository);
    await expect(users.verifyPassword('patch@example.com', 'the old password')).resolves.toBeNull();
    expect(await users.verifyPassword('patch@example.com', 'the new password')).not.toBeNull();
  });

  it('refuses bad patches: empty, short password, unknown field, taken email; 404 for an unknown user', async () => {
    await createUser({
      connection: 'Username-Password-Authentication',
      email: 'first@example.com',
      password: 'long enough pw',
    });
    const second = (
      await createUser({
        connection: 'Username-Password-Authentication',
        email: 'second@example.com',
        password: 'long enough pw',
      })
    ).body as { user_id: string };
    const path = `/api/v2/users/${encodeURIComponent(second.user_id)}`;
    const auth = await bearer('update:users');
    expect((await http.patch(path).set('Authorization', auth).send({}).expect(400)).body).toMatchObject({
      errorCode: 'invalid_body',
      message: expect.stringMatching(/Too few properties/),
    });
    expect(
      (await http.patch(path).set('Authorization', auth).send({ password: 'short' }).expect(400)).body,
    ).toMatchObject({
      errorCode: 'invalid_password',
    });
    expect(
      (await http.patch(path).set('Authorization', auth).send({ user_id: 'auth0|x' }).expect(400)).body,
    ).toMatchObject({
      errorCode: 'invalid_body',
      message: expect.stringMatching(/Additional properties not allowed: user_id/),
    });
    expect(
      (await http.patch(path).set('Authorization', auth).send({ email: 'FIRST@example.com' }).expect(409))
        .body,
    ).toMatchObject({
      errorCode: 'auth0_idp_error',
    });
    const missing = await http
      .patch('/api/v2/users/auth0%7C000000000000000000000000')
      .set('Authorization', auth)
      .send({ blocked: true })
      .expect(404);
    expect(missing.body).toMatchObject({ errorCode: 'inexistent_user' });
  });

  it('deletes a user with 204, then answers 404', async () => {
    const created = (
      await createUser({
        connection: 'Username-Password-Authentication',
        email: 'delete@example.com',
        password: 'long enough pw',
      })
    ).body as { user_id: string };
    const path = `/api/v2/users/${encodeURIComponent(created.user_id)}`;
    const auth = await bearer('delete:users', 'read:users');
    const res = await http.delete(path).set('Authorization', auth).expect(204);
    expect(res.text).toBe('');
    await http.get(path).set('Authorization', auth).expect(404);
    const again = await http.delete(path).set('Authorization', auth).expect(404);
    expect(again.body).toMatchObject({ errorCode: 'inexistent_user' });
  });
});
