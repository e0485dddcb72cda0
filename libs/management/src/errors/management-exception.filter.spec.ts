import { BadRequestException, type ArgumentsHost } from '@nestjs/common';
import { QueryFailedError } from 'typeorm';
import { TenantError, TenantErrorCode } from '@libs/tenants';
import { ManagementApiError, ManagementErrorCode } from './management-api.error';
import { ManagementExceptionFilter } from './management-exception.filter';

function respond(exception: unknown) {
  const sent: { status?: number; body?: unknown; headers: Record<string, string> } = { headers: {} };
  const res = {
    headersSent: false,
    setHeader: (name: string, value: string) => (sent.headers[name] = value),
    status(code: number) {
      sent.status = code;
      return this;
    },
    json: (body: unknown) => (sent.body = body),
  };
  const host = { switchToHttp: () => ({ getResponse: () => res }) } as unknown as ArgumentsHost;
  new ManagementExceptionFilter().catch(exception, host);
  return sent;
}

describe('ManagementExceptionFilter', () => {
  it("answers a refusal with its status and Auth0's body plus error_description", () => {
    const sent = respond(
      new ManagementApiError(ManagementErrorCode.InexistentUser, 'The user does not exist.'),
    );
    expect(sent.status).toBe(404);
    expect(sent.body).toEqual({
      statusCode: 404,
      error: 'Not Found',
      message: 'The user does not exist.',
      errorCode: 'inexistent_user',
      error_description: 'The user does not exist.',
    });
  });

  it("maps a client or user rule's refusal to Auth0's status and errorCode", () => {
    const sent = respond(new TenantError(TenantErrorCode.UserExists, 'The user already exists.'));
    expect(sent.status).toBe(409);
    expect(sent.body).toMatchObject({ statusCode: 409, errorCode: 'auth0_idp_error' });
    expect(respond(new TenantError(TenantErrorCode.WeakPassword, 'weak')).body).toMatchObject({
      statusCode: 400,
      errorCode: 'invalid_password',
    });
    expect(respond(new TenantError(TenantErrorCode.InvalidUserSearch, 'q')).body).toMatchObject({
      statusCode: 400,
      errorCode: 'invalid_query_string',
    });
  });

  it('challenges refused bearer tokens (RFC 6750 §3)', () => {
    expect(respond(new ManagementApiError(ManagementErrorCode.MissingAuthentication, 'm')).headers).toEqual({
      'WWW-Authenticate': 'Bearer',
    });
    expect(respond(new ManagementApiError(ManagementErrorCode.InsufficientScope, 'm')).headers).toEqual({
      'WWW-Authenticate': 'Bearer error="insufficient_scope"',
    });
  });

  it('keeps the status of an HttpException', () => {
    expect(respond(new BadRequestException('bad')).body).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: 'bad',
      errorCode: 'invalid_request',
      error_description: 'bad',
    });
  });

  it('answers a database connection failure with 503, never a 4xx', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    expect(respond(refused)).toMatchObject({ status: 503, body: { errorCode: 'temporarily_unavailable' } });
    expect(respond(new Error('timeout exceeded when trying to connect')).status).toBe(503);
  });

  it('answers anything else with 500 and no internals', () => {
    const failed = new QueryFailedError('SELECT secret', ['scrypt$hash'], new Error('syntax error'));
    const sent = respond(failed);
    expect(sent.status).toBe(500);
    expect(sent.body).toEqual({
      statusCode: 500,
      error: 'Internal Server Error',
      message: 'An unexpected error occurred.',
      errorCode: 'server_error',
      error_description: 'An unexpected error occurred.',
    });
    expect(respond(new TypeError('x')).status).toBe(500);
    expect(respond('a string').status).toBe(500);
  });
});
