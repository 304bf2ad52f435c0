/**
 * The window reader on hand-written logs: every shape the server logs (columns or bare rows, MLflow
 * and V2 outputs), values that look like the line markers, categorical features, a torn last line,
 * other files in the folder, and row and time windows across files.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { predictionsOf, readWindow } from "../../src/monitoring/window.js";

let dir: string;
const line = (record: Record<string, unknown>) => `${JSON.stringify(record)}\n`;
const base = { model: "m", version: "1", protocol: "mlflow", latency_ms: 1 };

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "lathe-window-test-"));
  writeFileSync(
    join(dir, "predictions-2026-11-23T10-00-00-000Z-1-0000.jsonl"),
    line({
      request_id: "a",
      timestamp: "2026-11-23T10:00:01.000Z",
      ...base,
      inputs: {
        columns: ["x", "colour"],
        data: [
          [1, 'red,"data":'],
          [2, "blue"],
        ],
      },
      outputs: ["yes", "no"],
    }) +
      line({
        request_id: "b",
        timestamp: "2026-11-23T10:00:02.000Z",
        ...base,
        inputs: { data: [[3, "green"]] },
        outputs: [{ label: "yes", probabilities: [0.9, 0.1] }],
      }) +
      line({ request_id: "e", timestamp: "2026-11-23T10:30:00.000Z", ...base, latency_ms: 4, status: 400 }),
  );
  writeFileSync(
    join(dir, "predictions-2026-11-23T11-00-00-000Z-1-0001.jsonl"),
    line({
      request_id: "c",
      timestamp: "2026-11-23T11:00:01.000Z",
      ...base,
      protocol: "v2",
      inputs: { columns: ["colour", "x"], data: [["red", 4]] },
      outputs: { label: ["no"], probabilities: [0.2, 0.8] },
    }).concat('{"request_id":"d","timestamp":"2026-11-23T11:00:02.000Z","inp'),
  );
  writeFileSync(join(dir, "notes.txt"), "not a log\n");
  writeFileSync(
    join(dir, "feedback-2026-11-23T11-30-00-000Z-1-0000.jsonl"),
    line({ request_id: "a", timestamp: "2026-11-23T11:30:00.000Z", label: ["yes", "yes"] }) +
      line({ request_id: "c", timestamp: "2026-11-23T11:30:00.000Z", label: "yes" }),
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("readWindow", () => {
  it("normalises every logged shape into one table", async () => {
    const window = await readWindow({ logDir: dir, features: ["x", "colour"], rows: 100 });
    expect(window.rowCount).toBe(4);
    const [x, colour] = window.features.columns;
    expect(Array.from(x!.values as Float64Array)).toEqual([1, 2, 3, 4]);
    expect(colour).toEqual({ name: "colour", kind: "categorical", values: ['red,"data":', "blue", "green", "red"] });
    expect(window.predictions).toEqual(["yes", "no", "yes", "no"]);
    expect(window.labels).toEqual(["yes", "yes", null, "yes"]);
    expect(window.labelledCount).toBe(3);
    expect([window.start, window.end]).toEqual(["2026-11-23T10:00:01.000Z", "2026-11-23T11:00:01.000Z"]);
  });

  it("takes the newest rows, or a time span", async () => {
    const lastTwo = await readWindow({ logDir: dir, features: ["x", "colour"], rows: 2 });
    expect(Array.from(lastTwo.features.columns[0]!.values as Float64Array)).toEqual([3, 4]);
    const hour = await readWindow({
      logDir: dir,
      features: ["x", "colour"],
      durationMs: 30 * 60_000,
      now: new Date("2026-11-23T11:10:00Z"),
    });
    expect(hour.rowCount).toBe(1);
    expect(hour.predictions).toEqual(["no"]);
  });

  it("counts requests, failed requests and latencies, and the time the window spans", async () => {
    const all = await readWindow({ logDir: dir, features: ["x", "colour"], rows: 100 });
    // a, b, c answered (latency 1 ms each); the failure at 10:30 lies between them; the torn line "d" is not read.
    expect(all.requests).toBe(4);
    expect(all.errors).toBe(1);
    expect(Array.from(all.latenciesMs)).toEqual([1, 1, 1]);
    expect(all.seconds).toBe(3600);
    const hour = await readWindow({
      logDir: dir,
      features: ["x", "colour"],
      durationMs: 60 * 60_000,
      now: new Date("2026-11-23T11:10:00Z"),
    });
    expect([hour.requests, hour.errors, hour.seconds]).toEqual([2, 1, 3600]);
    // The newest row only: the failure happened before it, in an earlier window.
    const last = await readWindow({ logDir: dir, features: ["x", "colour"], rows: 1 });
    expect([last.requests, last.errors, last.seconds]).toEqual([1, 0, null]);
  });

  it("reads the predicted label of each protocol's outputs", () => {
    expect(predictionsOf([1, 2])).toEqual([1, 2]);
    expect(predictionsOf({ output_label: [0, 2], output_probability: [[1, 0]] })).toEqual([0, 2]);
    expect(predictionsOf([{ variable: [3.5] }])).toEqual([3.5]);
    expect(predictionsOf([[0.2, 0.8]])).toEqual([null]);
  });

  it("names the problem with a bad folder or window", async () => {
    await expect(readWindow({ logDir: join(dir, "nope"), features: ["x"], rows: 1 })).rejects.toThrow(/--log-dir/);
    await expect(readWindow({ logDir: dir, features: ["x"] })).rejects.toThrow(/exactly one of --window/);
  });
});
