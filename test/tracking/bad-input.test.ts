/**
 * Hostile and careless input against a real `lathe server`: malformed JSON, wrong types, bodies over
 * the byte limit, 10 MB values, unknown ids and invalid filters each get the right status and
 * error_code, and after every case the server still answers /health and accepts a normal write.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/server.js";

const MB = 1024 * 1024;
const UNKNOWN_RUN = "0123456789abcdef0123456789abcdef";

interface Answer {
  status: number;
  body: Record<string, unknown>;
  text: string;
}

async function send(server: TestServer, method: string, path: string, body?: string, type?: string): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (type !== undefined) headers["content-type"] = type;
  const response = await fetch(`${server.url}/api/2.0/mlflow/${path}`, { method, headers, body });
  const text = await response.text();
  let parsed: Record<string, unknown> = {};
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    parsed = {};
  }
  return { status: response.status, body: parsed, text };
}

function postJson(server: TestServer, path: string, body: unknown): Promise<Answer> {
  return send(server, "POST", path, JSON.stringify(body), "application/json");
}

let created = 0;

/** The server still serves: /health answers OK and a normal experiment create succeeds. */
async function expectAlive(server: TestServer): Promise<void> {
  const health = await fetch(`${server.url}/health`);
  expect(health.status).toBe(200);
  expect(await health.text()).toBe("OK");
  const create = await server.call("POST", "experiments/create", { name: `alive-${++created}` });
  expect(create.status).toBe(200);
  expect(create.body.experiment_id).toMatch(/^\d+$/);
}

function expectError(answer: Answer, status: number, code: string, message?: RegExp): void {
  expect(answer.status, answer.text.slice(0, 300)).toBe(status);
  expect(answer.body.error_code).toBe(code);
  expect(typeof answer.body.message).toBe("string");
  if (message) expect(answer.body.message).toMatch(message);
}

describe("bad input against lathe server", () => {
  let server: TestServer;
  let experimentId = "";
  let runId = "";

  beforeAll(async () => {
    server = await startTestServer();
    const experiment = await server.call("POST", "experiments/create", { name: "bad-input" });
    experimentId = String(experiment.body.experiment_id);
    const run = await server.call("POST", "runs/create", { experiment_id: experimentId });
    runId = String((run.body.run as { info: { run_id: string } }).info.run_id);
  });

  afterAll(async () => {
    await server?.close();
  });

  afterEach(async () => {
    await expectAlive(server);
  });

  describe("malformed bodies", () => {
    it.each([
      ["truncated object", '{"name": '],
      ["trailing garbage", '{"name": "x"} extra'],
      ["single quotes", "{'name': 'x'}"],
      ["bare word", "hello"],
    ])("answers 400 BAD_REQUEST for %s", async (_label, body) => {
      const answer = await send(server, "POST", "experiments/create", body, "application/json");
      expectError(answer, 400, "BAD_REQUEST", /JSON/);
    });

    it("answers 400 for JSON that is not an object", async () => {
      expectError(await postJson(server, "experiments/create", [1, 2]), 400, "INVALID_PARAMETER_VALUE");
      expectError(await postJson(server, "experiments/create", 42), 400, "INVALID_PARAMETER_VALUE");
    });

    it("answers 400 'Missing value for required parameter' for an empty body", async () => {
      const bare = await send(server, "POST", "experiments/create");
      expectError(bare, 400, "INVALID_PARAMETER_VALUE", /Missing value for required parameter 'name'/);
      const typed = await send(server, "POST", "runs/log-metric", "", "application/json");
      expectError(typed, 400, "INVALID_PARAMETER_VALUE", /Missing value for required parameter/);
      const emptyObject = await postJson(server, "experiments/delete", {});
      expectError(emptyObject, 400, "INVALID_PARAMETER_VALUE", /Missing value for required parameter 'experiment_id'/);
      const emptyString = await postJson(server, "experiments/create", { name: "" });
      expectError(emptyString, 400, "INVALID_PARAMETER_VALUE", /Missing value for required parameter 'name'/);
    });

    it("rejects a non-JSON content type on a JSON endpoint", async () => {
      const plain = await send(server, "POST", "experiments/create", '{"name":"x"}', "text/plain");
      expectError(plain, 400, "INVALID_PARAMETER_VALUE", /Content-Type must be one of/);
      const hostile = "text/html; charset=<script>alert(1)</script>";
      const answer = await send(server, "POST", "experiments/create", '{"name":"x"}', hostile);
      expectError(answer, 400, "INVALID_PARAMETER_VALUE", /Content-Type/);
      expect(answer.text).not.toMatch(/[<>()]/);
      const unparseable = await send(server, "POST", "experiments/create", '{"name":"x"}', "text/plain<script>");
      expect(unparseable.status).toBe(400);
      expect(unparseable.text).not.toContain("<script>");
    });
  });

  describe("wrong types", () => {
    const metric = (overrides: Record<string, unknown>) => ({
      run_id: runId,
      key: "m",
      value: 1,
      timestamp: 1,
      step: 0,
      ...overrides,
    });
    const cases: [string, string, () => Record<string, unknown>][] = [
      ["experiment_id as an object (create run)", "runs/create", () => ({ experiment_id: { id: experimentId } })],
      ["experiment_id as an object (delete)", "experiments/delete", () => ({ experiment_id: { id: "1" } })],
      ["experiment_id as a list", "experiments/update", () => ({ experiment_id: ["1"], new_name: "n" })],
      ["name as an object", "experiments/create", () => ({ name: { first: "x" } })],
      ["metric value as a bool", "runs/log-metric", () => metric({ value: true })],
      ["metric value as an array", "runs/log-metric", () => metric({ value: [1] })],
      ["metric value as an object", "runs/log-metric", () => metric({ value: { v: 1 } })],
      ["metric value as a word", "runs/log-metric", () => metric({ value: "high" })],
      ["timestamp as 'abc'", "runs/log-metric", () => metric({ timestamp: "abc" })],
      ["timestamp as a fraction", "runs/log-metric", () => metric({ timestamp: 1.5 })],
      ["step as a bool", "runs/log-metric", () => metric({ step: false })],
      ["tags not a list (experiment)", "experiments/create", () => ({ name: "t1", tags: { key: "a", value: "b" } })],
      ["tags not a list (run)", "runs/create", () => ({ experiment_id: experimentId, tags: "a=b" })],
      ["tag items not objects", "experiments/create", () => ({ name: "t2", tags: ["a=b"] })],
      ["tag items as lists", "runs/create", () => ({ experiment_id: experimentId, tags: [["a", "b"]] })],
      ["tag value as an object", "runs/set-tag", () => ({ run_id: runId, key: "k", value: { nested: true } })],
      ["batch metrics not a list", "runs/log-batch", () => ({ run_id: runId, metrics: { key: "m" } })],
      ["batch metric value a bool", "runs/log-batch", () => ({ run_id: runId, metrics: [metric({ value: false })] })],
      ["batch params items not objects", "runs/log-batch", () => ({ run_id: runId, params: [7] })],
      ["max_results 'ten' (experiments)", "experiments/search", () => ({ max_results: "ten" })],
      ["max_results 'ten' (runs)", "runs/search", () => ({ experiment_ids: [experimentId], max_results: "ten" })],
      ["experiment_ids items as objects", "runs/search", () => ({ experiment_ids: [{ id: "1" }] })],
      ["run status unknown", "runs/update", () => ({ run_id: runId, status: "SLEEPING" })],
    ];

    it.each(cases)("answers 400 INVALID_PARAMETER_VALUE for %s", async (_label, path, body) => {
      expectError(await postJson(server, path, body()), 400, "INVALID_PARAMETER_VALUE");
    });

    it("leaves the run untouched by the rejected writes", async () => {
      const run = await server.call("GET", "runs/get", { run_id: runId });
      expect(run.status).toBe(200);
      const { data } = run.body.run as { data: { tags?: { key: string }[]; metrics?: unknown; params?: unknown } };
      expect(data.metrics).toBeUndefined();
      expect(data.params).toBeUndefined();
      expect(data.tags?.map((tag) => tag.key)).toEqual(["mlflow.runName"]);
    });
  });

  describe("oversized values", () => {
    const huge = "v".repeat(10 * MB);

    it("rejects a 10 MB param value naming the limit", async () => {
      const answer = await postJson(server, "runs/log-parameter", { run_id: runId, key: "p", value: huge });
      expectError(answer, 400, "INVALID_PARAMETER_VALUE", /length limit of 6000/);
      expect(answer.text.length).toBeLessThan(4096);
    });

    it("rejects a 10 MB run tag value naming the limit", async () => {
      const answer = await postJson(server, "runs/set-tag", { run_id: runId, key: "t", value: huge });
      expectError(answer, 400, "INVALID_PARAMETER_VALUE", /length limit of 8000/);
    });

    it("rejects a 10 MB experiment tag value naming the limit", async () => {
      const body = { experiment_id: experimentId, key: "t", value: huge };
      const answer = await postJson(server, "experiments/set-experiment-tag", body);
      expectError(answer, 400, "INVALID_PARAMETER_VALUE", /length limit of 5000/);
    });

    it("accepts a ~10 MB body under the default 16 MB limit and judges its content", async () => {
      const batch = {
        run_id: runId,
        tags: Array.from({ length: 10 }, (_, i) => ({ key: `big${i}`, value: "t".repeat(MB) })),
      };
      const rejected = await postJson(server, "runs/log-batch", batch);
      expectError(rejected, 400, "INVALID_PARAMETER_VALUE", /length limit of 8000/);

      // Unknown fields are ignored, so a valid 10 MB request goes through.
      const padded = await postJson(server, "experiments/create", { name: "padded", padding: huge });
      expect(padded.status, padded.text.slice(0, 300)).toBe(200);
      expect(padded.body.experiment_id).toMatch(/^\d+$/);
    });

    it("answers 413 for a body over the default 16 MB limit", async () => {
      const answer = await postJson(server, "experiments/create", { name: "x", padding: "p".repeat(17 * MB) });
      expect(answer.status).toBe(413);
      expect(answer.body.message).toMatch(new RegExp(`${16 * MB} bytes`));
    });
  });

  describe("unknown ids", () => {
    it.each([
      ["GET", "experiments/get", () => ({ experiment_id: "987654" })],
      ["GET", "experiments/get-by-name", () => ({ experiment_name: "no such experiment" })],
      ["POST", "experiments/update", () => ({ experiment_id: "987654", new_name: "n" })],
      ["POST", "experiments/delete", () => ({ experiment_id: "987654" })],
      ["POST", "experiments/restore", () => ({ experiment_id: "987654" })],
      ["POST", "experiments/set-experiment-tag", () => ({ experiment_id: "987654", key: "k", value: "v" })],
      ["POST", "runs/create", () => ({ experiment_id: "987654" })],
      ["GET", "runs/get", () => ({ run_id: UNKNOWN_RUN })],
      ["POST", "runs/update", () => ({ run_id: UNKNOWN_RUN, status: "FINISHED" })],
      ["POST", "runs/delete", () => ({ run_id: UNKNOWN_RUN })],
      ["POST", "runs/restore", () => ({ run_id: UNKNOWN_RUN })],
      ["POST", "runs/log-metric", () => ({ run_id: UNKNOWN_RUN, key: "m", value: 1, timestamp: 1 })],
      ["POST", "runs/log-parameter", () => ({ run_id: UNKNOWN_RUN, key: "p", value: "v" })],
      ["POST", "runs/set-tag", () => ({ run_uuid: UNKNOWN_RUN, key: "t", value: "v" })],
      ["POST", "runs/delete-tag", () => ({ run_id: UNKNOWN_RUN, key: "t" })],
      ["POST", "runs/log-batch", () => ({ run_id: UNKNOWN_RUN, params: [{ key: "p", value: "v" }] })],
      ["GET", "metrics/get-history", () => ({ run_id: UNKNOWN_RUN, metric_key: "m" })],
      ["GET", "artifacts/list", () => ({ run_id: UNKNOWN_RUN })],
    ])("%s %s answers 404 RESOURCE_DOES_NOT_EXIST", async (method, path, params) => {
      const answer = await server.call(method, path, params());
      expect(answer.status, JSON.stringify(answer.body)).toBe(404);
      expect(answer.body.error_code).toBe("RESOURCE_DOES_NOT_EXIST");
    });

    it("answers 404 for a tag that is not on the run", async () => {
      const answer = await server.call("POST", "runs/delete-tag", { run_id: runId, key: "never-set" });
      expect(answer.status).toBe(404);
      expect(answer.body.error_code).toBe("RESOURCE_DOES_NOT_EXIST");
    });
  });

  describe("invalid filters and search options", () => {
    it.each([
      "metrics.acc >>> 1",
      "metrics.acc = 'high'",
      "bogus.acc = 1",
      "params.lr = 0.1",
      "metrics.acc > 1 AND",
      "tags.x = 'a' OR",
      "attributes.nope = 'x'",
      "metrics.acc > 1 garbage",
    ])("runs/search rejects filter %j", async (filter) => {
      const answer = await server.call("POST", "runs/search", { experiment_ids: [experimentId], filter });
      expect(answer.status, JSON.stringify(answer.body)).toBe(400);
      expect(answer.body.error_code).toBe("INVALID_PARAMETER_VALUE");
    });

    it.each(["name ~ 'x'", "nonsense", "tags.x = ", "creation_time > 'yesterday'"])(
      "experiments/search rejects filter %j",
      async (filter) => {
        const answer = await server.call("POST", "experiments/search", { filter });
        expect(answer.status, JSON.stringify(answer.body)).toBe(400);
        expect(answer.body.error_code).toBe("INVALID_PARAMETER_VALUE");
      },
    );

    it.each([
      ["runs/search", { experiment_ids: ["0"], order_by: ["metrics.acc SIDEWAYS"] }],
      ["runs/search", { experiment_ids: ["0"], run_view_type: "SOMETIMES" }],
      ["runs/search", { experiment_ids: ["0"], max_results: 50001 }],
      ["runs/search", { experiment_ids: ["0"], max_results: 0 }],
      ["runs/search", { experiment_ids: ["0"], page_token: "not-a-token" }],
      ["experiments/search", { order_by: ["nope ASC"] }],
      ["experiments/search", { view_type: "SOMETIMES" }],
      ["experiments/search", { page_token: "%%%" }],
    ])("%s rejects %j", async (path, body) => {
      const answer = await server.call("POST", path, body);
      expect(answer.status, JSON.stringify(answer.body)).toBe(400);
      expect(answer.body.error_code).toBe("INVALID_PARAMETER_VALUE");
    });
  });
});

describe("bad input against a server with a 1 MiB body limit", () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ maxRequestBytes: MB });
  });

  afterAll(async () => {
    await server?.close();
  });

  it("answers 413 with a JSON error naming the limit for a 2 MB body", async () => {
    const answer = await postJson(server, "experiments/create", { name: "too-big", padding: "x".repeat(2 * MB) });
    expect(answer.status).toBe(413);
    expect(answer.body.error_code).toBe("BAD_REQUEST");
    expect(answer.body.message).toMatch(/limit of 1048576 bytes/);
    await expectAlive(server);
  });

  it("still accepts a body just under the limit", async () => {
    const answer = await postJson(server, "experiments/create", { name: "fits", padding: "x".repeat(MB - 1024) });
    expect(answer.status, answer.text.slice(0, 300)).toBe(200);
    await expectAlive(server);
  });

  it("does not apply the JSON limit to artifact uploads", async () => {
    const target = `${server.url}/api/2.0/mlflow-artifacts/artifacts/0/big.bin`;
    const put = await fetch(target, { method: "PUT", body: Buffer.alloc(3 * MB, 7) });
    expect(put.status).toBe(200);
    const get = await fetch(target);
    expect((await get.arrayBuffer()).byteLength).toBe(3 * MB);
    await expectAlive(server);
  });
});
