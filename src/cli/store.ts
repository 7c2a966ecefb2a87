// `schedsync store install|status`: provision and inspect the embedded FerretDB store.
import type { Command } from "commander";
import { watchSignals } from "../platform/signals.js";
import { FERRETDB_VERSION } from "../store/paths.js";
import { CliError } from "./errors.js";
import { storeDataDir } from "./paths.js";

export function register(program: Command): void {
  const store = program
    .command("store")
    .description("Manage the embedded store (FerretDB) used when MONGODB_URI is not set.")
    .addHelpText(
      "after",
      `
Provisioning order: MONGODB_URI → SCHEDSYNC_FERRETDB → ferretdb on PATH → the
cache (SCHEDSYNC_CACHE_DIR, default ~/.cache/schedsync) → build FerretDB
${FERRETDB_VERSION} with Go.
Data lives in SCHEDSYNC_DATA_DIR (default: .schedsync at the repo root). See
docs/store.md.

Examples:
  $ npx schedsync store install     # once per machine; CI runs it first
  $ npx schedsync store status`,
    );

  store
    .command("install")
    .description(
      `Find FerretDB ${FERRETDB_VERSION}, or build it once with Go into the cache (a minute or two).`,
    )
    .option("--force", "build again even if a binary is found")
    .addHelpText(
      "after",
      "\nExamples:\n  $ npx schedsync store install\n  $ npx schedsync store install --force",
    )
    .action(async (o: { force?: boolean }) => install(!!o.force));

  store
    .command("serve")
    .description(
      "Run the embedded FerretDB in the foreground and print its MONGODB_URI, so other tools (or a " +
        "test run with MONGODB_URI set) can use it. Ctrl-C stops it: tools given the printed URI lose " +
        "their store then; only schedsync processes on the embedded default (same data dir) keep it running.",
    )
    .option("--data-dir <path>", "data dir (default: SCHEDSYNC_DATA_DIR or .schedsync at the repo root)")
    .addHelpText(
      "after",
      "\nExamples:\n  $ npx schedsync store serve\n  $ MONGODB_URI=<the printed URI> npm test   # in another terminal",
    )
    .action(async (o: { dataDir?: string }) => serveStore(o.dataDir));

  store
    .command("status")
    .description("Show which store is used, where the binary and data are, and whether a server is running.")
    .option("--json", "print the status as JSON")
    .option(
      "--data-dir <path>",
      "data dir to inspect (default: SCHEDSYNC_DATA_DIR or .schedsync at the repo root)",
    )
    .addHelpText(
      "after",
      "\nExamples:\n  $ npx schedsync store status\n  $ npx schedsync store status --json",
    )
    .action(async (o: { json?: boolean; dataDir?: string }) => status(o));
}

async function install(force: boolean): Promise<void> {
  const { buildFerretdb, findFerretdb, StoreUnavailableError } = await import("../store/ferretdb-binary.js");
  const log = (line: string) => console.error(line);
  try {
    const found = force ? undefined : await findFerretdb();
    if (found) {
      console.log(`FerretDB is available: ${found}`);
      return;
    }
    const path = await buildFerretdb({ log, force });
    console.log(`FerretDB ${FERRETDB_VERSION} installed: ${path}`);
  } catch (err) {
    if (err instanceof StoreUnavailableError) throw new CliError(err.message);
    throw err;
  }
}

async function status(o: { json?: boolean; dataDir?: string }): Promise<void> {
  const [{ storeStatus }, { storeStatusView }, { render }] = await Promise.all([
    import("../store/status.js"),
    import("./views/store-status.js"),
    import("./views/view.js"),
  ]);
  const s = await storeStatus(process.env, o.dataDir ?? storeDataDir());
  render(storeStatusView, s, o);
}

async function serveStore(dataDir?: string): Promise<void> {
  const { startEmbedded } = await import("../store/embedded.js");
  const server = await startEmbedded({
    dataDir: dataDir ?? storeDataDir(),
    log: (line) => console.error(line),
  });
  // Listen before printing the URI: a signal that comes once a caller has read it stops cleanly.
  const signals = watchSignals();
  console.log(`MONGODB_URI=${server.uri}`);
  // Signal listeners alone do not keep Node running; this timer does until a signal arrives.
  const keepAlive = setInterval(() => {}, 1 << 30);
  await signals.received;
  signals.dispose();
  clearInterval(keepAlive);
  await server.release();
  console.error(
    "schedsync: store serve stopped; FerretDB stops too unless a schedsync process on the embedded default (same data dir) still uses it",
  );
}
