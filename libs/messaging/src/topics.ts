/**
 * Topic names are built here and nowhere else.
 * The event log of device credentials: every `TokenIssued`, `TokenRevoked`, `IdTokenDelegated`.
 */
export function eventTopic(prefix: string): string {
  return `${prefix}auth.device-credentials.events.v1`;
}

/**
 * Topic-level settings of the event log. Retention is infinite: auditors and new consumer groups read
 * it from the beginning. With several brokers, `min.insync.replicas` (2 of 3) plus `acks=all` makes an
 * acknowledged event survive the loss of a broker; a single development broker can only use 1.
 */
export const EVENT_TOPIC_CONFIG: Record<string, string> = {
  'cleanup.policy': 'delete',
  'retention.ms': '-1',
  'retention.bytes': '-1',
};
