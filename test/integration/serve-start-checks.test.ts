// serve and start through the built CLI (bin/schedsync.js; `npm run build` first): start-up checks
// fail fast with one line before the store opens or anything is applied, and a started `start`
// says what it applied and stops on SIGINT without Agenda errors.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { cp, mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestDb, testDb } from "../helpers/db.js";
import { type TempRepo, tempRepo } from "../helpers/git-repo.js";
import { waitFor } from "../helpers/wait-for.js";

const BIN = resolve("bin/schedsync.js");
// Nothing listens here: a command that got as far as the store would fail with a connection error.
const NO_STORE = { MONGODB_URI: "mongodb://127.0.0.1:9/none?serverSelectionTimeoutMS=500" };

function cli(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((done) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { cwd, env: { ...process.env, CI: "true", SCHEDSYNC_UI_PASSWORD: "", ...env } },
      (err, stdout, stderr) => done({ code: err ? Number(err.code) || 1 : 0, stdout, stderr }),
    );
  });
}

describe.skipIf(!existsSync(join("dist", "cli", "main.js")))("serve and start start-up checks", () => {
  let repo: TempRepo;
  let notRepo: string;
  let dataDir: string;
  let busy: Server;
  let busyPort = 0;

  beforeAll(async () => {
    repo = await tempRepo();
    await cp(resolve("schedules"), join(repo.dir, "schedules"), { recursive: true });
    await repo.commit({}, "example schedules");
    notRepo = await mkdtemp(join(tmpdir(), "schedsync-not-a-repo-"));
    dataDir = join(await mkdtemp(join(tmpdir(), "schedsync-checks-")), "data");
    busy = createServer();
    await new Promise<void>((r) => busy.listen(0, "127.0.0.1", r));
    busyPort = (busy.address() as { port: number }).port;
  });
  afterAll(async () => {
    await new Promise((r) => busy?.close(r));
    await repo?.remove();
    await rm(notRepo, { recursive: true, force: true });
    await rm(dirname(dataDir), { recursive: true, force: true });
  });
  const dirname = (p: string) => resolve(p, "..");

  it("serve --host 0.0.0.0 without SCHEDSYNC_UI_PASSWORD refuses in one line, before the store", async () => {
    const r = await cli(["serve", "--host", "0.0.0.0", "--port", "0"], repo.dir, NO_STORE);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toMatch(
      /^schedsync: refusing to listen on 0\.0\.0\.0 without SCHEDSYNC_UI_PASSWORD/,
    );
    expect(r.stderr + r.stdout).not.toMatch(/Mongo|ECONNREFUSED|agenda error/i);
  });

  it.each([["start"], ["serve"]])(
    "%s on a busy port fails before anything is applied or started",
    async (cmd) => {
      const r = await cli([cmd, "--port", String(busyPort)], repo.dir, {
        ...NO_STORE,
        SCHEDSYNC_DATA_DIR: dataDir,
      });
      expect(r.code).toBe(1);
      expect(r.stderr.trim()).toBe(
        `schedsync: port ${busyPort} on 127.0.0.1 is in use (another schedsync?); choose another with --port, or --port 0 for a free one`,
      );
      expect(r.stdout).not.toMatch(/agenda|reconcile|applied/i);
      expect(existsSync(dataDir)).toBe(false);
    },
  );

  it("start outside a git repository stops at once with what to do", async () => {
    const r = await cli(["start", "--port", "0"], notRepo, NO_STORE);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /is not in a git repository: `schedsync start` applies the schedules committed there/,
    );
    expect(r.stdout).not.toMatch(/not a git repository/);
  });

  it("--stale-after and --notify-url-env are checked before the store", async () => {
    const bad = await cli(["status", "--stale-after", "0"], repo.dir, NO_STORE);
    expect(bad.stderr.trim()).toBe("schedsync: bad --stale-after 0: expected an integer from 1 to 1000");
    const unset = await cli(["serve", "--port", "0", "--notify-url-env", "SCHEDSYNC_TEST_UNSET"], repo.dir, {
      ...NO_STORE,
      SCHEDSYNC_TEST_UNSET: "",
    });
    expect(unset.code).toBe(1);
    expect(unset.stderr.trim()).toBe(
      "schedsync: --notify-url-env SCHEDSYNC_TEST_UNSET: the variable is not set",
    );
  });

  describe("a running serve without SCHEDSYNC_WEBHOOK_SECRET", () => {
    let t: TestDb;
    let child: ChildProcess;
    beforeAll(async () => {
      t = await testDb("serve");
    });
    afterAll(async () => {
      if (child && child.exitCode === null) child.kill("SIGKILL");
      await t?.close();
    });

    it("warns at start-up, before it listens, answers every webhook 401, and ends with stopped", async () => {
      let out = "";
      child = spawn(process.execPath, [BIN, "serve", "--port", "0"], {
        cwd: repo.dir,
        env: { ...process.env, CI: "true", MONGODB_URI: t.dbUri, SCHEDSYNC_WEBHOOK_SECRET: "" },
        stdio: ["ignore", "pipe", "pipe"],
      });
      child.stdout?.on("data", (c: Buffer) => {
        out += c.toString();
      });
      // "close": the exit code once stdout has been read to its end.
      const exited = new Promise<number | null>((r) => child.once("close", (code) => r(code)));
      await waitFor("serve listening", () => out.includes('"msg":"schedsync serve listening"'), 120_000);
      const lines = out
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as { level: number; msg: string; url?: string });
      const warning = lines.findIndex(
        (l) => l.level === 40 && /SCHEDSYNC_WEBHOOK_SECRET is not set/.test(l.msg),
      );
      expect(warning).toBeGreaterThanOrEqual(0);
      expect(lines[warning]?.msg).toContain("POST /hooks/github answers 401 to every webhook");
      expect(warning).toBeLessThan(lines.findIndex((l) => l.msg === "schedsync serve listening"));
      const url = lines.find((l) => l.url)?.url ?? "";
      const r = await fetch(new URL("hooks/github", url), {
        method: "POST",
        headers: { "content-type": "application/json", "x-github-event": "push" },
        body: "{}",
      });
      expect(r.status).toBe(401);
      child.kill("SIGINT");
      expect(await exited).toBe(0);
      expect(out.trim().split("\n").at(-1)).toContain('"msg":"stopped"');
    }, 180_000);
  });

  describe("a running start", () => {
    const dbs: TestDb[] = [];
    const children: ChildProcess[] = [];
    afterAll(async () => {
      for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
      for (const t of dbs) await t.close();
    });

    /** `schedsync start` on a fresh database; `exited` says how it ended, as data. */
    async function startChild() {
      const t = await testDb("start");
      dbs.push(t);
      const child = spawn(process.execPath, [BIN, "start", "--port", "0"], {
        cwd: repo.dir,
        env: { ...process.env, CI: "true", MONGODB_URI: t.dbUri, SCHEDSYNC_UI_PASSWORD: "" },
        stdio: ["ignore", "pipe", "pipe"],
      });
      children.push(child);
      const run = { child, out: "", exited: Promise.resolve({ code: null as number | null, signal: "" }) };
      child.stdout?.on("data", (c: Buffer) => {
        run.out += c.toString();
      });
      child.stderr?.on("data", (c: Buffer) => {
        run.out += c.toString();
      });
      run.exited = new Promise((r) =>
        child.once("exit", (code, signal) => r({ code, signal: String(signal) })),
      );
      return run;
    }

    it("names what the start-up reconcile did, warns of nothing it should not, and stops cleanly on SIGINT", async () => {
      const run = await startChild();
      await waitFor("the start banner", () => run.out.includes("schedsync is running"), 120_000);
      // The banner names the start-up apply, not the first poll's "unchanged".
      expect(run.out).toMatch(/applied [0-9a-f]{12}: created \d+ jobs; workers running/);
      expect(run.out).not.toMatch(/\(unchanged\)/);
      run.child.kill("SIGINT");
      expect({ exit: await run.exited, out: run.out }).toEqual({
        exit: { code: 0, signal: "null" },
        out: expect.anything(),
      });
      const afterStopped = run.out.slice(run.out.indexOf('"stopped"'));
      expect(run.out).toContain('"stopped"');
      expect(run.out).not.toMatch(/"level":50[^\n]*"msg":"agenda error"/);
      expect(afterStopped.trim().split("\n")).toHaveLength(1);
    }, 180_000);

    // Field failure (CI, a loaded machine): the SIGINT listener was added after the banner, so a
    // Ctrl-C that came between the apply and the banner killed the process with no clean stop.
    it("stops cleanly on a SIGINT that arrives before the banner, during start-up", async () => {
      const run = await startChild();
      await waitFor("the start-up apply", () => run.out.includes('"reconcile applied"'), 120_000);
      run.child.kill("SIGINT");
      expect({ exit: await run.exited, out: run.out }).toEqual({
        exit: { code: 0, signal: "null" },
        out: expect.stringContaining('"msg":"shutting down"'),
      });
      expect(run.out).toContain('"stopped"');
      expect(run.out).not.toMatch(/"level":50/);
    }, 180_000);
  });
});
