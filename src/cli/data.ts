/**
 * @module cli/data
 * `lathe init|add|status|checkout|gc`: data versioning in DVC 3's formats. The domain loads lazily
 * so `lathe --help` stays quick.
 */
import { createInterface } from "node:readline/promises";
import type { Command } from "commander";
import { LatheError } from "../core/errors.js";
import { type OutputOptions, wantsJson } from "./output.js";

function print(options: OutputOptions, value: unknown, text: () => string): void {
  process.stdout.write(wantsJson(options) ? `${JSON.stringify(value, null, 2)}\n` : `${text()}\n`);
}

async function confirm(question: string): Promise<boolean> {
  const readline = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await readline.question(`${question} [y/N] `)).trim());
  } finally {
    readline.close();
  }
}

/** A progress line on a terminal (files, bytes, rate), nothing with --json or off a terminal. */
function progressLine(flags: OutputOptions): ((progress: { files: number; bytes: number }) => void) | undefined {
  if (flags.json || !process.stderr.isTTY) return undefined;
  const started = Date.now();
  let shown = 0;
  return ({ files, bytes }) => {
    const now = Date.now();
    if (now - shown < 100) return;
    shown = now;
    const mb = bytes / 1048576;
    const rate = mb / Math.max((now - started) / 1000, 0.001);
    process.stderr.write(`\r${files} files, ${mb.toFixed(1)} MiB, ${rate.toFixed(1)} MiB/s`);
  };
}

/** Registers the data commands on `program`. */
export function registerDataCommands(program: Command): void {
  program
    .command("init")
    .description("Make the current git repository a data repository (.dvc/ as dvc init lays it out).")
    .option("--no-scm", "allow a folder that is not a git repository")
    .option("-f, --force", "re-initialise an existing .dvc/")
    .action(async (flags: { scm: boolean; force?: boolean }) => {
      const { initDataRepo } = await import("../data/repo.js");
      const root = await initDataRepo(process.cwd(), { noScm: !flags.scm, force: flags.force });
      process.stdout.write(`Initialized a data repository in ${root}. Track data with 'lathe add <path>'.\n`);
    });

  program
    .command("add <paths...>")
    .description("Track files or directories: store them in the cache and write <path>.dvc files.")
    .option("--json", "print JSON")
    .action(async (paths: string[], flags: OutputOptions) => {
      const { addCommand } = await import("../data/commands.js");
      const onProgress = progressLine(flags);
      const results = await addCommand(paths, { onProgress });
      if (onProgress) process.stderr.write("\r\x1b[K");
      print(flags, results, () =>
        results
          .map((result) => `Added ${result.path} (${result.md5}); commit ${result.pointer} and its .gitignore to git.`)
          .join("\n"),
      );
    });

  program
    .command("status [targets...]")
    .description("Show tracked data that changed against its .dvc files.")
    .option("--json", "print JSON")
    .action(async (targets: string[], flags: OutputOptions) => {
      const { statusCommand } = await import("../data/commands.js");
      const changes = await statusCommand(targets);
      print(flags, changes, () => {
        if (changes.length === 0) return "Data is up to date.";
        return changes
          .map((change) => {
            const files = change.files;
            const detail = files
              ? ` (${files.added.length} added, ${files.modified.length} modified, ${files.deleted.length} deleted)`
              : "";
            return `${`${change.state}:`.padEnd(14)}${change.path}${detail}\t[${change.pointer}]`;
          })
          .join("\n");
      });
    });

  program
    .command("checkout [targets...]")
    .description("Restore tracked data in the workspace from the cache, linking per [cache] type.")
    .option("-f, --force", "discard workspace changes that are not in the cache")
    .option("--relink", "relink files even when their content already matches")
    .option("--json", "print JSON")
    .action(async (targets: string[], flags: OutputOptions & { force?: boolean; relink?: boolean }) => {
      const { checkoutCommand } = await import("../data/commands.js");
      const result = await checkoutCommand(targets, { force: flags.force, relink: flags.relink });
      print(flags, result, () => {
        const lines = [
          ...result.added.map((path) => `A       ${path}`),
          ...result.modified.map((path) => `M       ${path}`),
        ];
        return lines.length === 0 ? "No changes." : lines.join("\n");
      });
    });

  program
    .command("gc")
    .description("Delete cache objects that the workspace's .dvc files do not reference.")
    .option("-w, --workspace", "keep only what the workspace's .dvc files use")
    .option("-f, --force", "do not ask for confirmation")
    .option("--dry", "only list what would be deleted")
    .option("--json", "print JSON")
    .action(async (flags: OutputOptions & { workspace?: boolean; force?: boolean; dry?: boolean }) => {
      if (!flags.workspace) throw new LatheError("INVALID_PARAMETER_VALUE", "gc needs a scope: pass --workspace (-w).");
      const { gcCommand } = await import("../data/commands.js");
      if (!flags.force && !flags.dry) {
        if (!process.stdin.isTTY)
          throw new LatheError(
            "INVALID_PARAMETER_VALUE",
            "gc deletes cache objects the workspace does not use and cannot ask for confirmation here (no terminal). Pass -f to proceed.",
          );
        const preview = await gcCommand({ dry: true });
        if (preview.removed.length === 0) {
          print(flags, preview, () => "Nothing to delete.");
          return;
        }
        if (!(await confirm(`Delete ${preview.removed.length} unused object(s) from the cache?`))) {
          process.stderr.write("Cancelled; nothing deleted.\n");
          return;
        }
      }
      const result = await gcCommand({ dry: flags.dry });
      print(flags, result, () =>
        result.removed.length === 0
          ? "Nothing to delete."
          : `${flags.dry ? "Would delete" : "Deleted"} ${result.removed.length} object(s); kept ${result.kept}.`,
      );
    });
}
