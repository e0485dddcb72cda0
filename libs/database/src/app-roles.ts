import { Client } from 'pg';

/** The processes that connect with a role of their own (least privilege); migrations run as the owner. */
export type AppRole = 'api' | 'projector';
type Privilege = 'SELECT' | 'INSERT' | 'UPDATE' | 'DELETE';

/**
 * What each process may do to each table, and nothing more: no TRUNCATE, REFERENCES or TRIGGER
 * anywhere, and only the owner may ALTER (disable a trigger) or DROP. The append-only tables stay
 * append-only even for a compromised process: `events` and `delegation_failures` take INSERT and
 * SELECT only (their triggers refuse UPDATE/DELETE as a second line); the relay moves its
 * `relay_checkpoint` (UPDATE), and `outbox` is a view of what it has not published (SELECT).
 * `SELECT … FOR UPDATE` needs UPDATE, hence the projector's.
 * The projector reads `events` to confirm an unkeyed (pre-keyed-chain) event from the topic is the
 * store's before applying it; the api reads `projection_streams` to refuse a view row the store contradicts.
 * The api deletes `clients` rows (DELETE /api/v2/clients/{id}; their `authorization_codes` cascade as the owner).
 * The api prunes expired `issued_id_tokens` rows as it inserts (`FOR UPDATE SKIP LOCKED`, hence UPDATE).
 * A table or view a migration adds must be listed here (app-roles.int-spec checks it).
 */
export const TABLE_PRIVILEGES: Record<string, Record<AppRole, Privilege[]>> = {
  events: { api: ['SELECT', 'INSERT'], projector: ['SELECT'] },
  outbox: { api: ['SELECT'], projector: [] },
  relay_checkpoint: { api: ['SELECT', 'UPDATE'], projector: [] },
  delegation_failures: { api: ['SELECT', 'INSERT'], projector: [] },
  device_credentials: { api: ['SELECT'], projector: ['SELECT', 'INSERT', 'UPDATE', 'DELETE'] },
  projection_checkpoints: { api: [], projector: ['SELECT', 'INSERT', 'UPDATE'] },
  projection_streams: { api: ['SELECT'], projector: ['SELECT', 'INSERT', 'UPDATE'] },
  clients: { api: ['SELECT', 'INSERT', 'UPDATE', 'DELETE'], projector: [] },
  users: { api: ['SELECT', 'INSERT', 'UPDATE', 'DELETE'], projector: [] },
  signing_keys: { api: ['SELECT', 'INSERT', 'UPDATE'], projector: [] },
  authorization_codes: { api: ['SELECT', 'INSERT', 'UPDATE'], projector: [] },
  dashboard_admins: { api: ['SELECT', 'INSERT'], projector: [] },
  dashboard_sessions: { api: ['SELECT', 'INSERT', 'UPDATE', 'DELETE'], projector: [] },
  issued_id_tokens: { api: ['SELECT', 'INSERT', 'UPDATE', 'DELETE'], projector: [] },
  schema_migrations: { api: [], projector: [] },
};

/** The role names `npm start` and the test stack use when no connection of a process's own is given. */
export const DEFAULT_APP_ROLES: Record<AppRole, string> = { api: 'rts_api', projector: 'rts_projector' };

const ROLE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** `url` with its user (and password) replaced: the connection of role `user` to the same database. */
export function connectionAs(url: string, user: string, password = ''): string {
  const target = new URL(url);
  target.username = encodeURIComponent(user);
  target.password = password ? encodeURIComponent(password) : '';
  return target.toString();
}

const userOf = (url: string) => decodeURIComponent(new URL(url).username) || 'postgres';

/**
 * Creates the role if it does not exist yet. Roles are cluster-wide and many databases are migrated at
 * once (tests): two concurrent CREATE ROLEs of one name end in a unique violation for the later one,
 * which here means "exists".
 */
async function ensureRole(client: Client, name: string, password: string): Promise<void> {
  const exists = async () =>
    ((await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [name])).rowCount ?? 0) > 0;
  if (await exists()) return;
  const withPassword = password ? ` PASSWORD ${client.escapeLiteral(password)}` : '';
  try {
    await client.query(`CREATE ROLE ${ident(name)} LOGIN NOINHERIT${withPassword}`);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if ((code !== '23505' && code !== '42710') || !(await exists())) throw error;
  }
}

/**
 * Grants each process's role exactly `TABLE_PRIVILEGES` on the database at `ownerUrl` (revoking
 * anything else it had), creating the role when missing (with the password its URL carries, if any).
 * `roles` are the processes' connection URLs; one that connects as the owner itself is left alone.
 * Idempotent: runs after every migration.
 */
export async function grantAppRoles(
  ownerUrl: string,
  roles: Partial<Record<AppRole, string>>,
): Promise<void> {
  const owner = userOf(ownerUrl);
  const granted = (Object.entries(roles) as [AppRole, string][]).filter(([, url]) => userOf(url) !== owner);
  if (granted.length === 0) return;
  const client = new Client({ connectionString: ownerUrl });
  await client.connect();
  try {
    // Serial columns: a role that inserts into a table needs USAGE on its sequence.
    const sequences = (
      await client.query<{ sequence: string; table: string }>(
        `SELECT s.relname AS sequence, t.relname AS table
           FROM pg_class s
           JOIN pg_depend d ON d.objid = s.oid AND d.deptype IN ('a', 'i')
           JOIN pg_class t ON t.oid = d.refobjid
           JOIN pg_namespace n ON n.oid = s.relnamespace
          WHERE s.relkind = 'S' AND n.nspname = 'public'`,
      )
    ).rows;
    const tables = new Set(
      (
        await client.query<{ tablename: string }>(
          `SELECT tablename FROM pg_tables WHERE schemaname = 'public'
           UNION ALL SELECT viewname FROM pg_views WHERE schemaname = 'public'`,
        )
      ).rows.map((r) => r.tablename),
    );
    for (const [process, url] of granted) {
      const name = userOf(url);
      if (!ROLE_NAME.test(name)) throw new Error(`the ${process} role "${name}" is not a plain role name`);
      await ensureRole(client, name, decodeURIComponent(new URL(url).password));
      const role = ident(name);
      // PostgreSQL 15 no longer lets PUBLIC create in schema public; older servers are told so here.
      const statements = [
        'REVOKE CREATE ON SCHEMA public FROM PUBLIC',
        `GRANT USAGE ON SCHEMA public TO ${role}`,
      ];
      for (const [table, privileges] of Object.entries(TABLE_PRIVILEGES)) {
        if (!tables.has(table)) continue;
        statements.push(`REVOKE ALL ON TABLE ${ident(table)} FROM ${role}`);
        const own = privileges[process];
        if (own.length > 0) statements.push(`GRANT ${own.join(', ')} ON TABLE ${ident(table)} TO ${role}`);
        for (const { sequence } of sequences.filter((s) => s.table === table)) {
          statements.push(`REVOKE ALL ON SEQUENCE ${ident(sequence)} FROM ${role}`);
          if (own.includes('INSERT'))
            statements.push(`GRANT USAGE ON SEQUENCE ${ident(sequence)} TO ${role}`);
        }
      }
      await client.query(['BEGIN', ...statements, 'COMMIT'].join(';\n'));
    }
  } finally {
    await client.end();
  }
}
