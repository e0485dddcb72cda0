import { InvalidClient } from './oauth-errors';

/** A client id and secret sent as HTTP Basic credentials. */
export interface BasicCredentials {
  id: string;
  secret: string;
}

/**
 * Reads `Authorization: Basic …` (RFC 6749 §2.3.1: id and secret are each form-urlencoded, then joined
 * by a colon); `undefined` without such a header, `invalid_client` when it cannot be decoded.
 *
 * @example
 * basicCredentials('Basic ' + btoa('app:s%3Acret')); // { id: 'app', secret: 's:cret' }
 */
export function basicCredentials(header: string | undefined): BasicCredentials | undefined {
  if (!header?.toLowerCase().startsWith('basic ')) return undefined;
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) throw new InvalidClient('Malformed Basic credentials.');
  try {
    return {
      id: decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' ')),
      secret: decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, ' ')),
    };
  } catch {
    throw new InvalidClient('Malformed Basic credentials.');
  }
}
