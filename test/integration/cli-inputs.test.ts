// The CLI's inputs and rough edges, through the real CLI: bad option values fail while parsing,
// before any store is opened; paths and the data dir follow the git root from any subdirectory.
import { execFile } from "node:child_process";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cols } from "../../src/records/index.js";
import { cliArgs, runCli } from "../helpers/cli.js";
import { type TestDb, testDb } from "../helpers/db.js";
import { type TempRepo, tempRepo } from "../helpers/git-repo.js";

// Nothing listens here: a command that got as far as the store would fail with a connection error.
const NO_STORE = { MONGODB_URI: "mongodb://127.0.0.1:9/none?serverSelectionTimeoutMS=500" };

const MERCHANT = `apiVersion: schedsync/v1
kind: Merchant
metadata: { id: acme }
spec:
  timezone: UTC
  services:
    orderDelivery: automatic
    shippingConfirmations: { every: 30m }
    inventory: { cron: "15 */2 * * *" }
  connection: { type: sandbox }
`;

// Every test runs CLI children from source (tsx): seconds alone, a minute and more on a busy 2-core
// machine. The timeouts only end a hang.
const CLI_TIMEOUT = { timeout: 300_000 };

describe("option values are checked by one parser per type, before the store is opened", CLI_TIMEOUT, () => {
  const cases: [string[], RegExp][] = [
    [["records", "--limit", "abc"], /^schedsync: bad --limit abc: expected an integer from 1 to 100000$/],
    [["records", "--limit", "0"], /bad --limit 0: expected an integer from 1 to 100000/],
    [["records", "--limit", "-5"], /bad --limit -5: expected an integer from 1 to 100000/],
    [["records", "--status", "lost"], /bad --status lost: expected one of pending, inflight, delivered/],
    [["history", "--limit", "1.5"], /bad --limit 1\.5: expected an integer from 1 to 10000/],
    [["explain", "acme", "--count", "99"], /bad --count 99: expected an integer from 1 to 50/],
    [["explain", "acme", "--from", "tomorrow"], /bad --from tomorrow: expected an ISO 8601 time/],
    [["simulate", "--days", "0"], /bad --days 0: expected an integer from 1 to 31/],
    [["serve", "--port", "70000"], /bad --port 70000: expected an integer from 0 to 65535/],
    [["serve", "--interval", "soon"], /--interval: bad interval "soon"/],
    [["worker", "--concurrency", "0"], /bad --concurrency 0: expected an integer from 1 to 1000/],
    [["worker", "--process-every", "50ms"], /--process-every: interval 50ms is shorter than 100ms/],
    [["worker", "--process-every", "2m"], /--process-every: interval 2m is longer than 1m/],
    [["plan", "--ref", "--upload-pack=x"], /bad --ref --upload-pack=x: expected a branch, tag or commit/],
    [["plan", "--ref", "main..evil"], /bad --ref main\.\.evil: expected a branch, tag or commit/],
    [["validate", "--format", "xml"], /bad --format xml: expected one of text, json, github/],
  ];
  it.each(cases)("%j", async (args, message) => {
    const r = await runCli(args, { env: NO_STORE });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr.trim()).toMatch(message);
    expect(r.stderr).not.toMatch(/connect|ECONNREFUSED|Server selection/i);
  });
});

describe("paths follow the git root", CLI_TIMEOUT, () => {
  let repo: TempRepo;
  beforeAll(async () => {
    repo = await tempRepo();
    await repo.commit({ "schedules/merchants/acme.yaml": MERCHANT });
  });
  afterAll(() => repo.remove());

  it("validate, explain and simulate work from a subdirectory", async () => {
    const cwd = join(repo.dir, "schedules", "merchants");
    const valid = await runCli(["validate"], { cwd });
    expect(valid.stdout.trim()).toBe("schedules: valid (1 document: 1 merchant, 0 carts)");
    expect(valid.code).toBe(0);
    const explained = await runCli(["explain", "acme", "--json", "--count", "1"], { cwd });
    expect(JSON.parse(explained.stdout)).toMatchObject({ target: "acme", timezone: "UTC" });
    const sim = await runCli(["simulate", "--days", "1", "--json", "--from", "2026-01-05T00:00:00Z"], {
      cwd,
    });
    expect(sim.code).toBe(0);
    expect(JSON.parse(sim.stdout).slotMinutes).toBe(15);
  });

  it("validate --json is validate --format json", async () => {
    const a = await runCli(["validate", "--json"], { cwd: repo.dir });
    const b = await runCli(["validate", "--format", "json"], { cwd: repo.dir });
    expect(a.stdout).toBe(b.stdout);
    expect(JSON.parse(a.stdout)).toEqual({ valid: true, errors: [], documents: 1 });
  });

  it("validate of a missing directory says so", async () => {
    const r = await runCli(["validate", "nope"], { cwd: repo.dir });
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe("schedsync: no such directory: nope");
  });

  it("the embedded store's data dir is at the git root, from any subdirectory", async () => {
    const env = { MONGODB_URI: "", SCHEDSYNC_DATA_DIR: "" };
    const r = await runCli(["store", "status", "--json"], { cwd: join(repo.dir, "schedules"), env });
    expect(JSON.parse(r.stdout).dataDir).toBe(join(repo.dir, ".schedsync"));
  });

  it("init ignores .schedsync/ in the repo's .gitignore, once", async () => {
    const cwd = repo.dir;
    await writeFile(join(cwd, ".gitignore"), "node_modules/");
    const first = await runCli(["init", "config/schedules"], { cwd });
    expect(first.code).toBe(0);
    expect(first.stdout).toContain("added .schedsync/ to .gitignore");
    expect(await readFile(join(cwd, ".gitignore"), "utf8")).toBe("node_modules/\n.schedsync/\n");
    await mkdir(join(cwd, "other"));
    const second = await runCli(["init", "other/schedules"], { cwd });
    expect(second.code).toBe(0);
    expect(second.stdout).not.toContain("added");
    expect(await readFile(join(cwd, ".gitignore"), "utf8")).toBe("node_modules/\n.schedsync/\n");
    await rm(join(cwd, "config"), { recursive: true });
    await rm(join(cwd, "other"), { recursive: true });
  });
});

describe("read commands against a store", CLI_TIMEOUT, () => {
  let t: TestDb;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    t = await testDb("ci");
    env = { MONGODB_URI: t.dbUri };
    const now = Date.now();
    await cols(t.db).deliveries.insertMany(
      Array.from({ length: 120 }, (_, i) => ({
        _id: `order:acme:shop:${i}>orderDelivery:wms`,
        recordId: `order:acme:shop:${i}`,
        kind: "order" as const,
        service: "orderDelivery" as const,
        merchantId: "acme",
        cartId: null,
        state: "failed" as const,
        attempts: 1,
        lastError: "HTTP 503",
        createdAt: new Date(now - i * 1000),
        updatedAt: new Date(now - i * 1000),
      })),
    );
  });
  afterAll(() => t.close());

  it("records says when the limit leaves some out", async () => {
    const r = await runCli(["records"], { env });
    const lines = r.stdout.trim().split("\n");
    expect(lines).toHaveLength(101);
    expect(lines.at(-1)).toBe("showing 100 of 120 (use --limit)");
    const all = await runCli(["records", "--limit", "200"], { env });
    expect(all.stdout.trim().split("\n")).toHaveLength(120);
    expect(all.stdout).not.toContain("showing");
    const json = await runCli(["records", "--limit", "10", "--json"], { env });
    expect(JSON.parse(json.stdout)).toHaveLength(10);
    expect(json.stderr.trim()).toBe("showing 10 of 120 (use --limit)");
  });

  it("status --merchant with no jobs is an error naming it", async () => {
    const r = await runCli(["status", "--merchant", "nosuch"], { env });
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe('schedsync: no jobs for merchant "nosuch" (merchants with jobs: none)');
  });
});

describe("start-up", CLI_TIMEOUT, () => {
  // Logs every package the process resolves (ESM imports) on stderr as "PKG <name>".
  const hook = `export async function resolve(s, c, next) {
    const r = await next(s, c);
    const m = /node_modules\\/((?:@[^/]+\\/)?[^/]+)/.exec(r.url);
    if (m) process.stderr.write("PKG " + m[1] + "\\n");
    return r;
  }`;
  const register = `import { register } from "node:module"; register(${JSON.stringify(
    `data:text/javascript,${encodeURIComponent(hook)}`,
  )});`;

  it("validate loads no store driver, Agenda, express, logger or git client", async () => {
    const r = await new Promise<{ code: number; stderr: string }>((done) =>
      execFile(
        process.execPath,
        ["--import", `data:text/javascript,${encodeURIComponent(register)}`, ...cliArgs(["validate"])],
        { cwd: join(import.meta.dirname, "../.."), env: { ...process.env, CI: "true" } },
        (err, _stdout, stderr) => done({ code: err ? 1 : 0, stderr }),
      ),
    );
    expect(r.code).toBe(0);
    const packages = new Set(r.stderr.match(/(?<=^PKG ).+$/gm));
    expect(packages).toContain("ajv");
    for (const heavy of [
      "mongodb",
      "agenda",
      "@agendajs/mongo-backend",
      "express",
      "pino",
      "simple-git",
      "prom-client",
    ])
      expect(packages, heavy).not.toContain(heavy);
  });
});
