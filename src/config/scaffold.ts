// `init`: a commented example schedules directory that validates, with the schemas copied in so
// editors can check files offline (`# yaml-language-server: $schema=...`).
import { appendFile, copyFile, mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import { SCHEMAS_DIR } from "./schema.js";

const SCHEMA_DIR_NAME = ".schema";

function header(file: string): string {
  const depth = file.split("/").length - 1;
  return `# yaml-language-server: $schema=${"../".repeat(depth)}${SCHEMA_DIR_NAME}/schedule.schema.json\n`;
}

const FILES: Record<string, string> = {
  "defaults.yaml": `# Defaults: used wherever a Merchant or Cart leaves a field out. At most one per repository.
apiVersion: schedsync/v1
kind: Defaults
spec:
  timezone: UTC              # IANA name; cron and at schedules are evaluated in it
  cleanup: { runsPerDay: 2 } # cleanup runs retry records that failed under automatic (0..24)
  spread: true               # each every-job at its own phase, so a fleet does not start in one second
  services:
    # Without a default here a service is automatic where available, else { every: 15m }.
    shippingConfirmations: { every: 30m }
`,
  "merchants/example.yaml": `# A merchant and its carts. Several documents may share a file, separated by ---.
apiVersion: schedsync/v1
kind: Merchant
metadata:
  id: example              # lowercase letters, digits and dashes
  name: Example Outfitters # optional display name
spec:
  timezone: America/Chicago
  suspended: false         # true keeps the jobs but disables them (and all carts)
  services:
    # Frequencies: automatic (orderDelivery, shipmentUpload, inventoryUpload only), off,
    # { every: 30m } (1m..7d), { cron: "15 */2 * * *" } (5 fields), { at: ["06:00", "18:00"] }.
    orderDelivery: automatic
    shippingConfirmations: { every: 30m }
    inventory: { cron: "15 */2 * * *" }
  # Blackout windows (local time): no transmission to the WMS starts inside; a run due inside runs
  # once at the end. Also { from: "23:00", to: "01:00" } and { start: 2026-11-27, end: 2026-12-01 }.
  # blackout:
  #   - { cron: "0 2 * * 0", duration: 2h, reason: WMS maintenance }
  # The merchant's WMS. sandbox is a built-in simulator (no secrets needed); a real WMS is
  #   connection: { type: http, baseUrl: https://wms.example.com/api, tokenEnv: EXAMPLE_WMS_TOKEN }
  # where tokenEnv names the environment variable that holds the token (never the token itself).
  connection:
    type: sandbox
---
apiVersion: schedsync/v1
kind: Cart
metadata:
  id: web-store            # unique within its merchant
  merchant: example        # must name a Merchant
spec:
  services:
    orderDownload: { every: 5m }
    shipmentUpload: { automatic: { window: 5s, maxBatch: 500 } }
    inventoryUpload: { at: ["06:00", "18:00"] }
  # The cart. Orders come from here: the sandbox cart makes orderRatePerMinute orders a minute
  # (its first pull brings the last 5 minutes' worth); the sandbox WMS ships them at once.
  connection:
    type: sandbox
    orderRatePerMinute: 5
`,
};

/** Writes the example into `dir`; refuses a non-empty directory. Returns the files written. */
export async function scaffold(dir: string): Promise<string[]> {
  const existing = await readdir(dir).catch(() => [] as string[]);
  if (existing.length > 0) throw new Error(`${dir} is not empty; choose a new directory`);
  const written: string[] = [];
  for (const [file, body] of Object.entries(FILES)) {
    const path = join(dir, file);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, header(file) + body);
    written.push(path);
  }
  await mkdir(join(dir, SCHEMA_DIR_NAME), { recursive: true });
  for (const name of (await readdir(SCHEMAS_DIR)).filter((n) => n.endsWith(".schema.json"))) {
    const path = join(dir, SCHEMA_DIR_NAME, name);
    await copyFile(join(SCHEMAS_DIR, name), path);
    written.push(path);
  }
  return written.map((p) => relative(process.cwd(), p) || p);
}

/**
 * Adds `entry` (e.g. ".schedsync/") as a line of `<dir>/.gitignore`, creating the file if needed.
 * Returns the .gitignore's path when it was changed, undefined when the line was already there.
 */
export async function ignoreInGit(dir: string, entry: string): Promise<string | undefined> {
  const path = join(dir, ".gitignore");
  const text = await readFile(path, "utf8").catch(() => "");
  const bare = entry.replace(/^\/|\/$/g, "");
  if (text.split(/\r?\n/).some((l) => l.trim().replace(/^\/|\/$/g, "") === bare)) return undefined;
  await appendFile(path, `${text && !text.endsWith("\n") ? "\n" : ""}${entry}\n`);
  return path;
}
