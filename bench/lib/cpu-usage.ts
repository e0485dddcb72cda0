import { readdirSync, readFileSync } from 'node:fs';

/** CPU time (user + system, ms) of each process of each group, and busy time of the whole machine. */
export interface CpuSnapshot {
  groups: Record<string, Map<number, number>>;
  machineMs: number;
}

const TICK_MS = 10; // USER_HZ is 100 on every Linux the bench runs on

function readOr(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return ''; // the process ended between listing and reading
  }
}

function processCpuMs(pid: number): number {
  // Fields after the parenthesised command name: state is field 3, utime 14, stime 15.
  const stat = readOr(`/proc/${pid}/stat`);
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields.length > 13 ? (Number(fields[11]) + Number(fields[12])) * TICK_MS : 0;
}

/**
 * CPU time used so far by the processes the bench knows (by pid), by PostgreSQL and Kafka (by command
 * line: server-wide, so other databases' work on a shared server counts too), and by the whole machine
 * (/proc/stat). Deltas around a run show where the cores went; "machine" minus the groups is everything
 * else running on the box.
 */
export function cpuSnapshot(pids: Record<string, number | undefined>): CpuSnapshot {
  const groups: CpuSnapshot['groups'] = { postgres: new Map(), kafka: new Map() };
  for (const [name, pid] of Object.entries(pids))
    groups[name] = new Map(pid ? [[pid, processCpuMs(pid)]] : []);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = readOr(`/proc/${entry}/cmdline`);
    const group =
      cmdline.startsWith('postgres') || cmdline.includes('/postgres\0')
        ? 'postgres'
        : cmdline.includes('kafka.Kafka')
          ? 'kafka'
          : undefined;
    if (group) groups[group].set(Number(entry), processCpuMs(Number(entry)));
  }
  // user, nice, system, idle, iowait, irq, softirq, steal: busy = all but idle, iowait and steal
  // (steal is time the hypervisor gave to other machines).
  const [, user, nice, system, , , irq, softirq] = readOr('/proc/stat').split('\n')[0].trim().split(/\s+/);
  const machineMs = [user, nice, system, irq, softirq].reduce((sum, t) => sum + Number(t), 0) * TICK_MS;
  return { groups, machineMs };
}

/**
 * CPU ms per request by group between two snapshots, plus `machine`. Per process: one that started
 * meanwhile (a new pooled database connection) counts whole; one that ended meanwhile (someone else's
 * test broker, a closed connection) drops out rather than making its group's sum go down — its time
 * then shows up in "other".
 */
export function cpuPerRequest(
  before: CpuSnapshot,
  after: CpuSnapshot,
  requests: number,
): Record<string, number> {
  const perGroup = Object.entries(after.groups).map(([name, processes]) => {
    let ms = 0;
    for (const [pid, now] of processes) {
      const then = before.groups[name]?.get(pid) ?? 0;
      ms += now >= then ? now - then : now; // lower than before: the pid was reused by a new process
    }
    return [name, ms / requests] as const;
  });
  return { ...Object.fromEntries(perGroup), machine: (after.machineMs - before.machineMs) / requests };
}
