/**
 * @module server/routes/experiments
 * MLflow's experiment endpoints (reference/mlflow.md §2.1), plus `experiments/list`, removed in
 * MLflow 2.0 but still called by the npm `mlflow` client.
 */
import { validateArtifactLocation } from "../../artifacts/index.js";
import { invalidParameter } from "../../core/errors.js";
import { type Tag, VIEW_TYPES, type ViewType } from "../../tracking/entities.js";
import { validateExperimentTag } from "../../tracking/validation.js";
import { type Endpoint, field } from "../endpoint.js";
import type { RequestParams } from "../params.js";
import { wireExperiment, wirePage } from "../wire.js";

export function readTags(params: RequestParams, name = "tags"): Tag[] {
  return params
    .objectList(name)
    .map((tag) => ({ key: tag.requiredString("key"), value: tag.optionalString("value") ?? "" }));
}

export function readViewType(params: RequestParams, name: string): ViewType | undefined {
  const value = params.optionalString(name);
  if (value === undefined || value === "") return undefined;
  const upper = value.toUpperCase() as ViewType;
  if (!VIEW_TYPES.includes(upper)) {
    throw invalidParameter(`Invalid value '${value}' for parameter '${name}': use one of ${VIEW_TYPES.join(", ")}.`);
  }
  return upper;
}

export const experimentEndpoints: Endpoint[] = [
  {
    methods: ["POST"],
    path: "experiments/create",
    summary: "Create an experiment.",
    fields: [field("name", "string", true), field("artifact_location", "string"), field("tags", "object[]")],
    async handle(params, { store }) {
      const name = params.requiredString("name");
      const location = params.optionalString("artifact_location");
      const tags = readTags(params).map(validateExperimentTag);
      const experimentId = await store.createExperiment({
        name,
        artifactLocation: location ? validateArtifactLocation(location) : undefined,
        tags,
      });
      return { experiment_id: experimentId };
    },
  },
  {
    methods: ["GET"],
    path: "experiments/get",
    summary: "Get an experiment by id (deleted ones too).",
    fields: [field("experiment_id", "string", true)],
    async handle(params, { store }) {
      return { experiment: wireExperiment(await store.getExperiment(params.requiredString("experiment_id"))) };
    },
  },
  {
    methods: ["GET"],
    path: "experiments/get-by-name",
    summary: "Get an experiment by name; 404 RESOURCE_DOES_NOT_EXIST when there is none.",
    fields: [field("experiment_name", "string", true)],
    async handle(params, { store }) {
      return { experiment: wireExperiment(await store.getExperimentByName(params.requiredString("experiment_name"))) };
    },
  },
  {
    methods: ["POST", "GET"],
    path: "experiments/search",
    summary: "Search experiments with a filter, order and paging.",
    fields: [
      field("max_results", "integer"),
      field("page_token", "string"),
      field("filter", "string"),
      field("order_by", "string[]"),
      field("view_type", "string"),
    ],
    async handle(params, { store }) {
      const page = await store.searchExperiments({
        maxResults: params.optionalInteger("max_results"),
        pageToken: params.optionalString("page_token"),
        filter: params.optionalString("filter"),
        orderBy: params.stringList("order_by"),
        viewType: readViewType(params, "view_type"),
      });
      return wirePage("experiments", page.items.map(wireExperiment), page.nextPageToken);
    },
  },
  {
    methods: ["GET"],
    path: "experiments/list",
    summary: "List experiments (MLflow 1.x endpoint, kept for older clients).",
    fields: [field("view_type", "string"), field("max_results", "integer"), field("page_token", "string")],
    async handle(params, { store }) {
      const page = await store.searchExperiments({
        maxResults: params.optionalInteger("max_results"),
        pageToken: params.optionalString("page_token"),
        viewType: readViewType(params, "view_type"),
      });
      return wirePage("experiments", page.items.map(wireExperiment), page.nextPageToken);
    },
  },
  {
    methods: ["POST"],
    path: "experiments/update",
    summary: "Rename an experiment.",
    fields: [field("experiment_id", "string", true), field("new_name", "string", true)],
    async handle(params, { store }) {
      await store.renameExperiment(params.requiredString("experiment_id"), params.requiredString("new_name"));
      return {};
    },
  },
  {
    methods: ["POST"],
    path: "experiments/delete",
    summary: "Mark an experiment and its runs deleted.",
    fields: [field("experiment_id", "string", true)],
    async handle(params, { store }) {
      await store.deleteExperiment(params.requiredString("experiment_id"));
      return {};
    },
  },
  {
    methods: ["POST"],
    path: "experiments/restore",
    summary: "Restore a deleted experiment and its runs.",
    fields: [field("experiment_id", "string", true)],
    async handle(params, { store }) {
      await store.restoreExperiment(params.requiredString("experiment_id"));
      return {};
    },
  },
  {
    methods: ["POST"],
    path: "experiments/set-experiment-tag",
    // The npm `mlflow` client (2.0.7) drops the slash and calls this path.
    aliases: ["experimentsset-experiment-tag"],
    summary: "Set a tag on an experiment.",
    fields: [field("experiment_id", "string", true), field("key", "string", true), field("value", "string")],
    async handle(params, { store }) {
      const tag = validateExperimentTag({
        key: params.requiredString("key"),
        value: params.optionalString("value") ?? "",
      });
      await store.setExperimentTag(params.requiredString("experiment_id"), tag);
      return {};
    },
  },
  {
    methods: ["POST"],
    path: "experiments/delete-experiment-tag",
    summary: "Delete a tag from an experiment.",
    fields: [field("experiment_id", "string", true), field("key", "string", true)],
    async handle(params, { store }) {
      await store.deleteExperimentTag(params.requiredString("experiment_id"), params.requiredString("key"));
      return {};
    },
  },
];
