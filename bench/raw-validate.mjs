// The whole-process baseline of `npm run bench -- validate`: a plain Node script that reads every
// schedule file under a directory, parses it with yaml.parse and checks it with the same compiled
// ajv validator. No positions, no cross-file checks: the least a validator could do.
// Usage: node bench/raw-validate.mjs <dir>   (needs dist/: npm run build)
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { parse } from "yaml";
import { compileValidator } from "../dist/config/schema.js";

// Compiled at start-up, as a plain script would (not schedsync's build-time standalone code).
const validate = compileValidator();
let valid = 0;
let files = 0;
async function walk(dir) {
  for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) =>
    a.name < b.name ? -1 : 1,
  )) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) await walk(path);
    else if (/\.ya?ml$/.test(entry.name)) {
      files++;
      if (validate(parse(await readFile(path, "utf8")))) valid++;
    }
  }
}
await walk(process.argv[2] ?? "schedules");
console.log(JSON.stringify({ files, valid }));
