/**
 * @module demo
 * `lathe demo`: the lifecycle on the embedded default (SQLite + local folders) in a fresh folder —
 * version the data, run a tracked pipeline that trains two models, register the better one as the
 * champion, serve it, send normal then shifted traffic, and measure the drift. Each step uses only
 * what Lathe really does; a step whose capability is not available yet is skipped with a one-line
 * note, never imitated.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { copyFile, mkdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { LatheClient } from "../client/client.js";
import { writeFileAtomic } from "../core/fs.js";
import { addCommand } from "../data/commands.js";
import { initDataRepo } from "../data/repo.js";
import { logModel } from "../models/log.js";
import { Random } from "../models/train/random.js";
import { detectFeatureDrift } from "../monitoring/detect.js";
import { tableFromColumns } from "../monitoring/table.js";
import { reproduce } from "../pipeline/repro.js";
import { StageClock, trackStages } from "../pipeline/track.js";
import { startServer } from "../server/start.js";
import { DEFAULT_SERVE_SETTINGS, startModelServer } from "../serving/start.js";
import { parseCsv } from "./csv.js";

export interface DemoOptions {
  /** Working folder; a new temporary one when absent. */
  dir?: string;
  /** Leave the servers running after the demo. */
  keep?: boolean;
  /** Non-interactive: also write the summary as JSON to <dir>/demo-summary.json. */
  ci?: boolean;
  print?: (line: string) => void;
}

export interface DemoSummary {
  dir: string;
  trackingUrl: string;
  servingUrl: string;
  /** The stage runs `lathe repro --track` recorded. */
  runs: { stage: string; run_id: string; accuracy: number }[];
  champion: { name: string; version: string; algo: string; accuracy: number };
  traffic: { requests: number; failed: number };
  /** Per window, the smallest per-feature p-value and whether the dataset counts as drifted. */
  drift: { window: "in-distribution" | "shifted"; min_p_value: number; dataset_drift: boolean; drifted: string[] }[];
  skipped: string[];
}

const IRIS = fileURLToPath(new URL("../../examples/iris/data/iris.csv", import.meta.url));
const FEATURES = ["sepal_length_cm", "sepal_width_cm", "petal_length_cm", "petal_width_cm"];
const ALGOS = ["rf", "logreg"] as const;
const NOT_YET = [
  "data validation with an expectation suite, and the champion's model card",
  "continuous monitoring of the prediction log, accuracy from feedback labels, alerts and retraining",
];

/** The `lathe` command line for stage commands: this very CLI, run by this Node. */
function latheCommand(): string {
  const built = fileURLToPath(new URL("../cli/main.js", import.meta.url));
  const source = fileURLToPath(new URL("../cli/main.ts", import.meta.url));
  const quote = (text: string) => `'${text.replace(/'/g, "'\\''")}'`;
  if (import.meta.url.endsWith(".ts"))
    return `${quote(process.execPath)} --import ${quote(import.meta.resolve("tsx"))} ${quote(source)}`;
  return `${quote(process.execPath)} ${quote(built)}`;
}

function pipelineYaml(lathe: string): string {
  const stages = ALGOS.map(
    (algo) => `  train_${algo}:
    desc: Train ${algo} on the versioned iris data and evaluate it on held-out rows.
    cmd: ${JSON.stringify(`${lathe} train --data data/raw/iris.csv --target species --algo ${algo} --out models/${algo} --json > metrics/${algo}.json`)}
    deps:
      - data/raw/iris.csv
    outs:
      - models/${algo}
    metrics:
      - metrics/${algo}.json:
          cache: false
`,
  );
  return `stages:\n${stages.join("")}`;
}

/** Rows of iris with a seeded shuffle; `shift` is added to petal length (cm). */
function sampleRows(rows: string[][], count: number, seed: number, shift = 0): number[][] {
  const random = new Random(seed);
  return Array.from({ length: count }, () => {
    const row = rows[random.nextInt(rows.length)]!.slice(0, 4).map(Number);
    row[2] = row[2]! + shift;
    return row;
  });
}

export async function runDemo(options: DemoOptions = {}): Promise<DemoSummary> {
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const dir = options.dir ? resolve(options.dir) : mkdtempSync(join(tmpdir(), "lathe-demo-"));
  const project = join(dir, "project");
  await mkdir(join(project, "data", "raw"), { recursive: true });
  await mkdir(join(project, "metrics"), { recursive: true });
  print(`Lathe demo in ${dir}`);

  // 1. A project with versioned data.
  const git = (...args: string[]) => execFileSync("git", args, { cwd: project, stdio: ["ignore", "pipe", "pipe"] });
  git("init", "-q");
  git("config", "user.email", "demo@example.com");
  git("config", "user.name", "Lathe demo");
  await initDataRepo(project);
  await copyFile(IRIS, join(project, "data", "raw", "iris.csv"));
  const [added] = await addCommand(["data/raw/iris.csv"], { cwd: project });
  print(`[1/5] project in ${project}: data/raw/iris.csv versioned (md5 ${added!.md5}, data/raw/iris.csv.dvc)`);

  const server = await startServer({
    host: "127.0.0.1",
    port: 0,
    backendStoreUri: `sqlite:///${join(dir, "mlruns.db")}`,
    defaultArtifactRoot: undefined,
    artifactsDestination: join(dir, "mlartifacts"),
    serveArtifacts: true,
    workers: 1,
    maxRequestBytes: 16 * 1024 * 1024,
  });
  let serving: Awaited<ReturnType<typeof startModelServer>> | undefined;
  try {
    const client = new LatheClient({ trackingUri: server.url });

    // 2. A tracked pipeline training two algorithms; the better one becomes the champion.
    await writeFile(join(project, "dvc.yaml"), pipelineYaml(latheCommand()));
    const clock = new StageClock();
    const result = await reproduce({ cwd: project, jobs: 2, onEvent: clock.onEvent });
    if (result.failed.length > 0)
      throw new Error(`The demo pipeline failed: ${result.failed.map((failure) => failure.message).join("; ")}`);
    const tracked = await trackStages(project, result, { client, experiment: "iris-demo", clock });
    const runs: DemoSummary["runs"] = [];
    for (const entry of tracked) {
      const algo = entry.stage.replace(/^train_/, "");
      const metrics = JSON.parse(await readFile(join(project, "metrics", `${algo}.json`), "utf8")) as {
        metrics: { accuracy: number };
      };
      runs.push({ stage: entry.stage, run_id: entry.runId, accuracy: metrics.metrics.accuracy });
    }
    git("add", "-A");
    git("commit", "-qm", "Iris pipeline");
    const best = [...runs].sort((a, b) => b.accuracy - a.accuracy)[0]!;
    const bestAlgo = best.stage.replace(/^train_/, "");
    print(
      `[2/5] lathe repro --track ran ${runs.map((run) => `${run.stage} (accuracy ${run.accuracy.toFixed(3)})`).join(" and ")} in parallel; dvc.lock committed`,
    );
    const logged = await logModel(client, best.run_id, join(project, "models", bestAlgo));
    await client.createRegisteredModel("iris");
    const version = await client.createModelVersion("iris", logged.modelUri, { runId: best.run_id });
    await client.setRegisteredModelAlias("iris", "champion", version.version);
    print(`      registered iris version ${version.version} (${bestAlgo}) and pointed the champion alias at it`);

    // 3. Serve the champion; send normal, then shifted traffic.
    serving = await startModelServer({
      ...DEFAULT_SERVE_SETTINGS,
      source: "models:/iris@champion",
      port: 0,
      trackingUri: server.url,
      logDir: join(dir, "predictions"),
      pollSeconds: 0,
      name: undefined,
    });
    print(`[3/5] serving models:/iris@champion at ${serving.url} (MLflow /invocations and KServe /v2)`);
    const table = parseCsv(readFileSync(IRIS, "utf8"), IRIS);
    const windows = { "in-distribution": sampleRows(table.rows, 100, 1), shifted: sampleRows(table.rows, 100, 2, 1.5) };
    let requests = 0;
    let failed = 0;
    for (const rows of Object.values(windows))
      for (let start = 0; start < rows.length; start += 10) {
        const response = await fetch(`${serving.url}/invocations`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ dataframe_split: { columns: FEATURES, data: rows.slice(start, start + 10) } }),
        });
        requests++;
        if (!response.ok) failed++;
        await response.arrayBuffer();
      }
    print(`      ${requests} requests (normal, then petal length + 1.5 cm), ${failed} failed`);

    // 4. Drift of each window against the training data.
    const reference = tableFromColumns(
      Object.fromEntries(FEATURES.map((name, index) => [name, table.rows.map((row) => Number(row[index]))])),
    );
    const drift: DemoSummary["drift"] = [];
    for (const [window, rows] of Object.entries(windows) as [DemoSummary["drift"][number]["window"], number[][]][]) {
      const current = tableFromColumns(
        Object.fromEntries(FEATURES.map((name, index) => [name, rows.map((row) => row[index]!)])),
      );
      const report = detectFeatureDrift(reference, current);
      const pValues = report.columns.map((column) => column.p_value ?? 1);
      drift.push({
        window,
        min_p_value: Math.min(...pValues),
        dataset_drift: report.dataset_drift,
        drifted: report.columns.filter((column) => column.drift).map((column) => column.column),
      });
      print(
        `[4/5] drift, ${window} window: smallest KS p-value ${Math.min(...pValues).toExponential(2)}, drifted: ${
          report.columns
            .filter((column) => column.drift)
            .map((column) => column.column)
            .join(", ") || "none"
        }`,
      );
    }
    for (const step of NOT_YET) print(`      skipped: ${step} — not available in this version yet`);

    // 5. Summary.
    const summary: DemoSummary = {
      dir,
      trackingUrl: server.url,
      servingUrl: serving.url,
      runs,
      champion: { name: "iris", version: version.version, algo: bestAlgo, accuracy: best.accuracy },
      traffic: { requests, failed },
      drift,
      skipped: NOT_YET,
    };
    print(`[5/5] tracking server ${server.url} (experiment iris-demo), model server ${serving.url}`);
    if (options.ci) await writeFileAtomic(join(dir, "demo-summary.json"), `${JSON.stringify(summary, null, 2)}\n`);
    if (options.keep) {
      print("Servers left running; press Ctrl-C to stop.");
      await new Promise<void>((done) => {
        process.once("SIGINT", () => done());
        process.once("SIGTERM", () => done());
      });
    }
    return summary;
  } finally {
    await serving?.close();
    await server.close();
  }
}
