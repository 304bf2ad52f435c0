/**
 * @module monitoring/monitor-run
 * `lathe monitor`'s loop: load the model's reference sample, then for each window read the prediction
 * log, evaluate drift and performance, and send the results where they are wanted — a monitoring run
 * on the tracking server (experiment `monitoring-<model>`, step = window index), the model server's
 * gauges (`POST <server>/monitoring`), the alert rules, and the HTML report. Only bad input (flags,
 * reference, log folder) throws; a tracking server, model server or alert action that fails during a
 * watch is reported and the watch goes on.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { LatheClient } from "../client/client.js";
import type { ActiveRun } from "../client/run.js";
import { invalidParameter, isLatheError, LatheError } from "../core/errors.js";
import { writeFileAtomic } from "../core/fs.js";
import { type AlertEvent, type AlertRule, createAlertEvaluator } from "./alerts.js";
import type { Correction } from "./correction.js";
import { createMonitor, gaugesBody, type MonitorReference, splitReference, type WindowResult } from "./monitor.js";
import { renderMonitorHtml } from "./monitor-html.js";
import { isMonitoringMetric } from "./prometheus.js";
import { readTable } from "./table.js";
import { readWindow } from "./window.js";

export interface MonitorRunOptions {
  /** `models:/name@alias`, `models:/name/3`, `runs:/<id>/model` or a local model directory. */
  readonly model: string;
  readonly logDir: string;
  /** A local reference CSV/Parquet (features then target); default: the model run's `reference/train_sample.csv`. */
  readonly reference?: string;
  /** The reference's target column (default: its last column). */
  readonly target?: string;
  readonly windowMs?: number;
  readonly windowRows?: number;
  readonly watch?: boolean;
  /** Time between windows of a watch, in ms (default 60 s). */
  readonly intervalMs?: number;
  /** Stop a watch after this many windows. */
  readonly maxWindows?: number;
  readonly signal?: AbortSignal;
  readonly rules?: readonly AlertRule[];
  /** The model server to publish gauges on. */
  readonly serverUrl?: string;
  readonly html?: string;
  /** Tracking server of the monitoring run; no run is logged without one. */
  readonly client?: LatheClient;
  /** Tracking server the model and its reference come from (default `client`). */
  readonly referenceClient?: LatheClient;
  readonly pVal?: number;
  readonly correction?: Correction;
  readonly driftShare?: number;
  /** Each window's result, as soon as it is known. */
  readonly onWindow?: (result: WindowResult, alerts: readonly AlertEvent[]) => void;
  /** Warnings and alert log lines (default stderr). */
  readonly log?: (line: string) => void;
  /** Clock, for tests. */
  readonly now?: () => Date;
}

export interface MonitorRunResult {
  readonly model: string;
  readonly results: WindowResult[];
  readonly runId?: string;
}

/** The registered name (`models:/iris@champion` → iris) or the folder's name. */
export function modelNameOf(model: string): string {
  const registered = /^models:\/([^/@]+)/.exec(model);
  if (registered) return registered[1]!;
  return basename(model.replace(/\/+$/, "")) || "model";
}

async function runIdOf(model: string, client: LatheClient | undefined): Promise<string | undefined> {
  if (model.startsWith("runs:/")) return model.slice("runs:/".length).split("/")[0];
  if (model.startsWith("models:/")) {
    if (!client) throw invalidParameter(`Monitoring '${model}' needs a tracking server: pass --tracking-uri.`);
    const resolved = await client.resolveModelUri(model).catch((error: unknown) => {
      throw new LatheError(
        isLatheError(error) ? error.code : "TEMPORARILY_UNAVAILABLE",
        `Cannot resolve '${model}' on the tracking server: ${(error as Error).message} Check the name and alias, and --tracking-uri.`,
        { cause: error },
      );
    });
    return resolved.runId;
  }
  const { readMLModel } = await import("../models/mlmodel.js");
  const mlmodel = await readMLModel(resolve(model)).catch(() => {
    throw invalidParameter(
      `'${model}' is not a model directory with an MLmodel file, so its reference sample cannot be found: pass --reference <train.csv> (features then target), or monitor models:/<name>@<alias>.`,
    );
  });
  return client ? (mlmodel.run_id ?? undefined) : undefined;
}

/** The reference sample: `--reference`, else the model run's `reference/train_sample.csv`. */
export async function loadReference(options: MonitorRunOptions): Promise<MonitorReference> {
  if (options.reference) return splitReference(await readTable(options.reference), options.target);
  const client = options.referenceClient ?? options.client;
  const runId = await runIdOf(options.model, client);
  if (!runId || !client)
    throw invalidParameter(
      `No reference sample for '${options.model}': pass --reference <train.csv> (features then target), or monitor a model trained with lathe train --track (its run keeps reference/train_sample.csv).`,
    );
  const folder = await mkdtemp(join(tmpdir(), "lathe-monitor-"));
  try {
    const path = await client.downloadArtifacts(runId, "reference/train_sample.csv", folder).catch(() => {
      throw invalidParameter(
        `The run ${runId} of '${options.model}' has no reference/train_sample.csv artifact; pass --reference <train.csv> (features then target).`,
      );
    });
    return splitReference(await readTable(path), options.target);
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

async function postGauges(serverUrl: string, result: WindowResult): Promise<void> {
  const response = await fetch(`${serverUrl.replace(/\/+$/, "")}/monitoring`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(gaugesBody(result)),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`HTTP ${response.status}: ${text.slice(0, 200)}`);
}

/** Runs one evaluation, or a watch until `maxWindows` or the signal. */
export async function runMonitor(options: MonitorRunOptions): Promise<MonitorRunResult> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const now = options.now ?? (() => new Date());
  if ((options.windowMs === undefined) === (options.windowRows === undefined))
    throw invalidParameter("Give exactly one of --window <duration> (e.g. 1h) and --window-rows <n> (e.g. 1000).");
  if (options.rules && !options.watch)
    log("Alert rules are evaluated once; their for: durations only take effect with --watch.");
  for (const rule of options.rules ?? [])
    if (!isMonitoringMetric(rule.metric))
      log(
        `Rule ${rule.name}: '${rule.metric}' is not a monitoring metric, so only Prometheus evaluates it (export-rules).`,
      );
  const reference = await loadReference(options);
  const monitor = createMonitor(reference, {
    pVal: options.pVal,
    correction: options.correction,
    driftShare: options.driftShare,
  });
  const alerts = createAlertEvaluator(options.rules ?? [], { log });
  const name = modelNameOf(options.model);
  let run: ActiveRun | undefined;
  if (options.client) {
    run = await options.client
      .startRun({
        experiment: `monitoring-${name}`,
        runName: `monitor-${now().toISOString().slice(0, 19)}`,
        tags: { "lathe.monitor.model": options.model, "lathe.monitor.log_dir": resolve(options.logDir) },
        recordEnvironment: false,
      })
      .catch((error: unknown) => {
        throw new LatheError(
          "TEMPORARILY_UNAVAILABLE",
          `Cannot start the monitoring run on the tracking server: ${(error as Error).message} Check --tracking-uri, or pass --no-track.`,
          { cause: error },
        );
      });
  }
  const results: WindowResult[] = [];
  const interval = options.intervalMs ?? 60_000;
  try {
    for (let index = 0; ; index++) {
      const window = await readWindow({
        logDir: options.logDir,
        features: reference.featureNames,
        durationMs: options.windowMs,
        rows: options.windowRows,
        now: now(),
      });
      const result = monitor.evaluate(window, index);
      results.push(result);
      if (run) {
        run.logMetrics(result.metrics, index);
        await run
          .flush()
          .catch((error: unknown) =>
            log(`Logging window ${index} to the tracking server failed: ${(error as Error).message}`),
          );
      }
      if (options.serverUrl)
        await postGauges(options.serverUrl, result).catch((error: unknown) =>
          log(`Publishing window ${index} to ${options.serverUrl}/monitoring failed: ${(error as Error).message}`),
        );
      const events = await alerts.evaluate(result.metrics, now());
      if (options.html)
        await writeFileAtomic(
          options.html,
          renderMonitorHtml(results, reference.features, window.features, {
            model: options.model,
            pVal: options.pVal ?? 0.05,
          }),
        );
      options.onWindow?.(result, events);
      if (!options.watch || options.signal?.aborted) break;
      if (options.maxWindows !== undefined && results.length >= options.maxWindows) break;
      try {
        await sleep(interval, undefined, { signal: options.signal });
      } catch {
        break;
      }
    }
  } finally {
    await run?.end("FINISHED").catch(() => undefined);
  }
  return { model: options.model, results, runId: run?.id };
}
