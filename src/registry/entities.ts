/**
 * @module registry/entities
 * The model registry's values in MLflow's proto-JSON shape (reference/mlflow.md §2.5–2.6): snake_case
 * fields in proto order, the version number as a STRING, unset fields and empty lists left out. The
 * store returns these and the server sends them as they are; the SDK reads the same JSON back.
 */
import type { Tag } from "../tracking/entities.js";

export type { Page, Tag } from "../tracking/entities.js";

/** The stages a version can be in; `Deleted_Internal` marks soft-deleted versions and never leaves the store. */
export const MODEL_STAGES = ["None", "Staging", "Production", "Archived"] as const;
export type ModelStage = (typeof MODEL_STAGES)[number];

/** Stages `archive_existing_versions` may be used with (MLflow's "active" stages). */
export const ACTIVE_STAGES: readonly ModelStage[] = ["Staging", "Production"];

export const STAGE_DELETED_INTERNAL = "Deleted_Internal";

export type ModelVersionStatus = "PENDING_REGISTRATION" | "FAILED_REGISTRATION" | "READY";

export interface ModelVersion {
  name: string;
  /** The version number, as a decimal string (proto `string version`). */
  version: string;
  creation_timestamp: number;
  last_updated_timestamp: number;
  user_id?: string;
  current_stage: string;
  description?: string;
  source?: string;
  run_id?: string;
  status: ModelVersionStatus;
  status_message?: string;
  tags?: Tag[];
  run_link?: string;
  /** Aliases pointing at this version; only single-version reads fill it, as MLflow does. */
  aliases?: string[];
}

export interface RegisteredModelAlias {
  alias: string;
  version: string;
}

export interface RegisteredModel {
  name: string;
  creation_timestamp: number;
  last_updated_timestamp: number;
  user_id?: string;
  description?: string;
  /** The highest READY version in each stage. */
  latest_versions?: ModelVersion[];
  tags?: Tag[];
  aliases?: RegisteredModelAlias[];
}

/** What a history event records: a stage transition or an alias being set, moved or removed. */
export type RegistryEventKind = "stage" | "alias";

/**
 * One entry of a model's history (a Lathe extension, `GET registry/history`). For a stage event
 * `from`/`to` are stage names; for an alias event they are version numbers, `from` absent when the
 * alias is new and `to` absent when it was removed.
 */
export interface RegistryEvent {
  name: string;
  version: string;
  kind: RegistryEventKind;
  alias?: string;
  from?: string;
  to?: string;
  user: string;
  timestamp: number;
}

export interface CreateRegisteredModelInput {
  name: string;
  tags?: Tag[];
  description?: string;
  /** Who asks; recorded as `user_id` when known. */
  user?: string;
}

export interface CreateModelVersionInput {
  name: string;
  source: string;
  runId?: string;
  tags?: Tag[];
  runLink?: string;
  description?: string;
  user?: string;
}

export interface TransitionStageInput {
  name: string;
  version: string;
  stage: string;
  archiveExistingVersions?: boolean;
  /** Who asks; recorded in the history. */
  user: string;
}

export interface SearchRegistryInput {
  filter?: string;
  orderBy?: string[];
  maxResults?: number;
  pageToken?: string;
}
