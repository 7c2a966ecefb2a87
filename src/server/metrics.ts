// A tiny Prometheus registry (text exposition format 0.0.4): counters, gauges and histograms
// with labels. Enough for /metrics without another dependency.

export type Labels = Record<string, string>;

type Kind = "counter" | "gauge" | "histogram";

interface Metric {
  name: string;
  help: string;
  kind: Kind;
  render(): string[];
}

function labelKey(labels: Labels): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}="${escapeLabel(labels[k] ?? "")}"`)
    .join(",");
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

function fmt(n: number): string {
  if (Number.isNaN(n)) return "NaN";
  if (n === Number.POSITIVE_INFINITY) return "+Inf";
  if (n === Number.NEGATIVE_INFINITY) return "-Inf";
  return String(n);
}

function sample(name: string, key: string, value: number): string {
  return `${name}${key ? `{${key}}` : ""} ${fmt(value)}`;
}

export class Counter implements Metric {
  readonly kind = "counter" as const;
  private values = new Map<string, number>();
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}
  inc(labels: Labels = {}, by = 1): void {
    const k = labelKey(labels);
    this.values.set(k, (this.values.get(k) ?? 0) + by);
  }
  get(labels: Labels = {}): number {
    return this.values.get(labelKey(labels)) ?? 0;
  }
  render(): string[] {
    return [...this.values].map(([k, v]) => sample(this.name, k, v));
  }
}

export class Gauge implements Metric {
  readonly kind = "gauge" as const;
  private values = new Map<string, number>();
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}
  set(labels: Labels, value: number): void {
    this.values.set(labelKey(labels), value);
  }
  /** Replaces every series at once (a collector's fresh snapshot). */
  replace(rows: { labels: Labels; value: number }[]): void {
    this.values = new Map(rows.map((r) => [labelKey(r.labels), r.value]));
  }
  render(): string[] {
    return [...this.values].map(([k, v]) => sample(this.name, k, v));
  }
}

export const DEFAULT_BUCKETS = [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

interface HistogramSeries {
  labels: Labels;
  counts: number[];
  sum: number;
  count: number;
}

export class Histogram implements Metric {
  readonly kind = "histogram" as const;
  private series = new Map<string, HistogramSeries>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly buckets: number[] = DEFAULT_BUCKETS,
  ) {}
  observe(value: number, labels: Labels = {}): void {
    const k = labelKey(labels);
    let s = this.series.get(k);
    if (!s) {
      s = { labels, counts: this.buckets.map(() => 0), sum: 0, count: 0 };
      this.series.set(k, s);
    }
    this.buckets.forEach((b, i) => {
      if (value <= b) s.counts[i] = (s.counts[i] ?? 0) + 1;
    });
    s.sum += value;
    s.count += 1;
  }
  render(): string[] {
    const out: string[] = [];
    for (const s of this.series.values()) {
      this.buckets.forEach((b, i) => {
        out.push(sample(`${this.name}_bucket`, labelKey({ ...s.labels, le: fmt(b) }), s.counts[i] ?? 0));
      });
      out.push(sample(`${this.name}_bucket`, labelKey({ ...s.labels, le: "+Inf" }), s.count));
      out.push(sample(`${this.name}_sum`, labelKey(s.labels), s.sum));
      out.push(sample(`${this.name}_count`, labelKey(s.labels), s.count));
    }
    return out;
  }
}

export class Registry {
  private metrics: Metric[] = [];
  counter(name: string, help: string): Counter {
    return this.add(new Counter(name, help));
  }
  gauge(name: string, help: string): Gauge {
    return this.add(new Gauge(name, help));
  }
  histogram(name: string, help: string, buckets?: number[]): Histogram {
    return this.add(new Histogram(name, help, buckets));
  }
  private add<T extends Metric>(m: T): T {
    this.metrics.push(m);
    return m;
  }
  render(): string {
    const lines: string[] = [];
    for (const m of this.metrics) {
      lines.push(`# HELP ${m.name} ${m.help.replace(/\\/g, "\\\\").replace(/\n/g, "\\n")}`);
      lines.push(`# TYPE ${m.name} ${m.kind}`);
      lines.push(...m.render());
    }
    return `${lines.join("\n")}\n`;
  }
}
