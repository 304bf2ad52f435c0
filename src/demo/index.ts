/**
 * @module demo
 * `lathe demo`: the lifecycle on the embedded default (SQLite + local folders) in a fresh folder.
 * Each step uses only what Lathe can really do today; a step whose capability is not available yet
 * is skipped with a one-line note, never imitated.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { LatheClient } from "../client/client.js";
import { writeFileAtomic } from "../core/fs.js";
import { startServer } from "../server/start.js";
import { describeColumn, parseCsv } from "./csv.js";

export interface DemoOptions {
  /** Working folder; a new temporary one when absent. */
  dir?: string;
  /** Leave the server running after the demo. */
  keep?: boolean;
  /** Non-interactive: also write the summary as JSON to <dir>/demo-summary.json. */
  ci?: boolean;
  print?: (line: string) => void;
}

export interface DemoSummary {
  dir: string;
  trackingUrl: string;
  experimentId: string;
  runs: { run_id: string; name: string; metrics: Record<string, number> }[];
  skipped: string[];
}

const IRIS = fileURLToPath(new URL("../../examples/iris/data/iris.csv", import.meta.url));
const NOT_YET = [
  "data versioning (lathe add), validation",
  "pipelines (lathe repro)",
  "training a model to register and alias as champion, and its model card (the registry itself is ready: lathe models --help)",
  "model serving (lathe serve)",
  "drift and accuracy monitoring, alerts, retraining",
];

export async function runDemo(options: DemoOptions = {}): Promise<DemoSummary> {
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const dir = options.dir ? resolve(options.dir) : mkdtempSync(join(tmpdir(), "lathe-demo-"));
  await mkdir(dir, { recursive: true });
  print(`Lathe demo in ${dir}`);

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
  const api = `${server.url}/api/2.0/mlflow`;
  try {
    print(`[1/3] tracking server up at ${server.url} (SQLite ${join(dir, "mlruns.db")})`);

    const client = new LatheClient({ trackingUri: server.url });
    const csv = readFileSync(IRIS, "utf8");
    const table = parseCsv(csv, IRIS);
    const digest = createHash("md5").update(csv).digest("hex").slice(0, 8);
    const experimentId = await client.createExperiment("iris-demo");
    const features = table.columns.filter((column) => column !== "species");
    const runs: DemoSummary["runs"] = [];
    for (const species of ["setosa", "versicolor", "virginica"]) {
      const subset = { columns: table.columns, rows: table.rows.filter((row) => row.at(-1) === species) };
      const metrics: Record<string, number> = { rows: subset.rows.length };
      for (const feature of features) metrics[`${feature}_mean`] = describeColumn(subset, feature).mean;
      const runId = await client.withRun({ experimentId, runName: `profile-${species}` }, async (run) => {
        await run.logParams({ species, features: features.join(",") });
        run.logMetrics(metrics);
        await client.logInputs(run.id, [
          {
            tags: [{ key: "mlflow.data.context", value: "profile" }],
            dataset: {
              name: "iris",
              digest,
              source_type: "local",
              source: JSON.stringify({ uri: "examples/iris/data/iris.csv" }),
            },
          },
        ]);
        await run.logArtifact(IRIS, "data");
        return run.id;
      });
      runs.push({ run_id: runId, name: `profile-${species}`, metrics });
    }
    print(`[2/3] logged ${runs.length} runs (params, metrics, dataset input, artifact) in experiment ${experimentId}`);

    const found = await client.searchRuns({
      experimentIds: [experimentId],
      filter: "metrics.petal_length_cm_mean > 2 and datasets.name = 'iris'",
      orderBy: ["metrics.petal_length_cm_mean DESC"],
    });
    const order = found.items.map((run) => run.info.run_name).join(", ");
    print(`[3/3] search "metrics.petal_length_cm_mean > 2" ordered DESC → ${order}`);

    for (const step of NOT_YET) print(`      skipped: ${step} — not available in this version yet`);
    const summary: DemoSummary = { dir, trackingUrl: server.url, experimentId, runs, skipped: NOT_YET };
    if (options.ci) await writeFileAtomic(join(dir, "demo-summary.json"), `${JSON.stringify(summary, null, 2)}\n`);
    if (options.keep) {
      print("");
      print(`Tracking server: ${server.url}  (try ${api}/runs/search, ${server.url}/openapi.json)`);
      print("Servers left running; press Ctrl-C to stop.");
      await new Promise<void>((done) => {
        process.once("SIGINT", () => done());
        process.once("SIGTERM", () => done());
      });
    }
    return summary;
  } finally {
    await server.close();
  }
}
