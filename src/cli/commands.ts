// One line per command; each module exports register(program: Command): void.
import type { Command } from "commander";
import { register as apply } from "./apply.js";
import { register as explain } from "./explain.js";
import { register as history } from "./history.js";
import { register as init } from "./init.js";
import { register as pause } from "./pause.js";
import { register as plan } from "./plan.js";
import { register as planComment } from "./plan-comment.js";
import { register as records } from "./records.js";
import { register as resend } from "./resend.js";
import { register as run } from "./run.js";
import { register as serve } from "./serve.js";
import { register as simulate } from "./simulate.js";
import { register as start } from "./start.js";
import { register as status } from "./status.js";
import { register as store } from "./store.js";
import { register as validate } from "./validate.js";
import { register as worker } from "./worker.js";

export function registerCommands(program: Command): void {
  validate(program);
  explain(program);
  init(program);
  plan(program);
  apply(program);
  status(program);
  pause(program);
  history(program);
  serve(program);
  planComment(program);
  simulate(program);
  start(program);
  store(program);
  worker(program);
  run(program);
  records(program);
  resend(program);
}
