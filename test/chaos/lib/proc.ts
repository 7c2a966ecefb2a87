// Child processes of the real CLI (from source), with their output kept for the secrets grep.
import { type ChildProcess, spawn } from "node:child_process";
import { cliArgs } from "../../helpers/cli.js";

export interface Child {
  proc: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the exit code (null when killed by a signal) and the signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Every line any chaos child printed, for scenario 7's grep. */
export const allOutput: string[] = [];

export function spawnCli(args: string[], env: NodeJS.ProcessEnv, cwd?: string): Child {
  const proc = spawn(process.execPath, cliArgs(args), {
    cwd,
    env: { ...process.env, CI: "true", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  proc.stdout?.on("data", (c: Buffer) => {
    out += c.toString();
  });
  proc.stderr?.on("data", (c: Buffer) => {
    err += c.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    proc.once("exit", (code, signal) => {
      // Let the pipes drain before handing out the output.
      setImmediate(() => {
        allOutput.push(out, err);
        resolve({ code, signal });
      });
    });
  });
  return { proc, stdout: () => out, stderr: () => err, exited };
}

export async function runCliChild(args: string[], env: NodeJS.ProcessEnv, cwd?: string) {
  const c = spawnCli(args, env, cwd);
  const r = await c.exited;
  return { ...r, stdout: c.stdout(), stderr: c.stderr() };
}

/** `schedsync apply` of one revision that may go back and delete freely (the crash scenarios). */
export function applier(repoDir: string, env: NodeJS.ProcessEnv): (sha: string) => Child {
  return (sha) =>
    spawnCli(
      ["apply", "--repo", repoDir, "--ref", sha, "--allow-rollback", "--allow-mass-delete", "--json"],
      env,
    );
}
