// A stable hash of a job spec: canonical JSON (keys sorted at every depth, undefined dropped), sha256.
import { createHash } from "node:crypto";
import type { JobSpec } from "./types.js";

export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value))
    return `[${value.map((v) => (v === undefined ? "null" : canonicalJson(v))).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
}

/** Hash of the normalised spec fields; fields outside JobSpec (e.g. a stored specHash) are ignored. */
export function specHash(spec: JobSpec): string {
  const fields: JobSpec = {
    key: spec.key,
    name: spec.name,
    merchantId: spec.merchantId,
    cartId: spec.cartId,
    service: spec.service,
    frequency: spec.frequency,
    schedule: spec.schedule,
    timezone: spec.timezone,
    repeatInterval: spec.repeatInterval,
    repeatTimezone: spec.repeatTimezone,
    managedNextRun: spec.managedNextRun,
    disabled: spec.disabled,
    connection: spec.connection,
    // Absent when not suspended (canonicalJson drops undefined), so unsuspended hashes never changed.
    suspended: spec.suspended,
    // Likewise absent without blackout windows.
    blackout: spec.blackout,
  };
  return createHash("sha256").update(canonicalJson(fields)).digest("hex");
}
