import { applyDecorators } from '@nestjs/common';
import { ApiOperation, ApiResponse, type SchemaObject } from '@nestjs/swagger';
import { ApiOAuthErrors } from '@libs/platform';

const JWK: SchemaObject = {
  type: 'object',
  required: ['kty', 'kid', 'alg'],
  properties: {
    kty: { type: 'string', enum: ['RSA', 'EC'] },
    kid: { type: 'string' },
    alg: { type: 'string', enum: ['RS256', 'ES256'] },
    use: { type: 'string', enum: ['sig'] },
    n: { type: 'string', description: 'RSA modulus.' },
    e: { type: 'string', description: 'RSA exponent.' },
    crv: { type: 'string', description: 'EC curve.' },
    x: { type: 'string' },
    y: { type: 'string' },
  },
};

/** `GET /.well-known/jwks.json`. */
export const ApiJwks = () =>
  applyDecorators(
    ApiOperation({ summary: 'The public keys tokens are verified with: current and not yet retired' }),
    ApiResponse({
      status: 200,
      description: 'Cacheable for 5 minutes.',
      schema: { type: 'object', required: ['keys'], properties: { keys: { type: 'array', items: JWK } } },
    }),
    ApiOAuthErrors({ 503: '`temporarily_unavailable`.' }),
  );
