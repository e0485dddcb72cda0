import { chromium, type Browser } from 'playwright-core';

/** Debian's package (scripts/ensure-chromium.sh installs it); playwright-core downloads no browser. */
export const CHROMIUM = '/usr/bin/chromium';

// launch() gives every browser a fresh temporary profile (its own --user-data-dir), deleted on close.
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Headless Debian Chromium, quiet and sandbox-free, as the browser e2e tests drive it. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}
