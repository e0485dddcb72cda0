import { toRefreshTokenView, type RefreshTokenRow } from './refresh-token.view';

const row = (overrides: Partial<RefreshTokenRow> = {}): RefreshTokenRow => ({
  id: 'dcr_0123456789abcdef',
  user_id: 'auth0|0123456789abcdef01234567',
  client_id: 'app-1',
  device_name: 'Pixel',
  created_at: new Date('2026-12-01T10:00:00.000Z'),
  last_used_at: null,
  rotating: false,
  expires_at: null,
  idle_lifetime: null,
  ...overrides,
});

describe('toRefreshTokenView', () => {
  it("answers Auth0's refresh token object for a legacy token: no ends, no session, no API", () => {
    expect(toRefreshTokenView(row())).toEqual({
      id: 'dcr_0123456789abcdef',
      user_id: 'auth0|0123456789abcdef01234567',
      created_at: '2026-12-01T10:00:00.000Z',
      idle_expires_at: null,
      expires_at: null,
      device: { device_name: 'Pixel' },
      client_id: 'app-1',
      session_id: null,
      rotating: false,
      resource_servers: [],
      last_exchanged_at: null,
    });
  });

  it('counts the idle end from the last exchange, or from the issuance before any', () => {
    expect(toRefreshTokenView(row({ idle_lifetime: 3_600 })).idle_expires_at).toBe(
      '2026-12-01T11:00:00.000Z',
    );
    const used = toRefreshTokenView(
      row({
        idle_lifetime: 60,
        last_used_at: new Date('2026-12-02T08:00:00.000Z'),
        expires_at: new Date('2027-12-01T10:00:00.000Z'),
        rotating: true,
      }),
    );
    expect(used).toMatchObject({
      idle_expires_at: '2026-12-02T08:01:00.000Z',
      last_exchanged_at: '2026-12-02T08:00:00.000Z',
      expires_at: '2027-12-01T10:00:00.000Z',
      rotating: true,
    });
  });
});
