// The GitHub workflows parse, and every `schedsync <command> --flag` they run exists in the CLI.
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { buildProgram } from "../../src/cli/program.js";

interface Step {
  run?: string;
  uses?: string;
  if?: string;
  with?: Record<string, unknown>;
}
interface Workflow {
  on: Record<string, unknown>;
  concurrency?: { group: string; "cancel-in-progress": boolean };
  jobs: Record<string, { steps: Step[]; env?: Record<string, string> }>;
}

function load(name: string): Workflow {
  return parse(readFileSync(`.github/workflows/${name}`, "utf8")) as Workflow;
}

/** `schedsync <cmd> [args]` invocations in a shell script, line continuations joined. */
function invocations(script: string): { command: string; flags: string[] }[] {
  const out: { command: string; flags: string[] }[] = [];
  for (const line of script.replace(/\\\n/g, " ").split("\n")) {
    for (const m of line.matchAll(/\bschedsync\s+([a-z][\w-]*)([^|;&>]*)/g)) {
      const flags = [...(m[2] ?? "").matchAll(/(?:^|\s)(--[a-z][\w-]*)/g)].map((f) => f[1] as string);
      out.push({ command: m[1] as string, flags });
    }
  }
  return out;
}

function steps(wf: Workflow): Step[] {
  return Object.values(wf.jobs).flatMap((j) => j.steps);
}

function findCommand(program: Command, name: string): Command | undefined {
  return program.commands.find((c) => c.name() === name || c.aliases().includes(name));
}

function checkCalls(wf: Workflow): string[] {
  const program = buildProgram();
  const problems: string[] = [];
  const calls = steps(wf).flatMap((s) => (s.run ? invocations(s.run) : []));
  expect(calls.length).toBeGreaterThan(0);
  for (const call of calls) {
    const cmd = findCommand(program, call.command);
    if (!cmd) {
      problems.push(`schedsync ${call.command}: no such command`);
      continue;
    }
    const longs = new Set(cmd.options.map((o) => o.long));
    for (const f of call.flags)
      if (!longs.has(f)) problems.push(`schedsync ${call.command} ${f}: no such option`);
  }
  return problems;
}

describe("invocations()", () => {
  it("finds commands and flags across continuations and pipes", () => {
    expect(invocations('npx schedsync plan --ref "$SHA" \\\n  --json > plan.json | tee x --not')).toEqual([
      { command: "plan", flags: ["--ref", "--json"] },
    ]);
  });
});

describe(".github/workflows/validate.yml", () => {
  const wf = load("validate.yml");

  it("runs on pull requests touching schedules or schemas", () => {
    const pr = wf.on.pull_request as { paths: string[] };
    expect(pr.paths).toEqual(expect.arrayContaining(["schedules/**", "schemas/**"]));
  });

  it("validates with GitHub annotations, plans only when MONGODB_URI exists, and posts one comment", () => {
    const all = steps(wf);
    const runs = all.map((s) => s.run ?? "").join("\n");
    expect(runs).toMatch(/schedsync validate --format github/);
    const plan = all.find((s) => s.run?.includes("schedsync plan "));
    expect(plan?.if).toBe("env.MONGODB_URI != ''");
    const post = all.find((s) => s.uses?.startsWith("actions/github-script@"));
    expect(post?.if).toBe("env.MONGODB_URI != ''");
    expect(String(post?.with?.script)).toContain("<!-- schedsync-plan -->");
    expect(String(post?.with?.script)).toContain("updateComment");
  });

  it("calls only commands and flags the CLI has", () => {
    expect(checkCalls(wf)).toEqual([]);
  });
});

describe(".github/workflows/reconcile.yml", () => {
  const wf = load("reconcile.yml");

  it("applies the pushed commit on the default branch, in order", () => {
    expect((wf.on.push as { branches: string[] }).branches).toEqual(["main"]);
    expect(wf.concurrency?.["cancel-in-progress"]).toBe(false);
    expect(wf.concurrency?.group).toBeTruthy();
    expect(steps(wf).some((s) => /schedsync apply --ref "\$GITHUB_SHA"/.test(s.run ?? ""))).toBe(true);
  });

  it("calls only commands and flags the CLI has", () => {
    expect(checkCalls(wf)).toEqual([]);
  });
});
