// The webhook endpoint on a real server (127.0.0.1, port 0). The store is never touched by these
// routes, so the client below is never connected.
import { MongoClient } from "mongodb";
import { afterEach, describe, expect, it } from "vitest";
import { silentLogger } from "../../src/platform/log.js";
import { type RunningServer, startServer } from "../../src/server/app.js";
import type { ReconcileResult } from "../../src/server/reconciler.js";
import { sign } from "../../src/server/webhook.js";

const SECRET = "test-webhook-secret";
const client = new MongoClient("mongodb://127.0.0.1:9/unused", { serverSelectionTimeoutMS: 200 });

let running: RunningServer | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

/** A reconcile that waits until released, so tests can observe coalescing. */
function gatedReconcile() {
  const calls: string[] = [];
  let release: () => void = () => {};
  let gate = new Promise<void>((r) => {
    release = r;
  });
  let started: () => void = () => {};
  let startedP = new Promise<void>((r) => {
    started = r;
  });
  return {
    calls,
    fn: async (reason: string): Promise<ReconcileResult> => {
      calls.push(reason);
      started();
      await gate;
      return { revision: "abc", outcome: "applied" };
    },
    waitStarted: () => startedP,
    open() {
      release();
      gate = Promise.resolve();
      startedP = Promise.resolve();
    },
    reset() {
      startedP = new Promise<void>((r) => {
        started = r;
      });
    },
  };
}

async function serve(fn: (reason: string) => Promise<ReconcileResult>, maxBodyBytes?: number) {
  running = await startServer(
    {
      db: client.db("unused"),
      storeUri: "mongodb://127.0.0.1:9/unused",
      reconcile: fn,
      log: silentLogger(),
      webhookSecret: SECRET,
      uiPassword: "",
      branch: "main",
      maxBodyBytes,
    },
    { host: "127.0.0.1", port: 0 },
  );
  return running;
}

function push(ref = "refs/heads/main") {
  return JSON.stringify({ ref, after: "0123456789abcdef0123456789abcdef01234567", deleted: false });
}

let deliveryN = 0;
async function post(
  srv: RunningServer,
  body: string,
  headers: Record<string, string | undefined> = {},
): Promise<Response> {
  const h: Record<string, string> = {
    "content-type": "application/json",
    "x-github-event": "push",
    "x-github-delivery": `d-${++deliveryN}`,
  };
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined) delete h[k];
    else h[k] = v;
  }
  return fetch(`${srv.url}hooks/github`, { method: "POST", body, headers: h });
}

describe("POST /hooks/github", () => {
  it("reconciles on a push with a good signature", async () => {
    const calls: string[] = [];
    const srv = await serve(async (reason) => {
      calls.push(reason);
      return { revision: "abc", outcome: "applied" };
    });
    const body = push();
    const res = await post(srv, body, { "x-hub-signature-256": sign(SECRET, body) });
    expect(res.status).toBe(202);
    await srv.reconciler.request("probe"); // resolves after a run that started after the webhook's
    expect(calls[0]).toBe("webhook");
    expect(srv.reconciler.last?.outcome).toBe("applied");
  });

  it("refuses a bad or missing signature with 401 and does not reconcile", async () => {
    const calls: string[] = [];
    const srv = await serve(async (reason) => {
      calls.push(reason);
      return { revision: "abc", outcome: "applied" };
    });
    const body = push();
    const cases = [
      undefined,
      "",
      "sha256=deadbeef",
      sign("another-secret", body),
      sign(SECRET, `${body} `),
      sign(SECRET, body).toUpperCase(),
    ];
    for (const signature of cases) {
      const res = await post(srv, body, { "x-hub-signature-256": signature });
      expect(res.status).toBe(401);
    }
    expect(calls).toEqual([]);
    expect(srv.reconciler.runs).toBe(0);
  });

  it("refuses every webhook when no secret is configured", async () => {
    const srv = await startServer(
      {
        db: client.db("unused"),
        storeUri: "x",
        reconcile: async () => ({ revision: "", outcome: "applied" }),
        log: silentLogger(),
        webhookSecret: "",
      },
      { host: "127.0.0.1", port: 0 },
    );
    running = srv;
    const body = push();
    const res = await post(srv, body, { "x-hub-signature-256": sign("", body) });
    expect(res.status).toBe(401);
    expect(srv.reconciler.runs).toBe(0);
  });

  it("rejects an oversized body with 413", async () => {
    const calls: string[] = [];
    const srv = await serve(async (reason) => {
      calls.push(reason);
      return { revision: "abc", outcome: "applied" };
    }, 1024);
    const body = JSON.stringify({ ref: "refs/heads/main", pad: "x".repeat(4096) });
    const res = await post(srv, body, { "x-hub-signature-256": sign(SECRET, body) });
    expect(res.status).toBe(413);
    expect(calls).toEqual([]);
  });

  it("rejects a 2 MiB body under the default 1 MiB cap", async () => {
    const srv = await serve(async () => ({ revision: "abc", outcome: "applied" }));
    const body = JSON.stringify({ ref: "refs/heads/main", pad: "x".repeat(2 << 20) });
    const res = await post(srv, body, { "x-hub-signature-256": sign(SECRET, body) }).catch(
      (err: unknown) => err,
    );
    // The server answers 413 and drops the upload; depending on timing the client sees the 413
    // or a reset connection. Either way nothing is reconciled.
    if (res instanceof Response) expect(res.status).toBe(413);
    expect(srv.reconciler.runs).toBe(0);
  });

  it("answers ping with 200 and ignores pushes to other branches and other events", async () => {
    const srv = await serve(async () => ({ revision: "abc", outcome: "applied" }));
    const ping = JSON.stringify({ zen: "Keep it logically awesome." });
    const r1 = await post(srv, ping, { "x-github-event": "ping", "x-hub-signature-256": sign(SECRET, ping) });
    expect(r1.status).toBe(200);
    const other = push("refs/heads/feature");
    const r2 = await post(srv, other, { "x-hub-signature-256": sign(SECRET, other) });
    expect(r2.status).toBe(200);
    expect(((await r2.json()) as { ignored: string }).ignored).toMatch(/feature/);
    const pr = push();
    const r3 = await post(srv, pr, {
      "x-github-event": "pull_request",
      "x-hub-signature-256": sign(SECRET, pr),
    });
    expect(r3.status).toBe(200);
    expect(srv.reconciler.runs).toBe(0);
  });

  it("ignores a replayed delivery id", async () => {
    const calls: string[] = [];
    const srv = await serve(async (reason) => {
      calls.push(reason);
      return { revision: "abc", outcome: "applied" };
    });
    const body = push();
    const headers = { "x-hub-signature-256": sign(SECRET, body), "x-github-delivery": "same-id" };
    expect((await post(srv, body, headers)).status).toBe(202);
    await srv.reconciler.request("probe");
    const replay = await post(srv, body, headers);
    expect(replay.status).toBe(200);
    expect(((await replay.json()) as { ignored: string }).ignored).toMatch(/replay/);
    await srv.reconciler.request("probe");
    expect(calls.filter((c) => c === "webhook")).toHaveLength(1);
  });

  it("coalesces a burst: one running and one queued reconcile", async () => {
    const g = gatedReconcile();
    const srv = await serve(g.fn);
    const send = async () => {
      const body = push();
      return post(srv, body, { "x-hub-signature-256": sign(SECRET, body) });
    };
    expect((await send()).status).toBe(202);
    await g.waitStarted();
    g.reset();
    const burst = await Promise.all(Array.from({ length: 10 }, send));
    expect(burst.every((r) => r.status === 202)).toBe(true);
    expect(g.calls).toHaveLength(1);
    g.open();
    await srv.reconciler.request("after-burst");
    // The whole burst (and this last request) collapsed into the one queued run.
    expect(g.calls).toHaveLength(2);
    expect(srv.reconciler.runs).toBe(2);
  });
});

describe("binding", () => {
  it("refuses a non-loopback host without SCHEDSYNC_UI_PASSWORD", async () => {
    await expect(
      startServer(
        {
          db: client.db("unused"),
          storeUri: "x",
          reconcile: async () => ({ revision: "", outcome: "applied" }),
          log: silentLogger(),
          uiPassword: "",
        },
        { host: "0.0.0.0", port: 0 },
      ),
    ).rejects.toThrow(/SCHEDSYNC_UI_PASSWORD/);
  });
});
