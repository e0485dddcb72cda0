import type { IdTokenDelegated, IdTokenDelegatedV1 } from '../events';

/**
 * `IdTokenDelegated` 1 → 2. Version 2 records the scope the id_token was issued with; release 0.1.0
 * did not record it and it cannot be recovered (the id_token itself was never stored), so it is `null`:
 * "not recorded before schema version 2", never a guess such as the credential's granted scope.
 */
export function idTokenDelegatedV1ToV2(data: IdTokenDelegatedV1['data']): IdTokenDelegated['data'] {
  return { ...data, scope: null };
}
