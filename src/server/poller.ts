// Polls on an interval with jitter (±10 %) so many instances do not hit the git host in step.
import { jittered } from "../platform/jitter.js";

export class Poller {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly intervalMs: number,
    private readonly tick: () => Promise<void>,
  ) {}

  start(): void {
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.tick()
        .catch(() => {})
        .finally(() => this.schedule());
    }, jittered(this.intervalMs));
    this.timer.unref();
  }
}
