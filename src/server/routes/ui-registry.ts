/**
 * @module server/routes/ui-registry
 * The web UI's registry routes that MLflow has none for, on `/ajax-api` only: rolling an alias back
 * to the version that held it before its last move (`lathe models rollback` over HTTP), and a
 * version's model card (`lathe card model` over HTTP). The rules live in registry/promotion and
 * cards/model-card; this adapts the server's stores to them.
 */
import { type ModelCardSource, modelCard } from "../../cards/model-card.js";
import { invalidParameter, isLatheError, notFound } from "../../core/errors.js";
import { type PromotionTarget, rollback } from "../../registry/promotion.js";
import type { RegistryStore } from "../../registry/store.js";
import { parseVersion, validateModelName } from "../../registry/validation.js";
import type { TrackingStore } from "../../tracking/store.js";
import { type Endpoint, field } from "../endpoint.js";

function storeTarget(registry: RegistryStore, user: string): PromotionTarget {
  return {
    getModelVersion: (name, version) => registry.getModelVersion(name, version),
    setRegisteredModelAlias: (name, alias, version) => registry.setRegisteredModelAlias(name, alias, version, user),
    transitionModelVersionStage: (name, version, stage, options) =>
      registry.transitionModelVersionStage({
        name,
        version,
        stage,
        archiveExistingVersions: options?.archiveExistingVersions ?? false,
        user,
      }),
    getRegistryHistory: (name) => registry.getHistory(name),
  };
}

/**
 * The reads of one version's card over the server's stores. The route names the version itself, so
 * resolving is reading it: an unknown model or version is a 404 that says which card was asked for.
 */
function versionCardSource(
  registry: RegistryStore,
  store: TrackingStore,
  name: string,
  version: string,
): ModelCardSource {
  return {
    async resolveModelUri() {
      try {
        const found = await registry.getModelVersion(name, version);
        return { name: found.name, version: found.version };
      } catch (error) {
        if (isLatheError(error) && error.code === "RESOURCE_DOES_NOT_EXIST")
          throw notFound(
            `No model card for version ${version} of '${name}': ${error.message}. Open a version listed on the model's Registry page.`,
          );
        throw error;
      }
    },
    getModelVersion: (modelName, modelVersion) => registry.getModelVersion(modelName, modelVersion),
    getRegisteredModel: (modelName) => registry.getRegisteredModel(modelName),
    getRun: (runId) => store.getRun(runId),
  };
}

export const uiRegistryEndpoints: Endpoint[] = [
  {
    methods: ["POST"],
    path: "lathe/registry/rollback",
    summary:
      "Lathe extension (UI): point an alias back at the version that held it before its last move; answers {name, version, alias, previous}.",
    ajaxOnly: true,
    fields: [field("name", "string", true), field("alias", "string", true)],
    async handle(params, { registry, user }) {
      const result = await rollback(
        storeTarget(registry, user),
        params.requiredString("name"),
        params.requiredString("alias"),
      );
      return { ...result };
    },
  },
  {
    methods: ["GET"],
    path: "lathe/registry/model-card",
    summary:
      "Lathe extension (UI): the Hugging Face model card of a version (as `lathe card model` writes it); answers {card}.",
    ajaxOnly: true,
    fields: [field("name", "string", true), field("version", "string", true), field("run_id", "string")],
    async handle(params, { registry, store }) {
      const name = validateModelName(params.requiredString("name"));
      const version = String(parseVersion(params.requiredString("version")));
      // The card shows the source run; naming it lets access control check the run's experiment too.
      const runId = params.optionalString("run_id") || undefined;
      const source = await registry.getModelVersion(name, version).catch(() => undefined);
      if (source?.run_id && runId !== source.run_id) {
        throw invalidParameter(
          `Version ${version} of '${name}' comes from run '${source.run_id}': pass run_id=${source.run_id} to see its model card.`,
        );
      }
      const uri = `models:/${name}/${version}`;
      return { card: await modelCard(versionCardSource(registry, store, name, version), uri) };
    },
  },
];
