/**
 * The model server's monitoring endpoints and the window reader over what it logs: `POST /feedback`
 * (one or a list, 400 naming the field), `POST /monitoring` (gauges on /metrics), predictions logged
 * by /invocations and by V2 infer normalised into one feature table with joined labels, time and
 * row windows, and `lathe monitor` on a local model with a local reference.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { buildProgram } from "../../src/cli/program.js";
import { readWindow } from "../../src/monitoring/window.js";
import { FIXTURES, readExpected, type ServingUnderTest, startServing } from "../serving/helpers.js";
import { IRIS } from "./helpers.js";

const expected = readExpected("iris_logreg");
const MODEL = join(FIXTURES, "onnx", "iris_logreg.onnx");
let serving: ServingUnderTest;
let folder: string;
const ids: string[] = [];

async function settle(): Promise<void> {
  await serving.server.log!.flush();
  await sleep(300);
}

beforeAll(async () => {
  serving = await startServing(MODEL);
  folder = mkdtempSync(join(tmpdir(), "lathe-feedback-test-"));
});
afterAll(async () => {
  await serving.close();
  rmSync(folder, { recursive: true, force: true });
});

describe("POST /feedback", () => {
  it("logs predictions of both protocols and joins feedback labels by request id", async () => {
    const one = await serving.post("/invocations", {
      dataframe_split: { columns: expected.columns, data: [expected.rows[0]] },
    });
    const two = await serving.post("/v2/models/iris_logreg/infer", {
      inputs: [{ name: expected.input, datatype: "FP32", shape: [2, 4], data: expected.rows.slice(0, 2).flat() }],
    });
    const bare = await serving.post("/invocations", { inputs: [expected.rows[1]] });
    for (const reply of [one, two, bare]) expect(reply.status, reply.text).toBe(200);
    ids.push(...[one, two, bare].map((reply) => reply.headers.get("x-request-id")!));

    expect((await serving.post("/feedback", { request_id: ids[0], label: "setosa" })).body).toEqual({
      accepted: 1,
      dropped: 0,
    });
    const list = await serving.post("/feedback", {
      feedback: [{ request_id: ids[1], label: ["setosa", "versicolor"] }],
    });
    expect(list.body).toEqual({ accepted: 1, dropped: 0 });
    await settle();
    expect(readdirSync(serving.logDir).some((name) => /^feedback-.*\.jsonl$/.test(name))).toBe(true);

    const window = await readWindow({ logDir: serving.logDir, features: expected.columns, durationMs: 3_600_000 });
    expect(window.rowCount).toBe(4);
    expect(window.features.columns.map((column) => column.name)).toEqual(expected.columns);
    const petal = window.features.columns[2]!;
    expect(petal.kind).toBe("numeric");
    expect(Array.from(petal.values as Float64Array)).toEqual([
      expected.rows[0]![2],
      expected.rows[0]![2],
      expected.rows[1]![2],
      expected.rows[1]![2],
    ]);
    expect(window.predictions).toEqual(["setosa", "setosa", "setosa", "setosa"]);
    expect(window.labels).toEqual(["setosa", "setosa", "versicolor", null]);
    expect(window.labelledCount).toBe(3);

    const lastTwo = await readWindow({ logDir: serving.logDir, features: expected.columns, rows: 1 });
    expect(lastTwo.rowCount).toBe(1);
    const later = await readWindow({
      logDir: serving.logDir,
      features: expected.columns,
      durationMs: 60_000,
      now: new Date(Date.now() + 3_600_000),
    });
    expect(later.rowCount).toBe(0);
  });

  it("answers 400 naming the field for malformed bodies", async () => {
    const cases: [unknown, RegExp][] = [
      ["{", /not valid JSON/],
      [[1, 2], /must be an object \{"request_id"/],
      [{ label: "setosa" }, /'request_id' must be a non-empty string/],
      [{ request_id: "abc" }, /'label' is missing/],
      [{ request_id: "abc", label: { a: 1 } }, /'label' must be a string, a finite number or a boolean/],
      [{ feedback: [] }, /'feedback' must be a non-empty list/],
      [
        {
          feedback: [
            { request_id: "a", label: 1 },
            { request_id: 5, label: 1 },
          ],
        },
        /feedback\[1\]: field 'request_id'/,
      ],
    ];
    for (const [body, pattern] of cases) {
      const reply = await serving.post("/feedback", body);
      expect(reply.status, reply.text).toBe(400);
      expect(String(reply.body.message)).toMatch(pattern);
    }
  });
});

describe("POST /monitoring", () => {
  it("sets the drift and accuracy gauges on /metrics", async () => {
    // Absent (not 0) until the first update, so an accuracy rule cannot fire on a fresh server.
    expect((await serving.get("/metrics")).text).not.toMatch(/^lathe_(model_accuracy|drift_detected)/m);
    const reply = await serving.post("/monitoring", {
      feature_p_values: { petal_length_cm: 0.001, sepal_width_cm: 0.4 },
      dataset_drift: true,
      prediction_drift_p_value: 0.02,
      accuracy: 0.71,
      window_rows: 500,
    });
    expect(reply.status, reply.text).toBe(200);
    const text = (await serving.get("/metrics")).text;
    expect(text).toContain('lathe_drift_p_value{model="iris_logreg",feature="petal_length_cm"} 0.001');
    expect(text).toContain('lathe_drift_p_value{model="iris_logreg",feature="sepal_width_cm"} 0.4');
    expect(text).toContain('lathe_drift_detected{model="iris_logreg"} 1');
    expect(text).toContain('lathe_prediction_drift_p_value{model="iris_logreg"} 0.02');
    expect(text).toContain('lathe_model_accuracy{model="iris_logreg"} 0.71');
    expect(text).toContain('lathe_monitoring_window_rows{model="iris_logreg"} 500');

    await serving.post("/monitoring", { feature_p_values: { petal_length_cm: 0.5 }, dataset_drift: false });
    const after = (await serving.get("/metrics")).text;
    expect(after).toContain('lathe_drift_detected{model="iris_logreg"} 0');
    expect(after).not.toContain('feature="sepal_width_cm"');
    expect(after).not.toMatch(/^lathe_model_accuracy/m);
  });

  it("answers 400 naming the field", async () => {
    const cases: [unknown, RegExp][] = [
      ["nope", /not valid JSON/],
      [{ dataset_drift: true }, /'feature_p_values' must be an object/],
      [{ feature_p_values: { a: "x" }, dataset_drift: true }, /'feature_p_values\.a' must be a finite number/],
      [{ feature_p_values: {}, dataset_drift: "yes" }, /'dataset_drift' must be true or false/],
      [{ feature_p_values: {}, dataset_drift: true, accuracy: "high" }, /'accuracy' must be a finite number/],
    ];
    for (const [body, pattern] of cases) {
      const reply = await serving.post("/monitoring", body);
      expect(reply.status, reply.text).toBe(400);
      expect(String(reply.body.message)).toMatch(pattern);
    }
  });
});

describe("lathe monitor (CLI)", () => {
  async function cli(args: string[]): Promise<string> {
    let out = "";
    const spy = vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
      out += String(chunk);
      return true;
    });
    try {
      await buildProgram()
        .exitOverride()
        .parseAsync(["node", "lathe", ...args]);
    } finally {
      spy.mockRestore();
    }
    return out;
  }

  it("evaluates a window of a local model against a local reference", async () => {
    const html = join(folder, "report.html");
    // Not on a terminal, the command prints one JSON line per window.
    const line = JSON.parse(
      await cli([
        "monitor",
        MODEL,
        "--log-dir",
        serving.logDir,
        "--reference",
        IRIS,
        "--window-rows",
        "4",
        "--html",
        html,
      ]),
    ) as {
      rows: number;
      drift: { columns: { column: string }[] };
      performance: { labelled: number; accuracy: number };
    };
    expect(line.rows).toBe(4);
    expect(line.drift.columns.map((column) => column.column)).toEqual(expected.columns);
    expect(line.performance.labelled).toBe(3);
    expect(line.performance.accuracy).toBeCloseTo(2 / 3, 6);
    expect(readFileSync(html, "utf8")).toContain("<svg");

    const json = JSON.parse(
      await cli(["monitor", MODEL, "--log-dir", serving.logDir, "--reference", IRIS, "--window", "1h", "--json"]),
    ) as { rows: number; metrics: Record<string, number> };
    expect(json.rows).toBe(4);
    expect(json.metrics["drift_p_value.petal_length_cm"]).toBeGreaterThanOrEqual(0);
  });

  it("exports rules and a dashboard", async () => {
    const rules = join(folder, "rules.yaml");
    const { writeFileSync } = await import("node:fs");
    writeFileSync(rules, 'rules:\n  - name: Drift\n    metric: dataset_drift\n    condition: "== 1"\n');
    const out = join(folder, "alerts.yml");
    expect(await cli(["monitor", "export-rules", rules, "-o", out])).toMatch(/Wrote 1 Prometheus alerting rule/);
    expect(readFileSync(out, "utf8")).toContain("expr: lathe_drift_detected == 1");
    const dashboard = JSON.parse(await cli(["monitor", "export-dashboard"])) as { uid: string };
    expect(dashboard.uid).toBe("lathe-model-serving");
  });

  it("refuses bad flags, naming the fix", async () => {
    const base = ["monitor", MODEL, "--log-dir", serving.logDir, "--reference", IRIS];
    await expect(cli([...base, "--window", "1h", "--window-rows", "5"])).rejects.toThrow(/either --window/);
    await expect(cli([...base, "--window-rows", "0"])).rejects.toThrow(/--window-rows must be a whole number > 0/);
    await expect(cli([...base, "--window", "an hour"])).rejects.toThrow(/--window must be a duration like 30s/);
    await expect(cli([...base, "--server", "localhost:8080"])).rejects.toThrow(/--server must be the model server's/);
    await expect(cli([...base, "--rules", join(folder, "none.yaml")])).rejects.toThrow(/Cannot read the rules file/);
    await expect(cli(["monitor", MODEL, "--log-dir", serving.logDir, "--window", "1h"])).rejects.toThrow(/--reference/);
  });
});
