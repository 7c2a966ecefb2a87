// Node args that run a TypeScript file of this repo in a child process (through tsx).
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";

const loader = pathToFileURL(
  join(dirname(createRequire(import.meta.url).resolve("tsx/package.json")), "dist", "loader.mjs"),
).href;

export function cliArgs(script: string, args: string[]): string[] {
  return ["--import", loader, script, ...args];
}
