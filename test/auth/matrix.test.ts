/**
 * The authorisation matrix: every endpoint the server mounts (generated from its endpoint table, on
 * both API prefixes) × every permission level, unauthenticated and admin, allowed or refused as
 * MLflow's basic-auth app does (reference/mlflow.md §7): reads need READ, writes EDIT, deletes and
 * restores MANAGE. An endpoint without an expectation here fails the test, as one without a rule
 * is refused by the server.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { aliasResolver, mountedRoutes, ruleFor } from "../../src/auth/index.js";
import { ENDPOINTS } from "../../src/server/app.js";
import { ADMIN, type AuthTestServer, type Credentials, startAuthServer } from "./helpers.js";

const LEVELS = ["NO_PERMISSIONS", "READ", "USE", "EDIT", "MANAGE"] as const;
type Level = (typeof LEVELS)[number];
type Principal = Level | "admin" | "anonymous";
const PRINCIPALS: readonly Principal[] = [...LEVELS, "admin", "anonymous"];

/** What each endpoint needs, written from MLflow's validators, independently of src/auth/rules.ts. */
type Need = "signed-in" | "read" | "update" | "delete" | "filtered";
const EXPECTED: Record<string, Need> = {
  "POST experiments/create": "signed-in",
  "GET experiments/get": "read",
  "GET experiments/get-by-name": "read",
  "POST experiments/search": "filtered",
  "GET experiments/search": "filtered",
  "GET experiments/list": "filtered",
  "POST experiments/update": "update",
  "POST experiments/delete": "delete",
  "POST experiments/restore": "delete",
  "POST experiments/set-experiment-tag": "update",
  "POST experiments/delete-experiment-tag": "update",
  "POST runs/create": "update",
  "GET runs/get": "read",
  "POST runs/update": "update",
  "POST runs/delete": "delete",
  "POST runs/restore": "delete",
  "POST runs/log-metric": "update",
  "POST runs/log-parameter": "update",
  "POST runs/set-tag": "update",
  "POST runs/delete-tag": "update",
  "POST runs/log-batch": "update",
  "POST runs/log-model": "update",
  "POST runs/log-inputs": "update",
  "POST runs/search": "filtered",
  "GET runs/search": "filtered",
  "GET metrics/get-history": "read",
  "GET metrics/get-history-bulk-interval": "read",
  "GET metrics/get-history-bulk": "read",
  "GET artifacts/list": "read",
  "POST registered-models/create": "signed-in",
  "POST registered-models/rename": "update",
  "PATCH registered-models/update": "update",
  "DELETE registered-models/delete": "delete",
  "GET registered-models/get": "read",
  "GET registered-models/search": "filtered",
  "POST registered-models/get-latest-versions": "read",
  "GET registered-models/get-latest-versions": "read",
  "POST registered-models/set-tag": "update",
  "DELETE registered-models/delete-tag": "delete",
  "POST registered-models/alias": "update",
  "DELETE registered-models/alias": "delete",
  "GET registered-models/alias": "read",
  "GET registry/history": "read",
  "POST model-versions/create": "update",
  "PATCH model-versions/update": "update",
  "POST model-versions/transition-stage": "update",
  "DELETE model-versions/delete": "delete",
  "GET model-versions/get": "read",
  "GET model-versions/search": "filtered",
  "GET model-versions/get-download-uri": "read",
  "POST model-versions/set-tag": "update",
  "DELETE model-versions/delete-tag": "delete",
  "POST lathe/registry/rollback": "update",
  "GET lathe/registry/model-card": "read",
  "GET lathe/search/check-filter": "signed-in",
};

const GRANTED: Record<Exclude<Need, "filtered">, readonly Level[]> = {
  "signed-in": LEVELS,
  read: ["READ", "USE", "EDIT", "MANAGE"],
  update: ["EDIT", "MANAGE"],
  delete: ["MANAGE"],
};

let server: AuthTestServer;
const credentials = new Map<Principal, Credentials>();
let experimentId: string;
let runId: string;
const MODEL = "matrix-model";
let counter = 0;
const unique = (stem: string) => `${stem}-${++counter}`;

async function adminOk(
  method: string,
  path: string,
  params: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const answer = await server.admin(method, path, params);
  expect(answer.status, `${method} ${path}: ${JSON.stringify(answer.body)}`).toBe(200);
  return answer.body;
}

/** Grants `principal`'s level on a resource (admins and anonymous get no row). */
async function grant(principal: Principal, kind: "experiment" | "model", resource: string): Promise<void> {
  if (principal === "admin" || principal === "anonymous") return;
  const username = `user-${principal.toLowerCase()}`;
  if (kind === "experiment") {
    await adminOk("POST", "experiments/permissions/create", {
      experiment_id: resource,
      username,
      permission: principal,
    });
  } else {
    await adminOk("POST", "registered-models/permissions/create", { name: resource, username, permission: principal });
  }
}

async function scratchExperiment(principal: Principal): Promise<string> {
  const id = (await adminOk("POST", "experiments/create", { name: unique("scratch") })).experiment_id as string;
  await grant(principal, "experiment", id);
  return id;
}

async function scratchModel(principal: Principal): Promise<string> {
  const name = unique("scratch-model");
  await adminOk("POST", "registered-models/create", { name });
  await grant(principal, "model", name);
  return name;
}

async function scratchRun(): Promise<string> {
  const body = await adminOk("POST", "runs/create", { experiment_id: experimentId });
  return (body.run as { info: { run_id: string } }).info.run_id;
}

async function newVersion(): Promise<string> {
  const body = await adminOk("POST", "model-versions/create", {
    name: MODEL,
    source: `runs:/${runId}/model`,
    run_id: runId,
  });
  return (body.model_version as { version: string }).version;
}

/** A valid request for each endpoint, acting on the shared experiment, run and model or on scratch ones. */
const REQUESTS: Record<string, (principal: Principal) => Promise<Record<string, unknown>>> = {
  "POST experiments/create": async () => ({ name: unique("created") }),
  "GET experiments/get": async () => ({ experiment_id: experimentId }),
  "GET experiments/get-by-name": async () => ({ experiment_name: "matrix" }),
  "POST experiments/search": async () => ({ view_type: "ALL" }),
  "GET experiments/search": async () => ({ view_type: "ALL" }),
  "GET experiments/list": async () => ({ view_type: "ALL" }),
  "POST experiments/update": async (p) => ({ experiment_id: await scratchExperiment(p), new_name: unique("renamed") }),
  "POST experiments/delete": async (p) => ({ experiment_id: await scratchExperiment(p) }),
  "POST experiments/restore": async () => ({ experiment_id: experimentId }),
  "POST experiments/set-experiment-tag": async () => ({ experiment_id: experimentId, key: "k", value: "v" }),
  "POST experiments/delete-experiment-tag": async () => ({ experiment_id: experimentId, key: "k" }),
  "POST runs/create": async () => ({ experiment_id: experimentId }),
  "GET runs/get": async () => ({ run_id: runId }),
  "POST runs/update": async () => ({ run_id: runId, status: "RUNNING" }),
  "POST runs/delete": async () => ({ run_id: await scratchRun() }),
  "POST runs/restore": async () => ({ run_id: runId }),
  "POST runs/log-metric": async () => ({ run_id: runId, key: "m", value: 1, timestamp: 1, step: 0 }),
  "POST runs/log-parameter": async () => ({ run_id: runId, key: unique("p"), value: "1" }),
  "POST runs/set-tag": async () => ({ run_id: runId, key: "t", value: "v" }),
  "POST runs/delete-tag": async () => ({ run_id: runId, key: "t" }),
  "POST runs/log-batch": async () => ({ run_id: runId, metrics: [{ key: "m", value: 2, timestamp: 2, step: 1 }] }),
  "POST runs/log-model": async () => ({
    run_id: runId,
    model_json: JSON.stringify({ artifact_path: "model", flavors: {}, utc_time_created: "2026-01-01", run_id: runId }),
  }),
  "POST runs/log-inputs": async () => ({ run_id: runId, datasets: [] }),
  "POST runs/search": async () => ({ experiment_ids: [experimentId], run_view_type: "ALL" }),
  "GET runs/search": async () => ({ experiment_ids: [experimentId], run_view_type: "ALL" }),
  "GET metrics/get-history": async () => ({ run_id: runId, metric_key: "m" }),
  "GET metrics/get-history-bulk-interval": async () => ({ run_ids: [runId], metric_key: "m" }),
  "GET metrics/get-history-bulk": async () => ({ run_id: [runId], metric_key: "m" }),
  "GET artifacts/list": async () => ({ run_id: runId }),
  "POST registered-models/create": async () => ({ name: unique("created-model") }),
  "POST registered-models/rename": async (p) => ({ name: await scratchModel(p), new_name: unique("renamed-model") }),
  "PATCH registered-models/update": async () => ({ name: MODEL, description: "d" }),
  "DELETE registered-models/delete": async (p) => ({ name: await scratchModel(p) }),
  "GET registered-models/get": async () => ({ name: MODEL }),
  "GET registered-models/search": async () => ({}),
  "POST registered-models/get-latest-versions": async () => ({ name: MODEL }),
  "GET registered-models/get-latest-versions": async () => ({ name: MODEL }),
  "POST registered-models/set-tag": async () => ({ name: MODEL, key: "k", value: "v" }),
  "DELETE registered-models/delete-tag": async () => ({ name: MODEL, key: "k" }),
  "POST registered-models/alias": async () => ({ name: MODEL, alias: "champion", version: "1" }),
  "DELETE registered-models/alias": async () => ({ name: MODEL, alias: "gone" }),
  "GET registered-models/alias": async () => ({ name: MODEL, alias: "champion" }),
  "GET registry/history": async () => ({ name: MODEL }),
  "POST model-versions/create": async () => ({ name: MODEL, source: `runs:/${runId}/model`, run_id: runId }),
  "PATCH model-versions/update": async () => ({ name: MODEL, version: "1", description: "d" }),
  "POST model-versions/transition-stage": async () => ({ name: MODEL, version: "1", stage: "Staging" }),
  "DELETE model-versions/delete": async () => ({ name: MODEL, version: await newVersion() }),
  "GET model-versions/get": async () => ({ name: MODEL, version: "1" }),
  "GET model-versions/search": async () => ({ filter: `name='${MODEL}'` }),
  "GET model-versions/get-download-uri": async () => ({ name: MODEL, version: "1" }),
  "POST model-versions/set-tag": async () => ({ name: MODEL, version: "1", key: "k", value: "v" }),
  "DELETE model-versions/delete-tag": async () => ({ name: MODEL, version: "1", key: "k" }),
  "POST lathe/registry/rollback": async () => ({ name: MODEL, alias: "champion" }),
  "GET lathe/registry/model-card": async () => ({ name: MODEL, version: "1", run_id: runId }),
  "GET lathe/search/check-filter": async () => ({ filter: "metrics.a > 1" }),
};

/** Whether a search answer shows the shared experiment, run or model. */
const SHOWS_SHARED: Record<string, (body: Record<string, unknown>) => boolean> = {
  experiments: (body) =>
    ((body.experiments as { experiment_id: string }[] | undefined) ?? []).some((e) => e.experiment_id === experimentId),
  runs: (body) =>
    ((body.runs as { info: { run_id: string } }[] | undefined) ?? []).some((r) => r.info.run_id === runId),
  "registered-models": (body) =>
    ((body.registered_models as { name: string }[] | undefined) ?? []).some((m) => m.name === MODEL),
  "model-versions": (body) =>
    ((body.model_versions as { name: string }[] | undefined) ?? []).some((v) => v.name === MODEL),
};

beforeAll(async () => {
  server = await startAuthServer({ authDefaultPermission: "NO_PERMISSIONS" });
  credentials.set("admin", ADMIN);
  credentials.set("anonymous", undefined);
  for (const level of LEVELS) credentials.set(level, await server.createUser(`user-${level.toLowerCase()}`));
  experimentId = (await adminOk("POST", "experiments/create", { name: "matrix" })).experiment_id as string;
  runId = await scratchRun();
  await adminOk("POST", "runs/log-metric", { run_id: runId, key: "m", value: 1, timestamp: 1, step: 0 });
  await adminOk("POST", "registered-models/create", { name: MODEL });
  await newVersion();
  await adminOk("POST", "registered-models/alias", { name: MODEL, alias: "champion", version: "1" });
  for (const level of LEVELS) {
    await grant(level, "experiment", experimentId);
    await grant(level, "model", MODEL);
  }
});

afterAll(async () => {
  await server.close();
});

describe("every endpoint × every permission level", () => {
  it("has an expectation and a request for every endpoint the server mounts", () => {
    for (const endpoint of ENDPOINTS) {
      for (const method of endpoint.methods) {
        const key = `${method} ${endpoint.path}`;
        expect(EXPECTED[key], `no expectation for ${key}: add its rule in src/auth/rules.ts and here`).toBeDefined();
        expect(REQUESTS[key], `no request for ${key}`).toBeDefined();
      }
    }
  });

  for (const endpoint of ENDPOINTS) {
    for (const method of endpoint.methods) {
      const key = `${method} ${endpoint.path}`;
      const paths = [endpoint.path, ...(endpoint.aliases ?? [])];
      const prefixes = endpoint.ajaxOnly ? ["/ajax-api/2.0/mlflow/"] : ["/api/2.0/mlflow/", "/ajax-api/2.0/mlflow/"];
      it(`${key}`, async () => {
        const need = EXPECTED[key];
        const build = REQUESTS[key];
        if (!need || !build) throw new Error(`no expectation or request for ${key}`);
        for (const prefix of prefixes) {
          for (const path of paths) {
            for (const principal of PRINCIPALS) {
              const answer = await server.as(credentials.get(principal))(
                method,
                `${prefix}${path}`,
                await build(principal),
              );
              const where = `${principal} ${method} ${prefix}${path} → ${answer.status} ${JSON.stringify(answer.body).slice(0, 200)}`;
              if (principal === "anonymous") {
                expect(answer.status, where).toBe(401);
                expect(answer.headers.get("www-authenticate"), where).toBe('Basic realm="lathe"');
                expect(answer.body.error_code, where).toBe("UNAUTHENTICATED");
                continue;
              }
              if (need === "filtered") {
                expect(answer.status, where).toBe(200);
                const family = endpoint.path.split("/")[0]!;
                const shows = SHOWS_SHARED[family];
                if (shows) {
                  const canRead = principal === "admin" || GRANTED.read.includes(principal);
                  expect(shows(answer.body), where).toBe(canRead);
                }
                continue;
              }
              const allowed = principal === "admin" || GRANTED[need].includes(principal);
              if (allowed) {
                expect([401, 403], where).not.toContain(answer.status);
              } else {
                expect(answer.status, where).toBe(403);
                expect(answer.body.error_code, where).toBe("PERMISSION_DENIED");
              }
            }
          }
        }
      });
    }
  }
});

describe("every mounted route has a rule", () => {
  it("maps each route of the running server to a rule, and refuses nothing mounted for lack of one", () => {
    const routes = mountedRoutes(server.server.app);
    expect(routes.length).toBeGreaterThan(ENDPOINTS.length);
    const canonical = aliasResolver(ENDPOINTS);
    const missing = routes.filter((route) => ruleFor(route.url, route.method, canonical) === undefined);
    expect(missing, "routes without a permission rule").toEqual([]);
  });

  it("refuses a route with no rule to non-admins (deny by default)", () => {
    expect(ruleFor("/api/2.0/mlflow/some/new-endpoint", "POST")).toBeUndefined();
    expect(ruleFor("/api/2.0/lathe/something", "GET")).toBeUndefined();
    expect(ruleFor("/internal/do-it", "POST")).toBeUndefined();
  });
});
