import { execFileSync } from "node:child_process";
import { mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { isAncestor, readRevision, SourceError } from "../../src/reconcile/source.js";
import { type TempRepo, tempRepo } from "../helpers/git-repo.js";
import { waitFor } from "../helpers/wait-for.js";

describe("source: reading one commit's tree", () => {
  let repo: TempRepo;
  afterEach(async () => repo?.remove());

  it("reads the YAML under the schedules dir at the exact commit, not the work tree", async () => {
    repo = await tempRepo();
    const first = await repo.commit(
      { "schedules/a.yaml": "a: 1\n", "schedules/sub/b.yml": "b: 2\n", "README.md": "x" },
      "first",
    );
    await repo.commit({ "schedules/a.yaml": "a: 2\n" }, "second");
    await writeFile(join(repo.dir, "schedules", "a.yaml"), "uncommitted: true\n");

    const head = await readRevision({ repo: repo.dir });
    expect(head.sha).toMatch(/^[0-9a-f]{40}$/);
    expect(head.message).toBe("second");
    expect(head.author).toBe("Test Author <author@example.test>");
    expect(head.files.get("schedules/a.yaml")?.toString()).toBe("a: 2\n");
    expect([...head.files.keys()].sort()).toEqual(["schedules/a.yaml", "schedules/sub/b.yml"]);

    const old = await readRevision({ repo: repo.dir, ref: first });
    expect(old.sha).toBe(first);
    expect(old.files.get("schedules/a.yaml")?.toString()).toBe("a: 1\n");
    expect(await isAncestor(head.gitDir, first, head.sha)).toBe(true);
    expect(await isAncestor(head.gitDir, head.sha, first)).toBe(false);
  });

  it("clones a URL into the cache and reads from it", async () => {
    repo = await tempRepo();
    const sha = await repo.commit({ "schedules/m.yaml": "m: 1\n" });
    const cache = join(repo.dir, ".cache-test");
    const rev = await readRevision({ repo: `file://${repo.dir}`, env: { SCHEDSYNC_CACHE_DIR: cache } });
    expect(rev.sha).toBe(sha);
    const sha2 = await repo.commit({ "schedules/m.yaml": "m: 2\n" });
    const rev2 = await readRevision({
      repo: `file://${repo.dir}`,
      ref: "main",
      env: { SCHEDSYNC_CACHE_DIR: cache },
    });
    expect(rev2.sha).toBe(sha2);
  });

  it("gives up on a repository host that accepts the connection and never answers", async () => {
    // A real HTTP server on 127.0.0.1 that reads each request and never replies.
    const open = new Set<Socket>();
    const server = createServer(() => {});
    server.on("connection", (s) => {
      open.add(s);
      s.on("close", () => open.delete(s));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const { port } = server.address() as AddressInfo;
    const cache = await mkdtemp(join(tmpdir(), "schedsync-stall-"));
    try {
      const read = readRevision({
        repo: `http://127.0.0.1:${port}/repo.git`,
        env: { SCHEDSYNC_CACHE_DIR: cache, SCHEDSYNC_GIT_STALL_MS: "1000" },
      });
      await expect(read).rejects.toBeInstanceOf(SourceError);
      await expect(read).rejects.toThrow(`cannot fetch http://127.0.0.1:${port}/repo.git`);
    } finally {
      for (const s of open) s.destroy();
      await new Promise((r) => server.close(r));
      await rm(cache, { recursive: true, force: true });
    }
  });

  it("gives up on a host that trickles bytes, and leaves no git process behind", async () => {
    // Answers 200 and then one byte every 300 ms, forever: output that never amounts to progress.
    const timers = new Set<NodeJS.Timeout>();
    const server = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/x-git-upload-pack-advertisement" });
      timers.add(setInterval(() => res.write("0"), 300));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const { port } = server.address() as AddressInfo;
    const cache = await mkdtemp(join(tmpdir(), "schedsync-trickle-"));
    const gitsOfPort = () =>
      execFileSync("ps", ["-eo", "args"], { encoding: "utf8" })
        .split("\n")
        .filter((l) => l.includes("git") && l.includes(`127.0.0.1:${port}/`));
    try {
      const read = readRevision({
        repo: `http://127.0.0.1:${port}/repo.git`,
        env: { SCHEDSYNC_CACHE_DIR: cache, SCHEDSYNC_GIT_STALL_MS: "1000" },
      });
      await expect(read).rejects.toThrow(`cannot fetch http://127.0.0.1:${port}/repo.git`);
      await waitFor("no git process left for the host", () => gitsOfPort().length === 0, 60_000);
    } finally {
      for (const t of timers) clearInterval(t);
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await rm(cache, { recursive: true, force: true });
    }
  }, 120_000);

  it("refuses symlinks and reports unknown refs and non-repos clearly", async () => {
    repo = await tempRepo();
    await repo.commit({ "schedules/a.yaml": "a: 1\n" });
    await symlink("/etc/passwd", join(repo.dir, "schedules", "evil.yaml"));
    await repo.commit({});
    const rev = await readRevision({ repo: repo.dir });
    expect(rev.rejected).toEqual([{ path: "schedules/evil.yaml", reason: expect.stringMatching(/symlink/) }]);
    expect(rev.files.has("schedules/evil.yaml")).toBe(false);
    await expect(readRevision({ repo: repo.dir, ref: "nope" })).rejects.toThrow(/cannot resolve ref "nope"/);
    await expect(readRevision({ repo: join(repo.dir, "missing") })).rejects.toBeInstanceOf(SourceError);
  });

  it("does not read oversized files into memory", async () => {
    repo = await tempRepo();
    await repo.commit({ "schedules/big.yaml": "x".repeat(3000) });
    const rev = await readRevision({ repo: repo.dir, maxFileBytes: 1000 });
    expect(rev.files.get("schedules/big.yaml")?.length).toBe(1001);
  });
});
