// One JSON request with the guarantees the connectors need: a total deadline (headers and body),
// a response-size cap enforced while streaming, bearer auth read from the environment at call
// time, and HTTP outcomes mapped to ConnectorError. Tokens never reach a message or a log.
import { ConnectorError } from "./port.js";
import { parseRetryAfter } from "./retry-after.js";

export interface HttpSettings {
  baseUrl: string;
  /** Name of the environment variable that holds the bearer token. */
  tokenEnv: string;
  timeoutMs: number;
  headers: Record<string, string>;
  maxResponseBytes: number;
  /** 429s retried inside one call when Retry-After is at most maxRetryWaitMs. */
  rateLimitRetries: number;
  maxRetryWaitMs: number;
  env: NodeJS.ProcessEnv;
  /** Aborts requests on shutdown. */
  signal?: AbortSignal;
}

export const DEFAULT_TIMEOUT_MS = 30_000;
export const DEFAULT_MAX_RESPONSE_BYTES = 10 * 1024 * 1024;
/** Wait used when a 429 comes without a readable Retry-After. */
export const DEFAULT_RETRY_AFTER_MS = 1_000;

export interface JsonRequest {
  method: "GET" | "POST";
  path: string;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  idempotencyKey?: string;
}

export async function requestJson(s: HttpSettings, req: JsonRequest): Promise<unknown> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await once(s, req);
    } catch (err) {
      const wait =
        err instanceof ConnectorError && err.kind === "rate_limited" ? err.retryAfterMs : undefined;
      if (wait === undefined || attempt >= s.rateLimitRetries || wait > s.maxRetryWaitMs) throw err;
      await sleep(wait, s.signal).catch(() => {
        throw new ConnectorError("network", `${req.method} ${req.path}: aborted while waiting out a 429`);
      });
    }
  }
}

async function once(s: HttpSettings, req: JsonRequest): Promise<unknown> {
  const token = s.env[s.tokenEnv];
  const url = buildUrl(s.baseUrl, req);
  const what = `${req.method} ${redactUrl(url)}`;
  if (!token) {
    throw new ConnectorError(
      "config",
      `environment variable ${s.tokenEnv} is not set; it must hold the bearer token for ${redactUrl(s.baseUrl)}`,
      { retryable: false },
    );
  }
  const headers: Record<string, string> = { ...s.headers, Accept: "application/json" };
  headers.Authorization = `Bearer ${token}`;
  if (req.body !== undefined) headers["Content-Type"] = "application/json";
  if (req.idempotencyKey !== undefined) headers["Idempotency-Key"] = req.idempotencyKey;
  const timeout = AbortSignal.timeout(s.timeoutMs);
  const signal = s.signal ? AbortSignal.any([timeout, s.signal]) : timeout;
  const clean = (m: string) => m.split(token).join("***");
  try {
    const res = await fetch(url, {
      method: req.method,
      headers,
      body: req.body === undefined ? undefined : JSON.stringify(req.body),
      signal,
      // A redirect could carry the token elsewhere: refuse it.
      redirect: "manual",
    });
    if (res.status === 429) {
      await res.body?.cancel().catch(() => {});
      const ms = parseRetryAfter(res.headers.get("retry-after")) ?? DEFAULT_RETRY_AFTER_MS;
      throw new ConnectorError("rate_limited", `${what}: rate limited (429), retry after ${ms} ms`, {
        status: 429,
        retryAfterMs: ms,
      });
    }
    if (res.status < 200 || res.status > 299) {
      const text = await readCapped(res, 2_000, true).catch(() => "");
      const detail = snippet(clean(text));
      const hint = res.status === 401 || res.status === 403 ? ` (check the token in ${s.tokenEnv})` : "";
      throw new ConnectorError(
        "http",
        clean(`${what}: HTTP ${res.status}${hint}${detail ? `: ${detail}` : ""}`),
        {
          status: res.status,
        },
      );
    }
    const text = await readCapped(res, s.maxResponseBytes, false);
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new ConnectorError("protocol", `${what}: response is not JSON: ${snippet(clean(text))}`);
    }
  } catch (err) {
    throw classify(err, what, s, clean);
  }
}

function classify(err: unknown, what: string, s: HttpSettings, clean: (m: string) => string): ConnectorError {
  if (err instanceof ConnectorError) return err;
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === "TimeoutError") {
    return new ConnectorError("timeout", `${what}: no complete response within ${s.timeoutMs} ms`);
  }
  if (e?.name === "AbortError") return new ConnectorError("network", `${what}: aborted`);
  const reason = e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(err);
  return new ConnectorError("network", clean(`${what}: ${reason}`));
}

/** Reads the body as text, stopping (and cancelling the stream) beyond max bytes. */
async function readCapped(res: Response, max: number, truncate: boolean): Promise<string> {
  const declared = Number(res.headers.get("content-length"));
  if (!truncate && Number.isFinite(declared) && declared > max) {
    await res.body?.cancel().catch(() => {});
    throw new ConnectorError("protocol", `response too large: ${declared} bytes (limit ${max})`);
  }
  if (!res.body) return "";
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => {});
      if (truncate) {
        chunks.push(value.subarray(0, value.byteLength - (size - max)));
        break;
      }
      throw new ConnectorError("protocol", `response too large: over ${max} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function buildUrl(base: string, req: JsonRequest): string {
  const url = new URL(`${base.replace(/\/+$/, "")}/${req.path}`);
  for (const [k, v] of Object.entries(req.query ?? {}))
    if (v !== undefined) url.searchParams.set(k, String(v));
  return url.toString();
}

/** Drops user:password from a URL shown in a message. */
export function redactUrl(u: string): string {
  try {
    const url = new URL(u);
    if (url.username || url.password) {
      url.username = "";
      url.password = "";
    }
    return url.toString();
  } catch {
    return "(invalid URL)";
  }
}

function snippet(text: string): string {
  // Server text goes into one log line: no control characters.
  let out = "";
  for (const ch of text.slice(0, 400)) out += ch < " " ? " " : ch;
  return out.trim().slice(0, 200);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener(
      "abort",
      () => {
        clearTimeout(t);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}
