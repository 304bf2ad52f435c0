/**
 * @module cli/demo
 * `lathe demo`: runs the lifecycle demo in a fresh folder.
 */
import type { Command } from "commander";

export function registerDemoCommand(program: Command): void {
  program
    .command("demo")
    .description("Run the lifecycle demo on the embedded default (SQLite + local folders) in a fresh folder.")
    .option("--dir <dir>", "working folder (default: a new temporary folder)")
    .option("--keep", "leave the servers running afterwards")
    .option("--ci", "non-interactive; also write the summary as JSON to <dir>/demo-summary.json")
    .action(async (flags: { dir?: string; keep?: boolean; ci?: boolean }) => {
      const { runDemo } = await import("../demo/index.js");
      await runDemo({ dir: flags.dir, keep: flags.keep, ci: flags.ci });
    });
}
