// Validation benchmark: 10,000 schedule files generated in a temp dir, loaded by loadSchedules
// (walk, read, parse with positions, hostile-input checks, schema, cross-file checks, model) and,
// side by side, by a raw loop over the same files: readFile + yaml.parse + the compiled ajv schema.
// Then the same two as whole processes (start-up and cold code included): `node bin/schedsync.js
// validate <dir>` against `node bench/raw-validate.mjs <dir>`.
// Run: npm run build && npm run bench -- validate   (BENCH_FILES to change the count)
import { spawnSync } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { loadSchedules } from "../src/config/load.js";
import { documentValidator } from "../src/config/schema.js";

const FORMS = [
  "automatic",
  "{ every: 30m }",
  '{ cron: "15 */2 * * *" }',
  '{ at: ["06:00", "18:00"] }',
  "off",
];

function merchant(i: number): string {
  return `# merchant ${i}
apiVersion: schedsync/v1
kind: Merchant
metadata:
  id: m${i}
  name: Merchant ${i}
spec:
  timezone: ${i % 2 ? "America/Chicago" : "Europe/Berlin"}
  cleanup: { runsPerDay: ${i % 5} }
  services:
    orderDelivery: ${FORMS[i % FORMS.length]}
    shippingConfirmations: { every: ${(i % 50) + 5}m }
    inventory: { cron: "${i % 60} */2 * * *" }
  connection: { type: sandbox, orderRatePerMinute: 10, seed: ${i} }
`;
}

function cart(i: number, merchantIndex: number): string {
  return `apiVersion: schedsync/v1
kind: Cart
metadata:
  id: c${i}
  merchant: m${merchantIndex}
spec:
  connection: { type: sandbox }
  services:
    orderDownload: { every: 10m }
    shipmentUpload: ${FORMS[i % FORMS.length]}
    inventoryUpload: { at: ["0${i % 10}:00", "18:30"] }
`;
}

async function generate(root: string, count: number): Promise<void> {
  for (let d = 0; d < Math.ceil(count / 1000); d++)
    await mkdir(join(root, "schedules", `d${d}`), { recursive: true });
  const jobs: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    const text = i % 2 === 0 ? merchant(i) : cart(i, i - 1);
    jobs.push(writeFile(join(root, "schedules", `d${Math.floor(i / 1000)}`, `f${i}.yaml`), text));
  }
  await Promise.all(jobs);
}

async function raw(root: string): Promise<number> {
  const validate = documentValidator();
  let valid = 0;
  const base = join(root, "schedules");
  for (const d of (await readdir(base)).sort()) {
    for (const f of (await readdir(join(base, d))).sort()) {
      if (validate(parse(await readFile(join(base, d, f), "utf8")))) valid++;
    }
  }
  return valid;
}

async function ours(root: string): Promise<number> {
  const result = await loadSchedules({ rootDir: root });
  if (!result.ok)
    throw new Error(`generated schedules invalid: ${JSON.stringify(result.errors.slice(0, 3))}`);
  return result.model.documents;
}

async function time(fn: () => Promise<number>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

const REPO = join(import.meta.dirname, "..");

const CPU_REPORT = join(REPO, "bench", "lib", "cpu-report.mjs");

/**
 * One whole process: its wall time and its CPU time (user + system, reported at exit by
 * lib/cpu-report.mjs), in ms. CPU time is the steadier figure on a shared machine. A non-zero exit
 * is an error (the generated files are valid).
 */
async function processRun(args: string[], cpuFile: string): Promise<{ wall: number; cpu: number }> {
  await writeFile(cpuFile, "");
  const start = performance.now();
  const r = spawnSync(process.execPath, ["--import", CPU_REPORT, ...args], {
    cwd: REPO,
    encoding: "utf8",
    env: { ...process.env, CI: "true", BENCH_CPU_FILE: cpuFile },
  });
  const wall = performance.now() - start;
  if (r.status !== 0) throw new Error(`node ${args.join(" ")} exited ${r.status}: ${r.stderr}`);
  return { wall, cpu: Number((await readFile(cpuFile, "utf8")).trim()) };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

export async function benchValidate(): Promise<{ name: string; lines: string[] }> {
  const count = Number(process.env.BENCH_FILES ?? 10_000);
  const root = await mkdtemp(join(tmpdir(), "schedsync-bench-validate-"));
  try {
    await generate(root, count);
    // Warm-up (ajv compile, JIT, page cache), then alternate runs so both see the same conditions.
    await ours(root);
    await raw(root);
    const a: number[] = [];
    const b: number[] = [];
    for (let i = 0; i < 3; i++) {
      a.push(await time(() => ours(root)));
      b.push(await time(() => raw(root)));
    }
    const oursMs = median(a);
    const rawMs = median(b);
    const ratio = oursMs / rawMs;
    // Whole processes, alternating, after one warm-up each (page cache).
    const dir = join(root, "schedules");
    const cli = ["bin/schedsync.js", "validate", dir];
    const script = ["bench/raw-validate.mjs", dir];
    const cpuFile = join(root, "cpu.txt");
    await processRun(cli, cpuFile);
    await processRun(script, cpuFile);
    const pa: { wall: number; cpu: number }[] = [];
    const pb: { wall: number; cpu: number }[] = [];
    for (let i = 0; i < 5; i++) {
      pa.push(await processRun(cli, cpuFile));
      pb.push(await processRun(script, cpuFile));
    }
    const cliMs = median(pa.map((r) => r.wall));
    const scriptMs = median(pb.map((r) => r.wall));
    const cliCpu = median(pa.map((r) => r.cpu));
    const scriptCpu = median(pb.map((r) => r.cpu));
    return {
      name: "validate",
      lines: [
        `${count} files (one document each), median of 3 runs`,
        `loadSchedules:            ${oursMs.toFixed(0)} ms (${((oursMs * 1000) / count).toFixed(0)} µs/file)`,
        `raw yaml.parse + ajv:     ${rawMs.toFixed(0)} ms (${((rawMs * 1000) / count).toFixed(0)} µs/file)`,
        `ratio: ${ratio.toFixed(2)}× raw (in process)`,
        `whole process, median of 5 runs (wall / CPU user+system):`,
        `node bin/schedsync.js validate:   ${cliMs.toFixed(0)} ms / ${cliCpu.toFixed(0)} ms`,
        `node bench/raw-validate.mjs:      ${scriptMs.toFixed(0)} ms / ${scriptCpu.toFixed(0)} ms`,
        `ratio: ${(cliMs / scriptMs).toFixed(2)}× raw wall, ${(cliCpu / scriptCpu).toFixed(2)}× raw CPU (goal ≤ 1.5×)`,
      ],
    };
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
