// Cleanup run times: random but stable per merchant (a hash, not Math.random), one run in each slice
// of the day so 10,000 merchants spread evenly. Slices are whole hours and all runs share one random
// minute, so the times are hours × one minute — always a single cron Agenda can run by itself.
import { createHash } from "node:crypto";
import { formatClock } from "./wall-clock.js";

/** A stable number in [0, n) drawn from the merchant id and a label. */
function draw(seed: string, label: string, n: number): number {
  const digest = createHash("sha256").update(seed).update("\0").update(label).digest();
  return digest.readUInt32BE(0) % n;
}

/** "HH:MM" times, sorted; [] when runsPerDay is 0. runsPerDay is 0..24. */
export function cleanupTimes(merchantId: string, runsPerDay: number, seedSalt = ""): string[] {
  if (!Number.isInteger(runsPerDay) || runsPerDay < 0 || runsPerDay > 24) {
    throw new Error(`cleanup runsPerDay must be an integer 0..24, got ${runsPerDay}`);
  }
  if (runsPerDay === 0) return [];
  const seed = `${seedSalt}\0${merchantId}\0${runsPerDay}`;
  const minute = draw(seed, "minute", 60);
  const times: string[] = [];
  for (let i = 0; i < runsPerDay; i++) {
    const from = Math.floor((i * 24) / runsPerDay);
    const to = Math.floor(((i + 1) * 24) / runsPerDay);
    const hour = from + draw(seed, `slice ${i}`, to - from);
    times.push(formatClock(hour * 60 + minute));
  }
  return times;
}
