// deploy/prometheus/alerts.yaml: valid rule groups (CI also runs `promtool check rules` when
// Debian's prometheus package installs) whose expressions name only metrics schedsync exports.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { createMetrics } from "../../src/platform/metrics.js";

interface Rule {
  alert?: string;
  expr?: unknown;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

const file = parse(readFileSync("deploy/prometheus/alerts.yaml", "utf8")) as {
  groups: { name: string; rules: Rule[] }[];
};
const rules = file.groups.flatMap((g) => g.rules);

describe("deploy/prometheus/alerts.yaml", () => {
  it("has named groups of alerts, each with an expression, severity and summary", () => {
    expect(file.groups.length).toBeGreaterThan(0);
    for (const g of file.groups) expect(g.name).toMatch(/\S/);
    for (const r of rules) {
      expect(r.alert).toMatch(/^[A-Za-z_][A-Za-z0-9_]*$/);
      expect(typeof r.expr).toBe("string");
      expect(r.for ?? "0m").toMatch(/^\d+[smhd]$/);
      expect(["warning", "critical"]).toContain(r.labels?.severity);
      expect(r.annotations?.summary).toMatch(/\S/);
    }
    expect(new Set(rules.map((r) => r.alert)).size).toBe(rules.length);
  });

  it("alerts on staleness, failing jobs and the last success, with metrics that exist", async () => {
    const exported = await createMetrics().registry.getMetricsAsJSON();
    const names = new Set(exported.map((m) => m.name));
    const used = rules.flatMap((r) => String(r.expr).match(/\bschedsync_[a-z_]+/g) ?? []);
    for (const name of used) expect(names, name).toContain(name);
    for (const metric of [
      "schedsync_job_stale",
      "schedsync_job_consecutive_failures",
      "schedsync_job_last_success_timestamp_seconds",
    ])
      expect(used).toContain(metric);
  });
});
