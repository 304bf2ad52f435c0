/**
 * Model server benchmark: `lathe serve` on a 100-tree random forest trained on iris (Lathe's own
 * trainer and ONNX export; the largest fixture tree model when those are unavailable), 64 connections
 * of single-row /invocations requests, against a bare Fastify route echoing the same body measured in
 * the same run (the floor), in five rounds taken in turn whose medians are compared; then rows/s for
 * 1,000-row requests. Each server runs in its own process.
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
/** Rounds of floor-then-Lathe phases; medians are reported. */
const ROUNDS = Number(process.env.LATHE_BENCH_ROUNDS ?? 5);
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

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
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

    // Both servers stay up and are loaded in turn, floor then Lathe, five rounds: this machine's speed
    // drifts within a minute, so each round's ratio compares two phases taken back to back, and the
    // medians of the rounds are reported.
    const floor = await startProcess(
      process.execPath,
      ["--import", "tsx", fileURLToPath(import.meta.url), "--floor"],
      /listening (\d+)/,
    );
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
    try {
      const floorUrl = `http://127.0.0.1:${floor.match[1]}`;
      const url = `http://127.0.0.1:${serve.match[1]}`;
      const singleRows = (target: string, seconds: number) =>
        runTimed({
          url: target,
          connections: CONNECTIONS,
          seconds,
          method: "POST",
          path: "/invocations",
          body: single,
        });
      await singleRows(floorUrl, 1);
      await singleRows(url, 1);
      const rounds: { floor: LoadResult; serving: LoadResult }[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const floorResult = await singleRows(floorUrl, SECONDS);
        const serving = await singleRows(url, SECONDS);
        rounds.push({ floor: floorResult, serving });
        line(
          `round ${round + 1}`,
          `floor ${format(floorResult.perSecond)} req/s p99 ${format(floorResult.p99, 1)} ms; lathe ${format(serving.perSecond)} req/s p99 ${format(serving.p99, 1)} ms (${format(serving.perSecond / floorResult.perSecond, 2)}x)`,
        );
      }
      const bulk = await runTimed({
        url,
        connections: 8,
        seconds: SECONDS,
        method: "POST",
        path: "/invocations",
        body: () => big,
      });

      const floorRate = median(rounds.map((r) => r.floor.perSecond));
      const servingRate = median(rounds.map((r) => r.serving.perSecond));
      const errors = rounds.reduce((sum, r) => sum + r.serving.errors, 0);
      const floorErrors = rounds.reduce((sum, r) => sum + r.floor.errors, 0);
      const ratio = median(rounds.map((r) => r.serving.perSecond / r.floor.perSecond));
      const p99 = median(rounds.map((r) => r.serving.p99));
      process.stdout.write(`\nMedians of ${ROUNDS} rounds:\n`);
      line(
        "floor: Fastify echo, 1 row",
        `${format(floorRate)} req/s  p50 ${format(median(rounds.map((r) => r.floor.p50)), 1)} ms  p99 ${format(median(rounds.map((r) => r.floor.p99)), 1)} ms`,
      );
      line(
        "lathe serve /invocations, 1 row",
        `${format(servingRate)} req/s  p50 ${format(median(rounds.map((r) => r.serving.p50)), 1)} ms  p99 ${format(p99, 1)} ms`,
      );
      line("  errors", `${errors} (floor ${floorErrors})`);
      line("  ratio to floor (target >= 0.6)", `${format(ratio, 2)}x`);
      line("  p99 (target <= 10 ms)", `${format(p99, 1)} ms`);
      line("lathe serve /invocations, 1,000 rows", `${format(bulk.perSecond * 1000)} rows/s  ${latency(bulk)}`);
    } finally {
      await Promise.all([stopProcess(floor.child), stopProcess(serve.child)]);
    }
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

if (process.argv.includes("--floor")) await serveFloor();
else await main();
