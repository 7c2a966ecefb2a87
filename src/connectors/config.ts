// Checking a YAML `connection` block for the adapter it names. The JSON Schema
// (schemas/connection.schema.json) catches most mistakes first; this is the last word, with
// messages that say which field and what is allowed.
import type { ConnectionSpec } from "../schedule/model.js";
import { parseRateLimit, type RateLimit } from "../schedule/rate-limit.js";
import { DEFAULT_TIMEOUT_MS } from "./http-request.js";
import { ConnectorError } from "./port.js";

export interface HttpConnection {
  type: "http";
  baseUrl: string;
  tokenEnv: string;
  timeoutMs: number;
  headers: Record<string, string>;
  rateLimit?: RateLimit;
}

export interface SandboxConnection {
  type: "sandbox";
  orderRatePerMinute: number;
  failureRate: number;
  seed: number;
  rateLimit?: RateLimit;
}

export type Connection = HttpConnection | SandboxConnection;

// tags label the connection for Policy rules (src/config/policy.ts); webhook is read by the server
// (src/server/cart-hooks.ts); rateLimit is the account's API budget (src/connectors/budget.ts).
// They belong to the connection as a whole, whatever its type.
const CONNECTION_FIELDS = ["tags", "webhook", "rateLimit"] as const;
const FIELDS = {
  http: ["type", "baseUrl", "tokenEnv", "timeoutMs", "headers", ...CONNECTION_FIELDS],
  sandbox: ["type", "orderRatePerMinute", "failureRate", "seed", ...CONNECTION_FIELDS],
} as const;
/** Headers the connector sets itself; a secret never belongs in the YAML. */
const RESERVED_HEADERS = [
  "authorization",
  "idempotency-key",
  "content-type",
  "cookie",
  "proxy-authorization",
];

function invalid(where: string, message: string): ConnectorError {
  return new ConnectorError("config", `${where}: ${message}`, { retryable: false });
}

export function parseConnection(spec: ConnectionSpec | null | undefined, where = "connection"): Connection {
  if (spec === null || spec === undefined) throw invalid(where, "no connection block configured");
  if (typeof spec !== "object" || Array.isArray(spec)) throw invalid(where, "must be a mapping");
  const type = spec.type;
  if (type !== "http" && type !== "sandbox") {
    throw invalid(where, `type must be "http" or "sandbox", got ${JSON.stringify(type)}`);
  }
  const allowed: readonly string[] = FIELDS[type];
  const unknown = Object.keys(spec).filter((k) => !allowed.includes(k));
  if (unknown.length > 0) {
    throw invalid(
      where,
      `unknown ${unknown.length === 1 ? "field" : "fields"} for type ${type}: ${unknown.join(", ")} (allowed: ${allowed.join(", ")})`,
    );
  }
  const c = type === "http" ? parseHttp(spec, where) : parseSandbox(spec, where);
  if (spec.rateLimit === undefined) return c;
  const r = parseRateLimit(spec.rateLimit);
  if (!r.ok) throw invalid(where, r.message);
  return { ...c, rateLimit: r.limit };
}

function parseHttp(spec: ConnectionSpec, where: string): HttpConnection {
  const { baseUrl, tokenEnv, timeoutMs, headers } = spec;
  if (typeof baseUrl !== "string") throw invalid(where, "baseUrl is required (http or https URL)");
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw invalid(where, `baseUrl is not a URL: ${JSON.stringify(baseUrl.slice(0, 100))}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw invalid(where, "baseUrl must be http or https");
  if (url.username || url.password)
    throw invalid(where, "baseUrl must not contain credentials; use tokenEnv");
  if (typeof tokenEnv !== "string" || !/^[A-Z_][A-Z0-9_]*$/.test(tokenEnv)) {
    throw invalid(
      where,
      "tokenEnv must be the NAME of an environment variable (like ACME_WMS_TOKEN), not a token",
    );
  }
  if (
    timeoutMs !== undefined &&
    (!Number.isInteger(timeoutMs) || (timeoutMs as number) < 1 || (timeoutMs as number) > 600_000)
  ) {
    throw invalid(where, "timeoutMs must be an integer from 1 to 600000");
  }
  const h: Record<string, string> = {};
  if (headers !== undefined) {
    if (typeof headers !== "object" || headers === null || Array.isArray(headers)) {
      throw invalid(where, "headers must be a mapping of header name to string");
    }
    for (const [k, v] of Object.entries(headers)) {
      if (typeof v !== "string") throw invalid(where, `headers.${k} must be a string`);
      if (RESERVED_HEADERS.includes(k.toLowerCase()))
        throw invalid(where, `headers.${k} is set by the connector`);
      h[k] = v;
    }
  }
  return {
    type: "http",
    baseUrl,
    tokenEnv,
    timeoutMs: (timeoutMs as number | undefined) ?? DEFAULT_TIMEOUT_MS,
    headers: h,
  };
}

function parseSandbox(spec: ConnectionSpec, where: string): SandboxConnection {
  const { orderRatePerMinute = 0, failureRate = 0, seed = 1 } = spec;
  if (typeof orderRatePerMinute !== "number" || !(orderRatePerMinute >= 0) || orderRatePerMinute > 1e6) {
    throw invalid(where, "orderRatePerMinute must be a number from 0 to 1000000");
  }
  if (typeof failureRate !== "number" || !(failureRate >= 0 && failureRate <= 1)) {
    throw invalid(where, "failureRate must be a number from 0 to 1");
  }
  if (!Number.isSafeInteger(seed)) throw invalid(where, "seed must be an integer");
  return { type: "sandbox", orderRatePerMinute, failureRate, seed: seed as number };
}
