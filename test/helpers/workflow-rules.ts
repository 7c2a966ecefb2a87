// Static rules over a parsed GitHub workflow: a job that holds a secret must never run code from a
// pull request. GitHub's own guidance (Security hardening for GitHub Actions, "pwn requests"): under
// `pull_request` the workflow file itself comes from the PR; under `pull_request_target` it comes
// from the base branch, and PR commits may be fetched and read as data but never built or run.

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  "working-directory"?: string;
}
interface Job {
  if?: string;
  environment?: unknown;
  steps?: Step[];
}
interface Workflow {
  on?: unknown;
  jobs?: Record<string, Job>;
}

/** A secret other than the run's own GITHUB_TOKEN, or an environment (whose secrets the job gets). */
const SECRET = /\bsecrets\.(?!GITHUB_TOKEN\b)/;
/** A checkout ref naming the PR's commits. */
const PR_REF = /pull_request\.head\.|github\.head_ref|refs\/pull\//;

function events(on: unknown): string[] {
  if (typeof on === "string") return [on];
  if (Array.isArray(on)) return on.map(String);
  return on && typeof on === "object" ? Object.keys(on) : [];
}

/** True when the job's `if` admits only named events other than pull_request. */
function excludesPullRequest(cond: string | undefined): boolean {
  if (!cond || cond.includes("||")) return false;
  const named = [...cond.matchAll(/github\.event_name\s*==\s*'(\w+)'/g)].map((m) => m[1]);
  return named.length > 0 && !named.includes("pull_request");
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Problems found, one line each; [] when every secret-holding job reads PR commits only as data. */
export function prCodeWithSecrets(wf: Workflow): string[] {
  const problems: string[] = [];
  const onPullRequest = events(wf.on).includes("pull_request");
  for (const [name, job] of Object.entries(wf.jobs ?? {})) {
    if (job.environment === undefined && !SECRET.test(JSON.stringify(job))) continue;
    if (onPullRequest && !excludesPullRequest(job.if))
      problems.push(`${name}: holds a secret and runs on pull_request, where the workflow file is the PR's`);
    const prPaths: string[] = [];
    for (const step of job.steps ?? []) {
      const w = step.with ?? {};
      if (step.uses?.startsWith("actions/checkout@") && PR_REF.test(String(w.ref ?? ""))) {
        if (w["persist-credentials"] !== false)
          problems.push(`${name}: checks out the PR head without persist-credentials: false`);
        const path = String(w.path ?? "").replace(/^\.\/|\/$/g, "");
        if (!path || path === ".")
          problems.push(`${name}: checks out the PR head into the workspace the job's code runs from`);
        else prPaths.push(path);
        continue;
      }
      for (const p of prPaths) {
        const wd = String(step["working-directory"] ?? "").replace(/^\.\//, "");
        if (wd === p || wd.startsWith(`${p}/`))
          problems.push(`${name}: runs a step inside the PR's tree ${p}`);
        if (step.uses?.replace(/^\.\//, "").startsWith(`${p}/`))
          problems.push(`${name}: uses an action from the PR's tree ${p}`);
        // Reading the PR's commit from git is data: `--repo <p>` (schedsync reads git objects), `git -C <p>`.
        const rest = (step.run ?? "").replace(
          new RegExp(`(--repo\\s+|git\\s+-C\\s+)${escapeRegExp(p)}\\b`, "g"),
          "",
        );
        if (new RegExp(`(?<![\\w.-])${escapeRegExp(p)}(?![\\w-])`).test(rest))
          problems.push(`${name}: a run script touches the PR's tree ${p} other than as --repo or git -C`);
      }
    }
  }
  return problems;
}
