/**
 * @module server/routes/runs
 * MLflow's run endpoints (reference/mlflow.md §2.2): create, get, update, delete, restore, search,
 * and the logging calls. Everything is validated here, at the edge, before the store sees it.
 */
import { invalidParameter } from "../../core/errors.js";
import {
  type DatasetInput,
  type Metric,
  type Page,
  RUN_STATUSES,
  type Run,
  type RunStatus,
} from "../../tracking/entities.js";
import { LIMITS, validateLength, validateMetric, validateParam, validateRunTag } from "../../tracking/validation.js";
import { type Endpoint, field } from "../endpoint.js";
import type { RequestParams } from "../params.js";
import { answerOfFrozenItems, frozenAnswer, type Json, wirePage, wireRun, wireRunInfo } from "../wire.js";
import { readTags, readViewType } from "./experiments.js";

/** The answer made for each search page the store handed out, for pages its cache hands out again. */
const answersByPage = new WeakMap<Page<Run>, Record<string, unknown>>();
/** Each run's wire form, for runs the store's cache hands out in more than one page. */
const wireRuns = new WeakMap<Run, Json>();

function wireRunOnce(run: Run): Json {
  let wire = wireRuns.get(run);
  if (!wire) {
    wire = frozenAnswer(wireRun(run));
    wireRuns.set(run, wire);
  }
  return wire;
}

function readMetric(params: RequestParams): Metric {
  return validateMetric({
    key: params.requiredString("key"),
    value: params.requiredDouble("value"),
    timestamp: params.requiredInteger("timestamp"),
    step: params.optionalInteger("step") ?? 0,
  });
}

function readStatus(params: RequestParams): RunStatus | undefined {
  const value = params.optionalString("status");
  if (value === undefined || value === "") return undefined;
  if (!RUN_STATUSES.includes(value as RunStatus)) {
    throw invalidParameter(`Invalid run status '${value}': use one of ${RUN_STATUSES.join(", ")}.`);
  }
  return value as RunStatus;
}

function readDatasetInputs(params: RequestParams): DatasetInput[] {
  return params.objectList("datasets").map((input) => {
    const dataset = input.object("dataset");
    const tags = readTags(input).map((tag) => {
      validateLength(`Dataset input tag key '${tag.key.slice(0, 40)}'`, tag.key, LIMITS.inputTagKey);
      validateLength(`Dataset input tag value for key '${tag.key}'`, tag.value, LIMITS.inputTagValue);
      return tag;
    });
    const schema = dataset.optionalString("schema");
    const profile = dataset.optionalString("profile");
    return {
      tags,
      dataset: {
        name: validateLength("Dataset name", dataset.requiredString("name"), LIMITS.datasetName),
        digest: validateLength("Dataset digest", dataset.requiredString("digest"), LIMITS.datasetDigest),
        source_type: dataset.requiredString("source_type"),
        source: validateLength("Dataset source", dataset.requiredString("source"), LIMITS.datasetSource),
        ...(schema ? { schema: validateLength("Dataset schema", schema, LIMITS.datasetSchema) } : {}),
        ...(profile ? { profile: validateLength("Dataset profile", profile, LIMITS.datasetProfile) } : {}),
      },
    };
  });
}

export const runEndpoints: Endpoint[] = [
  {
    methods: ["POST"],
    path: "runs/create",
    summary: 'Create a run in an experiment (the Default experiment, "0", when none is given).',
    fields: [
      field("experiment_id", "string"),
      field("user_id", "string"),
      field("run_name", "string"),
      field("start_time", "integer"),
      field("tags", "object[]"),
    ],
    async handle(params, { store }) {
      const run = await store.createRun({
        experimentId: params.optionalString("experiment_id") || "0",
        userId: params.optionalString("user_id"),
        runName: params.optionalString("run_name"),
        startTime: params.optionalInteger("start_time"),
        tags: readTags(params).map(validateRunTag),
      });
      // MLflow's runs/create answers without `inputs` (runs/get and runs/search carry it, even empty).
      const { inputs: _inputs, ...created } = wireRun(run);
      return { run: created };
    },
  },
  {
    methods: ["GET"],
    path: "runs/get",
    summary: "Get a run with its latest metrics, params, tags and dataset inputs.",
    fields: [field("run_id", "string", true)],
    async handle(params, { store }) {
      return { run: wireRun(await store.getRun(params.runId())) };
    },
  },
  {
    methods: ["POST"],
    path: "runs/update",
    summary: "Update a run's status, end time or name.",
    fields: [
      field("run_id", "string", true),
      field("status", "string"),
      field("end_time", "integer"),
      field("run_name", "string"),
    ],
    async handle(params, { store }) {
      const info = await store.updateRun({
        runId: params.runId(),
        status: readStatus(params),
        endTime: params.optionalInteger("end_time"),
        runName: params.optionalString("run_name"),
      });
      return { run_info: wireRunInfo(info) };
    },
  },
  {
    methods: ["POST"],
    path: "runs/delete",
    summary: "Mark a run deleted.",
    fields: [field("run_id", "string", true)],
    async handle(params, { store }) {
      await store.deleteRun(params.runId());
      return {};
    },
  },
  {
    methods: ["POST"],
    path: "runs/restore",
    summary: "Restore a deleted run.",
    fields: [field("run_id", "string", true)],
    async handle(params, { store }) {
      await store.restoreRun(params.runId());
      return {};
    },
  },
  {
    methods: ["POST"],
    path: "runs/log-metric",
    summary: "Log one metric point; an exact duplicate is ignored.",
    fields: [
      field("run_id", "string", true),
      field("key", "string", true),
      field("value", "number", true),
      field("timestamp", "integer", true),
      field("step", "integer"),
    ],
    async handle(params, { store }) {
      await store.logMetric(params.runId(), readMetric(params));
      return {};
    },
  },
  {
    methods: ["POST"],
    path: "runs/log-parameter",
    summary: "Log a param; params cannot change once logged.",
    fields: [field("run_id", "string", true), field("key", "string", true), field("value", "string")],
    async handle(params, { store }) {
      const param = validateParam({ key: params.requiredString("key"), value: params.optionalString("value") ?? "" });
      await store.logParam(params.runId(), param);
      return {};
    },
  },
  {
    methods: ["POST"],
    path: "runs/set-tag",
    summary: "Set a tag on a run.",
    fields: [field("run_id", "string", true), field("key", "string", true), field("value", "string")],
    async handle(params, { store }) {
      const tag = validateRunTag({ key: params.requiredString("key"), value: params.optionalString("value") ?? "" });
      await store.setTag(params.runId(), tag);
      return {};
    },
  },
  {
    methods: ["POST"],
    path: "runs/delete-tag",
    summary: "Delete a tag from a run.",
    fields: [field("run_id", "string", true), field("key", "string", true)],
    async handle(params, { store }) {
      await store.deleteTag(params.runId(), params.requiredString("key"));
      return {};
    },
  },
  {
    methods: ["POST"],
    path: "runs/log-batch",
    summary: "Log up to 1000 metrics, 100 params and 100 tags in one atomic request.",
    fields: [
      field("run_id", "string", true),
      field("metrics", "object[]"),
      field("params", "object[]"),
      field("tags", "object[]"),
    ],
    async handle(params, { store }) {
      const metrics = params.objectList("metrics");
      const paramList = params.objectList("params");
      const tags = params.objectList("tags");
      await store.logBatch({
        runId: params.runId(),
        metrics: metrics.map(readMetric),
        params: paramList.map((param) =>
          validateParam({ key: param.requiredString("key"), value: param.optionalString("value") ?? "" }),
        ),
        tags: tags.map((tag) =>
          validateRunTag({ key: tag.requiredString("key"), value: tag.optionalString("value") ?? "" }),
        ),
      });
      return {};
    },
  },
  {
    methods: ["POST"],
    path: "runs/log-model",
    summary: "Record a logged model's MLmodel (as JSON) in the run's mlflow.log-model.history tag.",
    fields: [field("run_id", "string", true), field("model_json", "string", true)],
    async handle(params, { store }) {
      const runId = params.runId();
      const modelJson = params.requiredString("model_json");
      let model: unknown;
      try {
        model = JSON.parse(modelJson);
      } catch {
        throw invalidParameter("Malformed model info: 'model_json' must be the MLmodel as a JSON object string.");
      }
      if (model === null || typeof model !== "object" || Array.isArray(model)) {
        throw invalidParameter("Malformed model info: 'model_json' must be a JSON object.");
      }
      for (const key of ["artifact_path", "flavors", "utc_time_created", "run_id"]) {
        if (!(key in model))
          throw invalidParameter(`Model json is missing mandatory fields: ['${key}']. Send the full MLmodel as JSON.`);
      }
      const run = await store.getRun(runId);
      const previous = run.data.tags.find((tag) => tag.key === "mlflow.log-model.history")?.value;
      let history: unknown[] = [];
      try {
        const parsed: unknown = previous ? JSON.parse(previous) : [];
        if (Array.isArray(parsed)) history = parsed;
      } catch {
        history = [];
      }
      history.push(model);
      await store.setTag(runId, validateRunTag({ key: "mlflow.log-model.history", value: JSON.stringify(history) }));
      return {};
    },
  },
  {
    methods: ["POST"],
    path: "runs/log-inputs",
    summary: "Record the datasets a run used.",
    fields: [field("run_id", "string", true), field("datasets", "object[]")],
    async handle(params, { store }) {
      await store.logInputs(params.runId(), readDatasetInputs(params));
      return {};
    },
  },
  {
    methods: ["POST", "GET"],
    path: "runs/search",
    summary: "Search runs in experiments with MLflow's filter grammar, order_by and paging.",
    fields: [
      field("experiment_ids", "string[]"),
      field("filter", "string"),
      field("run_view_type", "string"),
      field("max_results", "integer"),
      field("order_by", "string[]"),
      field("page_token", "string"),
    ],
    async handle(params, { store }) {
      const page = await store.searchRuns({
        experimentIds: params.stringList("experiment_ids"),
        filter: params.optionalString("filter"),
        viewType: readViewType(params, "run_view_type"),
        maxResults: params.optionalInteger("max_results"),
        orderBy: params.stringList("order_by"),
        pageToken: params.optionalString("page_token"),
      });
      // Each page is new (PostgreSQL, where other replicas write): its answer is made once and sent.
      if (!store.reusesSearchResults) return wirePage("runs", page.items.map(wireRun), page.nextPageToken);
      // A page the store answered from its cache is the same object each time: so is its answer;
      // and a run the store remembers is the same object in every page it is in: so is its text.
      let answer = answersByPage.get(page);
      if (!answer) {
        answer = frozenAnswer(answerOfFrozenItems(wirePage("runs", page.items.map(wireRunOnce), page.nextPageToken)));
        answersByPage.set(page, answer);
      }
      return answer;
    },
  },
];
