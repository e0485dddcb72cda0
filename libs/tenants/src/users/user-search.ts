import { TenantError, TenantErrorCode } from '../errors/tenant.error';

/** Fields `q` can search. */
export const SEARCHABLE_FIELDS = [
  'email',
  'user_id',
  'name',
  'nickname',
  'blocked',
  'email_verified',
] as const;
/** One searchable field. */
export type SearchableField = (typeof SEARCHABLE_FIELDS)[number];

/** One condition of a user search; every condition of a search must hold. */
export type UserSearchTerm =
  | { field: 'blocked' | 'email_verified'; value: boolean }
  | { field: 'email' | 'user_id' | 'name' | 'nickname'; value: string; match: 'exact' | 'prefix' }
  /** A bare term: found in the email, name or nickname. */
  | { field: 'any'; value: string; match: 'contains' | 'prefix' };

const MAX_TERMS = 10;
const invalid = (detail: string) =>
  new TenantError(TenantErrorCode.InvalidUserSearch, `Query validation error: '${detail}' on property q.`);

function isSearchable(field: string): field is SearchableField {
  return (SEARCHABLE_FIELDS as readonly string[]).includes(field);
}

/** Splits `q` into terms: `field:value`, `field:"quoted value"`, `field:prefix*`, bare words, `AND`. */
function tokenize(q: string): Array<{ field?: string; value: string; quoted: boolean }> {
  const tokens: Array<{ field?: string; value: string; quoted: boolean }> = [];
  const pattern = /\s*(?:([A-Za-z_]+):)?(?:"((?:[^"\\]|\\.)*)"|([^\s"]+))\s*/y;
  const text = q.trim();
  let at = 0;
  while (at < text.length) {
    pattern.lastIndex = at;
    const found = pattern.exec(text);
    if (!found) throw invalid(`cannot parse the query at position ${at}`);
    at = pattern.lastIndex;
    const [, field, quoted, bare] = found;
    if (quoted !== undefined) tokens.push({ field, value: quoted.replace(/\\(.)/g, '$1'), quoted: true });
    else tokens.push({ field, value: bare, quoted: false });
  }
  return tokens;
}

/**
 * Parses the subset of Auth0's user search syntax (Lucene, search engine v3) this tenant supports:
 * `email:"jane@example.com"`, `name:jane*`, `blocked:true`, bare words, joined by spaces or `AND`.
 * Anything else (OR, NOT, ranges, groups, other fields) is refused rather than half-understood.
 *
 * @example
 * parseUserSearch('email:"jane@example.com" AND blocked:false');
 */
export function parseUserSearch(q: string): UserSearchTerm[] {
  const terms: UserSearchTerm[] = [];
  for (const token of tokenize(q)) {
    if (!token.field && !token.quoted && token.value === 'AND') continue;
    if (!token.field && !token.quoted && ['OR', 'NOT', '&&', '||'].includes(token.value)) {
      throw invalid(`${token.value} is not supported; terms are combined with AND`);
    }
    if (!token.quoted && /[()[\]{}]/.test(token.value)) throw invalid('groups and ranges are not supported');
    const prefix = !token.quoted && token.value.endsWith('*');
    const value = prefix ? token.value.slice(0, -1) : token.value;
    if (!token.quoted && value.includes('*')) throw invalid('only a trailing * wildcard is supported');
    if (value === '') continue;
    if (token.field === undefined) {
      terms.push({ field: 'any', value, match: prefix ? 'prefix' : 'contains' });
      continue;
    }
    const field = token.field;
    if (!isSearchable(field))
      throw invalid(`cannot search on ${field}; searchable: ${SEARCHABLE_FIELDS.join(', ')}`);
    if (field === 'blocked' || field === 'email_verified') {
      if (prefix || (value !== 'true' && value !== 'false')) throw invalid(`${field} must be true or false`);
      terms.push({ field, value: value === 'true' });
    } else {
      terms.push({ field, value, match: prefix ? 'prefix' : 'exact' });
    }
  }
  if (terms.length > MAX_TERMS) throw invalid(`at most ${MAX_TERMS} terms`);
  return terms;
}
