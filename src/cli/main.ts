#!/usr/bin/env node
/**
 * @module cli/main
 * The `lathe` binary: runs the command tree and maps a LatheError to its message and exit code.
 */
import { isLatheError } from "../core/errors.js";
import { programFor } from "./entry.js";

programFor(process.argv)
  .then((program) => program.parseAsync(process.argv))
  .catch((error: unknown) => {
    if (isLatheError(error)) {
      process.stderr.write(`lathe: ${error.message}\n`);
      process.exit(error.info.exitCode);
    }
    process.stderr.write(
      `lathe: unexpected failure: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  });
