/**
 * @module cli/data
 * `lathe init|add|status|checkout|gc`: data versioning in DVC 3's formats. The domain loads lazily
 * so `lathe --help` stays quick.
 */
import { createInterface } from "node:readline/promises";
import type { Command } from "commander";
import { LatheError } from "../core/errors.js";
import type { GcResult } from "../data/gc.js";
import type { TransferProgress } from "../data/remotes/transfer.js";
import { type OutputOptions, wantsJson } from "./output.js";
import { formatProgress, type ProgressSnapshot } from "./progress.js";

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

/**
 * A progress line on a terminal (files, bytes, rate, and ETA when totals are known), redrawn at most
 * ten times a second; nothing with --json or off a terminal.
 */
function progressLine(flags: OutputOptions): ((progress: Omit<ProgressSnapshot, "elapsedMs">) => void) | undefined {
  if (flags.json || !process.stderr.isTTY) return undefined;
  const started = Date.now();
  let shown = 0;
  return (progress) => {
    const now = Date.now();
    const finished = progress.totalFiles !== undefined && progress.files >= progress.totalFiles;
    if (now - shown < 100 && !finished) return;
    shown = now;
    process.stderr.write(`\r${formatProgress({ ...progress, elapsedMs: now - started })}\x1b[K`);
  };
}

/** Clears the progress line before the result is printed. */
function clearProgress(progress: unknown): void {
  if (progress) process.stderr.write("\r\x1b[K");
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
      clearProgress(onProgress);
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
    .option("-c, --cloud", "compare the cache with a remote instead (new, deleted, missing objects)")
    .option("-r, --remote <name>", "remote for -c (default: [core] remote); implies -c")
    .option("-j, --jobs <n>", "existence checks in flight on the remote, with -c")
    .action(async (targets: string[], flags: OutputOptions & CloudStatusFlags) => {
      if (flags.cloud || flags.remote !== undefined) return printCloudStatus(targets, flags);
      const [{ statusCommand }, { openDataRepo }, { workspaceSource }] = await Promise.all([
        import("../data/commands.js"),
        import("../data/repo.js"),
        import("../pipeline/source.js"),
      ]);
      // The pipeline code loads only when the repository has a dvc.yaml to report on.
      const { root } = await openDataRepo(process.cwd());
      const hasPipelines = ((await workspaceSource(root).find?.("dvc.yaml")) ?? []).length > 0;
      const [pipelines, formatPipelineStatus] = hasPipelines
        ? await Promise.all([
            import("../pipeline/status.js").then(({ pipelineStatusForTargets }) =>
              pipelineStatusForTargets(process.cwd(), targets),
            ),
            import("./pipeline.js").then((module) => module.formatPipelineStatus),
          ])
        : [undefined, undefined];
      const dataTargets = pipelines ? pipelines.otherTargets : targets;
      const changes = targets.length > 0 && dataTargets.length === 0 ? [] : await statusCommand(dataTargets);
      const stages = pipelines?.status ?? {};
      const stagesChanged = Object.keys(stages).length > 0;
      print(flags, pipelines ? { stages, data: changes } : changes, () => {
        if (changes.length === 0 && !stagesChanged)
          return pipelines ? "Data and pipelines are up to date." : "Data is up to date.";
        const stageText = stagesChanged && formatPipelineStatus ? formatPipelineStatus(stages) : "";
        if (changes.length === 0) return stageText;
        return `${stageText}${stagesChanged ? "\n" : ""}${changes
          .map((change) => {
            const files = change.files;
            const detail = files
              ? ` (${files.added.length} added, ${files.modified.length} modified, ${files.deleted.length} deleted)`
              : "";
            return `${`${change.state}:`.padEnd(14)}${change.path}${detail}\t[${change.pointer}]`;
          })
          .join("\n")}`;
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
    .option("-c, --cloud", "also delete unused objects from a remote")
    .option("-r, --remote <name>", "remote for -c (default: [core] remote)")
    .option("--json", "print JSON")
    .action(async (flags: OutputOptions & GcFlags) => {
      if (!flags.workspace) throw new LatheError("INVALID_PARAMETER_VALUE", "gc needs a scope: pass --workspace (-w).");
      const { gcCommand } = await import("../data/commands.js");
      const scope = { cloud: flags.cloud, remote: flags.remote };
      if (!flags.force && !flags.dry) {
        const where = flags.cloud ? "cache and remote" : "cache";
        if (!process.stdin.isTTY)
          throw new LatheError(
            "INVALID_PARAMETER_VALUE",
            `gc deletes ${where} objects the workspace does not use and cannot ask for confirmation here (no terminal). Pass -f to proceed.`,
          );
        const preview = await gcCommand({ ...scope, dry: true });
        const remoteCount = preview.remote?.removed.length ?? 0;
        if (preview.removed.length + remoteCount === 0) {
          print(flags, preview, () => "Nothing to delete.");
          return;
        }
        const question = preview.remote
          ? `Delete ${preview.removed.length} unused object(s) from the cache and ${remoteCount} from remote '${preview.remote.name}'? Objects other commits or branches use are deleted too.`
          : `Delete ${preview.removed.length} unused object(s) from the cache?`;
        if (!(await confirm(question))) {
          process.stderr.write("Cancelled; nothing deleted.\n");
          return;
        }
      }
      const result = await gcCommand({ ...scope, dry: flags.dry });
      print(flags, result, () => gcSummary(result, flags.dry === true));
    });

  program
    .command("diff [a_rev] [b_rev]")
    .description(
      "Show tracked files added, deleted, modified or renamed between two git revisions (default HEAD and the workspace).",
    )
    .option("--targets <paths...>", "limit the diff to these tracked paths")
    .option("--json", "print JSON")
    .action(
      async (aRev: string | undefined, bRev: string | undefined, flags: OutputOptions & { targets?: string[] }) => {
        const [{ diffCommand }, { formatDiff, isEmptyDiff }] = await Promise.all([
          import("../data/commands.js"),
          import("../data/diff.js"),
        ]);
        const diff = await diffCommand({ aRev, bRev, targets: flags.targets });
        print(flags, diff, () => (isEmptyDiff(diff) ? "No changes." : formatDiff(diff)));
      },
    );

  registerSyncCommands(program);
}

type GcFlags = { workspace?: boolean; force?: boolean; dry?: boolean; cloud?: boolean; remote?: string };

function gcSummary(result: GcResult, dry: boolean): string {
  const verb = dry ? "Would delete" : "Deleted";
  const lines = [
    result.removed.length === 0
      ? "Nothing to delete from the cache."
      : `${verb} ${result.removed.length} object(s) from the cache; kept ${result.kept}.`,
  ];
  if (result.remote)
    lines.push(
      result.remote.removed.length === 0
        ? `Nothing to delete from remote '${result.remote.name}'.`
        : `${verb} ${result.remote.removed.length} object(s) from remote '${result.remote.name}'; kept ${result.remote.kept}.`,
    );
  return lines.join("\n");
}

type CloudStatusFlags = { cloud?: boolean; remote?: string; jobs?: string };

/** `lathe status -c`: `{path: state}` with --json, as `dvc status -c --json` prints it. */
async function printCloudStatus(targets: string[], flags: OutputOptions & CloudStatusFlags): Promise<void> {
  const { cloudStatusCommand } = await import("../data/commands.js");
  const status = await cloudStatusCommand({ targets, remote: flags.remote, jobs: jobsOf(flags.jobs) });
  const byPath = Object.fromEntries(status.objects.map((object) => [object.path, object.state]));
  print(flags, byPath, () =>
    status.objects.length === 0
      ? `Cache and remote '${status.remote}' are in sync.`
      : status.objects.map((object) => `\t${`${object.state}:`.padEnd(12)}${object.path}`).join("\n"),
  );
}

function transferProgress(flags: OutputOptions) {
  const line = progressLine(flags);
  return line
    ? (progress: TransferProgress) =>
        line({
          files: progress.filesDone + progress.filesFailed,
          totalFiles: progress.filesTotal,
          bytes: progress.bytesDone,
          totalBytes: progress.bytesTotal,
        })
    : undefined;
}

function syncFlags(command: Command): Command {
  return command
    .option("-r, --remote <name>", "remote to use (default: [core] remote)")
    .option("-j, --jobs <n>", "objects moved at once")
    .option("--json", "print JSON");
}

function jobsOf(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const jobs = Number(value);
  if (!Number.isInteger(jobs) || jobs < 1)
    throw new LatheError("INVALID_PARAMETER_VALUE", `-j must be a positive whole number, got '${value}'.`);
  return jobs;
}

type SyncFlags = OutputOptions & { remote?: string; jobs?: string; force?: boolean };

/** What push, fetch and pull take from their shared flags. */
function syncOptions(targets: string[], flags: SyncFlags) {
  return { targets, remote: flags.remote, jobs: jobsOf(flags.jobs), onProgress: transferProgress(flags) };
}

/** `lathe remote …`, `lathe push|fetch|pull`. */
function registerSyncCommands(program: Command): void {
  const remote = program
    .command("remote")
    .description("Configure data remotes (a folder or s3://bucket/prefix) in .dvc/config.");
  remote
    .command("add <name> <url>")
    .description("Add a remote.")
    .option("-d, --default", "make it the default remote")
    .option("-f, --force", "replace a remote of that name")
    .option("--local", "write to .dvc/config.local (not committed; for credentials)")
    .action(async (name: string, url: string, flags: { default?: boolean; force?: boolean; local?: boolean }) => {
      const [{ remoteCommand }, { addRemote }] = await Promise.all([
        import("../data/commands.js"),
        import("../data/remote-config.js"),
      ]);
      await remoteCommand((repo) => addRemote(repo, name, url, flags));
      process.stdout.write(`Added remote '${name}' (${url})${flags.default ? " as the default" : ""}.\n`);
    });
  remote
    .command("default <name>")
    .description("Make a remote the default.")
    .option("--local", "write to .dvc/config.local")
    .action(async (name: string, flags: { local?: boolean }) => {
      const [{ remoteCommand }, { setDefaultRemote }] = await Promise.all([
        import("../data/commands.js"),
        import("../data/remote-config.js"),
      ]);
      await remoteCommand((repo) => setDefaultRemote(repo, name, flags));
      process.stdout.write(`Default remote is now '${name}'.\n`);
    });
  remote
    .command("modify <name> <option> [value]")
    .description("Set an option of a remote (url, endpointurl, region, jobs, …); --unset removes it.")
    .option("--unset", "remove the option")
    .option("--local", "write to .dvc/config.local")
    .action(
      async (name: string, option: string, value: string | undefined, flags: { unset?: boolean; local?: boolean }) => {
        if (!flags.unset && value === undefined)
          throw new LatheError("INVALID_PARAMETER_VALUE", `Give a value for '${option}', or pass --unset.`);
        const [{ remoteCommand }, { modifyRemote }] = await Promise.all([
          import("../data/commands.js"),
          import("../data/remote-config.js"),
        ]);
        await remoteCommand((repo) => modifyRemote(repo, name, option, flags.unset ? undefined : value, flags));
      },
    );
  remote
    .command("list")
    .description("List remotes.")
    .option("--json", "print JSON")
    .action(async (flags: OutputOptions) => {
      const [{ remoteCommand }, { listRemotes }] = await Promise.all([
        import("../data/commands.js"),
        import("../data/remote-config.js"),
      ]);
      const remotes = await remoteCommand(listRemotes);
      print(
        flags,
        remotes,
        () =>
          remotes.map((entry) => `${entry.name}\t${entry.url}${entry.default ? "\t(default)" : ""}`).join("\n") ||
          "No remotes.",
      );
    });

  syncFlags(program.command("push [targets...]").description("Upload tracked data the remote lacks.")).action(
    async (targets: string[], flags: SyncFlags) => {
      const { pushCommand } = await import("../data/commands.js");
      const options = syncOptions(targets, flags);
      const result = await pushCommand(options);
      clearProgress(options.onProgress);
      print(flags, result, () =>
        result.transferred === 0 ? "Everything is up to date." : `${result.transferred} file(s) pushed.`,
      );
    },
  );
  syncFlags(
    program
      .command("fetch [targets...]")
      .description("Download tracked data into the cache, without touching the workspace."),
  ).action(async (targets: string[], flags: SyncFlags) => {
    const { fetchCommand } = await import("../data/commands.js");
    const options = syncOptions(targets, flags);
    const result = await fetchCommand(options);
    clearProgress(options.onProgress);
    print(flags, result, () =>
      result.failures.length > 0
        ? `${result.transferred} file(s) fetched; ${result.failures.length} missing on the remote: ${result.failures.map((failure) => failure.path).join(", ")}`
        : result.transferred === 0
          ? "Everything is up to date."
          : `${result.transferred} file(s) fetched.`,
    );
    if (result.failures.length > 0) process.exitCode = 4;
  });
  syncFlags(program.command("pull [targets...]").description("Fetch tracked data and check it out."))
    .option("-f, --force", "discard workspace changes that are not in the cache")
    .action(async (targets: string[], flags: SyncFlags) => {
      const { pullCommand } = await import("../data/commands.js");
      const options = syncOptions(targets, flags);
      const result = await pullCommand({ ...options, force: flags.force });
      clearProgress(options.onProgress);
      print(flags, result, () => {
        const changed = [
          ...result.checkout.added.map((path) => `A       ${path}`),
          ...result.checkout.modified.map((path) => `M       ${path}`),
        ];
        return [`${result.transferred} file(s) fetched.`, ...changed].join("\n");
      });
    });
}
