/**
 * @module cli/monitor
 * `lathe monitor <model> --log-dir DIR`: drift, prediction drift and performance of a served model
 * over windows of its prediction log, sent to a monitoring run, the model server's gauges, alert rules
 * and an HTML report. `lathe monitor export-rules` and `export-dashboard` write the Prometheus rules
 * and the Grafana dashboard. The domain loads lazily so `lathe --help` stays quick.
 */
import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import { invalidParameter } from "../core/errors.js";
import type { WindowResult } from "../monitoring/monitor.js";
import { type Column, renderTable, wantsJson } from "./output.js";

interface MonitorFlags {
  logDir?: string;
  reference?: string;
  target?: string;
  window?: string;
  windowRows?: string;
  watch?: boolean;
  interval?: string;
  maxWindows?: string;
  rules?: string;
  server?: string;
  html?: string;
  trackingUri?: string;
  track?: boolean;
  pVal?: string;
  json?: boolean;
}

function positiveInteger(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number <= 0)
    throw invalidParameter(`${flag} must be a whole number > 0, got '${value}'; e.g. ${flag} 1000.`);
  return number;
}

interface FeatureRow {
  feature: string;
  test: string;
  p_value: number | null;
  threshold: number;
  drift: boolean;
}

const FEATURE_COLUMNS: Column<FeatureRow>[] = [
  { header: "FEATURE", value: (row) => row.feature },
  { header: "TEST", value: (row) => row.test },
  { header: "P-VALUE", value: (row) => row.p_value },
  { header: "THRESHOLD", value: (row) => row.threshold },
  { header: "DRIFT", value: (row) => (row.drift ? "yes" : "no") },
];

function describe(result: WindowResult): string {
  const lines = [
    `Window ${result.index}: ${result.rows} rows${result.start ? ` (${result.start} to ${result.end})` : ""}.`,
  ];
  if (!result.drift) return `${lines[0]} Nothing was logged in the window.\n`;
  const rows: FeatureRow[] = result.drift.columns.map((column) => ({
    feature: column.column,
    test: column.test,
    p_value: column.p_value,
    threshold: column.threshold,
    drift: column.drift,
  }));
  const prediction = result.predictionDrift;
  if (prediction)
    rows.push({
      feature: "(prediction)",
      test: prediction.test,
      p_value: prediction.p_value,
      threshold: prediction.threshold,
      drift: prediction.drift,
    });
  lines.push(renderTable(rows, FEATURE_COLUMNS));
  const drift = result.drift;
  lines.push(
    `Dataset drift: ${drift.dataset_drift ? "yes" : "no"} (${drift.number_of_drifted_columns} of ${drift.number_of_columns} features drifted).`,
  );
  const performance = result.performance;
  if (performance) {
    const scores = Object.entries(performance)
      .filter(([key]) => key !== "labelled")
      .map(([key, value]) => `${key} ${Number((value as number).toPrecision(4))}`);
    lines.push(`Performance on ${performance.labelled} labelled rows: ${scores.join(", ")}.`);
  } else lines.push("Performance: no feedback labels in the window yet.");
  return `${lines.join("\n")}\n`;
}

async function readRules(path: string) {
  const { parseAlertRules } = await import("../monitoring/alerts.js");
  const text = await readFile(path, "utf8").catch(() => {
    throw invalidParameter(`Cannot read the rules file '${path}'; check the path.`);
  });
  return parseAlertRules(text, path);
}

/** Registers `lathe monitor` and its export subcommands on `program`. */
export function registerMonitorCommand(program: Command): void {
  const monitor = program
    .command("monitor")
    .description(
      "Watch a served model: drift, prediction drift and accuracy over its prediction log; alerts; Prometheus and Grafana exports.",
    );

  monitor
    .command("run <model>", { isDefault: true })
    .description(
      "Evaluate a window of <model>'s prediction log (models:/name@alias or a model directory); the default subcommand.",
    )
    .requiredOption("--log-dir <dir>", "the prediction log folder of the model server (lathe serve --log-dir)")
    .option(
      "--reference <file>",
      "reference sample CSV/Parquet, features then target (default: the model run's reference/train_sample.csv)",
    )
    .option("--target <column>", "the reference's target column (default: its last column)")
    .option("--window <duration>", "records logged in the last <duration>, e.g. 1h")
    .option("--window-rows <n>", "the last <n> predicted rows")
    .option("--watch", "evaluate a window every --interval until interrupted")
    .option("--interval <duration>", "time between windows of --watch", "60s")
    .option("--max-windows <n>", "stop --watch after <n> windows")
    .option("--rules <file>", "alert rules YAML, evaluated per window")
    .option("--server <url>", "model server to publish the results on as /metrics gauges (POST <url>/monitoring)")
    .option("--html <file>", "write a self-contained HTML report")
    .option("--p-val <p>", "significance level before correction", "0.05")
    .option("--tracking-uri <uri>", "tracking server (default MLFLOW_TRACKING_URI, else http://127.0.0.1:5000)")
    .option("--no-track", "do not log a monitoring run on the tracking server")
    .option("--json", "print JSON lines, one per window")
    .action(async (model: string, flags: MonitorFlags) => {
      const { parseDuration } = await import("../monitoring/duration.js");
      if (flags.window !== undefined && flags.windowRows !== undefined)
        throw invalidParameter("Give either --window <duration> or --window-rows <n>, not both.");
      const windowRows = positiveInteger("--window-rows", flags.windowRows);
      const windowMs =
        flags.window !== undefined || windowRows === undefined
          ? parseDuration(flags.window ?? "1h", "--window")
          : undefined;
      if (windowMs === 0) throw invalidParameter("--window must be longer than 0s; e.g. --window 1h.");
      const intervalMs = parseDuration(flags.interval ?? "60s", "--interval");
      const pVal = Number(flags.pVal ?? "0.05");
      if (!(pVal > 0 && pVal < 1))
        throw invalidParameter(`--p-val must be a number in (0, 1), got '${flags.pVal}'; e.g. --p-val 0.05.`);
      if (flags.server !== undefined && !/^https?:\/\//.test(flags.server))
        throw invalidParameter(
          `--server must be the model server's http(s) URL, e.g. http://127.0.0.1:8080; got '${flags.server}'.`,
        );
      const rules = flags.rules ? await readRules(flags.rules) : undefined;
      const remote = model.startsWith("models:/") || model.startsWith("runs:/");
      const track = flags.track !== false && (remote || flags.trackingUri !== undefined);
      const [{ runMonitor }, { LatheClient }] = await Promise.all([
        import("../monitoring/monitor-run.js"),
        import("../client/client.js"),
      ]);
      const client = remote || track ? new LatheClient({ trackingUri: flags.trackingUri }) : undefined;
      const json = wantsJson(flags);
      const controller = new AbortController();
      const stop = () => controller.abort();
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
      try {
        const outcome = await runMonitor({
          model,
          logDir: flags.logDir!,
          reference: flags.reference,
          target: flags.target,
          windowMs,
          windowRows,
          watch: flags.watch === true,
          intervalMs,
          maxWindows: positiveInteger("--max-windows", flags.maxWindows),
          signal: controller.signal,
          rules,
          serverUrl: flags.server,
          html: flags.html,
          client: track ? client : undefined,
          referenceClient: client,
          pVal,
          onWindow(result, alerts) {
            if (json) {
              process.stdout.write(
                `${JSON.stringify({ model, ...result, alerts: alerts.map((a) => ({ alert: a.rule.name, status: a.status, value: a.value })) })}\n`,
              );
              return;
            }
            process.stdout.write(describe(result));
            for (const alert of alerts) process.stdout.write(`Alert ${alert.rule.name}: ${alert.status}.\n`);
          },
        });
        if (!json) {
          if (outcome.runId)
            process.stdout.write(
              `Logged to run ${outcome.runId} (experiment monitoring-${outcome.model.replace(/^models:\/([^/@]+).*$/, "$1")}).\n`,
            );
          if (flags.html) process.stdout.write(`Wrote the HTML report to ${flags.html}.\n`);
        }
      } finally {
        process.off("SIGINT", stop);
        process.off("SIGTERM", stop);
      }
    });

  monitor
    .command("export-rules <rules>")
    .description("Write the alert rules of <rules> (lathe YAML) as Prometheus alerting rules.")
    .option("-o, --output <file>", "output file (default: stdout)")
    .action(async (rulesPath: string, flags: { output?: string }) => {
      const rules = await readRules(rulesPath);
      const { exportPrometheusRules } = await import("../monitoring/prometheus.js");
      const text = exportPrometheusRules(rules);
      if (!flags.output) return void process.stdout.write(text);
      const { writeFileAtomic } = await import("../core/fs.js");
      await writeFileAtomic(flags.output, text);
      process.stdout.write(`Wrote ${rules.length} Prometheus alerting rule(s) to ${flags.output}.\n`);
    });

  monitor
    .command("export-dashboard")
    .description(
      "Write a Grafana dashboard (JSON) over the model server's metrics: traffic, latency, errors, resources, drift, accuracy.",
    )
    .option("-o, --output <file>", "output file (default: stdout)")
    .option("--title <title>", "dashboard title", "Lathe model serving")
    .option("--uid <uid>", "dashboard uid", "lathe-model-serving")
    .action(async (flags: { output?: string; title?: string; uid?: string }) => {
      const { buildGrafanaDashboard } = await import("../monitoring/grafana.js");
      const text = `${JSON.stringify(buildGrafanaDashboard({ title: flags.title, uid: flags.uid }), null, 2)}\n`;
      if (!flags.output) return void process.stdout.write(text);
      const { writeFileAtomic } = await import("../core/fs.js");
      await writeFileAtomic(flags.output, text);
      process.stdout.write(`Wrote the Grafana dashboard to ${flags.output}.\n`);
    });
}
