/**
 * Auth bypass replays and hardening through a real server (reference/mlflow.md §7): path and case
 * tricks, prefixes, methods and unknown routes never reach a handler unauthenticated; spellings do
 * not escape a rule; login rate limiting; security headers; CORS; and the server-side locations a
 * non-admin may make the server read.
 */
import { request as httpRequest } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer } from "../helpers/server.js";
import { type AuthTestServer, authorization, startAuthServer } from "./helpers.js";

let server: AuthTestServer;
let reader: { username: string; password: string };
let editor: { username: string; password: string };
let manager: { username: string; password: string };
let experimentId: string;
let runId: string;
let secretExperiment: string;
let secretRun: string;

/** Sends a request with the path exactly as written (fetch would normalise it). */
function raw(
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }> {
  const url = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        method,
        path,
        headers: body ? { "content-type": "application/json", ...headers } : headers,
        // A fresh connection each time: a refused request's unread body may end the previous one.
        agent: false,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            text: Buffer.concat(chunks).toString(),
          }),
        );
      },
    );
    req.on("error", reject);
    if (body) req.write(body);
    req.end();
  });
}

beforeAll(async () => {
  server = await startAuthServer({ authDefaultPermission: "NO_PERMISSIONS" });
  reader = await server.createUser("reader");
  editor = await server.createUser("editor");
  manager = await server.createUser("manager");
  experimentId = (await server.admin("POST", "experiments/create", { name: "shared" })).body.experiment_id as string;
  runId = (
    (await server.admin("POST", "runs/create", { experiment_id: experimentId })).body.run as {
      info: { run_id: string };
    }
  ).info.run_id;
  secretExperiment = (await server.admin("POST", "experiments/create", { name: "secret" })).body
    .experiment_id as string;
  secretRun = (
    (await server.admin("POST", "runs/create", { experiment_id: secretExperiment })).body.run as {
      info: { run_id: string };
    }
  ).info.run_id;
  for (const [user, permission] of [
    [reader, "READ"],
    [editor, "EDIT"],
    [manager, "MANAGE"],
  ] as const) {
    await server.admin("POST", "experiments/permissions/create", {
      experiment_id: experimentId,
      username: user.username,
      permission,
    });
  }
  await server.admin("POST", "registered-models/create", { name: "shared-model" });
  await server.admin("POST", "registered-models/permissions/create", {
    name: "shared-model",
    username: "editor",
    permission: "EDIT",
  });
  await server.admin("POST", "registered-models/create", { name: "secret-model" });
});

afterAll(async () => {
  await server.close();
});

describe("bypass replay: nothing reaches a handler unauthenticated", () => {
  const PATHS = [
    "/API/2.0/mlflow/experiments/create",
    "/Api/2.0/mlflow/experiments/create",
    "//api/2.0/mlflow/experiments/create",
    "/api//2.0/mlflow/experiments/create",
    "/api/2.0/mlflow//experiments/create",
    "/api/2.0/mlflow/experiments/create/",
    "/api/2.0/mlflow/experiments/create;x=1",
    "/api/2.0/mlflow/experiments;/create",
    "/api/2.0/mlflow/experiments%2fcreate",
    "/api/2.0/mlflow/experiments%2Fcreate",
    "/api/2.0/mlflow/%65xperiments/create",
    "/api/2.0/mlflow/experiments/%2e%2e/experiments/create",
    "/api/2.0/mlflow/experiments/./create",
    "/api/2.0/mlflow/../mlflow/experiments/create",
    "/api/2.0/mlflow/experiments/create?",
    "/ajax-api/2.0/mlflow/experiments/create",
    "/AJAX-API/2.0/mlflow/experiments/create",
    "/health/../api/2.0/mlflow/experiments/create",
    "/health%2f..%2fapi/2.0/mlflow/experiments/create",
    "/health;/../api/2.0/mlflow/experiments/create",
    "/openapi.json/../api/2.0/mlflow/experiments/create",
    "/version/../../api/2.0/mlflow/experiments/create",
    "/api/2.0/mlflow/users/create",
    "/api/2.0/mlflow/no-such-endpoint",
    "/api/2.0/mlflow-artifacts/artifacts/1/x.txt",
    "/api/2.0/lathe/audit-log",
    "/api/2.0/lathe/tokens/create",
    "/api/2.0/preview/mlflow/experiments/create",
    "/get-artifact",
    "/",
  ];

  it("answers 401 (or 400 for a malformed target) and creates nothing, for every spelling and method", async () => {
    const body = JSON.stringify({ name: "pwned", username: "pwned", password: "pwned-password-123" });
    for (const path of PATHS) {
      for (const method of ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]) {
        const answer = await raw(method, path, {}, method === "GET" || method === "HEAD" ? undefined : body).catch(
          (e) => {
            throw new Error(`${method} ${path}: ${e}`);
          },
        );
        const where = `${method} ${path} → ${answer.status} ${answer.text.slice(0, 120)}`;
        expect([400, 401], where).toContain(answer.status);
        if (answer.status === 401) expect(answer.headers["www-authenticate"], where).toBe('Basic realm="lathe"');
      }
    }
    const search = await server.admin("POST", "experiments/search", { filter: "name = 'pwned'" });
    expect(search.body.experiments).toBeUndefined();
    expect((await server.admin("GET", "users/get", { username: "pwned" })).status).toBe(404);
  });

  it("leaves /health, /version and /openapi.json open, and only them", async () => {
    for (const path of ["/health", "/version", "/openapi.json"])
      expect((await raw("GET", path)).status, path).toBe(200);
    for (const path of ["/Health", "/health/x", "/api/2.0/mlflow/health"])
      expect((await raw("GET", path)).status, path).toBe(401);
  });

  it("rejects malformed, wrong-scheme and unknown credentials with 401", async () => {
    for (const header of [
      "Basic",
      "Basic !!!",
      `Basic ${Buffer.from("nocolon").toString("base64")}`,
      "Digest abc",
      "Bearer",
      "Bearer x y",
    ]) {
      const answer = await raw("GET", "/api/2.0/mlflow/experiments/search", { authorization: header });
      expect(answer.status, header).toBe(401);
    }
    const unknown = await raw("GET", "/api/2.0/mlflow/experiments/search", {
      authorization: authorization({ username: "ghost", password: "ghost-password-1" })!,
    });
    expect(unknown.status).toBe(401);
  });

  it("applies the same rule whatever spelling of a route a signed-in user sends", async () => {
    const asReader = authorization(reader)!;
    const body = JSON.stringify({ experiment_id: experimentId, new_name: "renamed" });
    for (const path of [
      "/api/2.0/mlflow/experiments/update",
      "/api/2.0/mlflow/experiments/update/",
      "/ajax-api/2.0/mlflow/experiments/update",
    ]) {
      expect((await raw("POST", path, { authorization: asReader }, body)).status, path).toBe(403);
    }
    for (const path of [
      "/API/2.0/mlflow/experiments/update",
      "/api/2.0/mlflow/experiments%2fupdate",
      "/api/2.0/mlflow/experiments/update;x",
    ]) {
      expect((await raw("POST", path, { authorization: asReader }, body)).status, path).toBe(404);
    }
    // Both run_id and run_uuid are checked, whichever one a handler reads.
    const mixed = await server.as(reader)("GET", "/get-artifact", {
      run_id: runId,
      run_uuid: secretRun,
      path: "x.txt",
    });
    expect(mixed.status).toBe(403);
    const repeated = await server.as(reader)("GET", "experiments/get", {
      experiment_id: [experimentId, secretExperiment],
    });
    expect(repeated.status).toBe(403);
    const padded = await server.as(reader)("GET", "experiments/get", { experiment_id: `00${secretExperiment}` });
    expect(padded.status).toBe(403);
  });
});

describe("the model card shows a model and its source run", () => {
  it("needs READ on the run's experiment as well as on the model", async () => {
    const card = (runId: string, version: string) =>
      server.as(editor)("GET", "/ajax-api/2.0/mlflow/lathe/registry/model-card", {
        name: "shared-model",
        version,
        run_id: runId,
      });
    const fromShared = await server.admin("POST", "model-versions/create", {
      name: "shared-model",
      source: `runs:/${runId}/model`,
      run_id: runId,
    });
    const fromSecret = await server.admin("POST", "model-versions/create", {
      name: "shared-model",
      source: `runs:/${secretRun}/model`,
      run_id: secretRun,
    });
    const version = (answer: typeof fromShared) => (answer.body.model_version as { version: string }).version;
    expect((await card(runId, version(fromShared))).status).toBe(200);
    const refused = await card(secretRun, version(fromSecret));
    expect(refused.status).toBe(403);
    expect(refused.body.error_code).toBe("PERMISSION_DENIED");
    // Naming a readable run instead of the version's own does not get around it.
    expect((await card(runId, version(fromSecret))).status).toBe(400);
  });
});

describe("login rate limiting", () => {
  it("answers 429 with Retry-After after 10 failed attempts for a username from one address, even to the right password", async () => {
    const victim = await server.createUser("victim");
    const wrong = { username: "victim", password: "not-the-password" };
    for (let attempt = 0; attempt < 10; attempt++) {
      expect((await server.as(wrong)("GET", "experiments/search")).status).toBe(401);
    }
    const limited = await server.as(wrong)("GET", "experiments/search");
    expect(limited.status).toBe(429);
    expect(limited.body.error_code).toBe("REQUEST_LIMIT_EXCEEDED");
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await server.as(victim)("GET", "experiments/search")).status).toBe(429);
    // Another user from the same address is not affected.
    expect((await server.as(reader)("GET", "experiments/search")).status).toBe(200);
  });
});

describe("security headers and CORS", () => {
  it("sets nosniff, frame and referrer headers on every answer, and a CSP on HTML", async () => {
    for (const [path, credentials] of [
      ["/health", undefined],
      ["/api/2.0/mlflow/experiments/search", undefined],
      ["/api/2.0/mlflow/experiments/search", reader],
      ["/api/2.0/mlflow/nothing-here", reader],
    ] as const) {
      const answer = await server.as(credentials)("GET", path);
      expect(answer.headers.get("x-content-type-options"), path).toBe("nosniff");
      expect(answer.headers.get("x-frame-options"), path).toBe("DENY");
      expect(answer.headers.get("referrer-policy"), path).toBe("no-referrer");
      expect(answer.headers.get("access-control-allow-origin"), path).toBeNull();
    }
    const put = await fetch(`${server.url}/api/2.0/mlflow-artifacts/artifacts/${experimentId}/page.html`, {
      method: "PUT",
      headers: { authorization: authorization(editor)! },
      body: "<script>alert(1)</script>",
    });
    expect(put.status).toBe(200);
    const html = await server.as(reader)("GET", `/api/2.0/mlflow-artifacts/artifacts/${experimentId}/page.html`);
    expect(html.headers.get("content-type")).toMatch(/^text\/html/);
    expect(html.headers.get("content-security-policy")).toMatch(/default-src 'self'.*frame-ancestors 'none'/);
  });

  it("keeps CORS off unless origins are configured, then answers only those, preflight included", async () => {
    const preflight = await raw("OPTIONS", "/api/2.0/mlflow/experiments/search", {
      origin: "https://evil.example",
      "access-control-request-method": "POST",
    });
    expect(preflight.headers["access-control-allow-origin"]).toBeUndefined();

    const cors = await startTestServer({ corsAllowedOrigins: ["https://ui.example.com"] });
    try {
      const allowed = await fetch(`${cors.url}/api/2.0/mlflow/experiments/search`, {
        method: "OPTIONS",
        headers: { origin: "https://ui.example.com", "access-control-request-method": "POST" },
      });
      expect(allowed.status).toBe(204);
      expect(allowed.headers.get("access-control-allow-origin")).toBe("https://ui.example.com");
      expect(allowed.headers.get("access-control-allow-headers")).toMatch(/Authorization/);
      const call = await fetch(`${cors.url}/api/2.0/mlflow/experiments/search`, {
        headers: { origin: "https://ui.example.com" },
      });
      expect(call.headers.get("access-control-allow-origin")).toBe("https://ui.example.com");
      const other = await fetch(`${cors.url}/api/2.0/mlflow/experiments/search`, {
        headers: { origin: "https://evil.example" },
      });
      expect(other.status).toBe(200);
      expect(other.headers.get("access-control-allow-origin")).toBeNull();
      // Without --auth the server is as before: no auth routes, everything open.
      expect((await fetch(`${cors.url}/api/2.0/lathe/audit-log`)).status).toBe(404);
      expect((await fetch(`${cors.url}/api/2.0/mlflow/users/get?username=admin`)).status).toBe(404);
    } finally {
      await cors.close();
    }
  });

  it("refuses a CORS origin that is not an exact origin, saying how to write one", async () => {
    const { parseAllowedOrigins } = await import("../../src/auth/index.js");
    expect(parseAllowedOrigins("https://a.example, http://localhost:3000", "--cors-allowed-origins")).toEqual([
      "https://a.example",
      "http://localhost:3000",
    ]);
    for (const bad of ["*", "https://a.example/path", "ftp://a.example", "a.example"]) {
      expect(() => parseAllowedOrigins(bad, "--cors-allowed-origins"), bad).toThrow(
        /is not an origin.*https:\/\/ui\.example\.com/,
      );
    }
  });
});

describe("what a non-admin can make the server read", () => {
  it("only admins choose an experiment's artifact location", async () => {
    for (const location of [
      "/etc",
      "file:///tmp/x",
      "http://169.254.169.254/latest",
      "s3://other-bucket/x",
      "mlflow-artifacts:/1",
    ]) {
      const answer = await server.as(editor)("POST", "experiments/create", {
        name: `loc-${location.length}-${Math.random()}`,
        artifact_location: location,
      });
      expect(answer.status, location).toBe(403);
      expect(answer.body.message).toMatch(/only admins may choose an experiment's artifact_location/);
    }
    expect(
      (
        await server.admin("POST", "experiments/create", {
          name: "admin-local",
          artifact_location: `${server.dir}/admin-artifacts`,
        })
      ).status,
    ).toBe(200);
    expect((await server.as(editor)("POST", "experiments/create", { name: "editor-default" })).status).toBe(200);
  });

  it("refuses model version sources a non-admin could not read themselves", async () => {
    const create = (source: string, extra: Record<string, unknown> = {}) =>
      server.as(editor)("POST", "model-versions/create", { name: "shared-model", source, ...extra });
    expect((await create(`runs:/${runId}/model`, { run_id: runId })).status).toBe(200);
    for (const [source, extra] of [
      [`runs:/${secretRun}/model`, {}],
      [`runs:/${runId}/model`, { run_id: secretRun }],
      [`mlflow-artifacts:/${secretExperiment}/${secretRun}/artifacts/model`, {}],
      ["mlflow-artifacts:/elsewhere/model", {}],
      ["models:/secret-model/1", {}],
      ["http://169.254.169.254/latest/meta-data", {}],
      ["https://internal.example/model", {}],
      ["s3://other-bucket/model", {}],
    ] as const) {
      const answer = await create(source, extra);
      expect(answer.status, `${source} ${JSON.stringify(answer.body)}`).toBe(403);
      expect(answer.body.error_code).toBe("PERMISSION_DENIED");
    }
    // Local paths were already refused outside a run's own artifact folder; still a 400 here.
    for (const source of ["/etc", "file:///etc/passwd"]) expect((await create(source)).status, source).toBe(400);
    expect(
      (await server.admin("POST", "model-versions/create", { name: "shared-model", source: "s3://bucket/model" }))
        .status,
    ).toBe(200);
  });

  it("guards the artifact proxy by the experiment a path lies under: GET READ, PUT EDIT, DELETE MANAGE", async () => {
    const base = `/api/2.0/mlflow-artifacts/artifacts/${experimentId}/${runId}/artifacts`;
    const put = (credentials: { username: string; password: string }, path: string) =>
      fetch(`${server.url}${path}`, {
        method: "PUT",
        headers: { authorization: authorization(credentials)! },
        body: "data",
      });
    expect((await put(reader, `${base}/f.txt`)).status).toBe(403);
    expect((await put(editor, `${base}/f.txt`)).status).toBe(200);
    expect((await server.as(reader)("GET", `${base}/f.txt`)).status).toBe(200);
    expect(
      (
        await server.as(reader)("GET", "/api/2.0/mlflow-artifacts/artifacts", {
          path: `${experimentId}/${runId}/artifacts`,
        })
      ).status,
    ).toBe(200);
    expect((await server.as(reader)("GET", "artifacts/list", { run_id: runId })).status).toBe(200);
    expect((await server.as(reader)("GET", "/get-artifact", { run_uuid: runId, path: "f.txt" })).status).toBe(200);
    expect((await server.as(editor)("DELETE", `${base}/f.txt`)).status).toBe(403);
    expect((await server.as(manager)("DELETE", `${base}/f.txt`)).status).toBe(200);

    const secret = `/api/2.0/mlflow-artifacts/artifacts/${secretExperiment}/x.txt`;
    expect((await put(editor, secret)).status).toBe(403);
    expect((await server.as(reader)("GET", "/get-artifact", { run_uuid: secretRun, path: "x.txt" })).status).toBe(403);
    // Paths under no experiment, and the root listing, are for admins only.
    expect((await put(manager, "/api/2.0/mlflow-artifacts/artifacts/misc/x.txt")).status).toBe(403);
    expect((await server.as(manager)("GET", "/api/2.0/mlflow-artifacts/artifacts", { path: "" })).status).toBe(403);
    expect((await server.admin("GET", "/api/2.0/mlflow-artifacts/artifacts", { path: "" })).status).toBe(200);
    // Encoded traversal out of a readable experiment is refused before any check can be fooled.
    for (const path of [
      `${experimentId}/..%2f${secretExperiment}/x.txt`,
      `${experimentId}/%252e%252e/${secretExperiment}/x.txt`,
    ]) {
      const answer = await raw("GET", `/api/2.0/mlflow-artifacts/artifacts/${path}`, {
        authorization: authorization(reader)!,
      });
      expect([400, 403], path).toContain(answer.status);
    }
  });
});
