// Every command README.md and docs/*.md show runs as written: `npx schedsync <command>` (a bare
// `schedsync` is not on PATH after `npm ci`), naming a real command and only its options.
import { readdirSync, readFileSync } from "node:fs";
import type { Command } from "commander";
import { describe, expect, it } from "vitest";
import { buildProgram } from "../../src/cli/program.js";

const DOCS = [
  "README.md",
  ...readdirSync("docs")
    .filter((f) => f.endsWith(".md"))
    .map((f) => `docs/${f}`),
];

/** The command a token list names (`store install` is two deep) and the tokens after it. */
function resolve(program: Command, tokens: string[]): { cmd: Command; rest: string[] } {
  let cmd = program;
  let i = 0;
  for (; i < tokens.length; i++) {
    const sub = cmd.commands.find((c) => c.name() === tokens[i]);
    if (!sub) break;
    cmd = sub;
  }
  return { cmd, rest: tokens.slice(i) };
}

describe("commands in README.md and docs/", () => {
  const program = buildProgram();
  const uses: { where: string; line: string }[] = [];
  for (const file of DOCS) {
    readFileSync(file, "utf8")
      .split("\n")
      .forEach((text, i) => {
        for (const m of text.matchAll(/npx schedsync([^`|#\n]*)/g))
          uses.push({ where: `${file}:${i + 1}`, line: (m[1] ?? "").trim() });
      });
  }

  it("name a command and only options it has", () => {
    expect(uses.length).toBeGreaterThan(50);
    const wrong: string[] = [];
    for (const { where, line } of uses) {
      const tokens = line.split(/\s+/).filter(Boolean);
      const { cmd, rest } = resolve(program, tokens);
      if (cmd === program && !tokens[0]?.startsWith("--")) {
        wrong.push(`${where}: no command in "npx schedsync ${line}"`);
        continue;
      }
      const known = new Set(["--help", ...cmd.options.flatMap((o) => [o.long, o.short].filter(Boolean))]);
      for (const t of rest) {
        const flag = /^--?[a-z][a-z-]*/.exec(t)?.[0];
        if (flag && !known.has(flag)) wrong.push(`${where}: ${cmd.name()} has no ${flag}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it("never show a bare `schedsync <command>` outside headings", () => {
    const names = program.commands.map((c) => c.name()).join("|");
    const bare = new RegExp(`\`schedsync (${names})\\b`);
    const found: string[] = [];
    for (const file of DOCS)
      readFileSync(file, "utf8")
        .split("\n")
        .forEach((text, i) => {
          if (!text.startsWith("#") && bare.test(text)) found.push(`${file}:${i + 1}: ${text.trim()}`);
        });
    expect(found).toEqual([]);
  });
});
