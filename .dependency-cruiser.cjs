// Import layers of src/ (docs/architecture.md): a folder imports only folders on lower floors,
// and within a floor only the peer edges listed in PEERS. `npm run lint` runs this check.
/** Floors, top first. */
const FLOORS = [
  ["cli"],
  ["server", "runtime", "reconcile"],
  ["jobs", "records", "connectors", "config"],
  ["schedule"],
  ["platform", "store"],
];
/** The only imports allowed between folders of one floor (never the reverse). */
const PEERS = {
  // The server drives reconciles and shows their history.
  server: ["reconcile"],
  // The port carries the protocol's records, which the data plane stores (records/protocol.ts).
  connectors: ["records"],
  // The embedded store's binary lives in the cache directory.
  store: ["platform"],
};

const floorRules = FLOORS.flatMap((floor, i) =>
  floor.map((folder) => {
    const above = FLOORS.slice(0, i).flat();
    const peers = floor.filter((f) => f !== folder && !(PEERS[folder] ?? []).includes(f));
    return {
      name: `layers-${folder}`,
      comment: `${folder} may import only lower floors${PEERS[folder] ? ` and ${PEERS[folder].join(", ")}` : ""}`,
      severity: "error",
      from: { path: `^src/${folder}/` },
      to: { path: `^src/(${[...above, ...peers].join("|")})/` },
    };
  }),
);

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    ...floorRules,
    {
      name: "no-circular",
      comment: "no import cycles between modules",
      severity: "error",
      from: { path: "^src/" },
      to: { circular: true },
    },
    {
      name: "not-to-unresolvable",
      comment: "every relative import resolves",
      severity: "error",
      from: { path: "^src/" },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^(dist|node_modules)/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
  },
};
