/**
 * @module scaffold/templates/typescript-src
 * The stage scripts of the TypeScript template. They use only Node's standard library so they run
 * with `tsx` straight after `npm ci`; training goes through the `lathe train` built-in trainers and
 * run logging through the Lathe SDK (`LatheClient`), loaded only when a tracking server is set.
 * The generated code avoids template literals so these constants need no escaping.
 */
import type { FileMap, ProjectNames } from "./common.js";

const CSV = `/** Minimal CSV helpers for the pipeline's numeric tables (no quoted fields). */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

export interface Table {
  header: string[];
  rows: string[][];
}

export function readCsv(path: string): Table {
  const lines = readFileSync(path, "utf8").split("\\n").filter((line) => line.trim() !== "");
  const [first, ...rest] = lines;
  if (first === undefined) throw new Error(path + " is empty; expected a header row.");
  return { header: first.split(","), rows: rest.map((line) => line.split(",")) };
}

export function writeCsv(path: string, table: Table): void {
  mkdirSync(dirname(path), { recursive: true });
  const lines = [table.header, ...table.rows].map((cells) => cells.join(","));
  writeFileSync(path, lines.join("\\n") + "\\n");
}

export function writeJson(path: string, value: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify(value, null, 2) + "\\n");
}
`;

const PREPARE = `/** Stage prepare: shuffle the raw data with a seed and split it into train and test sets. */
import { parseArgs } from "node:util";
import { readCsv, writeCsv } from "../csv.js";

/** Deterministic shuffle (mulberry32), so the split only changes when the seed does. */
export function shuffle<T>(items: readonly T[], seed: number): T[] {
  let state = seed >>> 0;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

function main(): void {
  const { values } = parseArgs({
    options: {
      input: { type: "string", default: "data/raw/churn.csv" },
      "test-fraction": { type: "string", default: "0.25" },
      seed: { type: "string", default: "42" },
    },
  });
  const fraction = Number(values["test-fraction"]);
  if (!(fraction > 0 && fraction < 1)) throw new Error("--test-fraction must be between 0 and 1.");
  const table = readCsv(values.input);
  const rows = shuffle(table.rows, Number(values.seed));
  const testRows = Math.round(rows.length * fraction);
  writeCsv("data/interim/test.csv", { header: table.header, rows: rows.slice(0, testRows) });
  writeCsv("data/interim/train.csv", { header: table.header, rows: rows.slice(testRows) });
  console.log("prepare: " + (rows.length - testRows) + " train rows, " + testRows + " test rows");
}

if (process.argv[1] === new URL(import.meta.url).pathname) main();
`;

const BUILD_FEATURES = `/** Feature engineering as pure functions, so tests can check them without files. */

export interface FeatureOptions {
  /** Add monthly_charges / tenure_months, a strong churn signal for new customers. */
  chargesPerTenure: boolean;
}

/** The header after featurizing: the label stays last, as \`lathe train\` expects by default. */
export function featureHeader(header: readonly string[], options: FeatureOptions): string[] {
  const features = header.slice(0, -1);
  const label = header.at(-1);
  if (label === undefined) throw new Error("The table has no columns.");
  return [...features, ...(options.chargesPerTenure ? ["charges_per_tenure"] : []), label];
}

/** One row's features: the originals, then the derived ones, then the label. */
export function featureRow(header: readonly string[], row: readonly string[], options: FeatureOptions): string[] {
  const value = (name: string) => Number(row[header.indexOf(name)]);
  const derived: string[] = [];
  if (options.chargesPerTenure) {
    const tenure = Math.max(1, value("tenure_months"));
    derived.push((value("monthly_charges") / tenure).toFixed(4));
  }
  return [...row.slice(0, -1), ...derived, row.at(-1) ?? ""];
}
`;

const FEATURIZE = `/** Stage featurize: derived columns for the train and test sets. */
import { parseArgs } from "node:util";
import { readCsv, writeCsv } from "../csv.js";
import { featureHeader, featureRow } from "./build.js";

function main(): void {
  const { values } = parseArgs({ options: { "charges-per-tenure": { type: "string", default: "true" } } });
  const options = { chargesPerTenure: values["charges-per-tenure"] === "true" };
  for (const split of ["train", "test"]) {
    const table = readCsv("data/interim/" + split + ".csv");
    writeCsv("data/processed/" + split + ".csv", {
      header: featureHeader(table.header, options),
      rows: table.rows.map((row) => featureRow(table.header, row, options)),
    });
  }
  console.log("featurize: wrote data/processed/train.csv and data/processed/test.csv");
}

main();
`;

const TRAIN = `/**
 * Stage train: fit one of Lathe's built-in models (\`lathe train\`) on the processed data and save
 * it as an MLflow model directory in models/model. With MLFLOW_TRACKING_URI set, the run (params,
 * metrics, model, energy) is recorded on that server and the model registered.
 */
import { execFileSync } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";

function main(): void {
  const { values } = parseArgs({
    options: {
      algo: { type: "string", default: "rf" },
      "n-estimators": { type: "string", default: "50" },
      "max-depth": { type: "string", default: "6" },
      seed: { type: "string", default: "42" },
      register: { type: "string", default: "MODEL_NAME" },
    },
  });
  const args = [
    "train",
    "--data", "data/processed/train.csv",
    "--test", "data/processed/test.csv",
    "--algo", values.algo,
    "--seed", values.seed,
    "--out", "models/model",
    "--json",
  ];
  if (values.algo === "rf" || values.algo === "hgb") {
    args.push("--param", (values.algo === "rf" ? "n_estimators=" : "max_iter=") + values["n-estimators"]);
    args.push("--param", "max_depth=" + values["max-depth"]);
  } else if (values.algo === "tree") args.push("--param", "max_depth=" + values["max-depth"]);
  if (process.env.MLFLOW_TRACKING_URI) args.push("--track", "--experiment", "MODEL_NAME", "--register", values.register);
  rmSync("models/model", { recursive: true, force: true });
  const output = execFileSync("lathe", args, { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
  writeFileSync("reports/train.json", output);
  const result = JSON.parse(output) as { metrics: Record<string, number> };
  console.log("train: " + JSON.stringify(result.metrics));
}

main();
`;

const EVALUATE = `/**
 * Stage evaluate: the metrics of the held-out set (reports/metrics.json), the confusion matrix as a
 * plot (reports/confusion.json, one row per prediction) and as a figure (reports/figures).
 * With MLFLOW_TRACKING_URI set, the metrics are also logged with the Lathe SDK.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { writeJson } from "../csv.js";
import { confusionSvg } from "../visualization/confusion.js";

interface TrainResult {
  runId?: string;
  metrics: Record<string, number>;
  confusion?: { labels: (string | number)[]; matrix: number[][] };
}

async function main(): Promise<void> {
  const result = JSON.parse(readFileSync("reports/train.json", "utf8")) as TrainResult;
  writeJson("reports/metrics.json", result.metrics);
  const rows: { actual: string; predicted: string }[] = [];
  const labels = (result.confusion?.labels ?? []).map(String);
  result.confusion?.matrix.forEach((counts, actual) =>
    counts.forEach((count, predicted) => {
      for (let n = 0; n < count; n++) rows.push({ actual: labels[actual]!, predicted: labels[predicted]! });
    }),
  );
  writeJson("reports/confusion.json", rows);
  writeFileSync("reports/figures/confusion.svg", confusionSvg(labels, result.confusion?.matrix ?? []));
  if (process.env.MLFLOW_TRACKING_URI) {
    const { LatheClient } = await import("lathe");
    const client = new LatheClient();
    await client.withRun({ experiment: "MODEL_NAME", runName: "evaluate" }, async (run) => {
      run.logMetrics(result.metrics);
      if (result.runId) await run.setTag("training_run_id", result.runId);
      await run.logArtifact("reports/figures/confusion.svg", "figures");
    });
  }
  console.log("evaluate: " + JSON.stringify(result.metrics));
}

await main();
`;

const CONFUSION_SVG = `/** A confusion matrix as a small SVG heat map, for reports/figures. */

export function confusionSvg(labels: readonly string[], matrix: readonly (readonly number[])[]): string {
  const cell = 60;
  const size = cell * (labels.length + 1);
  const max = Math.max(1, ...matrix.flat());
  const parts = ['<svg xmlns="http://www.w3.org/2000/svg" width="' + size + '" height="' + size + '">'];
  labels.forEach((label, i) => {
    parts.push('<text x="' + (cell * (i + 1) + 8) + '" y="20">pred ' + label + "</text>");
    parts.push('<text x="4" y="' + (cell * (i + 1) + 34) + '">' + label + "</text>");
  });
  matrix.forEach((counts, row) =>
    counts.forEach((count, column) => {
      const x = cell * (column + 1);
      const y = cell * (row + 1);
      const shade = Math.round(255 - (200 * count) / max);
      parts.push('<rect x="' + x + '" y="' + y + '" width="' + cell + '" height="' + cell + '" fill="rgb(' + shade + "," + shade + ',255)"/>');
      parts.push('<text x="' + (x + 20) + '" y="' + (y + 34) + '">' + count + "</text>");
    }),
  );
  parts.push("</svg>");
  return parts.join("\\n") + "\\n";
}
`;

const FEATURES_TEST = `import assert from "node:assert/strict";
import { test } from "node:test";
import { shuffle } from "../src/MODULE/data/prepare.js";
import { featureHeader, featureRow } from "../src/MODULE/features/build.js";

const header = ["tenure_months", "monthly_charges", "support_calls", "contract_years", "outcome"];

test("the label stays the last column", () => {
  assert.deepEqual(featureHeader(header, { chargesPerTenure: true }).at(-1), "outcome");
});

test("charges per tenure divides by at least one month", () => {
  const row = featureRow(header, ["0", "50", "1", "0", "churned"], { chargesPerTenure: true });
  assert.deepEqual(row, ["0", "50", "1", "0", "50.0000", "churned"]);
});

test("the split is reproducible for a seed", () => {
  assert.deepEqual(shuffle([1, 2, 3, 4, 5], 7), shuffle([1, 2, 3, 4, 5], 7));
  assert.equal(shuffle([1, 2, 3, 4, 5], 7).length, 5);
});
`;

/** The `src/` and `tests/` files of the TypeScript template. */
export function typescriptSources(names: ProjectNames): FileMap {
  const source = `src/${names.module}`;
  const named = (text: string) => text.replaceAll("MODEL_NAME", names.packageName);
  return {
    [`${source}/csv.ts`]: CSV,
    [`${source}/data/prepare.ts`]: PREPARE,
    [`${source}/features/build.ts`]: BUILD_FEATURES,
    [`${source}/features/featurize.ts`]: FEATURIZE,
    [`${source}/models/train.ts`]: named(TRAIN),
    [`${source}/models/evaluate.ts`]: named(EVALUATE),
    [`${source}/visualization/confusion.ts`]: CONFUSION_SVG,
    "tests/features.test.ts": FEATURES_TEST.replaceAll("MODULE", names.module),
  };
}
