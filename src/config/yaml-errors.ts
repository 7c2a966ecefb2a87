// Every error the yaml library can raise, as one message at the offending node that says what to do.
// Codes: node_modules/yaml/dist/errors.d.ts (ErrorCode); test/unit/yaml-errors.test.ts covers each.
import { type Document, type ErrorCode, isAlias, isNode, type Node, visit } from "yaml";

/** What to do about each error code, after the parser's own first line. */
export const YAML_ADVICE: Record<ErrorCode, string> = {
  ALIAS_PROPS: "an alias (*name) cannot carry an anchor (&) or tag (!); remove them",
  BAD_ALIAS: 'a value starting with * is an alias to an anchor; if it is text, quote it ("*…")',
  BAD_DIRECTIVE: "schedules need no % directives; delete the line",
  BAD_DQ_ESCAPE: "inside \"double quotes\" a \\ starts an escape; write \\\\ or use 'single quotes'",
  BAD_INDENT: "indent each level with the same number of spaces as its siblings",
  BAD_PROP_ORDER: "put the anchor (&) or tag (!) after the indicator, not before it",
  BAD_SCALAR_START: "a value starting with this character must be quoted",
  BLOCK_AS_IMPLICIT_KEY: "put a nested map on its own indented lines, or write it in braces { a: b }",
  BLOCK_IN_FLOW: "inside [ ] or { } write items inline; block lists (- ) and | or > text are not allowed",
  DUPLICATE_KEY: "each field may appear only once in a map",
  IMPOSSIBLE: "the YAML parser reached a state it does not expect; simplify this line",
  KEY_OVER_1024_CHARS: "a field name must fit on one line of at most 1024 characters",
  MISSING_CHAR: "add the missing character (closing quote, bracket, comma or `: `)",
  MULTILINE_IMPLICIT_KEY: "a field name must be on one line and followed by `: `",
  MULTIPLE_ANCHORS: "a node can have only one &anchor; remove the others",
  MULTIPLE_DOCS: 'separate documents with a line "---"',
  MULTIPLE_TAGS: "schedules use plain values; remove the tags",
  NON_STRING_KEY: "field names are plain text; write the key without [ ] or { }",
  RESOURCE_EXHAUSTION: "nesting is too deep; schedules need a few levels only",
  TAB_AS_INDENT: "YAML indents with spaces; replace the tabs",
  TAG_RESOLVE_FAILED: "schedules use plain YAML values only; remove the tag and, if needed, quote the value",
  UNEXPECTED_TOKEN: "one value per field: quote the whole value if it contains spaces or special characters",
  BAD_COLLECTION_TYPE: "schedules use plain YAML values only; remove the tag",
};

export interface YamlProblem {
  code: ErrorCode;
  message: string;
  pos: [number, number];
}

/** One message for one parser error: its first line and what to do about it. */
export function yamlMessage(e: YamlProblem, text: string): string {
  const first = e.message.split("\n")[0] ?? e.message;
  if (e.code === "DUPLICATE_KEY") {
    const key = text
      .slice(e.pos[0], e.pos[0] + 200)
      .split(/[:\n]/)[0]
      ?.trim();
    return `duplicate key${key ? ` "${key}"` : ""}: ${YAML_ADVICE.DUPLICATE_KEY}`;
  }
  if (e.code === "TAG_RESOLVE_FAILED" || e.code === "BAD_COLLECTION_TYPE") {
    const tag = /^!\S*/.exec(text.slice(e.pos[0]))?.[0];
    if (tag) return `tag ${tag} is not allowed; ${YAML_ADVICE[e.code]}`;
  }
  return `YAML syntax error: ${first}; ${YAML_ADVICE[e.code] ?? "check the YAML syntax of this line"}`;
}

/** Where to report a parser error: an unclosed quote at its opening quote, not at the file's end. */
export function problemOffset(e: YamlProblem, text: string): number {
  const quote = /^Missing closing (["'])quote/.exec(e.message)?.[1];
  if (!quote) return e.pos[0];
  const open = text.lastIndexOf(quote, e.pos[0] - 1);
  return open >= 0 ? open : e.pos[0];
}

/**
 * An unquoted value starting with `*` around `offset` (a cron like `*\/15 * * * *`, block or flow):
 * YAML reads it as an alias and raises one error per `*`. Returns the value's offset and one message.
 */
export function unquotedStar(text: string, offset: number): { offset: number; message: string } | undefined {
  const lineStart = text.lastIndexOf("\n", offset - 1) + 1;
  const nl = text.indexOf("\n", offset);
  const line = text.slice(lineStart, nl < 0 ? text.length : nl);
  const col = offset - lineStart;
  let found: { key: string | undefined; value: string; at: number } | undefined;
  for (const m of line.matchAll(/(?:^|[\s{[,])(?:([\w.-]+)\s*:\s+|-\s+)(\*[^}\]\n]*?)\s*(?=$|[}\]]|\s#)/g)) {
    const value = m[2] ?? "";
    const at = m.index + m[0].lastIndexOf(value);
    if (at <= col) found = { key: m[1], value, at };
  }
  if (!found || (found.key !== "cron" && !/\s/.test(found.value))) return undefined;
  const { key, value } = found;
  const what = key === "cron" || value.split(/\s+/).length === 5 ? "a cron" : "a text value";
  const named = key ? `${key}: ` : "";
  return {
    offset: lineStart + found.at,
    message: `${named}${value} is ${what} starting with *, which YAML reads as an alias; quote it: ${named}"${value}"`,
  };
}

/** An alias with no anchor before it in its own document (YAML resolves anchors top down, per document). */
export interface AliasProblem {
  offset: number;
  message: string;
}

/** Anchors of a document by name → offset of the first `&name` (`text` is the file's text). */
export function anchorsOf(doc: Document, text: string): Map<string, number> {
  const out = new Map<string, number>();
  visit(doc, {
    Node: (_k, node) => {
      if (isAlias(node) || !node.anchor || out.has(node.anchor)) return;
      const start = node.range?.[0] ?? 0;
      const at = text.lastIndexOf(`&${node.anchor}`, start);
      out.set(node.anchor, at >= 0 ? at : start);
    },
  });
  return out;
}

/**
 * Aliases of doc `index` whose anchor is not defined before them in the same document. `all` gives
 * every document's anchors (only called when there is a problem); `lineOf` turns an offset into a
 * line number for the message.
 */
export function undefinedAliases(
  docs: readonly Document[],
  index: number,
  all: () => readonly Map<string, number>[],
  lineOf: (offset: number) => number,
): AliasProblem[] {
  const doc = docs[index];
  if (!doc) return [];
  const seen = new Set<string>();
  const out: AliasProblem[] = [];
  visit(doc, {
    Node: (_k, node) => {
      if (!isNode(node)) return;
      const n = node as Node;
      if (isAlias(n)) {
        if (!seen.has(n.source))
          out.push({ offset: n.range?.[0] ?? 0, message: aliasMessage(n.source, index, all(), lineOf) });
      } else if (n.anchor) seen.add(n.anchor);
    },
  });
  return out;
}

function aliasMessage(
  name: string,
  index: number,
  all: readonly Map<string, number>[],
  lineOf: (offset: number) => number,
): string {
  const head = `alias *${name} has no anchor before it`;
  const later = all[index]?.get(name);
  if (later !== undefined)
    return `${head}: its anchor &${name} comes after it (line ${lineOf(later)}); YAML reads anchors top down, so put &${name} on the first use and *${name} on the later ones`;
  const other = all.findIndex((a) => a.has(name));
  if (other >= 0)
    return `${head}: &${name} is in another document (line ${lineOf(all[other]?.get(name) ?? 0)}); anchors do not reach across "---": repeat the values here, or put shared frequencies in the Defaults document`;
  return `${head}: no &${name} in this file; if *${name} is meant as text (e.g. a cron), quote it`;
}
