// Counts in output go through one helper (src/platform/words.ts): never "1 documents" or "job(s)".
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { count } from "../../src/platform/words.js";
import { planWords } from "../../src/server/words.js";

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );
}

describe("counts in words", () => {
  it("puts the noun in the count's number", () => {
    expect(count(1, "document")).toBe("1 document");
    expect(count(0, "document")).toBe("0 documents");
    expect(count(2, "entry", "entries")).toBe("2 entries");
    expect(planWords({ create: 1, update: 0, delete: 2, unchanged: 0 })).toBe(
      "created 1 job, deleted 2 jobs",
    );
  });

  it("no source pluralises by hand", () => {
    const hand: string[] = [];
    for (const file of sources("src")) {
      readFileSync(file, "utf8")
        .split("\n")
        .forEach((line, i) => {
          if (
            /(?<![.\w])(?!https?\(s\))[a-z]+\(s\)(?=[\s:,.`"'])/.test(line) ||
            /=== 1 \? "" : "s"/.test(line)
          )
            hand.push(`${file}:${i + 1}: ${line.trim()}`);
        });
    }
    expect(hand).toEqual([]);
  });
});
