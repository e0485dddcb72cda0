import { LEGACY_TERMS } from '../credential/refresh-token-policy';
import type { TokenIssued, TokenIssuedV1 } from '../events';

/**
 * `TokenIssued` 1 → 2. Version 2 records the terms the token was issued with and its DPoP binding.
 * Every token issued before had the legacy terms (never rotating, never expiring) and no binding: those
 * are facts, not guesses.
 */
export function tokenIssuedV1ToV2(data: TokenIssuedV1['data']): TokenIssued['data'] {
  return { ...data, terms: { ...LEGACY_TERMS }, jkt: null };
}
