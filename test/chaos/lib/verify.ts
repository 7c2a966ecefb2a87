// Is the jobs collection exactly one revision? Compared with desiredJobs() of that revision.
import type { Db } from "mongodb";
import { actualFromDocument } from "../../../src/jobs/document.js";
import { jobsCollection } from "../../../src/jobs/repository.js";
import { desiredFromRevision } from "../../../src/reconcile/engine.js";
import { readApplied } from "../../../src/reconcile/history.js";
import { readRevision } from "../../../src/reconcile/source.js";

export interface Comparison {
  desired: number;
  documents: number;
  missing: number;
  leftovers: number;
  duplicates: number;
  wrongSpec: number;
  appliedRevision: string;
}

export async function compareWithRevision(db: Db, repo: string, sha: string): Promise<Comparison> {
  const desired = await desiredFromRevision(await readRevision({ repo, ref: sha }));
  const want = new Map(desired.map((j) => [j.key, j.specHash]));
  const docs = await jobsCollection(db).find({}).toArray();
  const seen = new Map<string, number>();
  let leftovers = 0;
  let wrongSpec = 0;
  for (const doc of docs) {
    const actual = actualFromDocument(doc);
    if (!actual) {
      leftovers++;
      continue;
    }
    seen.set(actual.key, (seen.get(actual.key) ?? 0) + 1);
    const hash = want.get(actual.key);
    if (hash === undefined) leftovers++;
    else if (hash !== actual.storedHash) wrongSpec++;
  }
  let duplicates = 0;
  for (const n of seen.values()) if (n > 1) duplicates += n - 1;
  const missing = [...want.keys()].filter((k) => !seen.has(k)).length;
  const applied = await readApplied(db);
  return {
    desired: desired.length,
    documents: docs.length,
    missing,
    leftovers,
    duplicates,
    wrongSpec,
    appliedRevision: applied?.revision ?? "",
  };
}

/** Failure lines for a comparison that is not exact. */
export function comparisonFailures(c: Comparison, sha: string): string[] {
  const f: string[] = [];
  if (c.missing) f.push(`${c.missing} desired jobs missing`);
  if (c.leftovers) f.push(`${c.leftovers} leftover jobs not in the revision`);
  if (c.duplicates) f.push(`${c.duplicates} duplicate jobs`);
  if (c.wrongSpec) f.push(`${c.wrongSpec} jobs with another revision's spec`);
  if (c.documents !== c.desired) f.push(`${c.documents} documents for ${c.desired} desired jobs`);
  if (c.appliedRevision !== sha)
    f.push(`applied revision is ${c.appliedRevision || "(none)"}, expected ${sha}`);
  return f;
}
