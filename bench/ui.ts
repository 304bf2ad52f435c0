/**
 * Web UI benchmark (Debian's Chromium through playwright-core): a `lathe server` holding an
 * experiment of 10,000 runs, then
 *   - time from navigation until the runs table is interactive: first rows rendered and a scroll
 *     to row 150 answered with that row drawn (target ≤ 1 s), against a floor measured in the same
 *     run: the same first runs/search page fetched by Node;
 *   - time to draw a 100,000-point metric chart (uPlot creation, from the page's user timing), and
 *     navigation-to-chart time against the floor of fetching that history from Node.
 * Medians of several fresh page loads. Prints figures and ratios; it is not a pass/fail test.
 *
 *   npm run bench:ui          (LATHE_BENCH_RUNS=10000, LATHE_BENCH_POINTS=100000, LATHE_BENCH_REPEAT=5)
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "vite";
import { LatheClient } from "../src/client/index.js";
import { startTestServer } from "../test/helpers/server.js";
import { CHROMIUM, launchChromium } from "../test/ui/browser.js";
import { forEachLimit, seedRuns } from "../test/ui/seed.js";

const RUNS = Number(process.env.LATHE_BENCH_RUNS ?? 10_000);
const POINTS = Number(process.env.LATHE_BENCH_POINTS ?? 100_000);
const REPEAT = Number(process.env.LATHE_BENCH_REPEAT ?? 5);
const TARGET_MS = 1000;

function line(label: string, value: string): void {
  process.stdout.write(`${label.padEnd(52)} ${value}\n`);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function timeNode(work: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < REPEAT; i++) {
    const started = performance.now();
    await work();
    times.push(performance.now() - started);
  }
  return median(times);
}

async function main(): Promise<void> {
  if (!existsSync(CHROMIUM)) {
    process.stderr.write(`No Chromium at ${CHROMIUM}. Install it with: apt-get install chromium\n`);
    process.exit(1);
  }
  await build({ configFile: fileURLToPath(new URL("../ui/vite.config.ts", import.meta.url)), logLevel: "error" });
  const server = await startTestServer();
  const profile = mkdtempSync(join(tmpdir(), "lathe-bench-chromium-"));
  try {
    const client = new LatheClient({ trackingUri: server.url });
    let started = performance.now();
    const experimentId = await client.getOrCreateExperiment("bench-ui");
    await seedRuns(client, experimentId, RUNS, { concurrency: 32 });
    line(`seeded ${RUNS.toLocaleString("en-US")} runs`, `${((performance.now() - started) / 1000).toFixed(1)} s`);

    started = performance.now();
    const big = await client.createRun({ experimentId: await client.getOrCreateExperiment("bench-ui-chart") });
    const t0 = Date.now();
    await forEachLimit(Math.ceil(POINTS / 1000), 8, async (batch) => {
      const metrics = [];
      for (let step = batch * 1000; step < Math.min(POINTS, (batch + 1) * 1000); step++)
        metrics.push({
          key: "loss",
          value: Math.exp(-step / 20_000) + Math.sin(step / 50) / 20,
          timestamp: t0 + step,
          step,
        });
      await client.logBatch(big.info.run_id, { metrics });
    });
    line(
      `logged a ${POINTS.toLocaleString("en-US")}-point metric`,
      `${((performance.now() - started) / 1000).toFixed(1)} s`,
    );

    const floorTable = await timeNode(() =>
      fetch(`${server.url}/ajax-api/2.0/mlflow/runs/search`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          experiment_ids: [experimentId],
          max_results: 200,
          order_by: ["attributes.start_time DESC"],
        }),
      }).then((response) => response.json()),
    );
    const floorHistory = await timeNode(() => client.getMetricHistory(big.info.run_id, "loss", { pageSize: 25_000 }));

    const context = await launchChromium(profile, { width: 1280, height: 800 });
    const firstRows: number[] = [];
    const interactive: number[] = [];
    const chartTotal: number[] = [];
    const chartDraw: number[] = [];
    try {
      for (let i = 0; i < REPEAT; i++) {
        const page = await context.newPage();
        const begin = performance.now();
        await page.goto(`${server.url}/#/experiments/${experimentId}`);
        await page.locator(".runs-row").first().waitFor();
        firstRows.push(performance.now() - begin);
        await page.locator(".runs-viewport").evaluate((element) => {
          element.scrollTop = 150 * 32;
        });
        await page.locator(".runs-row[aria-rowindex='150']").waitFor();
        interactive.push(performance.now() - begin);
        await page.close();

        const chartPage = await context.newPage();
        const chartBegin = performance.now();
        await chartPage.goto(`${server.url}/#/runs/${big.info.run_id}`);
        await chartPage.locator("figure.chart[data-metric='loss'] canvas").first().waitFor({ timeout: 120_000 });
        chartTotal.push(performance.now() - chartBegin);
        const measured = (await chartPage.evaluate(
          "performance.getEntriesByName('lathe-chart loss').map((entry) => entry.duration)",
        )) as number[];
        chartDraw.push(measured[0] ?? Number.NaN);
        await chartPage.close();
      }
    } finally {
      await context.close();
    }
    const table = median(interactive);
    line("runs/search, first 200 runs, from Node (floor)", `${floorTable.toFixed(0)} ms`);
    line(`runs table: first rows (of ${RUNS.toLocaleString("en-US")})`, `${median(firstRows).toFixed(0)} ms`);
    line(
      "runs table: interactive (scrolled to row 150)",
      `${table.toFixed(0)} ms  (${(table / floorTable).toFixed(1)}× floor)`,
    );
    line("  target", `≤ ${TARGET_MS} ms: ${table <= TARGET_MS ? "met" : "missed"}`);
    line(
      `metric history, ${POINTS.toLocaleString("en-US")} points, from Node (floor)`,
      `${floorHistory.toFixed(0)} ms`,
    );
    line(
      "chart: navigation to drawn",
      `${median(chartTotal).toFixed(0)} ms  (${(median(chartTotal) / floorHistory).toFixed(1)}× floor)`,
    );
    line("chart: uPlot draw of the points", `${median(chartDraw).toFixed(1)} ms`);
  } finally {
    await server.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

await main();
