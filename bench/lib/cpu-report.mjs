// Preloaded into the whole-process benchmark runs (node --import): on exit, appends this process's
// CPU time (user + system, ms) to the file named by BENCH_CPU_FILE, one number a line.
import { appendFileSync } from "node:fs";

process.on("exit", () => {
  const file = process.env.BENCH_CPU_FILE;
  if (!file) return;
  const { user, system } = process.cpuUsage();
  appendFileSync(file, `${(user + system) / 1000}\n`);
});
