// `records`: one line per delivery, and a note when the limit cut the list short.
import type { DeliveryDoc } from "../../records/index.js";
import type { View } from "./view.js";

export interface RecordsPage {
  rows: DeliveryDoc[];
  /** How many deliveries match the filter (only counted when the limit was reached). */
  total: number;
  limit: number;
}

/** "showing 100 of 120 (use --limit)" when rows were left out, else undefined. */
export function truncationNote(page: RecordsPage): string | undefined {
  return page.total > page.rows.length
    ? `showing ${page.rows.length} of ${page.total} (use --limit)`
    : undefined;
}

function rowText(d: DeliveryDoc): string {
  const to = d.cartId ? `cart ${d.cartId}` : "wms";
  const err = d.lastError ? `  ${d.lastError}` : "";
  return `${d.recordId}  ${d.service} → ${to}  ${d.state}  attempts ${d.attempts}${err}`;
}

/** JSON stays the array of deliveries; the truncation note then goes to stderr (see records.ts). */
export const recordsView: View<RecordsPage> = {
  json: (page) => page.rows,
  text: (page) => {
    const lines = page.rows.length ? page.rows.map(rowText) : ["no records"];
    const note = truncationNote(page);
    return (note ? [...lines, note] : lines).join("\n");
  },
};
