// Cross-document checks and the typed model: kinds, ids, references, defaults, timezones,
// frequencies. Structure comes from the schemas; everything needing context is checked here.

import { DateTime } from "luxon";
import { count } from "../platform/words.js";
import {
  type BlackoutWindow,
  CART_SERVICES,
  type CartModel,
  type CartService,
  type ConnectionSpec,
  DEFAULT_AUTOMATIC_MAX_BATCH,
  DEFAULT_AUTOMATIC_WINDOW_MS,
  DEFAULT_CLEANUP_RUNS_PER_DAY,
  type Frequency,
  MERCHANT_SERVICES,
  type MerchantModel,
  type MerchantService,
  type ScheduleModel,
  type ServiceName,
  type Suspension,
} from "../schedule/model.js";
import { type BlackoutOwner, parseBlackout } from "./blackout.js";
import { budgetWarnings, rateLimitPerProblem } from "./budget-checks.js";
import { type ConfigError, errorAt } from "./errors.js";
import { allowsAutomatic, DEFAULT_EVERY_OFFSET, defaultEveryOffset, parseFrequency } from "./frequency.js";
import { missingConnections } from "./needs-connection.js";
import { type Policy, type PolicySpec, type PolicyUse, policyProblem } from "./policy.js";
import { schemaIssues } from "./schema.js";
import { canonicalTimezone } from "./timezone.js";
import type { ParsedDoc } from "./yaml-read.js";

type Obj = Record<string, unknown>;
type Path = (string | number)[];

interface Doc {
  pd: ParsedDoc;
  value: Obj;
  kind: string;
}

/** The built-in default of a periodic-only service: { every: 15m }, at the repository's phase. */
function fallbackFrequency(offset: number | "H"): Frequency {
  return { kind: "every", ms: 15 * 60_000, text: "15m", offset };
}

function obj(v: unknown): Obj {
  return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Obj) : {};
}

function str(v: unknown): string | undefined {
  return typeof v === "string" ? v : undefined;
}

export class ModelBuilder {
  readonly errors: ConfigError[] = [];
  /** Documents left out for YAML errors (they may define what others refer to). */
  unreadable = 0;
  /** Valid but surely not what was meant (a setting that is not read where it is written). */
  readonly warnings: ConfigError[] = [];
  private defaultsTz = "UTC";
  private defaultsCleanup = DEFAULT_CLEANUP_RUNS_PER_DAY;
  /** The phase of `every` without `offset`: Defaults' `spread`. */
  private everyOffset = DEFAULT_EVERY_OFFSET;
  private readonly defaultServices = new Map<ServiceName, Frequency>();
  private defaultsAt = "";
  private defaultBlackout: BlackoutWindow[] = [];
  private policy: Policy | undefined;
  /** Every service's frequency with where to report a policy breach. */
  private readonly uses: { pd: ParsedDoc; path: Path; use: PolicyUse }[] = [];
  /** The document each merchant and cart came from, to place the checks on the whole model. */
  private readonly docOf = new Map<MerchantModel | CartModel, ParsedDoc>();

  report(pd: ParsedDoc, path: Path, message: string, key = false): void {
    this.errors.push(errorAt(pd.file, pd.lines, pd.offsetOf(path, key), message));
  }

  where(pd: ParsedDoc): string {
    const { line } = pd.lines.linePos(pd.start);
    return `${pd.file}:${line}`;
  }

  build(parsed: ParsedDoc[]): ScheduleModel | undefined {
    const docs: Doc[] = [];
    for (const pd of parsed) {
      if (typeof pd.value !== "object" || pd.value === null || Array.isArray(pd.value)) {
        this.report(pd, [], "a schedule document must be a map with apiVersion, kind, metadata and spec");
        continue;
      }
      for (const i of schemaIssues(pd.value, (path) => pd.sourceAt(path)))
        this.report(pd, i.path, i.message, i.key);
      docs.push({ pd, value: pd.value as Obj, kind: String((pd.value as Obj).kind) });
    }
    this.readPolicy(docs.filter((d) => d.kind === "Policy"));
    this.readDefaults(docs.filter((d) => d.kind === "Defaults"));
    const merchants = this.readMerchants(docs.filter((d) => d.kind === "Merchant"));
    this.readCarts(
      docs.filter((d) => d.kind === "Cart"),
      merchants,
    );
    for (const { pd, path, use } of this.uses) {
      const problem = policyProblem(this.policy, use);
      if (problem) this.report(pd, path, `services.${use.service}: ${problem}`, path.length === 2);
    }
    if (this.errors.length) return undefined;
    const model = { merchants: [...merchants.values()], documents: parsed.length };
    // Only on an otherwise valid set: with unreadable documents it would point away from the cause.
    if (this.unreadable === 0) {
      this.checkConnections(model);
      this.checkBudgets(model);
    }
    return this.errors.length ? undefined : model;
  }

  /** Budgets the schedules overrun: a warning at the first connection's rateLimit (budget-checks.ts). */
  private checkBudgets(model: ScheduleModel): void {
    for (const w of budgetWarnings(model)) {
      const m = model.merchants.find((x) => x.id === w.merchantId);
      const owner = w.cartId ? m?.carts.find((c) => c.id === w.cartId) : m;
      const pd = owner && this.docOf.get(owner);
      if (!pd) continue;
      const at = pd.offsetOf(["spec", "connection", "rateLimit"], true);
      this.warnings.push(errorAt(pd.file, pd.lines, at, w.message));
    }
  }

  /** What the schema lets through: a rateLimit.per under 1s. */
  private checkRateLimit(pd: ParsedDoc, spec: Obj): void {
    const problem = rateLimitPerProblem(spec.connection);
    if (problem) this.report(pd, ["spec", "connection", "rateLimit", "per"], problem);
  }

  /** On a model that is otherwise valid: a running service without a connection is a warning (needs-connection.ts). */
  private checkConnections(model: ScheduleModel): void {
    for (const { owner, services, message } of missingConnections(model)) {
      const pd = this.docOf.get(owner);
      if (!pd) continue;
      // At the first running service written in the document, else at its services or spec.
      const spec = obj((pd.value as Obj).spec);
      const written = services.find((s) => Object.hasOwn(obj(spec.services), s));
      const at = pd.offsetOf(["spec", "services", ...(written ? [written] : [])], written !== undefined);
      this.warnings.push(errorAt(pd.file, pd.lines, at, message));
    }
  }

  /** The first of `docs`; each later one is an error at its `kind`. */
  private onlyOne(docs: Doc[], kind: string): Doc | undefined {
    const [first, ...rest] = docs;
    for (const d of rest)
      this.report(
        d.pd,
        ["kind"],
        `only one ${kind} document is allowed; the first is at ${this.where(first!.pd)}`,
      );
    return first;
  }

  private readPolicy(policies: Doc[]): void {
    const first = this.onlyOne(policies, "Policy");
    if (!first) return;
    const pd = first.pd;
    this.policy = {
      spec: obj(first.value.spec) as PolicySpec,
      ruleAt: (path) => `${pd.file}:${pd.lines.linePos(pd.offsetOf(["spec", ...path], true)).line}`,
    };
  }

  private readDefaults(defaults: Doc[]): void {
    const first = this.onlyOne(defaults, "Defaults");
    if (!first) return;
    this.defaultsAt = `Defaults at ${this.where(first.pd)}`;
    const spec = obj(first.value.spec);
    this.defaultsTz = this.timezone(first.pd, spec, "UTC");
    this.defaultsCleanup = cleanupRuns(spec, DEFAULT_CLEANUP_RUNS_PER_DAY);
    this.defaultBlackout = this.blackout(first.pd, spec, "defaults", this.defaultsTz).blackout ?? [];
    this.everyOffset = defaultEveryOffset(spec.spread === true);
    for (const svc of [...MERCHANT_SERVICES, ...CART_SERVICES]) {
      const f = this.frequency(first.pd, spec, svc, this.defaultsTz);
      if (!f) continue;
      this.defaultServices.set(svc, f);
      this.uses.push({
        pd: first.pd,
        path: ["spec", "services", svc],
        use: { service: svc, freq: f, tags: [] },
      });
    }
  }

  private readMerchants(docs: Doc[]): Map<string, MerchantModel> {
    const merchants = new Map<string, MerchantModel>();
    const firstAt = new Map<string, ParsedDoc>();
    for (const { pd, value } of docs) {
      const meta = obj(value.metadata);
      const spec = obj(value.spec);
      const id = str(meta.id);
      const timezone = this.timezone(pd, spec, this.defaultsTz);
      this.checkRateLimit(pd, spec);
      const services = {} as Record<MerchantService, Frequency>;
      for (const svc of MERCHANT_SERVICES) services[svc] = this.service(pd, spec, svc, timezone);
      if (id === undefined) continue;
      const earlier = firstAt.get(id);
      if (earlier) {
        this.report(
          pd,
          ["metadata", "id"],
          `duplicate merchant id "${id}"; it is already defined at ${this.where(earlier)}`,
        );
        continue;
      }
      firstAt.set(id, pd);
      const merchant: MerchantModel = {
        id,
        ...(str(meta.name) !== undefined && { name: str(meta.name) }),
        timezone,
        ...this.suspension(pd, spec, timezone),
        cleanupRunsPerDay: cleanupRuns(spec, this.defaultsCleanup),
        services,
        ...connection(spec),
        ...this.blackout(pd, spec, "merchant", timezone),
        carts: [],
        source: sourceOf(pd),
      };
      merchants.set(id, merchant);
      if (merchant.connection?.type === "sandbox" && "orderRatePerMinute" in merchant.connection) {
        const at = pd.offsetOf(["spec", "connection", "orderRatePerMinute"], true);
        this.warnings.push(
          errorAt(
            pd.file,
            pd.lines,
            at,
            "connection.orderRatePerMinute is not read on a Merchant (its sandbox is the WMS; orders come from carts): put it on each Cart's sandbox connection",
          ),
        );
      }
      this.docOf.set(merchant, pd);
    }
    return merchants;
  }

  private readCarts(docs: Doc[], merchants: Map<string, MerchantModel>): void {
    const firstAt = new Map<string, ParsedDoc>();
    for (const { pd, value } of docs) {
      const meta = obj(value.metadata);
      const spec = obj(value.spec);
      const id = str(meta.id);
      const merchantId = str(meta.merchant);
      const merchant = merchantId === undefined ? undefined : merchants.get(merchantId);
      this.checkRateLimit(pd, spec);
      const services = {} as Record<CartService, Frequency>;
      for (const svc of CART_SERVICES)
        services[svc] = this.service(pd, spec, svc, merchant?.timezone ?? "UTC");
      if (merchantId !== undefined && !merchant) {
        const known = [...merchants.keys()].sort();
        const hint = known.length
          ? `known merchants: ${known.slice(0, 10).join(", ")}`
          : "no Merchant is defined";
        // A Merchant whose document has YAML errors is unknown here; say so rather than mislead.
        const unread = this.unreadable
          ? `; ${count(this.unreadable, "document")} could not be read: fix those errors first`
          : "";
        this.report(
          pd,
          ["metadata", "merchant"],
          `merchant "${merchantId}" is not defined (${hint}${unread})`,
        );
      }
      if (!merchant || id === undefined) continue;
      const earlier = firstAt.get(`${merchant.id}/${id}`);
      if (earlier) {
        this.report(
          pd,
          ["metadata", "id"],
          `duplicate cart id "${id}" in merchant "${merchant.id}"; it is already defined at ${this.where(earlier)}`,
        );
        continue;
      }
      firstAt.set(`${merchant.id}/${id}`, pd);
      const cart: CartModel = {
        id,
        merchantId: merchant.id,
        ...(str(meta.name) !== undefined && { name: str(meta.name) }),
        // Suspending a merchant suspends its carts; the model carries the effective flag.
        ...this.suspension(pd, spec, merchant.timezone, merchant.suspended),
        services,
        ...connection(spec),
        ...this.blackout(pd, spec, "cart", merchant.timezone),
        source: sourceOf(pd),
      };
      merchant.carts.push(cart);
      this.docOf.set(cart, pd);
    }
  }

  private timezone(pd: ParsedDoc, spec: Obj, fallback: string): string {
    const tz = str(spec.timezone);
    if (tz === undefined) return fallback;
    const canonical = canonicalTimezone(tz);
    if (canonical) return canonical;
    this.report(
      pd,
      ["spec", "timezone"],
      `timezone: "${tz}" is not a known IANA timezone; use a name like America/Chicago, Europe/Berlin or UTC`,
    );
    return "UTC";
  }

  /**
   * `suspended: true | { reason, until?, services? }` (schema-checked) as the model's flag and block.
   * An `until` without an offset is read in `timezone`; it becomes a UTC ISO instant.
   */
  private suspension(
    pd: ParsedDoc,
    spec: Obj,
    timezone: string,
    inherited = false,
  ): { suspended: boolean; suspension?: Suspension } {
    const v = spec.suspended;
    if (v === true) return { suspended: true, suspension: { reason: null, until: null, services: null } };
    if (!v || typeof v !== "object") return { suspended: inherited };
    const o = v as Obj;
    const services = Array.isArray(o.services) ? (o.services as ServiceName[]) : null;
    let until: string | null = null;
    const text = str(o.until);
    if (text !== undefined) {
      const at = DateTime.fromISO(text, { zone: timezone, setZone: false });
      if (at.isValid) until = at.toUTC().toISO({ suppressMilliseconds: false });
      else this.report(pd, ["spec", "suspended", "until"], `suspended.until: "${text}" is not a date-time`);
    }
    return {
      suspended: inherited || services === null,
      suspension: { reason: str(o.reason) ?? null, until, services },
    };
  }

  /** Defaults' windows and the document's own `blackout:` (docs/schedules.md); absent when none. */
  private blackout(
    pd: ParsedDoc,
    spec: Obj,
    owner: BlackoutOwner,
    timezone: string,
  ): { blackout?: BlackoutWindow[] } {
    const own = parseBlackout(spec.blackout, owner, timezone);
    for (const issue of own.issues)
      this.report(
        pd,
        ["spec", "blackout", ...issue.path],
        `blackout[${issue.path[0]}]: ${issue.message}`,
        issue.key,
      );
    const windows = owner === "defaults" ? own.windows : [...this.defaultBlackout, ...own.windows];
    return windows.length ? { blackout: windows } : {};
  }

  /** The service's frequency as written, after defaults; noted for the policy check. */
  private service(pd: ParsedDoc, spec: Obj, svc: ServiceName, timezone: string): Frequency {
    const tags = connectionTags(spec);
    const written = Object.hasOwn(obj(spec.services), svc);
    const own = this.frequency(pd, spec, svc, timezone);
    if (own) this.uses.push({ pd, path: ["spec", "services", svc], use: { service: svc, freq: own, tags } });
    if (own || written) return own ?? this.defaultFor(svc);
    const freq = this.defaultFor(svc);
    const fromDefaults = this.defaultServices.has(svc);
    this.uses.push({
      pd,
      path: ["spec", "services"],
      use: {
        service: svc,
        freq,
        tags,
        inheritedFrom: fromDefaults ? this.defaultsAt : "the built-in default",
        tagRulesOnly: fromDefaults,
      },
    });
    return freq;
  }

  private frequency(pd: ParsedDoc, spec: Obj, svc: ServiceName, timezone: string): Frequency | undefined {
    const services = obj(spec.services);
    if (!Object.hasOwn(services, svc)) return undefined;
    const at = ["spec", "services", svc];
    const written = (p: Path) => pd.sourceAt([...at, ...p]);
    const result = parseFrequency(services[svc], svc, timezone, written, this.everyOffset);
    if (result.ok) return result.freq;
    for (const issue of result.issues)
      this.report(
        pd,
        ["spec", "services", svc, ...issue.path],
        `services.${svc}: ${issue.message}`,
        issue.key,
      );
    return undefined;
  }

  private defaultFor(svc: ServiceName): Frequency {
    const d = this.defaultServices.get(svc);
    if (d) return d;
    return allowsAutomatic(svc)
      ? { kind: "automatic", windowMs: DEFAULT_AUTOMATIC_WINDOW_MS, maxBatch: DEFAULT_AUTOMATIC_MAX_BATCH }
      : fallbackFrequency(this.everyOffset);
  }
}

function cleanupRuns(spec: Obj, fallback: number): number {
  const runs = obj(spec.cleanup).runsPerDay;
  return typeof runs === "number" ? runs : fallback;
}

function connectionTags(spec: Obj): string[] {
  const tags = obj(spec.connection).tags;
  return Array.isArray(tags) ? tags.filter((t): t is string => typeof t === "string") : [];
}

function connection(spec: Obj): { connection?: ConnectionSpec } {
  const c = spec.connection;
  return c && typeof c === "object" ? { connection: c as ConnectionSpec } : {};
}

function sourceOf(pd: ParsedDoc) {
  const { line, col } = pd.lines.linePos(pd.start);
  return { file: pd.file, line, column: col };
}
