// The GitHub workflows parse, every `schedsync <command> --flag` they run exists in the CLI, no job
// that holds a secret runs code from a pull request, and every apply guard has an approval path.
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { buildProgram } from "../../src/cli/program.js";
import { GUARDS, type GuardName } from "../../src/reconcile/guards.js";
import { prCodeWithSecrets } from "../helpers/workflow-rules.js";

interface Step {
  run?: string;
  uses?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Workflow {
  on: Record<string, unknown>;
  concurrency?: { group: string; "cancel-in-progress": boolean };
  jobs: Record<string, { steps: Step[]; env?: Record<string, string>; if?: string }>;
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

/** Apply flags a script collects into an array for a later `schedsync apply … "${allow[@]}"`. */
function collectedFlags(script: string): string[] {
  return [...script.matchAll(/\w+\+=\((--[a-z][\w-]*)\)/g)].map((m) => m[1] as string);
}

function checkCalls(wf: Workflow): string[] {
  const program = buildProgram();
  const problems: string[] = [];
  const calls = steps(wf).flatMap((s) => {
    if (!s.run) return [];
    const found = invocations(s.run);
    const extra = collectedFlags(s.run);
    return found.map((c) => (c.command === "apply" ? { ...c, flags: [...c.flags, ...extra] } : c));
  });
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

describe("no job that holds a secret runs code from a pull request", () => {
  for (const name of ["validate.yml", "reconcile.yml", "ci.yml"]) {
    it(name, () => {
      expect(prCodeWithSecrets(load(name))).toEqual([]);
    });
  }

  it("validate.yml plans in a pull_request_target job of the production environment", () => {
    const wf = load("validate.yml") as Workflow & {
      jobs: Record<string, { environment?: string; if?: string }>;
    };
    const plan = wf.jobs.plan;
    expect(plan?.environment).toBe("production");
    expect(plan?.if).toContain("github.event_name == 'pull_request_target'");
    expect(wf.jobs.validate?.if).toBe("github.event_name == 'pull_request'");
    expect(JSON.stringify(wf.jobs.validate)).not.toContain("secrets.");
  });

  // The rules catch what they are for: each of these must be reported.
  const TARGET = `
on: { pull_request_target: {} }
jobs:
  plan:
    if: github.event_name == 'pull_request_target'
`;
  const bad: Record<string, string> = {
    "the old validate.yml: a pull_request job with the secret runs npm ci on the PR head": `
on: { pull_request: {} }
jobs:
  validate:
    env: { MONGODB_URI: "\${{ secrets.MONGODB_URI }}" }
    steps:
      - uses: actions/checkout@v4
        with: { ref: "\${{ github.event.pull_request.head.sha }}" }
      - run: npm ci
      - run: npx schedsync plan --json`,
    "pull_request_target checking out the PR head into the workspace": `${TARGET}    environment: production
    steps:
      - uses: actions/checkout@v4
        with: { ref: "\${{ github.event.pull_request.head.sha }}", persist-credentials: false }
      - run: npm ci`,
    "running the PR's tree from its own path": `${TARGET}    environment: production
    steps:
      - uses: actions/checkout@v4
      - uses: actions/checkout@v4
        with: { ref: "\${{ github.event.pull_request.head.sha }}", path: pr, persist-credentials: false }
      - run: npm ci
        working-directory: pr
      - run: node pr/bin/schedsync.js plan
      - uses: ./pr/.github/actions/plan`,
    "keeping the token in the PR checkout": `${TARGET}    env: { MONGODB_URI: "\${{ secrets.MONGODB_URI }}" }
    steps:
      - uses: actions/checkout@v4
        with: { ref: "\${{ github.head_ref }}", path: pr }`,
  };
  for (const [what, text] of Object.entries(bad)) {
    it(`reports ${what}`, () => {
      expect(prCodeWithSecrets(parse(text))).not.toEqual([]);
    });
  }
});

describe("every apply guard has an approval path", () => {
  const wf = load("reconcile.yml");
  const job = wf.jobs.apply as Workflow["jobs"][string];
  const push = job.steps.find((s) => s.if === "github.event_name == 'push'");
  const manual = job.steps.find((s) => s.if === "github.event_name == 'workflow_dispatch'");
  const inputs = (wf.on.workflow_dispatch as { inputs: Record<string, { type: string }> }).inputs;

  for (const guard of Object.keys(GUARDS) as GuardName[]) {
    const { flag, trailer } = GUARDS[guard];
    it(`${guard}: a Schedsync-Allow trailer on push and an input of a manual run give ${flag}`, () => {
      expect(push?.run).toContain(`${trailer}) allow+=(${flag})`);
      expect(inputs[flag.slice(2)]?.type).toBe("boolean");
      const envName = Object.entries(manual?.env ?? {}).find(([, v]) =>
        v.includes(`inputs.${flag.slice(2)}`),
      );
      expect(envName, `no env for inputs.${flag.slice(2)}`).toBeDefined();
      expect(manual?.run).toContain(`if [ "$${envName?.[0]}" = true ]; then allow+=(${flag}); fi`);
    });
  }

  it("records who approved, and runs manual applies only on the default branch", () => {
    for (const s of [push, manual]) expect(s?.run).toContain('--approved-by "$GITHUB_ACTOR"');
    expect(job.if).toBe("github.ref == format('refs/heads/{0}', github.event.repository.default_branch)");
    expect(inputs.ref?.type).toBe("string");
    expect(manual?.run).toMatch(/git merge-base --is-ancestor "\$sha" "\$GITHUB_SHA"/);
  });

  it("says that a newer pending run replaces a pending one", () => {
    const text = readFileSync(".github/workflows/reconcile.yml", "utf8");
    expect(text).not.toMatch(/never cancelled/);
    expect(text).toMatch(/newer pending run replaces/);
  });
});
