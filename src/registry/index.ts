/**
 * @module registry
 * The model registry: registered models, versions, stages, aliases and their history, the SQL store
 * on the tracking database, model version source validation, and `models:/` URI resolution.
 */
export * from "./entities.js";
export type { ModelVersionSource, RunArtifactUriLookup } from "./source.js";
export { validateModelVersionSource } from "./source.js";
export type { RegistryDatabase } from "./store/schema.js";
export { SEARCH_LIMITS } from "./store/search.js";
export { SqlRegistryStore } from "./store/sql-store.js";
export type { RegistryStore } from "./store.js";
export type { ParsedModelUri, RegistryLookup, ResolvedModelUri } from "./uri.js";
export { parseModelUri, resolveModelUri, storeRegistryLookup } from "./uri.js";
export {
  canonicalStage,
  parseVersion,
  REGISTRY_LIMITS,
  validateAlias,
  validateModelName,
  validateRegistryTag,
} from "./validation.js";
