// Inline SVG charts of the status page (no script, no CDN): runs and records per hour as paired
// bars, and the median Automatic delivery latency per hour as a line.
import type { RunHour } from "../jobs/run-hours.js";
import { count } from "../platform/words.js";
import type { HourActivity } from "../records/activity.js";

// Two charts side by side fill the page's 70rem column.
const W = 530;
const H = 150;
const PAD = { left: 40, right: 8, top: 10, bottom: 22 };

function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

const hourLabel = (d: Date) => `${String(d.getUTCHours()).padStart(2, "0")}h`;

function frame(title: string, max: number, unit: string, hours: { hour: Date }[], body: string): string {
  const plotW = W - PAD.left - PAD.right;
  const step = plotW / Math.max(1, hours.length);
  const labels = hours
    .map((h, i) =>
      i % 2 === hours.length % 2
        ? ""
        : `<text x="${(PAD.left + step * i + step / 2).toFixed(1)}" y="${H - 6}" text-anchor="middle">${hourLabel(h.hour)}</text>`,
    )
    .join("");
  return `<svg role="img" aria-label="${esc(title)}" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" class="chart">
<title>${esc(title)}</title>
<line x1="${PAD.left}" y1="${H - PAD.bottom}" x2="${W - PAD.right}" y2="${H - PAD.bottom}" class="axis"/>
<text x="${PAD.left - 4}" y="${PAD.top + 8}" text-anchor="end">${esc(formatMax(max))}${esc(unit)}</text>
<text x="${PAD.left - 4}" y="${H - PAD.bottom}" text-anchor="end">0</text>
${body}${labels}</svg>`;
}

function formatMax(n: number): string {
  return n >= 100 ? String(Math.round(n)) : String(Number(n.toFixed(1)));
}

/** One pair of bars per hour: the good count (green) and the bad one (red), each with a tooltip. */
function pairedBars<T extends { hour: Date }>(
  title: string,
  noun: string,
  hours: T[],
  good: { value: (h: T) => number; word: string },
  bad: { value: (h: T) => number; word: string },
): string {
  const max = Math.max(1, ...hours.flatMap((h) => [good.value(h), bad.value(h)]));
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const step = plotW / Math.max(1, hours.length);
  const bar = Math.max(1, step / 2 - 2);
  const rect = (cls: string, x: number, n: number, word: string, hour: Date) => {
    const h = (n / max) * plotH;
    return `<rect class="${cls}" x="${x.toFixed(1)}" y="${(H - PAD.bottom - h).toFixed(1)}" width="${bar.toFixed(1)}" height="${h.toFixed(1)}"><title>${hourLabel(hour)} UTC: ${count(n, noun)} ${esc(word)}</title></rect>`;
  };
  const rects = hours
    .map((h, i) => {
      const x = PAD.left + step * i + 1;
      return (
        rect("delivered", x, good.value(h), good.word, h.hour) +
        rect("failed", x + bar + 1, bad.value(h), bad.word, h.hour)
      );
    })
    .join("");
  return frame(title, max, "", hours, rects);
}

/** Delivered (green) and failed (red) records per hour, side by side. */
export function recordsChart(hours: HourActivity[]): string {
  return pairedBars(
    "Records per hour: delivered and failed",
    "record",
    hours,
    { value: (h) => h.delivered, word: "delivered" },
    { value: (h) => h.failed, word: "failed or held" },
  );
}

/** Succeeded (green) and failed (red) runs per hour, side by side. */
export function runsChart(hours: RunHour[]): string {
  return pairedBars(
    "Runs per hour: succeeded and failed",
    "run",
    hours,
    { value: (h) => h.succeeded, word: "succeeded" },
    { value: (h) => h.failed, word: "failed" },
  );
}

/** Median seconds from queued to delivered by Automatic services, per hour (gaps: none delivered). */
export function latencyChart(hours: HourActivity[]): string {
  const values = hours.map((h) => h.medianLatencySeconds);
  const max = Math.max(1, ...values.filter((v): v is number => v !== undefined));
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const step = plotW / Math.max(1, hours.length);
  const points = values
    .map((v, i) =>
      v === undefined
        ? ""
        : `<circle cx="${(PAD.left + step * i + step / 2).toFixed(1)}" cy="${(H - PAD.bottom - (v / max) * plotH).toFixed(1)}" r="3" class="latency"><title>${hourLabel((hours[i] as HourActivity).hour)} UTC: median ${formatMax(v)} s</title></circle>`,
    )
    .join("");
  const path = values
    .map((v, i) =>
      v === undefined
        ? undefined
        : `${(PAD.left + step * i + step / 2).toFixed(1)},${(H - PAD.bottom - (v / max) * plotH).toFixed(1)}`,
    )
    .filter((p): p is string => !!p)
    .join(" ");
  return frame(
    "Automatic latency per hour (median seconds from queued to delivered)",
    max,
    " s",
    hours,
    `<polyline class="latency" fill="none" points="${path}"/>${points}`,
  );
}
