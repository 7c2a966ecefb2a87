// The embedded default store: one FerretDB (SQLite handler) per data dir, shared by every schedsync
// process that uses that dir. Each process registers a client file; the supervisor stops FerretDB
// when no registered process is alive any more.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { unlinkSync } from "node:fs";
import { mkdir, readFile, unlink, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath, pathToFileURL } from "node:url";
import { ensureFerretdb } from "./ferretdb-binary.js";
import { pidAlive, withFileLock } from "./file-lock.js";
import { dataDir as defaultDataDir } from "./paths.js";
import { portOpen, type ServerState, type SupervisorConfig } from "./supervisor.js";

export interface EmbeddedServer {
  uri: string;
  port: number;
  dataDir: string;
  /** Unregister this process; the server stops shortly after its last user leaves. */
  release(): Promise<void>;
}

export interface EmbeddedOptions {
  dataDir?: string;
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
  /** How long the server stays up after its last client leaves (ms). */
  lingerMs?: number;
}

function layout(dir: string) {
  const root = join(dir, "ferretdb");
  return {
    root,
    sqliteDir: join(root, "data"),
    clientsDir: join(root, "clients"),
    stateFile: join(root, "server.json"),
    lockFile: join(root, "lock"),
    logFile: join(root, "ferretdb.log"),
  };
}

async function readState(file: string): Promise<ServerState | undefined> {
  try {
    return JSON.parse(await readFile(file, "utf8")) as ServerState;
  } catch {
    return undefined;
  }
}

async function usable(state: ServerState | undefined): Promise<boolean> {
  return !!state && pidAlive(state.supervisorPid) && (await portOpen(state.port));
}

/** A FerretDB left behind by a supervisor that was SIGKILLed would hold the SQLite files: stop it. */
async function killLeftover(state: ServerState | undefined): Promise<void> {
  if (!state || pidAlive(state.supervisorPid) || !pidAlive(state.ferretdbPid)) return;
  const cmd = await readFile(`/proc/${state.ferretdbPid}/cmdline`, "utf8").catch(() => "");
  if (!cmd.includes("ferretdb")) return;
  process.kill(state.ferretdbPid, "SIGTERM");
  for (let i = 0; i < 100 && pidAlive(state.ferretdbPid); i++) await sleep(50);
  if (pidAlive(state.ferretdbPid)) process.kill(state.ferretdbPid, "SIGKILL");
}

function supervisorCommand(): { exec: string; args: string[] } {
  const self = fileURLToPath(import.meta.url);
  if (self.endsWith(".ts")) {
    // Running from source (tests, tsx): the supervisor needs the same TypeScript loader.
    const tsx = join(
      dirname(createRequire(import.meta.url).resolve("tsx/package.json")),
      "dist",
      "loader.mjs",
    );
    return {
      exec: process.execPath,
      args: ["--import", pathToFileURL(tsx).href, join(self, "..", "supervisor-main.ts")],
    };
  }
  return { exec: process.execPath, args: [join(self, "..", "supervisor-main.js")] };
}

export async function startEmbedded(opts: EmbeddedOptions = {}): Promise<EmbeddedServer> {
  const env = opts.env ?? process.env;
  const dir = opts.dataDir ?? defaultDataDir(env);
  const paths = layout(dir);
  await mkdir(paths.sqliteDir, { recursive: true });
  await mkdir(paths.clientsDir, { recursive: true });
  const binary = await ensureFerretdb({ env, log: opts.log });

  const clientFile = join(paths.clientsDir, `${process.pid}-${randomBytes(4).toString("hex")}`);
  const onExit = () => {
    try {
      unlinkSync(clientFile);
    } catch {}
  };

  const state = await withFileLock(paths.lockFile, { staleMs: 30_000, waitMs: 60_000 }, async () => {
    await writeFile(clientFile, String(process.pid));
    const current = await readState(paths.stateFile);
    if (await usable(current)) return current as ServerState;
    await killLeftover(current);
    await unlink(paths.stateFile).catch(() => {});
    const cfg: SupervisorConfig = {
      binary,
      sqliteDir: paths.sqliteDir,
      stateDir: paths.root,
      clientsDir: paths.clientsDir,
      stateFile: paths.stateFile,
      lockFile: paths.lockFile,
      logFile: paths.logFile,
      lingerMs: opts.lingerMs ?? Number(env.SCHEDSYNC_EMBEDDED_LINGER_MS ?? 1_000),
    };
    const { exec, args } = supervisorCommand();
    const child = spawn(exec, [...args, JSON.stringify(cfg)], { detached: true, stdio: "ignore", env });
    child.unref();
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const s = await readState(paths.stateFile);
      if (s && (await usable(s))) return s;
      if (child.exitCode !== null) break;
      await sleep(25);
    }
    const tail = (await readFile(paths.logFile, "utf8").catch(() => "")).split("\n").slice(-15).join("\n");
    throw new Error(`the embedded FerretDB did not start (log ${paths.logFile}):\n${tail}`);
  });
  process.once("exit", onExit);

  let released = false;
  return {
    uri: `mongodb://127.0.0.1:${state.port}/`,
    port: state.port,
    dataDir: dir,
    release: async () => {
      if (released) return;
      released = true;
      process.off("exit", onExit);
      await unlink(clientFile).catch(() => {});
    },
  };
}
