// One load of a schedules repo in a fresh process, for `npm run bench -- simulate`: the built loader
// (dist/), on the number of threads given (0 = schedsync's own choice).
// Usage: node bench/lib/load-child.mjs <repo root> <threads>
import { loadSchedules } from "../../dist/config/load.js";

const [root, threads] = [process.argv[2], Number(process.argv[3] ?? 0)];
const result = await loadSchedules({ rootDir: root, ...(threads > 0 && { threads }) });
if (!result.ok) throw new Error(`invalid schedules: ${JSON.stringify(result.errors.slice(0, 3))}`);
