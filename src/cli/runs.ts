/**
 * @module cli/runs
 * `lathe runs list|show|compare|delete|diff-env`.
 */
import type { Command } from "commander";
import { invalidParameter } from "../core/errors.js";
import type { Run } from "../tracking/entities.js";
import { type ClientFlags, createClient, parseViewType, toRecord, withClientFlags } from "./common.js";
import { type Column, formatTime, printResult } from "./output.js";

const RUN_COLUMNS: Column<Run>[] = [
  { header: "RUN ID", value: (run) => run.info.run_id },
  { header: "NAME", value: (run) => run.info.run_name },
  { header: "STATUS", value: (run) => run.info.status },
  { header: "STARTED", value: (run) => formatTime(run.info.start_time) },
  {
    header: "METRICS",
    value: (run) =>
      run.data.metrics
        .slice(0, 3)
        .map((metric) => `${metric.key}=${Number(metric.value.toPrecision(4))}`)
        .join(" "),
  },
];

interface Row {
  field: string;
  values: unknown[];
}

/** One row per field; fields whose values differ are marked so they stand out. */
function comparisonRows(runs: readonly Run[]): Row[] {
  const sections: [string, (run: Run) => Record<string, unknown>][] = [
    ["params", (run) => toRecord(run.data.params)],
    ["metrics", (run) => toRecord(run.data.metrics)],
    ["tags", (run) => toRecord(run.data.tags.filter((tag) => !tag.key.startsWith("mlflow.")))],
  ];
  const rows: Row[] = [{ field: "name", values: runs.map((run) => run.info.run_name) }];
  for (const [section, read] of sections) {
    const records = runs.map(read);
    const keys = [...new Set(records.flatMap((record) => Object.keys(record)))].sort();
    for (const key of keys) rows.push({ field: `${section}.${key}`, values: records.map((record) => record[key]) });
  }
  return rows;
}

export function registerRunsCommand(program: Command): void {
  const runs = program.command("runs").description("List, inspect, compare and delete runs.");

  withClientFlags(runs.command("list"))
    .description("List the runs of an experiment.")
    .requiredOption("-e, --experiment <name-or-id>", "experiment name or id")
    .option("--filter <filter>", 'MLflow filter, e.g. "metrics.accuracy > 0.9"')
    .option("--order-by <clause...>", 'order, e.g. "metrics.accuracy DESC"')
    .option("--max <n>", "at most this many runs", "100")
    .option("--view <type>", "ACTIVE_ONLY, DELETED_ONLY or ALL", "ACTIVE_ONLY")
    .action(
      async (
        flags: ClientFlags & { experiment: string; filter?: string; orderBy?: string[]; max: string; view: string },
      ) => {
        const client = await createClient(flags);
        const experimentId = /^\d+$/.test(flags.experiment)
          ? flags.experiment
          : (await client.getExperimentByName(flags.experiment)).experiment_id;
        const maxResults = Number(flags.max);
        if (!Number.isInteger(maxResults) || maxResults < 1)
          throw invalidParameter(`--max must be a positive whole number, got '${flags.max}'.`);
        const page = await client.searchRuns({
          experimentIds: [experimentId],
          filter: flags.filter,
          orderBy: flags.orderBy,
          maxResults,
          viewType: parseViewType(flags.view),
        });
        printResult(flags, page.items, page.items, RUN_COLUMNS);
      },
    );

  withClientFlags(runs.command("show <run-id>"))
    .description("Show a run: info, params, latest metrics and tags.")
    .action(async (runId: string, flags: ClientFlags) => {
      const run = await (await createClient(flags)).getRun(runId);
      const rows: { field: string; value: unknown }[] = [
        { field: "run_id", value: run.info.run_id },
        { field: "name", value: run.info.run_name },
        { field: "experiment_id", value: run.info.experiment_id },
        { field: "status", value: run.info.status },
        { field: "started", value: formatTime(run.info.start_time) },
        { field: "ended", value: formatTime(run.info.end_time) },
        { field: "artifact_uri", value: run.info.artifact_uri },
        ...run.data.params.map((param) => ({ field: `params.${param.key}`, value: param.value })),
        ...run.data.metrics.map((metric) => ({ field: `metrics.${metric.key}`, value: metric.value })),
        ...run.data.tags.map((tag) => ({ field: `tags.${tag.key}`, value: tag.value })),
      ];
      printResult(flags, run, rows, [
        { header: "FIELD", value: (row) => row.field },
        { header: "VALUE", value: (row) => String(row.value ?? "") },
      ]);
    });

  withClientFlags(runs.command("compare <run-ids...>"))
    .description("Compare runs side by side; fields that differ are marked with *.")
    .action(async (runIds: string[], flags: ClientFlags) => {
      if (runIds.length < 2) throw invalidParameter("Give at least two run ids to compare.");
      const client = await createClient(flags);
      const list = await Promise.all(runIds.map((id) => client.getRun(id)));
      const rows = comparisonRows(list);
      const differs = (row: Row) => new Set(row.values.map((value) => JSON.stringify(value ?? null))).size > 1;
      printResult(
        flags,
        rows.map((row) => ({ ...row, differs: differs(row) })),
        rows,
        [
          { header: "", value: (row) => (differs(row) ? "*" : "") },
          { header: "FIELD", value: (row) => row.field },
          ...list.map((run, index) => ({
            header: run.info.run_id.slice(0, 8),
            value: (row: Row) => (row.values[index] === undefined ? "—" : String(row.values[index])),
          })),
        ],
      );
    });

  withClientFlags(runs.command("delete <run-id>"))
    .description("Mark a run deleted.")
    .action(async (runId: string, flags: ClientFlags) => {
      const client = await createClient(flags);
      await client.deleteRun(runId);
      const run = await client.getRun(runId);
      printResult(flags, run.info, [run], RUN_COLUMNS);
    });

  withClientFlags(runs.command("diff-env <run-a> <run-b>"))
    .description("Show how two runs' recorded environments differ (Node/Python, OS, git commit, lock file).")
    .action(async (runA: string, runB: string, flags: ClientFlags) => {
      const client = await createClient(flags);
      const { diffEnvironments } = await import("../client/environment.js");
      const [a, b] = await Promise.all([client.getRun(runA), client.getRun(runB)]);
      const tagsA = toRecord(a.data.tags);
      const tagsB = toRecord(b.data.tags);
      const keys = diffEnvironments(a.data.tags, b.data.tags);
      const rows = keys.map((key) => ({ key, a: tagsA[key], b: tagsB[key] }));
      if (rows.length === 0 && !flags.json && process.stdout.isTTY) {
        process.stdout.write("The two runs recorded the same environment.\n");
        return;
      }
      printResult(flags, rows, rows, [
        { header: "TAG", value: (row) => row.key },
        { header: runA.slice(0, 8), value: (row) => String(row.a ?? "—") },
        { header: runB.slice(0, 8), value: (row) => String(row.b ?? "—") },
      ]);
    });
}
