// The CLI's views layer and its one-place helpers: render() picks text or JSON, every command's
// help reads at 80 columns, and the repo root / data dir come from the git root.
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Command } from "commander";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot, schedulesLocation, storeDataDir } from "../../src/cli/paths.js";
import { buildProgram } from "../../src/cli/program.js";
import { historyView } from "../../src/cli/views/history.js";
import { recordsView, truncationNote } from "../../src/cli/views/records.js";
import { renderText, type View } from "../../src/cli/views/view.js";
import { ignoreInGit } from "../../src/config/scaffold.js";

describe("render", () => {
  const view: View<{ n: number }> = { text: (r) => `n = ${r.n}`, json: (r) => ({ count: r.n }) };

  it("gives the text, or the JSON document indented by 2 (compact when the view says so)", () => {
    expect(renderText(view, { n: 3 })).toBe("n = 3");
    expect(renderText(view, { n: 3 }, { json: true })).toBe('{\n  "count": 3\n}');
    expect(renderText({ ...view, compactJson: true }, { n: 3 }, { json: true })).toBe('{"count":3}');
  });

  it("history and records say when there is nothing, and records when the limit cut it", () => {
    expect(renderText(historyView, [])).toBe("no applies recorded yet");
    expect(renderText(recordsView, { rows: [], total: 0, limit: 100 })).toBe("no records");
    expect(truncationNote({ rows: [], total: 0, limit: 100 })).toBeUndefined();
    const row = {
      _id: "r>orderDelivery:wms",
      recordId: "r",
      kind: "order" as const,
      service: "orderDelivery" as const,
      merchantId: "acme",
      cartId: null,
      state: "failed" as const,
      attempts: 2,
      createdAt: new Date(0),
      updatedAt: new Date(0),
    };
    expect(renderText(recordsView, { rows: [row], total: 7, limit: 1 })).toBe(
      "r  orderDelivery → wms  failed  attempts 2\nshowing 1 of 7 (use --limit)",
    );
    expect(
      JSON.parse(renderText(recordsView, { rows: [row], total: 7, limit: 1 }, { json: true })),
    ).toHaveLength(1);
  });
});

function allCommands(cmd: Command): Command[] {
  return [cmd, ...cmd.commands.flatMap(allCommands)];
}

describe("help", () => {
  it("wraps at 80 columns on a wide terminal too, and every command shows an npx example of itself", () => {
    for (const cmd of allCommands(buildProgram())) {
      let out = "";
      cmd.configureOutput({ writeOut: (s) => (out += s), getOutHelpWidth: () => 200 });
      cmd.outputHelp();
      const name = `schedsync --help ${cmd.name()}`;
      expect(
        out.split("\n").filter((l) => [...l].length > 80),
        name,
      ).toEqual([]);
      const path: string[] = [];
      for (let c: Command | null = cmd; c?.parent; c = c.parent) path.unshift(c.name());
      expect(out, name).toMatch(/\nExamples?\b/);
      expect(out, name).toContain(["$ npx schedsync", ...path].join(" "));
    }
  });

  it("every command's help fits 80 columns, and every read command has --json", () => {
    for (const cmd of allCommands(buildProgram())) {
      let out = "";
      cmd.configureOutput({ writeOut: (s) => (out += s), getOutHelpWidth: () => 80 });
      cmd.outputHelp();
      const long = out.split("\n").filter((l) => [...l].length > 80);
      expect(long, `schedsync ${cmd.name()} --help`).toEqual([]);
    }
    const program = buildProgram();
    const read = [
      "validate",
      "explain",
      "simulate",
      "plan",
      "apply",
      "status",
      "history",
      "records",
      "plan-comment",
      "run",
    ];
    for (const name of read) {
      const cmd = program.commands.find((c) => c.name() === name);
      expect(
        cmd?.options.some((o) => o.long === "--json"),
        name,
      ).toBe(true);
    }
    const store = program.commands.find((c) => c.name() === "store");
    expect(store?.commands.find((c) => c.name() === "status")?.options.some((o) => o.long === "--json")).toBe(
      true,
    );
  });
});

describe("repo root and data dir", () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "schedsync-paths-"));
    await mkdir(join(root, ".git"));
    await mkdir(join(root, "schedules", "merchants"), { recursive: true });
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it("resolve from the git root, never the current directory", async () => {
    const sub = join(root, "schedules", "merchants");
    expect(repoRoot(sub)).toBe(root);
    expect(storeDataDir({}, sub)).toBe(join(root, ".schedsync"));
    expect(storeDataDir({ SCHEDSYNC_DATA_DIR: "data" }, sub)).toBe(join(sub, "data"));
    expect(await schedulesLocation(undefined, sub)).toEqual({ rootDir: root, dir: "schedules" });
    await expect(schedulesLocation("nope", root)).rejects.toThrow("no such directory: nope");
    await expect(schedulesLocation("gone.yaml", root)).rejects.toThrow("no such file: gone.yaml");
  });

  it("ignoreInGit adds a line once, keeping what is there", async () => {
    expect(await ignoreInGit(root, ".schedsync/")).toBe(join(root, ".gitignore"));
    expect(await ignoreInGit(root, ".schedsync/")).toBeUndefined();
    await writeFile(join(root, ".gitignore"), "dist");
    await ignoreInGit(root, ".schedsync/");
    expect(await readFile(join(root, ".gitignore"), "utf8")).toBe("dist\n.schedsync/\n");
  });
});
