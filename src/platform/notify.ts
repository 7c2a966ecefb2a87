// Operator notifications to a Slack-compatible incoming webhook: POST { "text": "…" } as JSON.
// Deduplicated per (kind, key) for `dedupMs` and rate-limited to `perMinute` posts; what is held
// back is dropped, and counted in the next post. The URL is a secret: it is never logged.
import type { Logger } from "pino";
import { count } from "./words.js";

/** One notification: `kind` and `key` identify it for deduplication; `text` is what people read. */
export interface Notice {
  kind: "stale" | "failing" | "skipped" | "apply-failed";
  key: string;
  text: string;
}

export type Notify = (n: Notice) => void;

export interface NotifierOptions {
  /** The webhook URL (from the env var the operator named; see docs/operations.md). */
  url: string;
  log: Logger;
  /** A repeat of one (kind, key) within this is dropped. Default 1 hour. */
  dedupMs?: number;
  /** Posts per rolling minute. Default 10. */
  perMinute?: number;
  /** Per-post timeout. Default 10 s. */
  timeoutMs?: number;
  now?: () => number;
}

export interface Notifier {
  notify: Notify;
  /** Resolves when every post started so far has ended (tests, shutdown). */
  flush(): Promise<void>;
}

export function createNotifier(o: NotifierOptions): Notifier {
  const dedupMs = o.dedupMs ?? 3_600_000;
  const perMinute = o.perMinute ?? 10;
  const now = o.now ?? Date.now;
  const lastSent = new Map<string, number>();
  const recent: number[] = [];
  const pending = new Set<Promise<void>>();
  let dropped = 0;

  async function post(text: string): Promise<void> {
    try {
      const res = await fetch(o.url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ text }),
        signal: AbortSignal.timeout(o.timeoutMs ?? 10_000),
      });
      await res.body?.cancel();
      if (!res.ok) o.log.warn({ status: res.status }, "notification webhook refused a post");
    } catch (err) {
      // The error's message can carry the URL (fetch failures name it): log its kind only.
      o.log.warn({ err: (err as Error).name }, "notification webhook unreachable");
    }
  }

  return {
    notify(n) {
      const t = now();
      const id = `${n.kind}\0${n.key}`;
      const last = lastSent.get(id);
      if (last !== undefined && t - last < dedupMs) return;
      while (recent.length > 0 && t - (recent[0] as number) >= 60_000) recent.shift();
      if (recent.length >= perMinute) {
        dropped += 1;
        return;
      }
      recent.push(t);
      lastSent.set(id, t);
      const text =
        dropped > 0
          ? `${n.text}\n(${count(dropped, "more notification")} held back by the rate limit)`
          : n.text;
      dropped = 0;
      const p = post(text).finally(() => pending.delete(p));
      pending.add(p);
    },
    flush: async () => {
      await Promise.allSettled([...pending]);
    },
  };
}
