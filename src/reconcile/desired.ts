// Desired state: the jobs a schedule model asks for, one per service that is not `off`, plus one
// cleanup job per merchant that has an automatic service. Pure; sorted by key.
import { formatFrequency } from "../config/frequency.js";
import { specHash } from "../jobs/spec-hash.js";
import {
  CLEANUP_SERVICE,
  type DesiredJob,
  type JobService,
  type JobSpec,
  type JobSuspension,
} from "../jobs/types.js";
import { toAgendaRepeat } from "../schedule/agenda-repeat.js";
import { blackoutOf } from "../schedule/blackout-runs.js";
import { cleanupTimes } from "../schedule/cleanup.js";
import {
  CART_SERVICES,
  type CartModel,
  type ConnectionSpec,
  type Frequency,
  MERCHANT_SERVICES,
  type MerchantModel,
  type ScheduleModel,
  type Suspension,
} from "../schedule/model.js";
import { resolvePhase, serviceKey } from "../schedule/phase.js";

export const JOB_NAME_PREFIX = "schedsync:";

export function jobName(service: JobService): string {
  return `${JOB_NAME_PREFIX}${service}`;
}

export function jobKey(merchantId: string, cartId: string | null, service: JobService): string {
  return serviceKey(merchantId, cartId, service);
}

interface JobInput {
  merchant: MerchantModel;
  cart: CartModel | null;
  service: JobService;
  freq: Frequency;
  connection: ConnectionSpec | undefined;
  now: Date;
}

const WHOLE: Suspension = { reason: null, until: null, services: null };

/** The block applies to the service and has not run out (`until` passed: as if not written). */
function covers(s: Suspension | undefined, service: JobService, now: Date): s is Suspension {
  if (!s || (s.until !== null && Date.parse(s.until) <= now.getTime())) return false;
  return s.services === null || (s.services as string[]).includes(service);
}

/** The job's suspension: the merchant's block first, then the cart's (docs/schedules.md). */
export function suspensionOf(
  merchant: MerchantModel,
  cart: CartModel | null,
  service: JobService,
  now: Date,
): JobSuspension | undefined {
  // A model built in code may carry only the flag: `suspended: true` is a block without reason or end.
  const m = merchant.suspension ?? (merchant.suspended ? WHOLE : undefined);
  const c = cart?.suspension ?? (cart?.suspended && !merchant.suspension ? WHOLE : undefined);
  // A merchant's `services` names merchant services only; its carts follow only a whole-merchant block.
  const fromMerchant = cart && m?.services ? undefined : m;
  const s = covers(fromMerchant, service, now) ? fromMerchant : covers(c, service, now) ? c : undefined;
  if (!s) return undefined;
  const scope = s.services ? "service" : s === m ? "merchant" : "cart";
  return { reason: s.reason, until: s.until, scope };
}

function desiredJob({ merchant, cart, service, freq, connection, now }: JobInput): DesiredJob {
  const key = jobKey(merchant.id, cart?.id ?? null, service);
  const written = freq.kind === "at" ? { kind: "at" as const, times: [...freq.times].sort() } : freq;
  // The stored schedule has its load-spreading phase drawn from the key, so the worker and apply
  // need no key to compute runs; `frequency` keeps what the YAML says.
  const schedule = resolvePhase(written, key);
  const repeat = toAgendaRepeat(schedule, merchant.timezone);
  const spec: JobSpec = {
    key,
    name: jobName(service),
    merchantId: merchant.id,
    cartId: cart?.id ?? null,
    service,
    frequency: formatFrequency(written),
    schedule,
    timezone: merchant.timezone,
    repeatInterval: repeat?.repeatInterval ?? null,
    repeatTimezone: repeat?.repeatTimezone ?? null,
    managedNextRun: repeat?.managedNextRun ?? false,
    disabled: false,
    connection: connection ?? null,
  };
  const blackout = blackoutOf(merchant, cart, service);
  if (blackout) spec.blackout = blackout;
  const suspended = suspensionOf(merchant, cart, service, now);
  if (suspended) Object.assign(spec, { disabled: true, suspended });
  return { ...spec, specHash: specHash(spec) };
}

function hasAutomatic(merchant: MerchantModel): boolean {
  const freqs = [
    ...Object.values(merchant.services),
    ...merchant.carts.flatMap((c) => Object.values(c.services)),
  ];
  return freqs.some((f) => f.kind === "automatic");
}

/**
 * The jobs `model` asks for, sorted by key. A YAML suspension disables a job until its `until`;
 * from `now` on, a suspension whose `until` has passed is as if it were not written.
 */
export function desiredJobs(model: ScheduleModel, now = new Date()): DesiredJob[] {
  const jobs: DesiredJob[] = [];
  for (const merchant of model.merchants) {
    for (const service of MERCHANT_SERVICES) {
      const freq = merchant.services[service];
      if (freq.kind === "off") continue;
      jobs.push(desiredJob({ merchant, cart: null, service, freq, connection: merchant.connection, now }));
    }
    for (const cart of merchant.carts) {
      for (const service of CART_SERVICES) {
        const freq = cart.services[service];
        if (freq.kind === "off") continue;
        jobs.push(desiredJob({ merchant, cart, service, freq, connection: cart.connection, now }));
      }
    }
    const times = cleanupTimes(merchant.id, merchant.cleanupRunsPerDay);
    if (times.length > 0 && hasAutomatic(merchant)) {
      const freq: Frequency = { kind: "at", times };
      jobs.push(
        desiredJob({ merchant, cart: null, service: CLEANUP_SERVICE, freq, connection: undefined, now }),
      );
    }
  }
  return jobs.sort((a, b) => compareKeys(a.key, b.key));
}

/** Plain code-unit order, the same everywhere (no locale). */
export function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
