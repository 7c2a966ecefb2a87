import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { retentionOption } from "../../src/cli/option-types.js";

const parse = (...args: string[]) =>
  new Command().exitOverride().addOption(retentionOption()).parse(args, { from: "user" }).opts().retention;

describe("--retention", () => {
  it("takes the duration grammar, 0 (at once) and off (never); defaults to a day", () => {
    expect(parse()).toBe(86_400_000);
    expect(parse("--retention", "7d")).toBe(7 * 86_400_000);
    expect(parse("--retention", "1h30m")).toBe(5_400_000);
    expect(parse("--retention", "0")).toBe(0);
    expect(parse("--retention", "off")).toBe(Number.POSITIVE_INFINITY);
  });

  it("refuses other text with the accepted forms", () => {
    expect(() => parse("--retention", "soon")).toThrow(
      /bad interval "soon".*or 0 \(at once\) or off \(never\)/,
    );
  });
});
