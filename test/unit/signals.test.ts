// watchSignals with real signals sent to this process (SIGUSR2: nothing else here listens to it).
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { watchSignals } from "../../src/platform/signals.js";

const settled = async (p: Promise<unknown>) =>
  Promise.race([p.then(() => true), new Promise((r) => setImmediate(() => r(false)))]);

/** Sends SIGUSR2 to this process and lets its listeners run. */
async function signal(): Promise<void> {
  process.kill(process.pid, "SIGUSR2");
  await sleep(20);
}

describe("watchSignals", () => {
  it("resolves with the first signal and keeps listening for the second, then lets go", async () => {
    const w = watchSignals(["SIGUSR2"], 0);
    expect(w.fired).toBe(false);
    await signal();
    expect(await w.received).toBe("SIGUSR2");
    expect(w.fired).toBe(true);
    // Still listening: a second signal here must not fall through to Node's default (exit).
    expect(process.listenerCount("SIGUSR2")).toBe(1);
    await signal();
    expect(await w.second).toBe("SIGUSR2");
    expect(process.listenerCount("SIGUSR2")).toBe(0);
  });

  it("takes a copy that comes within sameMs of the first for the same request", async () => {
    const w = watchSignals(["SIGUSR2"], 60_000);
    await signal();
    await signal();
    expect(await w.received).toBe("SIGUSR2");
    expect(await settled(w.second)).toBe(false);
    expect(process.listenerCount("SIGUSR2")).toBe(1);
    w.dispose();
    expect(process.listenerCount("SIGUSR2")).toBe(0);
  });

  it("dispose() removes the listeners of a watch that saw no signal", async () => {
    const w = watchSignals(["SIGUSR2"]);
    w.dispose();
    w.dispose();
    expect(process.listenerCount("SIGUSR2")).toBe(0);
    expect(w.fired).toBe(false);
    expect(await settled(w.received)).toBe(false);
  });
});
