import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { type Client, ClientCache, verifyClientSecret } from '@libs/tenants';
import { InvalidClient, InvalidRequest, stringParam, type OAuthParams } from '@libs/platform';
import { constantTimeEqual } from '@libs/security';

const VERIFIED_TTL_MS = 5 * 60_000;

/** The client a token request comes from, and whether it proved it (confidential) or only named itself (public). */
export interface AuthenticatedClient {
  client: Client;
  confidential: boolean;
}

/**
 * Client authentication at the token endpoint (RFC 6749 §2.3): HTTP Basic or `client_secret` in the
 * body for confidential clients, `client_id` alone for public ones (`token_endpoint_auth_method: none`).
 * A verified secret is remembered (as a SHA-256) for a few minutes: scrypt on every refresh would make
 * the hot path pay tens of milliseconds.
 */
@Injectable()
export class ClientAuthentication {
  private readonly verified = new Map<string, { digest: string; until: number }>();

  constructor(private readonly clients: ClientCache) {}

  async authenticate(req: Request, params: OAuthParams): Promise<AuthenticatedClient> {
    const basic = parseBasic(req.headers.authorization);
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
    if (secret === undefined || !(await this.verify(client, secret))) {
      throw new InvalidClient('Unknown client or wrong client credentials.');
    }
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

function parseBasic(header: string | undefined): { id: string; secret: string } | undefined {
  if (!header?.toLowerCase().startsWith('basic ')) return undefined;
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) throw new InvalidClient('Malformed Basic credentials.');
  try {
    // RFC 6749 §2.3.1: both parts are form-urlencoded before being joined.
    return {
      id: decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' ')),
      secret: decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, ' ')),
    };
  } catch {
    throw new InvalidClient('Malformed Basic credentials.');
  }
}
