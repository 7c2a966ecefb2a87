// NO_COLOR turns the terminal log's colours off; pino-pretty itself, with those options, writes no
// escape sequences.

import pretty from "pino-pretty";
import { describe, expect, it } from "vitest";
import { prettyOptions } from "../../src/platform/log.js";

const ESC = String.fromCharCode(27);

function render(env: NodeJS.ProcessEnv): string {
  const line = JSON.stringify({ level: 40, time: 0, msg: "run failed", key: "acme/inventory" });
  return pretty.prettyFactory(prettyOptions(env))(line);
}

describe("terminal logs", () => {
  it("have no colour when NO_COLOR is set, and colour otherwise", () => {
    expect(render({ NO_COLOR: "1" })).not.toContain(`${ESC}[`);
    expect(render({ NO_COLOR: "1" })).toContain("run failed");
    expect(render({})).toContain(`${ESC}[`);
  });
});
