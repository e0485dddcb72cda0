import { configFromEnvironment, InvalidConfigError } from '@libs/config';
import { migrate } from '@libs/database';

/**
 * `npm run migration:run`: creates the database if needed and applies pending migrations as the owner
 * (`DATABASE_URL`), then grants the api's and the projector's roles.
 */
async function main(): Promise<void> {
  const config = configFromEnvironment();
  const applied = await migrate(config.database.url, {
    api: config.database.api,
    projector: config.database.projector,
  });
  const db = new URL(config.database.url).pathname.slice(1);
  process.stdout.write(
    applied.length > 0
      ? `migrations applied to ${db}: ${applied.join(', ')}\n`
      : `database ${db} is up to date\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`migrate: ${error instanceof InvalidConfigError ? error.message : String(error)}\n`);
  process.exit(1);
});
