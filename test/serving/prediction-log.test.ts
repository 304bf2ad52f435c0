/**
 * The prediction log: one JSON line per request with a request id (also in `x-request-id`, an
 * incoming one kept), rotation by size and by hour into time-sorted files, and a bounded buffer that
 * drops and counts records rather than hold up a prediction.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { PredictionLog, type PredictionRecord } from "../../src/serving/prediction-log.js";
import { FIXTURES, readExpected, startServing } from "./helpers.js";

const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "lathe-prediction-log-"));
  folders.push(dir);
  return dir;
}

function readRecords(dir: string): Record<string, unknown>[] {
  return readdirSync(dir)
    .sort()
    .flatMap((file) => readFileSync(join(dir, file), "utf8").trim().split("\n"))
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

function record(index: number): PredictionRecord {
  return {
    request_id: `r${index}`,
    timestamp: new Date().toISOString(),
    model: "m",
    version: "1",
    protocol: "mlflow",
    latency_ms: 1,
    inputs: { data: [[index]] },
    outputs: [index],
  };
}

describe("prediction log in the server", () => {
  it("writes each request with its id, inputs, outputs, model and latency", async () => {
    const expected = readExpected("iris_logreg");
    const serving = await startServing(join(FIXTURES, "mlflow-onnx-model"), { name: "iris" });
    try {
      const first = await serving.post("/invocations", {
        dataframe_split: { columns: expected.columns, data: expected.rows.slice(0, 2) },
      });
      const generated = first.headers.get("x-request-id");
      expect(generated).toMatch(/^[0-9a-f-]{36}$/);
      const response = await fetch(`${serving.url}/v2/models/iris/infer`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-request-id": "client-42" },
        body: JSON.stringify({ inputs: [{ name: "input", datatype: "FP32", shape: [1, 4], data: expected.rows[0] }] }),
      });
      expect(response.headers.get("x-request-id")).toBe("client-42");
      await serving.server.log?.flush();
      const records = readRecords(serving.logDir);
      expect(records).toHaveLength(2);
      expect(records[0]).toMatchObject({
        request_id: generated,
        model: "iris",
        version: null,
        protocol: "mlflow",
        inputs: { columns: expected.columns, data: expected.rows.slice(0, 2) },
        outputs: expected.label?.slice(0, 2),
      });
      expect(typeof records[0]?.latency_ms).toBe("number");
      expect(Date.parse(records[0]?.timestamp as string)).not.toBeNaN();
      expect(records[1]).toMatchObject({ request_id: "client-42", protocol: "v2", outputs: { label: ["setosa"] } });
    } finally {
      await serving.close();
    }
  });

  it("logs a failed prediction request with its status and no inputs, and nothing for other routes", async () => {
    const serving = await startServing(join(FIXTURES, "mlflow-onnx-model"), { name: "iris" });
    try {
      const bad = await serving.post("/invocations", { dataframe_split: { columns: ["a"], data: [["x"]] } });
      expect(bad.status).toBe(400);
      const v2 = await fetch(`${serving.url}/v2/models/iris/infer`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "{not json",
      });
      expect(v2.status).toBe(400);
      expect((await fetch(`${serving.url}/no-such-route`)).status).toBe(404);
      await serving.server.log?.flush();
      const records = readRecords(serving.logDir);
      expect(records).toHaveLength(2);
      expect(records[0]).toMatchObject({
        request_id: bad.headers.get("x-request-id"),
        model: "iris",
        protocol: "mlflow",
        status: 400,
      });
      expect(records[1]).toMatchObject({ model: "iris", protocol: "v2", status: 400 });
      for (const logged of records) {
        expect(logged).not.toHaveProperty("inputs");
        expect(typeof logged.latency_ms).toBe("number");
      }
    } finally {
      await serving.close();
    }
  });
});

describe("PredictionLog", () => {
  it("rotates by size into files whose names sort by time", async () => {
    const dir = tempDir();
    const log = new PredictionLog({ dir, maxFileBytes: 1000 });
    for (let index = 0; index < 50; index++) log.append(record(index));
    await log.close();
    const files = readdirSync(dir).sort();
    expect(files.length).toBeGreaterThan(3);
    for (const file of files)
      expect(file).toMatch(/^predictions-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z-\d+-\d{4}\.jsonl$/);
    expect(readRecords(dir).map((r) => r.request_id)).toEqual(Array.from({ length: 50 }, (_, i) => `r${i}`));
  });

  it("keeps records whole across its buffer's blocks: non-ASCII text, records larger than a block, many small ones", async () => {
    const dir = tempDir();
    const log = new PredictionLog({ dir, maxFileBytes: 200_000 });
    const long = "ü€😀x".repeat(120_000);
    const sent: PredictionRecord[] = [];
    for (let index = 0; index < 3000; index++) {
      const entry = { ...record(index), outputs: index % 1000 === 7 ? [long] : [`ñ${index}`] };
      sent.push(entry);
      log.append(entry);
    }
    await log.close();
    const read = readRecords(dir);
    expect(read).toHaveLength(3000);
    expect(read.map((r) => r.outputs)).toEqual(sent.map((r) => r.outputs));
    // Files rotate between records: each holds whole lines, and only its last line takes it past the limit.
    for (const file of readdirSync(dir)) {
      const text = readFileSync(join(dir, file), "utf8");
      expect(text.endsWith("\n")).toBe(true);
      const lines = text.slice(0, -1).split("\n");
      expect(Buffer.byteLength(text) - Buffer.byteLength(`${lines.at(-1)}\n`)).toBeLessThan(200_000);
    }
  });

  it("starts a new file when the hour changes", async () => {
    const dir = tempDir();
    let now = new Date("2026-11-23T10:59:59.000Z");
    const log = new PredictionLog({ dir, now: () => now });
    log.append(record(0));
    await log.flush();
    now = new Date("2026-11-23T11:00:01.000Z");
    log.append(record(1));
    await log.close();
    const files = readdirSync(dir).sort();
    expect(files).toHaveLength(2);
    expect(files[0]).toMatch(/^predictions-2026-11-23T10-59-59/);
    expect(files[1]).toMatch(/^predictions-2026-11-23T11-00-01/);
  });

  it("drops and counts records when the buffer is full, without blocking", async () => {
    const dir = tempDir();
    let dropped = 0;
    const log = new PredictionLog({
      dir,
      maxBufferedRecords: 10,
      flushIntervalMs: 10_000,
      onDrop: (n) => (dropped += n),
    });
    const accepted = Array.from({ length: 25 }, (_, index) => log.append(record(index)));
    expect(accepted.filter(Boolean)).toHaveLength(10);
    expect(dropped).toBe(15);
    expect(log.dropped).toBe(15);
    await log.close();
    expect(readRecords(dir)).toHaveLength(10);
  });

  it("drops and counts a record JSON cannot hold, and keeps the others", async () => {
    const dir = tempDir();
    const log = new PredictionLog({ dir, flushIntervalMs: 10_000 });
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(log.append(record(1))).toBe(true);
    expect(log.append({ ...record(2), outputs: [10n] })).toBe(false);
    expect(log.append({ ...record(3), inputs: cyclic })).toBe(false);
    expect(log.append(record(4))).toBe(true);
    expect(log.dropped).toBe(2);
    await log.close();
    expect(readRecords(dir).map((line) => line.request_id)).toEqual(["r1", "r4"]);
  });
});
