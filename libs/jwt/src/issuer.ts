import type { AppConfig } from '@libs/config';

/**
 * The `iss` of every token this tenant signs: `PUBLIC_URL` with one trailing slash, as Auth0 writes it.
 *
 * @example
 * issuerFor(loadConfig({ PUBLIC_URL: 'https://tenant.example.com' })); // 'https://tenant.example.com/'
 */
export function issuerFor(config: Pick<AppConfig, 'publicUrl'>): string {
  return `${config.publicUrl.replace(/\/+$/, '')}/`;
}
