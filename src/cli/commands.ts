// One line per command; each module exports register(program: Command): void.
import type { Command } from "commander";

export function registerCommands(_program: Command): void {}
