import type { Db } from "mongodb";

/** The server's flavour from buildInfo (FerretDB's carries ferretdbVersion); throws when it cannot be asked. */
export async function detectFerretdb(db: Db): Promise<boolean> {
  const info = await db.admin().command({ buildInfo: 1 });
  return typeof info.ferretdbVersion === "string";
}

/** True when the server is FerretDB, whose costs differ; false when it cannot be asked. */
export async function isFerretdb(db: Db): Promise<boolean> {
  return detectFerretdb(db).catch(() => false);
}
