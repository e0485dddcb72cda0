import type { KafkaMessage } from 'kafkajs';

/** What one batch of topic messages says about one stream, folded in offset order. */
export interface StreamTip {
  stream_id: string;
  /** The first version of the stream seen in the batch. */
  first_version: number;
  /** The highest version seen. */
  max_version: number;
  /** `hash` of the event at `max_version`. */
  tip_hash: string;
  /** A version arrived more than one above the highest before it: an event is missing in between. */
  gap: boolean;
}

export interface BatchTips {
  tips: StreamTip[];
  /** Messages that are not event envelopes (no stream id, version or hash). */
  malformed: number;
}

interface Positioned {
  stream_id: string;
  stream_version: number;
  hash: string;
}

/**
 * Where each stream of a batch of topic messages stands. Only the position fields are read (no
 * upcasting, no schema check): republishing asks "which of the store's events are there", whatever
 * release wrote them. Lower or equal versions after a higher one are at-least-once duplicates and
 * change nothing.
 */
export function streamTips(messages: Pick<KafkaMessage, 'value'>[]): BatchTips {
  const tips = new Map<string, StreamTip>();
  let malformed = 0;
  for (const message of messages) {
    const event = position(message);
    if (!event) {
      malformed++;
      continue;
    }
    const tip = tips.get(event.stream_id);
    if (!tip) {
      tips.set(event.stream_id, {
        stream_id: event.stream_id,
        first_version: event.stream_version,
        max_version: event.stream_version,
        tip_hash: event.hash,
        gap: false,
      });
    } else if (event.stream_version > tip.max_version) {
      if (event.stream_version > tip.max_version + 1) tip.gap = true;
      tip.max_version = event.stream_version;
      tip.tip_hash = event.hash;
    }
  }
  return { tips: [...tips.values()], malformed };
}

function position(message: Pick<KafkaMessage, 'value'>): Positioned | null {
  if (!message.value) return null;
  try {
    const e = JSON.parse(message.value.toString('utf8')) as Partial<Positioned> | null;
    const ok =
      typeof e === 'object' &&
      e !== null &&
      typeof e.stream_id === 'string' &&
      Number.isInteger(e.stream_version) &&
      (e.stream_version as number) > 0 &&
      typeof e.hash === 'string';
    return ok ? (e as Positioned) : null;
  } catch {
    return null;
  }
}
