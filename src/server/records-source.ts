// Where record counts come from: the records stage (src/records) when it provides a counter,
// else a single "records" collection grouped by kind, state and merchant.
import { groupedRecords, type RecordsCounter } from "./collectors.js";

export function recordsCounter(): RecordsCounter {
  return groupedRecords("records");
}
