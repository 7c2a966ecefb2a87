// `simulate`'s views: the counts as JSON for tools, a compact text chart (one line per day, one
// character per slot) and an SVG (stacked bars per slot, one colour per service, the peak marked).

import { formatDuration } from "../../platform/duration.js";
import { count } from "../../platform/words.js";
import { type BudgetUse, CALLS_PER_RUN, ownerName } from "../../schedule/api-calls.js";
import type { ServiceName } from "../../schedule/model.js";
import type { Simulation } from "../../schedule/simulate.js";
import type { View } from "./view.js";

const BARS = " ▁▂▃▄▅▆▇█";
const DAY_SLOTS = 96;

const COLORS: Record<ServiceName, string> = {
  orderDownload: "#0969da",
  orderDelivery: "#1a7f37",
  shippingConfirmations: "#8250df",
  shipmentUpload: "#bf3989",
  inventory: "#9a6700",
  inventoryUpload: "#d1242f",
};

function utc(d: Date): string {
  return `${d.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

export function peakText(sim: Simulation): string {
  const parts = Object.entries(sim.peak.byService).map(([s, n]) => `${s} ${n}`);
  return `peak: ${count(sim.peak.total, "run")} in the 15 minutes from ${utc(sim.peak.at)}${parts.length ? ` (${parts.join(", ")})` : ""}`;
}

/** One line per day; each character is one 15-minute slot scaled to the peak; the peak is `█`. */
export function textChart(sim: Simulation): string {
  const max = Math.max(1, sim.peak.total);
  const lines = [
    `runs per 15-minute slot, ${count(sim.days, "day")} from ${utc(sim.start)}; scale 0..${max}`,
  ];
  lines.push(`${" ".repeat(12)}${"00".padEnd(24)}${"06".padEnd(24)}${"12".padEnd(24)}18`);
  // Rows are UTC days; slots before the start (first row) and after the end (last row) are blank.
  const lead = Math.floor((sim.start.getTime() % 86_400_000) / sim.slotMs);
  const dayStart = sim.start.getTime() - lead * sim.slotMs;
  for (let d = 0; d * DAY_SLOTS < lead + sim.totals.length; d++) {
    const chars: string[] = [];
    for (let k = 0; k < DAY_SLOTS; k++) {
      const i = d * DAY_SLOTS + k - lead;
      const n = sim.totals[i];
      if (n === undefined) chars.push(" ");
      else chars.push(n === 0 ? "·" : (BARS[Math.max(1, Math.round((n / max) * 8))] ?? "█"));
    }
    const day = new Date(dayStart + d * 86_400_000).toISOString().slice(0, 10);
    lines.push(`${day}  ${chars.join("").trimEnd()}`);
  }
  lines.push(peakText(sim));
  const totals = sim.services.map((s) => `${s} ${(sim.counts.get(s) ?? []).reduce((a, b) => a + b, 0)}`);
  lines.push(`runs by service: ${totals.join(", ") || "none"}`);
  if (sim.automatic)
    lines.push(
      `${count(sim.automatic, "automatic service")} ${sim.automatic === 1 ? "runs" : "run"} on demand and ${sim.automatic === 1 ? "is" : "are"} not charted`,
    );
  lines.push(...budgetLines(sim.budgets));
  lines.push(...blackoutText(sim));
  return lines.join("\n");
}

/** One line per connection budget: its busiest hour's calls against what an hour allows. */
export function budgetLines(budgets: readonly BudgetUse[]): string[] {
  if (budgets.length === 0) return [];
  const lines = [
    `API calls per connection budget, busiest hour (at least ${CALLS_PER_RUN} per run of a periodic service: a pull page or a push batch):`,
  ];
  for (const b of budgets) {
    const { requests, perMs, burst } = b.limit;
    const share = Math.round((100 * b.peak.calls) / b.allowedPerHour);
    const verdict = b.peak.calls > b.allowedPerHour ? "OVER BUDGET" : `${share}%`;
    const auto = b.automatic ? `; plus ${count(b.automatic, "automatic service")} on demand` : "";
    lines.push(
      `  ${b.owners.map(ownerName).join(", ")}: ${b.peak.calls} calls from ${utc(b.peak.at)} of ${b.allowedPerHour} allowed an hour (${requests} per ${formatDuration(perMs)}, burst ${burst}): ${verdict}${auto}`,
    );
  }
  return lines;
}

/** One line per blackout window: its occurrences in the period and the runs it moved. */
export function blackoutText(sim: Simulation): string[] {
  return sim.blackout.map(
    (b) =>
      `blackout ${b.owner}: ${b.window}: ${count(b.occurrences.length, "occurrence")}, ${count(b.suppressed, "run")} due inside moved to the end as ${count(b.moved, "run")}`,
  );
}

/** Grey bands behind the bars where a blackout window is on (all windows of the period). */
function blackoutBands(sim: Simulation, left: number, barW: number, top: number, plotH: number): string[] {
  const startMs = sim.start.getTime();
  const n = sim.totals.length;
  return sim.blackout.flatMap((b) =>
    b.occurrences.map((o) => {
      const a = Math.max(0, (Date.parse(o.start) - startMs) / sim.slotMs);
      const z = Math.min(n, (Date.parse(o.end) - startMs) / sim.slotMs);
      return `<rect class="blackout" x="${(left + a * barW).toFixed(1)}" y="${top}" width="${Math.max(1, (z - a) * barW).toFixed(1)}" height="${plotH}" fill="#d0d7de" fill-opacity="0.5"><title>${esc(`blackout ${b.owner}: ${b.window}`)}</title></rect>`;
    }),
  );
}

function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

export function svgChart(sim: Simulation): string {
  const barW = 2;
  const left = 56;
  const top = 40;
  const plotH = 220;
  const n = sim.totals.length;
  const width = left + n * barW + 20;
  const height = top + plotH + 70;
  const max = Math.max(1, sim.peak.total);
  const y = (v: number) => top + plotH - (v / max) * plotH;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui,sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="${left}" y="18" font-size="13" font-weight="600">${esc(`Runs per 15-minute slot, ${count(sim.days, "day")} from ${utc(sim.start)}`)}</text>`,
  );
  // Y axis: 0, half, max.
  for (const v of [0, Math.round(max / 2), max]) {
    out.push(
      `<line x1="${left}" x2="${left + n * barW}" y1="${y(v)}" y2="${y(v)}" stroke="#eaeef2"/>`,
      `<text x="${left - 6}" y="${y(v) + 4}" text-anchor="end" fill="#57606a">${v}</text>`,
    );
  }
  // Day separators.
  for (let d = 0; d * DAY_SLOTS <= n; d++) {
    const x = left + d * DAY_SLOTS * barW;
    const day = new Date(sim.start.getTime() + d * 86_400_000).toISOString().slice(5, 10);
    out.push(`<line x1="${x}" x2="${x}" y1="${top}" y2="${top + plotH}" stroke="#d0d7de"/>`);
    if (d * DAY_SLOTS < n)
      out.push(`<text x="${x + 3}" y="${top + plotH + 14}" fill="#57606a">${day}</text>`);
  }
  out.push(...blackoutBands(sim, left, barW, top, plotH));
  // Stacked bars.
  for (let i = 0; i < n; i++) {
    let base = 0;
    for (const s of sim.services) {
      const v = sim.counts.get(s)?.[i] ?? 0;
      if (!v) continue;
      const y1 = y(base + v);
      out.push(
        `<rect x="${left + i * barW}" y="${y1.toFixed(1)}" width="${barW}" height="${(y(base) - y1).toFixed(1)}" fill="${COLORS[s]}"/>`,
      );
      base += v;
    }
  }
  // The peak: a marker and its label.
  const px = left + sim.peak.slot * barW + barW / 2;
  out.push(
    `<g id="peak"><line x1="${px}" x2="${px}" y1="${top - 4}" y2="${top + plotH}" stroke="#cf222e" stroke-dasharray="3 2"/>`,
    `<circle cx="${px}" cy="${y(sim.peak.total)}" r="3.5" fill="none" stroke="#cf222e" stroke-width="1.5"/>`,
    `<text x="${px > width / 2 ? px - 6 : px + 6}" y="${top + 8}" text-anchor="${px > width / 2 ? "end" : "start"}" fill="#cf222e" font-weight="600">${esc(peakText(sim))}</text></g>`,
  );
  // Legend.
  let lx = left;
  const ly = top + plotH + 40;
  for (const s of sim.services) {
    out.push(
      `<rect x="${lx}" y="${ly - 9}" width="10" height="10" fill="${COLORS[s]}"/>`,
      `<text x="${lx + 14}" y="${ly}">${esc(s)}</text>`,
    );
    lx += 24 + s.length * 6.5;
  }
  out.push("</svg>");
  return `${out.join("\n")}\n`;
}

/** `simulate`: the text chart (plus where the SVG went, if written), or the counts as JSON. */
export function simulateView(out?: string): View<Simulation> {
  return {
    text: (sim) => `${textChart(sim)}${out ? `\nchart written to ${out}` : ""}`,
    json: (sim) => ({
      start: sim.start,
      slotMinutes: sim.slotMs / 60_000,
      peak: sim.peak,
      services: Object.fromEntries(sim.services.map((s) => [s, sim.counts.get(s)])),
      totals: sim.totals,
      budgets: sim.budgets.map((b) => ({
        budget: b.key,
        connections: b.owners,
        rateLimit: b.limit,
        callsPerRun: CALLS_PER_RUN,
        allowedPerHour: b.allowedPerHour,
        peak: b.peak,
        hourly: b.hourly,
        automatic: b.automatic,
      })),
      blackout: sim.blackout,
    }),
  };
}
