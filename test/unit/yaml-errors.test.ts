// Every error code of the yaml library maps to one message, at the offending line, saying what to do
// (the codes: node_modules/yaml/dist/errors.d.ts ErrorCode; the advice: src/config/yaml-errors.ts).

import { describe, expect, it } from "vitest";
import type { ErrorCode } from "yaml";
import { DEFAULT_LIMITS } from "../../src/config/limits.js";
import { YAML_ADVICE, yamlMessage } from "../../src/config/yaml-errors.js";
import { readYamlFile } from "../../src/config/yaml-read.js";

const HEAD = "apiVersion: schedsync/v1\nkind: Merchant\n";

/** code → [input after HEAD (before it for a directive), line of the error, what the message must say]. */
const CASES: Partial<Record<ErrorCode, [string, number, RegExp]>> = {
  ALIAS_PROPS: ["a: &x 1\nb: &y *x\n", 4, /cannot carry an anchor/],
  BAD_ALIAS: ["a: *x:\n", 3, /Alias ending in : is ambiguous; .*quote it/],
  BAD_DIRECTIVE: ["%FOO bar\n---\n", 1, /no % directives; delete the line/],
  BAD_DQ_ESCAPE: ['a: "\\q"\n', 3, /Invalid escape sequence.*write \\\\/],
  BAD_INDENT: ["a:\n  b: 1\n c: 2\n", 5, /same number of spaces/],
  BAD_PROP_ORDER: ["&x ? a\n: 1\n", 3, /after the indicator/],
  BAD_SCALAR_START: ["a: `x`\n", 3, /must be quoted/],
  BLOCK_AS_IMPLICIT_KEY: ["a: b: c\n", 3, /own indented lines/],
  BLOCK_IN_FLOW: ["a: { b: - c }\n", 3, /inside \[ \] or \{ \} write items inline/],
  DUPLICATE_KEY: ["a: 1\na: 2\n", 4, /duplicate key "a": each field may appear only once/],
  KEY_OVER_1024_CHARS: [`${"k".repeat(1030)}: 1\n`, 3, /at most 1024 characters/],
  MISSING_CHAR: ['a: "x\n', 3, /Missing closing "quote; add the missing character/],
  MULTILINE_IMPLICIT_KEY: ["a:\n  b\n  c: 1\n", 4, /one line and followed by/],
  MULTIPLE_ANCHORS: ["a: &x &y 1\n", 3, /only one &anchor/],
  MULTIPLE_TAGS: ["a: !!str !!str x\n", 3, /remove the tags/],
  RESOURCE_EXHAUSTION: [`a: ${"[".repeat(20)}\n`, 3, /deeper than/],
  TAB_AS_INDENT: ["a:\n\t- 1\n", 4, /replace the tabs/],
  TAG_RESOLVE_FAILED: ["a: !!int x\n", 3, /tag !!int is not allowed; .*remove the tag/],
  UNEXPECTED_TOKEN: ['a: "x" y\n', 3, /quote the whole value/],
  BAD_COLLECTION_TYPE: ["a: !!set [1]\n", 3, /tag !!set is not allowed/],
};
// Not reachable with the options schedsync parses with (parseAllDocuments, stringKeys off) or
// internal; their messages are checked directly.
const DIRECT: ErrorCode[] = ["IMPOSSIBLE", "MULTIPLE_DOCS", "NON_STRING_KEY"];

describe("yaml error codes → one message that says what to do", () => {
  it("every code has advice and a case", () => {
    const covered = [...Object.keys(CASES), ...DIRECT].sort();
    expect(covered).toEqual(Object.keys(YAML_ADVICE).sort());
  });

  for (const [code, [input, line, want]] of Object.entries(CASES)) {
    it(code, () => {
      const read = readYamlFile("x.yaml", input.startsWith("%") ? input + HEAD : HEAD + input, {
        ...DEFAULT_LIMITS,
        maxDepth: 8,
      });
      expect(read.errors.length).toBeGreaterThan(0);
      const shown = read.errors.map((e) => `${e.line}:${e.column} ${e.message}`).join("\n");
      expect(
        read.errors.some((e) => e.line === line && want.test(e.message)),
        shown,
      ).toBe(true);
      // One error per line: cascades are cut to the first, most specific message.
      const lines = read.errors.map((e) => e.line);
      expect(new Set(lines).size, shown).toBe(lines.length);
      for (const e of read.errors) expect(e.message).not.toMatch(/^YAML syntax error: [^;]*$/);
    });
  }

  for (const code of DIRECT)
    it(code, () => {
      const msg = yamlMessage({ code, message: "parser says\nmore", pos: [0, 1] }, "");
      expect(msg).toBe(`YAML syntax error: parser says; ${YAML_ADVICE[code]}`);
    });
});
