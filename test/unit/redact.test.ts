import { describe, expect, it } from "vitest";
import { redactUri, scrubSecrets, uriPassword } from "../../src/store/redact.js";

describe("redactUri", () => {
  it("hides the password and keeps everything else", () => {
    expect(redactUri("mongodb://bob:pa55@db.example.test:27017/schedsync?authSource=admin")).toBe(
      "mongodb://bob:***@db.example.test:27017/schedsync?authSource=admin",
    );
  });
  it("handles mongodb+srv, several hosts and encoded characters", () => {
    expect(redactUri("mongodb+srv://app:p%40ss%3Aword@cluster0.example.test/x")).toBe(
      "mongodb+srv://app:***@cluster0.example.test/x",
    );
    expect(redactUri("mongodb://u:secret@h1:1,h2:2/db")).toBe("mongodb://u:***@h1:1,h2:2/db");
  });
  it("leaves URIs without a password alone", () => {
    expect(redactUri("mongodb://127.0.0.1:27017/schedsync")).toBe("mongodb://127.0.0.1:27017/schedsync");
    expect(redactUri("mongodb://onlyuser@h/db")).toBe("mongodb://onlyuser@h/db");
  });
  it("does not treat an @ in the query string as credentials", () => {
    expect(redactUri("mongodb://h:1/db?appName=a@b")).toBe("mongodb://h:1/db?appName=a@b");
  });
});

describe("uriPassword and scrubSecrets", () => {
  it("decodes the password", () => {
    expect(uriPassword("mongodb://app:p%40ss@h/x")).toBe("p@ss");
    expect(uriPassword("mongodb://h/x")).toBeUndefined();
  });
  it("removes every occurrence of a secret from a message", () => {
    expect(scrubSecrets("auth failed for p@ss (p@ss)", ["p@ss"])).toBe("auth failed for *** (***)");
  });
  it("ignores empty or very short secrets", () => {
    expect(scrubSecrets("a message", [undefined, "", "a"])).toBe("a message");
  });
});
