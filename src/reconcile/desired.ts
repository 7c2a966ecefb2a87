// Desired state: the jobs a schedule model asks for, one per service that is not `off`, plus one
// cleanup job per merchant that has an automatic service. Pure; sorted by key.
import { formatFrequency } from "../config/frequency.js";
import { specHash } from "../jobs/spec-hash.js";
import { CLEANUP_SERVICE, type DesiredJob, type JobService, type JobSpec } from "../jobs/types.js";
import { toAgendaRepeat } from "../schedule/agenda-repeat.js";
import { cleanupTimes } from "../schedule/cleanup.js";
import {
  CART_SERVICES,
  type CartModel,
  type ConnectionSpec,
  type Frequency,
  MERCHANT_SERVICES,
  type MerchantModel,
  type ScheduleModel,
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
}

function desiredJob({ merchant, cart, service, freq, connection }: JobInput): DesiredJob {
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
    disabled: merchant.suspended || (cart?.suspended ?? false),
    connection: connection ?? null,
  };
  return { ...spec, specHash: specHash(spec) };
}

function hasAutomatic(merchant: MerchantModel): boolean {
  const freqs = [
    ...Object.values(merchant.services),
    ...merchant.carts.flatMap((c) => Object.values(c.services)),
  ];
  return freqs.some((f) => f.kind === "automatic");
}

export function desiredJobs(model: ScheduleModel): DesiredJob[] {
  const jobs: DesiredJob[] = [];
  for (const merchant of model.merchants) {
    for (const service of MERCHANT_SERVICES) {
      const freq = merchant.services[service];
      if (freq.kind === "off") continue;
      jobs.push(desiredJob({ merchant, cart: null, service, freq, connection: merchant.connection }));
    }
    for (const cart of merchant.carts) {
      for (const service of CART_SERVICES) {
        const freq = cart.services[service];
        if (freq.kind === "off") continue;
        jobs.push(desiredJob({ merchant, cart, service, freq, connection: cart.connection }));
      }
    }
    const times = cleanupTimes(merchant.id, merchant.cleanupRunsPerDay);
    if (times.length > 0 && hasAutomatic(merchant)) {
      const freq: Frequency = { kind: "at", times };
      jobs.push(desiredJob({ merchant, cart: null, service: CLEANUP_SERVICE, freq, connection: undefined }));
    }
  }
  return jobs.sort((a, b) => compareKeys(a.key, b.key));
}

/** Plain code-unit order, the same everywhere (no locale). */
export function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
