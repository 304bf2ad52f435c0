/**
 * @module auth/install
 * Turns authentication on for a server (`lathe server --auth`). Hooks, in request order:
 *
 * 1. onRequest: every route but /health, /version, /openapi.json and /metrics needs a user (401
 *    with `WWW-Authenticate: Basic realm="lathe"` otherwise) — before any body is read.
 * 2. preHandler: the route's rule (rules.ts, looked up by the matched route pattern, never the raw
 *    URL) is checked against the resource the request names (403 otherwise); no rule, no access.
 * 3. preSerialization: the creator of an experiment or registered model gets MANAGE; a deleted or
 *    renamed model's permission rows follow it; search answers keep only readable items.
 * 4. onSend: every request that changes something (refused ones too) goes to the audit log; reads
 *    sent as POST (searches) do not.
 *
 * Also mounts MLflow's auth REST API and Lathe's token and audit routes (routes.ts).
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { LatheError } from "../core/errors.js";
import type { Logger } from "../core/logging.js";
import type { Endpoint, EndpointContext } from "../server/endpoint.js";
import { RequestParams } from "../server/params.js";
import { setAuthenticatedUser } from "../server/user.js";
import { AuthenticationError, Authenticator, type AuthenticatorOptions, type Principal } from "./credentials.js";
import { filterSearchAnswer, Guard, permissionDenied, SEARCH_KEYS } from "./guard.js";
import { canonicalExperimentId, type Permission } from "./permissions.js";
import { authRoutes } from "./routes.js";
import { API_PREFIXES, aliasResolver, LATHE_PREFIX, PROXY_PREFIX, type Rule, ruleFor } from "./rules.js";
import type { AuthStore } from "./store.js";

/** What `buildApp` needs to turn authentication on. */
export interface AuthSetup {
  readonly store: AuthStore;
  /** Permission where a user has no row; MLflow's `default_permission` (READ by default). */
  readonly defaultPermission: Permission;
  readonly authenticator?: AuthenticatorOptions;
}

export interface InstallAuthOptions extends AuthSetup {
  /** The endpoint table the server mounts (to refill filtered search pages and map aliases). */
  readonly endpoints: readonly Endpoint[];
  readonly context: Omit<EndpointContext, "user">;
  readonly logger?: Logger;
}

export interface MountedRoute {
  readonly url: string;
  readonly method: string;
}

const principals = new WeakMap<FastifyRequest, Principal>();
const auditTargets = new WeakMap<FastifyRequest, string>();
const mounted = new WeakMap<FastifyInstance, MountedRoute[]>();

const MUTATING = new Set(["POST", "PUT", "PATCH", "DELETE"]);
const TARGET_FIELDS = ["experiment_id", "run_id", "run_uuid", "name", "username", "token_id", "experiment_name"];

/** Every route mounted on an app with auth on, as its router knows them (pattern and method). */
export function mountedRoutes(app: FastifyInstance): readonly MountedRoute[] {
  return mounted.get(app) ?? [];
}

/** The authenticated caller of a request, when auth is on and it passed. */
export function principalOf(request: FastifyRequest): Principal | undefined {
  return principals.get(request);
}

function isJsonContentType(value: string | undefined): boolean {
  return (value ?? "").split(";")[0]!.trim().toLowerCase() === "application/json";
}

/** The request message as the handlers will read it (a non-JSON body reads as empty). */
function paramsOf(request: FastifyRequest): RequestParams {
  if (request.method === "GET" || request.method === "HEAD") return RequestParams.fromQuery(request.query);
  const body = request.body;
  return RequestParams.fromBody(body !== null && typeof body === "object" && !Array.isArray(body) ? body : undefined);
}

/** The proxy path of an artifact proxy request, as its handler will read it. */
function artifactPathOf(request: FastifyRequest, url: string): string | undefined {
  if (!url.startsWith(PROXY_PREFIX)) return undefined;
  if (url === `${PROXY_PREFIX}artifacts`) {
    const path = (request.query as { path?: string | string[] }).path;
    return Array.isArray(path) ? (path.at(-1) ?? "") : (path ?? "");
  }
  const star = (request.params as { "*"?: string })["*"] ?? "";
  // The catch-all of a server that does not proxy artifacts sees the whole rest of the path.
  return url === `${PROXY_PREFIX}*` ? star.replace(/^(artifacts|mpu\/[^/]*)\/?/, "") : star;
}

/** The endpoint path of an API route pattern, or undefined for other routes. */
function endpointPathOf(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  const prefix = API_PREFIXES.find((candidate) => url.startsWith(candidate));
  return prefix ? url.slice(prefix.length) : undefined;
}

/** A read sent as POST (a search, get-latest-versions): not a change, so not audited. */
function isRead(rule: Rule | undefined): boolean {
  return rule?.access === "search" || (rule?.access === "resource" && rule.need === "read");
}

function auditTarget(params: RequestParams, artifactPath: string | undefined): string | undefined {
  if (artifactPath !== undefined) return artifactPath;
  for (const name of TARGET_FIELDS) {
    const value = params.has(name) ? params.optionalString(name) : undefined;
    if (value) return `${name}=${value}`.slice(0, 500);
  }
  return undefined;
}

export async function installAuth(app: FastifyInstance, options: InstallAuthOptions): Promise<void> {
  const { store: auth, context, logger } = options;
  const authenticator = new Authenticator(auth, options.authenticator);
  const guard = new Guard({
    auth,
    store: context.store,
    defaultPermission: options.defaultPermission,
  });
  const endpointsByPath = new Map(options.endpoints.map((endpoint) => [endpoint.path, endpoint]));
  const canonical = aliasResolver(options.endpoints);
  const ruleOf = (request: FastifyRequest): Rule | undefined => {
    const url = request.routeOptions.url;
    return url === undefined ? undefined : ruleFor(url, request.method, canonical);
  };

  const routes: MountedRoute[] = [];
  mounted.set(app, routes);
  app.addHook("onRoute", (route) => {
    for (const method of [route.method].flat()) routes.push({ url: route.url ?? route.path, method });
  });

  app.addHook("onRequest", async (request, reply) => {
    if (ruleOf(request)?.access === "public") return;
    try {
      const principal = await authenticator.authenticate(request.headers.authorization, request.ip);
      principals.set(request, principal);
      setAuthenticatedUser(request, principal.username);
    } catch (error) {
      if (error instanceof AuthenticationError) reply.headers(error.headers);
      throw error;
    }
  });

  app.addHook("preHandler", async (request) => {
    const principal = principals.get(request);
    const url = request.routeOptions.url;
    // Unknown routes (404) and public ones have nothing to authorise.
    if (!principal || url === undefined) return;
    const rule = ruleOf(request);
    if (!rule) {
      if (principal.isAdmin) return;
      throw permissionDenied(
        `Permission denied: ${request.method} ${url} has no permission rule, so only admins may call it.`,
      );
    }
    const params = paramsOf(request);
    const artifactPath = artifactPathOf(request, url);
    const target = auditTarget(params, artifactPath);
    if (target) auditTargets.set(request, target);
    await guard.check(rule, principal, params, artifactPath);
    const path = endpointPathOf(url);
    if (path === "experiments/create" && !principal.isAdmin && params.optionalString("artifact_location")) {
      throw permissionDenied(
        "Permission denied: only admins may choose an experiment's artifact_location on a server with --auth. Leave it out to use the server's default artifact root.",
      );
    }
    if (path === "model-versions/create") await guard.checkModelVersionSource(principal, params);
  });

  app.addHook("preSerialization", async (request, reply, payload: unknown) => {
    const principal = principals.get(request);
    if (!principal || reply.statusCode !== 200 || payload === null || typeof payload !== "object") return payload;
    const answer = payload as Record<string, unknown>;
    const path = endpointPathOf(request.routeOptions.url);
    const params = paramsOf(request);
    if (path === "experiments/create" && typeof answer.experiment_id === "string") {
      const id = canonicalExperimentId(answer.experiment_id);
      await auth.upsertPermission("experiment", id, principal.id, "MANAGE");
      auditTargets.set(request, `experiment_id=${id}`);
    } else if (path === "registered-models/create") {
      const name = (answer.registered_model as { name?: unknown } | undefined)?.name;
      if (typeof name === "string") await auth.upsertPermission("registered_model", name, principal.id, "MANAGE");
    } else if (path === "registered-models/delete") {
      await auth.deleteResourcePermissions("registered_model", params.requiredString("name"));
    } else if (path === "registered-models/rename") {
      await auth.renameResource("registered_model", params.requiredString("name"), params.requiredString("new_name"));
    }
    const rule = ruleOf(request);
    if (rule?.access !== "search" || path === undefined) return payload;
    const endpoint = endpointsByPath.get(canonical(path));
    if (!endpoint) return payload;
    const readable = await guard.readable(principal, rule.search);
    const requested = params.optionalInteger("max_results");
    const isQuery = request.method === "GET" || request.method === "HEAD";
    const source = (isQuery ? request.query : request.body) as Record<string, unknown> | undefined;
    return filterSearchAnswer(answer, SEARCH_KEYS[rule.search], requested, readable, (maxResults, pageToken) => {
      const next = isQuery
        ? RequestParams.fromQuery({ ...source, max_results: String(maxResults), page_token: pageToken })
        : RequestParams.fromBody({ ...source, max_results: maxResults, page_token: pageToken });
      return endpoint.handle(next, { ...context, user: principal.username });
    });
  });

  app.addHook("onSend", async (request, reply, payload) => {
    if (!MUTATING.has(request.method) || isRead(ruleOf(request))) return payload;
    try {
      await auth.appendAudit({
        timestamp: Date.now(),
        username: principals.get(request)?.username ?? null,
        method: request.method,
        path: (request.url.split("?")[0] ?? "").slice(0, 2000),
        target: auditTargets.get(request) ?? null,
        remoteAddress: request.ip ?? "",
        status: reply.statusCode,
      });
    } catch (error) {
      logger?.error({ err: error }, "could not write the audit log");
    }
    return payload;
  });

  for (const route of authRoutes(auth, (userId) => authenticator.forget(userId))) {
    const urls = route.lathe
      ? [`${LATHE_PREFIX}${route.path}`]
      : API_PREFIXES.map((prefix) => `${prefix}${route.path}`);
    for (const url of urls) {
      app.route({
        method: route.method,
        url,
        handler: async (request) => {
          const principal = principals.get(request);
          if (!principal) throw new LatheError("UNAUTHENTICATED", "Authentication required.");
          // A JSON body only: browsers cannot send one cross-site without a preflight (CSRF, CVE-2025-1473).
          if (
            route.method !== "GET" &&
            request.body !== undefined &&
            !isJsonContentType(request.headers["content-type"])
          ) {
            throw new LatheError(
              "INVALID_PARAMETER_VALUE",
              "Bad request. Content-Type must be one of ['application/json'].",
            );
          }
          return route.handle(paramsOf(request), principal);
        },
      });
    }
  }
}
