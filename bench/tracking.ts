/**
 * Tracking server benchmark: log-metric, log-batch, bulk run creation and search, at 16 concurrent
 * clients on loopback, against a bare Fastify route measured in the same run as the floor.
 * Prints figures and ratios; it is not a pass/fail test.
 *
 *   npm run build && npm run bench            (LATHE_BENCH_RUNS=10000 LATHE_BENCH_SECONDS=5 by default)
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { format, HttpClient, runLoad, startProcess, stopProcess } from "./lib/load.js";

const CONCURRENCY = 16;
const SECONDS = Number(process.env.LATHE_BENCH_SECONDS ?? 5);
const RUNS = Number(process.env.LATHE_BENCH_RUNS ?? 10000);
const API = "/api/2.0/mlflow";
const root = fileURLToPath(new URL("..", import.meta.url));

function line(label: string, value: string): void {
  process.stdout.write(`${label.padEnd(44)} ${value}\n`);
}

async function measureFloor(): Promise<number> {
  const { child, match } = await startProcess(
    process.execPath,
    ["--import", "tsx", join(root, "bench/lib/floor-server.ts")],
    /listening (\d+)/,
  );
  const client = new HttpClient("127.0.0.1", Number(match[1]), CONCURRENCY);
  await runLoad(client, { concurrency: CONCURRENCY, seconds: 1 }, () => ({
    method: "POST",
    path: "/floor",
    body: "{}",
  }));
  const result = await runLoad(client, { concurrency: CONCURRENCY, seconds: SECONDS }, () => ({
    method: "POST",
    path: "/floor",
    body: "{}",
  }));
  client.close();
  await stopProcess(child);
  line(
    "floor: bare Fastify POST {}",
    `${format(result.perSecond)} req/s  p50 ${format(result.p50, 2)} ms  p99 ${format(result.p99, 2)} ms`,
  );
  return result.perSecond;
}

async function startLathe(dir: string): Promise<{ port: number; stop: () => Promise<void> }> {
  const { child, match } = await startProcess(
    process.execPath,
    [
      join(root, "dist/cli/main.js"),
      "server",
      "--port",
      "0",
      "--backend-store-uri",
      `sqlite:///${join(dir, "bench.db")}`,
      "--artifacts-destination",
      join(dir, "artifacts"),
    ],
    /listening on http:\/\/[\d.]+:(\d+)/,
    { LATHE_LOG_LEVEL: "warn" },
  );
  return { port: Number(match[1]), stop: () => stopProcess(child) };
}

async function main(): Promise<void> {
  process.stdout.write(
    `Lathe tracking benchmark — ${CONCURRENCY} concurrent clients, ${SECONDS} s per phase, ${RUNS} runs\n\n`,
  );
  const floor = await measureFloor();
  const dir = mkdtempSync(join(tmpdir(), "lathe-bench-"));
  const lathe = await startLathe(dir);
  const client = new HttpClient("127.0.0.1", lathe.port, CONCURRENCY);
  try {
    const experiment = JSON.parse(
      (await client.send("POST", `${API}/experiments/create`, JSON.stringify({ name: "bench" }))).text,
    ) as {
      experiment_id: string;
    };
    const runOf = async (name: string) =>
      (
        JSON.parse(
          (
            await client.send(
              "POST",
              `${API}/runs/create`,
              JSON.stringify({ experiment_id: experiment.experiment_id, run_name: name }),
            )
          ).text,
        ) as {
          run: { info: { run_id: string } };
        }
      ).run.info.run_id;

    // log-metric: every client logs to the same run, as a training loop with many workers would.
    const metricRun = await runOf("log-metric");
    const now = Date.now();
    const logMetric = await runLoad(client, { concurrency: CONCURRENCY, seconds: SECONDS }, (i) => ({
      method: "POST",
      path: `${API}/runs/log-metric`,
      body: JSON.stringify({
        run_id: metricRun,
        key: `loss${i % 8}`,
        value: Math.random(),
        timestamp: now + i,
        step: i,
      }),
    }));
    line(
      "log-metric",
      `${format(logMetric.perSecond)} req/s  p50 ${format(logMetric.p50, 2)} ms  p99 ${format(logMetric.p99, 2)} ms  (${format(logMetric.perSecond / floor, 2)}× floor, ${logMetric.errors} errors)`,
    );

    // log-batch of 1,000 metrics.
    const batchRun = await runOf("log-batch");
    const logBatch = await runLoad(client, { concurrency: CONCURRENCY, seconds: SECONDS }, (i) => ({
      method: "POST",
      path: `${API}/runs/log-batch`,
      body: JSON.stringify({
        run_id: batchRun,
        metrics: Array.from({ length: 1000 }, (_, j) => ({
          key: `m${j % 20}`,
          value: Math.random(),
          timestamp: now + i,
          step: i * 50 + Math.floor(j / 20),
        })),
      }),
    }));
    line(
      "log-batch (1,000 metrics per request)",
      `${format(logBatch.perSecond * 1000)} metrics/s  ${format(logBatch.perSecond, 1)} req/s  p50 ${format(logBatch.p50, 1)} ms  (${logBatch.errors} errors)`,
    );

    // Create RUNS runs, each with 5 params and 5 metrics (create + log-batch).
    const createStart = performance.now();
    const runIds: string[] = [];
    await runLoad(client, { concurrency: CONCURRENCY, total: RUNS }, (i) => ({
      method: "POST",
      path: `${API}/runs/create`,
      body: JSON.stringify({ experiment_id: experiment.experiment_id, run_name: `run-${i}`, start_time: now + i }),
    })).then(() => undefined);
    const search = await client.send(
      "POST",
      `${API}/runs/search`,
      JSON.stringify({
        experiment_ids: [experiment.experiment_id],
        max_results: 50000,
        filter: "attributes.run_name LIKE 'run-%'",
      }),
    );
    for (const run of (JSON.parse(search.text) as { runs: { info: { run_id: string } }[] }).runs)
      runIds.push(run.info.run_id);
    await runLoad(client, { concurrency: CONCURRENCY, total: runIds.length }, (i) => ({
      method: "POST",
      path: `${API}/runs/log-batch`,
      body: JSON.stringify({
        run_id: runIds[i],
        params: Array.from({ length: 5 }, (_, j) => ({ key: `p${j}`, value: String((i + j) % 10) })),
        metrics: Array.from({ length: 5 }, (_, j) => ({
          key: `m${j}`,
          value: ((i * 7919 + j * 104729) % 1000) / 1000,
          timestamp: now,
          step: 0,
        })),
      }),
    }));
    const createSeconds = (performance.now() - createStart) / 1000;
    line(
      `create ${format(runIds.length)} runs with 5 params + 5 metrics`,
      `${format(createSeconds, 2)} s  (${format(runIds.length / createSeconds)} runs/s)`,
    );

    // Search with a filter and order_by over those runs.
    for (const maxResults of [100, 1000]) {
      const body = JSON.stringify({
        experiment_ids: [experiment.experiment_id],
        filter: "metrics.m0 > 0.5 and params.p1 != '3'",
        order_by: ["metrics.m0 DESC"],
        max_results: maxResults,
      });
      const searchLoad = await runLoad(client, { concurrency: CONCURRENCY, seconds: SECONDS }, () => ({
        method: "POST",
        path: `${API}/runs/search`,
        body,
      }));
      line(
        `search (filter + order_by, page of ${maxResults})`,
        `${format(searchLoad.perSecond, 1)} req/s  p50 ${format(searchLoad.p50, 1)} ms  p99 ${format(searchLoad.p99, 1)} ms  (${searchLoad.errors} errors)`,
      );
    }
    process.stdout.write(
      "\nFor scale, MLflow's own server on such a machine: about 320 log-metric req/s, 32,000 metrics/s in log-batch, and a 630 ms search over 2,000 runs.\n",
    );
  } finally {
    client.close();
    await lathe.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
