// Browser test: a real `schedsync start` in a temp repo, its status page in headless Chromium
// (playwright-core + Debian's /usr/bin/chromium), then Agendash. Saves a screenshot: into
// docs/img/status.png with UPDATE_SCREENSHOTS=1 (for the README), else into the temp data dir.
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
      const shot = process.env.UPDATE_SCREENSHOTS
        ? join(ROOT, "docs/img/status.png")
        : join(dataDir, "status.png");
      await page.screenshot({ path: shot, fullPage: true });
      await page.click("text=Open Agendash");
      await page.waitForURL(/\/agendash\/$/);
      await page.waitForLoadState("networkidle");
      expect(await page.title()).toMatch(/agendash/i);
    } finally {
      await browser.close();
    }
  });
});
