/**
 * Seed data for the web UI's browser tests and benchmark, written through the client SDK against a
 * real `lathe server`: an experiment of runs with params, metrics, tags and metric histories; one
 * run with artifacts (image, CSV, HTML, text, a logged model with an MLmodel signature), dataset
 * inputs and environment tags; a registered model with three versions and a moved alias; a
 * `monitoring-<model>` experiment of drift windows; and a small pipeline project.
 */
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { deflateSync } from "node:zlib";
import { LatheClient } from "../../src/client/index.js";
import { makeRepo, repro, writeFiles } from "../pipeline/helpers.js";

export const MODEL_NAME = "iris-classifier";
export const EXPERIMENT_NAME = "ui-iris";
export const SHOWCASE_RUN = "showcase";

const MODELS = ["tree", "linear", "forest"];

/** Runs `work` over `count` indexes with `limit` in flight. */
export async function forEachLimit(
  count: number,
  limit: number,
  work: (index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) await work(next++);
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, worker));
}

/** `count` runs in `experimentId`, each with params, two metrics and a tag; every 50th with a loss history. */
export async function seedRuns(
  client: LatheClient,
  experimentId: string,
  count: number,
  options: { historySteps?: number; concurrency?: number } = {},
): Promise<void> {
  const base = Date.UTC(2026, 0, 1);
  await forEachLimit(count, options.concurrency ?? 16, async (index) => {
    const run = await client.createRun({
      experimentId,
      runName: `run-${String(index).padStart(5, "0")}`,
      startTime: base + index * 1000,
    });
    const id = run.info.run_id;
    const steps = index % 50 === 0 ? (options.historySteps ?? 20) : 1;
    const metrics = [];
    for (let step = 0; step < steps; step++) {
      metrics.push({ key: "loss", value: 1 / (step + 1 + (index % 7)), timestamp: base + index * 1000 + step, step });
    }
    metrics.push({
      key: "accuracy",
      value: 0.5 + ((index * 37) % 500) / 1000,
      timestamp: base + index * 1000,
      step: 0,
    });
    await client.logBatch(id, {
      metrics,
      params: [
        { key: "model", value: MODELS[index % 3]! },
        { key: "lr", value: String(((index % 10) + 1) / 100) },
        { key: "depth", value: String((index % 8) + 1) },
      ],
      tags: { team: index % 2 === 0 ? "vision" : "tabular" },
    });
    await client.updateRun(id, { status: "FINISHED", endTime: base + index * 1000 + 500 });
  });
}

/** A valid 8×8 PNG (a gradient), built here so no binary fixture is needed. */
export function tinyPng(): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (bytes: Buffer) => {
    let c = 0xffffffff;
    for (const byte of bytes) c = crcTable[(c ^ byte) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(body));
    return Buffer.concat([length, body, sum]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(8, 0);
  header.writeUInt32BE(8, 4);
  header[8] = 8;
  header[9] = 2;
  const rows: number[] = [];
  for (let y = 0; y < 8; y++) {
    rows.push(0);
    for (let x = 0; x < 8; x++) rows.push(x * 32, y * 32, 160);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(Buffer.from(rows))),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

const MLMODEL = `flavors:
  onnx:
    onnx_version: 1.15.0
    data: model.onnx
signature:
  inputs: '[{"type": "double", "name": "sepal_length"}, {"type": "double", "name": "petal_length"}]'
  outputs: '[{"type": "long", "name": "species"}]'
mlflow_version: 2.14.0
`;

export interface SeededData {
  experimentId: string;
  showcaseRunId: string;
  versionRunIds: string[];
}

async function seedShowcase(client: LatheClient, experimentName: string, scratch: string): Promise<string> {
  const run = await client.startRun({ experiment: experimentName, runName: SHOWCASE_RUN, tags: { team: "vision" } });
  await run.logParams({ model: "forest", lr: 0.05, depth: 6 });
  for (let step = 0; step < 60; step++) {
    run.logMetrics({ loss: 2 / (step + 1), accuracy: 0.6 + step / 200 }, step);
  }
  run.logMetrics({ energy_kwh: 0.0012, emissions_kg: 0.0004 }, 0);
  await run.flush();
  await client.logInputs(run.id, [
    {
      dataset: { name: "iris", digest: "abc123", source_type: "local", source: "data/iris.csv" },
      tags: [{ key: "mlflow.data.context", value: "training" }],
    },
  ]);
  const files = join(scratch, "showcase");
  await mkdir(join(files, "model"), { recursive: true });
  await writeFile(join(files, "confusion.png"), tinyPng());
  await writeFile(join(files, "predictions.csv"), 'id,label,score\n1,setosa,0.98\n2,"versi, color",0.71\n');
  await writeFile(join(files, "report.html"), "<h1>Evaluation</h1><p>accuracy 0.9</p>");
  await writeFile(join(files, "notes.txt"), "trained on iris\n");
  await writeFile(join(files, "model", "MLmodel"), MLMODEL);
  await writeFile(join(files, "model", "model.onnx"), "not a real network");
  for (const name of ["confusion.png", "predictions.csv", "report.html", "notes.txt"]) {
    await run.logArtifact(join(files, name));
  }
  await run.logModel(join(files, "model"), "model");
  await run.end();
  return run.id;
}

async function seedRegistry(client: LatheClient, experimentName: string): Promise<string[]> {
  const ids: string[] = [];
  await client.createRegisteredModel(MODEL_NAME, { description: "Iris species classifier." });
  for (let index = 1; index <= 3; index++) {
    const run = await client.startRun({ experiment: experimentName, runName: `candidate-${index}` });
    run.logMetric("accuracy", 0.8 + index / 50);
    await run.end();
    ids.push(run.id);
    await client.createModelVersion(MODEL_NAME, `runs:/${run.id}/model`, { runId: run.id });
  }
  await client.transitionModelVersionStage(MODEL_NAME, "1", "Production");
  await client.setRegisteredModelAlias(MODEL_NAME, "champion", "1");
  await client.setRegisteredModelAlias(MODEL_NAME, "champion", "2");
  return ids;
}

async function seedMonitoring(client: LatheClient): Promise<void> {
  const run = await client.startRun({ experiment: `monitoring-${MODEL_NAME}`, runName: "monitor-window-run" });
  for (let window = 0; window < 6; window++) {
    const drifted = window >= 4;
    run.logMetrics(
      {
        "drift_p_value.sepal_length": drifted ? 0.001 : 0.4 + window / 20,
        "drift_p_value.petal_length": drifted ? 0.01 : 0.6,
        drift_p_value: drifted ? 0.001 : 0.4,
        share_of_drifted_columns: drifted ? 1 : 0,
        dataset_drift: drifted ? 1 : 0,
        accuracy: drifted ? 0.7 : 0.93,
        rows: 100 + window,
      },
      window,
    );
  }
  await run.end();
}

/** A data repository with three pipeline stages: one up to date, one changed since its lock, one never run. */
export async function seedPipeline(): Promise<string> {
  const root = await makeRepo();
  const stages = `stages:
  prepare:
    cmd: cp raw.txt prepared.txt
    deps: [raw.txt]
    outs: [prepared.txt]
  train:
    cmd: cp prepared.txt model.txt
    deps: [prepared.txt, params.yaml]
    outs: [model.txt]
`;
  await writeFiles(root, { "dvc.yaml": stages, "raw.txt": "raw\n", "params.yaml": "lr: 0.1\n" });
  await repro(root);
  await writeFiles(root, {
    "params.yaml": "lr: 0.2\n",
    "dvc.yaml": `${stages}  evaluate:
    cmd: cp model.txt score.txt
    deps: [model.txt]
    outs: [score.txt]
`,
  });
  return root;
}

/** Everything the UI's pages show, except the pipeline project (see `seedPipeline`). */
export async function seedUiData(trackingUri: string, runCount = 300): Promise<SeededData> {
  const client = new LatheClient({ trackingUri });
  const scratch = await mkdtemp(join(tmpdir(), "lathe-ui-seed-"));
  const experimentId = await client.getOrCreateExperiment(EXPERIMENT_NAME);
  await seedRuns(client, experimentId, runCount);
  const showcaseRunId = await seedShowcase(client, EXPERIMENT_NAME, scratch);
  const versionRunIds = await seedRegistry(client, EXPERIMENT_NAME);
  await seedMonitoring(client);
  return { experimentId, showcaseRunId, versionRunIds };
}
