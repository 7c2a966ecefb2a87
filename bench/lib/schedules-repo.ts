// Generates a schedules repo of N merchants × C carts in a temp git repo (one file per merchant).
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { simpleGit } from "simple-git";

const FREQS = [
  "{ every: 15m }",
  "{ every: 30m }",
  "{ every: 1h }",
  '{ cron: "15 */2 * * *" }',
  '{ at: ["06:00", "18:00"] }',
];

export function merchantYaml(i: number, carts: number): string {
  const f = (k: number) => FREQS[(i + k) % FREQS.length];
  const docs = [
    `apiVersion: schedsync/v1
kind: Merchant
metadata: { id: m${i} }
spec:
  timezone: ${i % 2 ? "America/New_York" : "Europe/Berlin"}
  services:
    orderDelivery: automatic
    shippingConfirmations: ${f(1)}
    inventory: ${f(2)}
  connection: { type: sandbox }
`,
  ];
  for (let c = 0; c < carts; c++) {
    docs.push(`apiVersion: schedsync/v1
kind: Cart
metadata: { id: c${c}, merchant: m${i} }
spec:
  services:
    orderDownload: ${f(c + 3)}
    shipmentUpload: automatic
    inventoryUpload: automatic
  connection: { type: sandbox }
`);
  }
  return docs.join("---\n");
}

export async function generateRepo(merchants: number, carts: number): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "schedsync-bench-repo-"));
  await mkdir(join(dir, "schedules"), { recursive: true });
  for (let i = 0; i < merchants; i++)
    await writeFile(join(dir, "schedules", `m${i}.yaml`), merchantYaml(i, carts));
  const git = simpleGit(dir);
  await git.init(["--initial-branch=main"]);
  await git.addConfig("user.name", "bench");
  await git.addConfig("user.email", "bench@example.test");
  await git.add(["-A"]);
  await git.commit("generated schedules");
  return dir;
}
