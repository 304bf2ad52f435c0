/**
 * Test helpers: a real `lathe server` (in-process, on a free loopback port, with its own temporary
 * SQLite file — or its own PostgreSQL database — and artifact folder) and a small JSON client for it.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";
import type { ServerSettings } from "../../src/server/settings.js";
import { type RunningServer, startServer } from "../../src/server/start.js";
import { createTestDatabase } from "./postgres.js";

export type TestBackend = "sqlite" | "postgres";

let backend: TestBackend = "sqlite";

/**
 * The backend store the servers this test file starts use from now on. A file that runs a suite
 * on PostgreSQL sets it before importing the suite (each test file has its own module state).
 */
export function useTestBackend(next: TestBackend): void {
  backend = next;
}

export function testBackend(): TestBackend {
  return backend;
}

/** A backend store URI of the current backend in `dir` (SQLite) or in a new database (PostgreSQL). */
export async function testStoreUri(dir: string): Promise<{ uri: string; drop(): Promise<void> }> {
  if (backend === "postgres") return createTestDatabase();
  return { uri: `sqlite:///${join(dir, "mlruns.db")}`, drop: async () => {} };
}

export interface TestServer {
  url: string;
  dir: string;
  /** The backend store it runs on (SQLite in `dir`, or a fresh PostgreSQL database). */
  storeUri: string;
  server: RunningServer;
  /** Calls an MLflow endpoint; GET params go in the query string, others in a JSON body. */
  call(
    method: string,
    path: string,
    params?: Record<string, unknown>,
  ): Promise<{ status: number; body: Record<string, unknown> }>;
  /** Calls an endpoint that must succeed; returns its body. */
  ok(method: string, path: string, params?: Record<string, unknown>): Promise<Record<string, unknown>>;
  /** Calls an endpoint that must fail with `status` and `errorCode`; returns the message. */
  fails(
    method: string,
    path: string,
    params: Record<string, unknown>,
    status: number,
    errorCode: string,
  ): Promise<string>;
  close(): Promise<void>;
}

export function toQuery(params: Record<string, unknown>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined) continue;
    for (const item of Array.isArray(value) ? value : [value]) search.append(key, String(item));
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}

/** A response body parsed as JSON, or `{ text }` when it is not JSON. */
export function jsonOrText(text: string): Record<string, unknown> {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return { text };
  }
}

export async function startTestServer(overrides: Partial<ServerSettings> = {}): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), "lathe-server-"));
  const store = overrides.backendStoreUri
    ? { uri: overrides.backendStoreUri, drop: async () => {} }
    : await testStoreUri(dir);
  const settings: ServerSettings = {
    host: "127.0.0.1",
    port: 0,
    backendStoreUri: store.uri,
    defaultArtifactRoot: undefined,
    artifactsDestination: join(dir, "mlartifacts"),
    serveArtifacts: true,
    workers: 1,
    maxRequestBytes: 16 * 1024 * 1024,
    ...overrides,
  };
  let server: RunningServer;
  try {
    server = await startServer(settings);
  } catch (error) {
    await store.drop();
    throw error;
  }
  const url = server.url;
  const testServer: TestServer = {
    url,
    dir,
    storeUri: store.uri,
    server,
    async ok(method, path, params = {}) {
      const response = await testServer.call(method, path, params);
      expect(response.status, JSON.stringify(response.body)).toBe(200);
      return response.body;
    },
    async fails(method, path, params, status, errorCode) {
      const response = await testServer.call(method, path, params);
      expect(response.status, JSON.stringify(response.body)).toBe(status);
      expect(response.body.error_code).toBe(errorCode);
      expect(typeof response.body.message).toBe("string");
      return response.body.message as string;
    },
    async call(method, path, params = {}) {
      const target = path.startsWith("/") ? `${url}${path}` : `${url}/api/2.0/mlflow/${path}`;
      const response =
        method === "GET"
          ? await fetch(`${target}${toQuery(params)}`)
          : await fetch(target, {
              method,
              headers: { "content-type": "application/json" },
              body: JSON.stringify(params),
            });
      return { status: response.status, body: jsonOrText(await response.text()) };
    },
    async close() {
      await server.close();
      await store.drop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return testServer;
}
