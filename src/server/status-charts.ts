// Inline SVG charts of the status page (no script, no CDN): records per hour as paired bars,
// and the median delivery latency per hour as a line.
import type { HourActivity } from "../records/activity.js";

const W = 560;
const H = 150;
const PAD = { left: 40, right: 8, top: 10, bottom: 22 };

function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

const hourLabel = (d: Date) => `${String(d.getUTCHours()).padStart(2, "0")}h`;

function frame(title: string, max: number, unit: string, hours: HourActivity[], body: string): string {
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

/** Delivered (green) and failed (red) records per hour, side by side. */
export function recordsChart(hours: HourActivity[]): string {
  const max = Math.max(1, ...hours.flatMap((h) => [h.delivered, h.failed]));
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const step = plotW / Math.max(1, hours.length);
  const bar = Math.max(1, step / 2 - 2);
  const rects = hours
    .map((h, i) => {
      const x = PAD.left + step * i + 1;
      const dh = (h.delivered / max) * plotH;
      const fh = (h.failed / max) * plotH;
      return (
        `<rect class="delivered" x="${x.toFixed(1)}" y="${(H - PAD.bottom - dh).toFixed(1)}" width="${bar.toFixed(1)}" height="${dh.toFixed(1)}"><title>${hourLabel(h.hour)} UTC: ${h.delivered} delivered</title></rect>` +
        `<rect class="failed" x="${(x + bar + 1).toFixed(1)}" y="${(H - PAD.bottom - fh).toFixed(1)}" width="${bar.toFixed(1)}" height="${fh.toFixed(1)}"><title>${hourLabel(h.hour)} UTC: ${h.failed} failed or held</title></rect>`
      );
    })
    .join("");
  return frame("Records per hour: delivered and failed", max, "", hours, rects);
}

/** Median seconds from queued to delivered, per hour (gaps where nothing was delivered). */
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
    "Delivery latency per hour (median seconds from queued to delivered)",
    max,
    " s",
    hours,
    `<polyline class="latency" fill="none" points="${path}"/>${points}`,
  );
}
