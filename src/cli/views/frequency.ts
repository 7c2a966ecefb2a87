// A frequency as one line of YAML flow text, as explain, status and plan print it.
import { stringify } from "yaml";
import { formatFrequency } from "../../config/frequency.js";
import type { Frequency } from "../../schedule/model.js";

/** Frequency as one line of YAML flow text: automatic, { every: 30m }, ... */
export function frequencyText(f: Frequency): string {
  return canonicalText(formatFrequency(f));
}

/** A canonical frequency value (formatFrequency's output) on one line, as it would be written in YAML. */
export function canonicalText(value: unknown): string {
  if (typeof value === "string") return value;
  return stringify(value, {
    collectionStyle: "flow",
    defaultStringType: "QUOTE_DOUBLE",
    defaultKeyType: "PLAIN",
  }).trim();
}
