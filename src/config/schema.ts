// The JSON Schemas in schemas/ are the source of truth for structure; ajv is compiled once and its
// errors are rewritten into messages that say what to change.
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";
import { CART_SERVICES, MERCHANT_SERVICES } from "../schedule/model.js";
import { showPath } from "./errors.js";
import { ZONE_FIELDS } from "./frequency.js";
import { splitPointer } from "./positions.js";

export const SCHEMA_BASE = "https://schedsync.dev/schemas/v1/";
export const SCHEMAS_DIR = fileURLToPath(new URL("../../schemas/", import.meta.url));

/** A structural problem: path into the document, and whether to point at the key. */
export interface SchemaIssue {
  path: (string | number)[];
  key: boolean;
  message: string;
}

let compiled: ValidateFunction | undefined;

/** Every schema file by file name, parsed. */
export function readSchemas(): Map<string, Record<string, unknown>> {
  const out = new Map<string, Record<string, unknown>>();
  for (const name of readdirSync(SCHEMAS_DIR)
    .filter((n) => n.endsWith(".schema.json"))
    .sort())
    out.set(name, JSON.parse(readFileSync(`${SCHEMAS_DIR}/${name}`, "utf8")));
  return out;
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

/**
 * An Ajv with the formats, the editor keywords and every file of schemas/ added (compiled lazily).
 * `options` are Ajv's (the strict ones: strictTypes, strictTuples, …); strict and strictRequired
 * are always on.
 */
export function schemaAjv(options: ConstructorParameters<typeof Ajv>[0] = {}): Ajv {
  const ajv = new Ajv({ allErrors: true, ...options, strict: true, strictRequired: true });
  const addFormats = addFormatsModule as unknown as (a: Ajv) => Ajv;
  addFormats(ajv);
  for (const k of EDITOR_KEYWORDS) ajv.addKeyword(k);
  for (const schema of readSchemas().values()) ajv.addSchema(schema);
  return ajv;
}

export function documentValidator(): ValidateFunction {
  if (compiled) return compiled;
  // verbose: errors carry their schema, which the messages quote (allowed fields, descriptions).
  const ajv = schemaAjv({ verbose: true });
  const validate = ajv.getSchema(`${SCHEMA_BASE}schedule.schema.json`);
  if (!validate) throw new Error("schedule.schema.json is missing from schemas/");
  compiled = validate;
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
  if (last === "tokenEnv")
    return "is not an environment variable name: use A-Z, 0-9 and _ (e.g. ACME_WMS_TOKEN); never the token itself";
  return "does not have the expected form";
}

function article(type: string): string {
  const word =
    type === "integer" ? "a whole number" : type === "object" ? "a map" : type === "array" ? "a list" : type;
  return /^(a |an )/.test(word) ? word : `a ${word}`;
}
