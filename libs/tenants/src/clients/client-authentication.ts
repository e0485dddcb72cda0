import { createHash } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
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
import type { Client } from './client';
import { ClientCache } from './client-cache';
import { ClientRepository } from './client.repository';
import { ClientSecrets } from './client-secrets';

const VERIFIED_TTL_MS = 5 * 60_000;
const TOO_MANY = 'Too many failed client authentications from this address.';
const WRONG = 'Unknown client or wrong client credentials.';

/** The client a token request comes from, and whether it proved it (confidential) or only named itself (public). */
export interface AuthenticatedClient {
  client: Client;
  confidential: boolean;
}

/**
 * Client authentication at `/oauth/token`, `/oauth/revoke`, `/oauth/introspect` and `/delegation` alike
 * (RFC 6749 §2.3): HTTP Basic or `client_secret` in the body for confidential clients, `client_id` alone
 * for public ones (`token_endpoint_auth_method: none`).
 *
 * Wrong secrets are counted per client and address (10 per 15 minutes), but a secret that verifies is
 * never refused (issue 19, finding 4): with one address for every caller behind a proxy, refusing the
 * right secret let any stranger lock a confidential client out. A keyed hash (`ClientSecrets`) costs
 * microseconds, so every presented secret is checked and the budget only decides how a wrong one is
 * answered (401, then 429). A secret still stored as an scrypt hash (before issue 19) costs one scrypt
 * run: there the budget decides whether it is checked at all, counted before the run (issue 19, finding
 * 3), with a secret verified in the last minutes remembered (as a SHA-256) and accepted without one; it
 * is hashed anew at its first success.
 */
@Injectable()
export class ClientAuthentication {
  private readonly logger = new Logger(ClientAuthentication.name);
  private readonly verified = new Map<string, { digest: string; until: number }>();
  private readonly failures: AttemptLimiter;

  constructor(
    private readonly clients: ClientCache,
    private readonly repository: ClientRepository,
    private readonly secrets: ClientSecrets,
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
    if (!client) throw new InvalidClient(WRONG);
    if (client.tokenEndpointAuthMethod === 'none') {
      if (secret !== undefined) throw new InvalidClient('A public client cannot authenticate with a secret.');
      return { client, confidential: false };
    }
    if (secret === undefined) throw new InvalidClient(WRONG);
    const key = attemptKey(req.ip ?? 'unknown', client.clientId);
    const proved = this.secrets.isKeyed(client)
      ? await this.checkKeyed(client, secret, key)
      : await this.checkScrypt(client, secret, key);
    if (!proved) throw new InvalidClient(WRONG);
    return { client, confidential: true };
  }

  /** Checks every secret; a wrong one is counted, and answered 429 once the address's budget is spent. */
  private async checkKeyed(client: Client, secret: string, key: string): Promise<boolean> {
    const check = await this.secrets.verify(client, secret);
    if (check.verified) {
      await this.upgrade(client, check.rehash);
      return true;
    }
    const retryAfter = await this.failures.consume(key);
    if (retryAfter !== null) throw new TooManyAttempts(TOO_MANY, retryAfter);
    return false;
  }

  /** Counts the attempt before scrypt runs; over the budget only a secret verified lately is accepted. */
  private async checkScrypt(client: Client, secret: string, key: string): Promise<boolean> {
    const digest = createHash('sha256')
      .update(`${client.clientId}\0${secret}\0${client.clientSecretHash}`)
      .digest('hex');
    const known = this.verified.get(client.clientId);
    if (known && known.until > Date.now() && constantTimeEqual(known.digest, digest)) return true;
    const retryAfter = await this.failures.consume(key);
    if (retryAfter !== null) throw new TooManyAttempts(TOO_MANY, retryAfter);
    let check;
    try {
      check = await this.secrets.verify(client, secret);
    } catch (error) {
      await this.failures.release(key); // not checked (the hashing queue is full): not a failure
      throw error;
    }
    if (!check.verified) return false;
    await this.failures.release(key);
    if (this.verified.size > 10_000) this.verified.clear();
    this.verified.set(client.clientId, { digest, until: Date.now() + VERIFIED_TTL_MS });
    await this.upgrade(client, check.rehash);
    return true;
  }

  /** Writes the secret's current stored form in place of an outdated one; a failure only logs (next time). */
  private async upgrade(client: Client, rehash: string | null): Promise<void> {
    if (rehash === null || client.clientSecretHash === null) return;
    try {
      if (await this.repository.replaceSecretHash(client.clientId, client.clientSecretHash, rehash)) {
        this.clients.forget(client.clientId);
        this.logger.log({ msg: 'client secret hashed anew', client_id: client.clientId });
      }
    } catch (error) {
      this.logger.warn({
        msg: 'hashing a client secret anew failed',
        client_id: client.clientId,
        err: String(error),
      });
    }
  }
}
