// Limits that keep hostile or broken files from costing more than a clear error.
export interface Limits {
  /** Largest file read, in bytes (default 1 MiB). */
  maxFileBytes: number;
  /** Deepest nesting of maps and lists in a document (default 32). */
  maxDepth: number;
  /** Alias expansions allowed per document (default 100); a billion-laughs file fails fast. */
  maxAliasCount: number;
}

export const DEFAULT_LIMITS: Limits = { maxFileBytes: 1 << 20, maxDepth: 32, maxAliasCount: 100 };
