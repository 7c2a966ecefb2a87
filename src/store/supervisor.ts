// A small detached process that owns one FerretDB server for a data dir. It runs FerretDB on a free
// loopback port, restarts it if it dies, and stops it once no registered schedsync process is alive
// (a client that was SIGKILLed counts as gone), so no FerretDB is ever left orphaned.
import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, existsSync } from "node:fs";
import { readdir, rename, unlink, writeFile } from "node:fs/promises";
import { connect, createServer } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { pidAlive, withFileLock } from "./file-lock.js";
import { startWriteSerializer } from "./write-serializer.js";

export interface SupervisorConfig {
  binary: string;
  sqliteDir: string;
  stateDir: string;
  clientsDir: string;
  stateFile: string;
  lockFile: string;
  logFile: string;
  lingerMs: number;
}

export interface ServerState {
  supervisorPid: number;
  ferretdbPid: number;
  /** The port clients use: the write-serializing proxy in front of FerretDB. */
  port: number;
  /** FerretDB's own port (loopback; clients should not use it directly). */
  ferretdbPort: number;
  startedAt: string;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === "object" && addr ? resolve(addr.port) : reject(new Error("no port"))));
    });
  });
}

export function portOpen(port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ host: "127.0.0.1", port });
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.once("connect", () => done(true));
    sock.once("error", () => done(false));
  });
}

/** Client files are named `<pid>-<random>`; returns how many belong to live processes. */
export async function liveClients(clientsDir: string): Promise<number> {
  let live = 0;
  for (const name of await readdir(clientsDir).catch(() => [] as string[])) {
    const pid = Number.parseInt(name, 10);
    if (pidAlive(pid)) live++;
    else await unlink(`${clientsDir}/${name}`).catch(() => {});
  }
  return live;
}

function startFerretdb(cfg: SupervisorConfig, port: number, log: NodeJS.WritableStream): ChildProcess {
  const child = spawn(
    cfg.binary,
    [
      "--handler=sqlite",
      `--sqlite-url=file:${cfg.sqliteDir}/`,
      `--listen-addr=127.0.0.1:${port}`,
      "--debug-addr=-",
      "--telemetry=disable",
      `--state-dir=${cfg.stateDir}`,
      "--log-level=warn",
      "--log-format=text",
      // find hands dotted-path conditions to the backend too (by default it strips them); schedsync's
      // pushdown (ferretdb-pushdown.ts) searches value indexes for them and FerretDB filters again.
      "--test-enable-nested-pushdown",
    ],
    {
      env: { ...process.env, FERRETDB_TELEMETRY: "disable", DO_NOT_TRACK: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  return child;
}

async function waitReady(child: ChildProcess, port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error("ferretdb exited during start-up");
    if (await portOpen(port)) return;
    await sleep(25);
  }
  throw new Error(`ferretdb did not listen on 127.0.0.1:${port} within ${timeoutMs} ms`);
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  child.kill("SIGTERM");
  const timedOut = await Promise.race([exited.then(() => false), sleep(5_000).then(() => true)]);
  if (timedOut) {
    child.kill("SIGKILL");
    await exited;
  }
}

export async function runSupervisor(cfg: SupervisorConfig): Promise<void> {
  const log = createWriteStream(cfg.logFile, { flags: "a" });
  const note = (msg: string) => log.write(`${new Date().toISOString()} supervisor[${process.pid}] ${msg}\n`);
  const ferretdbPort = await freePort();
  let child = startFerretdb(cfg, ferretdbPort, log);
  let stopping = false;
  const restarts: number[] = [];
  await waitReady(child, ferretdbPort, 30_000);
  // Clients talk to the proxy, which makes FerretDB's read-then-write commands atomic.
  // FerretDB 1.24 (sqlite) can stop answering for good after a client dies mid-command; a write
  // left unanswered that long gets FerretDB killed, and the restart below brings it back.
  const stallMs = Number(process.env.SCHEDSYNC_FERRETDB_STALL_MS) || 60_000;
  const proxy = await startWriteSerializer(0, ferretdbPort, {
    stallMs,
    onStall: (waited, what) => {
      note(
        `a write (${what}) has had no reply for ${waited} ms; killing ferretdb pid ${child.pid} to restart it`,
      );
      child.kill("SIGKILL");
    },
  });
  const address = proxy.address();
  const port = typeof address === "object" && address ? address.port : 0;
  const state: ServerState = {
    supervisorPid: process.pid,
    ferretdbPid: child.pid ?? 0,
    port,
    ferretdbPort,
    startedAt: new Date().toISOString(),
  };
  const writeState = async () => {
    await writeFile(`${cfg.stateFile}.tmp`, JSON.stringify(state));
    await rename(`${cfg.stateFile}.tmp`, cfg.stateFile);
  };
  // Listen before the state file says we are up: a stop signal from then on is a clean stop.
  const shutdown = async (why: string) => {
    if (stopping) return;
    stopping = true;
    note(`stopping (${why})`);
    await stopChild(child);
    await unlink(cfg.stateFile).catch(() => {});
    log.end();
    process.exit(0);
  };
  for (const sig of ["SIGTERM", "SIGINT", "SIGHUP"] as const) process.on(sig, () => void shutdown(sig));
  await writeState();
  note(`ferretdb pid ${state.ferretdbPid} on 127.0.0.1:${ferretdbPort}; clients use 127.0.0.1:${port}`);

  // Restart FerretDB on the same port if it dies, so clients reconnect by themselves.
  const watch = (c: ChildProcess) =>
    c.once("exit", async (code, signal) => {
      if (stopping) return;
      note(`ferretdb exited (code ${code}, signal ${signal}); restarting`);
      const now = Date.now();
      restarts.push(now);
      while (restarts.length && now - (restarts[0] ?? now) > 60_000) restarts.shift();
      if (restarts.length > 5) return shutdown("ferretdb keeps crashing");
      await sleep(200);
      child = startFerretdb(cfg, ferretdbPort, log);
      watch(child);
      try {
        await waitReady(child, ferretdbPort, 30_000);
        state.ferretdbPid = child.pid ?? 0;
        await writeState();
      } catch (err) {
        note(String(err));
      }
    });
  watch(child);

  let idleSince: number | undefined;
  for (;;) {
    await sleep(250);
    if ((await liveClients(cfg.clientsDir)) > 0) {
      idleSince = undefined;
      continue;
    }
    idleSince ??= Date.now();
    if (Date.now() - idleSince < cfg.lingerMs) continue;
    // Decide under the clients' lock so nobody registers while we stop.
    try {
      await withFileLock(cfg.lockFile, { staleMs: 30_000, waitMs: 30_000 }, async () => {
        if ((await liveClients(cfg.clientsDir)) > 0) return;
        stopping = true;
        note("no live clients; stopping");
        await stopChild(child);
        await unlink(cfg.stateFile).catch(() => {});
      });
    } catch (err) {
      // The data dir was removed under us (e.g. a temp dir deleted right after use): nobody can
      // register any more, so stop FerretDB rather than die and leave it running detached.
      if (existsSync(cfg.clientsDir)) throw err;
      stopping = true;
      note("data dir removed; stopping");
      await stopChild(child);
    }
    if (stopping) {
      log.end();
      process.exit(0);
    }
    idleSince = undefined;
  }
}
