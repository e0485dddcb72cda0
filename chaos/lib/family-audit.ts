/**
 * The checks of the rotating refresh-token families after the api-kill-rotating scenario, on each
 * family's stream as the store holds it and on what its client was told. Pure: the scenario reads the
 * events and hashes the tokens; this decides.
 *
 * A family is one credential stream: `TokenIssued` (its first token), then per exchange a
 * `TokenRotated` (presented token → new token) with its `IdTokenDelegated`. Its tokens form a tree
 * rooted at the issued token. A network retry within the leeway (the answer to the first attempt was
 * lost in the kill) rotates the same token again: a *sibling rotation*, whose token nobody ever
 * received. A family is whole when the tree is one line of tokens that the client used, plus such
 * dead-end siblings — never two branches in use.
 */

/** One event of a family's stream, with whether its keyed hash recomputes under the audit key. */
export interface FamilyEvent {
  type: string;
  version: number;
  previousHash: string | null;
  hash: string;
  hashVerifies: boolean;
  data: Record<string, unknown>;
}

/** What one client did with its family: the hashes of the tokens it held, and how often it sent each. */
export interface FamilyClient {
  /** Device name: the family's name in the ledger. */
  key: string;
  /** The family's credential id (`dcr_…`), or undefined when no stream holds its issued token. */
  familyId: string | undefined;
  /** Keyed hashes of the tokens it received, in order: the issued token, then each rotation's. */
  received: string[];
  /** Requests sent with each token (hash → count, retries included). */
  sent: Record<string, number>;
}

export interface FamilyAudit {
  /**
   * Violation counts, `<column>.<detail>`: lost, forked, revokedByMistake (families, each counted once,
   * by the first event that ended it: a reuse detected within or past the leeway, a revocation, an expiry).
   */
  breakdown: Record<string, number>;
  rotations: number;
  siblingRotations: number;
  /** Tokens of the families that are in force and that no client holds (the siblings' tokens). */
  unheldTokens: number;
  samples: string[];
}

const SAMPLES = 10;
const text = (value: unknown) => (typeof value === 'string' ? value : undefined);

/** Audits every family: its stream's chain, its token tree, and its client's view of it. */
export function auditFamilies(
  clients: readonly FamilyClient[],
  streams: ReadonlyMap<string, readonly FamilyEvent[]>,
  leewayS: number,
): FamilyAudit {
  const breakdown: Record<string, number> = {
    'lost.familyNotInStore': 0,
    'lost.rotationNotInStore': 0,
    'forked.versionGap': 0,
    'forked.chainBroken': 0,
    'forked.previousNotInFamily': 0,
    'forked.tokenIssuedTwice': 0,
    'forked.branchesInUse': 0,
    'forked.unexplainedSibling': 0,
    'forked.clientChainMismatch': 0,
    'revokedByMistake.reuseWithinLeeway': 0,
    'revokedByMistake.reusePastLeeway': 0,
    'revokedByMistake.revoked': 0,
    'revokedByMistake.expired': 0,
  };
  const samples: string[] = [];
  const sample = (line: string) => {
    if (samples.length < SAMPLES) samples.push(line);
  };
  let rotations = 0;
  let siblingRotations = 0;
  let unheldTokens = 0;

  for (const client of clients) {
    const events = client.familyId ? (streams.get(client.familyId) ?? []) : [];
    const name = `${client.key} (${client.familyId ?? 'no stream'})`;
    if (events.length === 0 || events[0].type !== 'TokenIssued') {
      breakdown['lost.familyNotInStore']++;
      sample(`${name}: no stream starting with TokenIssued for its issued token`);
      continue;
    }

    // The stream: versions 1, 2, 3 … and each event's previous_hash the hash of the one before.
    events.forEach((event, i) => {
      if (event.version !== i + 1) {
        breakdown['forked.versionGap']++;
        sample(`${name}: event ${i + 1} has version ${event.version}`);
      }
      const linked = event.previousHash === (i === 0 ? null : events[i - 1].hash);
      if (!linked || !event.hashVerifies) {
        breakdown['forked.chainBroken']++;
        sample(`${name}: version ${event.version} ${linked ? 'does not recompute' : 'is not linked'}`);
      }
    });

    // The token tree: parent of each token, children of each token.
    const issued = text(events[0].data.token_hash);
    const parent = new Map<string, string | null>(issued ? [[issued, null]] : []);
    const children = new Map<string, string[]>();
    // The first event that ended the family, if any: each family counts once.
    let ended: 'reuseWithinLeeway' | 'reusePastLeeway' | 'revoked' | 'expired' | undefined;
    for (const event of events) {
      switch (event.type) {
        case 'TokenRotated': {
          rotations++;
          const previous = text(event.data.previous_token_hash) ?? '';
          const next = text(event.data.token_hash) ?? '';
          if (!parent.has(previous)) {
            breakdown['forked.previousNotInFamily']++;
            sample(`${name}: version ${event.version} rotates a token that is not of the family`);
          }
          if (parent.has(next)) {
            breakdown['forked.tokenIssuedTwice']++;
            sample(`${name}: version ${event.version} issues a token the family already had`);
          }
          parent.set(next, previous);
          children.set(previous, [...(children.get(previous) ?? []), next]);
          break;
        }
        case 'RefreshTokenReused': {
          const late =
            (Date.parse(text(event.data.detected_at) ?? '') - Date.parse(text(event.data.retired_at) ?? '')) /
            1000;
          ended ??= late > leewayS ? 'reusePastLeeway' : 'reuseWithinLeeway';
          sample(
            `${name}: reuse detected ${late.toFixed(1)} s after the token was retired (leeway ${leewayS} s)`,
          );
          break;
        }
        case 'TokenRevoked':
          ended ??= 'revoked';
          sample(`${name}: revoked (${text(event.data.reason) ?? '?'})`);
          break;
        case 'TokenExpired':
          ended ??= 'expired';
          sample(`${name}: expired (${text(event.data.lifetime) ?? '?'})`);
          break;
      }
    }

    if (ended) breakdown[`revokedByMistake.${ended}`]++;

    // Siblings: a token rotated more than once. Each must be a retry the client sent (an answer lost),
    // and at most one of the results may have been used further.
    for (const [token, next] of children) {
      if (next.length < 2) continue;
      siblingRotations += next.length - 1;
      const sent = client.sent[token] ?? 0;
      if (next.length > sent) {
        breakdown['forked.unexplainedSibling'] += next.length - sent;
        sample(`${name}: a token rotated ${next.length} times, sent ${sent} times`);
      }
      const inUse = next.filter((t) => children.has(t)).length;
      if (inUse > 1) {
        breakdown['forked.branchesInUse'] += inUse - 1;
        sample(`${name}: ${inUse} rotations of one token were each rotated again`);
      }
    }

    // The client's line: each token it received is the family's rotation of the one it presented.
    if (client.received[0] !== issued) {
      breakdown['forked.clientChainMismatch']++;
      sample(`${name}: the issued token is not the stream's`);
    }
    for (let i = 1; i < client.received.length; i++) {
      const token = client.received[i];
      if (!parent.has(token)) {
        breakdown['lost.rotationNotInStore']++;
        sample(`${name}: token ${i} was received but no TokenRotated of the family issued it`);
      } else if (parent.get(token) !== client.received[i - 1]) {
        breakdown['forked.clientChainMismatch']++;
        sample(`${name}: token ${i} was issued for another token than the one presented`);
      }
    }
    const held = client.received.at(-1);
    for (const token of parent.keys()) if (!children.has(token) && token !== held) unheldTokens++;
  }
  return { breakdown, rotations, siblingRotations, unheldTokens, samples };
}
