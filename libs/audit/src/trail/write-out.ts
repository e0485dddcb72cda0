import { once } from 'node:events';
import type { Writable } from 'node:stream';

/** Writes `text` and waits while the stream's buffer is full, so a long trail piped to a slow reader stays small in memory. */
export async function writeOut(stream: Writable, text: string): Promise<void> {
  if (text === '' || stream.write(text)) return;
  await once(stream, 'drain');
}
