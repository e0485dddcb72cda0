import { Controller, Get, Header } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { KeyStore, type JsonWebKeySet } from '@libs/jwt';
import { API_TAGS } from '@libs/platform';
import { ApiJwks } from './jwks.openapi';

/** `GET /.well-known/jwks.json`: the public keys relying parties verify this tenant's tokens with. */
@ApiTags(API_TAGS.authentication)
@Controller('.well-known')
export class JwksController {
  constructor(private readonly keys: KeyStore) {}

  // Five minutes of caching: relying parties refetch on an unknown kid anyway, and a rotated key keeps
  // verifying for hours after it stops signing.
  @Get('jwks.json')
  @Header('Cache-Control', 'public, max-age=300')
  @ApiJwks()
  jwks(): Promise<JsonWebKeySet> {
    return this.keys.jwks();
  }
}
