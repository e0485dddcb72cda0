import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { RefreshTokenRefused } from '@libs/domain';
import { pgPool } from '@libs/database';
import { delegationFailure, type RefusedRequest } from './delegation-failure';

const INSERT = `
  INSERT INTO delegation_failures
    (occurred_at, endpoint, client_id, credential_id, user_id, device_name, reason, ip, correlation_id)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`;

/**
 * Records refused refresh-token exchanges for the auditors' trail (`npm run audit -- trail`): one
 * INSERT on the failure path only. Volume is bounded by the failed-look-up rate limit, which answers
 * 429 before a look-up (and so before a row) once an address or client is over it.
 */
@Injectable()
export class DelegationFailureLog {
  private readonly logger = new Logger(DelegationFailureLog.name);

  constructor(private readonly db: DataSource) {}

  /**
   * Records `error` when it is a refused token; ignores anything else. Never rejects: a row that
   * cannot be written is logged, and the client still gets its 403, not a 500.
   */
  async record(error: unknown, request: RefusedRequest, context: { correlationId: string }): Promise<void> {
    if (!(error instanceof RefreshTokenRefused)) return;
    const failure = delegationFailure(error, request, context.correlationId);
    try {
      // The service's clock, as for events: a trail orders both on one time line.
      await pgPool(this.db).query(INSERT, [
        new Date(),
        failure.endpoint,
        failure.clientId,
        failure.credentialId,
        failure.userId,
        failure.deviceName,
        failure.reason,
        failure.ip,
        failure.correlationId,
      ]);
    } catch (insertError) {
      this.logger.warn({
        msg: 'could not record a refused refresh-token exchange',
        ...failure,
        err: String(insertError),
      });
    }
  }
}
