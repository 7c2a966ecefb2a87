// DST in every IANA zone (issue 12 §2): for every zone of Intl.supportedValuesOf("timeZone") and each
// frequency form, the chain of runs the worker's stored job really gets — Agenda's own
// computeFromInterval for repeats schedsync hands to Agenda, schedsync's nextRunAfter for
// managedNextRun jobs — equals an independent oracle (test/helpers/dst-oracle.ts) across each offset
// change of 2026 and 2027. Zones without a change are checked once. Each run starts 150 ms late, as
// real runs do (Agenda computes from lastRunAt = the start).
import { describe, expect, it } from "vitest";
import { computeFromInterval } from "../../node_modules/agenda/dist/utils/nextRunAt.js";
import { toAgendaRepeat } from "../../src/schedule/agenda-repeat.js";
import type { Frequency } from "../../src/schedule/model.js";
import { nextRunAfter } from "../../src/schedule/next-runs.js";
import { resolvePhase } from "../../src/schedule/phase.js";
import { transitionsOf } from "../../src/schedule/tz-gaps.js";
import { zoneOf } from "../../src/schedule/wall-clock.js";
import { type OracleSchedule, oracleNext } from "../helpers/dst-oracle.js";

const MIN = 60_000;
const HOUR = 60 * MIN;
const LATE = 150;
const FROM = Date.UTC(2026, 0, 1);
const TO = Date.UTC(2028, 0, 1);

const every = (text: string, ms: number, offset: number | "H" = "H"): Frequency => ({
  kind: "every",
  ms,
  text,
  offset,
});
// Each form with how far before and after a change its chain runs.
const FORMS: { freq: Frequency; span: number }[] = [
  { freq: every("10m", 10 * MIN), span: 45 * MIN },
  { freq: every("10m", 10 * MIN, 0), span: 45 * MIN },
  { freq: every("1h", HOUR), span: 3 * HOUR },
  { freq: every("2h", 2 * HOUR), span: 5 * HOUR },
  { freq: every("1d", 24 * HOUR), span: 26 * HOUR },
  { freq: every("1h30m", 90 * MIN), span: 4 * HOUR },
  { freq: { kind: "cron", expr: "H/15 * * * *" }, span: 45 * MIN },
  { freq: { kind: "cron", expr: "H H(0-3) * * *" }, span: 26 * HOUR },
  { freq: { kind: "cron", expr: "30 2 * * *" }, span: 26 * HOUR },
  { freq: { kind: "at", times: ["01:00"] }, span: 26 * HOUR },
  { freq: { kind: "at", times: ["02:30", "14:30"] }, span: 26 * HOUR },
  { freq: { kind: "at", times: ["00:00", "12:30"] }, span: 26 * HOUR },
];

function oracleOf(f: Frequency): OracleSchedule {
  if (f.kind === "every")
    return { kind: "every", ms: f.ms, offset: typeof f.offset === "number" ? f.offset : 0 };
  if (f.kind === "cron") return { kind: "cron", expr: f.expr };
  if (f.kind === "at") return { kind: "at", times: f.times };
  throw new Error(`no oracle for ${f.kind}`);
}

type Step = (after: number) => number | null;

/** The worker's view: Agenda's computeFromInterval on the stored repeat, or nextRunAfter when managed. */
function workerStep(f: Frequency, zone: string): { managed: boolean; step: Step } {
  const repeat = toAgendaRepeat(f, zone);
  if (!repeat) throw new Error("no repeat");
  if (repeat.managedNextRun)
    return { managed: true, step: (after) => nextRunAfter(f, zone, new Date(after))?.getTime() ?? null };
  return {
    managed: false,
    step: (after) => {
      const attrs = {
        name: "t",
        repeatInterval: repeat.repeatInterval,
        repeatTimezone: zone,
        lastRunAt: new Date(after),
      };
      try {
        const next = computeFromInterval(attrs as Parameters<typeof computeFromInterval>[0]);
        return next ? next.getTime() : null;
      } catch {
        return null;
      }
    },
  };
}

/** Runs from `start` until past `end` (at most 64), each step from the previous run + 150 ms. */
function chain(step: Step, start: number, end: number): string[] {
  const out: string[] = [];
  let last = start;
  while (last <= end && out.length < 64) {
    const next = step(last + LATE);
    if (next === null) {
      out.push("null");
      break;
    }
    out.push(new Date(next).toISOString());
    if (next <= last + LATE) break;
    last = next;
  }
  return out;
}

const zones = Intl.supportedValuesOf("timeZone");
const DAY = 86_400_000;

// Runs near a change depend on the change alone: the offsets before and after and the local time it
// happens. So each distinct change (of any zone) is compared in the first zone that has it, and every
// other zone with the same changes must get the same repeat decisions. Zones without changes are
// compared once per offset.
function plan(): { points: Map<string, number[]>; same: [string, string][] } {
  const seen = new Map<string, string>();
  const points = new Map<string, number[]>();
  const same: [string, string][] = [];
  for (const zone of zones) {
    const all = transitionsOf(zone).filter((t) => t.at >= FROM && t.at < TO);
    const local = (t: { at: number; before: number }) => (((t.at + t.before) % DAY) + DAY) % DAY;
    const changes = all.length
      ? all.map((t) => ({ at: t.at, id: JSON.stringify([t.before, t.after, local(t)]) }))
      : [{ at: Date.UTC(2026, 5, 1), id: `none ${zoneOf(zone).offset(FROM)}` }];
    const fresh = changes.filter((c) => !seen.has(c.id));
    if (fresh.length === 0) same.push([zone, seen.get(changes[0]?.id ?? "") ?? ""]);
    for (const c of fresh) seen.set(c.id, zone);
    if (fresh.length)
      points.set(
        zone,
        fresh.map((c) => c.at),
      );
  }
  return { points, same };
}

describe("DST in every IANA zone", () => {
  const { points, same } = plan();

  it("covers every zone: each distinct change of 2026–2027 once, the others by their decisions", () => {
    expect(zones.length).toBeGreaterThan(300);
    expect([...points.values()].flat().length).toBeGreaterThan(40);
    const differ = same.flatMap(([zone, first]) =>
      FORMS.filter(
        ({ freq }) =>
          toAgendaRepeat(freq, zone, "k")?.managedNextRun !==
          toAgendaRepeat(freq, first, "k")?.managedNextRun,
      ).map(({ freq }) => `${zone} and ${first} share changes but not the repeat of ${JSON.stringify(freq)}`),
    );
    expect(differ).toEqual([]);
  });

  it.each(FORMS.map((form, i) => [JSON.stringify(form.freq), form, i] as const))(
    "%s: the runs the worker gets equal the oracle's",
    (_name, { freq, span }, i) => {
      const failures: string[] = [];
      let chains = 0;
      for (const [zone, ats] of points) {
        const f = resolvePhase(freq, `${zone}/${i}`);
        const worker = workerStep(f, zone);
        for (const at of ats) {
          const want = chain((after) => oracleNext(oracleOf(f), zone, after), at - span, at + span);
          const got = chain(worker.step, at - span, at + span);
          // What explain, simulate and apply compute: the worker's own step, except for a phased
          // every that Agenda runs as a cron (nextRunAfter walks the wall clock instead).
          const ours =
            worker.managed || f.kind !== "every"
              ? got
              : chain(
                  (after) => nextRunAfter(f, zone, new Date(after))?.getTime() ?? null,
                  at - span,
                  at + span,
                );
          chains++;
          const what = `${zone} ${JSON.stringify(f)} around ${new Date(at).toISOString()}`;
          if (JSON.stringify(got) !== JSON.stringify(want))
            failures.push(
              `${what} (${worker.managed ? "managed" : "Agenda"})\n  want ${want.join(" ")}\n  got  ${got.join(" ")}`,
            );
          else if (JSON.stringify(ours) !== JSON.stringify(want))
            failures.push(`${what} (nextRunAfter)\n  want ${want.join(" ")}\n  got  ${ours.join(" ")}`);
        }
      }
      expect(failures.slice(0, 5).join("\n"), `${failures.length} of ${chains} chains differ`).toBe("");
    },
  );

  it("hands Agenda no cron in Australia/Lord_Howe, and keeps it in regular zones", () => {
    expect(toAgendaRepeat(every("1h", HOUR), "Australia/Lord_Howe", "k")?.managedNextRun).toBe(true);
    expect(toAgendaRepeat({ kind: "at", times: ["01:00"] }, "Australia/Lord_Howe")?.managedNextRun).toBe(
      true,
    );
    expect(toAgendaRepeat(every("1h", HOUR), "Europe/Berlin", "k")?.managedNextRun).toBe(false);
  });
});
