/** A page of results as the repositories return it. */
export interface Page<T> {
  items: T[];
  total: number;
}
