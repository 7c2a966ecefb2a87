// The schemas are the source of truth; the TypeScript model must not drift from them.
import { describe, expect, it } from "vitest";
import { FREQUENCY_FORMS, type PolicySpec } from "../../src/config/policy.js";
import { readSchemas } from "../../src/config/schema.js";
import type { CartModel, MerchantModel } from "../../src/schedule/model.js";
import { AUTOMATIC_SERVICES, CART_SERVICES, MERCHANT_SERVICES } from "../../src/schedule/model.js";

type Schema = {
  properties?: Record<string, Schema & { $ref?: string }>;
  definitions?: Record<string, Schema>;
  $ref?: string;
};
const schemas = readSchemas() as Map<string, Schema>;
const get = (name: string): Schema => schemas.get(name) ?? {};
const keys = (s: Schema | undefined) => Object.keys(s?.properties ?? {}).sort();
const merchant = get("merchant.schema.json");
const cart = get("cart.schema.json");
const merchantServices = merchant.definitions?.services;
const cartServices = cart.definitions?.services;

// Schema field → model field; `satisfies` makes the compiler check the model side.
const MERCHANT_FIELDS = {
  "metadata.id": "id",
  "metadata.name": "name",
  "spec.timezone": "timezone",
  "spec.suspended": "suspended",
  "spec.cleanup": "cleanupRunsPerDay",
  "spec.services": "services",
  "spec.connection": "connection",
  "spec.blackout": "blackout",
} satisfies Record<string, keyof MerchantModel>;
const CART_FIELDS = {
  "metadata.id": "id",
  "metadata.merchant": "merchantId",
  "metadata.name": "name",
  "spec.suspended": "suspended",
  "spec.services": "services",
  "spec.connection": "connection",
  "spec.blackout": "blackout",
} satisfies Record<string, keyof CartModel>;
// Model fields that do not come from one schema field (`suspension` is spec.suspended's block;
// `suspended` its effective flag).
const MERCHANT_DERIVED: (keyof MerchantModel)[] = ["carts", "source", "suspension"];
const CART_DERIVED: (keyof CartModel)[] = ["source", "suspension"];

function schemaFields(s: Schema): string[] {
  return ["metadata", "spec"].flatMap((part) => keys(s.properties?.[part]).map((k) => `${part}.${k}`)).sort();
}

describe("schemas ↔ model.ts", () => {
  it("service names match", () => {
    expect(keys(merchantServices)).toEqual([...MERCHANT_SERVICES].sort());
    expect(keys(cartServices)).toEqual([...CART_SERVICES].sort());
    expect(keys(get("defaults.schema.json").properties?.spec?.properties?.services)).toEqual(
      [...MERCHANT_SERVICES, ...CART_SERVICES].sort(),
    );
  });

  it("automatic is offered exactly where the model allows it", () => {
    const automatic = [merchantServices, cartServices].flatMap((s) =>
      Object.entries(s?.properties ?? {})
        .filter(([, v]) => v.$ref?.endsWith("#/definitions/automaticFrequency"))
        .map(([k]) => k),
    );
    expect(automatic.sort()).toEqual([...AUTOMATIC_SERVICES].sort());
  });

  it("document fields match the model's fields", () => {
    expect(schemaFields(merchant)).toEqual(Object.keys(MERCHANT_FIELDS).sort());
    expect(schemaFields(cart)).toEqual(Object.keys(CART_FIELDS).sort());
    // Every model field is covered (the type-level half is the `satisfies` above).
    const merchantModel: Record<keyof MerchantModel, true> = {
      id: true,
      name: true,
      timezone: true,
      suspended: true,
      suspension: true,
      cleanupRunsPerDay: true,
      services: true,
      connection: true,
      blackout: true,
      carts: true,
      source: true,
    };
    const cartModel: Record<keyof CartModel, true> = {
      id: true,
      merchantId: true,
      name: true,
      suspended: true,
      suspension: true,
      services: true,
      connection: true,
      blackout: true,
      source: true,
    };
    expect([...Object.values(MERCHANT_FIELDS), ...MERCHANT_DERIVED].sort()).toEqual(
      Object.keys(merchantModel).sort(),
    );
    expect([...Object.values(CART_FIELDS), ...CART_DERIVED].sort()).toEqual(Object.keys(cartModel).sort());
  });

  it("the Policy spec matches PolicySpec and its forms", () => {
    const spec = get("policy.schema.json").properties?.spec as Schema & {
      properties: Record<string, Schema & { items?: { enum?: string[] } }>;
    };
    const policyKeys: Record<keyof PolicySpec, true> = {
      allowedForms: true,
      minInterval: true,
      maxAutomaticWindow: true,
      platformLimits: true,
    };
    expect(keys(spec)).toEqual(Object.keys(policyKeys).sort());
    const minKeys: Record<keyof NonNullable<PolicySpec["minInterval"]>, true> = {
      default: true,
      services: true,
      connectionTags: true,
    };
    expect(keys(spec.properties.minInterval)).toEqual(Object.keys(minKeys).sort());
    expect(spec.properties.allowedForms?.items?.enum).toEqual([...FREQUENCY_FORMS]);
  });
});
