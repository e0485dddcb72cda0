import { AsyncLocalStorage } from 'node:async_hooks';

const plane = new AsyncLocalStorage<'control'>();

/**
 * The control plane: revocations and the administration around them (Management API DELETE, user
 * blocking, `/oauth/revoke`, the dashboard's unlink). Work started inside `ControlPlane.run` keeps that
 * mark across its awaits, so every statement it issues takes the control plane's own connections
 * (`pgPool`) and its own lane of every `StatementBatcher`: a revocation never queues behind delegations.
 *
 * @example
 * await ControlPlane.run(() => credentials.revoke(id, 'management_api', actor, context));
 */
export const ControlPlane = {
  /** Runs `work` (and everything it awaits) on the control plane. */
  run<T>(work: () => T): T {
    return plane.run('control', work);
  },
  /** Runs `work` on the data plane, also when called from control-plane work (a batch's statement). */
  outside<T>(work: () => T): T {
    return plane.exit(work);
  },
  /** True inside `ControlPlane.run`. */
  active(): boolean {
    return plane.getStore() === 'control';
  },
};
