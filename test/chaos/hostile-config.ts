// Scenario 5: ≥ 1,000 hostile schedule files through loadSchedules — billion laughs, deep nesting,
// huge files, non-UTF-8, custom tags, prototype keys, symlink escapes, huge `at` lists, cron edge
// cases, duplicate keys, huge numbers. Every one must be refused with a located error, fast, with
// bounded memory, and Object.prototype must be untouched afterwards.
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type LoadResult, loadSchedules } from "../../src/config/load.js";
import { type HostileCase, hostileCases, VALID } from "./lib/hostile-inputs.js";
import { Outcome, type ScenarioOptions, type ScenarioResult, trace } from "./lib/types.js";

export const name = "hostile-config";

const MAX_MS = 1_000;
/** The short run is part of npm test on a loaded machine: the time goal there keeps a wide margin. */
const MAX_MS_SHORT = 5_000;
const MAX_HEAP_MIB = 300;
const MIB = 1 << 20;

function memory(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/** What is wrong with a result, from a person's point of view; "" when it is a clear refusal. */
function unclear(r: LoadResult, paths: Set<string>): string {
  if (r.ok) return "accepted";
  if (r.errors.length === 0) return "refused without an error";
  for (const e of r.errors) {
    const located = paths.has(e.file) && e.line >= 1 && e.column >= 1;
    if (!located || !e.message.trim() || /\n\s+at /.test(e.message))
      return `unclear error ${JSON.stringify(e).slice(0, 200)}`;
  }
  return "";
}

/** A repo whose schedules link outside it: to a file, to a directory, and a broken link. */
async function symlinkRepos(): Promise<{
  dir: string;
  cases: { kind: string; root: string; paths: Set<string> }[];
}> {
  const dir = await mkdtemp(join(tmpdir(), "schedsync-hostile-"));
  const outside = join(dir, "outside");
  await mkdir(outside);
  await writeFile(join(outside, "secret.yaml"), VALID);
  const cases: { kind: string; root: string; paths: Set<string> }[] = [];
  const make = async (label: string, target: string, link: string) => {
    const root = join(dir, label);
    await mkdir(join(root, "schedules"), { recursive: true });
    await symlink(target, join(root, "schedules", link));
    cases.push({ kind: "symlink-escape", root, paths: new Set([`schedules/${link}`]) });
  };
  await make("file", join(outside, "secret.yaml"), "acme.yaml");
  await make("dir", outside, "team");
  await make("relative", "../../outside/secret.yaml", "rel.yaml");
  await make("broken", join(outside, "missing.yaml"), "gone.yaml");
  return { dir, cases };
}

export async function run(opts: ScenarioOptions): Promise<ScenarioResult> {
  const out = new Outcome(name);
  const failures: string[] = [];
  const byKind = new Map<string, number>();
  let documents = 0;
  let crashes = 0;
  let unclearErrors = 0;
  let maxMs = 0;
  let maxMsKind = "";
  let peakHeap = 0;
  const slow: string[] = [];

  const maxMsGoal = opts.scale === "full" ? MAX_MS : MAX_MS_SHORT;

  async function check(kind: string, paths: Set<string>, load: () => Promise<LoadResult>): Promise<void> {
    documents++;
    byKind.set(kind, (byKind.get(kind) ?? 0) + 1);
    const before = memory();
    const started = performance.now();
    try {
      const r = await load();
      const ms = performance.now() - started;
      peakHeap = Math.max(peakHeap, (memory() - before) / MIB);
      if (ms > maxMs) [maxMs, maxMsKind] = [ms, kind];
      if (ms > maxMsGoal) slow.push(`${kind} #${documents}: ${Math.round(ms)} ms`);
      const why = unclear(r, paths);
      if (why) {
        unclearErrors++;
        if (failures.length < 10) failures.push(`${kind} #${documents}: ${why}`);
      }
    } catch (err) {
      crashes++;
      if (failures.length < 10) failures.push(`${kind} #${documents} crashed: ${String(err).slice(0, 200)}`);
    }
  }

  for (const c of hostileCases(opts.scale) as Generator<HostileCase>) {
    const paths = new Set(c.files.keys());
    await check(c.kind, paths, () => loadSchedules({ rootDir: "/nonexistent-repo", files: c.files }));
  }
  const links = await symlinkRepos();
  try {
    for (const c of links.cases) await check(c.kind, c.paths, () => loadSchedules({ rootDir: c.root }));
  } finally {
    await rm(links.dir, { recursive: true, force: true });
  }
  const polluted =
    Object.keys(Object.prototype).length > 0 || ({} as Record<string, unknown>).polluted !== undefined;
  trace(`kinds: ${[...byKind].map(([k, n]) => `${k}=${n}`).join(" ")}`);

  out.figure("documents", documents);
  out.figure("kinds", byKind.size);
  out.figure("crashes", crashes);
  out.figure("unclear errors", unclearErrors);
  out.figure("max ms per document", maxMs);
  out.figure("slowest kind", maxMsKind);
  out.figure("peak heap growth MiB", peakHeap);
  out.figure("Object.prototype polluted", polluted ? "yes" : "no");
  out.goal(documents >= 1_000, `only ${documents} documents (goal ≥ 1,000)`);
  out.goal(crashes === 0, `${crashes} crashes`);
  out.goal(unclearErrors === 0, `${unclearErrors} inputs not refused with a located error`);
  out.goal(
    slow.length === 0,
    `${slow.length} documents over ${maxMsGoal} ms: ${slow.slice(0, 3).join("; ")}`,
  );
  out.goal(peakHeap < MAX_HEAP_MIB, `heap grew ${Math.round(peakHeap)} MiB (goal < ${MAX_HEAP_MIB})`);
  out.goal(!polluted, "Object.prototype was polluted");
  for (const f of failures) out.goal(false, f);
  return out.result();
}
