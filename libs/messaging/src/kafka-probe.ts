import type { Admin, Kafka } from 'kafkajs';

/**
 * Answers "is the broker reachable?" for readiness probes: a metadata round trip with a short
 * timeout. Give it a client built with no retries, so a stopped broker shows as down within seconds
 * and leaves no retry loop running behind the answer.
 */
export class KafkaProbe {
  private admin?: Admin;

  constructor(private readonly kafka: Kafka) {}

  async check(timeoutMs = 2_500): Promise<void> {
    this.admin ??= this.kafka.admin();
    const admin = this.admin;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no answer from the broker within ${timeoutMs} ms`)),
        timeoutMs,
      );
    });
    try {
      await Promise.race([admin.connect().then(() => admin.describeCluster()), timeout]);
    } catch (error) {
      this.admin = undefined;
      await admin.disconnect().catch(() => undefined);
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    await this.admin?.disconnect();
    this.admin = undefined;
  }
}
