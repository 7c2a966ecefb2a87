// One reconcile in a fresh process, so its peak RSS is its own. Prints {ms, maxRssMiB, outcome, summary}.
import { reconcile } from "../src/reconcile/engine.js";
import { openStore } from "../src/store/index.js";

const [repo, dbName] = process.argv.slice(2);
const store = await openStore({ dbName });
try {
  const t = performance.now();
  const r = await reconcile({ db: store.db, repo, allowMassDelete: true });
  const ms = performance.now() - t;
  const maxRssMiB = process.resourceUsage().maxRSS / 1024;
  console.log(JSON.stringify({ ms, maxRssMiB, outcome: r.outcome, summary: r.plan.summary }));
} finally {
  await store.close();
}
