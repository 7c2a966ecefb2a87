// The notifier against a real HTTP server on 127.0.0.1: Slack-compatible JSON, deduplication per
// (kind, key), the per-minute rate limit, and a URL that never reaches the log.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createNotifier } from "../../src/platform/notify.js";

let server: Server;
let base = "";
let status = 200;
const posts: { type?: string; body: { text: string } }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => {
      body += c;
    });
    req.on("end", () => {
      posts.push({ type: req.headers["content-type"], body: JSON.parse(body) });
      res.statusCode = status;
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
});

function logLines() {
  const lines: string[] = [];
  return { lines, log: pino({}, { write: (s: string) => void lines.push(s) }) };
}

describe("notifier", () => {
  it("posts { text } as JSON, once per (kind, key) within the dedup window", async () => {
    posts.length = 0;
    let now = 1_000_000;
    const { log } = logLines();
    const n = createNotifier({ url: `${base}/hook`, log, now: () => now, dedupMs: 60 * 60_000 });
    n.notify({ kind: "stale", key: "acme/inventory", text: "acme/inventory is stale" });
    n.notify({ kind: "stale", key: "acme/inventory", text: "acme/inventory is stale" });
    n.notify({ kind: "failing", key: "acme/inventory", text: "acme/inventory is failing" });
    await n.flush();
    expect(posts.map((p) => p.body.text)).toEqual(["acme/inventory is stale", "acme/inventory is failing"]);
    expect(posts[0]?.type).toBe("application/json");
    now += 60 * 60_000;
    n.notify({ kind: "stale", key: "acme/inventory", text: "acme/inventory is still stale" });
    await n.flush();
    expect(posts).toHaveLength(3);
  });

  it("holds back posts over the per-minute limit and says how many in the next one", async () => {
    posts.length = 0;
    let now = 5_000_000;
    const { log } = logLines();
    const n = createNotifier({ url: `${base}/hook`, log, now: () => now, perMinute: 2 });
    for (let i = 0; i < 5; i++) n.notify({ kind: "skipped", key: `k${i}`, text: `t${i}` });
    await n.flush();
    expect(posts.map((p) => p.body.text)).toEqual(["t0", "t1"]);
    now += 60_000;
    n.notify({ kind: "skipped", key: "k9", text: "t9" });
    await n.flush();
    expect(posts[2]?.body.text).toBe("t9\n(3 more notifications held back by the rate limit)");
  });

  it("logs a refused or unreachable webhook without its URL", async () => {
    const { lines, log } = logLines();
    status = 500;
    const refused = createNotifier({ url: `${base}/secret-token-path`, log });
    refused.notify({ kind: "apply-failed", key: "r1", text: "apply failed" });
    await refused.flush();
    status = 200;
    const closed = createNotifier({ url: "http://127.0.0.1:9/secret-token-path", log, timeoutMs: 2_000 });
    closed.notify({ kind: "apply-failed", key: "r2", text: "apply failed" });
    await closed.flush();
    expect(lines.map((l) => JSON.parse(l).msg)).toEqual([
      "notification webhook refused a post",
      "notification webhook unreachable",
    ]);
    expect(lines.join("")).not.toContain("secret-token-path");
  });
});
