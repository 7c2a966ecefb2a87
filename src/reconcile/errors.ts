import type { ConfigError } from "../config/errors.js";

/** The revision cannot be applied (invalid, unreadable, empty, or refused by a safety rule). */
export class RevisionRejectedError extends Error {
  constructor(
    message: string,
    readonly errors: ConfigError[] = [],
  ) {
    super(message);
    this.name = "RevisionRejectedError";
  }
}
