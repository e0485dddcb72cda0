import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { ControlPlane, pgPool } from '@libs/database';
import { credentialDecider } from '@libs/domain';
import { Metrics } from '@libs/platform';
import { CommandRunner } from '../runner/command-runner';
import { RevokeCredentials, type RevocationScope } from './revoke-credentials.command';

/**
 * Revocations of many credentials at once: a device (the dashboard's "Unlink"), every token of a user
 * (blocked, deleted) or of an application (deleted). The credentials are found in the event store, not the view, so a token issued a
 * moment ago is revoked too. Each revocation is its own event, recorded before this resolves. Runs on
 * the control plane (issue 15): its look-up and writes take the control plane's connections and lanes.
 */
@CommandHandler(RevokeCredentials)
export class RevokeCredentialsHandler implements ICommandHandler<RevokeCredentials> {
  constructor(
    private readonly db: DataSource,
    private readonly runner: CommandRunner,
    private readonly metrics: Metrics,
  ) {}

  /** Revokes every credential in scope; resolves with how many were active and are now revoked. */
  execute(command: RevokeCredentials): Promise<number> {
    return ControlPlane.run(() => this.revokeAll(command));
  }

  private async revokeAll({ scope, reason, actor, correlationId }: RevokeCredentials): Promise<number> {
    let revoked = 0;
    for (const streamId of await this.unrevoked(scope)) {
      const { events } = await this.runner.handle(
        credentialDecider,
        streamId,
        { type: 'RevokeToken', reason, actor, now: new Date() },
        { context: { correlationId } },
      );
      if (events.length > 0) this.metrics.revocations.inc({ reason });
      revoked += events.length > 0 ? 1 : 0;
    }
    return revoked;
  }

  private async unrevoked(scope: RevocationScope): Promise<string[]> {
    // PostgreSQL text cannot hold NUL (the query would fail): no credential has such a user, client or device.
    if (Object.values(scope).some((value) => typeof value === 'string' && value.includes('\u0000')))
      return [];
    const [filter, params] = scopeFilter(scope);
    // `pgPool`: on the control plane, its own connections (TypeORM's `query` takes the process's pool).
    const { rows } = await pgPool(this.db).query<{ stream_id: string }>(
      `SELECT i.stream_id FROM events i WHERE i.type = 'TokenIssued' AND ${filter}`,
      params,
    );
    return rows.map((row) => row.stream_id);
  }
}

// Credentials still in force: neither revoked nor seen expired.
const IN_FORCE = `NOT EXISTS (SELECT 1 FROM events r
                               WHERE r.stream_id = i.stream_id AND r.type IN ('TokenRevoked', 'TokenExpired'))`;

/** The rest of the WHERE clause (after the event type) and its parameters. */
function scopeFilter(scope: RevocationScope): [string, unknown[]] {
  // An application's tokens: `events_issued_by_client` serves this look-up.
  if (!('userId' in scope)) return [`i.data ->> 'client_id' = $1 AND ${IN_FORCE}`, [scope.clientId]];
  if ('deviceName' in scope) {
    return [
      `i.data ->> 'user_id' = $1 AND i.data ->> 'client_id' = $2 AND i.data ->> 'device_name' = $3 AND ${IN_FORCE}`,
      [scope.userId, scope.clientId, scope.deviceName],
    ];
  }
  if ('keepNewest' in scope) {
    return [
      `i.data ->> 'user_id' = $1 AND i.data ->> 'client_id' = $2 AND ${IN_FORCE}
        ORDER BY i.global_position DESC OFFSET $3`,
      [scope.userId, scope.clientId, scope.keepNewest],
    ];
  }
  return [`i.data ->> 'user_id' = $1 AND ${IN_FORCE}`, [scope.userId]];
}
