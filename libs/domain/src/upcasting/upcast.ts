import type { EventEnvelope } from '../events';

/**
 * Brings an envelope written by any release up to the current schema version of its type, so that
 * folds (decider, projections, replay) only ever see current shapes. The stored and published bytes
 * are never rewritten: tamper evidence (`eventHash`) is always checked on the envelope as written.
 */
export function upcast(envelope: EventEnvelope): EventEnvelope {
  return envelope;
}
