// YAML suspensions (levels, until), the planner with pauses, and hand edits named field by field.
import { describe, expect, it } from "vitest";
import { loadSchedules } from "../../src/config/load.js";
import { fieldChanges, handEdits } from "../../src/jobs/drift.js";
import type { ActualJob, DesiredJob } from "../../src/jobs/types.js";
import { desiredJobs } from "../../src/reconcile/desired.js";
import { plan } from "../../src/reconcile/plan.js";
import { cart, merchant } from "./desired-fixtures.js";

const NOW = new Date("2026-11-30T12:00:00Z");
const load = (text: string) => loadSchedules({ rootDir: "/x", files: new Map([["schedules/m.yaml", text]]) });
const doc = (spec: string) =>
  `apiVersion: schedsync/v1\nkind: Merchant\nmetadata: { id: acme }\nspec:\n  timezone: Europe/Berlin\n  connection: { type: sandbox }\n${spec}`;

/** The document apply would write for a desired job, read back. */
function written(job: DesiredJob, over: Partial<ActualJob> = {}): ActualJob {
  const { specHash, ...spec } = job;
  return {
    id: `id-${job.key}`,
    key: job.key,
    storedHash: specHash,
    spec,
    written: {
      name: job.name,
      disabled: job.disabled,
      repeatInterval: job.repeatInterval,
      repeatTimezone: job.repeatTimezone,
    },
    ...over,
  };
}

describe("suspended in YAML", () => {
  it("reads reason, until (in the merchant's timezone without an offset) and services", async () => {
    const r = await load(
      doc('  suspended: { reason: "WMS move", until: "2026-12-01T06:00", services: [inventory] }\n'),
    );
    if (!r.ok) throw new Error(JSON.stringify(r.errors));
    const [m] = r.model.merchants;
    expect(m?.suspended).toBe(false);
    expect(m?.suspension).toEqual({
      reason: "WMS move",
      until: "2026-12-01T05:00:00.000Z",
      services: ["inventory"],
    });
  });

  it("refuses a block without reason, a service of another level, and a date that is not one", async () => {
    for (const bad of [
      "  suspended: { until: 2026-12-01T06:00:00Z }\n",
      "  suspended: { reason: x, services: [orderDownload] }\n",
      '  suspended: { reason: x, until: "2026-13-45T06:00:00Z" }\n',
    ]) {
      const r = await load(doc(bad));
      expect(r.ok, bad).toBe(false);
    }
  });

  it("disables the jobs it covers at each level until `until`, then is as if not written", () => {
    const whole = { reason: "closed", until: "2026-12-01T00:00:00.000Z", services: null };
    const m = merchant("acme", {
      suspension: { reason: "carrier", until: null, services: ["inventory"] },
      carts: [cart("web", "acme", { suspended: true, suspension: whole })],
    });
    const jobs = new Map(desiredJobs({ merchants: [m], documents: 2 }, NOW).map((j) => [j.key, j]));
    expect(jobs.get("acme/inventory")).toMatchObject({
      disabled: true,
      suspended: { reason: "carrier", until: null, scope: "service" },
    });
    expect(jobs.get("acme/orderDelivery")?.disabled).toBe(false);
    expect(jobs.get("acme/web/orderDownload")).toMatchObject({
      disabled: true,
      suspended: { scope: "cart" },
    });
    const later = desiredJobs({ merchants: [m], documents: 2 }, new Date("2026-12-01T00:00:00Z"));
    const web = later.find((j) => j.key === "acme/web/orderDownload");
    expect(web?.disabled).toBe(false);
    expect(web?.suspended).toBeUndefined();
    // Unsuspended jobs hash as they did before suspensions had fields.
    const plain = desiredJobs({ merchants: [merchant("acme")], documents: 1 }, NOW);
    expect(later.find((j) => j.key === "acme/orderDelivery")?.specHash).toBe(
      plain.find((j) => j.key === "acme/orderDelivery")?.specHash,
    );
  });
});

describe("plan with pauses and hand edits", () => {
  const pause = { target: "acme", by: "alice", reason: "WMS down", since: NOW.toISOString(), until: null };
  const desired = desiredJobs(
    { merchants: [merchant("acme", { carts: [cart("web", "acme")] })], documents: 2 },
    NOW,
  );

  it("never writes a paused job and says what it holds back; new jobs under the pause are created held", () => {
    const [first, second, ...rest] = desired as [DesiredJob, DesiredJob, ...DesiredJob[]];
    const held = (j: DesiredJob) => ({ ...pause, disabledBefore: j.disabled });
    const changed = { ...second, repeatInterval: "0 * * * *", specHash: "other" };
    const actual = [
      written(first, { spec: { ...written(first).spec, disabled: true }, pause: held(first) }),
      written(changed, { spec: { ...written(changed).spec, disabled: true }, pause: held(second) }),
      ...rest.slice(1).map((j) => written(j)),
    ];
    const p = plan(desired, actual, { pauses: [pause] });
    expect(p.paused).toEqual([
      { key: first.key, pause: held(first), held: null },
      { key: second.key, pause: held(second), held: "update" },
    ]);
    expect(p.changes.map((c) => [c.action, c.key])).toEqual([["create", rest[0]?.key]]);
    expect(p.changes[0]).toMatchObject({ action: "create", pause: { target: "acme", by: "alice" } });
  });

  it("names a hand edit's fields in status (against what was written) and in the plan (against git)", () => {
    const job = desired[0] as DesiredJob;
    const edited = written(job, {
      spec: { ...written(job).spec, disabled: true, repeatInterval: "2 hours" },
    });
    expect(handEdits(edited)).toEqual([
      { field: "disabled", before: false, after: true },
      { field: "repeatInterval", before: job.repeatInterval, after: "2 hours" },
    ]);
    expect(handEdits(written(job))).toEqual([]);
    const change = plan(desired, [edited]).changes.find((c) => c.key === job.key);
    expect(change).toMatchObject({ action: "update", reason: "drift" });
    expect(change?.action === "update" && change.fields).toEqual(fieldChanges(edited.spec, job));
    // A paused job's `disabled` is the pause's, not an edit.
    const paused = written(job, {
      spec: { ...written(job).spec, disabled: true },
      pause: { ...pause, disabledBefore: false },
    });
    expect(handEdits(paused)).toEqual([]);
  });
});
