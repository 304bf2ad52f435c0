/**
 * @module models/train-command
 * `lathe train`: fit a built-in model on a CSV, evaluate it on held-out rows, save it as an MLflow
 * model directory (ONNX inside), and optionally record all of it as a tracked run — parameters,
 * metrics, the energy and emissions of training, the model, a confusion-matrix image, a sample of
 * the training data as the drift reference — and register the model.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { LatheClient } from "../client/client.js";
import { invalidParameter, LatheError } from "../core/errors.js";
import { appendEmissionsCsv, EnergyTracker } from "../energy/tracker.js";
import { saveTrainedModel } from "./save-trained.js";
import { kFold, stratifiedKFold } from "./train/cv.js";
import { type Dataset, readCsvDataset, subset } from "./train/dataset.js";
import {
  accuracy,
  confusionMatrix,
  logLoss,
  meanAbsoluteError,
  precisionRecallF1,
  r2Score,
  rocAuc,
  rootMeanSquaredError,
} from "./train/metrics.js";
import type { ClassLabel, TrainedModel } from "./train/model.js";
import { predict } from "./train/predict.js";
import { ALGORITHMS, type Algorithm, resolveTask, type TrainOptions, train } from "./train/train.js";

/** Rows of the training data kept with the model as the reference for drift detection. */
export const REFERENCE_ROWS = 1000;

export interface TrainCommandOptions {
  /** CSV with a header row. */
  data: string;
  /** Target column (default: the last column). */
  target?: string;
  algo: string;
  /** Algorithm parameters as written on the command line (`n_estimators=100`). */
  params?: Readonly<Record<string, string>>;
  /** CSV to evaluate on; without it, `testFraction` of the data is held out. */
  test?: string;
  /** Share of rows held out for evaluation when no test file is given (default 0.2; 0 evaluates nothing). */
  testFraction?: number;
  /** Seed of the split and of the algorithm, unless the parameters give `random_state`. */
  seed?: number;
  /** Where to write the model directory (default: `./model`, or a temporary folder when tracking). */
  out?: string;
  /** Record a run on this tracking server. */
  client?: LatheClient;
  experiment?: string;
  runName?: string;
  /** Register the model under this name (needs `client`). */
  register?: string;
  cwd?: string;
}

export interface TrainCommandResult {
  algo: Algorithm;
  task: "classification" | "regression";
  trainRows: number;
  testRows: number;
  params: Record<string, string | number | boolean>;
  metrics: Record<string, number>;
  confusion?: { labels: ClassLabel[]; matrix: number[][] };
  /** The model directory written locally (absent when it was only a temporary folder for tracking). */
  modelDir?: string;
  runId?: string;
  modelUri?: string;
  registered?: { name: string; version: string };
  /** Energy and emissions of the training itself (CodeCarbon's method; see src/energy). */
  energy: { energy_kwh: number; emissions_kg: number; duration_seconds: number; measurement: "rapl" | "tdp" };
}

/** `"100"` → 100, `"true"` → true, `"sqrt"` → "sqrt": parameters as the trainers take them. */
export function parseParamValue(text: string): string | number | boolean {
  if (/^(true|false)$/i.test(text)) return text.toLowerCase() === "true";
  if (text.trim() !== "" && Number.isFinite(Number(text))) return Number(text);
  return text;
}

/** Parses `key=value` pairs from the command line. */
export function parseParamPairs(pairs: readonly string[]): Record<string, string> {
  const params: Record<string, string> = {};
  for (const pair of pairs) {
    const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(pair);
    if (!match) throw invalidParameter(`--param '${pair}' is not key=value. Write it like --param n_estimators=100.`);
    params[match[1]!] = match[2]!;
  }
  return params;
}

function checkAlgorithm(algo: string): Algorithm {
  if (!(ALGORITHMS as readonly string[]).includes(algo))
    throw invalidParameter(`Unknown algorithm '${algo}'. Choose one of: ${ALGORITHMS.join(", ")}.`);
  return algo as Algorithm;
}

function holdOut(data: Dataset, fraction: number, seed: number, classification: boolean) {
  if (!(fraction >= 0 && fraction < 1))
    throw invalidParameter(`--test-fraction must be at least 0 and below 1, got ${fraction}.`);
  if (fraction === 0) return { train: data, test: undefined };
  const folds = Math.max(2, Math.round(1 / fraction));
  const options = { n_splits: folds, shuffle: true, random_state: seed };
  const [fold] = classification ? stratifiedKFold(data.target, options) : kFold(data.rows.length, options);
  return { train: subset(data, fold!.train), test: subset(data, fold!.test) };
}

function evaluate(model: TrainedModel, test: Dataset) {
  const prediction = predict(model, test.rows);
  const metrics: Record<string, number> = {};
  if (model.task === "regression") {
    const truth = test.target.map(Number);
    const values = prediction.values!;
    metrics.mae = meanAbsoluteError(truth, values);
    metrics.rmse = rootMeanSquaredError(truth, values);
    metrics.r2 = r2Score(truth, values);
    return { metrics };
  }
  const labels = prediction.labels!;
  const classes = model.classes ?? [];
  metrics.accuracy = accuracy(test.target, labels);
  for (const average of ["macro", "weighted"] as const) {
    const scores = precisionRecallF1(test.target, labels, average);
    metrics[`precision_${average}`] = scores.precision;
    metrics[`recall_${average}`] = scores.recall;
    metrics[`f1_${average}`] = scores.f1;
  }
  if (prediction.probabilities) {
    metrics.log_loss = logLoss(test.target, prediction.probabilities, classes);
    // ROC-AUC needs every class among the true labels.
    if (classes.length >= 2 && classes.every((label) => test.target.includes(label)))
      metrics.roc_auc = rocAuc(test.target, prediction.probabilities, classes);
  }
  return { metrics, confusion: confusionMatrix(test.target, labels, classes) };
}

function csvCell(value: ClassLabel): string {
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The first rows of a dataset as CSV, features then target, as the drift reference. */
export function referenceCsv(data: Dataset, rows = REFERENCE_ROWS): string {
  const header = [...data.featureNames, data.targetName].map(csvCell).join(",");
  const lines = data.rows
    .slice(0, rows)
    .map((row, index) => [...Array.from(row, (value) => String(value)), csvCell(data.target[index]!)].join(","));
  return `${[header, ...lines].join("\n")}\n`;
}

async function confusionPng(labels: ClassLabel[], matrix: number[][]): Promise<Buffer> {
  const [{ layoutChart }, { rasterize }, { encodePng }] = await Promise.all([
    import("../pipeline/plots/layout.js"),
    import("../pipeline/plots/raster.js"),
    import("../pipeline/plots/png.js"),
  ]);
  const names = labels.map(String);
  const scene = layoutChart({
    id: "confusion_matrix",
    title: "Confusion matrix (test rows)",
    template: "confusion",
    kind: "confusion",
    xLabel: "predicted",
    yLabel: "actual",
    series: [],
    panels: [{ label: "test", xValues: names, yValues: names, cells: matrix }],
  });
  return encodePng(rasterize(scene));
}

/** Trains, evaluates, saves and (with a client) tracks and registers one model. */
export async function trainCommand(options: TrainCommandOptions): Promise<TrainCommandResult> {
  const cwd = options.cwd ?? process.cwd();
  const algo = checkAlgorithm(options.algo);
  if (options.register && !options.client)
    throw invalidParameter("--register needs a tracking server: add --track (and --tracking-uri if not the default).");
  const seed = options.seed ?? 0;
  const params = Object.fromEntries(
    Object.entries(options.params ?? {}).map(([key, value]) => [key, parseParamValue(value)]),
  );
  const data = await readCsvDataset(resolve(cwd, options.data), { target: options.target, source: options.data });
  const task = resolveTask(algo, data, undefined);
  const split = options.test
    ? {
        train: data,
        test: await readCsvDataset(resolve(cwd, options.test), { target: data.targetName, source: options.test }),
      }
    : holdOut(data, options.testFraction ?? 0.2, seed, task === "classification");
  if (split.test && split.test.featureNames.join("\0") !== data.featureNames.join("\0"))
    throw invalidParameter(
      `${options.test} has columns ${split.test.featureNames.join(", ")}, but ${options.data} has ${data.featureNames.join(", ")}. Give both files the same feature columns.`,
    );
  const trainOptions = { random_state: seed, ...params, task } as TrainOptions;
  const tracker = new EnergyTracker();
  const model = train(algo, split.train, trainOptions);
  const energyRecord = tracker.stop();
  const evaluation = split.test ? evaluate(model, split.test) : { metrics: {} };
  const result: TrainCommandResult = {
    algo,
    task,
    trainRows: split.train.rows.length,
    testRows: split.test?.rows.length ?? 0,
    params,
    metrics: evaluation.metrics,
    ...(evaluation.confusion ? { confusion: evaluation.confusion } : {}),
    energy: {
      energy_kwh: energyRecord.energy_consumed,
      emissions_kg: energyRecord.emissions,
      duration_seconds: energyRecord.duration,
      measurement: energyRecord.cpu_measurement,
    },
  };
  const inputExample = split.train.rows.slice(0, 5).map((row) => [...row]);

  if (!options.client) {
    const dir = resolve(cwd, options.out ?? "model");
    await saveTrainedModel(dir, model, { inputExample });
    return { ...result, modelDir: dir };
  }

  const client = options.client;
  const scratch = await mkdtemp(join(tmpdir(), "lathe-train-"));
  try {
    const run = await client.startRun({ experiment: options.experiment, runName: options.runName ?? `${algo}` });
    try {
      await run.logParams({ algo, task, train_rows: result.trainRows, test_rows: result.testRows, ...params });
      for (const [key, value] of Object.entries(result.metrics)) run.logMetric(key, value);
      run.logMetric("energy_kwh", energyRecord.energy_consumed);
      run.logMetric("emissions_kg", energyRecord.emissions);
      await appendEmissionsCsv(join(scratch, "emissions.csv"), energyRecord, {
        projectName: options.experiment ?? "lathe",
        runId: run.id,
        experimentId: run.experimentId,
      });
      await run.logArtifact(join(scratch, "emissions.csv"));
      const dir = options.out ? resolve(cwd, options.out) : join(scratch, "model");
      await saveTrainedModel(dir, model, { inputExample, runId: run.id });
      const logged = await run.logModel(dir);
      await writeFile(join(scratch, "train_sample.csv"), referenceCsv(split.train));
      await run.logArtifact(join(scratch, "train_sample.csv"), "reference");
      if (result.confusion) {
        await writeFile(
          join(scratch, "confusion_matrix.png"),
          await confusionPng(result.confusion.labels, result.confusion.matrix),
        );
        await writeFile(join(scratch, "confusion_matrix.json"), `${JSON.stringify(result.confusion)}\n`);
        await run.logArtifact(join(scratch, "confusion_matrix.png"));
        await run.logArtifact(join(scratch, "confusion_matrix.json"));
      }
      await run.end();
      Object.assign(result, { runId: run.id, modelUri: logged.modelUri }, options.out ? { modelDir: dir } : {});
    } catch (error) {
      await run.end("FAILED").catch(() => undefined);
      throw error;
    }
    if (options.register) {
      try {
        await client.getRegisteredModel(options.register);
      } catch (error) {
        if (!(error instanceof LatheError) || error.code !== "RESOURCE_DOES_NOT_EXIST") throw error;
        await client.createRegisteredModel(options.register);
      }
      const version = await client.createModelVersion(options.register, result.modelUri!, { runId: result.runId });
      result.registered = { name: options.register, version: version.version };
    }
    return result;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
