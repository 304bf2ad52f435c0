/**
 * Helpers for the registry tests: runs to register from, models with N versions, calls made as a
 * given user (through the Authorization header MLflow clients send), and the wire shapes.
 */
import { expect } from "vitest";
import { type TestServer, toQuery } from "../helpers/server.js";

export interface TagJson {
  key: string;
  value: string;
}

export interface ModelVersionJson {
  name: string;
  version: string;
  creation_timestamp: number;
  last_updated_timestamp: number;
  user_id?: string;
  current_stage: string;
  description?: string;
  source?: string;
  run_id?: string;
  status: string;
  status_message?: string;
  tags?: TagJson[];
  run_link?: string;
  aliases?: string[];
}

export interface RegisteredModelJson {
  name: string;
  creation_timestamp: number;
  last_updated_timestamp: number;
  user_id?: string;
  description?: string;
  latest_versions?: ModelVersionJson[];
  tags?: TagJson[];
  aliases?: { alias: string; version: string }[];
}

export interface EventJson {
  name: string;
  version: string;
  kind: "stage" | "alias";
  alias?: string;
  from?: string;
  to?: string;
  user: string;
  timestamp: number;
}

/** A new run in the Default experiment; returns its id and artifact URI. */
export async function createRun(
  server: TestServer,
  experimentId = "0",
): Promise<{ runId: string; artifactUri: string }> {
  const body = await server.ok("POST", "runs/create", { experiment_id: experimentId });
  const info = (body.run as { info: { run_id: string; artifact_uri: string } }).info;
  return { runId: info.run_id, artifactUri: info.artifact_uri };
}

/** Registers `name` and `count` versions of it from `runs:/<runId>/model`. */
export async function createModel(
  server: TestServer,
  name: string,
  count: number,
  runId: string,
): Promise<ModelVersionJson[]> {
  await server.ok("POST", "registered-models/create", { name });
  const versions: ModelVersionJson[] = [];
  for (let i = 0; i < count; i++) {
    const body = await server.ok("POST", "model-versions/create", {
      name,
      source: `runs:/${runId}/model`,
      run_id: runId,
    });
    versions.push(body.model_version as ModelVersionJson);
  }
  return versions;
}

export function basicAuth(user: string, password = "pw"): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
}

/** Calls an endpoint with an Authorization header; it must succeed. */
export async function okAs(
  server: TestServer,
  authorization: string,
  method: string,
  path: string,
  params: Record<string, unknown> = {},
): Promise<Record<string, unknown>> {
  const target = `${server.url}/api/2.0/mlflow/${path}`;
  const headers: Record<string, string> = { authorization };
  const response =
    method === "GET"
      ? await fetch(`${target}${toQuery(params)}`, { headers })
      : await fetch(target, {
          method,
          headers: { ...headers, "content-type": "application/json" },
          body: JSON.stringify(params),
        });
  const body = (await response.json()) as Record<string, unknown>;
  expect(response.status, JSON.stringify(body)).toBe(200);
  return body;
}

export async function getVersion(server: TestServer, name: string, version: string): Promise<ModelVersionJson> {
  return (await server.ok("GET", "model-versions/get", { name, version })).model_version as ModelVersionJson;
}

export async function getModel(server: TestServer, name: string): Promise<RegisteredModelJson> {
  return (await server.ok("GET", "registered-models/get", { name })).registered_model as RegisteredModelJson;
}

export async function history(server: TestServer, name: string, version?: string): Promise<EventJson[]> {
  return (await server.ok("GET", "registry/history", { name, version })).events as EventJson[];
}
