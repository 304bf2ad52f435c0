/**
 * `lathe serve` as a process: on SIGTERM it stops accepting, lets the request in flight finish (here
 * a request whose body is still arriving), flushes the prediction log and exits 0. With --workers N,
 * the workers share the port and /metrics counts the whole cluster.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import { FIXTURES, readExpected } from "./helpers.js";

const main = join(import.meta.dirname, "../../src/cli/main.ts");
let folder: string | undefined;
afterEach(() => {
  if (folder) rmSync(folder, { recursive: true, force: true });
});

describe("lathe serve and SIGTERM", () => {
  it("drains the request in flight and exits 0", async () => {
    folder = mkdtempSync(join(tmpdir(), "lathe-sigterm-"));
    const logDir = join(folder, "predictions");
    const child = spawn(
      process.execPath,
      [
        "--import",
        import.meta.resolve("tsx"),
        main,
        "serve",
        join(FIXTURES, "mlflow-onnx-model"),
        "--port",
        "0",
        "--log-dir",
        logDir,
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    for (let waited = 0; waited < 30_000 && !/ on http:\/\/[\d.]+:\d+/.test(output); waited += 50) await sleep(50);
    const port = Number(/ on http:\/\/[\d.]+:(\d+)/.exec(output)?.[1]);
    expect(port, output).toBeGreaterThan(0);

    const expected = readExpected("iris_logreg");
    const body = JSON.stringify({ dataframe_split: { columns: expected.columns, data: expected.rows } });
    const half = Math.floor(body.length / 2);
    const answer = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = request(
        {
          host: "127.0.0.1",
          port,
          method: "POST",
          path: "/invocations",
          headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
        },
        (res) => {
          let text = "";
          res.on("data", (chunk: Buffer) => {
            text += chunk.toString();
          });
          res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
        },
      );
      req.on("error", reject);
      req.write(body.slice(0, half));
      setTimeout(() => {
        child.kill("SIGTERM");
        setTimeout(() => req.end(body.slice(half)), 500);
      }, 200);
    });
    const response = await answer;
    expect(response.status, response.text).toBe(200);
    expect(JSON.parse(response.text).predictions).toEqual(expected.label);
    expect(await exited).toBe(0);
    const lines = readdirSync(logDir).flatMap((file) => readFileSync(join(logDir, file), "utf8").trim().split("\n"));
    expect(lines).toHaveLength(1);
  });
});

describe("lathe serve --workers 2", () => {
  it("shares the port, reports the whole cluster's metrics and stops on SIGTERM", async () => {
    folder = mkdtempSync(join(tmpdir(), "lathe-workers-"));
    const child = spawn(
      process.execPath,
      [
        "--import",
        import.meta.resolve("tsx"),
        main,
        "serve",
        join(FIXTURES, "mlflow-onnx-model"),
        "--port",
        "0",
        "--workers",
        "2",
        "--name",
        "iris",
        "--log-dir",
        join(folder, "predictions"),
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    for (let waited = 0; waited < 60_000 && (output.match(/worker \d+ serving/g) ?? []).length < 2; waited += 50) {
      await sleep(50);
    }
    const port = Number(/serving .* on http:\/\/[\d.]+:(\d+)/.exec(output)?.[1]);
    expect(port, output).toBeGreaterThan(0);
    const expected = readExpected("iris_logreg");
    for (let index = 0; index < 20; index++) {
      const response = await fetch(`http://127.0.0.1:${port}/invocations`, {
        method: "POST",
        headers: { "content-type": "application/json", connection: "close" },
        body: JSON.stringify({ instances: [expected.rows[0]] }),
      });
      expect(response.status).toBe(200);
    }
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toContain(
      'lathe_serve_requests_total{model="iris",version="",endpoint="/invocations",protocol="mlflow",code="200"} 20',
    );
    expect(metrics).toContain('lathe_serve_model_info{model="iris",version="",runtime="onnxruntime"} 1');
    // The latency histogram and the class counts are summed over the workers too.
    expect(metrics).toContain(
      'lathe_serve_request_duration_seconds_count{model="iris",version="",endpoint="/invocations"} 20',
    );
    expect(metrics).toContain(
      'lathe_serve_request_duration_seconds_bucket{le="+Inf",model="iris",version="",endpoint="/invocations"} 20',
    );
    const predicted = [...metrics.matchAll(/^lathe_serve_predictions_total\{[^}]*\} (\d+)$/gm)];
    expect(predicted.reduce((sum, match) => sum + Number(match[1]), 0)).toBe(20);
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
  });
});
