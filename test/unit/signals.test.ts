// watchSignals with real signals sent to this process (SIGUSR2: nothing else here listens to it).
import { describe, expect, it } from "vitest";
import { watchSignals } from "../../src/platform/signals.js";

describe("watchSignals", () => {
  it("resolves with the first signal and stops listening, so a second one acts as usual", async () => {
    const w = watchSignals(["SIGUSR2"]);
    expect(w.fired).toBe(false);
    expect(process.listenerCount("SIGUSR2")).toBe(1);
    process.kill(process.pid, "SIGUSR2");
    expect(await w.received).toBe("SIGUSR2");
    expect(w.fired).toBe(true);
    expect(process.listenerCount("SIGUSR2")).toBe(0);
  });

  it("dispose() removes the listeners of a watch that saw no signal", () => {
    const w = watchSignals(["SIGUSR2"]);
    w.dispose();
    w.dispose();
    expect(process.listenerCount("SIGUSR2")).toBe(0);
    expect(w.fired).toBe(false);
  });
});
