// `store status`: which store is used, where the binary and data are, whether a server runs.
import type { StoreStatus } from "../../store/status.js";
import type { View } from "./view.js";

export const storeStatusView: View<StoreStatus> = {
  json: (s) => s,
  text: (s) => {
    const lines = [
      `store:     ${s.externalUri ? `MONGODB_URI ${s.externalUri}` : "embedded FerretDB"}`,
      `binary:    ${s.binary ?? `not found (run \`schedsync store install\`; it builds into ${s.cachePath})`}`,
      `data dir:  ${s.dataDir}`,
      s.server
        ? `server:    running on 127.0.0.1:${s.server.port} (supervisor pid ${s.server.supervisorPid}, ferretdb pid ${s.server.ferretdbPid}, since ${s.server.startedAt})`
        : "server:    not running (started on demand by any schedsync command that needs the store)",
    ];
    if (s.externalUri) lines.push("note:      MONGODB_URI is set, so the embedded server is not used");
    return lines.join("\n");
  },
};
