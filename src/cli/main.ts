#!/usr/bin/env node
/**
 * @module cli/main
 * The `lathe` command: registers each command group and maps a LatheError to its exit code.
 */
import { Command } from "commander";
import { isLatheError } from "../core/errors.js";
import { VERSION } from "../version.js";
import { registerDemoCommand } from "./demo.js";
import { registerServerCommand } from "./server.js";

const program = new Command()
  .name("lathe")
  .description(
    "The machine-learning lifecycle in one toolkit: tracking, registry, data, pipelines, serving, monitoring.",
  )
  .version(VERSION);

registerServerCommand(program);
registerDemoCommand(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  if (isLatheError(error)) {
    process.stderr.write(`lathe: ${error.message}\n`);
    process.exit(error.info.exitCode);
  }
  process.stderr.write(
    `lathe: unexpected failure: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
