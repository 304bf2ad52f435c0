/**
 * @module demo
 * `lathe demo`: the lifecycle on the embedded default (SQLite + local folders) in a fresh folder —
 * scaffold a project and version and validate its data; run a tracked pipeline that trains two models; register the better
 * one as the champion with its card; serve it; send normal, then shifted traffic with labels as
 * feedback; monitor the prediction log (drift, accuracy, an alert); retrain and promote a challenger
 * while the server keeps answering; roll the promotion back. Each step uses only what Lathe really
 * does; a step whose capability is not available yet is skipped with a one-line note.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { copyFile, mkdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { modelCard } from "../cards/model-card.js";
import { LatheClient } from "../client/client.js";
import { writeFileAtomic } from "../core/fs.js";
import { addCommand } from "../data/commands.js";
import { logModel } from "../models/log.js";
import { retrain } from "../models/retrain.js";
import { Random } from "../models/train/random.js";
import { parseAlertRules } from "../monitoring/alerts.js";
import { runMonitor } from "../monitoring/monitor-run.js";
import { reproduce } from "../pipeline/repro.js";
import { StageClock, trackStages } from "../pipeline/track.js";
import { rollback } from "../registry/promotion.js";
import { createProject } from "../scaffold/new-project.js";
import { startServer } from "../server/start.js";
import { DEFAULT_SERVE_SETTINGS, startModelServer } from "../serving/start.js";
import { formatSuite, profileData } from "../validation/profile.js";
import { validateData } from "../validation/validate.js";
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
  validation: { expectations: number; success: boolean };
  /** The stage runs `lathe repro --track` recorded. */
  runs: { stage: string; run_id: string; accuracy: number; energy_kwh: number }[];
  champion: { name: string; version: string; algo: string; accuracy: number; card: string };
  traffic: { requests: number; failed: number };
  /** What `lathe monitor` saw per window of the prediction log, with labels sent as feedback. */
  monitoring: { window: string; drift_p_value: number; dataset_drift: boolean; accuracy: number }[];
  alerts: string[];
  retrain: { promoted: boolean; champion_score: number; challenger_score: number; version?: string; reason: string };
  /** Requests sent while the model server swapped to the promoted version. */
  swap: { requests: number; failed: number; served_version: string };
  rollback: { alias_version: string };
  skipped: string[];
}

const IRIS = fileURLToPath(new URL("../../examples/iris/data/iris.csv", import.meta.url));
const FEATURES = ["sepal_length_cm", "sepal_width_cm", "petal_length_cm", "petal_width_cm"];
const ALGOS = ["rf", "logreg"] as const;
const NOT_YET: string[] = [];
const RULES = `rules:
  - name: PetalLengthDrift
    metric: drift_p_value.petal_length_cm
    condition: "< 0.01"
    for: 0s
    severity: warning
    actions:
      - log: true
`;

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

interface LabelledRow {
  features: number[];
  label: string;
}

/** Rows of iris with a seeded shuffle; `shift` is added to petal length (cm); labels kept. */
function sampleRows(rows: string[][], count: number, seed: number, shift = 0): LabelledRow[] {
  const random = new Random(seed);
  return Array.from({ length: count }, () => {
    const row = rows[random.nextInt(rows.length)]!;
    const features = row.slice(0, 4).map(Number);
    features[2] = features[2]! + shift;
    return { features, label: row[4]! };
  });
}

function toCsv(rows: readonly LabelledRow[]): string {
  return `${[...FEATURES, "species"].join(",")}\n${rows.map((row) => [...row.features, row.label].join(",")).join("\n")}\n`;
}

export async function runDemo(options: DemoOptions = {}): Promise<DemoSummary> {
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const dir = options.dir ? resolve(options.dir) : mkdtempSync(join(tmpdir(), "lathe-demo-"));
  const project = join(dir, "iris-project");
  print(`Lathe demo in ${dir}`);

  // 1. A scaffolded project (lathe new) with versioned, validated data.
  await createProject({ dir: project, template: "typescript", name: "iris-project" });
  await mkdir(join(project, "metrics"), { recursive: true });
  const git = (...args: string[]) => execFileSync("git", args, { cwd: project, stdio: ["ignore", "pipe", "pipe"] });
  git("config", "user.email", "demo@example.com");
  git("config", "user.name", "Lathe demo");
  const rawCsv = join(project, "data", "raw", "iris.csv");
  await copyFile(IRIS, rawCsv);
  const [added] = await addCommand(["data/raw/iris.csv"], { cwd: project });
  const suite = await profileData(rawCsv);
  await writeFile(join(project, "iris-suite.yaml"), formatSuite(suite));
  const validation = await validateData(rawCsv, suite);
  print(
    `[1/6] lathe new ${project}: data/raw/iris.csv versioned (md5 ${added!.md5}); ${validation.statistics.successful_expectations} of ${validation.statistics.evaluated_expectations} expectations of its suite hold`,
  );

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

    // 2. A tracked pipeline training two algorithms (in place of the template's own stages, which
    // need the project's npm install); the better one becomes the champion.
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
      const stageRun = await client.getRun(entry.runId);
      const energy = stageRun.data.metrics.find((metric) => metric.key === "energy_kwh")?.value ?? 0;
      runs.push({ stage: entry.stage, run_id: entry.runId, accuracy: metrics.metrics.accuracy, energy_kwh: energy });
    }
    git("add", "-A");
    git("commit", "-qm", "Iris pipeline");
    const best = [...runs].sort((a, b) => b.accuracy - a.accuracy)[0]!;
    const bestAlgo = best.stage.replace(/^train_/, "");
    print(
      `[2/6] lathe repro --track ran ${runs.map((run) => `${run.stage} (accuracy ${run.accuracy.toFixed(3)}, ${(run.energy_kwh * 1000).toFixed(4)} Wh)`).join(" and ")} in parallel`,
    );
    const logged = await logModel(client, best.run_id, join(project, "models", bestAlgo));
    await client.createRegisteredModel("iris");
    const version = await client.createModelVersion("iris", logged.modelUri, { runId: best.run_id });
    await client.setRegisteredModelAlias("iris", "champion", version.version);
    const cardPath = join(project, "MODEL_CARD.md");
    await writeFile(cardPath, await modelCard(client, "models:/iris@champion"));
    print(`      registered iris version ${version.version} (${bestAlgo}) as champion; card in ${cardPath}`);

    // 3. Serve the champion, following its alias; normal, then shifted traffic, with labels as feedback.
    const logDir = join(dir, "predictions");
    serving = await startModelServer({
      ...DEFAULT_SERVE_SETTINGS,
      source: "models:/iris@champion",
      port: 0,
      trackingUri: server.url,
      logDir,
      pollSeconds: 0.2,
      name: undefined,
    });
    const url = serving.url;
    print(`[3/6] serving models:/iris@champion at ${url} (MLflow /invocations and KServe /v2)`);
    const table = parseCsv(readFileSync(IRIS, "utf8"), IRIS);
    let requests = 0;
    let failed = 0;
    const send = async (rows: readonly LabelledRow[]) => {
      for (let start = 0; start < rows.length; start += 10) {
        const chunk = rows.slice(start, start + 10);
        const response = await fetch(`${url}/invocations`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ dataframe_split: { columns: FEATURES, data: chunk.map((row) => row.features) } }),
        });
        requests++;
        if (!response.ok) failed++;
        await response.arrayBuffer();
        const feedback = await fetch(`${url}/feedback`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({
            request_id: response.headers.get("x-request-id"),
            label: chunk.map((row) => row.label),
          }),
        });
        await feedback.arrayBuffer();
      }
      await serving?.log?.flush();
      // The feedback log is written out every 200 ms; give it a moment to reach the disk.
      await new Promise((done) => setTimeout(done, 500));
    };

    // 4. Monitoring: drift and accuracy per window of the prediction log; an alert rule.
    const alerts: string[] = [];
    const monitoring: DemoSummary["monitoring"] = [];
    const rules = parseAlertRules(RULES, "the demo's rules");
    const monitor = async (window: string, rows: readonly LabelledRow[], prefix = "[4/6]") => {
      await send(rows);
      const { results } = await runMonitor({
        model: "models:/iris@champion",
        logDir,
        windowRows: rows.length,
        // The versioned training data is the reference (the stage runs log no training sample).
        reference: rawCsv,
        target: "species",
        client,
        serverUrl: url,
        rules,
        html: join(dir, "monitoring.html"),
        log: (line) => {
          if (/PetalLengthDrift/.test(line) && /firing/i.test(line)) alerts.push("PetalLengthDrift");
        },
      });
      const metrics = results[0]!.metrics;
      const entry = {
        window,
        drift_p_value: metrics.drift_p_value ?? 1,
        dataset_drift: metrics.dataset_drift === 1,
        accuracy: metrics.accuracy ?? Number.NaN,
      };
      monitoring.push(entry);
      print(
        `${prefix} ${window} window: smallest drift p-value ${entry.drift_p_value.toExponential(2)}, dataset drift ${entry.dataset_drift ? "yes" : "no"}, accuracy from feedback ${entry.accuracy.toFixed(3)}`,
      );
    };
    await monitor("in-distribution", sampleRows(table.rows, 100, 1));
    await monitor("shifted (petal length + 1.5 cm)", sampleRows(table.rows, 100, 2, 1.5));
    if (alerts.length > 0) print(`      alert firing: ${[...new Set(alerts)].join(", ")}`);

    // 5. Retrain on the newest data (including the shifted flowers); promote only if it wins.
    const newest = join(project, "data", "raw", "iris-newest.csv");
    await writeFile(
      newest,
      `${readFileSync(IRIS, "utf8").trimEnd()}\n${toCsv(sampleRows(table.rows, 150, 4, 1.5))
        .split("\n")
        .slice(1)
        .join("\n")}`,
    );
    const fresh = join(dir, "fresh-labelled.csv");
    await writeFile(fresh, toCsv(sampleRows(table.rows, 60, 5, 1.5)));
    let swapRequests = 0;
    let swapFailed = 0;
    let swapping = true;
    const probe = { dataframe_split: { columns: FEATURES, data: [[6.1, 2.8, 6.2, 1.2]] } };
    const traffic = (async () => {
      while (swapping) {
        const response = await fetch(`${url}/invocations`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(probe),
        });
        swapRequests++;
        if (!response.ok) swapFailed++;
        await response.arrayBuffer();
      }
    })();
    const decision = await retrain({
      client,
      model: "models:/iris@champion",
      data: newest,
      target: "species",
      algo: bestAlgo,
      evaluate: fresh,
      margin: 0.01,
      experiment: "iris-demo-retrain",
    });
    for (let waited = 0; decision.promoted && waited < 10_000; waited += 100) {
      if (serving.holder.current?.version === decision.challenger.version) break;
      await new Promise((done) => setTimeout(done, 100));
    }
    swapping = false;
    await traffic;
    const servedVersion = serving.holder.current?.version ?? "";
    print(
      `[5/6] retrain: challenger ${decision.challenger.score.toFixed(3)} vs champion ${decision.champion.score.toFixed(3)} on fresh labelled rows → ${decision.promoted ? `promoted as version ${decision.challenger.version}` : "champion kept"}; the server now serves version ${servedVersion} (${swapRequests} requests during the swap, ${swapFailed} failed)`,
    );
    await monitor("after retraining", sampleRows(table.rows, 100, 6, 1.5), "     ");
    await rollback(client, "iris", "champion");
    const aliasVersion = (await client.getModelVersionByAlias("iris", "champion")).version;
    print(`      lathe models rollback iris --alias champion → version ${aliasVersion}`);
    for (const step of NOT_YET) print(`      skipped: ${step} — not available in this version yet`);

    // 6. Summary.
    const summary: DemoSummary = {
      dir,
      trackingUrl: server.url,
      servingUrl: url,
      validation: { expectations: validation.statistics.evaluated_expectations, success: validation.success },
      runs,
      champion: { name: "iris", version: version.version, algo: bestAlgo, accuracy: best.accuracy, card: cardPath },
      traffic: { requests, failed },
      monitoring,
      alerts: [...new Set(alerts)],
      retrain: {
        promoted: decision.promoted,
        champion_score: decision.champion.score,
        challenger_score: decision.challenger.score,
        ...(decision.challenger.version ? { version: decision.challenger.version } : {}),
        reason: decision.reason,
      },
      swap: { requests: swapRequests, failed: swapFailed, served_version: servedVersion },
      rollback: { alias_version: aliasVersion },
      skipped: NOT_YET,
    };
    print(`[6/6] tracking server ${server.url} (experiments iris-demo, monitoring-iris), model server ${url}`);
    print(`      monitoring report: ${join(dir, "monitoring.html")}`);
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
