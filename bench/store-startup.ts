// Measures the embedded store's start-up: a cold start (no server for the data dir: supervisor +
// FerretDB + first ping) and a warm attach (a second process joining the running server).
// Run: npx tsx bench/store-startup.ts [rounds]
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { openStore } from "../src/store/index.js";

const rounds = Number(process.argv[2] ?? 5);
const env = { ...process.env };
delete env.MONGODB_URI;

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t = performance.now();
  const v = await fn();
  return [v, performance.now() - t];
}

const cold: number[] = [];
const warm: number[] = [];
for (let i = 0; i < rounds; i++) {
  const dir = await mkdtemp(join(tmpdir(), "schedsync-bench-store-"));
  const [first, coldMs] = await timed(async () => {
    const s = await openStore({ env, dataDir: dir, dbName: "bench" });
    await s.db.command({ ping: 1 });
    return s;
  });
  const [second, warmMs] = await timed(async () => {
    const s = await openStore({ env, dataDir: dir, dbName: "bench" });
    await s.db.command({ ping: 1 });
    return s;
  });
  cold.push(coldMs);
  warm.push(warmMs);
  await second.close();
  await first.close();
  await sleep(2_000); // let the supervisor stop FerretDB before removing its files
  await rm(dir, { recursive: true, force: true });
}
const fmt = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return `median ${s[Math.floor(s.length / 2)]?.toFixed(0)} ms, min ${s[0]?.toFixed(0)} ms, max ${s.at(-1)?.toFixed(0)} ms`;
};
console.log(`cold start (supervisor + FerretDB + ping), ${rounds} rounds: ${fmt(cold)}`);
console.log(`attach to running server (+ ping), ${rounds} rounds: ${fmt(warm)}`);
