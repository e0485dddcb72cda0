import { streamTips } from './stream-tips';

const message = (stream: string, version: number) => ({
  value: Buffer.from(
    JSON.stringify({ stream_id: stream, stream_version: version, hash: `${stream}-${version}` }),
  ),
});

describe('streamTips', () => {
  it('gives each stream its first and highest version and the hash at the highest', () => {
    const { tips, malformed } = streamTips([
      message('a', 1),
      message('b', 4),
      message('a', 2),
      message('b', 5),
    ]);
    expect(malformed).toBe(0);
    expect(tips).toEqual([
      { stream_id: 'a', first_version: 1, max_version: 2, tip_hash: 'a-2', gap: false },
      { stream_id: 'b', first_version: 4, max_version: 5, tip_hash: 'b-5', gap: false },
    ]);
  });

  it('treats a redelivered lower version as a duplicate, a skipped one as a gap', () => {
    const { tips } = streamTips([
      message('a', 1),
      message('a', 2),
      message('a', 1),
      message('a', 2),
      message('a', 4),
    ]);
    expect(tips).toEqual([{ stream_id: 'a', first_version: 1, max_version: 4, tip_hash: 'a-4', gap: true }]);
  });

  it('counts messages that carry no stream position as malformed', () => {
    const { tips, malformed } = streamTips([
      { value: Buffer.from('not json') },
      { value: null },
      { value: Buffer.from('{"stream_id":"a","stream_version":0,"hash":"h"}') },
      { value: Buffer.from('{"stream_id":"a","stream_version":"1","hash":"h"}') },
      message('b', 1),
    ]);
    expect(malformed).toBe(4);
    expect(tips.map((t) => t.stream_id)).toEqual(['b']);
  });
});
