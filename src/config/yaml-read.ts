// Bytes → YAML documents with positions, refusing what a schedule never needs: non-UTF-8, custom
// tags, duplicate keys, prototype-polluting keys, deep nesting and alias bombs.
import {
  type Document,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseAllDocuments,
} from "yaml";
import { type ConfigError, errorAt } from "./errors.js";
import type { Limits } from "./limits.js";
import { offsetOf, sourceOf } from "./positions.js";
import { anchorsOf, problemOffset, undefinedAliases, unquotedStar, yamlMessage } from "./yaml-errors.js";

export interface ParsedDoc {
  file: string;
  /** The document's place among its file's documents, 0-based. */
  index: number;
  lines: LineCounter;
  /** Offset of the document's contents. */
  start: number;
  /**
   * Offset of the node at a path (see positions.ts). The AST is not kept: with thousands of files
   * it dominates memory, and positions are only needed for the rare error, so the file's text is
   * parsed again on demand.
   */
  offsetOf(path: readonly (string | number)[], key?: boolean): number;
  /** The scalar at a path as the file spells it (a number keeps leading zeros), if there is one. */
  sourceAt(path: readonly (string | number)[]): string | undefined;
  /** The document as plain JS (null-prototype-safe: forbidden keys were rejected first). */
  value: unknown;
}

export interface ReadResult {
  docs: ParsedDoc[];
  errors: ConfigError[];
  /** Non-empty documents seen, including ones with errors. */
  count: number;
}

const CORE_TAGS = new Set(
  ["str", "int", "float", "bool", "null", "map", "seq"].map((t) => `tag:yaml.org,2002:${t}`),
);
const FORBIDDEN_KEYS = new Set(["__proto__", "constructor", "prototype"]);
const utf8 = new TextDecoder("utf-8", { fatal: true });

function at(file: string, line = 1, column = 1, message = ""): ConfigError {
  return { file, line, column, message };
}

/** Decodes and parses one file; documents with any error are left out of `docs`. */
export function readYamlFile(file: string, content: string | Buffer, limits: Limits): ReadResult {
  const size = typeof content === "string" ? Buffer.byteLength(content) : content.length;
  if (size > limits.maxFileBytes)
    return {
      docs: [],
      count: 0,
      errors: [
        at(
          file,
          1,
          1,
          `file is larger than the ${limits.maxFileBytes}-byte limit; split it into smaller files`,
        ),
      ],
    };
  let text: string;
  if (typeof content === "string") text = content;
  else {
    try {
      text = utf8.decode(content);
    } catch {
      return {
        docs: [],
        count: 0,
        errors: [at(file, 1, 1, "file is not valid UTF-8; save it as UTF-8 text")],
      };
    }
  }
  const nul = text.indexOf("\0");
  if (nul >= 0) {
    return {
      docs: [],
      count: 0,
      errors: [errorAt(file, linesUpTo(text, nul), nul, "file contains a NUL byte; is it a binary file?")],
    };
  }
  return parseText(file, text, limits);
}

/**
 * A ReadResult as a worker thread posts it (parallel-read.ts): plain data, structured-clone safe. The
 * position lookups are closures, so they are rebuilt on the receiving side from the file's content.
 */
export interface WireResult {
  docs: { index: number; start: number; value: unknown }[];
  errors: ConfigError[];
  count: number;
  /** The file's line starts (LineCounter.lineStarts), shared by its documents; empty without docs. */
  lineStarts: number[];
}

export function toWire(read: ReadResult): WireResult {
  const lines = read.docs[0]?.lines;
  return {
    docs: read.docs.map(({ index, start, value }) => ({ index, start, value })),
    errors: read.errors,
    count: read.count,
    lineStarts: lines ? lines.lineStarts : [],
  };
}

/** The ReadResult readYamlFile gave for `content` in the worker, with its lookups rebuilt here. */
export function fromWire(file: string, content: string | Buffer, wire: WireResult): ReadResult {
  const lines = new LineCounter();
  for (const start of wire.lineStarts) lines.addNewLine(start);
  const { locator, source } = lazyPositions(() =>
    typeof content === "string" ? content : utf8.decode(content),
  );
  return {
    errors: wire.errors,
    count: wire.count,
    docs: wire.docs.map(({ index, start, value }) => ({
      file,
      index,
      lines,
      start,
      offsetOf: locator(index),
      sourceAt: source(index),
      value,
    })),
  };
}

/** A self-referencing alias (`&a [*a]`) becomes a cycle in JS; nothing downstream expects one. */
function isCircular(value: unknown, ancestors: Set<unknown>): boolean {
  if (typeof value !== "object" || value === null) return false;
  if (ancestors.has(value)) return true;
  ancestors.add(value);
  for (const v of Object.values(value)) if (isCircular(v, ancestors)) return true;
  ancestors.delete(value);
  return false;
}

/** Line starts up to `end`, for errors found before the parser ran. */
function linesUpTo(text: string, end: number): LineCounter {
  const lines = new LineCounter();
  lines.addNewLine(0);
  for (let i = text.indexOf("\n"); i >= 0 && i < end; i = text.indexOf("\n", i + 1)) lines.addNewLine(i + 1);
  return lines;
}

/**
 * Offset of the first flow bracket nested deeper than `max`, found before parsing: the parser
 * recurses per level, so `[[[[…` must be refused up front to fail fast. Quotes and comments are skipped.
 */
export function tooDeepAt(text: string, max: number): number {
  let depth = 0;
  let quote = "";
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = "";
      else if (c === "\\" && quote === '"') i++;
    } else if (c === '"' || (c === "'" && /[\s[{,:]/.test(text[i - 1] ?? " "))) quote = c;
    else if (c === "#" && /\s/.test(text[i - 1] ?? "\n")) {
      const nl = text.indexOf("\n", i);
      i = nl < 0 ? text.length : nl;
    } else if (c === "[" || c === "{") {
      if (++depth > max) return i;
    } else if ((c === "]" || c === "}") && depth > 0) depth--;
  }
  return -1;
}

const PARSE_OPTIONS = {
  uniqueKeys: true,
  schema: "core",
  merge: false,
  prettyErrors: false,
  strict: true,
  stringKeys: false,
} as const;

function parseText(file: string, text: string, limits: Limits): ReadResult {
  const lines = new LineCounter();
  const deep = tooDeepAt(text, limits.maxDepth);
  if (deep >= 0) {
    return {
      docs: [],
      count: 0,
      errors: [
        errorAt(file, linesUpTo(text, deep), deep, `nesting is deeper than ${limits.maxDepth} levels`),
      ],
    };
  }
  const errors: ConfigError[] = [];
  const docs: ParsedDoc[] = [];
  let parsed: Document.Parsed[];
  try {
    const all = parseAllDocuments(text, { ...PARSE_OPTIONS, lineCounter: lines });
    parsed = Array.isArray(all) ? all : [];
  } catch (err) {
    // A parser stack overflow on absurd nesting is reported like any other limit.
    const why = err instanceof RangeError ? `nesting is deeper than ${limits.maxDepth} levels` : String(err);
    return { docs: [], count: 0, errors: [at(file, 1, 1, why)] };
  }
  let count = 0;
  const { locator, source } = lazyPositions(() => text);
  let anchors: Map<string, number>[] | undefined;
  const allAnchors = () => (anchors ??= parsed.map((d) => anchorsOf(d, text)));
  // An alias starts a node: after a line start, a space or a flow indicator. Without one, skip the walk.
  const aliases = /(^|[\s[{,])\*\S/.test(text);
  const lineOf = (offset: number) => lines.linePos(offset).line;
  for (const [index, doc] of parsed.entries()) {
    if (doc.contents !== null || doc.errors.length) count++;
    const before = errors.length;
    for (const p of docProblems(parsed, index, aliases ? allAnchors : undefined, text, lineOf))
      errors.push(errorAt(file, lines, p.offset, p.message));
    // checkNode adds what the parser let through (forbidden keys, deep nesting); one error per line.
    const reported = new Set(errors.slice(before).map((e) => e.line));
    const found: ConfigError[] = [];
    if (doc.contents !== null) checkNode(doc.contents, 1, file, lines, limits, found);
    errors.push(...found.filter((e) => !reported.has(e.line)));
    if (errors.length > before || doc.contents === null) continue;
    try {
      const value: unknown = doc.toJS({ maxAliasCount: limits.maxAliasCount });
      if (isCircular(value, new Set()))
        errors.push(
          errorAt(file, lines, doc.contents.range[0], "an alias refers to a node that contains it"),
        );
      else
        docs.push({
          file,
          index,
          lines,
          start: doc.contents.range[0],
          offsetOf: locator(index),
          sourceAt: source(index),
          value,
        });
    } catch (err) {
      // Undefined aliases were reported above; what is left here is the expansion limit.
      const why =
        err instanceof ReferenceError && /alias/i.test(err.message)
          ? `too many alias expansions (more than ${limits.maxAliasCount}); this looks like a "billion laughs" file`
          : `cannot read document: ${err instanceof Error ? err.message : String(err)}`;
      errors.push(errorAt(file, lines, doc.contents.range[0], why));
    }
  }
  return { docs, errors, count };
}

/**
 * Position lookups that parse the file's text again on first use (`textOf` is called then). Built apart from parseText so that the
 * closures kept in every ParsedDoc capture the text only: closures of one scope share its context,
 * and one that held the parsed documents would keep every file's AST alive (hundreds of MB and the
 * garbage collector's time with 10,000 files).
 */
export function lazyPositions(textOf: () => string) {
  let text: string | undefined;
  let reparsed: Document.Parsed[] | undefined;
  const reparse = (index: number) => {
    text ??= textOf();
    reparsed ??= parseAllDocuments(text, PARSE_OPTIONS) as Document.Parsed[];
    return reparsed[index];
  };
  return {
    locator: (index: number) => (path: readonly (string | number)[], key?: boolean) => {
      const doc = reparse(index);
      return doc ? offsetOf(doc, path, key) : 0;
    },
    source: (index: number) => (path: readonly (string | number)[]) => {
      const doc = reparse(index);
      return doc && text !== undefined ? sourceOf(doc, path, text) : undefined;
    },
  };
}

/**
 * A document's parser errors and undefined aliases, one per line: a syntax error often cascades
 * (an unquoted cron gives one per `*`), and only the first, most specific message helps.
 */
function docProblems(
  parsed: Document.Parsed[],
  index: number,
  anchors: (() => Map<string, number>[]) | undefined,
  text: string,
  lineOf: (offset: number) => number,
): { offset: number; message: string }[] {
  const doc = parsed[index];
  if (!doc) return [];
  const ranked: { offset: number; message: string; rank: number }[] = [];
  for (const e of [...doc.errors, ...doc.warnings]) {
    const star = unquotedStar(text, e.pos[0]);
    const offset = problemOffset(e, text);
    ranked.push(star ? { ...star, rank: 0 } : { offset, message: yamlMessage(e, text), rank: 1 });
  }
  for (const a of anchors ? undefinedAliases(parsed, index, anchors, lineOf) : []) {
    const star = unquotedStar(text, a.offset);
    ranked.push(star ? { ...star, rank: 0 } : { ...a, rank: 2 });
  }
  ranked.sort((a, b) => a.rank - b.rank || a.offset - b.offset);
  const seen = new Set<number>();
  return ranked
    .filter((p) => !seen.has(lineOf(p.offset)) && seen.add(lineOf(p.offset)))
    .sort((a, b) => a.offset - b.offset);
}

/** Walks the AST once (aliases are not followed): depth, tags and key checks. */
function checkNode(
  node: Node,
  depth: number,
  file: string,
  lines: LineCounter,
  limits: Limits,
  errors: ConfigError[],
): void {
  const start = node.range?.[0] ?? 0;
  if (node.tag && !CORE_TAGS.has(node.tag) && !isAlias(node)) {
    const tag = node.tag.replace("tag:yaml.org,2002:", "!!");
    errors.push(
      errorAt(file, lines, start, `tag ${tag} is not allowed; schedules use plain YAML values only`),
    );
    return;
  }
  if (isAlias(node) || isScalar(node)) return;
  if (depth > limits.maxDepth) {
    errors.push(errorAt(file, lines, start, `nesting is deeper than ${limits.maxDepth} levels`));
    return;
  }
  if (isSeq(node)) {
    for (const item of node.items) if (item) checkNode(item as Node, depth + 1, file, lines, limits, errors);
    return;
  }
  if (!isMap(node)) return;
  for (const pair of node.items) {
    if (!isPair(pair)) continue;
    const key = pair.key as Node | null;
    if (key && !isScalar(key)) {
      errors.push(errorAt(file, lines, key.range?.[0] ?? start, "map keys must be plain text"));
      continue;
    }
    if (key && FORBIDDEN_KEYS.has(String(key.value))) {
      errors.push(
        errorAt(file, lines, key.range?.[0] ?? start, `field name "${String(key.value)}" is not allowed`),
      );
      continue;
    }
    if (pair.value) checkNode(pair.value as Node, depth + 1, file, lines, limits, errors);
  }
}
