/**
 * @module serving/app
 * Builds the model server's HTTP app: MLflow's scoring routes and the Open Inference Protocol side by
 * side, `/metrics`, request ids (`x-request-id`, an incoming one is kept), request metrics, and one
 * error handler answering in each protocol's shape — MLflow's `{error_code, message}` or OIP's
 * `{error}` — so no input, however malformed, gets anything but a clear 4xx.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage } from "node:http";
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { isLatheError } from "../core/errors.js";
import type { Logger } from "../core/logging.js";
import type { ServingMetrics } from "./metrics.js";
import type { ModelHolder } from "./model-holder.js";
import { FeedbackLog, type PredictionLog } from "./prediction-log.js";
import { registerFeedbackRoute } from "./protocol/feedback.js";
import { registerMlflowRoutes } from "./protocol/mlflow.js";
import { registerMonitoringRoute } from "./protocol/monitoring.js";
import { registerV2Routes } from "./protocol/v2.js";
import { createServingContext } from "./service.js";

export interface ServingAppOptions {
  readonly holder: ModelHolder;
  readonly metrics: ServingMetrics;
  readonly log?: PredictionLog;
  /** Largest request body, in bytes (default 16 MiB). */
  readonly maxRequestBytes?: number;
  readonly logger?: Logger;
  /** Renders /metrics; default: this process's registry (with --workers, the cluster's, see cluster-metrics). */
  readonly renderMetrics?: () => Promise<{ contentType: string; text: string }>;
}

const REQUEST_ID = /^[\w.:-]{1,128}$/;

/** An incoming x-request-id when it is a plain token; otherwise a fresh UUID. */
function requestId(request: IncomingMessage): string {
  const incoming = request.headers["x-request-id"];
  return typeof incoming === "string" && REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

function protocolOf(url: string): "v2" | "mlflow" {
  return url.startsWith("/v2") ? "v2" : "mlflow";
}

/** The routes whose requests are predictions (logged, and counted as errors in monitoring when they fail). */
function isPredictionRoute(route: string): boolean {
  return route === "/invocations" || (route.startsWith("/v2/models/") && route.endsWith("/infer"));
}

declare module "fastify" {
  interface FastifyRequest {
    /** performance.now() when the request arrived. */
    servingStart: number;
    /** The model and version serving the request when it arrived (metric labels). */
    servingModel: string;
    servingVersion: string;
    /** The route's URL pattern (`/v2/models/:model_name/infer`), or "unmatched". */
    servingEndpoint: string;
  }
}

function sendError(request: FastifyRequest, reply: FastifyReply, status: number, code: string, message: string) {
  if (protocolOf(request.url) === "v2") return reply.code(status).send({ error: message });
  return reply.code(status).send({ error_code: code, message });
}

export async function buildServingApp(options: ServingAppOptions): Promise<FastifyInstance> {
  const { holder, metrics } = options;
  const maxRequestBytes = options.maxRequestBytes ?? 16 * 1024 * 1024;
  const app = Fastify({
    bodyLimit: maxRequestBytes,
    logger: false,
    genReqId: requestId,
    requestIdHeader: false,
    return503OnClosing: true,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 500 },
  });
  const context = createServingContext(holder, metrics, options.log);

  // Every body arrives as text; each protocol decodes it and answers malformed input in its own shape.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "string" }, (_request, body, done) => done(null, body));

  // Plain callback hooks and request fields: this runs twice per request, so no promises or maps.
  app.decorateRequest("servingStart", 0);
  app.decorateRequest("servingModel", "");
  app.decorateRequest("servingVersion", "");
  app.decorateRequest("servingEndpoint", "unmatched");
  // Each route stamps its URL pattern on its requests: `request.routeOptions` builds a fresh object
  // on every read, too much for something every request needs.
  app.addHook("onRoute", (route) => {
    const endpoint = route.url;
    const stamp = (request: FastifyRequest, _reply: FastifyReply, done: () => void) => {
      request.servingEndpoint = endpoint;
      done();
    };
    const existing = route.onRequest === undefined ? [] : [route.onRequest].flat();
    route.onRequest = [stamp, ...existing];
  });
  app.addHook("onRequest", (request, reply, done) => {
    request.servingStart = performance.now();
    const model = holder.current;
    request.servingModel = model?.name ?? "";
    request.servingVersion = model?.versionLabel ?? "";
    metrics.startRequest(request.servingModel, request.servingVersion);
    reply.header("x-request-id", request.id);
    done();
  });
  app.addHook("onResponse", (request, reply, done) => {
    if (reply.statusCode >= 400 && isPredictionRoute(request.servingEndpoint))
      context.recordFailure(request, protocolOf(request.url), reply.statusCode);
    metrics.endRequest(
      {
        model: request.servingModel,
        version: request.servingVersion,
        endpoint: request.servingEndpoint,
        protocol: protocolOf(request.url),
        code: String(reply.statusCode),
      },
      (performance.now() - request.servingStart) / 1000,
    );
    done();
  });

  app.setErrorHandler((error, request, reply) => {
    if (isLatheError(error)) return sendError(request, reply, error.info.status, error.info.mlflowCode, error.message);
    const fastifyError = error as { code?: string; statusCode?: number; message?: string };
    if (fastifyError.code === "FST_ERR_CTP_BODY_TOO_LARGE") {
      return sendError(
        request,
        reply,
        413,
        "BAD_REQUEST",
        `The request body is larger than ${maxRequestBytes} bytes: split it into smaller requests or start the server with a larger --max-request-bytes.`,
      );
    }
    if (fastifyError.statusCode !== undefined && fastifyError.statusCode < 500) {
      return sendError(request, reply, 400, "BAD_REQUEST", fastifyError.message ?? "Bad request.");
    }
    options.logger?.error({ err: error, requestId: request.id }, "request failed");
    return sendError(request, reply, 500, "INTERNAL_ERROR", `Internal error: ${fastifyError.message ?? String(error)}`);
  });

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split("?")[0] ?? "";
    return sendError(
      request,
      reply,
      404,
      "ENDPOINT_NOT_FOUND",
      `No endpoint ${request.method} ${path.slice(0, 200)}. The server answers POST /invocations, /feedback, /monitoring, GET /ping, /health, /version, /metrics and the /v2 routes.`,
    );
  });

  registerMlflowRoutes(app, context);
  registerV2Routes(app, context);
  // Feedback labels land beside the predictions they label, through the same kind of writer.
  const feedbackLog = options.log ? new FeedbackLog({ dir: options.log.dir }) : undefined;
  if (feedbackLog) app.addHook("onClose", async () => feedbackLog.close());
  registerFeedbackRoute(app, feedbackLog);
  registerMonitoringRoute(app, metrics);
  app.get("/metrics", async (_request, reply) => {
    const { contentType, text } = await (options.renderMetrics ?? (() => metrics.render()))();
    return reply.type(contentType).send(text);
  });
  return app;
}
