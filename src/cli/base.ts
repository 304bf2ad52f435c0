/**
 * @module cli/base
 * The `lathe` program itself, before any command is registered: its name, description and version.
 */
import { Command } from "commander";
import { VERSION } from "../version.js";

export function baseProgram(): Command {
  return new Command()
    .name("lathe")
    .description(
      "The machine-learning lifecycle in one toolkit: tracking, registry, data, pipelines, serving, monitoring.",
    )
    .version(VERSION);
}
