// Scenario 7: run schedsync with a password in MONGODB_URI, a connector token and a webhook secret,
// capture everything it prints, serves and stores, and grep it all for each secret (goal: 0).
import { createHmac } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { openStore } from "../../src/store/index.js";
import { tempRepo } from "../helpers/git-repo.js";
import { waitFor } from "../helpers/wait-for.js";
import { runCliChild, spawnCli } from "./lib/proc.js";
import { chaosStore } from "./lib/store.js";
import { Outcome, type ScenarioOptions, type ScenarioResult, trace } from "./lib/types.js";

export const name = "secrets";

const PASSWORD = "S3cretPw";
const TOKEN = "tok-Chaos7-9f2e41";
const WEBHOOK_SECRET = "whsec-Chaos7-b81c55";
const TOKEN_ENV = "SCHEDSYNC_CHAOS_HUB_TOKEN";
const YEARLY = '{ cron: "0 0 1 1 *" }';

/** A peer that answers every request 500 with the request's headers (the bearer token too) in the body. */
async function echoServer(): Promise<{ url: string; server: Server; sawToken: () => number }> {
  let saw = 0;
  const server = createServer((req, res) => {
    if (req.headers.authorization === `Bearer ${TOKEN}`) saw++;
    req.resume();
    req.on("end", () => {
      res.writeHead(500, { "content-type": "application/json" });
      // The token first, so it lands inside the short snippet of the body an error keeps.
      res.end(
        JSON.stringify({ authorization: req.headers.authorization, error: "boom", echoed: req.headers }),
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${port}`, server, sawToken: () => saw };
}

function schedules(url: string): string {
  const http = `{ type: http, baseUrl: "${url}", tokenEnv: ${TOKEN_ENV}, timeoutMs: 3000 }`;
  return `apiVersion: schedsync/v1
kind: Merchant
metadata: { id: m1 }
spec:
  timezone: UTC
  services:
    orderDelivery: automatic
    shippingConfirmations: ${YEARLY}
    inventory: ${YEARLY}
  connection: ${http}
---
apiVersion: schedsync/v1
kind: Cart
metadata: { id: a, merchant: m1 }
spec:
  services:
    orderDownload: ${YEARLY}
    shipmentUpload: automatic
    inventoryUpload: automatic
  connection: ${http}
`;
}

/** A URI with the password that cannot connect: nothing listens on port 1 (fails after server selection). */
function unreachableUri(dbName: string): string {
  return `mongodb://schedsync:${PASSWORD}@127.0.0.1:1/${dbName}`;
}

/** The real store with the password added: FerretDB rejects SCRAM (docs/store.md), so this fails at once. */
function rejectedUri(dbUri: string): string {
  return dbUri.replace(/^mongodb:\/\/(?:[^@/]*@)?/, `mongodb://schedsync:${PASSWORD}@`);
}

export async function run(opts: ScenarioOptions): Promise<ScenarioResult> {
  const out = new Outcome(name);
  const full = opts.scale === "full";
  const store = await chaosStore(opts.storeUri);
  const t = await store.newDb("chaos_secrets");
  const peer = await echoServer();
  const repo = await tempRepo();
  // Every place checked: a label and its captured text.
  const places: Array<[string, string]> = [];
  const secretsEnv = { [TOKEN_ENV]: TOKEN, SCHEDSYNC_WEBHOOK_SECRET: WEBHOOK_SECRET };
  try {
    await repo.commit({ "schedules/shop.yaml": schedules(peer.url) });
    const src = ["--repo", repo.dir];
    const commands: Array<[string, string[]]> = [
      ["apply", ["apply", ...src]],
      ["plan", ["plan", ...src]],
      ["status", ["status"]],
      ["history", ["history"]],
      ["records", ["records"]],
    ];
    // Failing stores with the password in the URI: one that rejects the login, and (full) one that is
    // not there at all, where each command waits out server selection (10 s).
    const failing: Array<[string, NodeJS.ProcessEnv, string[][]]> = [
      ["login rejected", { ...secretsEnv, MONGODB_URI: rejectedUri(t.dbUri) }, [[]]],
    ];
    if (full) {
      failing[0]?.[2].push(["--json"]);
      failing.push(["unreachable", { ...secretsEnv, MONGODB_URI: unreachableUri("x") }, [[], ["--json"]]]);
    }
    // Not awaited yet: the failing runs go on while the working ones run.
    const badRunsDone = Promise.all(
      failing.flatMap(([store, env, variants]) =>
        commands.flatMap(([label, args]) =>
          variants.map((extra) =>
            runCliChild([...args, ...extra], env).then((r) => ({
              label: `${label} ${extra.join(" ")} (${store})`,
              r,
            })),
          ),
        ),
      ),
    );
    // A URI the driver cannot even parse, with the password in it.
    const unparsable = await runCliChild(["status"], {
      ...secretsEnv,
      MONGODB_URI: `mongodb://schedsync:${PASSWORD}@127.0.0.1:99999/x`,
    });
    places.push(["status (unparsable URI) output", unparsable.stdout + unparsable.stderr]);

    // openStore in this process: its log lines and its error for the failing URI, then the working store.
    const storeLog: string[] = [];
    const openErr = await openStore({
      env: { MONGODB_URI: unreachableUri("x") },
      log: (l) => storeLog.push(l),
      serverSelectionTimeoutMS: 1_000,
    }).then(
      async (s) => {
        await s.close();
        return "connected?";
      },
      (err: Error) => `${err.message}\n${err.stack}`,
    );
    places.push(["openStore error (unreachable store)", openErr]);
    const rejectedErr = await openStore({ env: { MONGODB_URI: rejectedUri(t.dbUri) } }).then(
      async (s) => {
        await s.close();
        return "connected?";
      },
      (err: Error) => `${err.message}\n${err.stack}`,
    );
    places.push(["openStore error (login rejected)", rejectedErr]);
    const good = await openStore({ env: { MONGODB_URI: t.dbUri }, log: (l) => storeLog.push(l) });
    places.push(["openStore displayUri", good.displayUri]);
    await good.close();
    places.push(["openStore log lines", storeLog.join("\n")]);

    // The working store: every command, text and JSON; then a run that meets the echoing peer.
    const goodEnv = { ...secretsEnv, MONGODB_URI: t.dbUri };
    const variants = full ? [[], ["--json"]] : [[]];
    const goodRun = async (label: string, args: string[]) => {
      const r = await runCliChild(args, goodEnv);
      places.push([`${label} (working store) output`, r.stdout + r.stderr]);
    };
    // apply first, so status, history and records have something to show; the rest at once.
    for (const extra of variants) await goodRun(`apply ${extra.join(" ")}`, ["apply", ...src, ...extra]);
    await Promise.all(
      commands
        .slice(1)
        .flatMap(([label, args]) =>
          variants.map((extra) => goodRun(`${label} ${extra.join(" ")}`, [...args, ...extra])),
        ),
    );
    const runOut = await runCliChild(["run", "m1/a/orderDownload", "--json"], goodEnv);
    places.push(["run m1/a/orderDownload (peer echoes the token)", runOut.stdout + runOut.stderr]);
    trace("working-store runs done");

    // serve: status page, metrics, webhooks with a bad and a good signature.
    const serve = spawnCli(["serve", "--port", "0", ...src, "--interval", "1h", "--no-agendash"], goodEnv);
    let url = "";
    await waitFor(
      "serve's listening line",
      () => {
        url = (/"url":"(http:[^"]+)"/.exec(serve.stdout())?.[1] ?? "").replace(/\/$/, "");
        return url !== "" || serve.proc.exitCode !== null;
      },
      120_000,
    );
    out.goal(url !== "", `serve did not start: ${serve.stderr().slice(0, 300)}`);
    if (url) {
      const body = JSON.stringify({ ref: "refs/heads/main", after: "0".repeat(40) });
      const statuses: number[] = [];
      const sign = (secret: string) => `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
      for (const [i, sig] of [sign("wrong"), sign(WEBHOOK_SECRET), "sha256=00"].entries()) {
        const res = await fetch(`${url}/hooks/github`, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            "x-github-event": "push",
            "x-github-delivery": `chaos-7-${i}`,
            "x-hub-signature-256": sig,
          },
          body,
        });
        places.push([`webhook ${i} reply (${res.status})`, await res.text()]);
        statuses.push(res.status);
      }
      out.goal(
        statuses[0] === 401 && statuses[1] !== 401 && statuses[2] === 401,
        `webhook statuses ${statuses.join(",")}: expected 401, accepted, 401`,
      );
      for (const path of ["/", "/metrics"]) {
        const res = await fetch(`${url}${path}`);
        const text = await res.text();
        out.goal(res.ok && text.length > 0, `GET ${path} answered ${res.status}`);
        places.push([`GET ${path} (${res.status})`, text]);
      }
    }
    serve.proc.kill("SIGTERM");
    await serve.exited;
    places.push(["serve stdout (log lines)", serve.stdout()], ["serve stderr", serve.stderr()]);

    const badRuns = await badRunsDone;
    for (const { label, r } of badRuns) {
      places.push(
        [`${label} (failing store) stdout`, r.stdout],
        [`${label} (failing store) stderr`, r.stderr],
      );
      out.goal(r.code !== 0, `${label} against a store on port 1 exited 0`);
    }
    trace("failing-store runs done");

    // Every document in the scenario's database: history, jobs (with their failure reasons), records.
    for (const c of await t.db.listCollections().toArray()) {
      const docs = await t.db.collection(c.name).find({}).toArray();
      places.push([`collection ${c.name} (${docs.length} docs)`, JSON.stringify(docs)]);
    }

    let bytes = 0;
    const hits: Record<string, number> = { password: 0, token: 0, "webhook secret": 0 };
    const values: Record<string, string> = {
      password: PASSWORD,
      token: TOKEN,
      "webhook secret": WEBHOOK_SECRET,
    };
    for (const [label, text] of places) {
      bytes += Buffer.byteLength(text);
      for (const [k, v] of Object.entries(values)) {
        const n = text.split(v).length - 1;
        if (n === 0) continue;
        hits[k] = (hits[k] ?? 0) + n;
        const at = text.indexOf(v);
        out.goal(false, `${k} found ${n}× in ${label}: …${text.slice(Math.max(0, at - 120), at + 40)}…`);
      }
    }
    // The echo peer really got the token: otherwise the grep proves nothing about it.
    const peerSawToken = places.some(([, text]) => text.includes("boom"));
    out.figure("places checked", places.length);
    out.figure("bytes scanned", bytes);
    for (const [k, n] of Object.entries(hits)) out.figure(`occurrences of the ${k}`, n);
    out.figure("CLI runs against the failing store", badRuns.length + 1);
    out.figure("requests that carried the token to the echoing peer", peer.sawToken());
    out.figure("peer's echo reached schedsync's output", peerSawToken ? "yes" : "no");
    out.figure(
      "echoes with the token scrubbed (Bearer ***)",
      places.filter(([, t]) => t.includes("Bearer ***")).length,
    );
    // Without these the grep would prove nothing: the token must have been sent and echoed back.
    out.goal(peer.sawToken() > 0, "the peer never received the token");
    out.goal(peerSawToken, "the peer's echoed reply never reached schedsync's output");
  } finally {
    peer.server.close();
    await t.close();
    await repo.remove();
    await store.close();
  }
  return out.result();
}
