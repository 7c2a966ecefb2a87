// Runs a `run:` script of a real workflow file the way GitHub's runner does
// (`bash --noprofile --norc -eo pipefail <file>`), with `npx schedsync` launching this checkout's CLI.
import { execFile } from "node:child_process";
import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { type CliResult, cliArgs } from "./cli.js";

export interface WorkflowStep {
  name?: string;
  if?: string;
  run?: string;
  env?: Record<string, string>;
}

/** The steps of `job` in `.github/workflows/<file>` of this checkout. */
export async function workflowSteps(file: string, job: string): Promise<WorkflowStep[]> {
  const wf = parse(await readFile(join(".github", "workflows", file), "utf8")) as {
    jobs: Record<string, { steps: WorkflowStep[] }>;
  };
  const steps = wf.jobs[job]?.steps;
  if (!steps) throw new Error(`${file} has no job ${job}`);
  return steps;
}

export interface StepRunner {
  run(script: string, opts: { cwd: string; env: NodeJS.ProcessEnv }): Promise<CliResult>;
  remove(): Promise<void>;
}

function quote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export async function stepRunner(): Promise<StepRunner> {
  const dir = await mkdtemp(join(tmpdir(), "schedsync-steps-"));
  const launch = [process.execPath, ...cliArgs([])].map(quote).join(" ");
  // Only `npx schedsync …` is provided: a workflow step that calls anything else fails here too.
  await writeFile(
    join(dir, "npx"),
    `#!/bin/sh\n[ "$1" = schedsync ] || { echo "npx $1: not provided" >&2; exit 127; }\nshift\nexec ${launch} "$@"\n`,
  );
  await chmod(join(dir, "npx"), 0o755);
  let n = 0;
  return {
    async run(script, { cwd, env }) {
      const file = join(dir, `step-${++n}.sh`);
      await writeFile(file, script);
      return new Promise((resolve) => {
        execFile(
          "bash",
          ["--noprofile", "--norc", "-eo", "pipefail", file],
          { cwd, env: { ...process.env, CI: "true", ...env, PATH: `${dir}:${process.env.PATH}` } },
          (err, stdout, stderr) => {
            const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
            resolve({ code, stdout, stderr });
          },
        );
      });
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}
