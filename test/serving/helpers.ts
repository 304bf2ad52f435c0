/**
 * Test helpers for the model server: a server on a free loopback port over a fixture model, with its
 * prediction log in a temporary folder, and small request helpers.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type RunningModelServer, type ServeSettings, startModelServer } from "../../src/serving/index.js";

export const FIXTURES = join(import.meta.dirname, "../fixtures");
export const ONNX_FIXTURES = ["iris_logreg", "iris_tree", "digits_mlp", "diabetes_linreg"] as const;

export interface Expected {
  model: string;
  kind: "classifier" | "regressor";
  input: string;
  columns: string[];
  rows: number[][];
  label?: (string | number)[];
  probabilities?: number[][];
  prediction?: number[];
  labels?: (string | number)[];
}

export function readExpected(name: string): Expected {
  return JSON.parse(readFileSync(join(FIXTURES, "onnx", `${name}.expected.json`), "utf8")) as Expected;
}

export interface ServingUnderTest {
  server: RunningModelServer;
  url: string;
  logDir: string;
  post(path: string, body: unknown, contentType?: string): Promise<Reply>;
  get(path: string): Promise<Reply>;
  close(): Promise<void>;
}

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  body: Record<string, unknown>;
}

async function toReply(response: Response): Promise<Reply> {
  const text = await response.text();
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = {};
  }
  return { status: response.status, headers: response.headers, text, body };
}

export async function startServing(source: string, overrides: Partial<ServeSettings> = {}): Promise<ServingUnderTest> {
  const logDir = mkdtempSync(join(tmpdir(), "lathe-serve-test-"));
  const server = await startModelServer({
    source,
    host: "127.0.0.1",
    port: 0,
    workers: 1,
    trackingUri: "http://127.0.0.1:1",
    batchWindowMs: 2,
    maxBatchSize: 256,
    logDir,
    logMaxFileBytes: 64 * 1024 * 1024,
    logBufferRecords: 10_000,
    pollSeconds: 0,
    name: undefined,
    maxRequestBytes: 16 * 1024 * 1024,
    ...overrides,
  });
  const url = server.url;
  return {
    server,
    url,
    logDir,
    async post(path, body, contentType = "application/json") {
      const payload = typeof body === "string" ? body : JSON.stringify(body);
      return toReply(
        await fetch(`${url}${path}`, { method: "POST", headers: { "content-type": contentType }, body: payload }),
      );
    },
    async get(path) {
      return toReply(await fetch(`${url}${path}`));
    },
    async close() {
      await server.close();
      rmSync(logDir, { recursive: true, force: true });
    },
  };
}
