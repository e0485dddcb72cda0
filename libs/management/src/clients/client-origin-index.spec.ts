import type { ClientOriginList, ClientRepository } from '@libs/tenants';
import { ClientOriginIndex, OriginTable } from './client-origin-index';

describe('OriginTable', () => {
  const table = new OriginTable([
    { clientId: 'spa', origins: ['https://app.example.com', 'https://*.preview.example.com'] },
    { clientId: 'admin', origins: ['https://app.example.com', 'https://admin.example.com'] },
  ]);

  it('knows which clients list an origin, exactly or by subdomain', () => {
    expect(table.lists('https://app.example.com')).toBe(true);
    expect(table.lists('https://app.example.com', 'spa')).toBe(true);
    expect(table.lists('https://app.example.com', 'admin')).toBe(true);
    expect(table.lists('https://admin.example.com', 'spa')).toBe(false);
    expect(table.lists('https://pr-7.preview.example.com')).toBe(true);
    expect(table.lists('https://pr-7.preview.example.com', 'spa')).toBe(true);
    expect(table.lists('https://pr-7.preview.example.com', 'admin')).toBe(false);
  });

  it('issue 19 finding 12: ignores a stored wildcard now refused, keeping the client’s other origins', () => {
    const stored = new OriginTable([
      { clientId: 'old', origins: ['https://*.co.uk', 'http://*.example.org', 'https://app.example.org'] },
    ]);
    expect(stored.lists('https://shop.co.uk')).toBe(false);
    expect(stored.lists('http://app.example.org')).toBe(false);
    expect(stored.lists('https://app.example.org', 'old')).toBe(true);
  });

  it('lists nothing else', () => {
    expect(table.lists('https://evil.example.net')).toBe(false);
    expect(table.lists('https://app.example.com', 'unknown')).toBe(false);
    expect(table.lists('null')).toBe(false);
  });
});

describe('ClientOriginIndex', () => {
  const repository = (lists: ClientOriginList[][]) => {
    const listOrigins = jest.fn(async () => lists.shift() ?? []);
    return { repo: { listOrigins } as unknown as ClientRepository, listOrigins };
  };

  it('answers from one query, and reloads once a client changed', async () => {
    const { repo, listOrigins } = repository([
      [{ clientId: 'spa', origins: ['https://app.example.com'] }],
      [{ clientId: 'spa', origins: ['https://new.example.com'] }],
    ]);
    const index = new ClientOriginIndex(repo);
    const answers = await Promise.all([
      index.listedByAnyClient('https://app.example.com'),
      index.listedByClient('spa', 'https://app.example.com'),
      index.listedByClient('other', 'https://app.example.com'),
    ]);
    expect(answers).toEqual([true, true, false]);
    expect(listOrigins).toHaveBeenCalledTimes(1);

    index.invalidate();
    expect(await index.listedByAnyClient('https://app.example.com')).toBe(false);
    expect(await index.listedByClient('spa', 'https://new.example.com')).toBe(true);
    expect(listOrigins).toHaveBeenCalledTimes(2);
  });

  it('does not keep a table read while a client changed', async () => {
    let release!: (lists: ClientOriginList[]) => void;
    const listOrigins = jest
      .fn()
      .mockReturnValueOnce(new Promise((resolve) => (release = resolve)))
      .mockResolvedValue([{ clientId: 'spa', origins: ['https://app.example.com'] }]);
    const index = new ClientOriginIndex({ listOrigins } as unknown as ClientRepository);
    const stale = index.listedByAnyClient('https://app.example.com');
    index.invalidate();
    release([]);
    expect(await stale).toBe(false);
    expect(await index.listedByAnyClient('https://app.example.com')).toBe(true);
    expect(listOrigins).toHaveBeenCalledTimes(2);
  });
});
