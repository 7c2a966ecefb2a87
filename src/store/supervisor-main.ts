// Process entry for the FerretDB supervisor; embedded.ts spawns it detached with its config as JSON.
import { runSupervisor, type SupervisorConfig } from "./supervisor.js";

runSupervisor(JSON.parse(process.argv[2] ?? "{}") as SupervisorConfig).catch((err) => {
  console.error(`ferretdb supervisor: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
