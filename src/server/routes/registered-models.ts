/**
 * @module server/routes/registered-models
 * MLflow's registered model endpoints (reference/mlflow.md §2.5) with MLflow's methods: PATCH for
 * update, DELETE with a JSON body for delete, delete-tag and alias removal, GET query parameters
 * for get and search, and get-latest-versions answering both POST and GET.
 */
import { type Endpoint, field } from "../endpoint.js";
import { knownUser } from "../user.js";
import { wirePage } from "../wire.js";
import { readTags } from "./experiments.js";

function searchFields() {
  return [
    field("filter", "string"),
    field("max_results", "integer"),
    field("order_by", "string[]"),
    field("page_token", "string"),
  ];
}

export const registeredModelEndpoints: Endpoint[] = [
  {
    methods: ["POST"],
    path: "registered-models/create",
    summary: "Register a model name; versions are added with model-versions/create.",
    fields: [field("name", "string", true), field("tags", "object[]"), field("description", "string")],
    async handle(params, { registry, user }) {
      const model = await registry.createRegisteredModel({
        name: params.requiredString("name"),
        tags: readTags(params),
        description: params.optionalString("description"),
        user: knownUser(user),
      });
      return { registered_model: model };
    },
  },
  {
    methods: ["POST"],
    path: "registered-models/rename",
    summary: "Rename a registered model with its versions, tags, aliases and history.",
    fields: [field("name", "string", true), field("new_name", "string", true)],
    async handle(params, { registry }) {
      const model = await registry.renameRegisteredModel(
        params.requiredString("name"),
        params.requiredString("new_name"),
      );
      return { registered_model: model };
    },
  },
  {
    methods: ["PATCH"],
    path: "registered-models/update",
    summary: "Update a registered model's description.",
    fields: [field("name", "string", true), field("description", "string")],
    async handle(params, { registry }) {
      const model = await registry.updateRegisteredModel(
        params.requiredString("name"),
        params.optionalString("description"),
      );
      return { registered_model: model };
    },
  },
  {
    methods: ["DELETE"],
    path: "registered-models/delete",
    summary: "Delete a registered model with all its versions, tags and aliases (its history is kept).",
    fields: [field("name", "string", true)],
    async handle(params, { registry }) {
      await registry.deleteRegisteredModel(params.requiredString("name"));
      return {};
    },
  },
  {
    methods: ["GET"],
    path: "registered-models/get",
    summary: "Get a registered model with its latest version per stage, tags and aliases.",
    fields: [field("name", "string", true)],
    async handle(params, { registry }) {
      return { registered_model: await registry.getRegisteredModel(params.requiredString("name")) };
    },
  },
  {
    methods: ["GET"],
    path: "registered-models/search",
    summary: "Search registered models by name and tags (max_results default 100, at most 1000).",
    fields: searchFields(),
    async handle(params, { registry }) {
      const page = await registry.searchRegisteredModels({
        filter: params.optionalString("filter"),
        maxResults: params.optionalInteger("max_results"),
        orderBy: params.stringList("order_by"),
        pageToken: params.optionalString("page_token"),
      });
      return wirePage("registered_models", page.items, page.nextPageToken);
    },
  },
  {
    methods: ["POST", "GET"],
    path: "registered-models/get-latest-versions",
    summary: "The highest READY version in each requested stage (every stage when none are given).",
    fields: [field("name", "string", true), field("stages", "string[]")],
    async handle(params, { registry }) {
      const versions = await registry.getLatestVersions(params.requiredString("name"), params.stringList("stages"));
      return wirePage("model_versions", versions);
    },
  },
  {
    methods: ["POST"],
    path: "registered-models/set-tag",
    summary: "Set a tag on a registered model.",
    fields: [field("name", "string", true), field("key", "string", true), field("value", "string")],
    async handle(params, { registry }) {
      await registry.setRegisteredModelTag(params.requiredString("name"), {
        key: params.requiredString("key"),
        value: params.optionalString("value") ?? "",
      });
      return {};
    },
  },
  {
    methods: ["DELETE"],
    path: "registered-models/delete-tag",
    summary: "Delete a tag from a registered model (a no-op when it has no such tag).",
    fields: [field("name", "string", true), field("key", "string", true)],
    async handle(params, { registry }) {
      await registry.deleteRegisteredModelTag(params.requiredString("name"), params.requiredString("key"));
      return {};
    },
  },
  {
    methods: ["POST"],
    path: "registered-models/alias",
    summary: "Point an alias at a model version, creating or moving it (recorded in the model's history).",
    fields: [field("name", "string", true), field("alias", "string", true), field("version", "string", true)],
    async handle(params, { registry, user }) {
      await registry.setRegisteredModelAlias(
        params.requiredString("name"),
        params.requiredString("alias"),
        params.requiredString("version"),
        user,
      );
      return {};
    },
  },
  {
    methods: ["DELETE"],
    path: "registered-models/alias",
    summary: "Remove an alias (a no-op when the model has no such alias).",
    fields: [field("name", "string", true), field("alias", "string", true)],
    async handle(params, { registry, user }) {
      await registry.deleteRegisteredModelAlias(params.requiredString("name"), params.requiredString("alias"), user);
      return {};
    },
  },
  {
    methods: ["GET"],
    path: "registered-models/alias",
    summary:
      "Get the model version an alias points at; an unknown alias is a 400 INVALID_PARAMETER_VALUE, as in MLflow.",
    fields: [field("name", "string", true), field("alias", "string", true)],
    async handle(params, { registry }) {
      const version = await registry.getModelVersionByAlias(
        params.requiredString("name"),
        params.requiredString("alias"),
      );
      return { model_version: version };
    },
  },
  {
    methods: ["GET"],
    path: "registry/history",
    summary:
      "Lathe extension: every stage transition and alias move of a model (optionally one version), oldest first, with who made it and when: {events: [{name, version, kind: stage|alias, alias?, from?, to?, user, timestamp}]}. Kept after versions or the model are deleted.",
    fields: [field("name", "string", true), field("version", "string")],
    async handle(params, { registry }) {
      const version = params.optionalString("version");
      return { events: await registry.getHistory(params.requiredString("name"), version || undefined) };
    },
  },
];
