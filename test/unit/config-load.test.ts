import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadSchedules } from "../../src/config/load.js";

const FIXTURES = join(import.meta.dirname, "../fixtures/config");
const REPO = join(import.meta.dirname, "../..");
const MERCHANT =
  "apiVersion: schedsync/v1\nkind: Merchant\nmetadata: { id: acme }\nspec: { connection: { type: sandbox } }\n";

describe("loadSchedules: a valid tree", () => {
  it("builds the model with defaults applied", async () => {
    const result = await loadSchedules({ rootDir: FIXTURES, dir: "valid" });
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(result.model.documents).toBe(5);
    const [acme, globex] = result.model.merchants.sort((a, b) => a.id.localeCompare(b.id));
    expect(acme).toMatchObject({
      id: "acme",
      name: "Acme",
      timezone: "America/Chicago",
      suspended: true,
      cleanupRunsPerDay: 3,
      services: {
        orderDelivery: { kind: "automatic", windowMs: 5000, maxBatch: 500 },
        inventory: { kind: "cron", expr: "0 2 * * *" },
        shippingConfirmations: { kind: "cron", expr: "0 2 * * *" },
      },
      source: { file: "valid/team-a/acme.yaml", line: 2, column: 1 },
    });
    expect(acme?.carts).toHaveLength(1);
    expect(acme?.carts[0]).toMatchObject({
      id: "web",
      merchantId: "acme",
      suspended: true, // the merchant is suspended
      services: {
        orderDownload: { kind: "every", ms: 1_200_000, text: "20m" },
        shipmentUpload: { kind: "every", ms: 5_400_000, text: "1h30m" },
        inventoryUpload: { kind: "at", times: ["06:00", "18:00"] },
      },
    });
    expect(globex).toMatchObject({
      timezone: "Europe/London",
      suspended: false,
      services: {
        orderDelivery: { kind: "automatic", windowMs: 2000, maxBatch: 500 },
        shippingConfirmations: { kind: "every", ms: 900_000, text: "15m" },
        inventory: { kind: "every", ms: 900_000, text: "15m" },
      },
    });
    expect(globex?.carts[0]).toMatchObject({
      suspended: true,
      services: { orderDownload: { kind: "off" }, inventoryUpload: { kind: "automatic" } },
      connection: { type: "sandbox", seed: 1 },
    });
  });

  it("validates the example schedules/ of this repo", async () => {
    const result = await loadSchedules({ rootDir: REPO });
    if (!result.ok) throw new Error(JSON.stringify(result.errors, null, 1));
    expect(result.model.merchants.length).toBeGreaterThanOrEqual(3);
    const kinds = new Set(
      result.model.merchants.flatMap((m) => [
        ...Object.values(m.services).map((f) => f.kind),
        ...m.carts.flatMap((c) => Object.values(c.services).map((f) => f.kind)),
      ]),
    );
    expect([...kinds].sort()).toEqual(["at", "automatic", "cron", "every", "off"]);
  });
});

describe("loadSchedules: files from a commit (no disk)", () => {
  it("reads only YAML files under dir, and never the filesystem", async () => {
    const files = new Map<string, string | Buffer>([
      ["schedules/a.yaml", MERCHANT],
      ["schedules/notes.md", "# not read"],
      ["other/b.yaml", "not: [valid"],
    ]);
    const result = await loadSchedules({ rootDir: "/definitely/not/here", files });
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.model.merchants.map((m) => m.source.file)).toEqual(["schedules/a.yaml"]);
  });

  it("reports non-UTF-8, NUL bytes, oversized files and empty files", async () => {
    const files = new Map<string, string | Buffer>([
      ["schedules/a.yaml", MERCHANT],
      ["schedules/latin1.yaml", Buffer.from("name: caf\xe9\n", "latin1")],
      ["schedules/nul.yaml", "a: 1\nb: \0\n"],
      ["schedules/big.yaml", `# ${"x".repeat(2000)}\n`],
      ["schedules/empty.yaml", "# nothing here\n"],
    ]);
    const result = await loadSchedules({ rootDir: "/x", files, limits: { maxFileBytes: 1000 } });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toEqual([
      {
        file: "schedules/big.yaml",
        line: 1,
        column: 1,
        message: expect.stringMatching(/larger than the 1000-byte/),
      },
      {
        file: "schedules/latin1.yaml",
        line: 1,
        column: 1,
        message: expect.stringMatching(/not valid UTF-8/),
      },
      { file: "schedules/nul.yaml", line: 2, column: 4, message: expect.stringMatching(/NUL byte/) },
    ]);
    const ok = await loadSchedules({
      rootDir: "/x",
      files: new Map([
        ["schedules/a.yaml", MERCHANT],
        ["schedules/empty.yaml", "# nothing\n"],
      ]),
    });
    expect(ok.ok && ok.warnings).toEqual([
      { file: "schedules/empty.yaml", line: 1, column: 1, message: "file holds no YAML documents" },
    ]);
  });

  it("never pollutes prototypes", async () => {
    const files = new Map([
      [
        "schedules/a.yaml",
        `${MERCHANT}---\n__proto__: { polluted: true }\n---\nconstructor: { prototype: { x: 1 } }\n`,
      ],
    ]);
    const result = await loadSchedules({ rootDir: "/x", files });
    expect(result.ok).toBe(false);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });
});

describe("loadSchedules: symlinks on disk", () => {
  let root: string;
  let outside: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "schedsync-config-"));
    outside = await mkdtemp(join(tmpdir(), "schedsync-outside-"));
    await mkdir(join(root, "schedules/sub"), { recursive: true });
    await mkdir(join(root, "shared"));
    await writeFile(join(root, "schedules/sub/acme.yaml"), MERCHANT);
    await writeFile(join(root, "shared/globex.yaml"), MERCHANT.replace("acme", "globex"));
    await writeFile(join(outside, "evil.yaml"), MERCHANT.replace("acme", "evil"));
    await symlink(join(root, "shared/globex.yaml"), join(root, "schedules/globex.yaml"));
    await symlink(join(outside, "evil.yaml"), join(root, "schedules/evil.yaml"));
    await symlink(outside, join(root, "schedules/outdir"));
    await symlink(join(root, "schedules"), join(root, "schedules/sub/loop"));
  });
  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
    await rm(outside, { recursive: true, force: true });
  });

  it("follows links inside the repo and refuses links that leave it", async () => {
    const result = await loadSchedules({ rootDir: root });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toEqual([
      {
        file: "schedules/evil.yaml",
        line: 1,
        column: 1,
        message: "symlink points outside the repository; refused",
      },
      {
        file: "schedules/outdir",
        line: 1,
        column: 1,
        message: "symlink points outside the repository; refused",
      },
    ]);
    expect(result.documents).toBe(2);
  });
});
