import { decodeProtectedHeader } from 'jose';
import { useManagementApi, type ManagementApi } from '@libs/testing';

describe('Management API v2: /api/v2/keys/signing (HTTP, real PostgreSQL)', () => {
  const api = useManagementApi();
  const { token, bearer } = api;
  let http: ManagementApi['http'];
  beforeAll(() => ({ http } = api));

  type KeyView = {
    kid: string;
    alg: string;
    current: boolean;
    previous: boolean;
    jwk: Record<string, unknown>;
  };

  it('lists the published keys with their status and no private members', async () => {
    const res = await http
      .get('/api/v2/keys/signing')
      .set('Authorization', await bearer('read:signing_keys'))
      .expect(200);
    const keys = res.body as KeyView[];
    expect(
      keys
        .filter((k) => k.current)
        .map((k) => k.alg)
        .sort(),
    ).toEqual(['ES256', 'RS256']);
    for (const key of keys) {
      expect(key.jwk).toMatchObject({ kid: key.kid, alg: key.alg, use: 'sig' });
      expect(key.jwk).not.toHaveProperty('d');
    }
  });

  it('rotates both keys; tokens signed before keep working and the old keys are listed as previous', async () => {
    const before = await bearer();
    const oldKid = decodeProtectedHeader(before.slice('Bearer '.length)).kid;
    const res = await http.post('/api/v2/keys/signing/rotate').set('Authorization', before).expect(201);
    const rotation = res.body as {
      kid: string;
      rotated: Array<{ alg: string; kid: string; previous_kid?: string }>;
    };
    expect(rotation.rotated.map((r) => r.alg)).toEqual(['RS256', 'ES256']);
    expect(rotation.kid).toBe(rotation.rotated[0].kid);
    expect(rotation.rotated[0].previous_kid).toBe(oldKid);

    const listed = (await http.get('/api/v2/keys/signing').set('Authorization', before).expect(200))
      .body as KeyView[];
    expect(listed.find((k) => k.kid === oldKid)).toMatchObject({ current: false, previous: true });
    expect(listed.find((k) => k.kid === rotation.kid)).toMatchObject({ current: true, previous: false });
    const after = await token('read:users');
    expect(decodeProtectedHeader(after).kid).toBe(rotation.kid);
  });

  it('rotates one algorithm with ?alg=, and refuses an unknown one', async () => {
    const auth = await bearer('create:signing_keys', 'update:signing_keys');
    const res = await http
      .post('/api/v2/keys/signing/rotate?alg=ES256')
      .set('Authorization', auth)
      .expect(201);
    expect((res.body as { rotated: Array<{ alg: string }> }).rotated.map((r) => r.alg)).toEqual(['ES256']);
    const bad = await http
      .post('/api/v2/keys/signing/rotate?alg=HS256')
      .set('Authorization', auth)
      .expect(400);
    expect(bad.body).toMatchObject({
      errorCode: 'invalid_query_string',
      message: expect.stringMatching(/alg/),
    });
  });
});
