/**
 * An event this release cannot read: a type it does not know, or a schema version newer than it knows
 * (written by a later release). Reading it anyway would mean guessing at its fields, so it is refused;
 * the cure is to upgrade the reader, never to skip the check. Not a `DomainError`: no client caused it.
 */
export class UnsupportedEventError extends Error {
  static readonly code = 'ERR_UNSUPPORTED_EVENT';
  readonly code = UnsupportedEventError.code;

  constructor(
    readonly type: string,
    readonly schemaVersion: unknown,
    reason: string,
  ) {
    super(`${type} schema_version ${String(schemaVersion)}: ${reason}`);
    this.name = 'UnsupportedEventError';
  }
}
