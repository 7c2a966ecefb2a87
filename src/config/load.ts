// loadSchedules: files → YAML documents → schema and cross-document checks → ScheduleModel.
// Fails closed: any error, or no schedules at all, and there is no model.

import type { ScheduleModel } from "../schedule/model.js";
import { ModelBuilder } from "./build.js";
import { type ConfigError, sortErrors } from "./errors.js";
import { filesFromDisk, filesFromMap } from "./files.js";
import { DEFAULT_LIMITS, type Limits } from "./limits.js";
import { parseThreads, readYamlFiles } from "./parallel-read.js";
import type { ParsedDoc, ReadResult } from "./yaml-read.js";

export type { ConfigError } from "./errors.js";

export interface LoadOptions {
  /** The repo root; error file names are relative to it. */
  rootDir: string;
  /** The schedules directory (or one file) relative to rootDir; default "schedules". */
  dir?: string;
  /** Path (relative to rootDir) → content, e.g. from a git commit; when given the disk is not read. */
  files?: Map<string, string | Buffer>;
  limits?: Partial<Limits>;
  /** Threads to parse with (parallel-read.ts); default: by the files' total size and the cores. */
  threads?: number;
}

export type LoadResult =
  | { ok: true; model: ScheduleModel; warnings: ConfigError[] }
  | { ok: false; errors: ConfigError[]; documents: number };

export async function loadSchedules(opts: LoadOptions): Promise<LoadResult> {
  const limits: Limits = { ...DEFAULT_LIMITS, ...opts.limits };
  const dir = opts.dir ?? "schedules";
  const set = opts.files
    ? filesFromMap(opts.files, dir)
    : await filesFromDisk(opts.rootDir, dir, limits.maxFileBytes);
  const errors = [...set.errors];
  const warnings: ConfigError[] = [];
  const docs: ParsedDoc[] = [];
  let documents = 0;
  const reads = await readYamlFiles(set.files, limits, opts.threads ?? parseThreads(set.files));
  for (const [i, { file }] of set.files.entries()) {
    const read = reads[i] as ReadResult;
    documents += read.count;
    docs.push(...read.docs);
    errors.push(...read.errors);
    if (read.count === 0 && read.errors.length === 0)
      warnings.push({ file, line: 1, column: 1, message: "file holds no YAML documents" });
  }
  if (documents === 0 && errors.length === 0)
    errors.push({
      file: dir,
      line: 1,
      column: 1,
      message: `no schedules found: no *.yaml or *.yml documents under ${dir}`,
    });
  const builder = new ModelBuilder();
  builder.unreadable = documents - docs.length;
  const model = builder.build(docs);
  errors.push(...builder.errors);
  warnings.push(...builder.warnings);
  if (model && model.merchants.length === 0 && errors.length === 0)
    errors.push({
      file: dir,
      line: 1,
      column: 1,
      message: `no schedules found: no Merchant document under ${dir}`,
    });
  if (errors.length || !model) return { ok: false, errors: sortErrors(errors), documents };
  model.documents = documents;
  return { ok: true, model, warnings: sortErrors(warnings) };
}
