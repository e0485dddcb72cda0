import type { Type } from '@nestjs/common';
import type { Writable } from 'node:stream';

/** Where a command writes: results on `out` (pipeable: json, csv), progress and diagnostics on `err`. */
export interface AuditIo {
  out: Writable & { isTTY?: boolean };
  err: Writable & { isTTY?: boolean };
}

/** What `--help` shows for a command; readable without connecting to anything. */
export interface CommandHelp {
  /** The sub-command word. */
  name: string;
  /** One line for the command list. */
  summary: string;
  /** Usage text printed by `<name> --help` and on a usage error. */
  usage: string;
}

/**
 * One auditor command (`npm run audit -- <name> ...`). A Nest provider, so it gets the database, Kafka
 * and configuration injected; returns the process exit code (0 = the log is as it should be).
 */
export abstract class AuditCommand {
  abstract run(args: string[], io: AuditIo): Promise<number>;
}

/** A command class with its help attached (`static readonly help`). */
export type AuditCommandType = Type<AuditCommand> & { readonly help: CommandHelp };

/** A bad command line: printed with the command's usage, exit code 64 (EX_USAGE). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Exit codes (sysexits.h where one fits): 1 = the audit found a difference or a break. */
export const EXIT = { ok: 0, findings: 1, usage: 64, unavailable: 69, config: 78 } as const;
