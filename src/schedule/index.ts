export { type AgendaRepeat, atAsCron, everyAsCron, toAgendaRepeat } from "./agenda-repeat.js";
export { cleanupTimes } from "./cleanup.js";
export { nextAtAfter, nextCronAfter, nextRunAfter, nextRuns, nextRunsAt } from "./next-runs.js";
