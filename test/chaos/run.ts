// `npm run chaos [-- <name>...] [--short]`: runs the chaos scenarios at full scale, prints each one's
// figures as a table and exits 1 if any goal is missed. Figures and how to read them: docs/reliability.md.
import type { ScenarioOptions, ScenarioResult } from "./lib/types.js";
import { SCENARIOS } from "./scenarios.js";

const args = process.argv.slice(2);
const scale = args.includes("--short") ? "short" : "full";
const names = args.filter((a) => !a.startsWith("--"));
const unknown = names.filter((n) => !SCENARIOS.some((s) => s.name === n));
if (unknown.length) {
  console.error(`unknown scenario ${unknown.join(", ")}; known: ${SCENARIOS.map((s) => s.name).join(", ")}`);
  process.exit(2);
}
const chosen = names.length ? SCENARIOS.filter((s) => names.includes(s.name)) : SCENARIOS;

function table(r: ScenarioResult, seconds: number): string {
  const rows = Object.entries(r.figures).map(([k, v]) => [k, String(v)] as const);
  const w = Math.max(...rows.map(([k]) => k.length), 10);
  const lines = [
    `== ${r.name} (${scale}, ${seconds.toFixed(1)} s): ${r.goalsMet ? "goals met" : "GOALS MISSED"}`,
  ];
  for (const [k, v] of rows) lines.push(`  ${k.padEnd(w)}  ${v}`);
  for (const f of r.failures) lines.push(`  ✗ ${f}`);
  return lines.join("\n");
}

const results: ScenarioResult[] = [];
for (const s of chosen) {
  const started = Date.now();
  // Each scenario starts an embedded store of its own unless MONGODB_URI names one.
  const opts: ScenarioOptions = { scale, storeUri: process.env.MONGODB_URI || undefined };
  let r: ScenarioResult;
  try {
    r = await s.run(opts);
  } catch (err) {
    r = {
      name: s.name,
      figures: {},
      goalsMet: false,
      failures: [`crashed: ${(err as Error).stack ?? err}`],
    };
  }
  results.push(r);
  console.log(table(r, (Date.now() - started) / 1000));
}
const missed = results.filter((r) => !r.goalsMet).map((r) => r.name);
console.log(
  missed.length
    ? `\nGoals missed: ${missed.join(", ")}`
    : `\nAll ${results.length} scenarios met their goals.`,
);
process.exit(missed.length ? 1 : 0);
