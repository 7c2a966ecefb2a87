// The schemas drive VS Code completion: every field needs $id'd files, titles, descriptions, examples.
// Scalar examples go in `examples`; a map's go in `defaultSnippets` with a label, because
// yaml-language-server labels an example with String(value) ("[object Object]") and lists each
// such object again (its yamlCompletion.ts, getLabelForValue and collectDefaultSnippets).
import { describe, expect, it } from "vitest";
import { documentValidator, readSchemas, SCHEMA_BASE, schemaAjv } from "../../src/config/schema.js";

type Node = Record<string, unknown>;

/** Every subschema that describes a field or a definition (not $ref-only wrappers or if/then). */
function fields(node: Node, path: string, out: [string, Node][]): void {
  for (const [name, group] of [
    ["properties", node.properties],
    ["definitions", node.definitions],
  ] as const) {
    if (!group || typeof group !== "object") continue;
    for (const [key, child] of Object.entries(group as Record<string, Node>)) {
      const p = `${path}/${name}/${key}`;
      const refOnly = Object.keys(child).length === 1 && "$ref" in child;
      if (!refOnly) out.push([p, child]);
      fields(child, p, out);
    }
  }
  for (const k of ["items", "additionalProperties"] as const)
    if (node[k] && typeof node[k] === "object") fields(node[k] as Node, `${path}/${k}`, out);
}

describe("schemas/", () => {
  const schemas = readSchemas();

  it("each file has $id, title, description and examples", () => {
    expect([...schemas.keys()]).toContain("schedule.schema.json");
    for (const [name, s] of schemas) {
      expect(s.$id, name).toBe(`${SCHEMA_BASE}${name}`);
      expect(s.title, name).toBeTypeOf("string");
      expect(s.description, name).toBeTypeOf("string");
    }
  });

  it("every field has a title, a description and examples", () => {
    const missing: string[] = [];
    for (const [name, s] of schemas) {
      const out: [string, Node][] = [];
      fields(s, name, out);
      for (const [p, f] of out) {
        if (f.type === "string" && p.endsWith("additionalProperties")) continue;
        for (const k of ["title", "description", "examples"])
          if (!(k in f) && !(k === "examples" && "defaultSnippets" in f)) missing.push(`${p} ${k}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it("compiles in strict mode and accepts each schema's own examples", () => {
    const validate = documentValidator();
    for (const name of ["merchant.schema.json", "cart.schema.json", "defaults.schema.json"]) {
      for (const example of examplesOf(schemas.get(name) ?? {})) {
        expect(validate(example), `${name}: ${JSON.stringify(validate.errors)}`).toBe(true);
      }
    }
  });
});

interface Snippet {
  label?: unknown;
  body?: unknown;
}

/** A node's examples: its `examples` and its snippets' bodies. */
function examplesOf(node: Node): unknown[] {
  const snippets = (node.defaultSnippets as Snippet[] | undefined) ?? [];
  return [...((node.examples as unknown[] | undefined) ?? []), ...snippets.map((s) => s.body)];
}

const SCHEMA_MAPS = ["properties", "definitions", "patternProperties"];
const SCHEMA_LISTS = ["oneOf", "anyOf", "allOf"];
const SCHEMA_ONE = [
  "items",
  "additionalProperties",
  "propertyNames",
  "not",
  "if",
  "then",
  "else",
  "contains",
];

/** Every subschema of a file with its JSON pointer. */
function nodes(node: unknown, pointer: string, out: [string, Node][]): void {
  if (!node || typeof node !== "object" || Array.isArray(node)) return;
  const n = node as Node;
  out.push([pointer, n]);
  const at = (key: string) => `${pointer}/${key.replaceAll("~", "~0").replaceAll("/", "~1")}`;
  for (const k of SCHEMA_MAPS)
    for (const [key, child] of Object.entries((n[k] as Node | undefined) ?? {}))
      nodes(child, `${at(k)}${at(key).slice(pointer.length)}`, out);
  for (const k of SCHEMA_LISTS)
    ((n[k] as unknown[] | undefined) ?? []).forEach((child, i) => {
      nodes(child, `${at(k)}/${i}`, out);
    });
  for (const k of SCHEMA_ONE) nodes(n[k], at(k), out);
}

/** The label yaml-language-server gives a value (getLabelForValue in its yamlCompletion.ts). */
function labelFor(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return JSON.stringify(value);
  return String(value);
}

describe("schemas/ in the editor", () => {
  const schemas = readSchemas();
  const all: [string, string, Node][] = [];
  for (const [name, s] of schemas) {
    const out: [string, Node][] = [];
    nodes(s, "", out);
    for (const [p, n] of out) all.push([name, p, n]);
  }

  it("compile with every strict option, each node on its own", () => {
    const ajv = schemaAjv({ strictSchema: true, strictNumbers: true, strictTypes: true, strictTuples: true });
    const refused: string[] = [];
    for (const [name, p] of all) {
      try {
        ajv.getSchema(`${SCHEMA_BASE}${name}#${encodeURI(p)}`);
      } catch (e) {
        refused.push(`${name}#${p}: ${(e as Error).message}`);
      }
    }
    expect(refused).toEqual([]);
    expect(all.length).toBeGreaterThan(100);
  });

  it("every completion has a plain string label, and each example is listed once", () => {
    const problems: string[] = [];
    for (const [name, p, n] of all) {
      const where = `${name}#${p}`;
      const examples = (n.examples as unknown[] | undefined) ?? [];
      for (const e of examples)
        if (e !== null && typeof e === "object" && !Array.isArray(e))
          problems.push(`${where}: map in examples`);
      const shown = examples.map((e) => JSON.stringify(e));
      if (new Set(shown).size !== shown.length) problems.push(`${where}: repeated examples ${shown}`);
      const snippets = (n.defaultSnippets as Snippet[] | undefined) ?? [];
      for (const s of snippets) if (typeof s.label !== "string") problems.push(`${where}: snippet label`);
      // Values the editor also lists (enum, const) are merged with an equal example by it.
      const labels = [...examples.map(labelFor), ...snippets.map((s) => String(s.label))];
      const listed = [...labels, ...((n.enum as unknown[] | undefined) ?? []).map(labelFor)];
      if ("const" in n) listed.push(labelFor(n.const));
      for (const l of listed) if (l.includes("[object Object]")) problems.push(`${where}: label ${l}`);
      const bodies = snippets.map((s) => JSON.stringify(s.body));
      if (new Set(labels).size !== labels.length || new Set(bodies).size !== bodies.length)
        problems.push(`${where}: repeated completion ${labels}`);
    }
    expect(problems).toEqual([]);
  });

  it("each node's examples and snippet bodies are valid values of that node", () => {
    const ajv = schemaAjv();
    const invalid: string[] = [];
    let checked = 0;
    for (const [name, p, n] of all) {
      const values = examplesOf(n);
      if (values.length === 0) continue;
      const validate = ajv.getSchema(`${SCHEMA_BASE}${name}#${encodeURI(p)}`);
      for (const v of values) {
        checked++;
        if (!validate?.(v))
          invalid.push(`${name}#${p}: ${JSON.stringify(v)} ${JSON.stringify(validate?.errors)}`);
      }
    }
    expect(invalid).toEqual([]);
    expect(checked).toBeGreaterThan(100);
  });
});
