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
import { LatheError } from "../core/errors.js";
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
  "model registry, aliases and model cards",
  "model serving (lathe serve)",
  "drift and accuracy monitoring, alerts, retraining",
];

async function call(base: string, method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
  const payload = (await response.json()) as Record<string, unknown>;
  if (response.status !== 200) {
    throw new LatheError(
      "INTERNAL_ERROR",
      `Demo request ${method} ${path} failed with ${response.status}: ${JSON.stringify(payload)}`,
    );
  }
  return payload;
}

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

    const csv = readFileSync(IRIS, "utf8");
    const table = parseCsv(csv, IRIS);
    const digest = createHash("md5").update(csv).digest("hex").slice(0, 8);
    const { experiment_id: experimentId } = (await call(server.url, "POST", "/api/2.0/mlflow/experiments/create", {
      name: "iris-demo",
    })) as {
      experiment_id: string;
    };
    const features = table.columns.filter((column) => column !== "species");
    const runs: DemoSummary["runs"] = [];
    for (const species of ["setosa", "versicolor", "virginica"]) {
      const subset = { columns: table.columns, rows: table.rows.filter((row) => row.at(-1) === species) };
      const created = (await call(server.url, "POST", "/api/2.0/mlflow/runs/create", {
        experiment_id: experimentId,
        run_name: `profile-${species}`,
        start_time: Date.now(),
        tags: [{ key: "mlflow.source.name", value: "lathe demo" }],
      })) as { run: { info: { run_id: string } } };
      const runId = created.run.info.run_id;
      const metrics: Record<string, number> = { rows: subset.rows.length };
      for (const feature of features) metrics[`${feature}_mean`] = describeColumn(subset, feature).mean;
      await call(server.url, "POST", "/api/2.0/mlflow/runs/log-batch", {
        run_id: runId,
        params: [
          { key: "species", value: species },
          { key: "features", value: features.join(",") },
        ],
        metrics: Object.entries(metrics).map(([key, value]) => ({ key, value, timestamp: Date.now(), step: 0 })),
      });
      await call(server.url, "POST", "/api/2.0/mlflow/runs/log-inputs", {
        run_id: runId,
        datasets: [
          {
            tags: [{ key: "mlflow.data.context", value: "profile" }],
            dataset: {
              name: "iris",
              digest,
              source_type: "local",
              source: JSON.stringify({ uri: "examples/iris/data/iris.csv" }),
            },
          },
        ],
      });
      const upload = await fetch(
        `${server.url}/api/2.0/mlflow-artifacts/artifacts/${experimentId}/${runId}/artifacts/data/iris.csv`,
        {
          method: "PUT",
          body: csv,
        },
      );
      if (upload.status !== 200)
        throw new LatheError("INTERNAL_ERROR", `Demo artifact upload failed with ${upload.status}.`);
      await call(server.url, "POST", "/api/2.0/mlflow/runs/update", {
        run_id: runId,
        status: "FINISHED",
        end_time: Date.now(),
      });
      runs.push({ run_id: runId, name: `profile-${species}`, metrics });
    }
    print(`[2/3] logged ${runs.length} runs (params, metrics, dataset input, artifact) in experiment ${experimentId}`);

    const found = (await call(server.url, "POST", "/api/2.0/mlflow/runs/search", {
      experiment_ids: [experimentId],
      filter: "metrics.petal_length_cm_mean > 2 and datasets.name = 'iris'",
      order_by: ["metrics.petal_length_cm_mean DESC"],
    })) as { runs?: { info: { run_name: string } }[] };
    const order = (found.runs ?? []).map((run) => run.info.run_name).join(", ");
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
