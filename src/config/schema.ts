// The JSON Schemas in schemas/ are the source of truth for structure; ajv compiles them (or `npm run
// build` did, into standalone code) and its errors are rewritten into messages that say what to change.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";
import { CART_SERVICES, MERCHANT_SERVICES } from "../schedule/model.js";
import { showPath } from "./errors.js";
import { ZONE_FIELDS } from "./frequency.js";
import { splitPointer } from "./positions.js";

export const SCHEMA_BASE = "https://schedsync.dev/schemas/v1/";
export const SCHEMAS_DIR = fileURLToPath(new URL("../../schemas/", import.meta.url));
/** The standalone validator `npm run build` writes beside this module (writeStandaloneValidator). */
export const STANDALONE_FILE = fileURLToPath(new URL("./schedule-validator.cjs", import.meta.url));

/** A structural problem: path into the document, and whether to point at the key. */
export interface SchemaIssue {
  path: (string | number)[];
  key: boolean;
  message: string;
}

let compiled: ValidateFunction | undefined;
// For the standalone code (CommonJS) and the packages' versions.
const require = createRequire(import.meta.url);
// verbose: errors carry their schema, which the messages quote (allowed fields, descriptions).
const AJV_OPTIONS = { verbose: true } as const;

/** Every schema file's text by file name, sorted. */
function schemaTexts(): Map<string, string> {
  const out = new Map<string, string>();
  for (const name of readdirSync(SCHEMAS_DIR)
    .filter((n) => n.endsWith(".schema.json"))
    .sort())
    out.set(name, readFileSync(`${SCHEMAS_DIR}/${name}`, "utf8"));
  return out;
}

/** Every schema file by file name, parsed. */
export function readSchemas(): Map<string, Record<string, unknown>> {
  return new Map([...schemaTexts()].map(([name, text]) => [name, JSON.parse(text)]));
}

/**
 * What a compiled validator depends on: the schema files' names and bytes, ajv's and ajv-formats'
 * versions and the options (sha256, hex). Standalone code is used only when its fingerprint is this.
 */
export function validatorFingerprint(texts = schemaTexts()): string {
  const hash = createHash("sha256");
  for (const pkg of ["ajv", "ajv-formats"])
    hash.update(`${pkg}@${(require(`${pkg}/package.json`) as { version: string }).version}\0`);
  hash.update(`${JSON.stringify([AJV_OPTIONS, FIXED_OPTIONS, EDITOR_KEYWORDS])}\0`);
  for (const [name, text] of texts) hash.update(`${name}\0${text}\0`);
  return hash.digest("hex");
}

/**
 * The editor-only keywords the schemas carry for yaml-language-server's completion (its
 * `defaultSnippets` and `markdownDescription`, README of redhat-developer/yaml-language-server). They
 * do not validate; their meta-schemas make Ajv refuse a snippet without a plain string label.
 */
const EDITOR_KEYWORDS = [
  {
    keyword: "defaultSnippets",
    metaSchema: {
      type: "array",
      minItems: 1,
      items: {
        type: "object",
        additionalProperties: false,
        required: ["label", "body"],
        properties: {
          label: { type: "string", minLength: 1 },
          description: { type: "string" },
          markdownDescription: { type: "string" },
          body: {},
        },
      },
    },
  },
  { keyword: "markdownDescription", metaSchema: { type: "string" } },
];

const FIXED_OPTIONS = { strict: true, strictRequired: true } as const;

/**
 * An Ajv with the formats, the editor keywords and every file of schemas/ added (compiled lazily).
 * `options` are Ajv's (the strict ones: strictTypes, strictTuples, …; `code: { source: true }` for
 * standaloneCode); strict and strictRequired are always on.
 */
export function schemaAjv(options: ConstructorParameters<typeof Ajv>[0] = {}): Ajv {
  const ajv = new Ajv({ allErrors: true, ...options, ...FIXED_OPTIONS });
  const addFormats = addFormatsModule as unknown as (a: Ajv) => Ajv;
  addFormats(ajv);
  for (const k of EDITOR_KEYWORDS) ajv.addKeyword(k);
  for (const schema of readSchemas().values()) ajv.addSchema(schema);
  return ajv;
}

/** Writes the standalone validator (ajv's standaloneCode) with its fingerprint; run by `npm run build`. */
export function writeStandaloneValidator(): void {
  const ajv = schemaAjv({ ...AJV_OPTIONS, code: { source: true } });
  const validate = ajv.getSchema(`${SCHEMA_BASE}schedule.schema.json`);
  if (!validate) throw new Error("schedule.schema.json is missing from schemas/");
  const { default: standaloneCode } =
    require("ajv/dist/standalone") as typeof import("ajv/dist/standalone/index.js");
  const fingerprint = JSON.stringify(validatorFingerprint());
  writeFileSync(
    STANDALONE_FILE,
    `${standaloneCode(ajv, validate)}\nmodule.exports.fingerprint = ${fingerprint};\n`,
  );
}

/**
 * The validator of a schedule document: the standalone code built for exactly these schemas if
 * there is one, else compiled now (~0.1-0.3 s of start-up).
 */
export function documentValidator(): ValidateFunction {
  if (compiled) return compiled;
  compiled = standalone() ?? compileValidator();
  return compiled;
}

function standalone(): ValidateFunction | undefined {
  try {
    const mod = require(STANDALONE_FILE) as ValidateFunction & { fingerprint?: string };
    return mod.fingerprint === validatorFingerprint() ? mod : undefined;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "MODULE_NOT_FOUND") return undefined;
    throw err;
  }
}

/** The validator compiled by ajv now, whatever standalone code there is. */
export function compileValidator(): ValidateFunction {
  const validate = schemaAjv(AJV_OPTIONS).getSchema(`${SCHEMA_BASE}schedule.schema.json`);
  if (!validate) throw new Error("schedule.schema.json is missing from schemas/");
  return validate;
}

const ALL_SERVICES: readonly string[] = [...MERCHANT_SERVICES, ...CART_SERVICES];
// Errors on these keywords only summarise the nested errors that are reported anyway.
const SUMMARY = new Set(["if", "oneOf", "anyOf", "allOf", "not"]);

/**
 * Structural issues of one document; frequencies are left to parseFrequency. `written` gives a
 * scalar's source text, so numbers are shown as the file spells them (0755, not 755).
 */
export function schemaIssues(
  value: unknown,
  written?: (path: (string | number)[]) => string | undefined,
): SchemaIssue[] {
  const validate = documentValidator();
  if (validate(value)) return [];
  const issues: SchemaIssue[] = [];
  const seen = new Set<string>();
  const namesTold = new Set<string>();
  // A value that fits no alternative of a oneOf (`suspended: 1`) is told once, by the first type.
  const typed = new Set<string>();
  for (const e of validate.errors ?? []) {
    if (SUMMARY.has(e.keyword)) continue;
    if (e.keyword === "type") {
      if (typed.has(e.instancePath)) continue;
      typed.add(e.instancePath);
    }
    const path = splitPointer(e.instancePath, value);
    if (path[0] === "spec" && path[1] === "services" && ALL_SERVICES.includes(String(path[2]))) continue;
    // An error inside propertyNames (an unknown service, a bad tag) is told once, at the name.
    const name =
      e.keyword === "propertyNames" ? (e.params as { propertyName: string }).propertyName : e.propertyName;
    const named = `${e.instancePath}|${name ?? ""}`;
    if (e.keyword === "propertyNames" && namesTold.has(named)) continue;
    if (e.propertyName !== undefined && !SUMMARY.has(e.keyword)) namesTold.add(named);
    const issue =
      e.propertyName !== undefined ? describeName(e, path, e.propertyName) : describe(e, path, written);
    const id = `${issue.path.join("/")}|${issue.message}`;
    if (!seen.has(id)) issues.push(issue);
    seen.add(id);
  }
  return issues;
}

function describe(
  e: ErrorObject,
  path: (string | number)[],
  written?: (path: (string | number)[]) => string | undefined,
): SchemaIssue {
  const where = showPath(path);
  const schema = (e.parentSchema ?? {}) as { description?: string; properties?: Record<string, unknown> };
  const prefix = where ? `${where}: ` : "";
  const scalar = typeof e.data === "number" || typeof e.data === "boolean" || e.data === null;
  const shown = (scalar && written?.(path)) || JSON.stringify(e.data);
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case "additionalProperties": {
      const name = String(p.additionalProperty);
      const allowed = Object.keys(schema.properties ?? {});
      return { path: [...path, name], key: true, message: unknownField(path, name, allowed) };
    }
    case "required":
      // A missing field is pointed at its parent's key ("metadata:"), the line to add it under.
      return {
        path,
        key: path.length > 0,
        message: `${where || "document"}: missing required field "${String(p.missingProperty)}"`,
      };
    case "propertyNames": {
      const name = String(p.propertyName);
      const why = /^(token|password|secret|apiKey)$/.test(name)
        ? "secrets are never written in schedules; put it in an environment variable and name that in tokenEnv"
        : "this field name is reserved";
      return { path: [...path, name], key: true, message: `${prefix}field "${name}" is not allowed: ${why}` };
    }
    case "const":
      return { path, key: false, message: `${prefix}${shown} must be ${JSON.stringify(p.allowedValue)}` };
    case "enum":
      return {
        path,
        key: false,
        message: `${prefix}${shown} must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")}`,
      };
    case "type":
      return {
        path,
        key: false,
        message: `${prefix}${shown} must be ${article(String(p.type))}${p.type === "boolean" ? " (true or false)" : ""}${p.type === "string" && scalar ? `; quote it: "${shown}"` : ""}`,
      };
    case "format":
      return {
        path,
        key: false,
        message: `${prefix}${shown} is not a valid ${String(p.format).toUpperCase()}`,
      };
    case "minimum":
    case "maximum":
      return {
        path,
        key: false,
        message: `${prefix}${shown} is out of range; the ${e.keyword} is ${String(p.limit)}`,
      };
    case "pattern":
      return { path, key: false, message: `${prefix}${shown} ${patternHint(path, String(p.pattern))}` };
    default:
      return {
        path,
        key: false,
        message: `${prefix}${shown === undefined ? "value" : shown} is not valid: ${schema.description ?? e.message}`,
      };
  }
}

/** A field name refused by a propertyNames rule: unknown (enum) or malformed (pattern). */
function describeName(e: ErrorObject, path: (string | number)[], name: string): SchemaIssue {
  const at = [...path, name];
  if (e.keyword === "enum")
    return {
      path: at,
      key: true,
      message: unknownField(path, name, (e.params as { allowedValues: string[] }).allowedValues),
    };
  return {
    path: at,
    key: true,
    message: `${showPath(path)}: "${name}" ${patternHint(["id"], "")}`,
  };
}

function unknownField(path: (string | number)[], name: string, allowed: string[]): string {
  const where = showPath(path);
  let msg = `unknown field "${name}"${where ? ` in ${where}` : ""}; allowed: ${allowed.join(", ")}`;
  if (name === "<<")
    msg +=
      " (YAML merge keys are not supported: write the fields out, or put shared values in the Defaults document)";
  if (ZONE_FIELDS.test(name) && !allowed.includes(name))
    msg += " (a cart runs in its merchant's timezone: set spec.timezone in the Merchant document)";
  if (path.join("/") === "spec/services") {
    if ((CART_SERVICES as readonly string[]).includes(name) && !allowed.includes(name))
      msg += ` (${name} is a cart service: put it in a Cart document)`;
    else if ((MERCHANT_SERVICES as readonly string[]).includes(name) && !allowed.includes(name))
      msg += ` (${name} is a merchant service: put it in the Merchant document)`;
  }
  return msg;
}

function patternHint(path: (string | number)[], pattern: string): string {
  const last = path[path.length - 1];
  if (pattern.includes("[0-9]+d)?"))
    return "is not a duration; use d, h, m, s (largest first), e.g. 30s, 5m, 1h30m, 1d";
  if (last === "id" || last === "merchant")
    return "is not a valid id: use lowercase letters, digits and dashes (1-63 characters, starting and ending with a letter or digit), e.g. acme or shopify-us";
  if (path.at(-3) === "blackout" && (last === "from" || last === "to"))
    return 'is not a time of day; write "HH:MM" (00:00..23:59), quoted, e.g. "23:00"';
  if (path.at(-3) === "blackout" && (last === "start" || last === "end"))
    return "is not a date-time; write 2026-11-27T00:00 (the merchant's local time), 2026-11-27, or with an offset: 2026-11-27T00:00Z";
  if (last === "tokenEnv")
    return "is not an environment variable name: use A-Z, 0-9 and _ (e.g. ACME_WMS_TOKEN); never the token itself";
  return "does not have the expected form";
}

function article(type: string): string {
  const word =
    type === "integer" ? "a whole number" : type === "object" ? "a map" : type === "array" ? "a list" : type;
  return /^(a |an )/.test(word) ? word : `a ${word}`;
}
