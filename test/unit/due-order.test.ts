// DueOrder (src/jobs/due-order.ts): names by the due time of the job each last locked.
import type { JobRepository } from "agenda";
import { describe, expect, it } from "vitest";
import { DueOrder } from "../../src/jobs/due-order.js";

type Next = JobRepository["getNextJobToRun"];

/** A repository whose lock query answers from `jobs` (name → due time in ms, or none). */
function repository(jobs: Record<string, number | undefined>): { getNextJobToRun: Next } {
  const getNextJobToRun = (async (name: string) => {
    const due = jobs[name];
    return due === undefined ? undefined : { name, nextRunAt: new Date(due) };
  }) as unknown as Next;
  return { getNextJobToRun };
}

describe("DueOrder", () => {
  it("puts never-asked names first, then by the due time last locked, names with none due last", async () => {
    const repo = repository({ pull: 3_000, push: 1_000, idle: undefined });
    const order = new DueOrder();
    order.watch(repo);
    const ask = (name: string) => repo.getNextJobToRun(name, new Date(), new Date(), undefined, undefined);
    await ask("pull");
    await ask("idle");
    await ask("push");
    expect(order.sort(["idle", "pull", "fresh", "push"])).toEqual(["fresh", "push", "pull", "idle"]);
  });

  it("passes the lock query's answer through unchanged and keeps equal names in their order", async () => {
    const repo = repository({ a: 5, b: 5 });
    const order = new DueOrder();
    order.watch(repo);
    const ask = (name: string) => repo.getNextJobToRun(name, new Date(), new Date(), undefined, undefined);
    const job = await ask("a");
    await ask("b");
    expect(job).toEqual({ name: "a", nextRunAt: new Date(5) });
    expect(order.sort(["b", "a"])).toEqual(["b", "a"]);
    expect(order.sort(["a", "b"])).toEqual(["a", "b"]);
  });
});
