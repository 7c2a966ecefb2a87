// Starts a test helper script (test/helpers/<script>) as a child process run from source by tsx,
// and waits until it prints "ready" (the worker children do once their worker has started).
import { type ChildProcess, spawn } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { waitFor } from "./wait-for.js";

const here = dirname(fileURLToPath(import.meta.url));
const tsx = join(dirname(createRequire(import.meta.url).resolve("tsx/package.json")), "dist", "loader.mjs");

export async function spawnReady(
  script: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["--import", pathToFileURL(tsx).href, join(here, script), ...args], {
    stdio: ["ignore", "pipe", "inherit"],
    env,
  });
  let out = "";
  child.stdout?.on("data", (c) => {
    out += c;
  });
  await waitFor("a worker process to start", () => out.includes("ready"), 120_000);
  return child;
}
