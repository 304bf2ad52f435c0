/**
 * Model server benchmark: `lathe serve` on a 100-tree random forest trained on iris (Lathe's own
 * trainer and ONNX export; the largest fixture tree model when those are unavailable), 64 connections
 * of single-row /invocations requests, against a bare Fastify route echoing the same body measured in
 * the same run (the floor); then rows/s for 1,000-row requests. Each server runs in its own process.
 * Prints figures and ratios; it is not a pass/fail test.
 *
 *   npm run bench:serving     (LATHE_BENCH_SECONDS=5 by default)
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Fastify from "fastify";
import { format, type LoadResult, runTimed, startProcess, stopProcess } from "./lib/load.js";

const CONNECTIONS = 64;
const SECONDS = Number(process.env.LATHE_BENCH_SECONDS ?? 5);
const root = fileURLToPath(new URL("..", import.meta.url));

/** The floor server: one route sending back the body it got, as parsed JSON. */
async function serveFloor(): Promise<void> {
  const app = Fastify({ logger: false });
  app.post("/invocations", async (request) => request.body);
  const address = await app.listen({ host: "127.0.0.1", port: 0 });
  process.stdout.write(`listening ${new URL(address).port}\n`);
  process.on("SIGTERM", () => void app.close().then(() => process.exit(0)));
}

function line(label: string, value: string): void {
  process.stdout.write(`${label.padEnd(44)} ${value}\n`);
}

function latency(result: LoadResult): string {
  return `p50 ${format(result.p50, 1)} ms  p99 ${format(result.p99, 1)} ms`;
}

interface BenchModel {
  dir: string;
  description: string;
  columns: string[];
  rows: number[][];
}

/** Trains and exports a 100-tree forest on iris; falls back to the fixture tree when that fails. */
async function prepareModel(folder: string): Promise<BenchModel> {
  const csv = join(root, "examples/iris/data/iris.csv");
  const fixture = join(root, "test/fixtures/onnx/iris_tree.expected.json");
  const expected = JSON.parse(readFileSync(fixture, "utf8")) as { columns: string[]; rows: number[][] };
  try {
    const { readCsvDataset } = await import("../src/models/train/dataset.js");
    const { trainRandomForest } = await import("../src/models/train/forest.js");
    const { exportToOnnx } = await import("../src/models/onnx/export.js");
    const data = await readCsvDataset(csv, { target: "species" });
    const forest = trainRandomForest(data, "classification", { n_estimators: 100, random_state: 0 });
    const path = join(folder, "forest.onnx");
    writeFileSync(path, exportToOnnx(forest));
    const rows = data.rows.map((row) => Array.from(row));
    return {
      dir: path,
      description: "100-tree random forest on iris (Lathe trainer)",
      columns: data.featureNames,
      rows,
    };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return {
      dir: join(root, "test/fixtures/onnx/iris_tree.onnx"),
      description: `fixture iris_tree.onnx (the largest fixture tree model; the forest could not be built: ${reason})`,
      columns: expected.columns,
      rows: expected.rows,
    };
  }
}

async function main(): Promise<void> {
  const folder = mkdtempSync(join(tmpdir(), "lathe-bench-serving-"));
  try {
    const model = await prepareModel(folder);
    const singles = model.rows.map((row) => JSON.stringify({ instances: [row] }));
    const single = (index: number) => singles[index % singles.length] as string;
    const big = JSON.stringify({
      instances: Array.from({ length: 1000 }, (_, i) => model.rows[i % model.rows.length]),
    });
    line("model", model.description);
    line("connections", String(CONNECTIONS));

    const floor = await startProcess(
      process.execPath,
      ["--import", "tsx", fileURLToPath(import.meta.url), "--floor"],
      /listening (\d+)/,
    );
    const floorUrl = `http://127.0.0.1:${floor.match[1]}`;
    await runTimed({
      url: floorUrl,
      connections: CONNECTIONS,
      seconds: 1,
      method: "POST",
      path: "/invocations",
      body: single,
    });
    const floorResult = await runTimed({
      url: floorUrl,
      connections: CONNECTIONS,
      seconds: SECONDS,
      method: "POST",
      path: "/invocations",
      body: single,
    });
    await stopProcess(floor.child);

    const serve = await startProcess(
      process.execPath,
      [
        "--import",
        "tsx",
        join(root, "src/cli/main.ts"),
        "serve",
        model.dir,
        "--port",
        "0",
        "--name",
        "iris",
        "--log-dir",
        join(folder, "predictions"),
        // Extra flags for the model server, e.g. LATHE_BENCH_SERVE_ARGS="--workers 2".
        ...(process.env.LATHE_BENCH_SERVE_ARGS ?? "").split(" ").filter((arg) => arg !== ""),
      ],
      / on http:\/\/[\d.]+:(\d+)/,
    );
    const url = `http://127.0.0.1:${serve.match[1]}`;
    await runTimed({ url, connections: CONNECTIONS, seconds: 1, method: "POST", path: "/invocations", body: single });
    const serving = await runTimed({
      url,
      connections: CONNECTIONS,
      seconds: SECONDS,
      method: "POST",
      path: "/invocations",
      body: single,
    });
    const bulk = await runTimed({
      url,
      connections: 8,
      seconds: SECONDS,
      method: "POST",
      path: "/invocations",
      body: () => big,
    });
    await stopProcess(serve.child);

    line("floor: Fastify echo, 1 row", `${format(floorResult.perSecond)} req/s  ${latency(floorResult)}`);
    line("lathe serve /invocations, 1 row", `${format(serving.perSecond)} req/s  ${latency(serving)}`);
    line("  errors", `${serving.errors} (floor ${floorResult.errors})`);
    line("  ratio to floor (target >= 0.6)", `${format(serving.perSecond / floorResult.perSecond, 2)}x`);
    line("  p99 (target <= 10 ms)", `${format(serving.p99, 1)} ms`);
    line("lathe serve /invocations, 1,000 rows", `${format(bulk.perSecond * 1000)} rows/s  ${latency(bulk)}`);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

if (process.argv.includes("--floor")) await serveFloor();
else await main();
