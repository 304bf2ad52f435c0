/**
 * @module tracking
 * Experiments, runs, metrics, params, tags and dataset inputs: entities, validation, search and
 * the SQL store.
 */
export * from "./entities.js";
export { decodePageToken, encodePageToken } from "./paging.js";
export type { DialectName, OpenedDatabase } from "./store/database.js";
export { openDatabase, sqlitePathFromUri } from "./store/database.js";
export type { SqlTrackingStoreOptions } from "./store/sql-store.js";
export { SqlTrackingStore } from "./store/sql-store.js";
export type { TrackingStore } from "./store.js";
export {
  LIMITS,
  validateExperimentName,
  validateKey,
  validateMetric,
  validateParam,
  validateRunTag,
} from "./validation.js";
