/**
 * @module registry/store/lookups
 * The reads every registry operation starts with, and their errors in MLflow's words: a model by
 * name, a live version by number (a deleted one is a 404 that says it was deleted), loaded as
 * entities. Each takes the database or the open transaction to read through.
 */
import { type LatheError, notFound } from "../../core/errors.js";
import type { Tag } from "../../tracking/entities.js";
import type { DialectName } from "../../tracking/store/database.js";
import { lockedForWrite } from "../../tracking/store/transaction.js";

export { isUniqueViolation } from "../../tracking/store/transaction.js";

import { type ModelVersion, type RegisteredModel, STAGE_DELETED_INTERNAL } from "../entities.js";
import { loadModels, loadVersions, type RegistryDb } from "./rows.js";
import type { ModelVersionsTable, RegisteredModelsTable } from "./schema.js";

export function modelNotFound(name: string): LatheError {
  return notFound(`Registered Model with name=${name} not found`);
}

export function versionNotFound(name: string, version: number, deleted: boolean): LatheError {
  const head = `Model Version (name=${name}, version=${version}) not found`;
  return notFound(
    deleted
      ? `${head}: it was deleted. A deleted version cannot be read, moved, staged or given an alias; register the model again (model-versions/create) to get a new version.`
      : head,
  );
}

/** Last write wins within a request, as in MLflow. */
export function dedupeTags(tags: readonly Tag[]): Tag[] {
  return [...new Map(tags.map((tag) => [tag.key, tag])).values()];
}

export async function requireModel(db: RegistryDb, name: string): Promise<RegisteredModelsTable> {
  const row = await db.selectFrom("registered_models").selectAll().where("name", "=", name).executeTakeFirst();
  if (!row) throw modelNotFound(name);
  return row;
}

/**
 * Locks the model's row until the write transaction ends (PostgreSQL; SQLite's write transaction
 * already excludes every other writer): version numbering, alias moves, stage moves and deletes of
 * one model then run one at a time. A missing model is left to the caller's own check and message.
 */
export async function lockModel(db: RegistryDb, dialect: DialectName, name: string): Promise<void> {
  if (dialect !== "postgres") return;
  await lockedForWrite(dialect, db.selectFrom("registered_models").select("name").where("name", "=", name)).execute();
}

/** A live (not deleted) version. */
export async function requireVersion(db: RegistryDb, name: string, version: number): Promise<ModelVersionsTable> {
  const row = await db
    .selectFrom("model_versions")
    .selectAll()
    .where("name", "=", name)
    .where("version", "=", version)
    .executeTakeFirst();
  if (!row || row.current_stage === STAGE_DELETED_INTERNAL) throw versionNotFound(name, version, row !== undefined);
  return row;
}

export async function loadModel(db: RegistryDb, name: string): Promise<RegisteredModel> {
  const [model] = await loadModels(db, [await requireModel(db, name)]);
  return model!;
}

/** A live version with its tags and aliases. */
export async function loadVersion(db: RegistryDb, name: string, version: number): Promise<ModelVersion> {
  const [loaded] = await loadVersions(db, [await requireVersion(db, name, version)], true);
  return loaded!;
}
