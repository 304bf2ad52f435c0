/**
 * Test helpers for `lathe server --auth`: a real server with an admin, users created through the
 * REST API, and a small client that sends Basic or bearer credentials.
 */
import { jsonOrText, startTestServer, type TestServer, toQuery } from "../helpers/server.js";

export const ADMIN = { username: "admin", password: "admin-password-123" } as const;

export type Credentials = { username: string; password: string } | { token: string } | undefined;

export interface Answer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

export function authorization(credentials: Credentials): string | undefined {
  if (credentials === undefined) return undefined;
  if ("token" in credentials) return `Bearer ${credentials.token}`;
  return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString("base64")}`;
}

/** Calls `path` (relative paths are MLflow endpoints under /api/2.0/mlflow/) as `credentials`. */
export async function send(
  baseUrl: string,
  credentials: Credentials,
  method: string,
  path: string,
  params: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<Answer> {
  const target = path.startsWith("/") ? `${baseUrl}${path}` : `${baseUrl}/api/2.0/mlflow/${path}`;
  const auth = authorization(credentials);
  const allHeaders: Record<string, string> = { ...headers };
  if (auth) allHeaders.authorization = auth;
  const query = method === "GET" || method === "HEAD";
  if (!query) allHeaders["content-type"] ??= "application/json";
  const response = await fetch(query ? `${target}${toQuery(params)}` : target, {
    method,
    headers: allHeaders,
    body: query ? undefined : JSON.stringify(params),
  });
  return { status: response.status, headers: response.headers, body: jsonOrText(await response.text()) };
}

export interface AuthTestServer extends TestServer {
  /** Calls as `credentials`. */
  as(
    credentials: Credentials,
  ): (
    method: string,
    path: string,
    params?: Record<string, unknown>,
    headers?: Record<string, string>,
  ) => Promise<Answer>;
  /** Calls as the admin. */
  admin(method: string, path: string, params?: Record<string, unknown>): Promise<Answer>;
  /** Creates a user (as the admin) and returns its credentials. */
  createUser(username: string, password?: string): Promise<{ username: string; password: string }>;
}

export async function startAuthServer(overrides: Parameters<typeof startTestServer>[0] = {}): Promise<AuthTestServer> {
  const server = await startTestServer({
    auth: true,
    authAdminUsername: ADMIN.username,
    authAdminPassword: ADMIN.password,
    ...overrides,
  });
  const as =
    (credentials: Credentials) =>
    (method: string, path: string, params: Record<string, unknown> = {}, headers: Record<string, string> = {}) =>
      send(server.url, credentials, method, path, params, headers);
  return Object.assign(server, {
    as,
    admin: as(ADMIN),
    async createUser(username: string, password = `${username}-password-123`) {
      const answer = await as(ADMIN)("POST", "users/create", { username, password });
      if (answer.status !== 200) throw new Error(`users/create ${username}: ${JSON.stringify(answer.body)}`);
      return { username, password };
    },
  });
}
