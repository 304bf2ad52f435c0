/**
 * @module server/routes/metrics
 * Metric history (reference/mlflow.md §2.3): one run's full history with optional paging, the
 * down-sampled bulk interval used by charts, and the UI's bulk history.
 */
import { invalidParameter } from "../../core/errors.js";
import { type Endpoint, field } from "../endpoint.js";
import { wireMetric, wirePage, wireRunMetric } from "../wire.js";

export const metricEndpoints: Endpoint[] = [
  {
    methods: ["GET"],
    path: "metrics/get-history",
    summary: "Every logged point of one metric of one run.",
    fields: [
      field("run_id", "string", true),
      field("metric_key", "string", true),
      field("max_results", "integer"),
      field("page_token", "string"),
    ],
    async handle(params, { store }) {
      const page = await store.getMetricHistory({
        runId: params.runId(),
        metricKey: params.requiredString("metric_key"),
        maxResults: params.optionalInteger("max_results"),
        pageToken: params.optionalString("page_token"),
      });
      return wirePage("metrics", page.items.map(wireMetric), page.nextPageToken);
    },
  },
  {
    methods: ["GET"],
    path: "metrics/get-history-bulk-interval",
    summary: "One metric of up to 100 runs, down-sampled to evenly spaced steps.",
    fields: [
      field("run_ids", "string[]", true),
      field("metric_key", "string", true),
      field("start_step", "integer"),
      field("end_step", "integer"),
      field("max_results", "integer"),
    ],
    async handle(params, { store }) {
      const runIds = params.stringList("run_ids");
      if (runIds.length === 0) throw invalidParameter("Missing value for required parameter 'run_ids'.");
      if (runIds.length > 100)
        throw invalidParameter(
          `GetMetricHistoryBulkInterval request must specify at most 100 run_ids. Received ${runIds.length} run_ids.`,
        );
      const startStep = params.optionalInteger("start_step");
      const endStep = params.optionalInteger("end_step");
      if ((startStep === undefined) !== (endStep === undefined)) {
        throw invalidParameter("If either start step or end step are specified, both must be specified.");
      }
      if (startStep !== undefined && endStep !== undefined && startStep > endStep) {
        throw invalidParameter(
          `end_step must be greater than start_step. Found start_step=${startStep} and end_step=${endStep}.`,
        );
      }
      const maxResults = params.optionalInteger("max_results") ?? 2500;
      if (maxResults < 1 || maxResults > 2500) {
        throw invalidParameter(`max_results must be between 1 and 2500. Found ${maxResults}.`);
      }
      const metrics = await store.getMetricHistoryBulkInterval({
        runIds,
        metricKey: params.requiredString("metric_key"),
        startStep,
        endStep,
        maxResults,
      });
      return wirePage("metrics", metrics.map(wireRunMetric));
    },
  },
  {
    methods: ["GET"],
    path: "metrics/get-history-bulk",
    summary: "One metric of up to 100 runs, every point (the UI's call).",
    ajaxOnly: true,
    fields: [field("run_id", "string[]", true), field("metric_key", "string", true), field("max_results", "integer")],
    async handle(params, { store }) {
      const runIds = params.stringList("run_id");
      if (runIds.length === 0) throw invalidParameter("GetMetricHistoryBulk request must specify at least one run_id.");
      if (runIds.length > 100)
        throw invalidParameter(
          `GetMetricHistoryBulk request cannot specify more than 100 run_ids. Received ${runIds.length} run_ids.`,
        );
      // MLflow caps a larger max_results at 25000 rather than refusing it.
      const maxResults = Math.min(params.optionalInteger("max_results") ?? 25000, 25000);
      if (maxResults < 1) throw invalidParameter(`max_results must be between 1 and 25000. Found ${maxResults}.`);
      const metrics = await store.getMetricHistoryBulk(runIds, params.requiredString("metric_key"), maxResults);
      return wirePage("metrics", metrics.map(wireRunMetric));
    },
  },
];
