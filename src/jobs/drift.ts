// What differs in a job document, field by field: between the document and git (plan), and between
// the document and what schedsync last wrote there (a hand edit, e.g. in Agendash; status).
import { PATH } from "./document.js";
import { canonicalJson, specHash } from "./spec-hash.js";
import type { ActualJob, FieldChange, JobSpec, WrittenFields } from "./types.js";

/** The Agenda top-level fields schedsync owns. */
const AGENDA_FIELDS = ["name", "disabled", "repeatInterval", "repeatTimezone"] as const;
/** The spec fields under data.schedsync.spec. */
const SPEC_FIELDS = [
  "merchantId",
  "cartId",
  "service",
  "frequency",
  "schedule",
  "timezone",
  "managedNextRun",
  "connection",
  "suspended",
  "blackout",
] as const;

const differ = (a: unknown, b: unknown) => canonicalJson(a ?? null) !== canonicalJson(b ?? null);

/** The fields of `before` that `after` changes, with document paths ("disabled", "data.schedsync.spec.timezone"). */
export function fieldChanges(before: JobSpec, after: JobSpec): FieldChange[] {
  const out: FieldChange[] = [];
  for (const f of AGENDA_FIELDS)
    if (differ(before[f], after[f])) out.push({ field: f, before: before[f], after: after[f] });
  for (const f of SPEC_FIELDS)
    if (differ(before[f], after[f]))
      out.push({ field: `${PATH.spec}.${f}`, before: before[f] ?? null, after: after[f] ?? null });
  return out;
}

/**
 * The hand edits of a job: each Agenda field that is not what schedsync wrote (before: written,
 * after: now), and `data.schedsync.spec` when the stored spec itself was edited (before/after: the
 * spec hashes). A paused job's `disabled` is the pause's, not an edit. Empty: as schedsync left it.
 */
export function handEdits(job: ActualJob): FieldChange[] {
  if (job.storedHash === specHash(job.spec) && !job.pause) return [];
  const written: WrittenFields | undefined = job.written;
  const out: FieldChange[] = [];
  const asWritten: JobSpec = { ...job.spec };
  if (written) {
    for (const f of AGENDA_FIELDS) {
      if (f === "disabled" && job.pause) continue;
      if (differ(written[f], job.spec[f])) out.push({ field: f, before: written[f], after: job.spec[f] });
    }
    Object.assign(asWritten, written);
  } else if (job.pause) {
    asWritten.disabled = job.pause.disabledBefore;
  }
  const now = specHash(asWritten);
  if (now !== job.storedHash && (written || out.length === 0))
    out.push({ field: written ? PATH.spec : "(unknown field)", before: job.storedHash, after: now });
  return out;
}
