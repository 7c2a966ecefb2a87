// GitHub push webhooks: a signature check on the raw body, a size cap, and replay protection.
import { createHmac, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";

export const MAX_BODY_BYTES = 1 << 20;

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "HttpError";
  }
}

/** Reads the whole body, refusing (413) as soon as it grows past maxBytes. */
export function readBody(req: IncomingMessage, maxBytes = MAX_BODY_BYTES): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"]);
    if (Number.isFinite(declared) && declared > maxBytes) {
      req.resume();
      return reject(new HttpError(413, `body larger than ${maxBytes} bytes`));
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on("data", (c: Buffer) => {
      if (failed) return;
      size += c.length;
      if (size > maxBytes) {
        failed = true;
        reject(new HttpError(413, `body larger than ${maxBytes} bytes`));
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => {
      if (!failed) resolve(Buffer.concat(chunks));
    });
    req.on("error", (err) => {
      if (!failed) reject(err);
    });
  });
}

export function sign(secret: string, body: Buffer | string): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

/** Constant-time check of X-Hub-Signature-256 against the HMAC of the raw body. */
export function verifySignature(secret: string, body: Buffer, header: string | undefined): boolean {
  if (!secret || !header) return false;
  const expected = Buffer.from(sign(secret, body));
  const given = Buffer.from(header);
  // timingSafeEqual needs equal lengths; a length mismatch is a plain mismatch.
  if (given.length !== expected.length) return false;
  return timingSafeEqual(given, expected);
}

/**
 * Remembers the last N delivery ids (least recently seen dropped first) so a replayed delivery is
 * ignored. A replay refreshes its id: an id replayed over and over never ages out, however many
 * other deliveries arrive (the chaos webhook-abuse scenario found it did after 1,000).
 */
export class DeliveryCache {
  private seen = new Set<string>();
  constructor(private readonly size = 10_000) {}
  /** True the first time an id is seen. */
  add(id: string): boolean {
    if (this.seen.has(id)) {
      this.seen.delete(id);
      this.seen.add(id);
      return false;
    }
    this.seen.add(id);
    if (this.seen.size > this.size) {
      const oldest = this.seen.values().next().value;
      if (oldest !== undefined) this.seen.delete(oldest);
    }
    return true;
  }
}

export type HookDecision =
  | { action: "reconcile"; ref: string; after?: string }
  | { action: "ignore"; reason: string };

/** What a verified delivery asks for: only pushes to the watched branch reconcile. */
export function decide(event: string | undefined, payload: unknown, branch: string): HookDecision {
  if (event === "ping") return { action: "ignore", reason: "ping" };
  if (event !== "push") return { action: "ignore", reason: `event ${event ?? "(none)"} is not a push` };
  const p = (payload ?? {}) as { ref?: unknown; after?: unknown; deleted?: unknown };
  const ref = typeof p.ref === "string" ? p.ref : "";
  const want = branch.startsWith("refs/") ? branch : `refs/heads/${branch}`;
  if (ref !== want) return { action: "ignore", reason: `push to ${ref || "(no ref)"}, watching ${want}` };
  if (p.deleted === true) return { action: "ignore", reason: "branch deleted" };
  return { action: "reconcile", ref, after: typeof p.after === "string" ? p.after : undefined };
}
