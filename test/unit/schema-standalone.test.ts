// The standalone validator `npm run build` writes (dist/config/schedule-validator.cjs) must report
// exactly what ajv compiling the schemas reports, and must not be used for other schemas. It only
// exists in dist/, so this test loads the built module (`npm run build`).
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";

const REPO = join(import.meta.dirname, "../..");
const SCHEMA_JS = join(REPO, "dist/config/schema.js");
const require = createRequire(import.meta.url);

type Validate = ((data: unknown) => boolean) & { errors?: unknown[] | null };
let schema: {
  STANDALONE_FILE: string;
  documentValidator: () => Validate;
  compileValidator: () => Validate;
  validatorFingerprint: (texts?: Map<string, string>) => string;
};

/** Every YAML document under a directory, as plain JS. */
function documents(dir: string): unknown[] {
  const out: unknown[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...documents(path));
    else if (/\.ya?ml$/.test(name))
      for (const doc of parseAllDocuments(readFileSync(path, "utf8"), { uniqueKeys: false })) {
        if (doc.errors.length) continue;
        try {
          out.push(doc.toJS({ maxAliasCount: 100 }));
        } catch {
          // an alias the loader refuses: not a document either validator sees
        }
      }
  }
  return out;
}

beforeAll(async () => {
  schema = await import(pathToFileURL(SCHEMA_JS).href);
  if (!existsSync(schema.STANDALONE_FILE)) throw new Error("run npm run build before this test");
});

describe("the build-time standalone validator", () => {
  it("is what documentValidator uses when the schemas are the ones it was built from", () => {
    expect(schema.documentValidator()).toBe(require(schema.STANDALONE_FILE));
  });

  it("reports the same errors as ajv compiling the schemas, on every fixture document", () => {
    const standalone = require(schema.STANDALONE_FILE) as Validate;
    const compiled = schema.compileValidator();
    const docs = [
      ...documents(join(REPO, "test/fixtures")),
      ...documents(join(REPO, "schedules")),
      { apiVersion: "schedsync/v1", kind: "Cart", metadata: { id: "Bad Id", merchant: 7 }, spec: [] },
      { apiVersion: "v0", kind: "Nope" },
      null,
    ];
    expect(docs.length).toBeGreaterThan(50);
    let invalid = 0;
    for (const doc of docs) {
      const ok = standalone(doc);
      expect(compiled(doc)).toBe(ok);
      if (!ok) invalid++;
      expect(JSON.stringify(standalone.errors)).toBe(JSON.stringify(compiled.errors));
    }
    expect(invalid).toBeGreaterThan(10);
  });

  it("is keyed by the schema files' bytes: any change means compiling instead", () => {
    const texts = new Map([["a.schema.json", '{"type":"object"}']]);
    const fingerprint = schema.validatorFingerprint(texts);
    expect(schema.validatorFingerprint(new Map(texts))).toBe(fingerprint);
    expect(schema.validatorFingerprint(new Map([["a.schema.json", '{"type":"object" }']]))).not.toBe(
      fingerprint,
    );
    expect(schema.validatorFingerprint(new Map([["b.schema.json", '{"type":"object"}']]))).not.toBe(
      fingerprint,
    );
    expect((require(schema.STANDALONE_FILE) as { fingerprint: string }).fingerprint).toBe(
      schema.validatorFingerprint(),
    );
  });
});
