import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { SecretKeys } from '@libs/security';
import { ClientRepository, ClientSecrets } from '@libs/tenants';

/**
 * After `SERVER_SECRET` rotated (a process given `SERVER_SECRETS_PREVIOUS`), seals every client secret
 * sealed under a previous server secret anew under the current one, once at boot: from then on only the
 * refresh tokens issued before the rotation need the previous secret (docs/operations.md, "Rotating
 * SERVER_SECRET"). Replicas doing it at once write each row once; a failure is logged, never fatal
 * (those secrets still open with the previous secret, and the next boot tries again).
 *
 * At every boot it also hashes anew, from their sealed copy, the client secrets whose stored hash is not
 * the current server secret's keyed hash: scrypt hashes from before issue 19 and keyed hashes under a
 * previous server secret. A client without a sealed copy (created before secrets were sealed) is hashed
 * anew at its first successful authentication instead (`ClientAuthentication`).
 */
@Injectable()
export class ClientSecretResealer implements OnApplicationBootstrap {
  private readonly logger = new Logger(ClientSecretResealer.name);

  constructor(
    private readonly clients: ClientRepository,
    private readonly keys: SecretKeys,
    private readonly secrets: ClientSecrets,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    try {
      if (this.keys.previousKeyIds.length > 0) await this.reseal();
      await this.rehash();
    } catch (error) {
      this.logger.warn({ msg: 'Sealing or hashing client secrets anew failed', error });
    }
  }

  /** Hashes anew, from its sealed copy, each client secret not stored as the current keyed hash. */
  async rehash(): Promise<{ rehashed: number; pending: string[] }> {
    let rehashed = 0;
    const pending: string[] = [];
    for (const { clientId, hash, sealed } of await this.clients.listSecrets()) {
      const next = this.secrets.rehashFromSealed(clientId, hash, sealed);
      if (next !== null) {
        if (await this.clients.replaceSecretHash(clientId, hash, next)) rehashed++;
      } else if (!this.secrets.isCurrentForm(hash)) {
        pending.push(clientId);
      }
    }
    if (rehashed > 0) {
      this.logger.log({
        msg: 'Hashed client secrets anew under the current server secret',
        clients: rehashed,
        key_id: this.keys.keyId,
      });
    }
    if (pending.length > 0) {
      this.logger.warn({
        msg: 'Client secrets without a sealed copy keep their old hash until their first successful use',
        client_ids: pending,
      });
    }
    return { rehashed, pending };
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
