// A command's session with the store: open it (data dir from paths.ts), run, close; and the
// reconcile stages' errors as CLI errors. Imported inside actions (it loads the mongodb driver).
import { LockBusyError } from "../platform/lease.js";
import { RevisionRejectedError } from "../reconcile/errors.js";
import { SourceError } from "../reconcile/source.js";
import { openStore, type Store } from "../store/index.js";
import { CliError } from "./errors.js";
import { storeDataDir } from "./paths.js";
import { rejectedView } from "./views/plan.js";
import { render } from "./views/view.js";

/** Opens the store, runs fn, closes the store; progress lines go to stderr unless --json or CI. */
export async function withStore<T>(json: boolean | undefined, fn: (store: Store) => Promise<T>): Promise<T> {
  const quiet = json || !!process.env.CI;
  const store = await openStore({
    dataDir: storeDataDir(),
    log: quiet ? undefined : (line) => console.error(line),
  });
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/** Maps the reconcile stages' errors to one clear CLI error (exit 1). */
export function cliErrorFrom(err: unknown, json: boolean | undefined): never {
  if (err instanceof RevisionRejectedError) {
    if (!json) throw new CliError(rejectedView.text(err));
    render(rejectedView, err, { json });
    throw new CliError("", 1);
  }
  if (err instanceof SourceError || err instanceof LockBusyError) throw new CliError(err.message);
  throw err;
}
