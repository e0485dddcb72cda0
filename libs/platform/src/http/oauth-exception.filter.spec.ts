import type { ArgumentsHost } from '@nestjs/common';
import type { Response } from 'express';
import { DpopProofError, UseDpopNonce } from '@libs/security';
import { describeError, OAuthExceptionFilter } from './oauth-exception.filter';

/** What the filter wrote: the status, the headers and the body of its answer. */
function answer(exception: unknown) {
  const headers: Record<string, string> = {};
  const written = { status: 0, headers, body: undefined as unknown };
  const res = {
    headersSent: false,
    set: (values: Record<string, string>) => Object.assign(headers, values),
    get: (name: string) => headers[name],
    status: (status: number) => {
      written.status = status;
      return res;
    },
    json: (body: unknown) => {
      written.body = body;
      return res;
    },
  };
  const host = { switchToHttp: () => ({ getResponse: () => res as unknown as Response }) };
  new OAuthExceptionFilter().catch(exception, host as unknown as ArgumentsHost);
  return written;
}

describe('OAuthExceptionFilter and DPoP refusals (RFC 9449)', () => {
  it('answers a refused proof 400 invalid_dpop_proof with its description', () => {
    const error = new DpopProofError('The DPoP proof has been used before ("jti").');

    expect(describeError(error)).toEqual([
      400,
      { error: 'invalid_dpop_proof', error_description: 'The DPoP proof has been used before ("jti").' },
    ]);
    expect(answer(error)).toMatchObject({ status: 400, body: { error: 'invalid_dpop_proof' } });
  });

  it('answers a missing nonce 400 use_dpop_nonce with the fresh nonce in DPoP-Nonce (§8)', () => {
    const written = answer(new UseDpopNonce('fresh-nonce'));

    expect(written.status).toBe(400);
    expect(written.body).toEqual({
      error: 'use_dpop_nonce',
      error_description: 'Authorization server requires nonce in DPoP proof.',
    });
    expect(written.headers).toMatchObject({ 'DPoP-Nonce': 'fresh-nonce', 'Cache-Control': 'no-store' });
  });
});
