import { selectFields, withTotals } from './list-params';

describe('list params', () => {
  const view = { user_id: 'u', email: 'e', name: 'n' };

  it('keeps or drops the listed fields', () => {
    expect(selectFields(view, 'user_id, email')).toEqual({ user_id: 'u', email: 'e' });
    expect(selectFields(view, 'email', false)).toEqual({ user_id: 'u', name: 'n' });
    expect(selectFields(view, undefined)).toBe(view);
    expect(selectFields(view, ' , ')).toBe(view);
  });

  it("wraps a page in Auth0's totals envelope", () => {
    expect(withTotals('users', [view], { page: 2, perPage: 10, total: 21 })).toEqual({
      start: 20,
      limit: 10,
      length: 1,
      total: 21,
      users: [view],
    });
  });
});
