/**
 * Undo steps of everything the run started, run last-in first-out on every exit path (success,
 * failure, deadline, Ctrl-C), each bounded in time so a stuck step cannot keep the run alive.
 */
export class Teardown {
  private readonly steps: { name: string; undo: () => Promise<void> | void }[] = [];
  private running?: Promise<void>;

  add(name: string, undo: () => Promise<void> | void): void {
    this.steps.push({ name, undo });
  }

  /** Runs every step once (a second call waits for the first). */
  run(log: (line: string) => void, stepTimeoutMs = 60_000): Promise<void> {
    this.running ??= (async () => {
      for (const step of this.steps.reverse()) {
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`still running after ${stepTimeoutMs} ms`)),
            stepTimeoutMs,
          );
        });
        try {
          await Promise.race([Promise.resolve().then(step.undo), timeout]);
        } catch (error) {
          log(`teardown: ${step.name}: ${error instanceof Error ? error.message : String(error)}`);
        } finally {
          clearTimeout(timer);
        }
      }
      this.steps.length = 0;
    })();
    return this.running;
  }
}
