import { loadConfig, type AppConfig } from './config';

/** The only reader of `process.env`: validates it once, at boot. */
export function configFromEnvironment(): AppConfig {
  return loadConfig(process.env);
}
