// `npm run bench [-- name...]`: runs every benchmark (or the named ones) and prints its lines.
// Each benchmark module exports an async function returning { name, lines }; add one line below.
type Bench = { name: string; run: () => Promise<{ name: string; lines: string[] }> };

const BENCHES: Bench[] = [
  { name: "validate", run: async () => (await import("./validate.js")).benchValidate() },
  { name: "reconcile", run: async () => (await import("./reconcile.js")).benchReconcile() },
  { name: "connector", run: async () => (await import("./connector.js")).benchConnector() },
  { name: "automatic", run: async () => (await import("./automatic.js")).benchAutomatic() },
  { name: "simulate", run: async () => (await import("./simulate.js")).benchSimulate() },
  { name: "fleet", run: async () => (await import("./fleet.js")).benchFleet() },
  {
    name: "push",
    run: async () => {
      const [{ recordsPath }, { withBenchStore }] = await Promise.all([
        import("./fleet-records.js"),
        import("./lib/store.js"),
      ]);
      return { name: "push", lines: await withBenchStore((uri) => recordsPath(uri)) };
    },
  },
  { name: "store-queries", run: async () => (await import("./store-queries.js")).benchStoreQueries() },
  { name: "retention", run: async () => (await import("./retention.js")).benchRetention() },
  { name: "placement", run: async () => (await import("./placement.js")).benchPlacement() },
];

const wanted = process.argv.slice(2).filter((a) => !a.startsWith("-"));
const unknown = wanted.filter((w) => !BENCHES.some((b) => b.name === w));
if (unknown.length) {
  console.error(`unknown benchmark: ${unknown.join(", ")} (have: ${BENCHES.map((b) => b.name).join(", ")})`);
  process.exit(1);
}
for (const bench of BENCHES.filter((b) => wanted.length === 0 || wanted.includes(b.name))) {
  const result = await bench.run();
  console.log(`\n## ${result.name}`);
  for (const line of result.lines) console.log(`  ${line}`);
}
// Agenda keeps a timer per run it checks for lock expiry (lockLifetime / 2, 5 min here) that stop()
// does not clear: without this the process lingers minutes after its results, as the CLI would.
process.exit();
