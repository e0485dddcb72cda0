/**
 * `npm run bench:limits`: what the limits cost one exchange on the hot path, per store (ADR 0010). An
 * exchange does the refusal check (`FailedLookupLimiter.refusal`: the address and client counters, read in
 * parallel) and counts the delegation (`RateLimiter.hit`). This runs exactly that, in memory and in Redis
 * (`REDIS_URL`; unset: a Redis of its own, scripts/redis/redis.sh), one at a time (latency) and 50 at a
 * time (throughput and CPU of one process).
 *
 * Environment: BENCH_LIMIT_OPS (20000 exchanges per run), REDIS_URL.
 */
import {
  FailedLookupLimiter,
  MemoryLimitStore,
  RateLimiter,
  RedisLimitStore,
  type LimitStore,
} from '@libs/security';
import { DedicatedRedis } from '@libs/testing';

const OPS = Number(process.env.BENCH_LIMIT_OPS ?? 20_000);
const CONCURRENCY = 50;

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]!;

async function measure(name: string, store: LimitStore): Promise<void> {
  const failures = new FailedLookupLimiter(1_000_000, store);
  const perUser = new RateLimiter(1_000_000, 60_000, { store, name: 'bench-delegations' });
  const exchange = async (i: number) => {
    const ip = `10.0.${(i >> 8) & 255}.${i & 255}`;
    await failures.refusal(ip, 'bench-client');
    await perUser.hit(`${ip}|user-${i % 100}`);
  };
  for (let i = 0; i < 1_000; i++) await exchange(i); // warm-up
  const latencies: number[] = [];
  for (let i = 0; i < OPS; i++) {
    const started = performance.now();
    await exchange(i);
    latencies.push(performance.now() - started);
  }
  latencies.sort((a, b) => a - b);
  const cpu = process.cpuUsage();
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < OPS) await exchange(next++);
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  console.log(
    `${name.padEnd(7)} one at a time: p50 ${percentile(latencies, 0.5).toFixed(3)} ms, ` +
      `p99 ${percentile(latencies, 0.99).toFixed(3)} ms | ${CONCURRENCY} at a time: ` +
      `${(OPS / seconds).toFixed(0)} exchanges/s, ` +
      `${((used.user + used.system) / 1000 / OPS).toFixed(3)} ms CPU per exchange in this process`,
  );
}

async function main(): Promise<void> {
  console.log(`limit checks of one exchange (refusal + per-user hit), ${OPS} exchanges per run`);
  await measure('memory', new MemoryLimitStore());
  const own = process.env.REDIS_URL ? undefined : await DedicatedRedis.create();
  const redis = new RedisLimitStore(process.env.REDIS_URL ?? own!.url, `bench-${Date.now().toString(36)}:`);
  try {
    if (!(await redis.connected(2_000))) throw new Error(`no Redis answers at ${process.env.REDIS_URL}`);
    await measure('redis', redis);
  } finally {
    redis.onApplicationShutdown();
    await own?.destroy();
  }
}

void main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
