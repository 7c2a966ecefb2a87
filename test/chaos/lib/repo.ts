// A big generated schedules repo with a second revision that updates, deletes and adds merchants.
import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { simpleGit } from "simple-git";
import { generateRepo, merchantYaml } from "../../../bench/lib/schedules-repo.js";

export const CARTS = 6;
/** Jobs per generated merchant: 3 merchant services + 3 per cart + 1 cleanup job. */
export const JOBS_PER_MERCHANT = 4 + 3 * CARTS;

export interface BigRepo {
  dir: string;
  /** Commits, oldest first. */
  revisions: string[];
  remove(): Promise<void>;
}

/** Another merchant's schedules under merchant id m<to>: a different frequency mix. */
function renamed(yaml: string, from: number, to: number): string {
  return yaml
    .replace(`{ id: m${from} }`, `{ id: m${to} }`)
    .replaceAll(`merchant: m${from} }`, `merchant: m${to} }`);
}

/** Revision 0: `merchants` merchants. Each later one reschedules every 3rd, drops every 10th, adds 5%. */
export async function bigRepo(
  merchants: number,
  extraRevisions: number,
  rand: () => number,
): Promise<BigRepo> {
  const dir = await generateRepo(merchants, CARTS);
  const git = simpleGit(dir);
  const revisions = [(await git.revparse(["HEAD"])).trim()];
  let next = merchants;
  for (let r = 1; r <= extraRevisions; r++) {
    const shift = Math.floor(rand() * 5) + 1;
    for (let i = 0; i < next; i++) {
      const file = join(dir, "schedules", `m${i}.yaml`);
      if ((i + r) % 10 === 0) await rm(file, { force: true });
      else if ((i + r) % 3 === 0)
        await writeFile(file, renamed(merchantYaml(i + shift, CARTS), i + shift, i));
    }
    const add = Math.ceil(merchants / 20);
    for (let k = 0; k < add; k++, next++)
      await writeFile(join(dir, "schedules", `m${next}.yaml`), merchantYaml(next, CARTS));
    await git.add(["-A"]);
    await git.commit(`revision ${r}`);
    revisions.push((await git.revparse(["HEAD"])).trim());
  }
  return { dir, revisions, remove: () => rm(dir, { recursive: true, force: true }) };
}
