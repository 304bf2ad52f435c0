/**
 * @module registry/store/rows
 * Turns registry rows into the wire-shaped entities, loading what hangs off them (tags, aliases,
 * the latest version per stage) in a few batched queries rather than one per row. Fields keep
 * proto order; unset fields and empty lists are left out, as MLflow's JSON printer does.
 */
import type { Kysely } from "kysely";
import type { Tag } from "../../tracking/entities.js";
import type { TrackingDatabase } from "../../tracking/store/schema.js";
import {
  type ModelVersion,
  type ModelVersionStatus,
  type RegisteredModel,
  type RegisteredModelAlias,
  STAGE_DELETED_INTERNAL,
} from "../entities.js";
import type { ModelVersionsTable, RegisteredModelsTable, RegistryDatabase } from "./schema.js";

/** The shared database as the registry sees it: its own tables and the tracking ones (runs). */
export type RegistryDb = Kysely<TrackingDatabase & RegistryDatabase>;

/** Rows per `IN` list or OR-group, well under every dialect's bound-parameter limit. */
const CHUNK = 200;

function chunks<T>(items: readonly T[]): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < items.length; start += CHUNK) result.push(items.slice(start, start + CHUNK));
  return result;
}

function versionKey(name: string, version: number): string {
  return `${version}\u0000${name}`;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

export function versionFromRow(
  row: ModelVersionsTable,
  tags: readonly Tag[],
  aliases?: readonly string[],
): ModelVersion {
  return {
    name: row.name,
    version: String(row.version),
    creation_timestamp: Number(row.creation_time),
    last_updated_timestamp: Number(row.last_updated_time),
    ...(row.user_id !== null ? { user_id: row.user_id } : {}),
    current_stage: row.current_stage,
    ...(row.description !== null ? { description: row.description } : {}),
    ...(row.source !== null ? { source: row.source } : {}),
    ...(row.run_id !== null ? { run_id: row.run_id } : {}),
    status: row.status as ModelVersionStatus,
    ...(row.status_message ? { status_message: row.status_message } : {}),
    ...(tags.length > 0 ? { tags: [...tags] } : {}),
    ...(row.run_link !== null ? { run_link: row.run_link } : {}),
    ...(aliases && aliases.length > 0 ? { aliases: [...aliases] } : {}),
  };
}

async function versionTags(db: RegistryDb, rows: readonly ModelVersionsTable[]): Promise<Map<string, Tag[]>> {
  const result = new Map<string, Tag[]>();
  for (const chunk of chunks(rows)) {
    const tags = await db
      .selectFrom("model_version_tags")
      .selectAll()
      .where((eb) => eb.or(chunk.map((row) => eb.and([eb("name", "=", row.name), eb("version", "=", row.version)]))))
      .orderBy("key")
      .execute();
    for (const tag of tags) push(result, versionKey(tag.name, Number(tag.version)), { key: tag.key, value: tag.value });
  }
  return result;
}

/** Alias names per version of the given models. */
async function versionAliases(db: RegistryDb, names: readonly string[]): Promise<Map<string, string[]>> {
  const result = new Map<string, string[]>();
  for (const chunk of chunks([...new Set(names)])) {
    const rows = await db
      .selectFrom("registered_model_aliases")
      .selectAll()
      .where("name", "in", chunk)
      .orderBy("alias")
      .execute();
    for (const row of rows) push(result, versionKey(row.name, Number(row.version)), row.alias);
  }
  return result;
}

/**
 * Entities for version rows, in the order given. MLflow lists aliases only on single-version reads
 * (get, update, transition, by alias, latest versions), not in searches or a model's latest_versions.
 */
export async function loadVersions(
  db: RegistryDb,
  rows: readonly ModelVersionsTable[],
  withAliases: boolean,
): Promise<ModelVersion[]> {
  const tags = await versionTags(db, rows);
  const aliases = withAliases
    ? await versionAliases(
        db,
        rows.map((row) => row.name),
      )
    : new Map<string, string[]>();
  return rows.map((row) => {
    const key = versionKey(row.name, Number(row.version));
    return versionFromRow(row, tags.get(key) ?? [], aliases.get(key));
  });
}

/**
 * The highest READY version in each stage, per model. Stages are listed in the order their lowest
 * version was registered, which is the order MLflow's walk over a model's versions yields.
 */
export async function latestVersions(db: RegistryDb, names: readonly string[]): Promise<Map<string, ModelVersion[]>> {
  const picks: { name: string; version: number; first: number }[] = [];
  for (const chunk of chunks([...new Set(names)])) {
    const groups = await db
      .selectFrom("model_versions")
      .select(["name", "current_stage"])
      .select((eb) => [eb.fn.max("version").as("latest"), eb.fn.min("version").as("first")])
      .where("name", "in", chunk)
      .where("current_stage", "<>", STAGE_DELETED_INTERNAL)
      .where("status", "=", "READY")
      .groupBy(["name", "current_stage"])
      .execute();
    for (const group of groups)
      picks.push({ name: group.name, version: Number(group.latest), first: Number(group.first) });
  }
  picks.sort((a, b) => a.first - b.first);
  const rows: ModelVersionsTable[] = [];
  for (const chunk of chunks(picks)) {
    rows.push(
      ...(await db
        .selectFrom("model_versions")
        .selectAll()
        .where((eb) =>
          eb.or(chunk.map((pick) => eb.and([eb("name", "=", pick.name), eb("version", "=", pick.version)]))),
        )
        .execute()),
    );
  }
  const byKey = new Map(rows.map((row) => [versionKey(row.name, Number(row.version)), row]));
  const ordered = picks.flatMap((pick) => byKey.get(versionKey(pick.name, pick.version)) ?? []);
  const result = new Map<string, ModelVersion[]>();
  for (const version of await loadVersions(db, ordered, false)) push(result, version.name, version);
  return result;
}

/** Entities for registered model rows, in the order given, with tags, aliases and latest versions. */
export async function loadModels(db: RegistryDb, rows: readonly RegisteredModelsTable[]): Promise<RegisteredModel[]> {
  const names = rows.map((row) => row.name);
  const tags = new Map<string, Tag[]>();
  const aliases = new Map<string, RegisteredModelAlias[]>();
  for (const chunk of chunks(names)) {
    for (const tag of await db
      .selectFrom("registered_model_tags")
      .selectAll()
      .where("name", "in", chunk)
      .orderBy("key")
      .execute()) {
      push(tags, tag.name, { key: tag.key, value: tag.value });
    }
    for (const alias of await db
      .selectFrom("registered_model_aliases")
      .selectAll()
      .where("name", "in", chunk)
      .orderBy("alias")
      .execute()) {
      push(aliases, alias.name, { alias: alias.alias, version: String(alias.version) });
    }
  }
  const latest = await latestVersions(db, names);
  return rows.map((row) => {
    const modelTags = tags.get(row.name) ?? [];
    const modelAliases = aliases.get(row.name) ?? [];
    const modelLatest = latest.get(row.name) ?? [];
    return {
      name: row.name,
      creation_timestamp: Number(row.creation_time),
      last_updated_timestamp: Number(row.last_updated_time),
      ...(row.user_id !== null ? { user_id: row.user_id } : {}),
      ...(row.description !== null ? { description: row.description } : {}),
      ...(modelLatest.length > 0 ? { latest_versions: modelLatest } : {}),
      ...(modelTags.length > 0 ? { tags: modelTags } : {}),
      ...(modelAliases.length > 0 ? { aliases: modelAliases } : {}),
    };
  });
}
