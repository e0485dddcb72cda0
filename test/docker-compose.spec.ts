import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { EnvDto } from '@libs/config';
import { APP_ENTRIES, APP_NODE_FLAGS } from '@libs/testing';

/** docker-compose.yml cannot run on machines without Docker; keep it consistent with the code instead. */
describe('docker-compose.yml', () => {
  const root = resolve(__dirname, '..');
  const compose = parse(readFileSync(resolve(root, 'docker-compose.yml'), 'utf8'), { merge: true });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- free-form YAML
  const services = compose.services as Record<string, Record<string, any>>;

  it('describes Kafka (KRaft), PostgreSQL, the migration and every app', () => {
    expect(Object.keys(services).sort()).toEqual(['api', 'kafka', 'migrate', 'postgres', 'projector']);
    expect(services.kafka.image).toMatch(/^apache\/kafka:/);
    expect(services.kafka.environment.KAFKA_PROCESS_ROLES).toBe('broker,controller');
    expect(services.postgres.image).toMatch(/^postgres:/);
  });

  it('gives every long-running service a health check', () => {
    for (const name of ['kafka', 'postgres', 'api', 'projector'])
      expect(services[name].healthcheck).toBeDefined();
  });

  it('runs the entry points the build produces', () => {
    expect(services.api.command).toEqual(['node', ...APP_NODE_FLAGS, APP_ENTRIES.api]);
    expect(services.projector.command).toEqual(['node', ...APP_NODE_FLAGS, APP_ENTRIES.projector]);
    expect(services.migrate.command[1]).toBe(APP_ENTRIES.api.replace('main.js', 'migrate.js'));
  });

  it('sets only variables the configuration knows', () => {
    const known = new Set(Object.keys(new EnvDto()));
    for (const name of ['api', 'projector', 'migrate']) {
      for (const variable of Object.keys(services[name].environment)) expect(known).toContain(variable);
    }
  });

  it('builds from a multi-stage Dockerfile on Node 24 that runs as a non-root user', () => {
    const dockerfile = readFileSync(resolve(root, 'Dockerfile'), 'utf8');
    expect(dockerfile.match(/^FROM node:24/gm)).toHaveLength(2);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toContain(
      `CMD ["node", ${APP_NODE_FLAGS.map((f) => `"${f}"`).join(', ')}, "${APP_ENTRIES.api}"]`,
    );
    expect(existsSync(resolve(root, '.dockerignore'))).toBe(true);
  });
});
