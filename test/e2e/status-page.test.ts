// Browser test: a real `schedsync start` in a temp repo, its status page in headless Chromium
// (playwright-core + Debian's /usr/bin/chromium), then Agendash. Saves a screenshot into the temp
// data dir (the README's docs/img/status.png is taken from the demo: docs/operations.md).
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { cp, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { MongoClient } from "mongodb";
import { chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmbedded } from "../../src/store/embedded.js";
import { type TempRepo, tempRepo } from "../helpers/git-repo.js";
import { waitFor } from "../helpers/wait-for.js";

const CHROMIUM = "/usr/bin/chromium";
const ROOT = resolve(".");
let repo: TempRepo;
let dataDir: string;
let child: ChildProcess;
let url = "";
let sha = "";

beforeAll(async () => {
  repo = await tempRepo();
  await cp(join(ROOT, "schedules"), join(repo.dir, "schedules"), { recursive: true });
  sha = await repo.commit({}, "example schedules");
  dataDir = await mkdtemp(join(tmpdir(), "schedsync-e2e-"));
  const tsx = join(ROOT, "node_modules", "tsx", "dist", "loader.mjs");
  child = spawn(process.execPath, ["--import", tsx, join(ROOT, "src/cli/main.ts"), "start", "--port", "0"], {
    cwd: repo.dir,
    env: { ...process.env, MONGODB_URI: "", SCHEDSYNC_DATA_DIR: dataDir, SCHEDSYNC_EMBEDDED_LINGER_MS: "0" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  url = await new Promise<string>((done, fail) => {
    child.stdout?.on("data", (c: Buffer) => {
      out += c.toString();
      const m = /schedsync is running: (http:\S+)/.exec(out);
      if (m?.[1]) done(m[1]);
    });
    child.on("exit", (code) => fail(new Error(`schedsync start exited ${code}:\n${out}`)));
  });
  // A failed delivery, as the workers would leave one, in the same embedded store.
  const store = await startEmbedded({ dataDir });
  const client = await MongoClient.connect(store.uri);
  await client.db("schedsync").collection("deliveries").insertOne({
    kind: "order",
    state: "failed",
    merchantId: "E2E-MERCHANT",
    service: "orderDelivery",
    cartId: null,
  });
  await client.close();
  await store.release();
}, 180_000);

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGINT");
    await exited;
  }
  await new Promise((r) => setTimeout(r, 1_500));
  await rm(dataDir, { recursive: true, force: true });
  await repo?.remove();
});

describe.skipIf(!existsSync(CHROMIUM))("status page in a browser", () => {
  it("shows the applied revision and a failed record, and opens Agendash", async () => {
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      await page.goto(url);
      expect(await page.textContent("#applied-revision")).toBe(sha);
      const records = await page.textContent("#records");
      expect(records).toContain("E2E-MERCHANT");
      expect(records).toContain("failed");
      await page.screenshot({ path: join(dataDir, "status.png"), fullPage: true });
      await page.click("text=Open Agendash");
      await page.waitForURL(/\/agendash\/$/);
      await page.waitForLoadState("networkidle");
      expect(await page.title()).toMatch(/agendash/i);
    } finally {
      await browser.close();
    }
  });

  it("reads at a glance: a verdict, a health grid per merchant, charts, cart column, drift in words", async () => {
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--headless", "--no-sandbox"] });
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      await page.goto(url);
      const verdict = (await page.textContent("#verdict")) ?? "";
      expect(verdict).toMatch(/^\d+ jobs: /);
      expect(verdict).toContain("in sync with git");
      // One row per example merchant, each with a health word and a chip per job.
      const merchants = await page.$$eval("#health tr[data-merchant]", (rows) =>
        rows.map((r) => r.getAttribute("data-merchant")),
      );
      expect(merchants).toContain("acme");
      const words = await page.$$eval("#health tr[data-merchant] td:nth-child(2)", (cells) =>
        cells.map((c) => c.textContent?.trim()),
      );
      for (const w of words) expect(["ok", "failing", "stale", "suspended", "idle"]).toContain(w);
      // Inline SVG charts: no script and no request to anywhere but this server.
      expect(await page.$$eval("#charts svg", (svgs) => svgs.length)).toBe(2);
      expect(await page.$$eval("script[src], link[href^='http']", (els) => els.length)).toBe(0);
      // Runs per hour (succeeded / failed) once the demo's first runs ended, and the latency chart
      // of Automatic services only.
      await waitFor(
        "a run counted on the page",
        async () => {
          await page.goto(url);
          return /^[1-9]\d* runs? succeeded/.test((await page.textContent("#runs p")) ?? "");
        },
        120_000,
      );
      const runTitles = await page.$$eval("#runs svg rect title", (ts) => ts.map((t) => t.textContent ?? ""));
      expect(runTitles.some((t) => /UTC: [1-9]\d* runs? succeeded$/.test(t))).toBe(true);
      expect(await page.getAttribute("#runs svg", "aria-label")).toBe("Runs per hour: succeeded and failed");
      expect(
        await page.$$eval("#charts svg", (svgs) => svgs.map((s) => s.getAttribute("aria-label"))),
      ).toEqual([
        "Records per hour: delivered and failed",
        "Automatic latency per hour (median seconds from queued to delivered)",
      ]);
      expect(await page.$$eval("#next-runs th", (ths) => ths.map((t) => t.textContent))).toEqual([
        "When",
        "Merchant",
        "Cart",
        "Service",
        "Job",
      ]);
      // Durations as measured ("590 ms", "1.2 s"), never a rounded "0.1 s".
      const took = await page.$$eval("section td:nth-child(5)", (tds) => tds.map((t) => t.textContent ?? ""));
      expect(took.some((t) => /^\d+ ms$|^\d+\.\d s$/.test(t))).toBe(true);
      expect(await page.textContent("body")).not.toMatch(/\+0 ~0 -0|=\d+\b/);
    } finally {
      await browser.close();
    }
  }, 180_000);
});
