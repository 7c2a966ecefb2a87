// The Agenda job document of a managed job, and the way back from a document to an ActualJob.
// Layout and rationale: docs/reconcile.md. Pure: every read and write of the collection is in
// repository.ts. Each name and path of the layout is declared here once.
import { createHash } from "node:crypto";
import {
  type ActualJob,
  CLEANUP_SERVICE,
  type DesiredJob,
  type JobService,
  type JobSpec,
  type PauseMark,
  type WrittenFields,
} from "./types.js";

/** Agenda's collection (the MongoBackend's `collection` option); schedsync shares it with Agenda. */
export const JOBS_COLLECTION = "agendaJobs";
/** lastModifiedBy of the documents schedsync writes. */
export const OWNER = "schedsync";
/** Prefix of the scheduled jobs' names: one Agenda job name per service, "schedsync:orderDelivery". */
export const JOB_PREFIX = "schedsync:";
/** One-off runs of an Automatic service, one per window however many triggers; data { key, gen }. */
export const TRIGGER_JOB = "schedsync-trigger";

/** The owner mark's paths in a job document (MongoDB dotted paths). */
export const PATH = {
  mark: "data.schedsync",
  managed: "data.schedsync.managed",
  key: "data.schedsync.key",
  revision: "data.schedsync.revision",
  spec: "data.schedsync.spec",
  merchantId: "data.schedsync.spec.merchantId",
  service: "data.schedsync.spec.service",
  scheduleKind: "data.schedsync.spec.schedule.kind",
  schedule: "data.schedsync.spec.schedule",
  managedNextRun: "data.schedsync.spec.managedNextRun",
  specHash: "data.schedsync.specHash",
  suspended: "data.schedsync.spec.suspended",
  suspendedUntil: "data.schedsync.spec.suspended.until",
  written: "data.schedsync.written",
  writtenDisabled: "data.schedsync.written.disabled",
  pause: "data.schedsync.pause",
  pauseTarget: "data.schedsync.pause.target",
  /** A job's run health (JobHealth): top level, so neither Agenda's state saves nor a spec update touch it. */
  health: "health",
  /** The last run a blackout window moved (BlackoutSkip): top level, like health. */
  lastBlackout: "lastBlackout",
  /** A trigger job's data (TRIGGER_JOB): the key and its generation. */
  triggerKey: "data.key",
  triggerGen: "data.gen",
} as const;

/** The Agenda job name of a service's scheduled jobs. */
export function jobName(service: JobService): string {
  return `${JOB_PREFIX}${service}`;
}

/** The service of a key "merchant[/cart]/service". */
export function serviceOfKey(key: string): JobService {
  return key.slice(key.lastIndexOf("/") + 1) as JobService;
}

/** The spec fields kept under data.schedsync.spec (the rest live in Agenda's own top-level fields). */
export type StoredSpec = Omit<JobSpec, "key" | "name" | "repeatInterval" | "repeatTimezone" | "disabled">;

export interface OwnerMark {
  managed: true;
  key: string;
  specHash: string;
  /** The commit that last wrote this job's spec. */
  revision: string;
  spec: StoredSpec;
  /** The Agenda fields as written, so a hand edit can be named field by field. */
  written: WrittenFields;
  /** Set while `schedsync pause` holds the job (null once released). */
  pause?: PauseMark | null;
}

/** The document's _id, derived from the key: 12 bytes of sha256, so a key can only ever have one job. */
export function jobIdHex(key: string): string {
  return createHash("sha256").update(`schedsync job\0${key}`).digest("hex").slice(0, 24);
}

export function ownerMark(job: DesiredJob, revision: string): OwnerMark {
  return {
    managed: true,
    key: job.key,
    specHash: job.specHash,
    revision,
    spec: {
      merchantId: job.merchantId,
      cartId: job.cartId,
      service: job.service,
      frequency: job.frequency,
      schedule: job.schedule,
      timezone: job.timezone,
      managedNextRun: job.managedNextRun,
      connection: job.connection,
      ...(job.suspended && { suspended: job.suspended }),
      ...(job.blackout && { blackout: job.blackout }),
    },
    written: {
      name: job.name,
      disabled: job.disabled,
      repeatInterval: job.repeatInterval,
      repeatTimezone: job.repeatTimezone,
    },
  };
}

/** The spec-owned top-level fields; runtime fields (nextRunAt, lastRunAt, lockedAt...) are not here. */
export function specFields(job: DesiredJob, revision: string) {
  return {
    name: job.name,
    type: "normal" as const,
    priority: 0,
    disabled: job.disabled,
    repeatInterval: job.repeatInterval,
    repeatTimezone: job.repeatTimezone,
    data: { schedsync: ownerMark(job, revision) },
  };
}

/** A new job document without _id and nextRunAt, which the writer adds (jobIdHex, nextRunAfter). */
export function newJobDocument(job: DesiredJob, revision: string) {
  return { ...specFields(job, revision), lastModifiedBy: OWNER };
}

/** The filter that selects only the jobs schedsync owns. */
export function ownedFilter() {
  return { [PATH.managed]: true };
}

function str(value: unknown, fallback = ""): string {
  return typeof value === "string" ? value : fallback;
}

function repeatOf(value: unknown): string | number | null {
  if (typeof value === "number") return value;
  if (typeof value !== "string") return null;
  // Some backends store a numeric interval as a string; Agenda reads both as ms.
  return value.trim() !== "" && Number.isFinite(Number(value)) ? Number(value) : value;
}

/**
 * The normalised view of a job document the reconciler owns (null when it is not owned). Missing or
 * mistyped fields come out as defaults, so their hash differs from the stored one and shows as drift.
 */
export function actualFromDocument(doc: Record<string, unknown>): ActualJob | null {
  const data = doc.data as { schedsync?: Partial<OwnerMark> } | undefined;
  const mark = data?.schedsync;
  if (mark?.managed !== true || typeof mark.key !== "string") return null;
  const stored: Partial<StoredSpec> = mark.spec ?? {};
  const spec: JobSpec = {
    key: mark.key,
    name: str(doc.name),
    merchantId: str(stored.merchantId),
    cartId: typeof stored.cartId === "string" ? stored.cartId : null,
    service: str(stored.service, CLEANUP_SERVICE) as JobService,
    frequency: stored.frequency ?? null,
    schedule: stored.schedule ?? { kind: "off" },
    timezone: str(stored.timezone),
    repeatInterval: repeatOf(doc.repeatInterval),
    repeatTimezone: typeof doc.repeatTimezone === "string" ? doc.repeatTimezone : null,
    managedNextRun: stored.managedNextRun === true,
    disabled: doc.disabled === true,
    connection: stored.connection ?? null,
    ...(stored.suspended && { suspended: stored.suspended }),
    ...(Array.isArray(stored.blackout) && { blackout: stored.blackout }),
  };
  const job: ActualJob = {
    id: String(doc._id),
    key: mark.key,
    storedHash: str(mark.specHash),
    spec,
    ...(mark.written && { written: mark.written }),
    ...(mark.pause && { pause: mark.pause }),
  };
  if ("nextRunAt" in doc) job.nextRunAt = doc.nextRunAt instanceof Date ? doc.nextRunAt : null;
  return job;
}

/** The spec of a managed job document (undefined for anything schedsync does not own). */
export function specOf(doc: Record<string, unknown>): JobSpec | undefined {
  return actualFromDocument(doc)?.spec;
}
