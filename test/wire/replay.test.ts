/**
 * Replay contract test: every exchange recorded between the MLflow 2.12.2 Python client and
 * MLflow's own server (test/fixtures/mlflow/mlflow-wire.jsonl) is sent, in order, to one fresh
 * Lathe server, and each answer must match the recording by status and JSON shape (test/wire/shape.ts);
 * downloaded text artifacts must match byte for byte. Ids differ between runs, so the ids Lathe hands
 * out replace the recorded ones in every later request, model version numbers included. The 28
 * model registry exchanges are replayed like the rest.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/server.js";
import { shapeDifferences } from "./shape.js";

interface Exchange {
  method: string;
  url: string;
  req_content_type: string | null;
  req_body: string;
  status: number;
  res_content_type: string | null;
  res_body: string;
}

const FIXTURE = new URL("../fixtures/mlflow/mlflow-wire.jsonl", import.meta.url);
const exchanges: Exchange[] = readFileSync(FIXTURE, "utf8")
  .split("\n")
  .filter((line) => line.trim() !== "")
  .map((line) => JSON.parse(line) as Exchange);

/** Registry endpoints (under /api/2.0/mlflow/), counted so the recording's registry coverage stays visible. */
const REGISTRY_ENDPOINTS: readonly string[] = [
  "registered-models/create",
  "registered-models/get",
  "registered-models/rename",
  "registered-models/update",
  "registered-models/delete",
  "registered-models/search",
  "registered-models/get-latest-versions",
  "registered-models/set-tag",
  "registered-models/delete-tag",
  "registered-models/alias",
  "model-versions/create",
  "model-versions/get",
  "model-versions/update",
  "model-versions/transition-stage",
  "model-versions/delete",
  "model-versions/search",
  "model-versions/get-download-uri",
  "model-versions/set-tag",
  "model-versions/delete-tag",
];

/** How the recording shows a binary body. */
const BINARY_BODY = /^<(\d+) bytes ([^>]+)>$/;

function pathOf(url: string): string {
  return url.split("?")[0] ?? url;
}

function isRegistry(url: string): boolean {
  return REGISTRY_ENDPOINTS.some((endpoint) => pathOf(url) === `/api/2.0/mlflow/${endpoint}`);
}

/** N deterministic bytes covering every byte value, standing in for a recorded binary upload. */
function arbitraryBytes(length: number): Uint8Array {
  return Uint8Array.from({ length }, (_, index) => (index * 7 + 3) % 256);
}

/** Recorded ids → the ids Lathe returned for the same objects. */
class IdMap {
  readonly experiments = new Map<string, string>();
  readonly runs = new Map<string, string>();
  readonly versions = new Map<string, string>();

  /**
   * Walks a recorded response and Lathe's answer together (through objects, not lists, whose order
   * may differ) and notes each experiment id, run id and model version number pair. Returns the
   * pairs that contradict an earlier one.
   */
  learn(recorded: unknown, actual: unknown, path = "$", conflicts: string[] = []): string[] {
    if (!isObject(recorded) || !isObject(actual)) return conflicts;
    for (const [key, value] of Object.entries(recorded)) {
      const other = actual[key];
      if (typeof value === "string" && typeof other === "string") {
        const map =
          key === "experiment_id"
            ? this.experiments
            : key === "run_id" || key === "run_uuid"
              ? this.runs
              : key === "version"
                ? this.versions
                : undefined;
        const known = map?.get(value);
        if (map !== undefined && known === undefined) map.set(value, other);
        else if (known !== undefined && known !== other)
          conflicts.push(`${path}.${key}: Lathe said '${other}' for recorded '${value}', earlier '${known}'`);
      } else {
        this.learn(value, other, `${path}.${key}`, conflicts);
      }
    }
    return conflicts;
  }

  experiment(id: string): string {
    return this.experiments.get(id) ?? id;
  }

  /** Run ids are 32 hex digits, so replacing them anywhere in a text is unambiguous. */
  runsIn(text: string): string {
    let result = text;
    for (const [recorded, actual] of this.runs) result = result.replaceAll(recorded, actual);
    return result;
  }

  /** `<experiment_id>/<run_id>/artifacts/...` under the artifact proxy. */
  artifactPath(path: string): string {
    const slash = path.indexOf("/");
    return slash < 0 ? this.experiment(path) : `${this.experiment(path.slice(0, slash))}${path.slice(slash)}`;
  }

  /** A JSON request body, edited as text so the client's exact bytes are kept otherwise. */
  jsonBody(text: string): string {
    return this.runsIn(text)
      .replace(
        /("experiment_ids?"\s*:\s*)(\[[^\]]*\]|"[^"]*")/g,
        (_match, head: string, value: string) =>
          head + value.replace(/"([^"]*)"/g, (_quoted, id: string) => `"${this.experiment(id)}"`),
      )
      .replace(
        /("version"\s*:\s*)"([^"]*)"/g,
        (_match, head: string, version: string) => `${head}"${this.versions.get(version) ?? version}"`,
      );
  }

  url(url: string): string {
    const [path = "", query] = url.split("?");
    const proxy = "/api/2.0/mlflow-artifacts/artifacts/";
    const newPath = path.startsWith(proxy) ? proxy + this.artifactPath(path.slice(proxy.length)) : path;
    if (query === undefined) return this.runsIn(newPath);
    const pairs = query.split("&").map((pair) => {
      const [key = "", raw = ""] = pair.split("=");
      const value = decodeURIComponent(raw.replaceAll("+", " "));
      if (key === "experiment_id") return `${key}=${encodeURIComponent(this.experiment(value))}`;
      if (key === "path") return `${key}=${encodeURIComponent(this.artifactPath(value))}`;
      if (key === "version") return `${key}=${encodeURIComponent(this.versions.get(value) ?? value)}`;
      return pair;
    });
    return this.runsIn(`${newPath}?${pairs.join("&")}`);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

describe("the recording", () => {
  it("has 114 exchanges, 28 of them on the model registry", () => {
    expect(exchanges).toHaveLength(114);
    expect(exchanges.filter((exchange) => isRegistry(exchange.url))).toHaveLength(28);
    for (const exchange of exchanges.filter((item) => isRegistry(item.url))) {
      expect(pathOf(exchange.url)).toMatch(/^\/api\/2\.0\/mlflow\/(registered-models|model-versions)\//);
    }
  });
});

describe("replay of the MLflow 2.12.2 client session against Lathe", () => {
  let server: TestServer;
  const ids = new IdMap();
  /** What was uploaded to each artifact URL, for comparing binary downloads. */
  const uploads = new Map<string, Uint8Array>();

  beforeAll(async () => {
    server = await startTestServer();
  });

  afterAll(async () => {
    await server?.close();
  });

  async function replay(exchange: Exchange): Promise<void> {
    const url = ids.url(exchange.url);
    const headers: Record<string, string> = {};
    let body: string | Uint8Array | undefined;
    if (exchange.req_content_type !== null) {
      headers["content-type"] = exchange.req_content_type;
      const binary = BINARY_BODY.exec(exchange.req_body);
      if (binary) body = arbitraryBytes(Number(binary[1]));
      else if (exchange.req_content_type.startsWith("application/json")) body = ids.jsonBody(exchange.req_body);
      else body = ids.runsIn(exchange.req_body);
    }
    if (exchange.method === "PUT" && body !== undefined) {
      uploads.set(pathOf(url), typeof body === "string" ? new TextEncoder().encode(body) : body);
    }

    const response = await fetch(`${server.url}${url}`, { method: exchange.method, headers, body });
    const bytes = Buffer.from(await response.arrayBuffer());
    const text = bytes.toString("utf8");
    expect(response.status, `${exchange.method} ${url} answered: ${text.slice(0, 400)}`).toBe(exchange.status);

    if (exchange.res_content_type?.startsWith("application/json")) {
      expect(response.headers.get("content-type")).toMatch(/^application\/json/);
      const recorded = JSON.parse(exchange.res_body) as unknown;
      const actual = JSON.parse(text) as unknown;
      const conflicts = ids.learn(recorded, actual);
      expect(shapeDifferences(recorded, actual), `Lathe answered: ${text.slice(0, 2000)}`).toEqual([]);
      expect(conflicts).toEqual([]);
      return;
    }
    const binary = BINARY_BODY.exec(exchange.res_body);
    if (binary) {
      expect(bytes.length).toBe(Number(binary[1]));
      const sent = uploads.get(pathOf(url));
      if (sent !== undefined) expect(bytes.equals(sent), "downloaded bytes differ from the upload").toBe(true);
      return;
    }
    expect(text).toBe(ids.runsIn(exchange.res_body));
  }

  exchanges.forEach((exchange, index) => {
    const name = `#${String(index + 1).padStart(3, "0")} ${exchange.method} ${pathOf(exchange.url)}`;
    it(name, () => replay(exchange));
  });
});

describe("the id substitution itself", () => {
  // On a fresh server Lathe's experiment ids happen to equal the recorded ones; prove the mapping anyway.
  const run = "ab7ca8387d824bdd9bd9939ee65911ec";
  const ids = new IdMap();
  ids.learn({ experiment_id: "1" }, { experiment_id: "7" });
  ids.learn({ run: { info: { run_id: run, experiment_id: "1" } } }, { run: { info: { run_id: "f".repeat(32) } } });

  it("rewrites experiment and run ids in query strings and artifact paths", () => {
    expect(ids.url("/api/2.0/mlflow/experiments/get?experiment_id=1")).toBe(
      "/api/2.0/mlflow/experiments/get?experiment_id=7",
    );
    expect(ids.url(`/api/2.0/mlflow-artifacts/artifacts?path=1%2F${run}%2Fartifacts`)).toBe(
      `/api/2.0/mlflow-artifacts/artifacts?path=7%2F${"f".repeat(32)}%2Fartifacts`,
    );
    expect(ids.url(`/api/2.0/mlflow-artifacts/artifacts/1/${run}/artifacts/a/1.txt`)).toBe(
      `/api/2.0/mlflow-artifacts/artifacts/7/${"f".repeat(32)}/artifacts/a/1.txt`,
    );
  });

  it("rewrites ids inside JSON bodies and leaves other numbers alone", () => {
    expect(
      ids.jsonBody(`{"experiment_ids": ["1"], "filter": "attributes.run_id IN ('${run}')", "max_results": 1}`),
    ).toBe(`{"experiment_ids": ["7"], "filter": "attributes.run_id IN ('${"f".repeat(32)}')", "max_results": 1}`);
    expect(ids.jsonBody(`{"experiment_id": "1", "source": "runs:/${run}/model"}`)).toBe(
      `{"experiment_id": "7", "source": "runs:/${"f".repeat(32)}/model"}`,
    );
  });

  it("reports an id Lathe contradicts", () => {
    expect(ids.learn({ experiment_id: "1" }, { experiment_id: "8" })).toHaveLength(1);
  });
});

describe("the shape comparison itself", () => {
  it("accepts different values, list lengths and orders", () => {
    const recorded = { runs: [{ info: { run_id: "a", start_time: 1 } }, { info: { run_id: "b", start_time: 2 } }] };
    expect(shapeDifferences(recorded, { runs: [{ info: { run_id: "z", start_time: 9 } }] })).toEqual([]);
  });

  it("reports a missing or extra key, a type change, and an empty list", () => {
    expect(shapeDifferences({ a: 1, b: "x" }, { a: 1, c: "x" })).toEqual([
      "$: missing key 'b'",
      "$: unexpected key 'c'",
    ]);
    expect(shapeDifferences({ a: 1 }, { a: "1" })).toHaveLength(1);
    expect(shapeDifferences({ files: [{ path: "a" }] }, { files: [] })).toHaveLength(1);
    expect(shapeDifferences({ m: [{ value: 1 }, { value: "NaN" }] }, { m: [{ value: 1 }] })).toHaveLength(1);
    expect(shapeDifferences({ f: [{ p: "a", size: 1 }, { p: "d" }] }, { f: [{ p: "a" }] })).toHaveLength(1);
  });

  it("compares error_code by value and only requires a non-empty message", () => {
    const recorded = { error_code: "RESOURCE_DOES_NOT_EXIST", message: "Could not find experiment" };
    expect(shapeDifferences(recorded, { error_code: "RESOURCE_DOES_NOT_EXIST", message: "other words" })).toEqual([]);
    expect(shapeDifferences(recorded, { error_code: "NOT_FOUND", message: "x" })).toHaveLength(1);
    expect(shapeDifferences(recorded, { error_code: "RESOURCE_DOES_NOT_EXIST", message: "" })).toHaveLength(1);
  });
});
