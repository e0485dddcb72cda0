import { Injectable, Optional, type OnModuleInit } from '@nestjs/common';
import { SecretKeys, type KeyPurpose } from '@libs/security';
import { Metrics } from './metrics';

// The long-lived things made under a server secret; the short-lived ones (DPoP nonces, CSRF tokens,
// dashboard sessions) expire on their own within hours of a rotation and are not counted.
const COUNTED: KeyPurpose[] = [
  'refresh-token-hash',
  'client-secret-encryption',
  'client-secret-hash',
  'signing-key-encryption',
];

/**
 * Counts in `previous_secret_key_uses_total` each value a process accepts under a previous server
 * secret's key, starting every previous key id at 0 so that "no use since" reads as such. A process
 * without `SecretKeys` (the projector) has nothing to count.
 */
@Injectable()
export class PreviousSecretMetrics implements OnModuleInit {
  constructor(
    private readonly metrics: Metrics,
    @Optional() private readonly keys?: SecretKeys,
  ) {}

  onModuleInit(): void {
    if (!this.keys) return;
    const counter = this.metrics.previousSecretKeyUses;
    for (const keyId of this.keys.previousKeyIds) {
      for (const purpose of COUNTED) counter.inc({ purpose, key_id: keyId }, 0);
    }
    this.keys.onPreviousKeyUse(({ purpose, keyId }) => counter.inc({ purpose, key_id: keyId }));
  }
}
