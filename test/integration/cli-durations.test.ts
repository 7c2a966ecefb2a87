// A duration flag through the built CLI (bin/schedsync.js; `npm run build` first): the schedules'
// grammar exactly, and each refused form names the rule it breaks and the fix. Usage errors exit 1
// like every invalid input (src/cli/option-types.ts; 2 is `plan`'s "changes pending").
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestDb, testDb } from "../helpers/db.js";
import { type TempRepo, tempRepo } from "../helpers/git-repo.js";

const BIN = resolve("bin/schedsync.js");

const MERCHANT = `apiVersion: schedsync/v1
kind: Merchant
metadata: { id: acme }
spec:
  timezone: UTC
  connection: { type: sandbox }
  services:
    orderDelivery: { every: 15m }
    shippingConfirmations: off
    inventory: off
`;

function cli(args: string[], env: NodeJS.ProcessEnv) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((done) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: { ...process.env, CI: "true", ...env } },
      (err, stdout, stderr) => done({ code: err ? Number(err.code) || 1 : 0, stdout, stderr }),
    );
  });
}

describe.skipIf(!existsSync(join("dist", "cli", "main.js")))(
  "apply --recheck-after through the built CLI",
  () => {
    let t: TestDb;
    let repo: TempRepo;
    const collections = async () => (await t.db.listCollections().toArray()).map((c) => c.name).sort();

    beforeAll(async () => {
      t = await testDb("cli-durations");
      repo = await tempRepo();
      await repo.commit({ "schedules/acme.yaml": MERCHANT });
    });
    afterAll(async () => {
      await t?.close();
      await repo?.remove();
    });

    it.each([
      ["60", 'bad interval "60": a duration needs a unit, e.g. "60s"'],
      ["1.5m", 'bad interval "1.5m": amounts are whole numbers; write "1m30s"'],
      ["90S", 'bad interval "90S": units are lower case; write "90s"'],
      ["500ms", "interval 500ms is shorter than 1s"],
    ])("refuses %j with the fix, exit 1, and changes nothing", async (value, fix) => {
      const before = await collections();
      const r = await cli(["apply", "--repo", repo.dir, "--recheck-after", value], { MONGODB_URI: t.dbUri });
      expect(r.code).toBe(1);
      expect(r.stdout).toBe("");
      expect(r.stderr.trim()).toBe(`schedsync: --recheck-after: ${fix}; or 0 to compare every time`);
      expect(await collections()).toEqual(before);
      expect(await t.db.collection("agendaJobs").countDocuments()).toBe(0);
    });

    it("takes the same value in the grammar", async () => {
      const r = await cli(["apply", "--repo", repo.dir, "--recheck-after", "1m30s", "--json"], {
        MONGODB_URI: t.dbUri,
      });
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      expect(
        await t.db.collection("agendaJobs").countDocuments({ "data.schedsync.key": "acme/orderDelivery" }),
      ).toBe(1);
    });
  },
);
