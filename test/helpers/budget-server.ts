// A cart on 127.0.0.1 that notes when each request arrives: GET <base>/orders pages through a fixed
// list of orders (cursor = offset), or endlessly (empty pages that always say "more"); POST pushes
// are all acknowledged. `storm` answers the next requests with 429 and a Retry-After.
import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { order } from "./worker-jobs.js";

export interface Arrival {
  /** Epoch ms when the request arrived. */
  at: number;
  method: string;
  path: string;
  authorization: string;
  status: number;
}

export interface BudgetServer {
  url: string;
  arrivals: Arrival[];
  /** The next this many requests get 429 with `Retry-After: retryAfter`. */
  storm: number;
  retryAfter: string;
  close(): Promise<void>;
}

export async function startBudgetServer(
  o: { orders?: number; endless?: boolean } = {},
): Promise<BudgetServer> {
  const orders = Array.from({ length: o.orders ?? 0 }, (_, i) => order("web", `o-${i}`));
  const arrivals: Arrival[] = [];
  const s: BudgetServer = { url: "", arrivals, storm: 0, retryAfter: "1", close: async () => {} };
  const server = createServer((req, res) => {
    const at = Date.now();
    const url = new URL(req.url ?? "/", "http://x");
    const note = (status: number) =>
      arrivals.push({
        at,
        method: req.method ?? "",
        path: url.pathname,
        authorization: String(req.headers.authorization ?? ""),
        status,
      });
    let body = "";
    req.on("data", (c) => {
      body += c;
    });
    req.on("end", () => {
      res.setHeader("content-type", "application/json");
      if (s.storm > 0) {
        s.storm--;
        note(429);
        res.writeHead(429, { "retry-after": s.retryAfter }).end("{}");
        return;
      }
      note(200);
      if (req.method === "POST") {
        // Every record of the batch (its one array field) acknowledged.
        const batch = Object.values(JSON.parse(body) as Record<string, { id: string }[]>)[0] ?? [];
        res.end(JSON.stringify({ results: batch.map((r) => ({ id: r.id, ok: true })) }));
        return;
      }
      const from = Number(url.searchParams.get("cursor") || 0);
      if (o.endless) {
        res.end(JSON.stringify({ orders: [], cursor: String(from + 1), more: true }));
        return;
      }
      const limit = Number(url.searchParams.get("limit") || 100);
      const page = orders.slice(from, from + limit);
      const next = from + page.length;
      res.end(JSON.stringify({ orders: page, cursor: String(next), more: next < orders.length }));
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  s.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  s.close = async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  };
  return s;
}
