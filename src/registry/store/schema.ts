/**
 * @module registry/store/schema
 * Row types of the registry tables (migration `0002_registry`) as Kysely sees them. Table and
 * column names follow MLflow's SQL registry store; `storage_location` and `registry_events` are
 * Lathe's additions.
 */
import type { Generated } from "kysely";

export interface RegisteredModelsTable {
  name: string;
  creation_time: number;
  last_updated_time: number;
  description: string | null;
  user_id: string | null;
}

export interface ModelVersionsTable {
  name: string;
  version: number;
  creation_time: number;
  last_updated_time: number;
  description: string | null;
  user_id: string | null;
  /** A stage, or `Deleted_Internal` for a soft-deleted version. */
  current_stage: string;
  source: string | null;
  /** Where the files are: a `runs:/` or `models:/` source resolved at registration. */
  storage_location: string | null;
  run_id: string | null;
  run_link: string | null;
  status: string;
  status_message: string | null;
}

export interface RegisteredModelTagsTable {
  name: string;
  key: string;
  value: string;
}

export interface ModelVersionTagsTable {
  name: string;
  version: number;
  key: string;
  value: string;
}

export interface RegisteredModelAliasesTable {
  name: string;
  alias: string;
  version: number;
}

/** History of stage transitions and alias moves; not tied to the model rows, so it outlives them. */
export interface RegistryEventsTable {
  event_id: Generated<number>;
  name: string;
  version: number;
  kind: string;
  alias: string | null;
  from_value: string | null;
  to_value: string | null;
  user_id: string;
  timestamp: number;
}

// A type alias rather than an interface: Kysely's withTables<T>() needs T to have an index signature.
export type RegistryDatabase = {
  registered_models: RegisteredModelsTable;
  model_versions: ModelVersionsTable;
  registered_model_tags: RegisteredModelTagsTable;
  model_version_tags: ModelVersionTagsTable;
  registered_model_aliases: RegisteredModelAliasesTable;
  registry_events: RegistryEventsTable;
};
