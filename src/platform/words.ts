// Counts in words for every floor's output (CLI, status page, logs, notifications): "1 document",
// "3 documents". One helper, so no message pluralises by hand or writes an "(s)" after a noun.

/**
 * `n` and the noun in its number: count(1, "job") → "1 job", count(0, "job") → "0 jobs".
 * `many` is the plural when it is not `one` + "s" (count(2, "entry", "entries")).
 */
export function count(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
