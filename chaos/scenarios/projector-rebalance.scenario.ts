import { freePort } from '@libs/testing';
import { waitFor } from '../lib/waits';
import type { Scenario } from './scenario';

/**
 * A second projector joins the consumer group (partitions move to it) and leaves again (kill -9 by
 * default: its partitions come back after the session timeout; CHAOS_REBALANCE_LEAVE=SIGTERM leaves
 * cleanly). Proves that a rebalance neither loses nor double-applies: each member seeks to the stored
 * checkpoints of the partitions it is given, and a batch applied by the old owner is skipped by the new.
 */
export const projectorRebalance: Scenario = {
  name: 'rebalance',
  title: 'a second projector joins the group, then leaves',
  async run({ stack, config, log, progress, recover }) {
    await progress(0.3);
    log('projector-2 joins the consumer group');
    const joining = performance.now();
    stack.startProjector('projector-2', await freePort());
    const violations: Record<string, number> = {};
    let members = 0;
    let joinedAfterS: number | null = null;
    try {
      members = await waitFor(
        'two members in the consumer group',
        async () => {
          const admin = stack.kafka.admin();
          await admin.connect();
          try {
            const { groups } = await admin.describeGroups([stack.groupId]);
            const n = groups[0]?.state === 'Stable' ? groups[0].members.length : 0;
            return n >= 2 ? n : 0;
          } finally {
            await admin.disconnect();
          }
        },
        config.recoveryTimeoutMs,
        250,
      );
      joinedAfterS = Math.round((performance.now() - joining) / 100) / 10;
    } catch (error) {
      log(`the second member never joined: ${String(error)}`);
      violations['other.rebalanceNotObserved'] = 1;
    }
    await progress(0.6);
    const lagAtLeave = await stack.lag().catch(() => null);
    log(`projector-2 leaves (${config.rebalanceLeave}; lag ${lagAtLeave ?? '?'} messages)`);
    await stack.stopProjector('projector-2', config.rebalanceLeave);
    const since = performance.now();
    const recovery = await recover(since);
    return {
      recovery,
      violations,
      details: {
        membersAfterJoin: members,
        joinedAfterS,
        leave: config.rebalanceLeave,
        lagAtLeave: lagAtLeave?.toString() ?? null,
      },
    };
  },
};
