import { NestFactory } from '@nestjs/core';
import { configFromEnvironment, InvalidConfigError, type AppConfig } from '@libs/config';
import { AuditModule, COMMANDS } from '../audit.module';
import { EXIT, UsageError, type AuditCommandType, type AuditIo } from './audit-command';

const HELP = [
  'usage: npm run audit -- <command> [options]',
  '',
  ...COMMANDS.map(({ help }) => `  ${help.name.padEnd(10)} ${help.summary}`),
  '',
  'Run `npm run audit -- <command> --help` for its options.',
  '',
].join('\n');

/** The audit CLI: picks the command, validates the configuration, wires the module, runs it. */
export async function runAudit(argv: string[], io: AuditIo): Promise<number> {
  const [name, ...args] = argv;
  const command = COMMANDS.find(({ help }) => help.name === name);
  if (!command) {
    const known = name === undefined || name === '--help' || name === 'help';
    io.err.write(`${known ? '' : `audit: unknown command "${name}"\n\n`}${HELP}`);
    return known ? EXIT.ok : EXIT.usage;
  }
  if (args.includes('--help')) {
    io.out.write(`${command.help.usage}\n`);
    return EXIT.ok;
  }
  let config: AppConfig;
  try {
    config = configFromEnvironment();
  } catch (error) {
    if (!(error instanceof InvalidConfigError)) throw error;
    io.err.write(`audit: ${error.message}\n`);
    return EXIT.config;
  }
  return runCommand(command, args, config, io);
}

async function runCommand(command: AuditCommandType, args: string[], config: AppConfig, io: AuditIo) {
  const app = await NestFactory.createApplicationContext(AuditModule.register(config), {
    logger: ['error'],
    abortOnError: false,
  }).catch((error: unknown) => {
    io.err.write(`audit: cannot reach the database or Kafka: ${String(error)}\n`);
    return null;
  });
  if (!app) return EXIT.unavailable;
  try {
    return await app.get(command).run(args, io);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err.write(`audit ${command.help.name}: ${error.message}\n\n${command.help.usage}\n`);
    return EXIT.usage;
  } finally {
    await app.close();
  }
}
