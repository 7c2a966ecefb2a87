// The typed model that the loader (src/config) produces from validated YAML: services, frequencies,
// merchants and carts. Everything downstream (schedule, reconcile, runtime) works on this, never on raw YAML.
// test/unit/schema-types.test.ts checks that these names and enums match schemas/.

export const MERCHANT_SERVICES = ["orderDelivery", "shippingConfirmations", "inventory"] as const;
export const CART_SERVICES = ["orderDownload", "shipmentUpload", "inventoryUpload"] as const;
/** Services that may be `automatic` (the three push services of the hub). */
export const AUTOMATIC_SERVICES = ["orderDelivery", "shipmentUpload", "inventoryUpload"] as const;

export type MerchantService = (typeof MERCHANT_SERVICES)[number];
export type CartService = (typeof CART_SERVICES)[number];
export type ServiceName = MerchantService | CartService;

export const DEFAULT_AUTOMATIC_WINDOW_MS = 2_000;
export const DEFAULT_AUTOMATIC_MAX_BATCH = 500;
export const DEFAULT_CLEANUP_RUNS_PER_DAY = 2;

/** A frequency after parsing and defaulting. `text`/`times` keep the canonical YAML form. */
export type Frequency =
  | { kind: "off" }
  | { kind: "automatic"; windowMs: number; maxBatch: number }
  | {
      kind: "every";
      ms: number;
      text: string;
      /**
       * Phase inside the interval (docs/schedules.md, load spreading): ms after the local clock's
       * interval boundary, or "H" = drawn from the job key (schedule/phase.ts). The loader always
       * sets it (DEFAULT_EVERY_OFFSET unless the YAML gives `offset`); absent (hand-built models, jobs
       * written before spreading) means the old form: clock-aligned when the interval divides a day,
       * else ms after the last run.
       */
      offset?: number | "H";
    }
  | { kind: "cron"; expr: string }
  | { kind: "at"; times: string[] };

/** Where a node came from, for error messages and `explain`. File is relative to the repo root. */
export interface SourcePos {
  file: string;
  line: number;
  column: number;
}

/** Connector settings as written in YAML; each connector validates its own block. */
export type ConnectionSpec = { type: string } & Record<string, unknown>;

/**
 * A `suspended: { reason, until, services }` block (schemas/common.schema.json); `suspended: true`
 * is { reason: null, until: null, services: null }.
 */
export interface Suspension {
  reason: string | null;
  /** When the jobs resume by themselves, an ISO 8601 instant in UTC; null: until removed from YAML. */
  until: string | null;
  /** Only these services of the owner; null: all of them (a merchant's: its carts and cleanup too). */
  services: ServiceName[] | null;
}

/**
 * A blackout window (docs/schedules.md, Blackout windows): no transmission of the services it covers
 * starts inside. Times are the merchant's local clock. Written forms:
 * `{ cron, duration }` (starts by the cron, lasts `duration` of elapsed time), `{ from, to }` (daily,
 * "HH:MM", `to` ≤ `from` crosses midnight) and `{ start, end }` (dated, ISO 8601; without an offset
 * in the merchant's timezone). schemas/common.schema.json#/definitions/blackoutWindow.
 */
export type BlackoutWindow = BlackoutTimes & {
  reason: string | null;
  /** Only these services (of its owner); null: all of them. */
  services: ServiceName[] | null;
  /** Where it is written: Defaults reach every job, a merchant's its merchant services and cleanup, a cart's its cart services. */
  owner: "defaults" | "merchant" | "cart";
};

export type BlackoutTimes =
  | { kind: "cron"; cron: string; duration: string; durationMs: number }
  | { kind: "daily"; from: string; to: string }
  | { kind: "dated"; start: string; end: string };

export interface CartModel {
  id: string;
  merchantId: string;
  name?: string;
  /** Every job of the cart is suspended (its own block without services, or its merchant's). */
  suspended: boolean;
  /** The cart's own block, when it has one. */
  suspension?: Suspension;
  services: Record<CartService, Frequency>;
  connection?: ConnectionSpec;
  /** Defaults' windows, then the cart's own (absent: none). */
  blackout?: BlackoutWindow[];
  source: SourcePos;
}

export interface MerchantModel {
  id: string;
  name?: string;
  timezone: string;
  /** Every job of the merchant is suspended (a block without services). */
  suspended: boolean;
  suspension?: Suspension;
  cleanupRunsPerDay: number;
  services: Record<MerchantService, Frequency>;
  connection?: ConnectionSpec;
  /** Defaults' windows, then the merchant's own (absent: none). */
  blackout?: BlackoutWindow[];
  carts: CartModel[];
  source: SourcePos;
}

export interface ScheduleModel {
  merchants: MerchantModel[];
  /** Number of YAML documents read. */
  documents: number;
}
