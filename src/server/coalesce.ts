// Coalesces reconcile requests: at most one running and one queued, however many arrive.
export class Coalescer {
  private running: Promise<void> | undefined;
  private queued: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly task: () => Promise<void>,
    private readonly onError: (err: unknown) => void = () => {},
  ) {}

  /** Requests a run; resolves when a run that started after this request has finished. */
  trigger(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (!this.running) {
      this.running = this.runOnce();
      return this.running;
    }
    if (!this.queued) {
      const after = this.running;
      this.queued = after.then(() => {
        this.queued = undefined;
        if (this.stopped) return;
        this.running = this.runOnce();
        return this.running;
      });
    }
    return this.queued;
  }

  get busy(): boolean {
    return !!this.running;
  }

  /** Drops the queued run and waits for the current one. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.queued;
    await this.running;
  }

  private async runOnce(): Promise<void> {
    try {
      await this.task();
    } catch (err) {
      this.onError(err);
    } finally {
      this.running = undefined;
    }
  }
}
