import type { Db } from "mongodb";

/** True when the server is FerretDB (its buildInfo carries ferretdbVersion), whose costs differ. */
export async function isFerretdb(db: Db): Promise<boolean> {
  try {
    const info = await db.admin().command({ buildInfo: 1 });
    return typeof info.ferretdbVersion === "string";
  } catch {
    return false;
  }
}
