/** One dependency a process needs to serve traffic; `check` rejects with the reason when it is down. */
export abstract class ReadinessCheck {
  abstract readonly name: string;
  abstract check(): Promise<void>;
}

export const READINESS_CHECKS = Symbol('READINESS_CHECKS');
