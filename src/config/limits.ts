// Limits that keep hostile or broken files from costing more than a clear error.
export interface Limits {
  /**
   * Largest file read, in bytes (default 256 KiB, ~800 schedule documents). Parsing dense YAML runs at
   * under 1 MB/s, so a larger cap would let one hostile file take seconds.
   */
  maxFileBytes: number;
  /** Deepest nesting of maps and lists in a document (default 32). */
  maxDepth: number;
  /** Alias expansions allowed per document (default 100); a billion-laughs file fails fast. */
  maxAliasCount: number;
}

export const DEFAULT_LIMITS: Limits = { maxFileBytes: 256 << 10, maxDepth: 32, maxAliasCount: 100 };
