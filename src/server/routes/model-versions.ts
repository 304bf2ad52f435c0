/**
 * @module server/routes/model-versions
 * MLflow's model version endpoints (reference/mlflow.md §2.6) with MLflow's methods: PATCH for
 * update, DELETE with a JSON body for delete and delete-tag, GET query parameters for get, search
 * and get-download-uri. The version number travels as a string, as in MLflow's protos.
 */
import { type Endpoint, field } from "../endpoint.js";
import { knownUser } from "../user.js";
import { wirePage } from "../wire.js";
import { readTags } from "./experiments.js";

const NAME_AND_VERSION = [field("name", "string", true), field("version", "string", true)];

export const modelVersionEndpoints: Endpoint[] = [
  {
    methods: ["POST"],
    path: "model-versions/create",
    summary:
      "Register a new version of a model from a source (runs:/, models:/, mlflow-artifacts:/, remote URIs; local paths only inside the artifact directory of run_id). Version numbers are never reused.",
    fields: [
      field("name", "string", true),
      field("source", "string", true),
      field("run_id", "string"),
      field("tags", "object[]"),
      field("run_link", "string"),
      field("description", "string"),
    ],
    async handle(params, { registry, user }) {
      const version = await registry.createModelVersion({
        name: params.requiredString("name"),
        source: params.requiredString("source"),
        runId: params.optionalString("run_id"),
        tags: readTags(params),
        runLink: params.optionalString("run_link"),
        description: params.optionalString("description"),
        user: knownUser(user),
      });
      return { model_version: version };
    },
  },
  {
    methods: ["PATCH"],
    path: "model-versions/update",
    summary: "Update a model version's description.",
    fields: [...NAME_AND_VERSION, field("description", "string")],
    async handle(params, { registry }) {
      const version = await registry.updateModelVersion(
        params.requiredString("name"),
        params.requiredString("version"),
        params.optionalString("description"),
      );
      return { model_version: version };
    },
  },
  {
    methods: ["POST"],
    path: "model-versions/transition-stage",
    summary:
      "Move a version to None, Staging, Production or Archived (any case); archive_existing_versions (Staging or Production only) archives the others in that stage. Recorded in the model's history.",
    fields: [...NAME_AND_VERSION, field("stage", "string", true), field("archive_existing_versions", "boolean")],
    async handle(params, { registry, user }) {
      const version = await registry.transitionModelVersionStage({
        name: params.requiredString("name"),
        version: params.requiredString("version"),
        stage: params.requiredString("stage"),
        archiveExistingVersions: params.optionalBoolean("archive_existing_versions") ?? false,
        user,
      });
      return { model_version: version };
    },
  },
  {
    methods: ["DELETE"],
    path: "model-versions/delete",
    summary: "Delete a model version (its number is never reused; aliases on it are removed).",
    fields: NAME_AND_VERSION,
    async handle(params, { registry, user }) {
      await registry.deleteModelVersion(params.requiredString("name"), params.requiredString("version"), user);
      return {};
    },
  },
  {
    methods: ["GET"],
    path: "model-versions/get",
    summary: "Get a model version with its tags and aliases.",
    fields: NAME_AND_VERSION,
    async handle(params, { registry }) {
      const version = await registry.getModelVersion(params.requiredString("name"), params.requiredString("version"));
      return { model_version: version };
    },
  },
  {
    methods: ["GET"],
    path: "model-versions/search",
    summary:
      "Search model versions by name, source_path, run_id (IN too), version_number and tags (max_results default 10000, at most 200000).",
    fields: [
      field("filter", "string"),
      field("max_results", "integer"),
      field("order_by", "string[]"),
      field("page_token", "string"),
    ],
    async handle(params, { registry }) {
      const page = await registry.searchModelVersions({
        filter: params.optionalString("filter"),
        maxResults: params.optionalInteger("max_results"),
        orderBy: params.stringList("order_by"),
        pageToken: params.optionalString("page_token"),
      });
      return wirePage("model_versions", page.items, page.nextPageToken);
    },
  },
  {
    methods: ["GET"],
    path: "model-versions/get-download-uri",
    summary: "Where a version's files are stored (a runs:/ source resolved to the run's artifact URI).",
    fields: NAME_AND_VERSION,
    async handle(params, { registry }) {
      const uri = await registry.getModelVersionDownloadUri(
        params.requiredString("name"),
        params.requiredString("version"),
      );
      return { artifact_uri: uri };
    },
  },
  {
    methods: ["POST"],
    path: "model-versions/set-tag",
    summary: "Set a tag on a model version.",
    fields: [...NAME_AND_VERSION, field("key", "string", true), field("value", "string")],
    async handle(params, { registry }) {
      await registry.setModelVersionTag(params.requiredString("name"), params.requiredString("version"), {
        key: params.requiredString("key"),
        value: params.optionalString("value") ?? "",
      });
      return {};
    },
  },
  {
    methods: ["DELETE"],
    path: "model-versions/delete-tag",
    summary: "Delete a tag from a model version (a no-op when it has no such tag).",
    fields: [...NAME_AND_VERSION, field("key", "string", true)],
    async handle(params, { registry }) {
      await registry.deleteModelVersionTag(
        params.requiredString("name"),
        params.requiredString("version"),
        params.requiredString("key"),
      );
      return {};
    },
  },
];
