// One reconcile in a fresh process, so its peak RSS is its own. Prints {ms, maxRssMiB, outcome,
// compared, summary}. Args: repo, database, and recheckAfterMs (default 0: compare every job).
import { reconcile } from "../src/reconcile/engine.js";
import { openStore } from "../src/store/index.js";

const [repo, dbName, recheck = "0"] = process.argv.slice(2);
const store = await openStore({ dbName });
try {
  const t = performance.now();
  const r = await reconcile({ db: store.db, repo, allowMassDelete: true, recheckAfterMs: Number(recheck) });
  const ms = performance.now() - t;
  const maxRssMiB = process.resourceUsage().maxRSS / 1024;
  console.log(
    JSON.stringify({ ms, maxRssMiB, outcome: r.outcome, compared: r.compared, summary: r.plan.summary }),
  );
} finally {
  await store.close();
}
