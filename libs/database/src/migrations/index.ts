import { CreateEventStore1764100000000 } from './1764100000000-CreateEventStore';

/** Every migration, oldest first. Listed, not globbed, so sources and builds run the same set. */
export const MIGRATIONS = [CreateEventStore1764100000000];
