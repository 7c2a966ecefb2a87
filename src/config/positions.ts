// From a path in the plain-JS value back to the YAML node, so errors point at what to fix.
import { type Document, isMap, isPair, isScalar, isSeq, type Node } from "yaml";

/**
 * Offset of the node at `path`, or of the deepest existing ancestor when the path runs out
 * (e.g. a missing field points at its parent). With `key`, a map entry's key is used.
 */
export function offsetOf(doc: Document, path: readonly (string | number)[], key = false): number {
  return locate(doc, path, key).offset;
}

/** The text of the scalar at `path` as written in `text` (`0755`, where YAML reads 755). */
export function sourceOf(
  doc: Document,
  path: readonly (string | number)[],
  text: string,
): string | undefined {
  const { node } = locate(doc, path, false);
  return isScalar(node) && node.range ? text.slice(node.range[0], node.range[1]) : undefined;
}

/** The node at `path` (null when the path runs out) and the offset to report. */
function locate(
  doc: Document,
  path: readonly (string | number)[],
  key: boolean,
): { offset: number; node: Node | null } {
  let node = doc.contents as Node | null;
  let offset = node?.range?.[0] ?? 0;
  for (let i = 0; i < path.length && node; i++) {
    const seg = path[i];
    if (isMap(node)) {
      const pair = node.items.find(
        (p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg),
      );
      if (!pair) return { offset, node: null };
      const keyNode = pair.key as Node;
      if (key && i === path.length - 1) return { offset: keyNode.range?.[0] ?? offset, node: keyNode };
      node = pair.value as Node | null;
      offset = node?.range?.[0] ?? keyNode.range?.[0] ?? offset;
    } else if (isSeq(node) && typeof seg === "number") {
      node = (node.items[seg] as Node | undefined) ?? null;
      offset = node?.range?.[0] ?? offset;
    } else return { offset, node: null };
  }
  return { offset, node };
}

/** Splits an ajv instancePath ("/spec/services/at/1") into segments; numbers for list indexes. */
export function splitPointer(pointer: string, value: unknown): (string | number)[] {
  if (!pointer) return [];
  const out: (string | number)[] = [];
  let cur: unknown = value;
  for (const raw of pointer.slice(1).split("/")) {
    const seg = raw.replace(/~1/g, "/").replace(/~0/g, "~");
    const idx = Array.isArray(cur) && /^\d+$/.test(seg) ? Number(seg) : seg;
    out.push(idx);
    cur =
      cur && typeof cur === "object" && Object.hasOwn(cur, seg)
        ? (cur as Record<string, unknown>)[seg]
        : undefined;
  }
  return out;
}
