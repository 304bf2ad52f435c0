/**
 * Drift benchmark, each figure beside a floor measured in the same run:
 * - KS on 100,000 rows × 20 features against a 100,000-row reference, end to end through
 *   `detectFeatureDrift` (sort, merge walk, p-value, correction); floor: sorting the same 40 columns
 *   with Float64Array.prototype.sort, which any exact KS must do (Lathe sorts with a radix sort).
 *   Then the same with the reference prepared once, as a monitoring loop runs it.
 * - MMD on 1,000 × 1,000 rows (5 features) with 100 permutations; floor: one pass that fills the
 *   2,000 × 2,000 kernel matrix.
 * Prints figures and ratios; it is not a pass/fail test.
 *
 *   npm run bench:drift
 */
import { createFeatureDriftDetector, detectFeatureDrift } from "../src/monitoring/detect.js";
import { mmdDrift } from "../src/monitoring/stats/mmd.js";
import { seededRandom } from "../src/monitoring/stats/random.js";
import { tableFromColumns } from "../src/monitoring/table.js";

const ROWS = 100_000;
const FEATURES = 20;

function line(label: string, value: string): void {
  process.stdout.write(`${label.padEnd(52)} ${value}\n`);
}

function normals(count: number, random: () => number, shift = 0): Float64Array {
  const out = new Float64Array(count);
  for (let i = 0; i < count; i += 2) {
    const u = 1 - random();
    const v = random();
    const radius = Math.sqrt(-2 * Math.log(u));
    out[i] = radius * Math.cos(2 * Math.PI * v) + shift;
    if (i + 1 < count) out[i + 1] = radius * Math.sin(2 * Math.PI * v) + shift;
  }
  return out;
}

function time<T>(work: () => T): [T, number] {
  const start = performance.now();
  const result = work();
  return [result, (performance.now() - start) / 1000];
}

function benchKs(): void {
  const random = seededRandom(1);
  const reference: Record<string, Float64Array> = {};
  const current: Record<string, Float64Array> = {};
  for (let f = 0; f < FEATURES; f++) {
    reference[`f${f}`] = normals(ROWS, random);
    current[`f${f}`] = normals(ROWS, random, f < 5 ? 0.05 : 0);
  }
  const columns = [...Object.values(reference), ...Object.values(current)];
  const [, sortSeconds] = time(() => {
    for (const column of columns) Float64Array.from(column).sort();
  });
  const referenceTable = tableFromColumns(reference);
  const currentTable = tableFromColumns(current);
  detectFeatureDrift(referenceTable, currentTable); // warm-up
  const [report, ksSeconds] = time(() => detectFeatureDrift(referenceTable, currentTable));
  line(`KS ${ROWS} × ${FEATURES} vs ${ROWS}-row reference`, `${ksSeconds.toFixed(3)} s (target ≤ 0.5 s)`);
  line("  floor: Float64Array sort of the 40 columns", `${sortSeconds.toFixed(3)} s`);
  line("  ratio to floor", `${(ksSeconds / sortSeconds).toFixed(2)}×`);
  line("  drifted columns (5 shifted by 0.05 σ)", `${report.number_of_drifted_columns} of ${FEATURES}`);
  const [detector, fitSeconds] = time(() => createFeatureDriftDetector(referenceTable));
  const [, detectSeconds] = time(() => detector.detect(currentTable));
  line("  reference prepared once (sort 20 columns)", `${fitSeconds.toFixed(3)} s`);
  line("  then each check of a 100,000-row window", `${detectSeconds.toFixed(3)} s`);
}

function benchMmd(): void {
  const random = seededRandom(2);
  const width = 5;
  const rows = (count: number, shift: number) =>
    Array.from({ length: count }, () => Array.from(normals(width, random, shift)));
  const x = rows(1000, 0);
  const y = rows(1000, 0.1);
  const joint = [...x, ...y];
  const [, kernelSeconds] = time(() => {
    const n = joint.length;
    const kernel = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      const a = joint[i]!;
      for (let j = i + 1; j < n; j++) {
        const b = joint[j]!;
        let sum = 0;
        for (let f = 0; f < width; f++) sum += (a[f]! - b[f]!) ** 2;
        kernel[i * n + j] = Math.exp(-sum / 2);
      }
    }
    return kernel;
  });
  const [result, mmdSeconds] = time(() => mmdDrift(x, y, { permutations: 100, seed: 0 }));
  line("MMD 1,000 × 1,000 (5 features), 100 permutations", `${mmdSeconds.toFixed(3)} s (target ≤ 2 s)`);
  line("  floor: one pass filling the kernel matrix", `${kernelSeconds.toFixed(3)} s`);
  line("  ratio to floor", `${(mmdSeconds / kernelSeconds).toFixed(2)}×`);
  line("  MMD², p-value (0.1 σ shift)", `${result.statistic.toExponential(3)}, ${result.pValue}`);
}

process.stdout.write("Lathe drift benchmark\n\n");
benchKs();
benchMmd();

/**
 * One monitoring window over 1,000,000 logged predictions (one row, 4 features each) in 16 files:
 * `readWindow` (scan, parse, build the feature table) plus `createMonitor(...).evaluate` (KS per
 * feature, χ² on predictions). Floor: reading and JSON-parsing the same lines, nothing else.
 */
async function benchMonitorWindow(): Promise<void> {
  const { mkdtempSync, rmSync, writeFileSync, readFileSync, readdirSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const { join } = await import("node:path");
  const { readWindow } = await import("../src/monitoring/window.js");
  const { createMonitor, splitReference } = await import("../src/monitoring/monitor.js");
  const dir = mkdtempSync(join(tmpdir(), "lathe-bench-monitor-"));
  const random = seededRandom(3);
  const names = ["f0", "f1", "f2", "f3"];
  const classes = ["a", "b", "c"];
  const total = 1_000_000;
  const files = 16;
  const start = Date.parse("2026-11-23T00:00:00Z");
  try {
    for (let file = 0; file < files; file++) {
      const lines: string[] = [];
      for (let i = 0; i < total / files; i++) {
        const n = file * (total / files) + i;
        const row = Array.from(normals(4, random), (value) => Math.round(value * 1000) / 1000);
        lines.push(
          JSON.stringify({
            request_id: `r${n}`,
            timestamp: new Date(start + n).toISOString(),
            model: "bench",
            version: "1",
            protocol: "mlflow",
            latency_ms: 0.4,
            inputs: { columns: names, data: [row] },
            outputs: [classes[n % 3]],
          }),
        );
      }
      const stamp = new Date(start + file * (total / files)).toISOString().replace(/[:.]/g, "-");
      writeFileSync(
        join(dir, `predictions-${stamp}-1-${String(file).padStart(4, "0")}.jsonl`),
        `${lines.join("\n")}\n`,
      );
    }
    const referenceColumns: Record<string, Float64Array | string[]> = {};
    for (const name of names) referenceColumns[name] = normals(1000, random);
    referenceColumns.target = Array.from({ length: 1000 }, (_, i) => classes[i % 3]!);
    const reference = splitReference(tableFromColumns(referenceColumns));
    const monitor = createMonitor(reference);

    const floorStart = performance.now();
    let parsed = 0;
    for (const name of readdirSync(dir))
      for (const text of readFileSync(join(dir, name), "utf8").split("\n"))
        if (text) parsed += JSON.parse(text) ? 1 : 0;
    const floorSeconds = (performance.now() - floorStart) / 1000;

    const windowStart = performance.now();
    const window = await readWindow({ logDir: dir, features: reference.featureNames, rows: total });
    const result = monitor.evaluate(window, 0);
    const windowSeconds = (performance.now() - windowStart) / 1000;
    line("Monitoring window over 1,000,000 logged predictions", `${windowSeconds.toFixed(3)} s (target ≤ 5 s)`);
    line("  floor: read and JSON.parse the same lines", `${floorSeconds.toFixed(3)} s (${parsed} lines)`);
    line("  ratio to floor", `${(windowSeconds / floorSeconds).toFixed(2)}×`);
    line("  rows in window, dataset drift", `${result.rows}, ${result.drift?.dataset_drift}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await benchMonitorWindow();
