/**
 * @module cli/pipeline
 * `lathe repro` and `lathe dag`: pipelines from `dvc.yaml` files. The domain loads lazily so
 * `lathe --help` stays quick.
 */
import type { Command } from "commander";
import { LatheError } from "../core/errors.js";
import type { ReproEvent } from "../pipeline/repro.js";
import type { PipelineStatus } from "../pipeline/status.js";

interface ReproFlags {
  force?: boolean;
  forceDownstream?: boolean;
  pipeline?: boolean;
  allPipelines?: boolean;
  singleItem?: boolean;
  downstream?: boolean;
  jobs?: string;
  dry?: boolean;
  keepGoing?: boolean;
  runCache: boolean;
  track?: boolean;
  experiment?: string;
  trackingUri?: string;
}

function jobsOf(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const jobs = Number(value);
  if (!Number.isInteger(jobs) || jobs < 1)
    throw new LatheError("INVALID_PARAMETER_VALUE", `-j must be a positive whole number, got '${value}'.`);
  return jobs;
}

/** Prints a repro event as DVC words it. */
function printEvent(event: ReproEvent): void {
  const out = (line: string) => process.stdout.write(`${line}\n`);
  switch (event.type) {
    case "skipped":
      out(
        event.reason === "frozen"
          ? `Stage '${event.stage}' is frozen, skipping`
          : `Stage '${event.stage}' didn't change, skipping`,
      );
      return;
    case "restored":
      out(`Stage '${event.stage}' is cached - skipping run, checking out outputs`);
      return;
    case "would-run":
      out(`Would run stage '${event.stage}':\n${event.commands.map((command) => `> ${command}`).join("\n")}`);
      return;
    case "started":
      out(`Running stage '${event.stage}':\n${event.commands.map((command) => `> ${command}`).join("\n")}`);
      return;
    case "output":
      (event.stream === "stdout" ? process.stdout : process.stderr).write(`[${event.stage}] ${event.line}\n`);
      return;
    case "lock-updated":
      out(`Updating lock file '${event.file}'`);
      return;
    case "finished":
      if (!event.ok) process.stderr.write(`ERROR: ${event.message}\n`);
      return;
  }
}

/** Registers the pipeline commands on `program`. */
export function registerPipelineCommands(program: Command): void {
  program
    .command("repro [targets...]")
    .description("Run the pipeline stages (dvc.yaml) whose command, dependencies or outputs changed.")
    .option("-f, --force", "run stages even when nothing changed")
    .option("-s, --single-item", "only the targets, not the stages they depend on")
    .option("--downstream", "the targets and every stage that depends on them")
    .option("--force-downstream", "run every stage after a stage that ran, even if unchanged")
    .option("-p, --pipeline", "the whole pipeline each target belongs to")
    .option("-P, --all-pipelines", "every stage of every dvc.yaml")
    .option("-j, --jobs <n>", "independent stages run at once", "1")
    .option("--dry", "print what would run without running it")
    .option("-k, --keep-going", "after a failure, go on with stages that do not depend on it")
    .option("--no-run-cache", "do not restore outputs from earlier runs with the same inputs")
    .option("--track", "record each stage that ran as a run on the tracking server")
    .option("--experiment <name>", "experiment for --track (default: pipeline)")
    .option(
      "--tracking-uri <uri>",
      "tracking server for --track (default MLFLOW_TRACKING_URI, else http://127.0.0.1:5000)",
    )
    .action(async (targets: string[], flags: ReproFlags) => {
      const { reproduce } = await import("../pipeline/repro.js");
      const tracking = flags.track && !flags.dry ? await import("../pipeline/track.js") : undefined;
      const clock = tracking ? new tracking.StageClock() : undefined;
      const controller = new AbortController();
      let interrupts = 0;
      const onSignal = (signal: NodeJS.Signals) => {
        interrupts++;
        if (interrupts > 1) process.exit(signal === "SIGINT" ? 130 : 143);
        process.stderr.write(`Received ${signal}: stopping running stages; finished stages stay in dvc.lock.\n`);
        controller.abort();
      };
      process.on("SIGINT", onSignal);
      process.on("SIGTERM", onSignal);
      const lockFiles = new Set<string>();
      const onEvent = (event: ReproEvent) => {
        if (event.type === "lock-updated") lockFiles.add(event.file);
        clock?.onEvent(event);
        printEvent(event);
      };
      try {
        const result = await reproduce({
          targets,
          force: flags.force,
          single: flags.singleItem,
          downstream: flags.downstream,
          forceDownstream: flags.forceDownstream,
          pipeline: flags.pipeline,
          allPipelines: flags.allPipelines,
          jobs: jobsOf(flags.jobs),
          dry: flags.dry,
          keepGoing: flags.keepGoing,
          noRunCache: !flags.runCache,
          signal: controller.signal,
          onEvent,
        });
        if (controller.signal.aborted) {
          process.exitCode = 130;
          return;
        }
        if (tracking && clock) {
          const { createClient } = await import("./common.js");
          const client = await createClient({ trackingUri: flags.trackingUri });
          const tracked = await tracking.trackStages(process.cwd(), result, {
            client,
            experiment: flags.experiment,
            clock,
          });
          if (tracked.length > 0)
            process.stderr.write(
              `Tracked ${tracked.length} stage run(s) in experiment '${flags.experiment ?? "pipeline"}': ${tracked.map((entry) => `${entry.stage} (${entry.runId})`).join(", ")}\n`,
            );
        }
        if (result.failed.length > 0) {
          const skipped = result.notRun.length > 0 ? ` Not run: ${result.notRun.join(", ")}.` : "";
          process.stderr.write(
            `${result.failed.length} stage(s) failed: ${result.failed.map((failure) => failure.stage).join(", ")}.${skipped} Fix the cause and run 'lathe repro' again; finished stages are kept.\n`,
          );
          process.exitCode = 1;
          return;
        }
        if (result.ran.length === 0 && result.restored.length === 0 && result.wouldRun.length === 0)
          process.stdout.write("Data and pipelines are up to date.\n");
        else if (!flags.dry) process.stdout.write("To track the changes with git, run:\n\n\tgit add dvc.lock\n");
      } finally {
        process.off("SIGINT", onSignal);
        process.off("SIGTERM", onSignal);
      }
    });

  program
    .command("dag [target]")
    .description("Show the stage graph of the pipelines (or of one target and what it depends on).")
    .option("--mermaid", "Mermaid flowchart")
    .option("--md", "Mermaid flowchart in a Markdown fence")
    .option("--dot", "Graphviz dot")
    .action(async (target: string | undefined, flags: { mermaid?: boolean; md?: boolean; dot?: boolean }) => {
      const [{ openProject, requirePipelines, resolveTargets }, { renderDag }] = await Promise.all([
        import("../pipeline/project.js"),
        import("../pipeline/dag.js"),
      ]);
      const project = await openProject(process.cwd());
      try {
        requirePipelines(project);
        const targets = target === undefined ? undefined : resolveTargets(project, [target], process.cwd());
        const format = flags.dot ? "dot" : flags.md ? "md" : flags.mermaid ? "mermaid" : "text";
        process.stdout.write(`${renderDag(project.graph, format, targets)}\n`);
      } finally {
        project.close();
      }
    });
}

/** DVC's text rendering of `status` for stages (tab-indented reasons). */
export function formatPipelineStatus(status: PipelineStatus): string {
  const lines: string[] = [];
  for (const [stage, reasons] of Object.entries(status)) {
    lines.push(`${stage}:`);
    for (const reason of reasons) {
      if (typeof reason === "string") {
        lines.push(`\t${reason}`);
        continue;
      }
      for (const [title, paths] of Object.entries(reason)) {
        lines.push(`\t${title}:`);
        for (const [path, state] of Object.entries(paths as Record<string, unknown>)) {
          if (typeof state === "string") lines.push(`\t\t${`${state}:`.padEnd(20)}${path}`);
          else {
            lines.push(`\t\t${path}:`);
            for (const [key, keyState] of Object.entries(state as Record<string, string>))
              lines.push(`\t\t\t${`${keyState}:`.padEnd(12)}${key}`);
          }
        }
      }
    }
  }
  return lines.join("\n");
}
