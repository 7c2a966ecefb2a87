// The schemas drive VS Code completion: every field needs $id'd files, titles, descriptions, examples.
import { describe, expect, it } from "vitest";
import { documentValidator, readSchemas, SCHEMA_BASE } from "../../src/config/schema.js";

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
        for (const k of ["title", "description", "examples"]) if (!(k in f)) missing.push(`${p} ${k}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it("compiles in strict mode and accepts each schema's own examples", () => {
    const validate = documentValidator();
    for (const name of ["merchant.schema.json", "cart.schema.json", "defaults.schema.json"]) {
      for (const example of (schemas.get(name)?.examples as unknown[]) ?? []) {
        expect(validate(example), `${name}: ${JSON.stringify(validate.errors)}`).toBe(true);
      }
    }
  });
});
