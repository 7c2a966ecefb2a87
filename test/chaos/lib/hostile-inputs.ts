// Generators of hostile schedule files for scenario 5 (hostile-config). Each case is one in-memory
// tree for loadSchedules({ files }); every one of them must be refused with a located error.
import { rng } from "../../helpers/rng.js";

export interface HostileCase {
  kind: string;
  files: Map<string, string | Buffer>;
}

const MERCHANT = `apiVersion: schedsync/v1
kind: Merchant
metadata:
  id: acme
spec:
  timezone: America/Chicago
  services:
    orderDelivery: automatic
    shippingConfirmations: { every: 30m }
    inventory: { cron: "15 */2 * * *" }
  connection: { type: sandbox }
`;
const CART = `apiVersion: schedsync/v1
kind: Cart
metadata: { id: web, merchant: acme }
spec:
  connection: { type: sandbox }
  services:
    inventoryUpload: { at: ["06:00", "18:00"] }
`;
export const VALID = `${MERCHANT}---\n${CART}`;

const one = (kind: string, text: string | Buffer, path = "schedules/acme.yaml"): HostileCase => ({
  kind,
  files: new Map([[path, text]]),
});

/** The valid tree with one value replaced (line `at` of VALID keeps its key). */
function withValue(line: number, value: string): string {
  const lines = VALID.split("\n");
  const cur = lines[line] ?? "";
  const key = cur.includes(":") ? cur.slice(0, cur.indexOf(":")) : cur;
  lines[line] = `${key}: ${value}`;
  return lines.join("\n");
}

const VALUE_LINES = VALID.split("\n")
  .map((l, i) => ({ l, i }))
  .filter(({ l }) => /^\s*[A-Za-z]+:/.test(l))
  .map(({ i }) => i);

function billionLaughs(levels: number, fanout: number): string {
  const lines = ["a0: &a0 lol"];
  for (let i = 1; i <= levels; i++)
    lines.push(`a${i}: &a${i} [${Array.from({ length: fanout }, () => `*a${i - 1}`).join(", ")}]`);
  return `apiVersion: schedsync/v1\nkind: Merchant\nmetadata: { id: acme }\nspec:\n  bomb: { ${lines.join(", ")} }\n`;
}

function* laughs(): Generator<HostileCase> {
  for (let levels = 2; levels <= 12; levels++)
    for (const fanout of [3, 9, 10])
      yield one(
        "billion-laughs",
        billionLaughs(levels, fanout).replace(/\n {2}bomb: \{ (.*) \}\n$/, "\n  $1\n"),
      );
  // The classic top-level form, as separate keys.
  for (let levels = 3; levels <= 10; levels++) {
    const keys = ["lol0: &l0 lol"];
    for (let i = 1; i <= levels; i++)
      keys.push(
        `lol${i}: &l${i} [${Array(10)
          .fill(`*l${i - 1}`)
          .join(",")}]`,
      );
    yield one("billion-laughs", `${keys.join("\n")}\n`);
  }
}

function* nesting(): Generator<HostileCase> {
  for (const depth of [33, 100, 1_000, 10_000]) {
    yield one("deep-flow", `${"[".repeat(depth)}${"]".repeat(depth)}\n`);
    yield one("deep-flow", `${"{a: ".repeat(depth)}1${"}".repeat(depth)}\n`);
    yield one("deep-block", `${"- ".repeat(depth)}x\n`);
    yield one("deep-block", withValue(8, `\n${"- ".repeat(depth)}x`));
  }
  // Block maps: one more space a level (depth² / 2 bytes, so 2,000 levels stays ~2 MB and hits the size cap).
  for (const depth of [40, 500, 2_000]) {
    const lines: string[] = [];
    for (let i = 0; i < depth; i++) lines.push(`${" ".repeat(i)}k${i}:`);
    yield one("deep-block", `${lines.join("\n")} x\n`);
  }
}

function* huge(scale: "short" | "full"): Generator<HostileCase> {
  const mb = scale === "full" ? 50 : 5;
  const docs = Math.ceil((mb << 20) / VALID.length);
  const big = `${VALID}---\n`.repeat(docs);
  yield one("huge-file", big);
  yield one("huge-file", Buffer.from(big));
  yield one("huge-file", `# ${"x".repeat(mb << 20)}\n${VALID}`);
}

function* notUtf8(): Generator<HostileCase> {
  const bad = [
    [0xff],
    [0xfe, 0xff],
    [0xc3, 0x28],
    [0xe2, 0x28, 0xa1],
    [0xc0, 0xaf],
    [0xed, 0xa0, 0x80],
    [0xf8, 0x88],
  ];
  const base = Buffer.from(VALID);
  const r = rng(55);
  for (const b of bad)
    for (let k = 0; k < 12; k++) {
      const at = Math.floor(r() * base.length);
      yield one("non-utf8", Buffer.concat([base.subarray(0, at), Buffer.from(b), base.subarray(at)]));
    }
  yield one("non-utf8", Buffer.from(VALID, "utf16le"));
  yield one("non-utf8", Buffer.from(Buffer.from(VALID, "latin1").map((c) => (c === 0x61 ? 0xe4 : c))));
  yield one("nul-byte", `${VALID}\0`);
}

const TAGS = [
  "!!js/function 'function () { process.exit(1) }'",
  "!!js/undefined ''",
  "!!js/regexp /x/",
  "!!python/object/apply:os.system ['id']",
  "!custom x",
  "!<tag:example.com,2000:app/foo> x",
  "!!binary AAAA",
  "!!set { a, b }",
  "!!omap [ a: 1 ]",
  "!!timestamp 2001-12-14",
  "!!pairs [ a: 1 ]",
  "!!merge x",
];

function* tags(): Generator<HostileCase> {
  for (const tag of TAGS) for (const line of VALUE_LINES) yield one("custom-tag", withValue(line, tag));
}

const PROTO_KEYS = ["__proto__", '"__proto__"', "constructor", "prototype", "'constructor'"];

function* proto(): Generator<HostileCase> {
  const lines = VALID.split("\n");
  for (const key of PROTO_KEYS)
    for (const line of VALUE_LINES) {
      const indent = (lines[line] ?? "").match(/^\s*/)?.[0] ?? "";
      const copy = [...lines];
      copy.splice(line + 1, 0, `${indent}${key}: { polluted: true }`);
      yield one("proto-key", copy.join("\n"));
    }
  for (const key of PROTO_KEYS) {
    yield one("proto-key", withValue(8, `{ ${key}: { polluted: true } }`));
    yield one(
      "proto-key",
      `base: &b { ${key}: { polluted: true } }\n${MERCHANT.replace("spec:\n", "spec:\n  <<: *b\n")}`,
    );
  }
}

function* atLists(scale: "short" | "full"): Generator<HostileCase> {
  // 100,000 times is ~900 KB, just under the file cap: the full run keeps it (see docs/reliability.md).
  for (const n of scale === "full" ? [1_000, 10_000, 100_000] : [1_000, 10_000]) {
    const times = Array.from(
      { length: n },
      (_, i) => `"${String(Math.floor(i / 60) % 24).padStart(2, "0")}:${String(i % 60).padStart(2, "0")}"`,
    );
    yield one("huge-at", withValue(VALID.split("\n").length - 2, `{ at: [${times.join(", ")}] }`));
  }
}

const CRONS = [
  "61 * * * *",
  "* 24 * * *",
  "0 0 32 * *",
  "0 0 * 13 *",
  "0 0 * * 8",
  "* * * * * *",
  "0 0 0 * * *",
  "@reboot",
  "@yearly",
  "@every 5m",
  "",
  " ",
  "*",
  "* * * *",
  "* * * * * * *",
  "*/0 * * * *",
  "-1 * * * *",
  "1-99 * * * *",
  "a b c d e",
  "0 0 * * 1#9",
  "* * * * *\n* * * * *",
  "9999999999 * * * *",
];

function* crons(): Generator<HostileCase> {
  for (const cron of CRONS) yield one("cron-edge", withValue(9, `{ cron: ${JSON.stringify(cron)} }`));
}

function* duplicates(): Generator<HostileCase> {
  const lines = VALID.split("\n");
  for (const line of VALUE_LINES) {
    const copy = [...lines];
    copy.splice(line + 1, 0, lines[line] ?? "");
    yield one("duplicate-key", copy.join("\n"));
  }
  yield one("duplicate-key", withValue(8, "{ every: 30m, every: 31m }"));
}

const NUMBERS = [
  "99999999999999999999999999",
  "1e309",
  "-1e309",
  ".inf",
  "-.inf",
  ".nan",
  "0x7fffffffffffffffff",
  "1e-400",
  "-0",
];

function* numbers(): Generator<HostileCase> {
  for (const n of NUMBERS) {
    yield one("huge-number", withValue(8, `{ every: ${n} }`));
    yield one("huge-number", withValue(8, `{ every: "${n}m" }`));
    yield one("huge-number", VALID.replace("orderDelivery: automatic", `orderDelivery: { windowMs: ${n} }`));
  }
}

/** Random damage: a hostile snippet or character flips in random places, to pass 1,000 documents. */
function* mutations(count: number): Generator<HostileCase> {
  const r = rng(5005);
  const snippets = [...TAGS, "*nope", "&a [*a]", "{ __proto__: 1 }", "[[[[", "'open", "? [a]\n: b", "<<: 1"];
  for (let i = 0; i < count; i++) {
    const lines = VALID.split("\n");
    const at = Math.floor(r() * lines.length);
    const s = snippets[Math.floor(r() * snippets.length)] as string;
    if (i % 2) lines[at] = `${(lines[at] ?? "").split(":")[0]}: ${s}`;
    else lines.splice(at, 0, `${" ".repeat(Math.floor(r() * 4))}${s}`);
    yield one("mutation", lines.join("\n"));
  }
}

/** Every in-memory case, in a fixed order (the symlink cases need a disk: see the scenario). */
export function* hostileCases(scale: "short" | "full"): Generator<HostileCase> {
  yield* laughs();
  yield* nesting();
  yield* huge(scale);
  yield* notUtf8();
  yield* tags();
  yield* proto();
  yield* atLists(scale);
  yield* crons();
  yield* duplicates();
  yield* numbers();
  yield* mutations(500);
}
