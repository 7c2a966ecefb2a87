// One line per command; each module exports register(program: Command): void.
import type { Command } from "commander";
import { register as planComment } from "./plan-comment.js";
import { register as serve } from "./serve.js";
import { register as store } from "./store.js";

export function registerCommands(program: Command): void {
  serve(program);
  planComment(program);
  store(program);
}
