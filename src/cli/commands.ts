// One line per command; each module exports register(program: Command): void.
import type { Command } from "commander";
import { register as serve } from "./serve.js";

export function registerCommands(program: Command): void {
  serve(program);
}
