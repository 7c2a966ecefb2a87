// The workflows' own scripts, run as GitHub runs them, on a real git repo against the real store:
// the PR plan job, approvals by trailer and by manual run, `git revert` and rollback.
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { type TestDb, testDb } from "../helpers/db.js";
import { type TempRepo, tempRepo } from "../helpers/git-repo.js";
import { type StepRunner, stepRunner, type WorkflowStep, workflowSteps } from "../helpers/workflow-step.js";

const exec = promisify(execFile);

function merchant(id: string): string {
  return `apiVersion: schedsync/v1
kind: Merchant
metadata: { id: ${id} }
spec:
  timezone: UTC
  services:
    orderDelivery: { every: 1h }
    shippingConfirmations: { every: 30m }
    inventory: off
`;
}

const FOUR = Object.fromEntries(["a", "b", "c", "d"].map((m) => [`schedules/${m}.yaml`, merchant(m)]));
const ONLY_A = { "schedules/b.yaml": null, "schedules/c.yaml": null, "schedules/d.yaml": null };

interface History {
  revision: string;
  outcome: string;
  guards?: { guard: string; allowed: boolean; applied?: string }[];
  approval?: { by: string; allow: string[] };
}

// Each test spawns the CLI a few times (through tsx): generous on a loaded 2-core machine.
describe("reconcile.yml and validate.yml scripts on a real repo and store", { timeout: 240_000 }, () => {
  let t: TestDb;
  let repo: TempRepo;
  let steps: StepRunner;
  let apply: { push: WorkflowStep; manual: WorkflowStep };
  let plan: WorkflowStep;
  const sha = { c1: "", pr: "", c2: "", c3: "", revert: "", head: "" };

  const merchants = async () =>
    (
      await t.db
        .collection("agendaJobs")
        .distinct("data.schedsync.spec.merchantId", { "data.schedsync.managed": true })
    )
      .map(String)
      .sort();
  const lastHistory = async () =>
    (await t.db
      .collection<History>("schedsync_history")
      .find()
      .sort({ startedAt: -1 })
      .limit(1)
      .next()) as History;
  const push = (commit: string, actor = "alice") =>
    steps.run(apply.push.run ?? "", {
      cwd: repo.dir,
      env: { MONGODB_URI: t.dbUri, GITHUB_SHA: commit, GITHUB_ACTOR: actor },
    });
  const manual = (inputs: { ref?: string; massDelete?: boolean; rollback?: boolean }) =>
    steps.run(apply.manual.run ?? "", {
      cwd: repo.dir,
      env: {
        MONGODB_URI: t.dbUri,
        GITHUB_SHA: sha.head,
        GITHUB_ACTOR: "bob",
        REF: inputs.ref ?? "",
        ALLOW_MASS_DELETE: String(!!inputs.massDelete),
        ALLOW_ROLLBACK: String(!!inputs.rollback),
      },
    });

  beforeAll(async () => {
    t = await testDb("gw");
    repo = await tempRepo();
    steps = await stepRunner();
    const reconcile = await workflowSteps("reconcile.yml", "apply");
    const find = (event: string) => reconcile.find((s) => s.if === `github.event_name == '${event}'`);
    apply = { push: find("push") as WorkflowStep, manual: find("workflow_dispatch") as WorkflowStep };
    plan = (await workflowSteps("validate.yml", "plan")).find((s) =>
      s.run?.includes("schedsync plan "),
    ) as WorkflowStep;
  });
  afterAll(async () => {
    await t.close();
    await repo.remove();
    await steps.remove();
  });

  it("a push applies the pushed commit", async () => {
    sha.c1 = await repo.commit(FOUR, "Four merchants");
    const r = await push(sha.c1);
    expect(r.code, r.stderr).toBe(0);
    expect(await merchants()).toEqual(["a", "b", "c", "d"]);
  });

  it("the PR plan job: base schedsync, the PR's schedules from git, guards and next runs in the comment", async () => {
    await repo.git.checkout(["-b", "remove-merchants"]);
    sha.pr = await repo.commit({ ...ONLY_A, "schedules/e.yaml": merchant("e") }, "Only a, and e");
    await repo.git.checkout(["main"]);
    const workspace = await mkdtemp(join(tmpdir(), "schedsync-workspace-"));
    try {
      // What the job's second checkout leaves: the PR's commits, remote branches as origin/*.
      await exec("git", ["clone", "--quiet", "--no-checkout", repo.dir, join(workspace, "pr-head")]);
      const r = await steps.run(plan.run ?? "", {
        cwd: workspace,
        env: {
          MONGODB_URI: t.dbUri,
          HEAD_SHA: sha.pr,
          BASE_REF: "main",
          GITHUB_SERVER_URL: "https://github.example",
          GITHUB_REPOSITORY: "acme/schedules",
          GITHUB_RUN_ID: "7",
        },
      });
      expect(r.code, r.stderr).toBe(0);
      const json = JSON.parse(await readFile(join(workspace, "plan.json"), "utf8"));
      expect(json.revision).toBe(sha.pr);
      expect(json.appliedRevision).toBe(sha.c1);
      expect(json.guards).toEqual([expect.objectContaining({ guard: "mass-delete", allowed: false })]);
      expect(Object.keys(json.nextRuns).sort()).toEqual(
        expect.arrayContaining(["e/orderDelivery", "e/shippingConfirmations"]),
      );
      const md = await readFile(join(workspace, "plan.md"), "utf8");
      expect(md).toContain(`against the applied revision \`${sha.c1.slice(0, 12)}\``);
      expect(md).toMatch(
        /\*\*mass-delete\*\*: deletes \d+ of \d+ managed jobs .*apply will refuse without approval/,
      );
      expect(md).toContain("Schedsync-Allow: mass-delete");
      expect(md).toContain("| `e/shippingConfirmations` |");
      expect(md).toContain("peak");
    } finally {
      await rm(workspace, { recursive: true, force: true });
    }
    expect(await merchants()).toEqual(["a", "b", "c", "d"]);
  });

  it("a guarded push is refused without a trailer, and applied with `Schedsync-Allow: mass-delete`", async () => {
    sha.c2 = await repo.commit(ONLY_A, "Only merchant a");
    const refused = await push(sha.c2);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/deletes \d+ of \d+ managed jobs.*--allow-mass-delete/s);
    expect(await merchants()).toEqual(["a", "b", "c", "d"]);
    expect(await lastHistory()).toMatchObject({
      outcome: "refused",
      guards: [{ guard: "mass-delete", allowed: false }],
    });

    // The merge (or squash) commit's message ends with the trailer.
    sha.c3 = await repo.commit({}, "Merge pull request #12: only merchant a\n\nSchedsync-Allow: mass-delete");
    const approved = await push(sha.c3, "alice");
    expect(approved.code, approved.stderr).toBe(0);
    expect(await merchants()).toEqual(["a"]);
    expect(await lastHistory()).toMatchObject({
      revision: sha.c3,
      outcome: "applied",
      guards: [{ guard: "mass-delete", allowed: true }],
      approval: { by: "alice", allow: ["mass-delete"] },
    });
  });

  it("a trailer that is not a guard, or not in the trailer block, approves nothing", async () => {
    const unknown = await repo.commit({}, "Tidy\n\nSchedsync-Allow: everything");
    const r = await push(unknown);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/unknown Schedsync-Allow value 'everything'/);
    // git's rules: only the last paragraph holds trailers, so this commit is not approved.
    const swap = await repo.commit(
      { "schedules/a.yaml": null, "schedules/z.yaml": merchant("z") },
      "Swap a for z\n\nSchedsync-Allow: mass-delete\n\nThe line above is not in the trailer block.",
    );
    const notApproved = await push(swap);
    expect(notApproved.code).toBe(1);
    expect(notApproved.stderr).toMatch(/--allow-mass-delete/);
    expect(await merchants()).toEqual(["a"]);
    await repo.git.reset(["--hard", "HEAD~2"]);
  });

  it("git revert makes a new commit, so a push applies it", async () => {
    await repo.git.raw(["revert", "--no-edit", sha.c2]);
    sha.revert = (await repo.git.revparse(["HEAD"])).trim();
    const r = await push(sha.revert);
    expect(r.code, r.stderr).toBe(0);
    expect(await merchants()).toEqual(["a", "b", "c", "d"]);
    sha.head = sha.revert;
  });

  it("a manual run of an older commit says why it skips and fails, unless allow-rollback", async () => {
    const skipped = await manual({ ref: sha.c3 });
    expect(skipped.code).toBe(1);
    expect(skipped.stdout).toMatch(/older than the applied .*skipped \(use --allow-rollback/);
    expect(await lastHistory()).toMatchObject({ outcome: "refused", guards: [{ guard: "rollback" }] });

    // Going back to c3 also deletes most jobs: both guards need approval.
    const half = await manual({ ref: sha.c3, rollback: true });
    expect(half.code).toBe(1);
    expect(half.stderr).toMatch(/--allow-mass-delete/);
    const r = await manual({ ref: sha.c3, rollback: true, massDelete: true });
    expect(r.code, r.stderr).toBe(0);
    expect(await merchants()).toEqual(["a"]);
    expect(await lastHistory()).toMatchObject({
      revision: sha.c3,
      outcome: "applied",
      guards: [
        { guard: "rollback", allowed: true, applied: sha.revert },
        { guard: "mass-delete", allowed: true },
      ],
      approval: { by: "bob", allow: ["mass-delete", "rollback"] },
    });
    const history = await runCli(["history", "--limit", "1"], { env: { MONGODB_URI: t.dbUri } });
    expect(history.stdout).toContain(`rollback from ${sha.revert.slice(0, 12)}`);
    expect(history.stdout).toContain("approved by bob: mass-delete, rollback");
  });

  it("a manual run refuses a commit that is not on the default branch", async () => {
    await repo.git.checkout(["remove-merchants"]);
    const side = (await repo.git.revparse(["HEAD"])).trim();
    await repo.git.checkout(["main"]);
    const r = await manual({ ref: side, massDelete: true });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/not a commit of the default branch/);
    expect(await merchants()).toEqual(["a"]);
  });
});
