import { DomainError, type DomainErrorCode } from '@libs/domain';

/**
 * Given/When/Then for deciders: `given(events).when(command).then(expected)` or `.thenThrows(code)`.
 * No database, no framework: a domain rule is checked in microseconds.
 */
export function deciderSpec<S, C, E>(decider: {
  decide: (command: C, state: S) => E[];
  evolve: (state: S, event: E) => S;
  initialState: S;
}) {
  return {
    given(history: E[]) {
      const state = history.reduce(decider.evolve, decider.initialState);
      return {
        when(command: C) {
          const run = () => decider.decide(command, state);
          return {
            then(expected: E[]) {
              expect(run()).toEqual(expected);
            },
            thenThrows(code: DomainErrorCode) {
              let caught: unknown;
              try {
                run();
              } catch (error) {
                caught = error;
              }
              expect(caught).toBeInstanceOf(DomainError);
              expect((caught as DomainError).code).toBe(code);
            },
          };
        },
      };
    },
  };
}

/**
 * Given/When/Then for a view's fold (`evolve(row, event)`): `given(events).when(event).then(row)`.
 * The projection's plumbing (Kafka, TypeORM, checkpoints) is tested apart with real infrastructure.
 */
export function viewSpec<R, E>(evolve: (row: R | null, event: E) => R | null) {
  return {
    given(history: E[]) {
      const row = history.reduce<R | null>(evolve, null);
      return {
        when(...events: E[]) {
          const after = () => events.reduce<R | null>(evolve, row);
          return {
            then(expected: R | null) {
              expect(after()).toEqual(expected);
            },
          };
        },
      };
    },
  };
}
