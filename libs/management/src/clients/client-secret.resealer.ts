import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { SecretKeys } from '@libs/security';
import { ClientRepository } from '@libs/tenants';

/**
 * After `SERVER_SECRET` rotated (a process given `SERVER_SECRETS_PREVIOUS`), seals every client secret
 * sealed under a previous server secret anew under the current one, once at boot: from then on only the
 * refresh tokens issued before the rotation need the previous secret (docs/operations.md, "Rotating
 * SERVER_SECRET"). Replicas doing it at once write each row once; a failure is logged, never fatal
 * (those secrets still open with the previous secret, and the next boot tries again).
 */
@Injectable()
export class ClientSecretResealer implements OnApplicationBootstrap {
  private readonly logger = new Logger(ClientSecretResealer.name);

  constructor(
    private readonly clients: ClientRepository,
    private readonly keys: SecretKeys,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.keys.previousKeyIds.length === 0) return;
    try {
      await this.reseal();
    } catch (error) {
      this.logger.warn({ msg: 'Sealing client secrets anew under the current server secret failed', error });
    }
  }

  /** Seals anew every client secret the current server secret's key does not open. */
  async reseal(): Promise<{ resealed: number; failed: string[] }> {
    const outcome = await this.clients.resealSecrets((clientId, sealed) =>
      this.keys.reseal('client-secret-encryption', clientId, sealed),
    );
    if (outcome.resealed > 0) {
      this.logger.log({
        msg: 'Sealed client secrets anew under the current server secret',
        clients: outcome.resealed,
        key_id: this.keys.keyId,
      });
    }
    if (outcome.failed.length > 0) {
      this.logger.warn({
        msg: 'Client secrets no accepted server secret opens (their HS256 id_tokens fail): rotate them',
        client_ids: outcome.failed,
      });
    }
    return outcome;
  }
}
