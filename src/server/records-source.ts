// Record counts for /metrics and the status page: deliveries (one per record and destination)
// grouped by record kind, delivery state and merchant.
import { DELIVERIES } from "../records/collections.js";
import { groupedRecords, type RecordsCounter } from "./collectors.js";

export function recordsCounter(): RecordsCounter {
  return groupedRecords(DELIVERIES);
}
