import { parseArgs } from 'node:util';
import { UsageError } from '../cli/audit-command';

export const VERIFY_FORMATS = ['text', 'json'] as const;
export type VerifyFormat = (typeof VERIFY_FORMATS)[number];

export interface VerifyOptions {
  /** The topic to compare the store with; null with `--store-only`. */
  topic: string | null;
  format: VerifyFormat;
}

/** Reads `verify`'s command line; `liveTopic` is the default topic (this deployment's event topic). */
export function parseVerifyArgs(args: string[], liveTopic: string): VerifyOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        'store-only': { type: 'boolean', default: false },
        topic: { type: 'string' },
        format: { type: 'string', default: 'text' },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values['store-only'] && values.topic !== undefined) {
    throw new UsageError('--store-only compares with no topic: drop --topic or --store-only');
  }
  if (values.topic !== undefined && values.topic.trim() === '') throw new UsageError('--topic needs a name');
  const format = values.format as VerifyFormat;
  if (!VERIFY_FORMATS.includes(format)) {
    throw new UsageError(`--format must be one of ${VERIFY_FORMATS.join(', ')}: ${values.format}`);
  }
  return { topic: values['store-only'] ? null : (values.topic ?? liveTopic), format };
}
