/**
 * @module serving/service
 * What every prediction route shares, whatever its protocol: validate the request's table against the
 * model (before it can join a batch), predict through the batcher, count the predicted classes, and
 * queue the prediction-log record.
 */
import type { FastifyRequest } from "fastify";
import type { PredictionResult } from "../models/onnx/runtime.js";
import type { ServingMetrics } from "./metrics.js";
import type { ServedModel } from "./model.js";
import type { ModelHolder } from "./model-holder.js";
import type { PredictionLog } from "./prediction-log.js";
import type { TabularInput } from "./schema.js";

export interface ServingContext {
  readonly holder: ModelHolder;
  readonly metrics: ServingMetrics;
  /** Validates and predicts; throws a 400 LatheError naming the problem for bad input. */
  predict(model: ServedModel, table: TabularInput): Promise<{ result: PredictionResult; rows: number }>;
  /** Queues the prediction-log record of a request (never throws, never waits). */
  record(request: FastifyRequest, model: ServedModel, protocol: string, inputs: TabularInput, outputs: unknown): void;
  /** Queues the record of a prediction request that failed with `status`, so monitoring counts errors. */
  recordFailure(request: FastifyRequest, protocol: string, status: number): void;
}

export function createServingContext(
  holder: ModelHolder,
  metrics: ServingMetrics,
  log: PredictionLog | undefined,
): ServingContext {
  return {
    holder,
    metrics,
    async predict(model, table) {
      const feed = model.schema.toFeed(table);
      const rows = feed.dims[0] ?? 0;
      const result = await model.predict(feed);
      metrics.countPredictions(model.name, model.versionLabel, result.label, rows);
      return { result, rows };
    },
    record(request, model, protocol, inputs, outputs) {
      if (!log) return;
      const now = performance.now();
      const latency = now - request.servingStart;
      log.append({
        request_id: request.id,
        timestamp: new Date(performance.timeOrigin + request.servingStart).toISOString(),
        model: model.name,
        version: model.version ?? null,
        protocol,
        latency_ms: Math.round(latency * 1000) / 1000,
        inputs: inputs.columns ? { columns: inputs.columns, data: inputs.rows } : { data: inputs.rows },
        outputs,
      });
    },
    recordFailure(request, protocol, status) {
      if (!log) return;
      log.append({
        request_id: request.id,
        timestamp: new Date(performance.timeOrigin + request.servingStart).toISOString(),
        model: request.servingModel,
        version: request.servingVersion || null,
        protocol,
        latency_ms: Math.round((performance.now() - request.servingStart) * 1000) / 1000,
        status,
      });
    },
  };
}
