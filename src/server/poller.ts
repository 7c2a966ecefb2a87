// Polls on an interval with jitter (±10 %) so many instances do not hit the git host in step.

export function parseInterval(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/i.exec(text);
  if (!m) throw new Error(`bad interval "${text}" (use e.g. 60s, 5m, 1h)`);
  const n = Number(m[1]);
  const unit = (m[2] ?? "s").toLowerCase();
  const ms = n * ({ ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }[unit] ?? 1_000);
  if (ms < 1_000) throw new Error(`interval ${text} is shorter than 1s`);
  return ms;
}

export function jittered(ms: number, random = Math.random): number {
  return Math.round(ms * (0.9 + 0.2 * random()));
}

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
