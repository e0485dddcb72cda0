import { auth0LogCode } from './auth0-log-codes';

describe('auth0LogCode', () => {
  it.each([
    [{ type: 'TokenIssued', grant: 'authorization_code' }, 'seacft', null],
    [{ type: 'TokenIssued', grant: 'password' }, 'sepft', null],
    [{ type: 'IdTokenDelegated', via: 'delegation' }, 'sd', null],
    [{ type: 'IdTokenDelegated', via: 'refresh_token' }, 'sertft', null],
    [{ type: 'IdTokenDelegated', via: 'delegation_id_token' }, 'sd', null],
    [{ type: 'DelegationFailed', endpoint: 'delegation' }, 'fd', null],
    [{ type: 'DelegationFailed', endpoint: 'refresh_token' }, 'fertft', null],
    [{ type: 'TokenRevoked', reason: 'management_api', actor: 'mgmt@clients' }, 'srrt', 'sapi'],
    [{ type: 'TokenRevoked', reason: 'user_blocked', actor: 'mgmt@clients' }, 'srrt', 'sapi'],
    [{ type: 'TokenRevoked', reason: 'user_blocked', actor: 'system' }, 'srrt', null],
    [{ type: 'TokenRevoked', reason: 'dashboard_unlink', actor: 'dashboard:a@b.c' }, 'srrt', null],
    [{ type: 'TokenRevoked', reason: 'oauth_revoke', actor: 'app-1' }, 'srrt', null],
    [{ type: 'TokenRevoked', reason: 'authorization_code_replay', actor: 'system' }, 'srrt', 'feacft'],
    [{ type: 'TokenRevoked', reason: 'refresh_token_reuse', actor: 'system' }, 'srrt', 'ferrt'],
    [{ type: 'TokenRevoked', reason: 'token_limit_exceeded', actor: 'system' }, 'srrt', null],
    [{ type: 'TokenRevoked', reason: 'client_deleted', actor: 'mgmt@clients' }, 'srrt', 'sapi'],
    [{ type: 'RefreshTokenReused' }, 'ferrt', null],
    [{ type: 'TokenRotated' }, 'sertft', null],
    [{ type: 'TokenExpired' }, 'fertft', null],
  ] as const)('%j → %s (+%s)', (occurrence, code, related) => {
    expect(auth0LogCode(occurrence)).toEqual({ code, related });
  });
});
