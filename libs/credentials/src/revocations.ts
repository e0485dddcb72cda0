import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { RevocationReason } from '@libs/domain';
import type { WriteContext } from '@libs/event-store';
import { DeviceCredentials } from './device-credentials.service';

/** Which credentials a bulk revocation covers. */
export type RevocationScope = { userId: string } | { userId: string; clientId: string; deviceName: string };

/**
 * Revocations of many credentials at once: a device (the dashboard's "Unlink") or every token of a user
 * (blocked, deleted). The credentials are found in the event store, not the view, so a token issued a
 * moment ago is revoked too. Each revocation is its own event, recorded before this resolves.
 */
@Injectable()
export class Revocations {
  constructor(
    private readonly db: DataSource,
    private readonly credentials: DeviceCredentials,
  ) {}

  /** Revokes every credential in `scope`; returns how many were active and are now revoked. */
  async revoke(
    scope: RevocationScope,
    reason: RevocationReason,
    actor: string,
    context: WriteContext,
  ): Promise<number> {
    const byDevice = 'deviceName' in scope;
    // PostgreSQL text cannot hold NUL (the query would fail): no credential has such a user, client or device.
    if (Object.values(scope).some((value) => value.includes('\u0000'))) return 0;
    const rows: { stream_id: string }[] = await this.db.query(
      `SELECT i.stream_id FROM events i
        WHERE i.type = 'TokenIssued' AND i.data ->> 'user_id' = $1
          ${byDevice ? `AND i.data ->> 'client_id' = $2 AND i.data ->> 'device_name' = $3` : ''}
          AND NOT EXISTS (SELECT 1 FROM events r WHERE r.stream_id = i.stream_id AND r.type = 'TokenRevoked')`,
      byDevice ? [scope.userId, scope.clientId, scope.deviceName] : [scope.userId],
    );
    let revoked = 0;
    for (const { stream_id } of rows) {
      if (await this.credentials.revoke(stream_id, reason, actor, context)) revoked++;
    }
    return revoked;
  }
}
