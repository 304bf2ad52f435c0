/**
 * @module serving/protocol/monitoring
 * `POST /monitoring`: `lathe monitor --server URL` sends each window's results here and the server
 * publishes them as gauges on `/metrics` (`lathe_drift_p_value{feature}`, `lathe_drift_detected`,
 * `lathe_prediction_drift_p_value`, `lathe_model_accuracy`, ..., labelled with the served model's
 * name), so Prometheus scrapes drift next to
 * latency. Body: `{"feature_p_values": {"<feature>": p, ...}, "dataset_drift": bool,
 * "share_of_drifted_columns"?, "prediction_drift_p_value"?, "accuracy"?, "f1"?, "mae"?, "rmse"?,
 * "window_rows"?}`.
 */
import type { FastifyInstance } from "fastify";
import { invalidParameter } from "../../core/errors.js";
import type { MonitoringGauges, ServingMetrics } from "../metrics.js";

const OPTIONAL = [
  "share_of_drifted_columns",
  "prediction_drift_p_value",
  "accuracy",
  "f1",
  "mae",
  "rmse",
  "window_rows",
];

function finite(value: unknown, field: string): number {
  if (typeof value !== "number" || !Number.isFinite(value))
    throw invalidParameter(`Field '${field}' must be a finite number, got ${JSON.stringify(value) ?? "nothing"}.`);
  return value;
}

/** Decodes a monitoring body; throws a 400 naming the field for anything malformed. */
export function parseMonitoringBody(text: string): MonitoringGauges {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw invalidParameter(
      'The monitoring body is not valid JSON; send {"feature_p_values": {...}, "dataset_drift": ...}.',
    );
  }
  if (typeof body !== "object" || body === null || Array.isArray(body))
    throw invalidParameter('The monitoring body must be an object {"feature_p_values": {...}, "dataset_drift": ...}.');
  const fields = body as Record<string, unknown>;
  const pValues = fields.feature_p_values;
  if (typeof pValues !== "object" || pValues === null || Array.isArray(pValues))
    throw invalidParameter("Field 'feature_p_values' must be an object of feature name → p-value.");
  const featurePValues: Record<string, number> = {};
  for (const [feature, value] of Object.entries(pValues))
    featurePValues[feature] = finite(value, `feature_p_values.${feature}`);
  if (typeof fields.dataset_drift !== "boolean") throw invalidParameter("Field 'dataset_drift' must be true or false.");
  const values: Record<string, number | undefined> = {};
  for (const field of OPTIONAL)
    values[field] = fields[field] === undefined || fields[field] === null ? undefined : finite(fields[field], field);
  return {
    featurePValues,
    datasetDrift: fields.dataset_drift,
    shareOfDriftedColumns: values.share_of_drifted_columns,
    predictionDriftPValue: values.prediction_drift_p_value,
    accuracy: values.accuracy,
    f1: values.f1,
    mae: values.mae,
    rmse: values.rmse,
    windowRows: values.window_rows,
  };
}

/** Mounts `POST /monitoring`. */
export function registerMonitoringRoute(app: FastifyInstance, metrics: ServingMetrics): void {
  app.post("/monitoring", async (request, reply) => {
    const gauges = parseMonitoringBody(typeof request.body === "string" ? request.body : "");
    metrics.setMonitoring(request.servingModel, gauges);
    return reply.send({ updated: true });
  });
}
