// The embedded store seen from several real processes: one shared server per data dir, no orphan
// FerretDB after SIGINT or SIGKILL, state kept across restarts.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { createInterface } from "node:readline";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath, pathToFileURL } from "node:url";
import { MongoClient } from "mongodb";
import { afterAll, describe, expect, it } from "vitest";
import { findFerretdb } from "../../src/store/ferretdb-binary.js";

const here = dirname(fileURLToPath(import.meta.url));
const fixture = join(here, "fixtures", "embedded-client.ts");
const tsxLoader = pathToFileURL(
  join(dirname(createRequire(import.meta.url).resolve("tsx/package.json")), "dist", "loader.mjs"),
).href;
// A run against MONGODB_URI on a machine without FerretDB (GitHub's mongo:7 job) has nothing to test.
const noFerretdb = !!process.env.MONGODB_URI && !(await findFerretdb().catch(() => undefined));

const dirs: string[] = [];
const children: ChildProcess[] = [];
afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  for (const d of dirs) {
    await waitNoProcesses(d, 30_000).catch(() => {});
    await rm(d, { recursive: true, force: true });
  }
}, 300_000);

async function tempDataDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), "schedsync-embedded-"));
  dirs.push(d);
  return d;
}

interface Client {
  child: ChildProcess;
  /** The first JSON line the child prints. */
  first: Promise<Record<string, unknown>>;
  exited: Promise<number | null>;
}

function client(dataDir: string, ...args: string[]): Client {
  const child = spawn(process.execPath, ["--import", tsxLoader, fixture, dataDir, ...args], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  children.push(child);
  const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
  const first = new Promise<Record<string, unknown>>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.once("line", (line) => resolve(JSON.parse(line) as Record<string, unknown>));
    void exited.then((code) => reject(new Error(`client exited (${code}) before printing`)));
  });
  return { child, first, exited };
}

/** Pids of processes whose command line mentions the data dir (supervisor and FerretDB). */
async function processesUsing(dataDir: string): Promise<number[]> {
  const pids: number[] = [];
  for (const name of await readdir("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const cmd = await readFile(`/proc/${name}/cmdline`, "utf8").catch(() => "");
    if (cmd.includes(dataDir)) pids.push(Number(name));
  }
  return pids;
}

async function ferretdbPids(dataDir: string): Promise<number[]> {
  const out: number[] = [];
  for (const pid of await processesUsing(dataDir)) {
    const cmd = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "");
    if (cmd.split("\0")[0]?.includes("ferretdb") && cmd.includes("--handler=sqlite")) out.push(pid);
  }
  return out;
}

/**
 * Waits up to `ms` for every process of the data dir to be gone. The wait only ends a hang: an
 * orphan never goes, a supervisor on a busy machine takes a while.
 */
async function waitNoProcesses(dataDir: string, ms = 120_000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    const left = await processesUsing(dataDir);
    if (left.length === 0) return;
    if (Date.now() > deadline) throw new Error(`still running for ${dataDir}: pids ${left.join(", ")}`);
    await sleep(100);
  }
}

async function serverPort(dataDir: string): Promise<number> {
  const state = JSON.parse(await readFile(join(dataDir, "ferretdb", "server.json"), "utf8")) as {
    port: number;
  };
  return state.port;
}

// Each test starts one or two clients from source (tsx), each starting FerretDB: a minute and more
// on a busy 2-core machine. The timeout only ends a hang.
describe.skipIf(noFerretdb)("embedded store across processes", { timeout: 300_000 }, () => {
  it("two processes started at once both work and share one server", async () => {
    const dir = await tempDataDir();
    const a = client(dir, "hold");
    const b = client(dir, "hold");
    const [ra, rb] = await Promise.all([a.first, b.first]);
    expect(ra.ready).toBe(true);
    expect(rb.ready).toBe(true);
    expect(ra.uri).toBe(rb.uri); // same 127.0.0.1 port
    expect(ra.uri).toBe(`mongodb://127.0.0.1:${await serverPort(dir)}/`);
    expect(await ferretdbPids(dir)).toHaveLength(1);

    a.child.kill("SIGINT");
    b.child.kill("SIGINT");
    await Promise.all([a.exited, b.exited]);
    await waitNoProcesses(dir);
  });

  it("leaves no FerretDB behind after SIGINT to its only client", async () => {
    const dir = await tempDataDir();
    const c = client(dir, "hold");
    await c.first;
    expect(await ferretdbPids(dir)).toHaveLength(1);
    c.child.kill("SIGINT");
    expect(await c.exited).toBe(130);
    await waitNoProcesses(dir);
  });

  it("leaves no FerretDB behind after SIGKILL to its only client", async () => {
    const dir = await tempDataDir();
    const c = client(dir, "hold");
    await c.first;
    c.child.kill("SIGKILL");
    await c.exited;
    await waitNoProcesses(dir);
  });

  it("leaves no FerretDB behind when the data dir is deleted right after its last client", async () => {
    const dir = await tempDataDir();
    const c = client(dir, "hold");
    await c.first;
    c.child.kill("SIGINT");
    await c.exited;
    await rm(dir, { recursive: true, force: true }); // what a CI script does with its temp dir
    await waitNoProcesses(dir);
  });

  it("keeps the server up while another process still uses it", async () => {
    const dir = await tempDataDir();
    const a = client(dir, "hold");
    await a.first;
    const b = client(dir, "hold");
    const rb = await b.first;
    expect(rb.clients).toBe(2);
    const [ferret] = await ferretdbPids(dir);

    a.child.kill("SIGINT");
    await a.exited;
    await sleep(2_500); // well past the supervisor's 1 s linger
    expect(await ferretdbPids(dir)).toEqual([ferret]);
    const mc = await MongoClient.connect(`mongodb://127.0.0.1:${await serverPort(dir)}/`);
    try {
      expect(await mc.db("fixture").collection("clients").countDocuments()).toBe(2);
    } finally {
      await mc.close();
    }

    b.child.kill("SIGINT");
    await b.exited;
    await waitNoProcesses(dir);
  });

  it("keeps data across a stop and a fresh start", async () => {
    const dir = await tempDataDir();
    const w = client(dir, "write", "kept-value");
    expect(await w.first).toEqual({ wrote: "kept-value" });
    expect(await w.exited).toBe(0);
    await waitNoProcesses(dir); // the server really stopped in between

    const r = client(dir, "read");
    expect(await r.first).toEqual({ value: "kept-value" });
    expect(await r.exited).toBe(0);
    await waitNoProcesses(dir);
  });
});
