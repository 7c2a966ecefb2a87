// The server against a real store of its own: an embedded FerretDB in a temp data dir, so the
// test can stop it (SIGSTOP) and see /readyz go unready, then resume it and see it ready again.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MongoBackend } from "@agendajs/mongo-backend";
import { Agenda } from "agenda";
import { type Db, MongoClient } from "mongodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLogger } from "../../src/platform/log.js";
import { createMetrics } from "../../src/platform/metrics.js";
import { recordHistory, writeApplied } from "../../src/reconcile/history.js";
import { agendashHandler } from "../../src/server/agendash.js";
import { type RunningServer, startServer } from "../../src/server/app.js";
import type { ReconcileResult } from "../../src/server/reconciler.js";
import { groupedRecords } from "../../src/server/record-counts.js";
import { type EmbeddedServer, startEmbedded } from "../../src/store/embedded.js";
import { parsePrometheus } from "../helpers/prometheus.js";
import { waitFor } from "../helpers/wait-for.js";

const REV = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";
let dir: string;
let store: EmbeddedServer;
let client: MongoClient;
let db: Db;
let srv: RunningServer;
let agenda: Agenda;
let nextOutcome: ReconcileResult = { revision: REV, outcome: "applied" };

const metrics = createMetrics();
const { observeAutomaticLatency, countTransmission } = metrics.hooks;

/** What every server of this file shares (the store ping left at its production timeout). */
function baseOptions() {
  return {
    db,
    storeUri: "mongodb://127.0.0.1/serve_test",
    reconcile: async () => nextOutcome,
    log: silentLogger(),
    webhookSecret: "s",
    uiPassword: "",
  };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "schedsync-serve-test-"));
  store = await startEmbedded({ dataDir: dir, lingerMs: 0 });
  client = await MongoClient.connect(store.uri, { serverSelectionTimeoutMS: 2_000 });
  db = client.db("serve_test");
  agenda = new Agenda({ backend: new MongoBackend({ mongo: db, collection: "agendaJobs" }) });
  agenda.define("orderDelivery", async () => {});
  await agenda.every("15 minutes", "orderDelivery", { merchantId: "ACME", service: "orderDelivery" });
  const off = await agenda.create("inventory", { merchantId: "ACME", service: "inventory" });
  off.schedule("in 1 hour");
  off.disable();
  await off.save();
  await db.collection("records").insertMany([
    { kind: "order", state: "failed", merchantId: "ACME" },
    { kind: "order", state: "delivered", merchantId: "ACME" },
    { kind: "tracking", state: "skipped", merchantId: "<script>alert(1)</script>" },
  ]);
  await writeApplied(db, {
    revision: REV,
    appliedAt: new Date(),
    author: "Dev <dev@example.test>",
    message: "add ACME",
  });
  await recordHistory(db, {
    revision: REV,
    author: "Dev",
    message: "add ACME",
    startedAt: new Date(),
    finishedAt: new Date(),
    durationMs: 120,
    outcome: "applied",
    summary: { create: 2, update: 0, delete: 0, unchanged: 0 },
  });
  const dash = agendashHandler(db);
  srv = await startServer(
    {
      ...baseOptions(),
      records: groupedRecords("records"),
      metrics,
      agendash: dash.handler,
      // A store that answers is never called unreachable because this process stalled a second.
      pingTimeoutMs: 30_000,
    },
    { host: "127.0.0.1", port: 0 },
  );
});

afterAll(async () => {
  await srv?.close();
  await client?.close();
  await store?.release();
  await new Promise((r) => setTimeout(r, 1_200));
  await rm(dir, { recursive: true, force: true });
});

async function ferretdbPid(): Promise<number> {
  const state = JSON.parse(await readFile(join(dir, "ferretdb", "server.json"), "utf8")) as {
    ferretdbPid: number;
  };
  return state.ferretdbPid;
}

// The timeout only ends a hang; the tests wait for conditions.
describe("serve against a real store", { timeout: 300_000 }, () => {
  it("GET /healthz answers while the process is alive", async () => {
    const res = await fetch(`${srv.url}healthz`);
    expect(res.status).toBe(200);
  });

  it("GET /metrics parses as Prometheus text and has the named metrics", async () => {
    await srv.reconciler.request("test");
    observeAutomaticLatency(1.5, "orderDelivery");
    countTransmission("orderDelivery", "delivered", 3);
    const res = await fetch(`${srv.url}metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const families = parsePrometheus(await res.text());
    for (const [name, type] of [
      ["schedsync_reconcile_total", "counter"],
      ["schedsync_reconcile_duration_seconds", "histogram"],
      ["schedsync_jobs", "gauge"],
      ["schedsync_records", "gauge"],
      ["schedsync_automatic_latency_seconds", "histogram"],
      ["schedsync_transmissions_total", "counter"],
    ] as const) {
      expect(families.get(name)?.type, name).toBe(type);
    }
    const value = (name: string, labels: Record<string, string>) =>
      families
        .get(name.replace(/_(bucket|sum|count)$/, ""))
        ?.samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
        ?.value;
    expect(value("schedsync_reconcile_total", { outcome: "applied" })).toBeGreaterThanOrEqual(1);
    expect(value("schedsync_jobs", { state: "scheduled" })).toBe(1);
    expect(value("schedsync_jobs", { state: "disabled" })).toBe(1);
    expect(value("schedsync_records", { kind: "order", state: "failed" })).toBe(1);
    expect(value("schedsync_transmissions_total", { service: "orderDelivery", outcome: "delivered" })).toBe(
      3,
    );
    expect(value("schedsync_automatic_latency_seconds_count", { service: "orderDelivery" })).toBe(1);
  });

  it("GET / shows the applied revision, failed records (escaped) and next runs", async () => {
    const res = await fetch(srv.url);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain(`<code id="applied-revision">${REV}</code>`);
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(html).not.toContain("<script>");
    expect(html).toMatch(/ACME<\/td><td>order<\/td><td><span class="bad">failed/);
    expect(html).toContain("orderDelivery");
  });

  it("serves Agendash under /agendash", async () => {
    const page = await fetch(`${srv.url}agendash/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<html/i);
    const api = await fetch(`${srv.url}agendash/api?limit=10`);
    expect(api.status).toBe(200);
    const body = (await api.json()) as { jobs?: unknown[]; total?: number };
    expect(JSON.stringify(body)).toContain("orderDelivery");
  });

  it("GET /readyz is unready when the last reconcile failed", async () => {
    nextOutcome = { revision: REV, outcome: "failed", error: "boom" };
    await srv.reconciler.request("test");
    expect((await fetch(`${srv.url}readyz`)).status).toBe(503);
    nextOutcome = { revision: REV, outcome: "in-sync" };
    await srv.reconciler.request("test");
    expect((await fetch(`${srv.url}readyz`)).status).toBe(200);
  });

  it("GET /readyz goes unready when the store is stopped and ready again after", async () => {
    expect((await fetch(`${srv.url}readyz`)).status).toBe(200);
    // A server with the production ping timeout, so the stopped store is seen within seconds.
    const quick = await startServer(baseOptions(), { host: "127.0.0.1", port: 0 });
    const pid = await ferretdbPid();
    process.kill(pid, "SIGSTOP");
    try {
      const down = await fetch(`${quick.url}readyz`);
      expect(down.status).toBe(503);
      expect(((await down.json()) as { store: string }).store).toBe("unreachable");
    } finally {
      process.kill(pid, "SIGCONT");
      await quick.close();
    }
    // The driver reconnects by itself; wait until the store answers again.
    await waitFor("ready again", async () => (await fetch(`${srv.url}readyz`)).status === 200);
  });
});
