/** Stable codes of the domain's refusals; each transport maps them to its own status and body. */
export type DomainErrorCode =
  | 'invalid_refresh_token'
  | 'credential_not_found'
  | 'credential_already_exists'
  | 'invalid_command';

/** A refusal decided by the domain (never an infrastructure failure). */
export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}
