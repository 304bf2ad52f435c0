/**
 * Artifacts over HTTP against a real `lathe server`: the proxy's PUT/GET/DELETE/list round trip and
 * headers, `artifacts/list` for runs, a 5 MB binary, multipart (501), `--no-serve-artifacts` with a
 * `file:` default root, and a replay of MLflow's traversal CVE shapes (reference/mlflow.md §7) sent
 * as raw request targets, checked against a sentinel file and folder outside the artifact store.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../helpers/server.js";

const PROXY = "/api/2.0/mlflow-artifacts/artifacts";
const MB = 1024 * 1024;

interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** Sends `path` byte for byte as the request target, so no client normalises or re-encodes it. */
function raw(server: TestServer, method: string, path: string, body?: Buffer): Promise<RawAnswer> {
  const { hostname, port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const headers = body ? { "content-type": "application/octet-stream", "content-length": body.length } : {};
    const req = request({ host: hostname, port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}

async function json(server: TestServer, method: string, path: string, body?: Buffer) {
  const answer = await raw(server, method, path, body);
  return { status: answer.status, body: JSON.parse(answer.body.toString("utf8")) as Record<string, unknown> };
}

async function createRun(server: TestServer, name: string): Promise<{ experimentId: string; runId: string }> {
  const experiment = await server.call("POST", "experiments/create", { name });
  const experimentId = String(experiment.body.experiment_id);
  const run = await server.call("POST", "runs/create", { experiment_id: experimentId });
  return { experimentId, runId: (run.body.run as { info: { run_id: string } }).info.run_id };
}

/** Traversal shapes aimed `up` levels above `base` (a path under the listed root), then at `target`. */
function traversalShapes(up: number, target: string, absTarget: string): [string, string][] {
  const rep = (text: string) => text.repeat(up);
  return [
    ["raw ../", `x/${rep("../")}${target}`],
    ["..%2f..%2f", `x/${rep("..%2f")}${target}`],
    ["%2e%2e%2f", `x/${rep("%2e%2e%2f")}${target}`],
    ["%2E%2E/", `x/${rep("%2E%2E/")}${target}`],
    ["%252e%252e%252f", `x/${rep("%252e%252e%252f")}${target}`],
    ["%25252e triple-encoded", `x/${rep("%25252e%25252e%25252f")}${target}`],
    ["..%5c..%5c", `x/${rep("..%5c")}${target}`],
    ["\\..\\..\\", `x${rep("\\..")}\\${target}`],
    [";/../", `x;/${rep("../")}${target}`],
    ["%3b/../", `x%3b/${rep("../")}${target}`],
    ["#/../", `x#/${rep("../")}${target}`],
    ["%23/../", `x%23/${rep("../")}${target}`],
    ["%3f/../", `x%3f/${rep("../")}${target}`],
    ["%00", `x/${rep("..%2f")}${target}%00.txt`],
    ["%00 segment", `x%00/${rep("../")}${target}`],
    ["full-width dots", `x/${rep("%EF%BC%8E%EF%BC%8E%EF%BC%8F")}${target}`],
    ["overlong utf-8 dots", `x/${rep("%c0%ae%c0%ae/")}${target}`],
    ["absolute", `/${absTarget.replace(/^\/+/, "")}`],
    ["absolute %2f", `%2f${absTarget.replace(/^\/+/, "").replaceAll("/", "%2f")}`],
    ["C:%5cWindows", "C:%5cWindows"],
    ["C:%5c..", `C:%5c${rep("..%5c")}${target}`],
    ["C:/", "C:/Windows/win.ini"],
    ["file:///", `file://${absTarget}`],
    ["file:../", `file:${rep("../")}${target}`],
  ];
}

describe("artifact proxy", () => {
  let server: TestServer;
  let destination = "";

  beforeAll(async () => {
    server = await startTestServer();
    destination = join(server.dir, "mlartifacts");
  });

  afterAll(async () => {
    await server?.close();
  });

  it("round-trips PUT, GET, list and DELETE with MLflow's headers", async () => {
    const put = await json(server, "PUT", `${PROXY}/a/b/hello.txt`, Buffer.from("hello artifacts\n"));
    expect(put).toEqual({ status: 200, body: {} });

    const get = await raw(server, "GET", `${PROXY}/a/b/hello.txt`);
    expect(get.status).toBe(200);
    expect(get.body.toString()).toBe("hello artifacts\n");
    expect(get.headers["content-disposition"]).toBe('attachment; filename="hello.txt"');
    expect(get.headers["x-content-type-options"]).toBe("nosniff");
    expect(get.headers["content-type"]).toMatch(/^text\/plain/);
    expect(get.headers["content-length"]).toBe("16");

    expect(await json(server, "GET", `${PROXY}?path=a/b`)).toEqual({
      status: 200,
      body: { files: [{ path: "hello.txt", is_dir: false, file_size: 16 }] },
    });
    expect(await json(server, "GET", `${PROXY}?path=a`)).toEqual({
      status: 200,
      body: { files: [{ path: "b", is_dir: true }] },
    });

    await json(server, "PUT", `${PROXY}/a/b/hello.txt`, Buffer.from("replaced"));
    expect((await raw(server, "GET", `${PROXY}/a/b/hello.txt`)).body.toString()).toBe("replaced");

    expect(await json(server, "DELETE", `${PROXY}/a/b/hello.txt`)).toEqual({ status: 200, body: {} });
    const gone = await json(server, "GET", `${PROXY}/a/b/hello.txt`);
    expect(gone.status).toBe(404);
    expect(gone.body.error_code).toBe("RESOURCE_DOES_NOT_EXIST");
    expect((await json(server, "DELETE", `${PROXY}/a/b/hello.txt`)).status).toBe(404);
  });

  it("answers {} for an empty or missing folder and 404 for a folder download", async () => {
    mkdirSync(join(destination, "empty"), { recursive: true });
    expect(await json(server, "GET", `${PROXY}?path=empty`)).toEqual({ status: 200, body: {} });
    expect(await json(server, "GET", `${PROXY}?path=no/such/folder`)).toEqual({ status: 200, body: {} });
    expect((await json(server, "GET", `${PROXY}/empty`)).status).toBe(404);
  });

  it("deletes a folder recursively but refuses the root", async () => {
    await json(server, "PUT", `${PROXY}/tree/one.txt`, Buffer.from("1"));
    await json(server, "PUT", `${PROXY}/tree/sub/two.txt`, Buffer.from("2"));
    expect((await json(server, "DELETE", `${PROXY}/tree`)).status).toBe(200);
    expect(existsSync(join(destination, "tree"))).toBe(false);
    // A bare trailing slash routes to the listing (no DELETE there); "." reaches the handler and is refused.
    expect((await json(server, "DELETE", `${PROXY}/`)).body.error_code).toBe("ENDPOINT_NOT_FOUND");
    for (const path of [`${PROXY}/.`, `${PROXY}/./`, `${PROXY}/a/..%2f`]) {
      const answer = await json(server, "DELETE", path);
      expect(answer.status, path).toBe(400);
      expect(answer.body.error_code).toBe("INVALID_PARAMETER_VALUE");
    }
    expect(existsSync(destination)).toBe(true);
  });

  it("streams a 5 MB binary up and down byte-identical", async () => {
    const bytes = randomBytes(5 * MB);
    const put = await fetch(`${server.url}${PROXY}/big/blob.bin`, { method: "PUT", body: bytes });
    expect(put.status).toBe(200);
    const get = await fetch(`${server.url}${PROXY}/big/blob.bin`);
    expect(get.status).toBe(200);
    expect(get.headers.get("content-type")).toBe("application/octet-stream");
    expect(get.headers.get("content-length")).toBe(String(5 * MB));
    expect(Buffer.from(await get.arrayBuffer()).equals(bytes)).toBe(true);
    expect(readFileSync(join(destination, "big", "blob.bin")).equals(bytes)).toBe(true);
  });

  it("answers 501 NOT_IMPLEMENTED for multipart upload", async () => {
    for (const action of ["create", "complete", "abort"]) {
      const response = await fetch(`${server.url}/api/2.0/mlflow-artifacts/mpu/${action}/big/part.bin`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ path: "big/part.bin", num_parts: 2, upload_id: "u", parts: [] }),
      });
      expect(response.status).toBe(501);
      expect(((await response.json()) as { error_code: string }).error_code).toBe("NOT_IMPLEMENTED");
    }
  });

  it("lists a run's artifacts relative to the run root", async () => {
    const { experimentId, runId } = await createRun(server, "artifact-list");
    const base = `${PROXY}/${experimentId}/${runId}/artifacts`;
    await json(server, "PUT", `${base}/model/MLmodel`, Buffer.from("flavors: {}\n"));
    await json(server, "PUT", `${base}/metrics.json`, Buffer.from("{}"));

    const root = await server.call("GET", "artifacts/list", { run_id: runId });
    expect(root.status).toBe(200);
    expect(root.body).toEqual({
      root_uri: `mlflow-artifacts:/${experimentId}/${runId}/artifacts`,
      files: [
        { path: "metrics.json", is_dir: false, file_size: 2 },
        { path: "model", is_dir: true },
      ],
    });
    const model = await server.call("GET", "artifacts/list", { run_uuid: runId, path: "model" });
    expect(model.body.files).toEqual([{ path: "model/MLmodel", is_dir: false, file_size: 12 }]);
    const empty = await server.call("GET", "artifacts/list", { run_id: runId, path: "nothing" });
    expect(empty.body).toEqual({ root_uri: `mlflow-artifacts:/${experimentId}/${runId}/artifacts` });
  });
});

describe("with --no-serve-artifacts and a file: default root", () => {
  let server: TestServer;
  let root = "";

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), "lathe-root-"));
    server = await startTestServer({ serveArtifacts: false, defaultArtifactRoot: `file://${root}` });
  });

  afterAll(async () => {
    await server?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it("answers the proxy with a plain-text 503", async () => {
    for (const [method, path] of [
      ["GET", `${PROXY}/x.txt`],
      ["PUT", `${PROXY}/x.txt`],
      ["DELETE", `${PROXY}/x.txt`],
      ["GET", `${PROXY}?path=`],
    ] as const) {
      const answer = await raw(server, method, path, method === "PUT" ? Buffer.from("x") : undefined);
      expect(answer.status, `${method} ${path}`).toBe(503);
      expect(answer.headers["content-type"]).toMatch(/^text\/plain/);
      expect(answer.body.toString()).toMatch(/serve-artifacts/);
    }
  });

  it("puts run artifacts under the default root and lists files written there", async () => {
    const { experimentId, runId } = await createRun(server, "file-root");
    const experiment = await server.call("GET", "experiments/get", { experiment_id: experimentId });
    expect((experiment.body.experiment as { artifact_location: string }).artifact_location).toBe(
      `file://${root}/${experimentId}`,
    );
    const run = await server.call("GET", "runs/get", { run_id: runId });
    const uri = (run.body.run as { info: { artifact_uri: string } }).info.artifact_uri;
    expect(uri).toBe(`file://${root}/${experimentId}/${runId}/artifacts`);

    const folder = join(root, experimentId, runId, "artifacts");
    mkdirSync(join(folder, "plots"), { recursive: true });
    writeFileSync(join(folder, "plots", "loss.png"), Buffer.alloc(10));
    writeFileSync(join(folder, "notes.txt"), "abc");

    const listed = await server.call("GET", "artifacts/list", { run_id: runId });
    expect(listed.status).toBe(200);
    expect(listed.body).toEqual({
      root_uri: uri,
      files: [
        { path: "notes.txt", is_dir: false, file_size: 3 },
        { path: "plots", is_dir: true },
      ],
    });
    const plots = await server.call("GET", "artifacts/list", { run_id: runId, path: "plots" });
    expect(plots.body.files).toEqual([{ path: "plots/loss.png", is_dir: false, file_size: 10 }]);
  });
});

describe("CVE replay: traversal through raw request targets", () => {
  const SECRET = `SENTINEL-${randomBytes(8).toString("hex")}`;
  let server: TestServer;
  let sentinel = "";
  let keepDir = "";
  let before: string[] = [];
  let runBase = { experimentId: "", runId: "" };

  beforeAll(async () => {
    server = await startTestServer();
    // The artifact store is <dir>/mlartifacts; the sentinels sit next to it, outside the store.
    sentinel = join(server.dir, "sentinel.txt");
    keepDir = join(server.dir, "keep");
    writeFileSync(sentinel, SECRET);
    mkdirSync(keepDir);
    writeFileSync(join(keepDir, "inner.txt"), SECRET);
    runBase = await createRun(server, "cve-replay");
    await json(server, "PUT", `${PROXY}/inside.txt`, Buffer.from("inside"));
    before = readdirSync(server.dir).sort();
  });

  afterAll(async () => {
    await server?.close();
  });

  function expectRefused(answer: RawAnswer, label: string): void {
    expect([400, 404], `${label}: ${answer.status} ${answer.body.toString().slice(0, 200)}`).toContain(answer.status);
    const text = answer.body.toString("latin1");
    expect(text, label).not.toContain(SECRET);
    expect(text, label).not.toContain("root:x:0:0");
  }

  function expectSentinelsIntact(): void {
    expect(readFileSync(sentinel, "utf8")).toBe(SECRET);
    expect(readFileSync(join(keepDir, "inner.txt"), "utf8")).toBe(SECRET);
    expect(readdirSync(server.dir).sort()).toEqual(before);
    expect(readFileSync(join(server.dir, "mlartifacts", "inside.txt"), "utf8")).toBe("inside");
  }

  it("refuses every shape on GET of the proxy", async () => {
    const shapes = [...traversalShapes(2, "sentinel.txt", sentinel), ["/etc/passwd", "/etc/passwd"]];
    shapes.push(
      ["file:///etc/passwd", "file:///etc/passwd"],
      ["..%2f x12 etc/passwd", `${"..%2f".repeat(12)}etc/passwd`],
    );
    for (const [label, shape] of shapes) expectRefused(await raw(server, "GET", `${PROXY}/${shape}`), `GET ${label}`);
    expectSentinelsIntact();
  });

  it("refuses every shape on PUT of the proxy and writes nothing", async () => {
    for (const [label, shape] of traversalShapes(2, "sentinel.txt", sentinel)) {
      const answer = await raw(server, "PUT", `${PROXY}/${shape}`, Buffer.from("PWNED"));
      expectRefused(answer, `PUT ${label}`);
    }
    expectSentinelsIntact();
    const written = readdirSync(join(server.dir, "mlartifacts"), { recursive: true }).map(String);
    expect(written.filter((name) => !name.startsWith(runBase.experimentId))).toEqual(["inside.txt"]);
  });

  it("refuses every shape on DELETE of the proxy, for a file and a folder", async () => {
    const shapes = [...traversalShapes(2, "sentinel.txt", sentinel), ...traversalShapes(2, "keep", keepDir)];
    for (const [label, shape] of shapes)
      expectRefused(await raw(server, "DELETE", `${PROXY}/${shape}`), `DELETE ${label}`);
    expectSentinelsIntact();
  });

  it("refuses every shape as the proxy's ?path= listing", async () => {
    const shapes = [...traversalShapes(2, "", server.dir), ...traversalShapes(2, "keep", keepDir)];
    for (const [label, shape] of shapes) {
      const answer = await raw(server, "GET", `${PROXY}?path=${shape}`);
      expectRefused(answer, `list ${label}`);
      expect(answer.body.toString(), label).not.toMatch(/sentinel|inner\.txt|mlruns\.db/);
    }
    expectSentinelsIntact();
  });

  it("refuses every shape as artifacts/list?path= for a run", async () => {
    // The run root is <store>/<exp>/<run>/artifacts, so the sentinels are five levels above <root>/x.
    const shapes = [...traversalShapes(5, "", server.dir), ...traversalShapes(5, "keep", keepDir)];
    for (const [label, shape] of shapes) {
      const path = `/api/2.0/mlflow/artifacts/list?run_id=${runBase.runId}&path=${shape}`;
      const answer = await raw(server, "GET", path);
      expectRefused(answer, `artifacts/list ${label}`);
      expect(answer.body.toString(), label).not.toMatch(/sentinel|inner\.txt|mlruns\.db/);
    }
    expectSentinelsIntact();
  });

  it("refuses hostile experiment artifact locations", async () => {
    const locations = [
      "runs:/0123456789abcdef0123456789abcdef/model",
      "models:/m/1",
      "file:///tmp/x#frag",
      "file:///tmp/x?y=1",
      "/tmp/../etc",
      "/tmp/%2e%2e/etc",
      "file:///tmp/%252e%252e/etc",
      "file:///tmp/x;/../../etc",
      "mlflow-artifacts:/../../etc",
      "C:\\tmp\\..\\windows",
      "/tmp/x\u0000y",
      `/tmp/${"a".repeat(5000)}`,
    ];
    for (const [index, location] of locations.entries()) {
      const answer = await server.call("POST", "experiments/create", {
        name: `loc-${index}`,
        artifact_location: location,
      });
      expect(answer.status, location.slice(0, 60)).toBe(400);
      expect(answer.body.error_code).toBe("INVALID_PARAMETER_VALUE");
    }
    const listed = await server.call("POST", "experiments/search", { filter: "name LIKE 'loc-%'" });
    expect(listed.body).toEqual({});
  });

  it("still serves normally afterwards", async () => {
    expect((await raw(server, "GET", "/health")).body.toString()).toBe("OK");
    expect((await raw(server, "GET", `${PROXY}/inside.txt`)).body.toString()).toBe("inside");
    expectSentinelsIntact();
  });
});
