// Agendash at /agendash: an express app around agendash's middleware and an Agenda instance that
// only reads and edits jobs (it is never started, so it processes nothing).

import type { IncomingMessage, ServerResponse } from "node:http";
import { MongoBackend } from "@agendajs/mongo-backend";
import { Agenda } from "agenda";
import { createExpressMiddleware } from "agendash";
import express from "express";
import type { Db } from "mongodb";
import { JOBS_COLLECTION } from "../jobs/document.js";

export function agendashHandler(
  db: Db,
  agenda?: Agenda,
): { handler: (req: IncomingMessage, res: ServerResponse) => void; agenda: Agenda } {
  const a = agenda ?? idleAgenda(db);
  const app = express();
  app.disable("x-powered-by");
  app.use("/agendash", createExpressMiddleware(a));
  return { handler: (req, res) => app(req, res), agenda: a };
}

/** An Agenda on the jobs collection that is never started: it reads and writes jobs, runs none. */
export function idleAgenda(db: Db): Agenda {
  return new Agenda({
    backend: new MongoBackend({ mongo: db, collection: JOBS_COLLECTION, ensureIndex: false }),
  });
}
