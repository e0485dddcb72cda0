import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { Request } from 'express';
import {
  basicCredentials,
  InvalidClient,
  InvalidRequest,
  stringParam,
  TooManyAttempts,
  type OAuthParams,
} from '@libs/platform';
import { AttemptLimiter, attemptKey, constantTimeEqual, LimitStore } from '@libs/security';
import { verifyClientSecret, type Client } from './client';
import { ClientCache } from './client-cache';

const VERIFIED_TTL_MS = 5 * 60_000;

/** The client a token request comes from, and whether it proved it (confidential) or only named itself (public). */
export interface AuthenticatedClient {
  client: Client;
  confidential: boolean;
}

/**
 * Client authentication at `/oauth/token`, `/oauth/revoke` and `/delegation` alike (RFC 6749 §2.3): HTTP
 * Basic or `client_secret` in the body for confidential clients, `client_id` alone for public ones
 * (`token_endpoint_auth_method: none`). A verified secret is remembered (as a SHA-256) for a few minutes:
 * scrypt on every refresh would make the hot path pay tens of milliseconds. Wrong secrets are counted per
 * client and address like failed logins: once blocked, the address is refused before any scrypt runs, so
 * unauthenticated requests cannot keep the CPU busy.
 */
@Injectable()
export class ClientAuthentication {
  private readonly verified = new Map<string, { digest: string; until: number }>();
  private readonly failures: AttemptLimiter;

  constructor(
    private readonly clients: ClientCache,
    limits: LimitStore,
  ) {
    this.failures = new AttemptLimiter({}, { store: limits, name: 'client-secret-failures' });
  }

  async authenticate(req: Request, params: OAuthParams): Promise<AuthenticatedClient> {
    const basic = basicCredentials(req.headers.authorization);
    const bodyId = stringParam(params, 'client_id', { max: 128 });
    const bodySecret = stringParam(params, 'client_secret', { max: 512 });
    if (basic && (bodySecret !== undefined || (bodyId !== undefined && bodyId !== basic.id))) {
      // RFC 6749 §2.3: a client must not use more than one authentication method per request.
      throw new InvalidRequest('Use one client authentication method per request.');
    }
    const clientId = basic?.id ?? bodyId;
    const secret = basic?.secret ?? bodySecret;
    if (!clientId) throw new InvalidRequest('Missing required parameter: client_id');

    const client = await this.clients.get(clientId);
    if (!client) throw new InvalidClient('Unknown client or wrong client credentials.');
    if (client.tokenEndpointAuthMethod === 'none') {
      if (secret !== undefined) throw new InvalidClient('A public client cannot authenticate with a secret.');
      return { client, confidential: false };
    }
    if (secret === undefined) throw new InvalidClient('Unknown client or wrong client credentials.');
    const key = attemptKey(req.ip ?? 'unknown', client.clientId);
    const retryAfter = await this.failures.retryAfterSeconds(key);
    if (retryAfter !== null) {
      throw new TooManyAttempts('Too many failed client authentications from this address.', retryAfter);
    }
    if (!(await this.verify(client, secret))) {
      await this.failures.recordFailure(key);
      throw new InvalidClient('Unknown client or wrong client credentials.');
    }
    await this.failures.reset(key);
    return { client, confidential: true };
  }

  private async verify(client: Client, secret: string): Promise<boolean> {
    const digest = createHash('sha256')
      .update(`${client.clientId}\0${secret}\0${client.clientSecretHash}`)
      .digest('hex');
    const known = this.verified.get(client.clientId);
    if (known && known.until > Date.now() && constantTimeEqual(known.digest, digest)) return true;
    if (!(await verifyClientSecret(client, secret))) return false;
    if (this.verified.size > 10_000) this.verified.clear();
    this.verified.set(client.clientId, { digest, until: Date.now() + VERIFIED_TTL_MS });
    return true;
  }
}
