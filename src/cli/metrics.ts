/**
 * @module cli/metrics
 * `lathe params diff`, `lathe metrics show|diff`, `lathe plots show|diff` and `lathe exp run|show`:
 * what the pipelines' params, metrics and plots files say, at one revision or two, and experiments
 * that change params and rerun the pipeline. Tables on a terminal, Markdown with `--md`, JSON with
 * `--json` or when piped. The domain loads lazily so `lathe --help` stays quick.
 */
import type { Command } from "commander";
import { invalidParameter } from "../core/errors.js";
import type { ExperimentRow, ValuesByFile } from "../pipeline/exp.js";
import type { ValueChange } from "../pipeline/metrics/diff.js";
import type { RevisionMetrics } from "../pipeline/metrics/show.js";
import { type Cell, type Column, renderTable, wantsJson } from "./output.js";

interface FormatFlags {
  json?: boolean;
  md?: boolean;
}

type Row = Record<string, string>;

function markdownTable(headers: readonly string[], rows: readonly Row[]): string {
  const cell = (text: string) => text.replaceAll("|", "\\|");
  return [
    `| ${headers.map(cell).join(" | ")} |`,
    `|${headers.map(() => "---").join("|")}|`,
    ...rows.map((row) => `| ${headers.map((header) => cell(row[header] ?? "")).join(" | ")} |`),
  ].join("\n");
}

/** Prints JSON (asked for, or piped without --md), Markdown (--md) or a table. */
function emit(
  flags: FormatFlags,
  json: unknown,
  headers: readonly string[],
  rows: readonly Row[],
  empty: string,
): void {
  if (flags.json || (!flags.md && wantsJson({}))) {
    process.stdout.write(`${JSON.stringify(json, null, 2)}\n`);
    return;
  }
  if (rows.length === 0) {
    process.stdout.write(`${empty}\n`);
    return;
  }
  const columns: Column<Row>[] = headers.map((header) => ({ header, value: (row): Cell => row[header] }));
  process.stdout.write(`${flags.md ? markdownTable(headers, rows) : renderTable(rows, columns, 64)}\n`);
}

function precisionOf(value: string | undefined): number {
  if (value === undefined) return 5;
  const precision = Number(value);
  if (!Number.isInteger(precision) || precision < 0 || precision > 20)
    throw invalidParameter(`--precision must be a whole number from 0 to 20, got '${value}'.`);
  return precision;
}

/** `{path: {key: {old, new[, diff]}}}`, the JSON shape DVC's diff commands print. */
function diffJson(changes: readonly ValueChange[], withChange: boolean): Record<string, Record<string, unknown>> {
  const json: Record<string, Record<string, unknown>> = {};
  for (const change of changes) {
    json[change.path] ??= {};
    json[change.path]![change.key] = {
      old: change.old ?? null,
      new: change.new ?? null,
      ...(withChange ? { diff: change.change ?? null } : {}),
    };
  }
  return json;
}

function metricsShowRows(shown: readonly RevisionMetrics[], precision: number, formatValue: FormatValue) {
  const keys = [...new Set(shown.flatMap((revision) => Object.values(revision.files).flatMap(Object.keys)))];
  const many = shown.length > 1;
  const headers = [...(many ? ["Revision"] : []), "Path", ...keys];
  const rows: Row[] = [];
  for (const revision of shown)
    for (const [path, values] of Object.entries(revision.files))
      rows.push(
        Object.fromEntries([
          ...(many ? [["Revision", revision.revision]] : []),
          ["Path", path],
          ...keys.map((key) => [key, formatValue(values[key], precision)]),
        ]),
      );
  return { headers, rows };
}

type FormatValue = typeof import("../pipeline/metrics/values.js").formatValue;

function loadFormatters() {
  return import("../pipeline/metrics/values.js");
}

/** Registers `params`, `metrics`, `plots` and `exp` on `program`. */
export function registerMetricsCommands(program: Command): void {
  const params = program.command("params").description("Compare pipeline parameters across git revisions.");
  params
    .command("diff [a_rev] [b_rev]")
    .description("Show parameters that differ between two revisions (default HEAD and the workspace).")
    .option("--all", "also show unchanged parameters")
    .option("--deps", "only parameters that stages depend on")
    .option("--targets <files...>", "params files to compare instead of those dvc.yaml lists")
    .option("--json", "print JSON")
    .option("--md", "print a Markdown table")
    .action(
      async (
        a: string | undefined,
        b: string | undefined,
        flags: FormatFlags & { all?: boolean; deps?: boolean; targets?: string[] },
      ) => {
        const [{ diffParams }, { formatValue }] = await Promise.all([
          import("../pipeline/params.js"),
          loadFormatters(),
        ]);
        const result = await diffParams({ a, b, all: flags.all, deps: flags.deps, targets: flags.targets });
        const rows = result.changes.map((change) => ({
          Path: change.path,
          Param: change.key,
          [result.a]: formatValue(change.old),
          [result.b]: formatValue(change.new),
        }));
        emit(
          flags,
          diffJson(result.changes, false),
          ["Path", "Param", result.a, result.b],
          rows,
          `No parameter differs between ${result.a} and ${result.b}.`,
        );
      },
    );

  const metrics = program.command("metrics").description("Show and compare pipeline metrics.");
  metrics
    .command("show [targets...]")
    .description("Show the metrics files dvc.yaml lists (or the files given) in the workspace.")
    .option("-r, --rev <revisions...>", "read these git revisions instead of the workspace ('workspace' for disk)")
    .option("--precision <n>", "digits after the decimal point (default 5)")
    .option("--json", "print JSON")
    .option("--md", "print a Markdown table")
    .action(async (targets: string[], flags: FormatFlags & { precision?: string; rev?: string[] }) => {
      const precision = precisionOf(flags.precision);
      const [{ showMetrics }, { formatValue }] = await Promise.all([
        import("../pipeline/metrics/show.js"),
        loadFormatters(),
      ]);
      const shown = await showMetrics({ targets, revisions: flags.rev });
      const { headers, rows } = metricsShowRows(shown, precision, formatValue);
      emit(
        flags,
        Object.fromEntries(shown.map((revision) => [revision.revision, revision.files])),
        headers,
        rows,
        "No metrics found. List metrics files under 'metrics:' in dvc.yaml, or name them: 'lathe metrics show eval/metrics.json'.",
      );
    });
  metrics
    .command("diff [a_rev] [b_rev]")
    .description("Show metrics that differ between two revisions (default HEAD and the workspace), with the change.")
    .option("--all", "also show unchanged metrics")
    .option("--no-path", "leave out the Path column")
    .option("--targets <files...>", "metrics files to compare instead of those dvc.yaml lists")
    .option("--precision <n>", "digits after the decimal point (default 5)")
    .option("--json", "print JSON")
    .option("--md", "print a Markdown table")
    .action(
      async (
        a: string | undefined,
        b: string | undefined,
        flags: FormatFlags & { all?: boolean; path: boolean; targets?: string[]; precision?: string },
      ) => {
        const precision = precisionOf(flags.precision);
        const [{ diffMetrics }, { formatValue }] = await Promise.all([
          import("../pipeline/metrics/show.js"),
          loadFormatters(),
        ]);
        const result = await diffMetrics({ a, b, all: flags.all, targets: flags.targets });
        const headers = [...(flags.path ? ["Path"] : []), "Metric", result.a, result.b, "Change"];
        const rows = result.changes.map((change) => ({
          Path: change.path,
          Metric: change.key,
          [result.a]: formatValue(change.old, precision),
          [result.b]: formatValue(change.new, precision),
          Change: formatValue(change.change, precision),
        }));
        emit(
          flags,
          diffJson(result.changes, true),
          headers,
          rows,
          `No metric differs between ${result.a} and ${result.b}.`,
        );
      },
    );

  registerPlotsCommands(program);
  registerExpCommands(program);
}

interface PlotsFlags {
  out?: string;
  json?: boolean;
  targets?: string[];
}

async function plotsAction(targets: string[], revisions: string[] | undefined, flags: PlotsFlags): Promise<void> {
  const { collectCharts, renderPlots } = await import("../pipeline/plots/show.js");
  if (flags.json) {
    const collected = await collectCharts({ targets, revisions });
    process.stdout.write(`${JSON.stringify(collected, null, 2)}\n`);
    return;
  }
  const rendered = await renderPlots({ targets, revisions, outDir: flags.out });
  if (wantsJson({})) {
    process.stdout.write(`${JSON.stringify(rendered, null, 2)}\n`);
    return;
  }
  process.stdout.write(
    `Wrote ${rendered.plots.length} plot(s) to ${rendered.index}; open it in a browser (PNGs beside it).\n`,
  );
}

function registerPlotsCommands(program: Command): void {
  const plots = program.command("plots").description("Render pipeline plots as HTML (inline SVG) and PNG.");
  plots
    .command("show [targets...]")
    .description("Render the plots dvc.yaml defines (or the data files given) from the workspace.")
    .option("-o, --out <dir>", "output folder (default dvc_plots)")
    .option("--json", "print the charts' definitions and data instead of writing files")
    .action((targets: string[], flags: PlotsFlags) => plotsAction(targets, undefined, flags));
  plots
    .command("diff [revisions...]")
    .description(
      "Overlay plots from several revisions (default HEAD and the workspace; one revision: it and the workspace).",
    )
    .option("--targets <targets...>", "plot ids or data files (default every plot dvc.yaml defines)")
    .option("-o, --out <dir>", "output folder (default dvc_plots)")
    .option("--json", "print the charts' definitions and data instead of writing files")
    .action((revisions: string[], flags: PlotsFlags) => {
      const compared =
        revisions.length === 0
          ? ["HEAD", "workspace"]
          : revisions.length === 1
            ? [revisions[0]!, "workspace"]
            : revisions;
      return plotsAction(flags.targets ?? [], compared, flags);
    });
}

/** Column names for the keys of `pick(row)` across rows: the key alone, or `file:key` where two files share it. */
function valueColumns(rows: readonly ExperimentRow[], pick: (row: ExperimentRow) => ValuesByFile) {
  const pairs = new Map<string, { file: string; key: string }>();
  for (const row of rows)
    for (const [file, values] of Object.entries(pick(row)))
      for (const key of Object.keys(values)) pairs.set(`${file}\0${key}`, { file, key });
  const count = new Map<string, number>();
  for (const { key } of pairs.values()) count.set(key, (count.get(key) ?? 0) + 1);
  return [...pairs.values()].map(({ file, key }) => ({
    header: count.get(key)! > 1 ? `${file}:${key}` : key,
    value: (row: ExperimentRow) => pick(row)[file]?.[key],
  }));
}

function csvLine(cells: readonly string[]): string {
  return cells.map((cell) => (/[",\n\r]/.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell)).join(",");
}

function registerExpCommands(program: Command): void {
  const exp = program.command("exp").description("Run pipeline experiments with changed parameters, and compare them.");
  exp
    .command("run [targets...]")
    .description("Change parameters (-S), reproduce the pipeline and record the experiment in .dvc/tmp/exps.")
    .option(
      "-S, --set-param <change>",
      "[file:]key=value (file default params.yaml); +key=value adds, ~key removes",
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option("-n, --name <name>", "experiment name (default: a random two-word name)")
    .option("--json", "print JSON")
    .action(async (targets: string[], flags: { setParam?: string[]; name?: string; json?: boolean }) => {
      const { runExperiment } = await import("../pipeline/exp.js");
      const quiet = flags.json || wantsJson({});
      const result = await runExperiment({
        set: flags.setParam,
        name: flags.name,
        targets,
        onEvent: quiet
          ? undefined
          : (event) => {
              if (event.type === "started")
                process.stderr.write(`Running stage '${event.stage}':\n> ${event.commands.join("\n> ")}\n`);
              else if (event.type === "output") process.stderr.write(`${event.line}\n`);
              else if (event.type === "skipped")
                process.stderr.write(`Stage '${event.stage}' didn't change, skipping\n`);
            },
      });
      if (quiet) process.stdout.write(`${JSON.stringify(result.record, null, 2)}\n`);
      else
        process.stdout.write(
          `Ran experiment '${result.record.name}' (${result.repro.ran.length} stage(s) run); recorded in ${result.file}. Compare with 'lathe exp show'.\n`,
        );
    });
  exp
    .command("show")
    .description("Tabulate the workspace, its baseline commit and recorded experiments with their metrics and params.")
    .option("--precision <n>", "digits after the decimal point (default 5)")
    .option("--json", "print JSON")
    .option("--md", "print a Markdown table")
    .option("--csv", "print CSV")
    .action(async (flags: FormatFlags & { csv?: boolean; precision?: string }) => {
      const precision = precisionOf(flags.precision);
      const [{ showExperiments }, { formatValue }] = await Promise.all([
        import("../pipeline/exp.js"),
        loadFormatters(),
      ]);
      const shown = await showExperiments();
      const columns = [
        { header: "Experiment", value: (row: ExperimentRow) => row.experiment },
        { header: "Created", value: (row: ExperimentRow) => row.created?.replace("T", " ").slice(0, 19) ?? "" },
        { header: "State", value: (row: ExperimentRow) => row.state ?? "" },
        ...valueColumns(shown, (row) => row.metrics),
        ...valueColumns(shown, (row) => row.params),
      ];
      const headers = columns.map((column) => column.header);
      const rows = shown.map((row) =>
        Object.fromEntries(
          columns.map((column) => {
            const value = column.value(row);
            return [column.header, typeof value === "string" ? value : formatValue(value, precision)];
          }),
        ),
      );
      if (flags.csv) {
        process.stdout.write(
          `${[csvLine(headers), ...rows.map((row) => csvLine(headers.map((h) => row[h] ?? "")))].join("\n")}\n`,
        );
        return;
      }
      emit(flags, shown, headers, rows, "No experiments.");
    });
}
