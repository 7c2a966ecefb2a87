// Shapes of the jobs schedsync owns: the spec, desired and actual jobs, and a plan's changes to them.
// Shared by the reconciler (desired state, planner), the repository (writes) and the runtime. See docs/reconcile.md.
import type { BlackoutWindow, ConnectionSpec, Frequency, ServiceName } from "../schedule/model.js";

export const CLEANUP_SERVICE = "cleanup";
export type JobService = ServiceName | typeof CLEANUP_SERVICE;

/**
 * Everything that defines a managed job, normalised; this and only this is hashed. Fields Agenda
 * rewrites while running (nextRunAt, lastRunAt, lockedAt, failCount...) never appear here.
 */
export interface JobSpec {
  key: string;
  /** Agenda job name: one per service type, e.g. "schedsync:orderDelivery". */
  name: string;
  merchantId: string;
  cartId: string | null;
  service: JobService;
  /** The frequency's canonical YAML value (formatFrequency: "automatic", { every: "30m" }...), for people. */
  frequency: unknown;
  /** The same frequency, structured, for the runtime worker. */
  schedule: Frequency;
  timezone: string;
  /** What Agenda repeats on (null: no Agenda repeat — automatic, or managedNextRun). */
  repeatInterval: string | number | null;
  repeatTimezone: string | null;
  /** The runtime worker sets nextRunAt itself after each run (Agenda cannot express the schedule). */
  managedNextRun: boolean;
  disabled: boolean;
  /** Set when YAML suspends the job (then `disabled`); absent otherwise, so older hashes still hold. */
  suspended?: JobSuspension;
  /** The merchant's (merchant services) or cart's (cart services) connection block; null for cleanup. */
  connection: ConnectionSpec | null;
  /**
   * The blackout windows that cover this job (docs/schedules.md, Blackout windows); absent when
   * none, so older hashes still hold.
   */
  blackout?: BlackoutWindow[];
}

/** A YAML suspension as it applies to one job (docs/schedules.md). */
export interface JobSuspension {
  reason: string | null;
  /** ISO 8601 instant (UTC) when the workers re-enable the job; null: until the YAML changes. */
  until: string | null;
  /** Where the YAML says it: the whole merchant, the whole cart, or a `services` list. */
  scope: "merchant" | "cart" | "service";
}

/** An emergency pause (`schedsync pause`) as stored on each job it holds (data.schedsync.pause). */
export interface PauseMark {
  /** What was paused: "<merchant>", "<merchant>/<cart>" or a job key. */
  target: string;
  by: string;
  reason: string;
  /** ISO 8601 instants. */
  since: string;
  until: string | null;
  /** The job's Agenda `disabled` before the pause, restored by resume. */
  disabledBefore: boolean;
}

/** The Agenda fields schedsync last wrote (data.schedsync.written), to name what a hand edit changed. */
export interface WrittenFields {
  name: string;
  disabled: boolean;
  repeatInterval: string | number | null;
  repeatTimezone: string | null;
}

/** One field a change or a hand edit touches: its path in the job document, before → after. */
export interface FieldChange {
  field: string;
  before: unknown;
  after: unknown;
}

export interface DesiredJob extends JobSpec {
  specHash: string;
}

/** A job document schedsync owns, normalised by actualFromDocument(). */
export interface ActualJob {
  /** The document's _id as a hex string. */
  id: string;
  key: string;
  /** data.schedsync.specHash as stored by the last apply. */
  storedHash: string;
  /** The spec as the document holds it now; its hash differs from storedHash after out-of-band edits. */
  spec: JobSpec;
  /** The document's nextRunAt (null: not armed); undefined when it was not read. */
  nextRunAt?: Date | null;
  /** The Agenda fields as schedsync wrote them (absent on documents written before they were kept). */
  written?: WrittenFields;
  /** Set while `schedsync pause` holds the job. */
  pause?: PauseMark;
}

/** The human-readable part of a spec shown in plans. */
export interface SpecView {
  frequency: unknown;
  timezone: string;
  disabled: boolean;
  suspended?: JobSuspension;
  /** The job's blackout windows, one line each (describeWindow); absent when none. */
  blackout?: string[];
}

/** A nextRunAt that contradicts the job's schedule (a fact of a plan's drift update). */
export interface NextRunDrift {
  /** The stored nextRunAt (null: the job never runs again). */
  nextRunAt: Date | null;
  /** The schedule's next run after `now` (the latest it may be, before tolerance). */
  scheduledBy: Date;
}

export type CreateChange = {
  action: "create";
  key: string;
  reason: "config changed";
  before: null;
  after: SpecView;
  job: DesiredJob;
  /** Created held by this pause (a new job under a paused merchant or cart). */
  pause?: PauseMark;
};
export type UpdateChange = {
  action: "update";
  key: string;
  reason: "config changed" | "drift";
  before: SpecView;
  after: SpecView;
  id: string;
  job: DesiredJob;
  /** Frequency, timezone or repeat changed, or nextRunAt drifted: apply recomputes nextRunAt (else keeps it). */
  rescheduled: boolean;
  /** Set when the spec's timing is unchanged but the stored nextRunAt contradicts the schedule. */
  nextRun?: NextRunDrift;
  /** What differs between the document and git, field by field (a hand edit's fields for "drift"). */
  fields?: FieldChange[];
};
export type DeleteChange = {
  action: "delete";
  key: string;
  reason: "removed from config" | "duplicate";
  before: SpecView;
  after: null;
  id: string;
};
export type Change = CreateChange | UpdateChange | DeleteChange;
export type ChangeReason = Change["reason"];

/** Counts of a plan's changes by action (and the unchanged jobs). */
export interface PlanSummary {
  create: number;
  update: number;
  delete: number;
  unchanged: number;
}

/** A job `schedsync pause` holds: the plan writes nothing to it and says what it holds back. */
export interface PausedJob {
  key: string;
  pause: PauseMark;
  /** The change apply would make without the pause (null: none). */
  held: "update" | "delete" | null;
}

export interface Plan {
  changes: Change[];
  summary: PlanSummary;
  /** Jobs held by `schedsync pause`, never written by apply (absent: none). */
  paused?: PausedJob[];
}
