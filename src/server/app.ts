/**
 * @module server/app
 * Builds the HTTP server: body parsing with MLflow's leniencies, the endpoint table mounted under
 * both API prefixes, the artifact proxy, health and OpenAPI routes, and one error handler that turns
 * every failure into MLflow's `{error_code, message}` with the matching status.
 */
import Fastify, { type FastifyInstance, type FastifyRequest } from "fastify";
import { type AuthSetup, installAuth, installHardening } from "../auth/index.js";
import { isLatheError, LatheError } from "../core/errors.js";
import type { Logger } from "../core/logging.js";
import type { RegistryStore } from "../registry/store.js";
import type { TrackingStore } from "../tracking/store.js";
import { VERSION } from "../version.js";
import type { Endpoint, EndpointContext } from "./endpoint.js";
import { buildOpenApi } from "./openapi.js";
import { RequestParams } from "./params.js";
import { artifactListEndpoints } from "./routes/artifact-list.js";
import { registerArtifactProxy } from "./routes/artifact-proxy.js";
import { experimentEndpoints } from "./routes/experiments.js";
import { metricEndpoints } from "./routes/metrics.js";
import { modelVersionEndpoints } from "./routes/model-versions.js";
import { registeredModelEndpoints } from "./routes/registered-models.js";
import { runEndpoints } from "./routes/runs.js";
import { uiEndpoints } from "./routes/ui-endpoints.js";
import { registerUi } from "./ui.js";
import { callerOf } from "./user.js";
import { serializeAnswer } from "./wire.js";

export interface AppOptions {
  store: TrackingStore;
  /** The model registry, on the tracking store's database. */
  registry: RegistryStore;
  /** Folder or `s3://` URI behind `mlflow-artifacts:/`; undefined turns the proxy off (--no-serve-artifacts). */
  artifactsDestination: string | undefined;
  /** Largest JSON request body accepted, in bytes. */
  maxRequestBytes: number;
  /** DVC project folder for the web UI's Pipeline page (`--project`). */
  project?: string;
  logger?: Logger;
  /** Turns authentication and authorisation on (`--auth`); see auth/install.ts. */
  auth?: AuthSetup;
  /** Browser origins allowed to call the API (CORS); none by default. */
  corsAllowedOrigins?: readonly string[];
}

export const TRACKING_ENDPOINTS: readonly Endpoint[] = [
  ...experimentEndpoints,
  ...runEndpoints,
  ...metricEndpoints,
  ...artifactListEndpoints,
];

export const REGISTRY_ENDPOINTS: readonly Endpoint[] = [...registeredModelEndpoints, ...modelVersionEndpoints];

/** Every endpoint the server mounts under the MLflow API prefixes. */
export const ENDPOINTS: readonly Endpoint[] = [...TRACKING_ENDPOINTS, ...REGISTRY_ENDPOINTS, ...uiEndpoints];

const API_PREFIX = "/api/2.0/mlflow";
const AJAX_PREFIX = "/ajax-api/2.0/mlflow";

/** Only these characters of a client's Content-Type are echoed back (MLflow's CVE-2023-6568 fix). */
function safeContentType(value: string | undefined): string {
  return (value ?? "").replace(/[^\w\-/.+;= ]/g, "").slice(0, 100);
}

function parseJsonBody(text: string): unknown {
  if (text.trim() === "") return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new LatheError(
      "BAD_REQUEST",
      `Malformed JSON in the request body: ${(error as Error).message}. Send a JSON object.`,
    );
  }
  // Older clients double-encoded the body as a JSON string.
  if (typeof parsed === "string") return parseJsonBody(parsed);
  return parsed;
}

function isJsonContentType(value: string | undefined): boolean {
  return (value ?? "").split(";")[0]!.trim().toLowerCase() === "application/json";
}

function readParams(request: FastifyRequest): RequestParams {
  if (request.method === "GET") return RequestParams.fromQuery(request.query);
  const body = request.body;
  if (body === undefined || body === null || body === "") return RequestParams.fromBody(undefined);
  if (!isJsonContentType(request.headers["content-type"])) {
    throw new LatheError(
      "INVALID_PARAMETER_VALUE",
      `Bad request. Content-Type must be one of ['application/json']; got '${safeContentType(request.headers["content-type"])}'.`,
    );
  }
  return RequestParams.fromBody(body);
}

/** Route handlers still running per app, and who waits for them all to finish. */
const handlerCounts = new WeakMap<FastifyInstance, { running: number; waiting: (() => void)[] }>();

/**
 * Resolves once no route handler of `app` is running. A handler goes on after its client hangs up
 * (the connection closes, so `app.close()` does not wait for it): the store must stay open until then.
 */
export function handlersSettled(app: FastifyInstance): Promise<void> {
  const count = handlerCounts.get(app);
  if (!count || count.running === 0) return Promise.resolve();
  return new Promise((resolve) => count.waiting.push(resolve));
}

function countHandlers(app: FastifyInstance): void {
  const count = { running: 0, waiting: [] as (() => void)[] };
  handlerCounts.set(app, count);
  app.addHook("onRoute", (route) => {
    const handler = route.handler;
    route.handler = async function counted(this: FastifyInstance, request, reply) {
      count.running++;
      try {
        return await handler.call(this, request, reply);
      } finally {
        if (--count.running === 0) for (const resolve of count.waiting.splice(0)) resolve();
      }
    };
  });
}

export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    bodyLimit: options.maxRequestBytes,
    logger: false,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 4096 },
  });
  countHandlers(app);
  // Fastify's types say a serializer returns a string; it sends a Buffer as it is (frozen answers' bytes).
  app.setReplySerializer(serializeAnswer as (payload: unknown) => string);
  const shared: Omit<EndpointContext, "user"> = {
    store: options.store,
    registry: options.registry,
    artifactsDestination: options.artifactsDestination,
  };

  installHardening(app, { corsAllowedOrigins: options.corsAllowedOrigins });
  if (options.auth) {
    await installAuth(app, { ...options.auth, endpoints: ENDPOINTS, context: shared, logger: options.logger });
  }

  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "string" }, (request, body, done) => {
    if (!isJsonContentType(request.headers["content-type"])) return done(null, body);
    try {
      done(null, parseJsonBody(body as string));
    } catch (error) {
      done(error as Error, undefined);
    }
  });

  // A request target never carries a fragment (RFC 9112 §3.2), but the router cuts the path at a raw '#' and
  // would act on the part before it (`artifacts/x#/../../f` wrote `x`): refuse it (CVE-2023-6909's shape).
  app.addHook("onRequest", async (request) => {
    if (request.raw.url?.includes("#")) {
      throw new LatheError(
        "BAD_REQUEST",
        "Malformed request target: a raw '#' may not appear in an HTTP request. Percent-encode it as %23.",
      );
    }
  });

  app.setErrorHandler((error, request, reply) => {
    if (isLatheError(error)) {
      return reply.code(error.info.status).send(error.toJSON());
    }
    const fastifyError = error as { code?: string; statusCode?: number; message?: string };
    // Fastify refuses a Content-Type it cannot parse before any handler runs; MLflow's JSON endpoints
    // answer it like any other non-JSON type.
    if (fastifyError.code === "FST_ERR_CTP_INVALID_MEDIA_TYPE" && /^\/(ajax-)?api\/2\.0\/mlflow\//.test(request.url)) {
      return reply.code(400).send({
        error_code: "INVALID_PARAMETER_VALUE",
        message: `Bad request. Content-Type must be one of ['application/json']; got '${safeContentType(request.headers["content-type"])}'.`,
      });
    }
    if (fastifyError.code === "FST_ERR_CTP_BODY_TOO_LARGE") {
      const tooLarge = new LatheError(
        "PAYLOAD_TOO_LARGE",
        `Request body is larger than the server's limit of ${options.maxRequestBytes} bytes. Split the request, or start the server with a larger --max-request-bytes.`,
      );
      return reply.code(tooLarge.info.status).send(tooLarge.toJSON());
    }
    if (fastifyError.statusCode !== undefined && fastifyError.statusCode < 500) {
      return reply.code(400).send({ error_code: "BAD_REQUEST", message: fastifyError.message ?? "Bad request." });
    }
    options.logger?.error({ err: error }, "request failed");
    return reply
      .code(500)
      .send({ error_code: "INTERNAL_ERROR", message: `Internal error: ${fastifyError.message ?? String(error)}` });
  });

  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({
      error_code: "ENDPOINT_NOT_FOUND",
      message: `No endpoint ${request.method} ${request.url.split("?")[0]}. See /openapi.json for the routes this server answers.`,
    }),
  );

  for (const endpoint of ENDPOINTS) {
    const prefixes = endpoint.ajaxOnly ? [AJAX_PREFIX] : [API_PREFIX, AJAX_PREFIX];
    for (const prefix of prefixes) {
      for (const path of [endpoint.path, ...(endpoint.aliases ?? [])]) {
        app.route({
          method: [...endpoint.methods],
          url: `${prefix}/${path}`,
          handler: (request) => endpoint.handle(readParams(request), { ...shared, user: callerOf(request) }),
        });
      }
    }
  }

  await registerArtifactProxy(app, options.artifactsDestination);
  await registerUi(app, options);

  const openApi = JSON.stringify(buildOpenApi(ENDPOINTS));
  app.get("/openapi.json", (_request, reply) => reply.type("application/json").send(openApi));
  app.get("/health", (_request, reply) => reply.type("text/plain").send("OK"));
  app.get("/version", (_request, reply) => reply.type("text/plain").send(VERSION));
  return app;
}
