/**
 * @module server/routes/ui-registry
 * The web UI's registry move that MLflow has no route for: rolling an alias back to the version
 * that held it before its last move (`lathe models rollback` over HTTP), on `/ajax-api` only.
 * The rule itself lives in registry/promotion; this adapts the registry store to it.
 */
import { type PromotionTarget, rollback } from "../../registry/promotion.js";
import type { RegistryStore } from "../../registry/store.js";
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
];
