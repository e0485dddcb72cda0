import { Writable } from 'node:stream';

/** A stream that keeps what is written to it (and is not a TTY), to assert on a CLI command's output. */
export class CapturedOutput extends Writable {
  text = '';
  readonly isTTY = false;

  override _write(chunk: Buffer, _encoding: string, callback: () => void): void {
    this.text += chunk.toString();
    callback();
  }
}

/** A command run the way the audit CLI runs it: arguments in, exit code out, output on two streams. */
interface Command {
  run(args: string[], io: { out: Writable; err: Writable }): Promise<number>;
}

/** Runs `command` with its stdout and stderr captured. */
export async function runCaptured(command: Command, args: string[]) {
  const out = new CapturedOutput();
  const err = new CapturedOutput();
  const code = await command.run(args, { out, err });
  return { code, out: out.text, err: err.text };
}
