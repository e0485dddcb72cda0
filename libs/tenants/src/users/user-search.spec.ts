import { parseUserSearch } from './user-search';

describe('parseUserSearch', () => {
  it('parses field terms, quoted values, prefixes and booleans joined by AND', () => {
    expect(parseUserSearch('email:"jane@example.com" AND name:Ja* blocked:true')).toEqual([
      { field: 'email', value: 'jane@example.com', match: 'exact' },
      { field: 'name', value: 'Ja', match: 'prefix' },
      { field: 'blocked', value: true },
    ]);
    expect(parseUserSearch('user_id:"auth0|abc"')).toEqual([
      { field: 'user_id', value: 'auth0|abc', match: 'exact' },
    ]);
    expect(parseUserSearch('name:"Jane \\"JD\\" Doe"')).toEqual([
      { field: 'name', value: 'Jane "JD" Doe', match: 'exact' },
    ]);
  });

  it('treats bare words as a search in email, name and nickname', () => {
    expect(parseUserSearch('jane')).toEqual([{ field: 'any', value: 'jane', match: 'contains' }]);
    expect(parseUserSearch('jan*')).toEqual([{ field: 'any', value: 'jan', match: 'prefix' }]);
    expect(parseUserSearch('  ')).toEqual([]);
    expect(parseUserSearch('*')).toEqual([]);
  });

  it.each([
    ['email:a OR email:b', /OR is not supported/],
    ['NOT blocked:true', /NOT is not supported/],
    ['logins_count:[1 TO 5]', /groups and ranges|cannot search/],
    ['password:x', /cannot search on password/],
    ['blocked:maybe', /blocked must be true or false/],
    ['name:j*ne', /trailing \* wildcard/],
    ['name:"unterminated', /cannot parse/],
  ])('refuses %s with invalid_query_string', (q, message) => {
    expect(() => parseUserSearch(q)).toThrow(expect.objectContaining({ code: 'invalid_user_search' }));
    expect(() => parseUserSearch(q)).toThrow(message);
  });

  it('caps the number of terms', () => {
    expect(() => parseUserSearch(Array.from({ length: 11 }, (_, i) => `w${i}`).join(' '))).toThrow(
      /at most 10/,
    );
  });
});
